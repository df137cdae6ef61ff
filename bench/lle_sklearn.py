#!/usr/bin/env python3
"""Time scikit-learn's LocallyLinearEmbedding next to eigenssl's bench/lle (issue 14's
LLE goal), on the same rows.

Usage:
  /usr/bin/python3 bench/lle_sklearn.py --write DIR      # write the inputs as .npy
  /usr/bin/python3 bench/lle_sklearn.py --input DIR/swiss1500.npy --neighbors 10 --components 2

Inputs written by --write: swiss{1500,2000,5000}.npy (make_swiss_roll, noise 0.05,
random_state 0) and fashion{2000,5000}.npy (the first N Fashion-MNIST training images,
784-d / 255, from Debian's dataset-fashion-mnist). The fit uses method='standard',
reg=1e-3, eigen_solver='auto' (ARPACK shift-invert for n_components < 10 and N > 200,
dense eigh otherwise), as a user would; the best of --repeat fits is printed as one JSON
line with its wall-clock and process CPU seconds. Benchmark script only: never part of
the Go test path.
"""
import argparse, json, os, time

import numpy as np
import sklearn
from sklearn.datasets import make_swiss_roll
from sklearn.manifold import LocallyLinearEmbedding

from fmnist import load


def write(d):
    os.makedirs(d, exist_ok=True)
    for n in (1500, 2000, 5000):
        X, _ = make_swiss_roll(n_samples=n, noise=0.05, random_state=0)
        np.save(os.path.join(d, f"swiss{n}.npy"), X)
    X = load(test=False)
    for n in (2000, 5000):
        np.save(os.path.join(d, f"fashion{n}.npy"), np.ascontiguousarray(X[:n]))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--write")
    ap.add_argument("--input")
    ap.add_argument("--neighbors", type=int, default=10)
    ap.add_argument("--components", type=int, default=2)
    ap.add_argument("--method", default="standard")
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    if a.write:
        write(a.write)
        return
    X = np.load(a.input)
    best, best_cpu, err = float("inf"), 0.0, None
    for _ in range(a.repeat):
        m = LocallyLinearEmbedding(n_neighbors=a.neighbors, n_components=a.components, method=a.method,
                                   reg=1e-3, random_state=0)
        c, t = time.process_time(), time.perf_counter()
        m.fit(X)
        s = time.perf_counter() - t
        if s < best:
            best, best_cpu = s, time.process_time() - c
        err = float(m.reconstruction_error_)
    print(json.dumps({"tool": "sklearn", "sklearn": sklearn.__version__, "method": "lle/" + a.method, "n": X.shape[0],
                      "k": a.neighbors, "components": a.components, "seconds": best, "cpu_seconds": best_cpu,
                      "reconstruction_error": err}), flush=True)


if __name__ == "__main__":
    main()
