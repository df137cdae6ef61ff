package linalg

import (
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func TestOperators(t *testing.T) {
	rng := rand.New(rand.NewPCG(41, 42))
	n := 300
	a := randSym(n, rng)
	ops := map[string]struct {
		op           SymOperator
		alpha, sigma float64
	}{
		"dense":  {NewDenseOperator(a), 1, 0},
		"affine": {NewAffineOperator(NewDenseOperator(a), -2, 0.5), -2, 0.5},
		"vec":    {NewAffineOperator(vecOnly{NewDenseOperator(a)}, 3, 1), 3, 1},
	}
	for name, o := range ops {
		if o.op.Size() != n {
			t.Errorf("%s: Size = %d", name, o.op.Size())
		}
		for _, c := range []int{1, 3, 20} {
			x := mat.NewDense(n, c, nil)
			x.Apply(func(i, j int, _ float64) float64 { return rng.NormFloat64() }, x)
			var want mat.Dense
			want.Mul(a, x)
			want.Scale(o.alpha, &want)
			var sx mat.Dense
			sx.Scale(o.sigma, x)
			want.Add(&want, &sx)
			got := mat.NewDense(n, c, nil)
			if b, ok := o.op.(BlockOperator); ok {
				b.MulMatTo(got, x)
				if !mat.EqualApprox(got, &want, 1e-12) {
					t.Errorf("%s: MulMatTo with %d columns differs", name, c)
				}
			} else if name != "vec" {
				t.Errorf("%s: not a BlockOperator", name)
			}
			y := make([]float64, n)
			o.op.MulVecTo(y, mat.Col(nil, 0, x))
			if !mat.EqualApprox(mat.NewVecDense(n, y), want.ColView(0), 1e-12) {
				t.Errorf("%s: MulVecTo differs", name)
			}
		}
	}
}
