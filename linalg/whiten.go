package linalg

import (
	"math"

	"gonum.org/v1/gonum/mat"
)

// DefaultWhitenTol is the relative eigenvalue cut-off of Whitener: range
// directions with λ <= DefaultWhitenTol·λ_max are dropped.
const DefaultWhitenTol = 1e-10

// Whitener returns B (D x r) with Bᵀ S B = I_r spanning the range of the
// symmetric positive semi-definite S:
//
//	B = P_r diag(λ^{-1/2}),  P_r the eigenvectors of the eigenvalues λ > relTol·λ_max,
//
// so that Bᵀ S B = I_r and B Bᵀ = S⁺ (the pseudo-inverse). relTol <= 0 means
// DefaultWhitenTol. It is the one whitening (inverse square root) of
// eigenssl; InvSqrt is its full-rank symmetric form. A zero S is an *Error
// wrapping ErrNotPositiveDefinite. Cost O(D³).
func Whitener(s mat.Symmetric, relTol float64) (*mat.Dense, error) {
	const op = "whitener"
	if relTol <= 0 {
		relTol = DefaultWhitenTol
	}
	vals, vecs, err := EigSym(s)
	if err != nil {
		return nil, err
	}
	n := len(vals)
	top := vals[n-1]
	var keep []int
	for j := n - 1; j >= 0; j-- {
		if vals[j] > relTol*top && vals[j] > 0 {
			keep = append(keep, j)
		}
	}
	if len(keep) == 0 {
		return nil, newErr(op, "s", "zero matrix", ErrNotPositiveDefinite)
	}
	b := mat.NewDense(n, len(keep), nil)
	for c, j := range keep {
		f := 1 / math.Sqrt(vals[j])
		for i := 0; i < n; i++ {
			b.Set(i, c, vecs.At(i, j)*f)
		}
	}
	return b, nil
}

// InvSqrt returns S^{-1/2} = V diag(λ^{-1/2}) Vᵀ of the symmetric positive
// definite S (D x D). A smallest eigenvalue <= 0 is an *Error wrapping
// ErrNotPositiveDefinite that names it. Cost O(D³).
func InvSqrt(s mat.Symmetric) (*mat.Dense, error) {
	const op = "invsqrt"
	vals, vecs, err := EigSym(s)
	if err != nil {
		return nil, err
	}
	if vals[0] <= 0 {
		return nil, newErr(op, "smallest eigenvalue", vals[0], ErrNotPositiveDefinite)
	}
	d := len(vals)
	sc := mat.DenseCopyOf(vecs)
	for j := 0; j < d; j++ {
		f := 1 / math.Sqrt(vals[j])
		for i := 0; i < d; i++ {
			sc.Set(i, j, sc.At(i, j)*f)
		}
	}
	out := mat.NewDense(d, d, nil)
	out.Mul(sc, vecs.T())
	return out, nil
}

// SymmetricPart returns (A + Aᵀ)/2 of the square a as a *mat.SymDense.
func SymmetricPart(a mat.Matrix) *mat.SymDense {
	n, _ := a.Dims()
	s := mat.NewSymDense(n, nil)
	for i := 0; i < n; i++ {
		for j := i; j < n; j++ {
			s.SetSym(i, j, (a.At(i, j)+a.At(j, i))/2)
		}
	}
	return s
}
