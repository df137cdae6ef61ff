package linalg

import (
	"math"

	"gonum.org/v1/gonum/mat"
)

// ColMeans returns the column means of the N x D matrix x,
//
//	mu_j = (1/N) sum_i x_ij,
//
// summed over the rows in order and then divided by N, so that every
// caller centring data gets the same bits. Cost O(N D). An empty x (the
// zero-value Dense) gives an empty slice; callers validate data first.
func ColMeans(x *mat.Dense) []float64 {
	n, d := x.Dims()
	mu := make([]float64, d)
	for i := 0; i < n; i++ {
		for j, v := range x.RawRowView(i) {
			mu[j] += v
		}
	}
	for j := range mu {
		mu[j] /= float64(n)
	}
	return mu
}

// CenterColumns returns a new matrix H x = x - 1 muᵀ with mu = ColMeans(x)
// (H = I - 11ᵀ/N, never formed): each column of the result has mean 0 up
// to rounding. x is not modified. Cost O(N D). It panics on an empty x.
func CenterColumns(x *mat.Dense) *mat.Dense {
	mu := ColMeans(x)
	n, d := x.Dims()
	c := mat.NewDense(n, d, nil)
	for i := 0; i < n; i++ {
		dst := c.RawRowView(i)
		for j, v := range x.RawRowView(i) {
			dst[j] = v - mu[j]
		}
	}
	return c
}

// CenterColumnsInPlace subtracts the column means (ColMeans) from x in place
// and returns them. Cost O(N D). An empty x is left as it is (empty means).
func CenterColumnsInPlace(x *mat.Dense) []float64 {
	mu := ColMeans(x)
	n, _ := x.Dims()
	for i := 0; i < n; i++ {
		row := x.RawRowView(i)
		for j := range row {
			row[j] -= mu[j]
		}
	}
	return mu
}

// NormalizeRows returns a new matrix whose rows are those of x scaled to
// unit Euclidean norm,
//
//	x̂_i = x_i / ‖x_i‖₂,
//
// except that a row with ‖x_i‖₂ <= minNorm (no direction) is copied as it
// is. x is not modified. Cost O(N D).
func NormalizeRows(x *mat.Dense, minNorm float64) *mat.Dense {
	out := mat.DenseCopyOf(x)
	NormalizeRowsInPlace(out, minNorm)
	return out
}

// NormalizeRowsInPlace scales the rows of x to unit norm in place, as
// NormalizeRows.
func NormalizeRowsInPlace(x *mat.Dense, minNorm float64) {
	n, _ := x.Dims()
	for i := 0; i < n; i++ {
		row := x.RawRowView(i)
		var s float64
		for _, v := range row {
			s += v * v
		}
		s = math.Sqrt(s)
		if s > minNorm {
			for j := range row {
				row[j] /= s
			}
		}
	}
}
