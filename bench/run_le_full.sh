#!/bin/sh
# Laplacian eigenmaps on all 70,000 Fashion-MNIST images at 784-d (no PCA),
# k = 15, 10 components, end to end (kNN graph + eigensolve), with the
# approximate and with the exact kNN graph (openblas build). Writes
# bench/out/le-full-{approx,exact}.json. Usage: bench/run_le_full.sh [N]
set -eu
cd "$(dirname "$0")/.."
N=${1:-70000}
OUT=bench/out
mkdir -p "$OUT"
up() { echo "# $1 $(date -u '+%H:%M:%S UTC') $(nproc) cores; $(uptime | sed 's/.*load/load/')" >&2; }
go build -tags openblas -o "$OUT/le-openblas" ./bench/le
up "approx start"
"$OUT/le-openblas" -sizes "$N" -pca-above "$N" -approx -json "$OUT/le-full-approx.json"
up "exact start"
"$OUT/le-openblas" -sizes "$N" -pca-above "$N" -json "$OUT/le-full-exact.json"
up "end"
