package linalg

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// CenterColumns against the centring matrix H = I - 11ᵀ/N applied densely.
func TestCenterColumns(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 2))
	n, d := 17, 5
	x := mat.NewDense(n, d, nil)
	for i := 0; i < n; i++ {
		for j := 0; j < d; j++ {
			x.Set(i, j, 100+r.NormFloat64())
		}
	}
	orig := mat.DenseCopyOf(x)
	h := mat.NewDense(n, n, nil)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			h.Set(i, j, -1/float64(n))
		}
		h.Set(i, i, 1-1/float64(n))
	}
	var want mat.Dense
	want.Mul(h, x)
	got := CenterColumns(x)
	if !mat.EqualApprox(got, &want, 1e-10) {
		t.Errorf("CenterColumns differs from H X:\n%v\nwant\n%v", mat.Formatted(got), mat.Formatted(&want))
	}
	if !mat.Equal(x, orig) {
		t.Error("CenterColumns modified its input")
	}
	mu := ColMeans(x)
	for j := 0; j < d; j++ {
		s := 0.0
		for i := 0; i < n; i++ {
			s += orig.At(i, j)
		}
		if math.Abs(mu[j]-s/float64(n)) > 1e-12 {
			t.Errorf("mean[%d] = %v; want %v", j, mu[j], s/float64(n))
		}
		if c := mat.Sum(got.ColView(j)); math.Abs(c) > 1e-10 {
			t.Errorf("column %d of the result sums to %g; want 0", j, c)
		}
	}
}
