// Package graph builds and operates on the pairwise relation graph G of
// Balestriero & LeCun (2022): a symmetric, non-negative N x N matrix with zero
// diagonal, G_ij > 0 iff samples i and j are a positive pair. SSL losses are
// spectral embedding methods on G, so everything downstream (losses, closed
// forms, spectral methods) consumes a *CSR and its Laplacians.
//
// # Storage
//
// CSR is compressed sparse row storage with strictly increasing columns per
// row. It implements linalg.SymOperator and linalg.BlockOperator (G x, G X),
// so eigensolvers never need a dense N x N matrix. Dense, FromDense,
// LaplacianDense and AllPairsGeodesics are inherently O(N^2) and meant for
// small N.
//
// # Builders
//
// Each builder validates its input and returns (*CSR, Info, error):
//
//   - Views(N', V): the augmentation graph (J_V - I_V) ⊗ I_N' (row v*N'+n is
//     view v of sample n).
//   - Labels(y): G = Y Y^T - I.
//   - KNN(X, k, opt) and EpsilonBall(X, eps, opt): exact neighbour graphs
//     computed on tiles with Gemm (never an N x N distance matrix).
//   - FromEdges, ReadEdgeFile: user edge lists (CSV or .npz).
//
// FromTriplets is the low-level constructor with explicit symmetrisation
// (max, average, sum, min); Join is the elementwise max of two graphs. Info
// reports components and isolated vertices (a disconnected data-dependent
// graph is only logged at slog Debug level; callers act on Info).
//
// ParseRelation is the one grammar of relation specs used by every command
// and configuration ("views:V=2", "labels:FILE", "knn:k=10", "epsilon:eps=0.5",
// "edges:FILE", see RelationForms); Relation.Build builds the graph it names.
//
// # Laplacians
//
// With D = diag(G 1): L = D - G, L_sym = I - D^{-1/2} G D^{-1/2},
// L_rw = I - D^{-1} G, all available as operators (Laplacian) and, for small
// N, as dense matrices (LaplacianDense). The Dirichlet identity
//
//	sum_ij G_ij ||z_i - z_j||^2 = 2 Tr(Z^T L Z)
//
// is CSR.DirichletEnergy.
//
// # Paths
//
// Components (BFS) and Geodesics (Dijkstra, parallel over sources) serve
// ISOMAP and the component counts of the theory (null(L) = span of component
// indicators).
//
// Errors are *Error values wrapping the sentinels of errors.go.
package graph
