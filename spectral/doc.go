// Package spectral implements the spectral embedding methods that
// Balestriero & LeCun (NeurIPS 2022) show self-supervised losses recover,
// with one estimator shape for all of them.
//
// # Estimator shape
//
// Each method is a struct of hyper-parameters whose zero value means the
// documented defaults (common names: Components, Neighbors, Solver, Tol,
// MaxIter, Seed, Precomputed, Force, Landmarks). Fit(x *mat.Dense) validates
// and learns; the graph-input methods are GraphEstimators with FitGraph(x,
// g) (LE and the spectral contrastive form ignore x). The learned state is
// unexported and read through Embedding() (N x K), Eigenvalues() and the
// method's own accessors; Transform(x) embeds new points (there is no
// TransformTo: every Transform allocates its M x K result, so a dst variant
// would only have copied it).
//
//	local (only G's edges matter)          global (all pairs matter)
//	LaplacianEigenmaps  L v = λ D v        ClassicalMDS  −½HΔ²H = UΛUᵀ
//	LPP                 XᵀLXa = λXᵀDXa     Isomap        MDS on geodesics
//	KernelLPP           KcLKcα = λKcDKcα   KernelPCA     HKH = UΛUᵀ
//	LLE                 (I−W)ᵀ(I−W)        CCA, GraphCCA, SpectralContrastive
//
// Methods compose: LE, LPP, kernel LPP and GraphCCA share one generalised
// eigen path (linalg.GenEigSym on matrices built from the sparse graph, or
// Lanczos on the normalised adjacency for LE); ISOMAP is classical MDS on
// geodesics; MDS, ISOMAP and kernel PCA share the centred-kernel path.
//
// # Conventions
//
// Each doc comment states the objective, the constraint and the
// normalisation, the column order, the sign rule (entry of largest |value|
// positive, scikit-learn's _deterministic_vector_sign_flip, applied last) and
// which vectors are dropped. They reproduce scikit-learn 1.2 and the shared
// oracle vectors (../shared/oracles/spectral.json): normalised LE returns
// u/sqrt(deg); MDS, ISOMAP and kernel PCA eigenvalues are not divided by N;
// LLE vectors are unit-norm; CCA uses the N−1 covariance with an Eps ridge.
//
// # Out-of-sample points
//
// Transform is exact for the linear methods (LPP, CCA, GraphCCA, linear
// SpectralContrastive, KernelPCA with a linear kernel), the kernel formula
// for KernelPCA and KernelLPP, the Nyström extension for LE, MDS, ISOMAP and
// the feature-space SpectralContrastive, and barycentric reconstruction for
// LLE. Transform of the training points reproduces Embedding (to rounding, or
// to the eigensolver's residual for the iterative Nyström paths).
//
// # Cost
//
// LE and LPP never form an N x N matrix above linalg.DenseAutoMaxN (Lanczos on the
// sparse graph; the exact kNN search is graph.Neighbors, tiled). MDS, ISOMAP, kernel PCA and kernel LPP are inherently O(N²)
// in memory: above MaxQuadraticN they return ErrTooLarge unless Force is set,
// and MDS and ISOMAP offer Landmarks (landmark MDS / landmark ISOMAP, O(N m)).
//
// LLE (every method) finds the bottom of its sparse alignment matrix M by
// shift-invert, as scikit-learn's ARPACK path does: M + εI is factored as
// L D Lᵀ in its envelope after a reverse Cuthill–McKee ordering and Lanczos
// runs on the inverse, whenever that envelope is small (data on a
// low-dimensional manifold); otherwise Lanczos on M itself.
//
// # scikit-learn parity
//
// Behaviour follows scikit-learn 1.2 where its users expect it, each choice
// in the method's doc comment: precomputed affinities symmetric to a
// relative 1e-10 are accepted and symmetrised (a larger asymmetry is
// refused, where scikit-learn averages silently); kernel PCA and ISOMAP
// apply scikit-learn's PSD check (significant negative eigenvalues are
// ErrNotPSD, tiny ones become exactly 0 with zero columns), accept K = N, and
// kernel PCA uses one triangle of a non-symmetric precomputed kernel;
// disconnected graphs are warned about (log/slog) and LE continues while
// ISOMAP joins the components by their closest pairs, unless Strict;
// neighbour-based methods refuse data whose rows all coincide.
//
// Neighbour ties: the k nearest neighbours come from graph.Neighbors and
// graph.QueryNeighbors, which break distance ties by the smaller index.
// scikit-learn does not fix an order for ties (argpartition and an
// unstable argsort, or a heap), so on data with exact ties (integer pixels)
// its graphs, and hence embeddings, can differ from these by the choice
// among tied neighbours; a 1e-6 jitter of the data removes the difference.
//
// # Persistence and sparse input
//
// Save and Load write and read a fitted estimator (a JSON manifest of its
// hyper-parameters and its fitted state), so that Transform runs later
// without refitting. LaplacianEigenmaps.FitSparse takes a scipy CSR
// affinity or neighbour graph (data.ReadNPZCSR) without densifying it.
//
// Errors are *Error values wrapping the sentinels of errors.go.
package spectral
