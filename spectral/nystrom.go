package spectral

import (
	"fmt"

	"github.com/eigenssl/eigenssl/graph"
	"gonum.org/v1/gonum/mat"
)

// newAffinityRows returns the affinity rows W (M x N) of new points to the N
// training vertices, for the graph-based methods with a Nyström Transform (LE,
// spectral contrastive): computed from data through the training kNN
// affinity, or x itself (checked non-negative) for a Precomputed model. A
// model fitted on a bare graph has neither and needs TransformAffinity.
func newAffinityRows(op string, aff *knnAffinity, precomputed bool, n int, x mat.Matrix) (*mat.Dense, error) {
	if aff != nil {
		xd, err := checkData(op, "x", x)
		if err != nil {
			return nil, err
		}
		return aff.rows(op, xd)
	}
	if !precomputed {
		return nil, errorf(op, "x", nil, ErrParam, "model fitted on a graph: use TransformAffinity with the affinity rows to the training vertices")
	}
	return checkAffinityRows(op, x, n)
}

// checkAffinityRows validates affinity rows w (M x n, non-negative, finite).
func checkAffinityRows(op string, w mat.Matrix, n int) (*mat.Dense, error) {
	wd, err := checkData(op, "w", w)
	if err != nil {
		return nil, err
	}
	if err := checkCols(op, wd, n); err != nil {
		return nil, err
	}
	r, _ := wd.Dims()
	for i := 0; i < r; i++ {
		for j, v := range wd.RawRowView(i) {
			if v < 0 {
				return nil, errorf(op, fmt.Sprintf("w[%d,%d]", i, j), v, ErrNegative, "affinities must be non-negative")
			}
		}
	}
	return wd, nil
}

// scaledByInvSqrtDegree returns diag(deg)^{-1/2} u (rows of isolated vertices
// become zero), the generalised vectors that drive the Nyström formulas.
func scaledByInvSqrtDegree(u *mat.Dense, deg []float64) *mat.Dense {
	v := mat.DenseCopyOf(u)
	for i, s := range graph.DegreeInvSqrt(deg) {
		row := v.RawRowView(i)
		for j := range row {
			row[j] *= s
		}
	}
	return v
}

// nystromRows computes the Nyström extension Z_ij = f((W V)_ij, d_i, j) with
// d_i = sum_l W_il, the new point's degree, and f the method's rescaling. A row with no affinity to
// any training point cannot be placed and is an ErrDisconnected error.
func nystromRows(op string, w, v *mat.Dense, f func(x, d float64, j int) float64) (*mat.Dense, error) {
	m, _ := w.Dims()
	_, k := v.Dims()
	out := mat.NewDense(m, k, nil)
	out.Mul(w, v)
	for i := 0; i < m; i++ {
		d := 0.0
		for _, x := range w.RawRowView(i) {
			d += x
		}
		if d == 0 {
			return nil, errorf(op, fmt.Sprintf("row %d (1-based)", i+1), "no affinity to any training point", ErrDisconnected, "")
		}
		row := out.RawRowView(i)
		for j := range row {
			row[j] = f(row[j], d, j)
		}
	}
	return out, nil
}
