package linalg

import (
	"math"
	"math/rand/v2"
	"slices"
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

// NormalizeRows: unit rows pointing the same way, rows at or below minNorm
// copied unchanged, x untouched.
func TestNormalizeRows(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 1))
	n, d := 9, 4
	x := mat.NewDense(n, d, nil)
	for i := 0; i < n; i++ {
		for j := 0; j < d; j++ {
			x.Set(i, j, r.NormFloat64())
		}
	}
	tiny := []float64{1e-13, 0, 0, 0}
	x.SetRow(3, tiny)
	orig := mat.DenseCopyOf(x)
	got := NormalizeRows(x, 1e-12)
	if !mat.Equal(x, orig) {
		t.Fatal("NormalizeRows modified x")
	}
	for i := 0; i < n; i++ {
		row, in := got.RawRowView(i), orig.RawRowView(i)
		if i == 3 {
			if !slices.Equal(row, tiny) {
				t.Errorf("row %d (norm 1e-13 <= minNorm) = %v; want it unchanged", i, row)
			}
			continue
		}
		nrm := math.Sqrt(mat.Dot(mat.NewVecDense(d, in), mat.NewVecDense(d, in)))
		var ss float64
		for j, v := range row {
			ss += v * v
			if math.Abs(v*nrm-in[j]) > 1e-12*nrm {
				t.Errorf("row %d: %v is not x_i/‖x_i‖ of %v", i, row, in)
				break
			}
		}
		if math.Abs(ss-1) > 1e-14 {
			t.Errorf("row %d: squared norm %g; want 1", i, ss)
		}
	}
	NormalizeRowsInPlace(x, 1e-12)
	if !mat.Equal(x, got) {
		t.Error("NormalizeRowsInPlace differs from NormalizeRows")
	}
}
