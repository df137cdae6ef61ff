package linalg

import (
	"math"

	"gonum.org/v1/gonum/mat"
)

// SignFlip applies the deterministic sign rule to every column of m in place:
// column j is multiplied by ±1 so that its entry of largest absolute value
// (the first such row on ties) is positive. It is scikit-learn's
// _deterministic_vector_sign_flip applied to columns, and every eigenvector or
// singular-vector routine of this package applies it before returning. A zero
// column is left unchanged.
func SignFlip(m *mat.Dense) {
	r, c := m.Dims()
	raw := m.RawMatrix()
	for j := 0; j < c; j++ {
		if colSign(raw.Data, raw.Stride, r, j) < 0 {
			for i := 0; i < r; i++ {
				raw.Data[i*raw.Stride+j] = -raw.Data[i*raw.Stride+j]
			}
		}
	}
}

// colSign returns the sign (+1, -1, or 0 for a zero column) of the entry of
// largest magnitude in column j.
func colSign(data []float64, stride, rows, j int) float64 {
	best, arg := -1.0, 0
	for i := 0; i < rows; i++ {
		if v := math.Abs(data[i*stride+j]); v > best {
			best, arg = v, i
		}
	}
	switch v := data[arg*stride+j]; {
	case v > 0:
		return 1
	case v < 0:
		return -1
	}
	return 0
}

// SignFlipPair applies the sign rule to the columns of u and applies the same
// signs to the matching columns of v (singular-vector pairs, the canonical
// weight pairs of spectral.CCA).
func SignFlipPair(u, v *mat.Dense) {
	ru, c := u.Dims()
	rv, _ := v.Dims()
	uu, vv := u.RawMatrix(), v.RawMatrix()
	for j := 0; j < c; j++ {
		if colSign(uu.Data, uu.Stride, ru, j) < 0 {
			for i := 0; i < ru; i++ {
				uu.Data[i*uu.Stride+j] = -uu.Data[i*uu.Stride+j]
			}
			for i := 0; i < rv; i++ {
				vv.Data[i*vv.Stride+j] = -vv.Data[i*vv.Stride+j]
			}
		}
	}
}
