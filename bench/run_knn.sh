#!/bin/sh
# Exact and approximate k-nearest neighbours on Fashion-MNIST (N x 784, k = 15):
# eigenssl (openblas build) against faiss IndexFlatL2 (exact) and pynndescent
# (approximate, defaults), back to back, same thread count on both sides.
# Writes bench/out/knn-*.json and prints the ratio table with the load average
# before and after every run. Usage: bench/run_knn.sh [N] (default 70000);
# THREADS=2 by default.
set -eu
cd "$(dirname "$0")/.."
N=${1:-70000}
K=15
T=${THREADS:-2}
OUT=bench/out
mkdir -p "$OUT"
REF="$OUT/knn_exact_N$N.npy"
up() { echo "# $1 $(date -u '+%H:%M:%S UTC') $(nproc) cores; $(uptime | sed 's/.*load/load/')" >&2; }
go build -tags openblas -o "$OUT/knn-openblas" ./bench/knn
up "go exact start"
GOMAXPROCS=$T "$OUT/knn-openblas" -n "$N" -k $K -mode exact -save-exact "$REF" -json "$OUT/knn-go-exact.json"
up "faiss start"
OMP_NUM_THREADS=$T OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 bench/knn_ref.py --n "$N" --k $K --threads "$T" \
	--mode faiss --ref "$REF" --json "$OUT/knn-faiss.json"
up "go approx start"
GOMAXPROCS=$T "$OUT/knn-openblas" -n "$N" -k $K -mode approx -ref "$REF" -json "$OUT/knn-go-approx.json"
up "pynndescent start"
NUMBA_NUM_THREADS=$T /usr/bin/python3 bench/knn_ref.py --n "$N" --k $K --threads "$T" \
	--mode pynndescent --ref "$REF" --json "$OUT/knn-pynndescent.json"
up "end"
/usr/bin/python3 - "$OUT" <<'PY'
import json, os, sys
out = sys.argv[1]
r = {k: json.load(open(os.path.join(out, "knn-%s.json" % k)))[0] for k in ("go-exact", "faiss", "go-approx", "pynndescent")}
print("| search | N | k | threads | eigenssl wall s (CPU s) | reference wall s (CPU s) | ratio wall (CPU) | recall eigenssl / reference |")
print("| --- | --- | --- | --- | --- | --- | --- | --- |")
for name, g, ref in (("exact vs faiss IndexFlatL2", "go-exact", "faiss"), ("approx vs pynndescent", "go-approx", "pynndescent")):
    a, b = r[g], r[ref]
    print("| %s | %d | %d | %d | %.2f (%.2f) | %.2f (%.2f) | %.2f (%.2f) | %s / %s |" % (
        name, a["N"], a["k"], a["gomaxprocs"], a["wall_s"], a["cpu_s"], b["wall_s"], b["cpu_s"],
        b["wall_s"] / a["wall_s"], b["cpu_s"] / a["cpu_s"],
        "%.4f" % a["recall"] if "recall" in a else "1 (exact)", "%.4f" % b["recall"]))
PY
