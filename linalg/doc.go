// Package linalg holds the dense and sparse symmetric eigensolvers eigenssl is
// built on, the randomized SVD used for PCA, subspace comparison, and the
// choice of BLAS/LAPACK backend.
//
// # Dense problems
//
// EigSym and EigSymRange diagonalise a symmetric matrix, A = V Λ Vᵀ, with
// ascending eigenvalues and eigenvectors in the columns of V. GenEigSym and
// GenEigSymRange solve A v = λ B v for symmetric positive definite B through
// the Cholesky reduction C = U⁻ᵀ A U⁻¹ (B = UᵀU), returning B-orthonormal
// vectors (VᵀBV = I, the scipy.linalg.eigh convention). All of them cost
// O(n³) time and O(n²) memory: use them for n up to a few thousand.
//
// # Large sparse or implicit problems
//
// Eigs computes a few extremal eigenpairs of a SymOperator (a sparse
// Laplacian, a kernel given by its products, a shifted operator built with
// NewAffineOperator) by thick-restart block Lanczos with full
// re-orthogonalisation. Known eigenvectors (the constant vector of a
// Laplacian, component indicators) are projected out with
// EigsSettings.Deflate. The cost is dominated by about a few hundred operator
// products and O(n·NCV) flops per product for the basis; no n x n matrix is
// ever formed. Eigs never returns a silently wrong answer: when it does not
// converge it returns the best pairs with their residuals and an error
// wrapping ErrNoConvergence.
//
// # SVD, PCA and subspaces
//
// RandomizedSVD approximates the k leading singular triplets of a tall or wide
// matrix (Halko, Martinsson & Tropp 2011). TopPCA gives principal components
// and scores without forming the centred data. PrincipalAngles compares two
// column spaces (the test criterion for eigenvectors, which are defined only
// up to sign and rotation within repeated eigenvalues); Orthonormalize gives
// an orthonormal basis of a column space.
//
// # Products shared by nn, loss and spectral
//
// Gemm, SyrkUpper and SymmUpper are the matrix products of the float64 and
// float32 paths (General[T]). With OpenBLAS on one thread (the openblas
// build's default) they split a large product over two goroutines: Gemm by
// row blocks of c aligned to the kernels' tiles (the same bits as one call)
// or, for a short c over many terms, by halves of the terms; SyrkUpper and
// SymmUpper by two fixed row blocks (and SyrkUpper computes a small output
// over long rows as one Gemm, cheaper than OpenBLAS's dsyrk there). Splits
// that change the last bits depend on the shapes only, never on GOMAXPROCS. RowSqDist is the one exact
// squared distance and ExpShift the element-wise exponential of the hot
// loops; both have AVX2 kernels that give the Go loops' bits.
//
// # Conventions
//
// Eigenvalues are ascending everywhere, also for Which = Largest; singular
// values are descending. Every returned eigenvector or singular-vector column
// follows the sign rule of SignFlip: its entry of largest magnitude (first on
// ties) is positive, as scikit-learn's _deterministic_vector_sign_flip. Bad
// input (empty, NaN/Inf, mismatched shapes, invalid settings, indefinite B)
// gives an *Error wrapping one of the sentinels of errors.go; only
// programmer misuse of an operator (wrong vector lengths) panics.
//
// # Backends
//
// The default build is pure Go (gonum; Backend() == "gonum"), with blas32's
// Sgemm and blas64's Dgemm replaced by a packed, cache-blocked product whose
// inner kernel is AVX2/FMA assembly on CPUs that have both (BlockedGemm;
// gonum's own otherwise). Building with
// -tags openblas routes blas64 to OpenBLAS through gonum.org/v1/netlib and the
// dense eigenproblems to LAPACKE dsyevr (Backend() == "openblas"); it links
// -lopenblas -llapacke by itself (Debian: libopenblas-dev, liblapacke-dev).
// OpenBLAS then runs single-threaded unless OPENBLAS_NUM_THREADS is set,
// because its spinning worker threads slow down the goroutine-parallel sparse
// code. Both builds pass the same tests; results differ between them only
// by rounding.
package linalg
