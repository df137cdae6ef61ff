package nn

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

const (
	fdStep = 1e-5
	fdTol  = 1e-6
)

func randn(r, c int, rng *rand.Rand) *mat.Dense {
	m := mat.NewDense(r, c, nil)
	for i := range m.RawMatrix().Data {
		m.RawMatrix().Data[i] = rng.NormFloat64()
	}
	return m
}

// relErr is ‖a − b‖ / max(‖a‖, ‖b‖, 1e-3), the norm-wise relative error
// with an absolute floor: a bias feeding a training-mode batch norm has an
// exactly zero gradient, where finite differences leave ~1e-11 of noise.
func relErr(a, b []float64) float64 {
	var d, na, nb float64
	for i := range a {
		d += (a[i] - b[i]) * (a[i] - b[i])
		na += a[i] * a[i]
		nb += b[i] * b[i]
	}
	return math.Sqrt(d / max(na, nb, 1e-6))
}

// scalarLoss is L(y) = Σ R∘y + ½Σ y², with ∂L/∂y = R + y: a random linear
// functional plus a quadratic so that the check is not blind to scale.
func scalarLoss(y, r *mat.Dense) (float64, *mat.Dense) {
	var l float64
	g := mat.NewDense(y.RawMatrix().Rows, y.RawMatrix().Cols, nil)
	n, d := y.Dims()
	for i := 0; i < n; i++ {
		for j := 0; j < d; j++ {
			v := y.At(i, j)
			l += r.At(i, j)*v + 0.5*v*v
			g.Set(i, j, r.At(i, j)+v)
		}
	}
	return l, g
}

// fdCheck compares analytic gradients of L(f(x)) with respect to x and to
// every entry of every param with central finite differences.
func fdCheck(t *testing.T, name string, f func(x *mat.Dense) *mat.Dense,
	back func(g *mat.Dense) *mat.Dense, params []*Param, x *mat.Dense, rng *rand.Rand) {
	t.Helper()
	y := f(x)
	r := randn(y.RawMatrix().Rows, y.RawMatrix().Cols, rng)
	_, g := scalarLoss(y, r)
	ZeroGrad(params)
	dx := back(g)
	loss := func() float64 { l, _ := scalarLoss(f(x), r); return l }
	numeric := func(v []float64) []float64 {
		out := make([]float64, len(v))
		for i := range v {
			old := v[i]
			v[i] = old + fdStep
			lp := loss()
			v[i] = old - fdStep
			lm := loss()
			v[i] = old
			out[i] = (lp - lm) / (2 * fdStep)
		}
		return out
	}
	if dx != nil {
		want := numeric(x.RawMatrix().Data)
		if e := relErr(dx.RawMatrix().Data, want); !(e < fdTol) {
			t.Errorf("%s: ∂L/∂x relative error %.3g, want < %g", name, e, fdTol)
		}
	}
	for _, p := range params {
		got := append([]float64(nil), p.Grad.RawMatrix().Data...)
		want := numeric(p.Value.RawMatrix().Data)
		if e := relErr(got, want); !(e < fdTol) {
			t.Errorf("%s: ∂L/∂%s relative error %.3g, want < %g", name, p.Name, e, fdTol)
		}
	}
}

func layerCheck(t *testing.T, name string, l Layer, x *mat.Dense, train bool, rng *rand.Rand) {
	t.Helper()
	fdCheck(t, name, func(x *mat.Dense) *mat.Dense { return l.Forward(x, train) }, l.Backward, l.Params(), x, rng)
}

func TestLayerGradients(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	x := randn(7, 5, rng)
	layerCheck(t, "linear", NewLinear(5, 4, true, rng), x, true, rng)
	layerCheck(t, "linear nobias", NewLinear(5, 4, false, rng), x, true, rng)

	// Keep ReLU inputs away from the kink at 0.
	xr := randn(7, 5, rng)
	for i, v := range xr.RawMatrix().Data {
		if math.Abs(v) < 0.1 {
			xr.RawMatrix().Data[i] = math.Copysign(0.1, v)
		}
	}
	layerCheck(t, "relu", NewReLU(5), xr, true, rng)

	for _, affine := range []bool{true, false} {
		bn := NewBatchNorm1d(5, affine)
		if affine { // move γ, β away from their trivial initial values
			copy(bn.Gamma.Value.RawMatrix().Data, randn(1, 5, rng).RawMatrix().Data)
			copy(bn.Beta.Value.RawMatrix().Data, randn(1, 5, rng).RawMatrix().Data)
		}
		layerCheck(t, "batchnorm train", bn, x, true, rng)
		bn.Forward(randn(9, 5, rng), true) // non-trivial running statistics
		layerCheck(t, "batchnorm eval", bn, x, false, rng)
	}

	layerCheck(t, "rff", NewRandomFourierFeatures(5, 30, 0.4, rng), x, true, rng)

	for _, kind := range []string{"rbf", "linear"} {
		k := NewKernel(kind, 0.3, 5, 3, 9)
		k.SetTrainingInputs(randn(6, 5, rng))
		layerCheck(t, "kernel "+kind, k, x, true, rng)
	}
}

func TestEncoderGradients(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, spec := range []string{
		"linear:4", "linear:4,nobias", "mlp:6,3", "mlp:6,5,3+bn", "mlp:6,nobias,3",
		"mlp:6|proj:5,3+bn", "linear:6|proj:3", "rff:20,gamma=0.5|linear:3",
		"rff:20,gamma=0.5|mlp:8,3", "kernel:rbf,gamma=0.3|3", "kernel:linear|3|proj:4,2",
	} {
		e, err := ParseEncoder(spec, 5, 11)
		if err != nil {
			t.Fatalf("%s: %v", spec, err)
		}
		if e.NeedsTrainingInputs() {
			if err := e.SetTrainingInputs(randn(6, 5, rng)); err != nil {
				t.Fatal(err)
			}
		}
		x := randn(8, 5, rng)
		f := func(x *mat.Dense) *mat.Dense {
			y, err := e.Forward(x, true)
			if err != nil {
				t.Fatal(err)
			}
			return y
		}
		back := func(g *mat.Dense) *mat.Dense {
			dx, err := e.Backward(g)
			if err != nil {
				t.Fatal(err)
			}
			return dx
		}
		fdCheck(t, spec, f, back, e.Params(), x, rng)

		// BackwardParams must give the same parameter gradients.
		y := f(x)
		g := randn(y.RawMatrix().Rows, y.RawMatrix().Cols, rng)
		e.ZeroGrad()
		back(g)
		var want [][]float64
		for _, p := range e.Params() {
			want = append(want, append([]float64(nil), p.Grad.RawMatrix().Data...))
		}
		f(x)
		e.ZeroGrad()
		if err := e.BackwardParams(g); err != nil {
			t.Fatal(err)
		}
		for i, p := range e.Params() {
			if e := relErr(p.Grad.RawMatrix().Data, want[i]); e > 1e-14 {
				t.Errorf("%s: BackwardParams ∂%s differs from Backward by %g", spec, p.Name, e)
			}
		}
	}
}
