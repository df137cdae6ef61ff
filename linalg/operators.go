package linalg

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"
)

// NewDenseOperator returns a SymOperator (also a BlockOperator) that applies
// a copy of the symmetric matrix a (only its upper triangle is read). It is
// meant for tests and small problems: it holds n² numbers and each product
// costs O(n²).
func NewDenseOperator(a mat.Symmetric) SymOperator {
	s := mat.NewSymDense(a.SymmetricDim(), nil)
	s.CopySym(a)
	return denseOp{s.RawSymmetric()}
}

type denseOp struct{ a blas64.Symmetric }

var _ BlockOperator = denseOp{}

func (d denseOp) Size() int { return d.a.N }

func (d denseOp) MulVecTo(dst, x []float64) {
	blas64.Symv(1, d.a, blas64.Vector{N: d.a.N, Data: x, Inc: 1}, 0, blas64.Vector{N: d.a.N, Data: dst, Inc: 1})
}

func (d denseOp) MulMatTo(dst *mat.Dense, x mat.Matrix) {
	var xd *mat.Dense
	if v, ok := x.(*mat.Dense); ok {
		xd = v
	} else {
		xd = mat.DenseCopyOf(x)
	}
	blas64.Symm(blas.Left, 1, d.a, xd.RawMatrix(), 0, dst.RawMatrix())
}

// NewAffineOperator returns the operator x ↦ alpha·A x + sigma·x. With
// alpha = -1, sigma = 1 it turns a normalised adjacency A_n into
// L_sym = I − A_n (or back), and with alpha = -1, sigma = 0 it negates A.
// Eigenvalues map as λ ↦ alpha·λ + sigma with the same eigenvectors.
// The result is a BlockOperator when op is.
func NewAffineOperator(op SymOperator, alpha, sigma float64) SymOperator {
	if b, ok := op.(BlockOperator); ok {
		return affineBlockOp{affineOp{op, alpha, sigma}, b}
	}
	return affineOp{op, alpha, sigma}
}

type affineOp struct {
	op           SymOperator
	alpha, sigma float64
}

func (a affineOp) Size() int { return a.op.Size() }

func (a affineOp) MulVecTo(dst, x []float64) {
	a.op.MulVecTo(dst, x)
	for i, v := range x {
		dst[i] = a.alpha*dst[i] + a.sigma*v
	}
}

type affineBlockOp struct {
	affineOp
	b BlockOperator
}

func (a affineBlockOp) MulMatTo(dst *mat.Dense, x mat.Matrix) {
	a.b.MulMatTo(dst, x)
	r, c := dst.Dims()
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			dst.Set(i, j, a.alpha*dst.At(i, j)+a.sigma*x.At(i, j))
		}
	}
}
