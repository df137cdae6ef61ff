package linalg

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"
)

// NewDenseOperator returns a SymOperator (also a BlockOperator) that applies
// a copy of the symmetric matrix a. It holds n² numbers and each product costs
// O(n²), split over GOMAXPROCS goroutines. Besides tests, it is the fast way
// to get a few eigenpairs of a large dense matrix: Eigs on it costs
// O(n²) per product instead of the O(n³) of EigSymRange.
func NewDenseOperator(a mat.Symmetric) SymOperator {
	n := a.SymmetricDim()
	d := mat.NewDense(n, n, nil)
	for i := 0; i < n; i++ {
		for j := i; j < n; j++ {
			v := a.At(i, j)
			d.Set(i, j, v)
			d.Set(j, i, v)
		}
	}
	return denseOp{d}
}

type denseOp struct{ a *mat.Dense }

var _ BlockOperator = denseOp{}

func (d denseOp) Size() int { r, _ := d.a.Dims(); return r }

func (d denseOp) MulVecTo(dst, x []float64) {
	raw := d.a.RawMatrix()
	xv := blas64.Vector{N: raw.Cols, Data: x, Inc: 1}
	ParallelRange(raw.Rows, max(1, 1<<16/max(1, raw.Cols)), func(lo, hi int) {
		rows := blas64.General{Rows: hi - lo, Cols: raw.Cols, Stride: raw.Stride, Data: raw.Data[lo*raw.Stride:]}
		blas64.Gemv(blas.NoTrans, 1, rows, xv, 0, blas64.Vector{N: hi - lo, Data: dst[lo:hi], Inc: 1})
	})
}

// MulMatTo sets dst = A X. For the few columns of a Krylov block it streams A
// once with dot products against the rows of Xᵀ (a general Gemm tiles the
// thin X badly); wider X goes to Mul.
func (d denseOp) MulMatTo(dst *mat.Dense, x mat.Matrix) {
	raw := d.a.RawMatrix()
	n := raw.Rows
	_, c := x.Dims()
	if c > 16 {
		dst.Mul(d.a, x)
		return
	}
	xt := mat.NewDense(c, n, nil)
	xt.Copy(x.T())
	xr, dr := xt.RawMatrix(), dst.RawMatrix()
	ParallelRange(n, max(1, 1<<16/max(1, n)), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			ai := raw.Data[i*raw.Stride : i*raw.Stride+n]
			for j := 0; j < c; j++ {
				dr.Data[i*dr.Stride+j] = blas64.Dot(blas64.Vector{N: n, Data: ai, Inc: 1},
					blas64.Vector{N: n, Data: xr.Data[j*xr.Stride : j*xr.Stride+n], Inc: 1})
			}
		}
	})
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
