"""Fashion-MNIST for the benchmark scripts: Debian's dataset-fashion-mnist
(/usr/share/datasets/fashion-mnist), raw 784-d pixels / 255 in float64, as data.Load reads it.
Optional benchmark module only: never part of the Go test path.
"""
import gzip, os, struct

import numpy as np

ROOT = "/usr/share/datasets/fashion-mnist"


def idx_images(path):
    with gzip.open(path, "rb") as f:
        magic, n, r, c = struct.unpack(">IIII", f.read(16))
        assert magic == 2051, path
        return np.frombuffer(f.read(n * r * c), dtype=np.uint8).reshape(n, r * c)


def load(test=True):
    """The training images, then (test=True) the test images, as an N x 784 float64 array."""
    parts = [idx_images(os.path.join(ROOT, "train-images-idx3-ubyte.gz"))]
    if test:
        parts.append(idx_images(os.path.join(ROOT, "t10k-images-idx3-ubyte.gz")))
    return np.vstack(parts).astype(np.float64) / 255.0
