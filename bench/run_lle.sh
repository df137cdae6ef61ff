#!/bin/sh
# LLE: scikit-learn vs eigenssl (pure Go and OpenBLAS builds), each case run
# back to back on the same rows (issue 14's LLE goal). Prints one line per
# case with the best-of-REPEAT wall-clock seconds of each side (REPEAT fits
# per side, default 7: the cells take 7-500 ms, where the best of 3 swung
# 30% between runs on the shared 2-core machine), the ratios
# sklearn / eigenssl and the load average before the case.
# Usage: [REPEAT=7] bench/run_lle.sh [DIR]   (inputs written there by lle_sklearn.py --write)
set -eu
cd "$(dirname "$0")/.."
DIR=${1:-bench/out/lle}
REPEAT=${REPEAT:-7}
mkdir -p "$DIR"
[ -f "$DIR/swiss1500.npy" ] || /usr/bin/python3 bench/lle_sklearn.py --write "$DIR"
go build -o "$DIR/lle-pure" ./bench/lle
go build -tags openblas -o "$DIR/lle-openblas" ./bench/lle
echo "# $(date -u '+%Y-%m-%d %H:%M:%S UTC') $(nproc) cores, GOMAXPROCS default, best of $REPEAT fits per side"
echo "| data | N | k | K | sklearn s (CPU) | Go pure s (CPU) | Go openblas s (CPU) | sklearn/pure | sklearn/openblas | load avg (1 min) |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
run() {
	name=$1 k=$2 c=$3
	load=$(cut -d' ' -f1 /proc/loadavg)
	s=$(/usr/bin/python3 bench/lle_sklearn.py --input "$DIR/$name.npy" --neighbors "$k" --components "$c" --repeat "$REPEAT")
	p=$("$DIR/lle-pure" -input "$DIR/$name.npy" -neighbors "$k" -components "$c" -repeat "$REPEAT")
	o=$("$DIR/lle-openblas" -input "$DIR/$name.npy" -neighbors "$k" -components "$c" -repeat "$REPEAT")
	/usr/bin/python3 - "$name" "$k" "$c" "$load" "$s" "$p" "$o" <<'PY'
import json, sys
name, k, c, load = sys.argv[1:5]
s, p, o = (json.loads(a) for a in sys.argv[5:8])
print("| %s | %d | %s | %s | %.3f (%.3f) | %.3f (%.3f) | %.3f (%.3f) | %.1f | %.1f | %s |" % (
    name.rstrip("0123456789"), s["n"], k, c, s["seconds"], s["cpu_seconds"], p["seconds"], p["cpu_seconds"],
    o["seconds"], o["cpu_seconds"], s["seconds"] / p["seconds"], s["seconds"] / o["seconds"], load))
PY
}
for n in 1500 2000 5000; do
	run "swiss$n" 5 2
	run "swiss$n" 10 2
done
run fashion2000 10 10
run fashion5000 10 10
echo "# end $(date -u '+%H:%M:%S UTC'); load $(cut -d' ' -f1-3 /proc/loadavg)"
