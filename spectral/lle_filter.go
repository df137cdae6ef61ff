package spectral

import (
	"errors"
	"math"

	"github.com/eigenssl/eigenssl/linalg"
	"gonum.org/v1/gonum/mat"
)

// Lanczos on LLE's M itself is slow where the shift-invert path declines
// (data of high intrinsic dimension): the wanted eigenvalues are tiny and
// clustered relative to ‖M‖ (Fashion-MNIST, N = 2,000, k = 10: λ₁…λ₁₁ from
// 8·10⁻⁷ to 2·10⁻³ against ‖M‖ = 6.4), so it takes some 1,300-1,500
// steps, and every step re-orthogonalises against the basis at a cost above
// that of the product (about 11 k multiply-adds a row). The filtered solver
// runs the same thick-restart Lanczos (linalg.Eigs, Largest) on
//
//	p(M) = T_d(ℓ(M)),  ℓ(t) = (a + b − 2t)/(b − a),
//
// T_d the Chebyshev polynomial of odd degree d, a > λ_K and b >= λ_max(M).
// p is above 1 and decreasing on [0, a), within [−1, 1] on [a, b], and
// below −1 beyond b (odd d), so the largest eigenvalues of p(M) belong to
// the smallest eigenvalues of M, in order, with the same eigenvectors, and
// their gaps are widened. The number of products hardly changes, but each
// Lanczos step now carries d of them and one re-orthogonalisation
// (Fashion-MNIST 2,000, d = 5: 1,700 products in 340 steps and 15
// restarts, against 1,518 products, each its own step, and 33 restarts of a
// 100-vector basis on M).
//
// a is the (K+1)-th smallest Ritz value of M on a short Krylov space,
// an upper bound of λ_{K+1} >= λ_K by Cauchy interlacing; b is the largest
// Ritz value of a few Lanczos steps on M, widened by 1%. The result is
// accepted only if Rayleigh–Ritz with M on the returned vectors gives
// residuals ‖M v − θ v‖ <= Tol·b and every θ < a: then the K vectors are
// eigenvectors of M whose p-values are the K largest, hence the K smallest
// of M (as far as Lanczos finds the extreme eigenvalues at all, the same
// assurance as Lanczos on M). Otherwise the caller falls back to Lanczos on
// M.

// useFilter enables the filtered solver (a variable so that tests can force
// Lanczos on M).
var useFilter = true

// chebOp applies p(M) = T_d(ℓ(M)) by the three-term recurrence
// y_{j+1} = 2 ℓ(M) y_j − y_{j−1}, y_0 = x, y_1 = ℓ(M) x: d products with M.
// Not safe for concurrent use (its buffers).
type chebOp struct {
	m      linalg.SymOperator
	a, b   float64
	d      int
	y0, y1 []float64
	t      []float64
}

func (c *chebOp) Size() int { return c.m.Size() }

func (c *chebOp) MulVecTo(dst, x []float64) {
	n := len(x)
	if len(c.t) < n {
		c.y0, c.y1, c.t = make([]float64, n), make([]float64, n), make([]float64, n)
	}
	y0, y1, t := c.y0[:n], c.y1[:n], c.t[:n]
	e := 2 / (c.b - c.a)
	f := (c.a + c.b) / (c.b - c.a)
	copy(y0, x)
	c.m.MulVecTo(t, x)
	for i, v := range x {
		y1[i] = f*v - e*t[i]
	}
	for j := 2; j <= c.d; j++ {
		c.m.MulVecTo(t, y1)
		for i, v := range y1 {
			y0[i] = 2*(f*v-e*t[i]) - y0[i]
		}
		y0, y1 = y1, y0
	}
	copy(dst, y1)
}

// filterDegree returns the odd Chebyshev degree for the interval ratio
// b/a: about √(b/a)/2, within [5, 41]. Measured on Fashion-MNIST 2,000
// (K = 10): the products grow slowly with d (b/a = 106: 1,440 / 1,500 /
// 1,540 / 1,620 / 1,820 at d = 3 / 5 / 7 / 9 / 13; b/a = 15: 1,560 / 1,700
// / 1,960 at d = 3 / 5 / 7) while the steps, each with a
// re-orthogonalisation, fall as 1/d; at b/a = 2,600 (a near λ_{K+1}) d =
// 41 was the fastest of 5 to 41.
func filterDegree(a, b float64) int {
	d := int(math.Sqrt(b/a) / 2)
	d = min(max(d, 5), 41)
	return d | 1
}

// filteredBottom returns the kc smallest eigenpairs of op above the
// constant null vector (ones, deflated), eigenvalues ascending, by Lanczos on a
// Chebyshev filter of op; ok is false when a step fails or the result does
// not pass the checks above (the caller then runs Lanczos on op).
func filteredBottom(op linalg.SymOperator, ones *mat.Dense, kc int, tol float64, maxIter int, seed uint64) (vals []float64, vecs *mat.Dense, ok bool) {
	n := op.Size()
	if tol == 0 {
		tol = linalg.DefaultEigsTol
	}
	// b: the top of the spectrum (a Ritz value is a lower bound of
	// λ_max, so widen it; an underestimate only maps the top below −1).
	top, err := linalg.Eigs(op, linalg.EigsSettings{K: 1, Which: linalg.Largest, Tol: 1e-4, Seed: seed, NCV: 20, BlockSize: 1})
	if err != nil {
		return nil, nil, false
	}
	b := 1.01 * top.Values[0]
	// a: the (kc+1)-th Ritz value of one Krylov space (no convergence
	// wanted: any subspace gives upper bounds). A small one does: a barely
	// changes the products the filtered run needs (Fashion-MNIST 2,000:
	// 1,560-1,700 at d = 3-5 with the 60-vector space's a = 0.42, 1,440-
	// 1,500 with a 150-vector space's a = 0.06, which costs 10 ms more).
	ncv := min(max(4*(kc+1), 60), n-2)
	first, err := linalg.Eigs(op, linalg.EigsSettings{K: kc + 1, Which: linalg.Smallest, Seed: seed, Deflate: ones, NCV: ncv, MaxIter: 1, BlockSize: 1})
	if err != nil && !errors.Is(err, linalg.ErrNoConvergence) {
		return nil, nil, false
	}
	a := first.Values[kc]
	if !(a > 0) || !(b > 2*a) {
		return nil, nil, false
	}
	return filterSolve(op, ones, kc, a, b, tol, maxIter, seed)
}

// filterSolve runs Lanczos on the filter of [a, b] and checks the result
// (filteredBottom's second half).
func filterSolve(op linalg.SymOperator, ones *mat.Dense, kc int, a, b, tol float64, maxIter int, seed uint64) (vals []float64, vecs *mat.Dense, ok bool) {
	n := op.Size()
	f := &chebOp{m: op, a: a, b: b, d: filterDegree(a, b)}
	res, err := linalg.Eigs(f, linalg.EigsSettings{K: kc, Which: linalg.Largest, Tol: tol / 100, Seed: seed, Deflate: ones, MaxIter: maxIter, NCV: 2*kc + 30, BlockSize: 1})
	if err != nil {
		return nil, nil, false
	}
	// Rayleigh–Ritz with op on the returned vectors, then the checks.
	v := res.Vectors
	mv := mat.NewDense(n, kc, nil)
	col, out := make([]float64, n), make([]float64, n)
	for j := 0; j < kc; j++ {
		mat.Col(col, j, v)
		op.MulVecTo(out, col)
		mv.SetCol(j, out)
	}
	var h mat.Dense
	h.Mul(v.T(), mv)
	theta, y, err := linalg.EigSymRange(linalg.SymmetricPart(&h), 0, kc)
	if err != nil {
		return nil, nil, false
	}
	var z, mz mat.Dense
	z.Mul(v, y)
	mz.Mul(mv, y)
	for j := 0; j < kc; j++ {
		if !(theta[j] < a) {
			return nil, nil, false
		}
		s := 0.0
		for i := 0; i < n; i++ {
			r := mz.At(i, j) - theta[j]*z.At(i, j)
			s += r * r
		}
		if !(math.Sqrt(s) <= tol*b) {
			return nil, nil, false
		}
	}
	return theta, &z, true
}
