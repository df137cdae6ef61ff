package spectral

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// TestSymOpMulMat checks the dense operator's block product against A X.
func TestSymOpMulMat(t *testing.T) {
	n := 150
	r := rand.New(rand.NewPCG(3, 4))
	a := mat.NewDense(n, n, nil)
	for i := 0; i < n; i++ {
		for j := 0; j <= i; j++ {
			v := r.NormFloat64()
			a.Set(i, j, v)
			a.Set(j, i, v)
		}
	}
	for _, b := range []int{1, 2, 3} {
		x := mat.NewDense(n, b, nil)
		x.Apply(func(_, _ int, _ float64) float64 { return r.NormFloat64() }, x)
		var want, got mat.Dense
		want.Mul(a, x)
		symOp{a}.MulMatTo(&got, x)
		var diff mat.Dense
		diff.Sub(&got, &want)
		if e := mat.Norm(&diff, math.Inf(1)); e > 1e-12*mat.Norm(&want, math.Inf(1)) {
			t.Errorf("b=%d: ‖symOp A X − A X‖∞ = %g", b, e)
		}
	}
}
