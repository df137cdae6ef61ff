#!/bin/sh
# Laplacian eigenmaps on Fashion-MNIST: scikit-learn vs eigenssl (pure Go and
# OpenBLAS builds), same machine, one run. Writes bench/out/le.json and prints
# a ratio table. Usage: bench/run_le.sh [sizes]   (default 10000,20000,70000)
set -eu
cd "$(dirname "$0")/.."
SIZES=${1:-10000,20000,70000}
OUT=bench/out
mkdir -p "$OUT"
echo "# $(date -u '+%Y-%m-%d %H:%M:%S UTC') $(nproc) cores; uptime: $(uptime)" >&2
go build -o "$OUT/le-pure" ./bench/le
go build -tags openblas -o "$OUT/le-openblas" ./bench/le
/usr/bin/python3 bench/le_sklearn.py --sizes "$SIZES" --json "$OUT/le-sklearn.json" --save-embedding "$OUT"
CMP=""
if [ -f "$OUT/le_sklearn_N10000.npy" ]; then CMP="-compare $OUT/le_sklearn_N10000.npy"; fi
"$OUT/le-pure" -sizes "$SIZES" -json "$OUT/le-pure.json" $CMP
"$OUT/le-openblas" -sizes "$SIZES" -json "$OUT/le-openblas.json" $CMP
echo "# end $(date -u '+%H:%M:%S UTC'); uptime: $(uptime)" >&2
/usr/bin/python3 - "$OUT" "$(uptime)" <<'PY'
import json, os, sys, time
out, up = sys.argv[1], sys.argv[2]
runs = {k: json.load(open(os.path.join(out, "le-%s.json" % k))) for k in ("sklearn", "pure", "openblas")}
by = {k: {r["N"]: r for r in v} for k, v in runs.items()}
rows = []
print("| N | D | sklearn PCA s | sklearn LE s | Go pure LE s (kNN + eig) | Go openblas LE s (kNN + eig) | Go PCA s pure/openblas | sklearn / pure | sklearn / openblas | 70k total incl. PCA s (sklearn / pure / openblas) |")
print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
for n in sorted(by["sklearn"]):
    s, p, o = by["sklearn"][n], by["pure"].get(n), by["openblas"].get(n)
    if p is None or o is None:
        continue
    tot = "%.1f / %.1f / %.1f" % (s["total_s"], p["total_s"], o["total_s"]) if s["pca_s"] > 0 else ""
    print("| %d | %d | %.2f | %.2f | %.2f (%.2f + %.2f) | %.2f (%.2f + %.2f) | %.2f / %.2f | %.2f | %.2f | %s |" % (
        n, s["D"], s["pca_s"], s["le_s"], p["le_s"], p["knn_s"], p["eig_s"], o["le_s"], o["knn_s"], o["eig_s"],
        p["pca_s"], o["pca_s"], s["le_s"] / p["le_s"], s["le_s"] / o["le_s"], tot))
    rows.append({"N": n, "sklearn": s, "go_pure": p, "go_openblas": o,
                 "speedup_pure": s["le_s"] / p["le_s"], "speedup_openblas": s["le_s"] / o["le_s"]})
print()
print("| N | build | PCA s | kNN s (CPU s) | eigensolve s (CPU s) | LE s | total s |")
print("| --- | --- | --- | --- | --- | --- | --- |")
for k in ("pure", "openblas"):
    for r in runs[k]:
        print("| %d | %s | %.2f | %.2f (%.2f) | %.2f (%.2f) | %.2f | %.2f |" % (r["N"], k, r["pca_s"], r["knn_s"], r.get("knn_cpu_s", float("nan")),
              r["eig_s"], r.get("eig_cpu_s", float("nan")), r["le_s"], r["total_s"]))
for k in ("pure", "openblas"):
    for r in runs[k]:
        if "compare_max_angle" in r:
            print("# %s N=%d: largest principal angle to sklearn's subspace %.2g rad" % (k, r["N"], r["compare_max_angle"]))
doc = {"date": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()), "cores": os.cpu_count(), "uptime_end": up, "rows": rows}
tmp = os.path.join(out, ".le.json.tmp")
with open(tmp, "w") as f:
    json.dump(doc, f, indent=1)
os.replace(tmp, os.path.join(out, "le.json"))
PY
