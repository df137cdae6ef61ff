package linalg

import "gonum.org/v1/gonum/mat"

// SymOperator is a symmetric linear operator on R^n, given implicitly by its
// action. Sparse Laplacians, kernel matrices and shifted/deflated operators
// implement it so that iterative eigensolvers never need an n x n dense matrix.
type SymOperator interface {
	// Size returns n.
	Size() int
	// MulVecTo sets dst = A x. dst and x have length n and do not alias.
	MulVecTo(dst, x []float64)
}

// BlockOperator is a SymOperator that can apply itself to several vectors at
// once (dst = A X for an n x b matrix X); block solvers use it when present.
type BlockOperator interface {
	SymOperator
	MulMatTo(dst *mat.Dense, x mat.Matrix)
}
