package linalg

import (
	"math"

	"gonum.org/v1/gonum/mat"
)

// SingularValues returns the singular values of z (N x K), descending, from
// a thin SVD, O(N K²). z is not centred: centre it (CenterColumns) to
// describe a covariance spectrum. An empty or non-finite z is an *Error
// wrapping ErrEmpty or ErrNaN; an SVD that fails wraps ErrNoConvergence.
func SingularValues(z mat.Matrix) ([]float64, error) {
	const op = "singularvalues"
	if err := checkMatrix(op, "z", z); err != nil {
		return nil, err
	}
	var svd mat.SVD
	if !svd.Factorize(z, mat.SVDNone) {
		return nil, newErr(op, "z", nil, ErrNoConvergence)
	}
	return svd.Values(nil), nil
}

// DefaultRankTol returns numpy's default relative rank tolerance for an
// r x c matrix, max(r, c)·ε (ε = 2⁻⁵²).
func DefaultRankTol(r, c int) float64 { return float64(max(r, c)) * 0x1p-52 }

// RankOf returns the number of the descending singular values sv that
// exceed relTol·sv[0] (0 for an empty or zero sv). It is the one rank rule
// of eigenssl: Rank applies it to a matrix, closedform to its optima with
// the tolerances it documents.
func RankOf(sv []float64, relTol float64) int {
	if len(sv) == 0 || !(sv[0] > 0) {
		return 0
	}
	r := 0
	for _, v := range sv {
		if v > relTol*sv[0] {
			r++
		}
	}
	return r
}

// Rank returns the numerical rank of z: the number of singular values above
// relTol·σ₁, with relTol <= 0 meaning DefaultRankTol (numpy's
// matrix_rank). Errors as SingularValues.
func Rank(z mat.Matrix, relTol float64) (int, error) {
	sv, err := SingularValues(z)
	if err != nil {
		return 0, err
	}
	if relTol <= 0 || math.IsNaN(relTol) {
		r, c := z.Dims()
		relTol = DefaultRankTol(r, c)
	}
	return RankOf(sv, relTol), nil
}
