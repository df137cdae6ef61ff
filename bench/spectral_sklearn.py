#!/usr/bin/env python3
"""Time scikit-learn's spectral methods on Fashion-MNIST, the anchor for eigenssl's
bench/spectral (issue 3, package spectral).

Usage: /usr/bin/python3 bench/spectral_sklearn.py [--sizes 2000,5000] [--methods le,isomap,kpca,lle]

Data: Debian's dataset-fashion-mnist (/usr/share/datasets/fashion-mnist), the first N
training images, raw 784-d / 255 (the same rows as data.Load("fashion-mnist") in Go).
Parameters match bench/spectral: n_components=10, n_neighbors=10;
SpectralEmbedding(affinity='nearest_neighbors', random_state=0), Isomap(),
KernelPCA(kernel='rbf', gamma=1/784), LocallyLinearEmbedding(method='standard', reg=1e-3,
random_state=0); every eigen_solver left at its default ('auto'/arpack), as a user would.
Prints one JSON line per (method, N) with the wall-clock and process CPU seconds (all
threads) of fit.
Optional benchmark script only: never part of the Go test path.
"""
import argparse, json, time

import numpy as np
import sklearn
from sklearn.decomposition import KernelPCA
from sklearn.manifold import Isomap, LocallyLinearEmbedding, SpectralEmbedding

from fmnist import load


def make(name, d):
    if name == "le":
        return SpectralEmbedding(n_components=10, affinity="nearest_neighbors", n_neighbors=10, random_state=0)
    if name == "isomap":
        return Isomap(n_neighbors=10, n_components=10)
    if name == "kpca":
        return KernelPCA(n_components=10, kernel="rbf", gamma=1.0 / d)
    if name == "lle":
        return LocallyLinearEmbedding(n_neighbors=10, n_components=10, reg=1e-3, method="standard", random_state=0)
    raise SystemExit(f"unknown method {name}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="2000,5000")
    ap.add_argument("--methods", default="le,isomap,kpca,lle")
    args = ap.parse_args()
    X = load(test=False)
    for n in [int(s) for s in args.sizes.split(",")]:
        x = np.ascontiguousarray(X[:n])
        for name in args.methods.split(","):
            est = make(name, x.shape[1])
            c = time.process_time()
            t = time.perf_counter()
            est.fit(x)
            sec = time.perf_counter() - t
            cpu = time.process_time() - c
            print(json.dumps({"tool": "sklearn", "sklearn": sklearn.__version__, "method": name, "n": n,
                              "seconds": sec, "cpu_seconds": cpu}), flush=True)


if __name__ == "__main__":
    main()
