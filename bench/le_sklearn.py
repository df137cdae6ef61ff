#!/usr/bin/env python3
"""Time scikit-learn's SpectralEmbedding on Fashion-MNIST, the anchor for eigenssl's
Laplacian-eigenmaps benchmark (bench/le, issue "foundation").

Usage: /usr/bin/python3 bench/le_sklearn.py [--sizes 10000,20000,70000] [--json out.json]
       [--save-embedding DIR]  (writes DIR/le_sklearn_N<N>.npy, N x 10, for bench/le -compare)

Data: Debian's dataset-fashion-mnist (/usr/share/datasets/fashion-mnist), raw 784-d / 255,
the first N of train+test (train first). For N = 70000 the data are first reduced to 50
dimensions by PCA (randomized SVD), timed separately. SpectralEmbedding(n_components=10,
affinity='nearest_neighbors', n_neighbors=15, eigen_solver='lobpcg', random_state=0),
timed once per N after an untimed warm-up fit on 1000 points.
Optional benchmark script only: never part of the Go test path.
"""
import argparse, json, os, sys, time

import numpy as np
from sklearn.decomposition import PCA
from sklearn.manifold import SpectralEmbedding

from fmnist import load


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="10000,20000,70000")
    ap.add_argument("--pca-above", type=int, default=20000, help="PCA to 50 dims when N exceeds this")
    ap.add_argument("--json")
    ap.add_argument("--save-embedding", metavar="DIR", help="save each N x 10 embedding as DIR/le_sklearn_N<N>.npy")
    args = ap.parse_args()
    X = load()
    # Untimed warm-up fit: the first call pays for lazy imports (scipy.sparse
    # .csgraph, lobpcg) and the OpenMP/BLAS thread pools, which a long-running
    # process would not.
    SpectralEmbedding(n_components=10, affinity="nearest_neighbors", n_neighbors=15,
                      eigen_solver="lobpcg", random_state=0).fit_transform(X[:1000])
    out = []
    for n in [int(s) for s in args.sizes.split(",")]:
        x = X[:n]
        pca_s = 0.0
        if n > args.pca_above:
            t = time.perf_counter()
            x = PCA(n_components=50, svd_solver="randomized", random_state=0).fit_transform(x)
            pca_s = time.perf_counter() - t
        se = SpectralEmbedding(n_components=10, affinity="nearest_neighbors", n_neighbors=15,
                               eigen_solver="lobpcg", random_state=0)
        t = time.perf_counter()
        emb = se.fit_transform(x)
        le_s = time.perf_counter() - t
        if args.save_embedding:
            path = os.path.join(args.save_embedding, "le_sklearn_N%d.npy" % n)
            tmp = path + ".tmp.npy"
            np.save(tmp, np.ascontiguousarray(emb))
            os.replace(tmp, path)
        row = {"tool": "sklearn", "N": n, "D": x.shape[1], "pca_s": pca_s, "le_s": le_s,
               "total_s": pca_s + le_s}
        print(json.dumps(row), flush=True)
        out.append(row)
    if args.json:
        tmp = args.json + ".tmp"
        with open(tmp, "w") as f:
            json.dump(out, f, indent=1)
        os.replace(tmp, args.json)


if __name__ == "__main__":
    sys.exit(main())
