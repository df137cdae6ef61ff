//go:build !openblas

package linalg

import (
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/lapack/gonum"
	"gonum.org/v1/gonum/mat"
)

// symEigRangeII computes the eigenpairs lo..hi-1 of the symmetric n x n
// row-major matrix a (both triangles set; a is overwritten) the way LAPACK's
// dsyevx does when few vectors are wanted: Householder tridiagonalisation
// Qᵀ A Q = T (dsytrd, 4n³/3 flops), all eigenvalues of T by the root-free QL
// iteration (dsterf, O(n²)), eigenvectors of T for the wanted ones by inverse
// iteration with re-orthogonalisation inside clusters (dstein, O(n) per
// vector), and back-transformation V = Q Z (dormtr, 2n²k flops). It avoids
// the O(n³) rotation sweeps of dsteqr, which dominate dsyev in pure Go.
//
// The vectors are checked, on T and then on A (residual ‖A v − λ v‖ and
// orthogonality, O(n²k)); ok is false when a check fails, and the caller
// falls back to dsyev.
func symEigRangeII(n int, a []float64, lo, hi int) ([]float64, *mat.Dense, bool) {
	var impl gonum.Implementation
	k := hi - lo
	orig := append([]float64(nil), a...)
	d := make([]float64, n)
	e := make([]float64, n-1)
	tau := make([]float64, n-1)
	work := make([]float64, 1)
	// Upper, not Lower: gonum v0.17's Dsytrd/Dsytd2 with blas.Lower returned
	// reflectors inconsistent with T for some sparse Laplacians (QᵀAQ ≠ T by
	// 1e-3, found by the tests of this package).
	impl.Dsytrd(blas.Upper, n, a, n, d, e, tau, work, -1)
	work = make([]float64, int(work[0]))
	impl.Dsytrd(blas.Upper, n, a, n, d, e, tau, work, len(work))

	w := append([]float64(nil), d...)
	if !impl.Dsterf(n, w, append([]float64(nil), e...)) {
		return nil, nil, false
	}
	w = w[lo:hi:hi]
	tnorm := 0.0 // ‖T‖₁
	for i := 0; i < n; i++ {
		s := math.Abs(d[i])
		if i > 0 {
			s += math.Abs(e[i-1])
		}
		if i < n-1 {
			s += math.Abs(e[i])
		}
		tnorm = math.Max(tnorm, s)
	}
	z, ok := tridiagVectors(d, e, w, tnorm)
	if !ok {
		return nil, nil, false
	}
	applyQUpper(n, k, a, tau, z)
	// Final check on A itself: ‖A V − V Λ‖ and VᵀV = I, O(n²k).
	v := mat.NewDense(n, k, z)
	var av, g mat.Dense
	av.Mul(mat.NewDense(n, n, orig), v)
	resTol := 8 * float64(n) * eps * tnorm
	for i := 0; i < n; i++ {
		for j := 0; j < k; j++ {
			if !(math.Abs(av.At(i, j)-w[j]*v.At(i, j)) <= resTol) {
				return nil, nil, false
			}
		}
	}
	g.Mul(v.T(), v)
	for i := 0; i < k; i++ {
		g.Set(i, i, g.At(i, i)-1)
	}
	if mat.Norm(&g, math.Inf(1)) > 32*float64(n)*eps {
		return nil, nil, false
	}
	return w, v, true
}

// applyQUpper overwrites z (n x k, row-major) with Q z for the Q of
// Dsytrd(blas.Upper): Q = H_{n-2} ⋯ H_0, H_i = I − τᵢ v vᵀ with v[i] = 1,
// v[0:i] in A[0:i, i+1] and v[i+1:] = 0 (LAPACK dormtr, side L, uplo U).
func applyQUpper(n, k int, a, tau, z []float64) {
	v := make([]float64, n)
	t := make([]float64, k)
	for i := 0; i < n-1; i++ {
		if tau[i] == 0 {
			continue
		}
		for r := 0; r < i; r++ {
			v[r] = a[r*n+i+1]
		}
		v[i] = 1
		zi := blas64.General{Rows: i + 1, Cols: k, Stride: k, Data: z}
		tv := blas64.Vector{N: k, Data: t, Inc: 1}
		vv := blas64.Vector{N: i + 1, Data: v, Inc: 1}
		blas64.Gemv(blas.Trans, 1, zi, vv, 0, tv) // t = Z[0:i+1]ᵀ v
		blas64.Ger(-tau[i], vv, tv, zi)           // Z[0:i+1] −= τ v tᵀ
	}
}

// tridiagVectors returns, as an n x k row-major matrix, orthonormal
// eigenvectors of the symmetric tridiagonal T = tridiag(e, d, e) for the
// ascending eigenvalues w, or ok = false if they fail the accuracy check.
func tridiagVectors(d, e, w []float64, tnorm float64) ([]float64, bool) {
	n, k := len(d), len(w)
	cols := make([][]float64, k) // column vectors
	if tnorm == 0 {
		tnorm = 1
	}
	ortol := 1e-3 * tnorm
	lu := newTridiagLU(n)
	clusterStart := 0
	var prev float64
	for j, lam := range w {
		if j > 0 && lam-w[j-1] > ortol {
			clusterStart = j
		}
		// Separate (nearly) equal eigenvalues slightly, as dstein, so that
		// the factorisations differ.
		if j > 0 && j > clusterStart {
			pertol := 10 * eps * math.Max(math.Abs(lam), tnorm)
			if lam-prev < pertol {
				lam = prev + pertol
			}
		}
		prev = lam
		lu.factor(d, e, lam, eps*tnorm)
		x := make([]float64, n)
		// Deterministic start vector, as dlarnv with a fixed seed.
		s := uint64(j)*0x9e3779b97f4a7c15 + 12345
		for i := range x {
			s ^= s << 13
			s ^= s >> 7
			s ^= s << 17
			x[i] = float64(s>>11)/(1<<53) - 0.5
		}
		normalize(x)
		for it := 0; it < 4; it++ {
			lu.solve(x)
			for c := clusterStart; c < j; c++ {
				axpy(-dot(cols[c], x), cols[c], x)
			}
			if !normalize(x) {
				return nil, false
			}
		}
		cols[j] = x
	}
	// Check ‖T z − λ z‖ and orthogonality.
	resTol := 4 * float64(n) * eps * tnorm
	ortTol := 16 * float64(n) * eps
	for j, x := range cols {
		for i := 0; i < n; i++ {
			r := (d[i] - w[j]) * x[i]
			if i > 0 {
				r += e[i-1] * x[i-1]
			}
			if i < n-1 {
				r += e[i] * x[i+1]
			}
			if !(math.Abs(r) <= resTol) {
				return nil, false
			}
		}
		for c := 0; c < j; c++ {
			if math.Abs(dot(cols[c], x)) > ortTol {
				return nil, false
			}
		}
	}
	z := make([]float64, n*k)
	for j, x := range cols {
		for i, v := range x {
			z[i*k+j] = v
		}
	}
	return z, true
}

// tridiagLU is the LU factorisation with partial pivoting of T − λI for a
// symmetric tridiagonal T (LAPACK dlagtf): U has two superdiagonals.
type tridiagLU struct {
	u0, u1, u2, m []float64
	swap          []bool
}

func newTridiagLU(n int) *tridiagLU {
	return &tridiagLU{
		u0: make([]float64, n), u1: make([]float64, n), u2: make([]float64, n),
		m: make([]float64, n), swap: make([]bool, n),
	}
}

// factor factorises T − λI; pivots smaller than tiny are replaced by tiny
// (with their sign), as dlagts does, so that solves never divide by zero.
func (f *tridiagLU) factor(d, e []float64, lam, tiny float64) {
	n := len(d)
	if tiny == 0 {
		tiny = math.SmallestNonzeroFloat64
	}
	p := d[0] - lam // carried row: p at column i, q at column i+1
	q := 0.0
	if n > 1 {
		q = e[0]
	}
	for i := 0; i < n-1; i++ {
		sub := e[i] // row i+1, column i
		diag := d[i+1] - lam
		sup := 0.0 // row i+1, column i+2
		if i+1 < n-1 {
			sup = e[i+1]
		}
		if math.Abs(p) >= math.Abs(sub) {
			f.swap[i] = false
			if math.Abs(p) < tiny {
				p = math.Copysign(tiny, p)
			}
			f.u0[i], f.u1[i], f.u2[i] = p, q, 0
			m := sub / p
			f.m[i] = m
			p, q = diag-m*q, sup
		} else {
			f.swap[i] = true
			f.u0[i], f.u1[i], f.u2[i] = sub, diag, sup
			m := p / sub
			f.m[i] = m
			p, q = q-m*diag, -m*sup
		}
	}
	if math.Abs(p) < tiny {
		p = math.Copysign(tiny, p)
	}
	f.u0[n-1] = p
}

// solve overwrites b with (T − λI)⁻¹ b.
func (f *tridiagLU) solve(b []float64) {
	n := len(b)
	cb := b[0]
	for i := 0; i < n-1; i++ {
		nb := b[i+1]
		if f.swap[i] {
			b[i] = nb
			cb -= f.m[i] * nb
		} else {
			b[i] = cb
			cb = nb - f.m[i]*cb
		}
	}
	b[n-1] = cb
	b[n-1] /= f.u0[n-1]
	if n > 1 {
		b[n-2] = (b[n-2] - f.u1[n-2]*b[n-1]) / f.u0[n-2]
	}
	for i := n - 3; i >= 0; i-- {
		b[i] = (b[i] - f.u1[i]*b[i+1] - f.u2[i]*b[i+2]) / f.u0[i]
	}
}

// normalize scales x to unit norm; false if the norm is zero or not finite.
func normalize(x []float64) bool {
	nrm := blas64.Nrm2(blas64.Vector{N: len(x), Data: x, Inc: 1})
	if nrm == 0 || math.IsNaN(nrm) || math.IsInf(nrm, 0) {
		return false
	}
	blas64.Scal(1/nrm, blas64.Vector{N: len(x), Data: x, Inc: 1})
	return true
}
