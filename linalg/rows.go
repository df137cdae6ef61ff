package linalg

import "gonum.org/v1/gonum/mat"

// SelectRows returns the len(idx) x D matrix whose row a is a copy of row
// idx[a] of x (indices may repeat; each must be in [0, N)).
func SelectRows(x *mat.Dense, idx []int) *mat.Dense {
	_, d := x.Dims()
	out := mat.NewDense(len(idx), d, nil)
	for a, i := range idx {
		copy(out.RawRowView(a), x.RawRowView(i))
	}
	return out
}
