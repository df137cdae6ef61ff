package graph

import "math"

// DegreeInvSqrt returns the diagonal of D^{-1/2} for the degrees deg,
// s_i = 1/sqrt(d_i), with s_i = 0 for an isolated vertex (d_i <= 0): the
// convention of the normalised Laplacian L_sym = I - D^{-1/2} G D^{-1/2},
// whose rows and columns of isolated vertices are then those of I. Every
// D^{-1/2} scaling (Laplacian, NormalizedAdjacency, the closed forms and
// losses) uses it, so they agree bit for bit. deg is not modified.
func DegreeInvSqrt(deg []float64) []float64 {
	s := make([]float64, len(deg))
	for i, v := range deg {
		if v > 0 {
			s[i] = 1 / math.Sqrt(v)
		}
	}
	return s
}
