package linalg

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// Orthonormalize returns an n x r matrix Q with orthonormal columns spanning
// the column space of the n x k matrix a, where r is the numerical rank of a:
// the number of singular values above max(n, k)·ε·σ₁. Q holds the leading
// left singular vectors of a (thin SVD, O(n k²)), sign rule applied.
// An empty matrix gives ErrEmpty, a non-finite entry ErrNaN, and a zero
// matrix (rank 0) ErrParam.
func Orthonormalize(a mat.Matrix) (*mat.Dense, error) {
	return orthonormalize("orthonormalize", "a", a)
}

func orthonormalize(op, name string, a mat.Matrix) (*mat.Dense, error) {
	if err := checkMatrix(op, name, a); err != nil {
		return nil, err
	}
	n, k := a.Dims()
	var svd mat.SVD
	if !svd.Factorize(a, mat.SVDThin) {
		return nil, newErr(op, name, nil, ErrFailed)
	}
	s := svd.Values(nil)
	tol := float64(max(n, k)) * eps * s[0]
	r := 0
	for r < len(s) && s[r] > tol {
		r++
	}
	if r == 0 {
		return nil, newErr(op, name, "rank 0", ErrParam)
	}
	var u mat.Dense
	svd.UTo(&u)
	q := mat.DenseCopyOf(u.Slice(0, n, 0, r))
	SignFlip(q)
	return q, nil
}

const eps = 0x1p-52

// checkMatrix reports an empty matrix or a non-finite entry.
func checkMatrix(op, name string, a mat.Matrix) error {
	if a == nil {
		return newErr(op, name, nil, ErrEmpty)
	}
	r, c := a.Dims()
	if r == 0 || c == 0 {
		return newErr(op, name, fmt.Sprintf("%dx%d", r, c), ErrEmpty)
	}
	if d, ok := a.(mat.RawMatrixer); ok {
		raw := d.RawMatrix()
		for i := 0; i < r; i++ {
			for j, v := range raw.Data[i*raw.Stride : i*raw.Stride+c] {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					return newErr(op, fmt.Sprintf("%s[%d,%d]", name, i, j), v, ErrNaN)
				}
			}
		}
		return nil
	}
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			if v := a.At(i, j); math.IsNaN(v) || math.IsInf(v, 0) {
				return newErr(op, fmt.Sprintf("%s[%d,%d]", name, i, j), v, ErrNaN)
			}
		}
	}
	return nil
}

// PrincipalAngles returns the principal angles θ₁ ≤ θ₂ ≤ ... ≤ θ_p (radians,
// ascending) between the column spaces of a (n x ka) and b (n x kb), with
// p = min(rank a, rank b). With orthonormal bases Qa, Qb (Orthonormalize),
// cos θᵢ are the singular values of QaᵀQb, clamped to [0, 1]. Small angles
// are taken from the sines instead, the singular values of Qb − Qa QaᵀQb
// (Knyazev & Argentati 2002, as scipy.linalg.subspace_angles), so that angles
// near zero are accurate to about ε rather than √ε.
//
// Two subspaces agree when the largest angle is small; the oracle rule
// "1 − min σ ≤ 1e-10" reads θ_p ≲ 1.4e-5. Mismatched row counts give ErrShape.
// The cost is O(n (ka² + kb²)).
func PrincipalAngles(a, b mat.Matrix) ([]float64, error) {
	const op = "principalangles"
	qa, err := orthonormalize(op, "a", a)
	if err != nil {
		return nil, err
	}
	qb, err := orthonormalize(op, "b", b)
	if err != nil {
		return nil, err
	}
	na, ka := qa.Dims()
	nb, kb := qb.Dims()
	if na != nb {
		return nil, newErr(op, "b", fmt.Sprintf("%d rows, want %d", nb, na), ErrShape)
	}
	if ka < kb {
		qa, qb = qb, qa
		ka, kb = kb, ka
	}
	var m mat.Dense
	m.Mul(qa.T(), qb) // ka x kb
	var svd mat.SVD
	if !svd.Factorize(&m, mat.SVDNone) {
		return nil, newErr(op, "a", nil, ErrFailed)
	}
	cos := svd.Values(nil) // descending: angles ascending
	var r mat.Dense
	r.Mul(qa, &m)
	r.Sub(qb, &r) // (I - Qa Qaᵀ) Qb
	if !svd.Factorize(&r, mat.SVDNone) {
		return nil, newErr(op, "b", nil, ErrFailed)
	}
	sin := svd.Values(nil) // descending
	theta := make([]float64, kb)
	for i := range theta {
		c := math.Min(1, math.Max(0, cos[i]))
		if c*c >= 0.5 {
			s := math.Min(1, math.Max(0, sin[kb-1-i]))
			theta[i] = math.Asin(s)
		} else {
			theta[i] = math.Acos(c)
		}
	}
	return theta, nil
}
