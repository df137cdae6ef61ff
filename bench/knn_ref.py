#!/usr/bin/env python3
"""Reference k-nearest-neighbour searches for bench/knn (eigenssl): faiss IndexFlatL2 (exact,
float32) and pynndescent (approximate, NN-descent) on Fashion-MNIST.

Usage: /usr/bin/python3 bench/knn_ref.py [--n 70000] [--k 15] [--threads 2]
       [--mode faiss,pynndescent] [--ref idx.npy] [--json out.json]

Data: Debian's dataset-fashion-mnist (/usr/share/datasets/fashion-mnist), raw 784-d / 255,
the first N of train+test (train first), as bench/knn reads it. Both searches ask for k + 1
neighbours and drop the point itself (every point is its own nearest neighbour), so the lists
are the k nearest others, as graph.Neighbors returns. faiss: IndexFlatL2.add + search with
omp_set_num_threads(threads). pynndescent: NNDescent(X, n_neighbors=k+1, random_state=0) with
every other parameter at its default, after an untimed warm-up fit on 2,000 points (numba
compiles on the first call); numba's thread count is NUMBA_NUM_THREADS, which run_knn.sh sets
to --threads. --ref (an N x k index matrix, eigenssl's exact lists) gives each method's recall@k
against the exact lists. One JSON line per method with wall and process CPU seconds.
Optional benchmark script only: never part of the Go test path.
"""
import argparse, json, os, sys, time

import numpy as np

from fmnist import load


def drop_self(idx, k):
    """Rows of k neighbours without the point itself (or without the last one if absent)."""
    out = np.empty((idx.shape[0], k), dtype=np.int64)
    for i, row in enumerate(idx):
        row = [j for j in row if j != i]
        out[i] = row[:k]
    return out


def recall(ref, got):
    k = ref.shape[1]
    hit = sum(len(set(a) & set(b)) for a, b in zip(ref, got))
    return hit / (ref.shape[0] * k)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=70000)
    ap.add_argument("--k", type=int, default=15)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--mode", default="faiss,pynndescent")
    ap.add_argument("--ref")
    ap.add_argument("--json")
    args = ap.parse_args()
    X = load()[: args.n]
    ref = np.load(args.ref).astype(np.int64) if args.ref else None
    out = []
    for mode in args.mode.split(","):
        rec = {"tool": mode, "N": args.n, "D": X.shape[1], "k": args.k, "threads": args.threads}
        if mode == "faiss":
            import faiss
            faiss.omp_set_num_threads(args.threads)
            x32 = np.ascontiguousarray(X, dtype=np.float32)
            c0, t = time.process_time(), time.perf_counter()
            index = faiss.IndexFlatL2(x32.shape[1])
            index.add(x32)
            _, idx = index.search(x32, args.k + 1)
            rec["wall_s"], rec["cpu_s"] = time.perf_counter() - t, time.process_time() - c0
            rec["faiss_version"] = faiss.__version__
        elif mode == "pynndescent":
            import numba
            import pynndescent
            pynndescent.NNDescent(X[:2000], n_neighbors=args.k + 1, random_state=0).neighbor_graph
            c0, t = time.process_time(), time.perf_counter()
            nnd = pynndescent.NNDescent(X, n_neighbors=args.k + 1, random_state=0)
            idx, _ = nnd.neighbor_graph
            rec["wall_s"], rec["cpu_s"] = time.perf_counter() - t, time.process_time() - c0
            rec["numba_threads"] = numba.get_num_threads()
            rec["pynndescent_version"] = pynndescent.__version__
        else:
            sys.exit("unknown mode %r" % mode)
        got = drop_self(idx, args.k)
        if ref is not None:
            rec["recall"] = recall(ref, got)
        print(json.dumps(rec), flush=True)
        out.append(rec)
    if args.json:
        tmp = args.json + ".tmp"
        with open(tmp, "w") as f:
            json.dump(out, f, indent=1)
        os.replace(tmp, args.json)


if __name__ == "__main__":
    main()
