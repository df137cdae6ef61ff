package spectral

import (
	"errors"
	"fmt"
	"math"

	"github.com/eigenssl/eigenssl/graph"
	"github.com/eigenssl/eigenssl/linalg"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"
)

// Solver selects the eigensolver of a method.
type Solver int

const (
	// SolverAuto uses the dense solver up to linalg.DenseAutoMaxN points and the
	// iterative one above.
	SolverAuto Solver = iota
	// SolverDense uses LAPACK-style dense eigendecomposition (linalg.EigSym,
	// O(N³)).
	SolverDense
	// SolverIterative uses thick-restart block Lanczos (linalg.Eigs) on a
	// sparse or implicit operator.
	SolverIterative
)

// String returns "auto", "dense" or "iterative".
func (s Solver) String() string {
	switch s {
	case SolverAuto:
		return "auto"
	case SolverDense:
		return "dense"
	case SolverIterative:
		return "iterative"
	}
	return fmt.Sprintf("Solver(%d)", int(s))
}

// ParseSolver parses "auto", "dense" or "iterative".
func ParseSolver(s string) (Solver, error) {
	switch s {
	case "", "auto":
		return SolverAuto, nil
	case "dense":
		return SolverDense, nil
	case "iterative", "lanczos", "arpack":
		return SolverIterative, nil
	}
	return 0, errorf("parsesolver", "solver", s, ErrParam, "valid: auto, dense, iterative")
}

const (
	// DenseSolverMaxN is the largest N for which SolverAuto picks the dense
	// eigensolver; above it the iterative solver is used.
	//
	// Deprecated: use linalg.DenseAutoMaxN, the one definition of this
	// cut-off; DenseSolverMaxN is an alias of it.
	DenseSolverMaxN = linalg.DenseAutoMaxN
	// MaxQuadraticN is the largest N that the inherently O(N²) methods (MDS,
	// ISOMAP, kernel PCA, kernel LPP) accept without Force: their N x N
	// matrix then takes 800 MB. Above it they return ErrTooLarge naming
	// the Landmarks option.
	MaxQuadraticN = 10000
)

// useDense resolves SolverAuto.
func useDense(s Solver, n int) bool {
	return s == SolverDense || (s == SolverAuto && n <= linalg.DenseAutoMaxN)
}

// checkData validates a data matrix and returns a private dense copy.
func checkData(op, name string, x mat.Matrix) (*mat.Dense, error) {
	if x == nil {
		return nil, errorf(op, name, nil, ErrEmpty, "")
	}
	if d, ok := x.(*mat.Dense); ok && d.IsEmpty() {
		return nil, errorf(op, name, "0 x 0", ErrEmpty, "")
	}
	r, c := x.Dims()
	if r == 0 || c == 0 {
		return nil, errorf(op, name, fmt.Sprintf("%d x %d", r, c), ErrEmpty, "")
	}
	out := mat.DenseCopyOf(x)
	raw := out.RawMatrix()
	for i := 0; i < r; i++ {
		row := raw.Data[i*raw.Stride : i*raw.Stride+c]
		for j, v := range row {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, errorf(op, fmt.Sprintf("%s[%d,%d]", name, i, j), v, ErrNaN, "")
			}
		}
	}
	return out, nil
}

// components resolves the default K (2) and checks 1 <= K <= max.
func components(op string, k, max int) (int, error) {
	if k == 0 {
		k = 2
	}
	if k < 1 || k > max {
		return 0, errorf(op, "Components", k, ErrParam, fmt.Sprintf("need 1 <= Components <= %d", max))
	}
	return k, nil
}

// checkQuadratic refuses N above MaxQuadraticN unless forced.
func checkQuadratic(op string, n int, force bool, hint string) error {
	if n > MaxQuadraticN && !force {
		return errorf(op, "N", n, ErrTooLarge, fmt.Sprintf("limit %d; %s, or set Force", MaxQuadraticN, hint))
	}
	return nil
}

// wrapGraph maps an error of package graph to this package's sentinels.
func wrapGraph(op string, err error) error {
	if err == nil {
		return nil
	}
	s := ErrParam
	switch {
	case errors.Is(err, graph.ErrNaN):
		s = ErrNaN
	case errors.Is(err, graph.ErrEmpty):
		s = ErrEmpty
	case errors.Is(err, graph.ErrNegativeWeight):
		s = ErrNegative
	case errors.Is(err, graph.ErrDisconnected):
		s = ErrDisconnected
	case errors.Is(err, graph.ErrTooLarge):
		s = ErrTooLarge
	case errors.Is(err, graph.ErrShape), errors.Is(err, graph.ErrAsymmetric), errors.Is(err, graph.ErrStructure):
		s = ErrShape
	}
	return &Error{Op: op, Err: s, Cause: err}
}

// wrapLinalg maps an error of package linalg to this package's sentinels.
func wrapLinalg(op string, err error) error {
	if err == nil {
		return nil
	}
	s := ErrParam
	switch {
	case errors.Is(err, linalg.ErrNaN):
		s = ErrNaN
	case errors.Is(err, linalg.ErrNoConvergence):
		s = ErrNoConvergence
	case errors.Is(err, linalg.ErrNotPositiveDefinite):
		s = ErrSingular
	case errors.Is(err, linalg.ErrShape):
		s = ErrShape
	case errors.Is(err, linalg.ErrEmpty):
		s = ErrEmpty
	}
	return &Error{Op: op, Err: s, Cause: err}
}

// symOp is a dense symmetric operator (full storage) for linalg.Eigs; it
// multiplies with Gemv/Gemm, which both backends accelerate.
type symOp struct{ a *mat.Dense }

var _ linalg.BlockOperator = symOp{}

func (s symOp) Size() int { r, _ := s.a.Dims(); return r }

func (s symOp) MulVecTo(dst, x []float64) {
	n := s.Size()
	blas64.Gemv(blas.NoTrans, 1, s.a.RawMatrix(), blas64.Vector{N: n, Data: x, Inc: 1}, 0, blas64.Vector{N: n, Data: dst, Inc: 1})
}

// MulMatTo computes (Xᵀ A)ᵀ = A X: with a thin block X, the product Xᵀ A
// streams long rows of A (axpy of length N), where A X would run axpys of
// length b. In the pure-Go build it runs b dot products of length N per
// row of A instead, row blocks in parallel (no stores in the inner loop:
// about 2x gonum's Dgemm for b = 2, 4 at N = 2000).
func (s symOp) MulMatTo(dst *mat.Dense, x mat.Matrix) {
	n, b := x.Dims()
	xt := mat.NewDense(b, n, nil)
	xt.Copy(x.T())
	if dst.IsEmpty() {
		dst.ReuseAs(n, b)
	}
	if linalg.Backend() == "gonum" {
		ra, rx, rd := s.a.RawMatrix(), xt.RawMatrix(), dst.RawMatrix()
		linalg.ParallelRange((n+64-1)/64, 1, func(lo, hi int) {
			for t := lo; t < hi; t++ {
				i0 := t * 64
				for i := i0; i < min(i0+64, n); i++ {
					ar := blas64.Vector{N: n, Inc: 1, Data: ra.Data[i*ra.Stride : i*ra.Stride+n]}
					for c := 0; c < b; c++ {
						xc := blas64.Vector{N: n, Inc: 1, Data: rx.Data[c*rx.Stride : c*rx.Stride+n]}
						rd.Data[i*rd.Stride+c] = blas64.Dot(ar, xc)
					}
				}
			}
		})
		return
	}
	yt := mat.NewDense(b, n, nil)
	yt.Mul(xt, s.a)
	dst.Copy(yt.T())
}

// topEig returns the k largest eigenpairs of the symmetric n x n matrix a
// (full storage), eigenvalues descending, sign rule applied to the vectors.
func topEig(op string, a *mat.Dense, k int, solver Solver, tol float64, maxIter int, seed uint64) ([]float64, *mat.Dense, error) {
	n, _ := a.Dims()
	var vals []float64
	var vecs *mat.Dense
	if useDense(solver, n) || k+24 >= n {
		sym := mat.NewSymDense(n, a.RawMatrix().Data)
		v, u, err := linalg.EigSymRange(sym, n-k, n)
		if err != nil {
			return nil, nil, wrapLinalg(op, err)
		}
		vals, vecs = v, u
	} else {
		res, err := linalg.Eigs(symOp{a}, linalg.EigsSettings{K: k, Which: linalg.Largest, Tol: tol, MaxIter: maxIter, Seed: seed})
		if err != nil {
			return nil, nil, wrapLinalg(op, err)
		}
		vals, vecs = res.Values, res.Vectors
	}
	return reverse(vals, vecs)
}

// reverse turns ascending eigenpairs into descending ones.
func reverse(vals []float64, vecs *mat.Dense) ([]float64, *mat.Dense, error) {
	k := len(vals)
	n, _ := vecs.Dims()
	outV := make([]float64, k)
	out := mat.NewDense(n, k, nil)
	for j := 0; j < k; j++ {
		outV[j] = vals[k-1-j]
		for i := 0; i < n; i++ {
			out.Set(i, j, vecs.At(i, k-1-j))
		}
	}
	return outV, out, nil
}

// checkCols checks that a Transform input has the training width.
func checkCols(op string, x *mat.Dense, want int) error {
	if _, c := x.Dims(); c != want {
		return errorf(op, "x", fmt.Sprintf("%d columns", c), ErrShape, fmt.Sprintf("want %d columns, as in Fit", want))
	}
	return nil
}

// notFitted is the error of a Transform before a successful Fit.
func notFitted(op string) error { return errorf(op, "", nil, ErrNotFitted, "call Fit first") }

// copyOrNil returns a copy of m (nil for nil).
func copyOrNil(m *mat.Dense) *mat.Dense {
	if m == nil {
		return nil
	}
	return mat.DenseCopyOf(m)
}

// checkDistinctRows refuses data whose rows are all identical: every
// neighbour graph on them is an arbitrary tie-break and every embedding
// direction is equally (un)informative, so the neighbour-based methods
// return ErrParam rather than an arbitrary vector.
func checkDistinctRows(op string, x *mat.Dense) error {
	n, _ := x.Dims()
	r0 := x.RawRowView(0)
	for i := 1; i < n; i++ {
		for j, v := range x.RawRowView(i) {
			if v != r0[j] {
				return nil
			}
		}
	}
	return errorf(op, "x", fmt.Sprintf("%d identical rows", n), ErrParam, "all points coincide, so no embedding is defined; remove duplicates")
}
