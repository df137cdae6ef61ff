package linalg

// Dense-solver cut-offs: the one place where eigenssl decides between a
// dense O(n³) eigendecomposition and an iterative solver on an O(nnz)
// operator. There are three questions, hence three sizes, one rule each:
//
//   - DenseAutoMaxN: a few extreme eigenpairs of a well-separated problem
//     (spectral's estimators with Solver auto). Block Lanczos on the sparse
//     operator wins above a few hundred rows, so dense only up to 300.
//   - DenseFallbackMaxN: Eigs falls back to a dense solve when its Krylov
//     basis would cover the deflated space anyway, up to 2000 rows (above,
//     it keeps iterating rather than allocate n² entries).
//   - DenseExactMaxN: problems whose answer depends on exact eigenvalue
//     multiplicities (closedform's feature-space optima on graphs with
//     repeated Laplacian eigenvalues, where the pinned subspace is the whole
//     eigenspace) are solved densely up to 3000 rows (O(n³) ≈ 10 s), block
//     Lanczos with tie detection beyond.
//
// Callers compare n <= the constant; none of them changes its value.
const (
	DenseAutoMaxN     = 300
	DenseFallbackMaxN = 2000
	DenseExactMaxN    = 3000
)
