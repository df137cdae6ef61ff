#!/bin/sh
# eigenssl advise on the first N Fashion-MNIST images (784-d, /255) with a
# views relation (V = 2, noise augmentation), linear regime, the full default
# candidate grid, labels of 5 per class: the speed goal of issue 15 (N =
# 10,000: < 60 s on 2 cores, openblas build). Prints wall and CPU seconds
# and the load average. Usage: bench/run_advise.sh [N]   (default 10000)
set -eu
cd "$(dirname "$0")/.."
N=${1:-10000}
OUT=bench/out
mkdir -p "$OUT"
go build -tags openblas -o "$OUT/eigenssl-openblas" ./cmd/eigenssl
"$OUT/eigenssl-openblas" data export --dataset fashion-mnist --n "$N" -o "$OUT/advise_X$N.npy" --labels-out "$OUT/advise_y$N.npy" >/dev/null
echo "# $(date -u '+%Y-%m-%d %H:%M:%S UTC') $(nproc) cores; start $(uptime | sed 's/.*load/load/')" >&2
/usr/bin/time -f "advise N=$N: %e s wall, %U s user + %S s system CPU, %M KB max RSS" \
	"$OUT/eigenssl-openblas" advise --input "$OUT/advise_X$N.npy" --relation views:V=2,augment=noise:0.1 \
	--labels "$OUT/advise_y$N.npy" --labels-per-class 5 --json "$OUT/advise_N$N.json" >"$OUT/advise_N$N.txt"
echo "# end $(date -u '+%H:%M:%S UTC'); $(uptime | sed 's/.*load/load/')" >&2
head -20 "$OUT/advise_N$N.txt"
