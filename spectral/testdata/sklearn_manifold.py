#!/usr/bin/env python3
"""Write spectral/testdata/sklearn_manifold.json: scikit-learn 1.2.1 reference
embeddings that spectral's parity tests compare with (subspaces, eigenvalues,
reconstruction errors). Run by hand: /usr/bin/python3 spectral/testdata/sklearn_manifold.py
(never from go test). Inputs are generated here and stored in the JSON.
"""
import json, os, sys

import numpy as np
import sklearn
from sklearn.datasets import make_swiss_roll
from sklearn.manifold import Isomap, LocallyLinearEmbedding
from sklearn.decomposition import KernelPCA

out = {"sklearn": sklearn.__version__}
X, t = make_swiss_roll(n_samples=80, noise=0.05, random_state=0)
X = np.round(X, 6)  # exact decimal values on both sides
out["swiss_x"] = X.tolist()
lle = {}
for method, k in [("standard", 8), ("modified", 8), ("hessian", 8), ("ltsa", 8)]:
    m = LocallyLinearEmbedding(n_neighbors=k, n_components=2, method=method, eigen_solver="dense", reg=1e-3)
    z = m.fit_transform(X)
    lle[method] = {"k": k, "embedding": z.tolist(), "reconstruction_error": float(m.reconstruction_error_)}
m = LocallyLinearEmbedding(n_neighbors=8, n_components=2, method="standard", eigen_solver="dense", reg=0.1)
z = m.fit_transform(X)
lle["standard_reg0.1"] = {"k": 8, "reg": 0.1, "embedding": z.tolist(), "reconstruction_error": float(m.reconstruction_error_)}
out["lle"] = lle
iso = {}
for name, kw in [("minkowski_p1", dict(metric="minkowski", p=1)), ("cosine", dict(metric="cosine")),
                 ("radius", dict(n_neighbors=None, radius=6.0))]:
    kw2 = dict(n_neighbors=8)
    kw2.update(kw)
    m = Isomap(n_components=2, eigen_solver="dense", **kw2)
    z = m.fit_transform(X)
    iso[name] = {"params": {k: v for k, v in kw2.items()}, "embedding": z.tolist(),
                 "reconstruction_error": float(m.reconstruction_error()),
                 "geodesic_0": m.dist_matrix_[0].tolist()}
m = Isomap(n_components=2, n_neighbors=8, eigen_solver="dense")
z = m.fit_transform(X)
iso["euclidean"] = {"params": {"n_neighbors": 8}, "embedding": z.tolist(), "reconstruction_error": float(m.reconstruction_error()),
                    "geodesic_0": m.dist_matrix_[0].tolist()}
out["isomap"] = iso
kp = KernelPCA(n_components=4, kernel="rbf", gamma=0.02, fit_inverse_transform=True, alpha=1e-3, eigen_solver="dense")
z = kp.fit_transform(X)
out["kpca_inverse"] = {"gamma": 0.02, "alpha": 1e-3, "k": 4, "embedding": z.tolist(),
                       "inverse": kp.inverse_transform(z[:10]).tolist()}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "sklearn_manifold.json")
with open(path, "w") as f:
    json.dump(out, f)
print("wrote", path)

# Laplacian eigenmaps affinities (appended to the same file).
from sklearn.manifold import SpectralEmbedding, spectral_embedding
from sklearn.neighbors import kneighbors_graph
from sklearn.metrics.pairwise import rbf_kernel
out = json.load(open(path))
le = {}
m = SpectralEmbedding(n_components=2, affinity="rbf", gamma=0.05, random_state=0, eigen_solver="arpack")
le["rbf"] = {"gamma": 0.05, "embedding": m.fit_transform(X).tolist()}
knn = kneighbors_graph(X, n_neighbors=8, mode="distance")
m = SpectralEmbedding(n_components=2, affinity="precomputed_nearest_neighbors", n_neighbors=8, random_state=0, eigen_solver="arpack")
le["precomputed_nearest_neighbors"] = {"neighbors": 8, "distances": knn.toarray().tolist(), "embedding": m.fit_transform(knn).tolist()}
A = rbf_kernel(X, gamma=0.05)
z = spectral_embedding(A, n_components=3, drop_first=False, random_state=0, eigen_solver="arpack")
le["keep_first"] = {"gamma": 0.05, "embedding": z.tolist()}
out["le"] = le
with open(path, "w") as f:
    json.dump(out, f)
print("added le")

# Sparse inputs (scipy.sparse.save_npz, CSR) for the sparse-input tests: the
# 8-NN distance graph of the roll and its rbf affinity (gamma 0.05) as CSR.
import scipy.sparse as sp
d = os.path.dirname(os.path.abspath(__file__))
sp.save_npz(os.path.join(d, "swiss_knn8.npz"), kneighbors_graph(X, n_neighbors=8, mode="distance").tocsr())
sp.save_npz(os.path.join(d, "swiss_rbf.npz"), sp.csr_matrix(rbf_kernel(X, gamma=0.05)))
np.save(os.path.join(d, "swiss_x.npy"), X)
print("wrote sparse inputs")
