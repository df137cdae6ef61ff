package closedform

import (
	"math"
	"sort"

	"gonum.org/v1/gonum/mat"
)

// RBFKernel returns the N x N Gaussian kernel K_ij = exp(−‖x_i − x_j‖² /
// (2σ²)) of the rows of x. σ = 0 selects the median heuristic (σ = the
// median pairwise distance); σ < 0 is an error. It is inherently O(N² D)
// time and O(N²) memory, so N > MaxKernelN is refused (ErrParam).
func RBFKernel(x *mat.Dense, sigma float64) (*mat.Dense, error) {
	if x == nil {
		return nil, newErr("rbfkernel", "X", nil, ErrEmpty)
	}
	if err := checkMatrix("rbfkernel", "X", x); err != nil {
		return nil, err
	}
	if !finite(sigma) || sigma < 0 {
		return nil, newErr("rbfkernel", "sigma", sigma, wrap2(ErrParam, errSigma))
	}
	n, _ := x.Dims()
	if err := checkKernelN("rbfkernel", n); err != nil {
		return nil, err
	}
	d2 := mat.NewDense(n, n, nil)
	for i := 0; i < n; i++ {
		xi := x.RawRowView(i)
		for j := i + 1; j < n; j++ {
			var s float64
			for t, v := range x.RawRowView(j) {
				s += (xi[t] - v) * (xi[t] - v)
			}
			d2.Set(i, j, s)
			d2.Set(j, i, s)
		}
	}
	if sigma <= 0 {
		var ds []float64
		for i := 0; i < n; i++ {
			for j := i + 1; j < n; j++ {
				ds = append(ds, d2.At(i, j))
			}
		}
		sort.Float64s(ds)
		sigma = 1
		if len(ds) > 0 && ds[len(ds)/2] > 0 {
			sigma = math.Sqrt(ds[len(ds)/2])
		}
	}
	k := mat.NewDense(n, n, nil)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			k.Set(i, j, math.Exp(-d2.At(i, j)/(2*sigma*sigma)))
		}
	}
	return k, nil
}
