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
// LE and LPP never form an N x N matrix above DenseSolverMaxN (Lanczos on the
// sparse graph; the exact kNN search is graph.Neighbors, tiled). MDS, ISOMAP, kernel PCA and kernel LPP are inherently O(N²)
// in memory: above MaxQuadraticN they return ErrTooLarge unless Force is set,
// and MDS and ISOMAP offer Landmarks (landmark MDS / landmark ISOMAP, O(N m)).
//
// Errors are *Error values wrapping the sentinels of errors.go.
package spectral
