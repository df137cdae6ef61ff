package linalg

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"
)

// eigsState is the working memory of the block Lanczos iteration. The basis
// vectors are the rows of q (contiguous, so each is a valid operator input).
type eigsState struct {
	op      SymOperator
	n, b, m int
	k       int
	which   Which
	defl    []float64
	d       int
	tol     float64
	maxIter int
	q       []float64 // (m + b) x n
	h       []float64 // m x m, projected matrix (upper triangle used)
	r       []float64 // b x b, coupling of the last applied block
	w       []float64 // b x n, work block
	coef    []float64 // (m + b) x b
	anorm   float64
	matvecs int
	rng     *rand.Rand
	xbuf    *mat.Dense // n x b buffers for BlockOperator
	ybuf    *mat.Dense
}

// dgks is the DGKS re-orthogonalisation threshold 1/√2.
const dgks = 0.7071067811865476

func (e *eigsState) rows(i, j int) blas64.General {
	return blas64.General{Rows: j - i, Cols: e.n, Stride: e.n, Data: e.q[i*e.n : j*e.n]}
}

func (e *eigsState) run(seed uint64) (EigsResult, error) {
	n, b, m := e.n, e.b, e.m
	e.q = make([]float64, (m+b)*n)
	e.h = make([]float64, m*m)
	e.r = make([]float64, b*b)
	e.w = make([]float64, b*n)
	e.coef = make([]float64, (m+b)*b)
	e.rng = rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))

	// Random orthonormal starting block, orthogonal to the deflated space.
	for i := 0; i < b; i++ {
		e.newRandomRow(i)
	}
	p, s := 0, b
	iter := 0
	var theta []float64
	var y *mat.Dense
	var res []float64
	converged := false
	var tmp []float64
	for {
		for p+b <= m {
			if err := e.expand(p, s); err != nil {
				return EigsResult{}, err
			}
			p, s = s, s+b
		}
		// Rayleigh–Ritz on span(q[0:p]): every pair of the projected
		// matrix by symEigBackend (the pure-Go build: gonum's dsyev on the
		// upper triangle, as mat.EigenSym; the openblas build: LAPACKE
		// dsyevr, several times faster at the 100 x 100 of LLE's basis).
		hs := make([]float64, p*p)
		for i := 0; i < p; i++ {
			for j := i; j < p; j++ {
				hs[i*p+j], hs[j*p+i] = e.h[i*m+j], e.h[i*m+j]
			}
		}
		var ok bool
		theta, y, ok = symEigBackend(p, hs, 0, p)
		if !ok {
			return EigsResult{}, newErr("eigs", "op", "projected matrix", ErrFailed)
		}
		for _, t := range theta {
			if math.IsNaN(t) || math.IsInf(t, 0) {
				return EigsResult{}, newErr("eigs", "op", "product", ErrNaN)
			}
		}
		e.anorm = math.Max(e.anorm, math.Max(math.Abs(theta[0]), math.Abs(theta[p-1])))
		// Residual estimates ‖R y_last‖ for the wanted pairs.
		res = make([]float64, p)
		for j := 0; j < p; j++ {
			var ss float64
			for l := 0; l < b; l++ {
				var v float64
				for i := l; i < b; i++ {
					v += e.r[l*b+i] * y.At(p-b+i, j)
				}
				ss += v * v
			}
			res[j] = math.Sqrt(ss)
		}
		want := e.wanted(p, e.k)
		nconv := 0
		for _, j := range want {
			if res[j] <= e.tol*e.anorm {
				nconv++
			}
		}
		iter++
		if nconv == e.k {
			converged = true
			break
		}
		if iter >= e.maxIter {
			break
		}
		// Thick restart: keep kk Ritz vectors and the residual block.
		kk := min(m-b, e.k+max(nconv, (m-e.k)/2))
		kk = max(kk, e.k)
		keep := e.wanted(p, kk)
		yk := mat.NewDense(p, kk, nil)
		for c, j := range keep {
			for i := 0; i < p; i++ {
				yk.Set(i, c, y.At(i, j))
			}
		}
		if len(tmp) < kk*n {
			tmp = make([]float64, kk*n)
		}
		gemmTN(yk.RawMatrix(), e.rows(0, p), blas64.General{Rows: kk, Cols: n, Stride: n, Data: tmp})
		copy(e.q[:kk*n], tmp[:kk*n])
		copy(e.q[kk*n:(kk+b)*n], e.q[p*n:s*n])
		for i := range e.h {
			e.h[i] = 0
		}
		for c, j := range keep {
			e.h[c*m+c] = theta[j]
		}
		p, s = kk, kk+b
	}

	// Ritz vectors of the wanted pairs, ascending.
	want := e.wanted(len(theta), e.k)
	p = len(theta)
	yk := mat.NewDense(p, e.k, nil)
	values := make([]float64, e.k)
	for c, j := range want {
		values[c] = theta[j]
		for i := 0; i < p; i++ {
			yk.Set(i, c, y.At(i, j))
		}
	}
	vt := make([]float64, e.k*n)
	gemmTN(yk.RawMatrix(), e.rows(0, p), blas64.General{Rows: e.k, Cols: n, Stride: n, Data: vt})
	// Explicit residuals.
	av := make([]float64, e.k*n)
	e.apply(av, vt, e.k)
	residuals := make([]float64, e.k)
	for c := 0; c < e.k; c++ {
		var ss float64
		for i := 0; i < n; i++ {
			r := av[c*n+i] - values[c]*vt[c*n+i]
			ss += r * r
		}
		residuals[c] = math.Sqrt(ss)
	}
	vec := mat.NewDense(n, e.k, nil)
	for c := 0; c < e.k; c++ {
		for i := 0; i < n; i++ {
			vec.Set(i, c, vt[c*n+i])
		}
	}
	SignFlip(vec)
	// The estimates ‖R y‖ drive the iteration; the explicit residuals decide.
	// A small slack absorbs the rounding of the products themselves.
	worst := 0.0
	for _, r := range residuals {
		worst = math.Max(worst, r)
	}
	out := EigsResult{
		Values: values, Vectors: vec, Residuals: residuals,
		Iterations: iter, MatVecs: e.matvecs,
	}
	if converged && worst > 10*e.tol*e.anorm {
		// Converged on the deflated operator but not on A: the deflated
		// vectors do not span an invariant subspace of A.
		param := "op"
		if e.d > 0 {
			param = "Deflate"
		}
		return out, newErr("eigs", param, fmt.Sprintf("not an invariant subspace? (largest residual %.3g, tolerance %.3g)", worst, e.tol*e.anorm), ErrNoConvergence)
	}
	out.Converged = converged
	if !converged {
		return out, newErr("eigs", "MaxIter", fmt.Sprintf("%d (largest residual %.3g, tolerance %.3g)", e.maxIter, worst, e.tol*e.anorm), ErrNoConvergence)
	}
	return out, nil
}

// wanted returns the indices (ascending) of the k wanted Ritz values among p
// ascending ones.
func (e *eigsState) wanted(p, k int) []int {
	idx := make([]int, k)
	for i := range idx {
		if e.which == Smallest {
			idx[i] = i
		} else {
			idx[i] = p - k + i
		}
	}
	return idx
}

// apply sets dst = A x for c rows of x (c x n, row-major).
func (e *eigsState) apply(dst, x []float64, c int) {
	n := e.n
	e.matvecs += c
	if bo, ok := e.op.(BlockOperator); ok && c > 1 {
		if e.xbuf == nil || e.xbuf.RawMatrix().Cols != c {
			e.xbuf = mat.NewDense(n, c, nil)
			e.ybuf = mat.NewDense(n, c, nil)
		}
		xr := e.xbuf.RawMatrix()
		for j := 0; j < c; j++ {
			for i, v := range x[j*n : (j+1)*n] {
				xr.Data[i*xr.Stride+j] = v
			}
		}
		bo.MulMatTo(e.ybuf, e.xbuf)
		yr := e.ybuf.RawMatrix()
		for j := 0; j < c; j++ {
			row := dst[j*n : (j+1)*n]
			for i := range row {
				row[i] = yr.Data[i*yr.Stride+j]
			}
		}
		return
	}
	for j := 0; j < c; j++ {
		e.op.MulVecTo(dst[j*n:(j+1)*n], x[j*n:(j+1)*n])
	}
}

// expand applies A to the active block q[p:s], orthogonalises the result
// against q[0:s] and the deflated space, records the projections in
// h[0:s, p:s] and stores the new orthonormal block in q[s:s+b] with its
// upper-triangular coupling in r.
func (e *eigsState) expand(p, s int) error {
	n, b, m := e.n, e.b, e.m
	e.apply(e.w, e.q[p*n:s*n], b)
	w := blas64.General{Rows: b, Cols: n, Stride: n, Data: e.w}
	wnorm := make([]float64, b)
	for i := 0; i < b; i++ {
		wnorm[i] = blas64.Nrm2(blas64.Vector{N: n, Data: e.w[i*n : (i+1)*n], Inc: 1})
		if math.IsNaN(wnorm[i]) || math.IsInf(wnorm[i], 0) {
			return newErr("eigs", "op", "product", ErrNaN)
		}
	}
	coef := blas64.General{Rows: s, Cols: b, Stride: b, Data: e.coef[:s*b]}
	for i := range coef.Data {
		coef.Data[i] = 0
	}
	c2 := make([]float64, s*b)
	// First remove the components along the last two blocks, which carry
	// almost all of A q (the Lanczos recurrence), then run classical
	// Gram–Schmidt over the whole basis with the DGKS test: a second full
	// pass only when the first one removed more than 1 − 1/√2 of some
	// vector's norm (as ARPACK), which after the local pass happens mostly
	// in the first step after a restart.
	before := wnorm
	if lo := max(0, p-b); lo > 0 {
		cl := c2[:(s-lo)*b]
		projOut(blas64.General{Rows: s - lo, Cols: b, Stride: b, Data: cl}, e.rows(lo, s), w)
		for i, v := range cl {
			coef.Data[lo*b+i] += v
		}
		before = make([]float64, b)
		for i := range before {
			before[i] = math.Sqrt(dot(e.w[i*n:(i+1)*n], e.w[i*n:(i+1)*n]))
		}
	}
	for pass := 0; pass < 2; pass++ {
		cg := blas64.General{Rows: s, Cols: b, Stride: b, Data: c2}
		projOut(cg, e.rows(0, s), w)
		for i, v := range c2 {
			coef.Data[i] += v
		}
		if e.d > 0 {
			dc := make([]float64, e.d*b)
			projOut(blas64.General{Rows: e.d, Cols: b, Stride: b, Data: dc},
				blas64.General{Rows: e.d, Cols: n, Stride: n, Data: e.defl}, w)
		}
		again := false
		after := make([]float64, b)
		for i := 0; i < b; i++ {
			after[i] = math.Sqrt(dot(e.w[i*n:(i+1)*n], e.w[i*n:(i+1)*n]))
			if after[i] < dgks*before[i] {
				again = true
			}
		}
		if !again {
			break
		}
		before = after
	}
	for i := 0; i < s; i++ {
		for j := 0; j < b; j++ {
			if i < m && p+j < m {
				e.h[i*m+p+j] = coef.Data[i*b+j]
			}
		}
	}
	// Orthonormalise the block itself (CGS2 row by row).
	for i := range e.r {
		e.r[i] = 0
	}
	for i := 0; i < b; i++ {
		wi := e.w[i*n : (i+1)*n]
		for pass := 0; pass < 2; pass++ {
			for l := 0; l < i; l++ {
				ql := e.q[(s+l)*n : (s+l+1)*n]
				c := dot(ql, wi)
				axpy(-c, ql, wi)
				e.r[l*b+i] += c
			}
		}
		nrm := math.Sqrt(dot(wi, wi))
		dst := e.q[(s+i)*n : (s+i+1)*n]
		if nrm <= 1e-10*math.Max(wnorm[i], e.anorm) || nrm == 0 {
			// Invariant subspace found: continue with a fresh direction.
			e.newRandomRow(s + i)
			continue
		}
		e.r[i*b+i] = nrm
		for j, v := range wi {
			dst[j] = v / nrm
		}
	}
	return nil
}

// newRandomRow fills q[i] with a random unit vector orthogonal to q[0:i] and
// to the deflated space.
func (e *eigsState) newRandomRow(i int) {
	n := e.n
	for attempt := 0; ; attempt++ {
		v := e.q[i*n : (i+1)*n]
		for j := range v {
			v[j] = e.rng.NormFloat64()
		}
		before := math.Sqrt(dot(v, v))
		vg := blas64.General{Rows: 1, Cols: n, Stride: n, Data: v}
		for pass := 0; pass < 2; pass++ {
			if i > 0 {
				projOut(blas64.General{Rows: i, Cols: 1, Stride: 1, Data: make([]float64, i)}, e.rows(0, i), vg)
			}
			if e.d > 0 {
				projOut(blas64.General{Rows: e.d, Cols: 1, Stride: 1, Data: make([]float64, e.d)},
					blas64.General{Rows: e.d, Cols: n, Stride: n, Data: e.defl}, vg)
			}
		}
		nrm := math.Sqrt(dot(v, v))
		if nrm > 1e-8*before || attempt > 5 {
			for j := range v {
				v[j] /= nrm
			}
			return
		}
	}
}
