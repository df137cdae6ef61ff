package nn

import (
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/mat"
)

// eps32 is the unit roundoff of float32, 2⁻²⁴.
const eps32 = 1.0 / (1 << 24)

// gammaK is Higham's γ_k = kε/(1 − kε), the bound of |fl(a·b) − a·b| / |a|·|b|
// for an inner product of length k in float32 (Accuracy and Stability of
// Numerical Algorithms, §3.1).
func gammaK(k int) float64 { return float64(k) * eps32 / (1 - float64(k)*eps32) }

// TestFloat32GradientsMatchFloat64 runs one training-mode forward and
// backward of an MLP with per-view batch norm in float32 and in float64 on
// the same float32-representable parameters, input and upstream gradient,
// and compares outputs and every parameter gradient norm-wise.
//
// Bound: the float32 pass differs from the float64 one by the rounding of
// its matrix products (the element-wise work is evaluated in float64 and
// rounded once, ε each). A product with inner dimension k is off by at most
// γ_k·|A||B| entry-wise; errors of successive layers add to first order. So
// the output is within Σ γ_k over the forward products, and a parameter
// gradient within Σ γ_k over every product of the forward and backward
// passes (forward: k = 20, 64, 32; backward ∂x: k = 16, 32; ∂W: k = N
// rows, three times), plus a few ε for the element-wise roundings (counted
// as 8ε). The bounds are first-order worst cases for non-cancelling sums;
// the measured errors are a few times smaller.
func TestFloat32GradientsMatchFloat64(t *testing.T) {
	const n, d = 64, 20
	// nobias: a bias before a training-mode batch norm has an exactly zero
	// gradient, which both passes return as rounding noise (no relative error).
	spec := "mlp:64,32,nobias+bn|proj:16"
	rng := rand.New(rand.NewPCG(3, 4))
	x := randn(n, d, rng)
	round32(x.RawMatrix().Data)
	e64, err := ParseEncoder(spec, d, 7)
	if err != nil {
		t.Fatal(err)
	}
	e32, _ := ParseEncoder(spec, d, 7)
	if err := e32.SetDtype(Float32); err != nil {
		t.Fatal(err)
	}
	// The float64 reference uses the float32-rounded parameters.
	for i, p := range e64.tensors() {
		p.Value.Copy(e32.tensors()[i].Value)
	}
	for _, e := range []*Encoder{e64, e32} {
		if err := e.SetViews(2); err != nil {
			t.Fatal(err)
		}
	}
	y64, err := e64.Forward(x, true)
	if err != nil {
		t.Fatal(err)
	}
	y32, err := e32.Forward32(ToFloat32(x), true)
	if err != nil {
		t.Fatal(err)
	}
	fwdTol := gammaK(20) + gammaK(64) + gammaK(32) + 8*eps32
	if e := relErr(FromFloat32(y32).RawMatrix().Data, y64.RawMatrix().Data); e > fwdTol || e == 0 {
		t.Errorf("forward: relative error %.3g; want in (0, %.3g]", e, fwdTol)
	}
	g := randn(n, 16, rng)
	round32(g.RawMatrix().Data)
	if err := e64.BackwardParams(g); err != nil {
		t.Fatal(err)
	}
	if err := e32.BackwardParams32(ToFloat32(g)); err != nil {
		t.Fatal(err)
	}
	gradTol := fwdTol + gammaK(16) + gammaK(32) + 3*gammaK(n)
	for i, p := range e64.Params() {
		q := e32.Params()[i]
		e := relErr(q.Grad.RawMatrix().Data, p.Grad.RawMatrix().Data)
		t.Logf("%s: relative error %.3g (bound %.3g)", p.Name, e, gradTol)
		if e > gradTol {
			t.Errorf("%s: gradient relative error %.3g; want ≤ %.3g", p.Name, e, gradTol)
		}
	}
}

// TestFloat32OptimisersMatchFloat64 takes three steps of each optimiser in
// float32 and in float64 from the same float32 parameters and gradients.
// Every update is a fixed formula of a few operations per entry (≤ 12 in
// Adam), each rounding by ε in float32, so after three steps the parameters
// differ by at most 3·12·ε relative to |θ| + lr·|update| ≤ |θ| + 3·lr
// norm-wise; we check ‖θ₃₂ − θ₆₄‖ ≤ 36ε(‖θ‖ + 3·lr·√n), and that float32
// parameters stay float32 values.
func TestFloat32OptimisersMatchFloat64(t *testing.T) {
	for _, name := range []string{"sgd:momentum=0.9,nesterov", "adam", "adamw", "lars"} {
		var ps [2][]*Param
		var opts [2]Optimizer
		rng := rand.New(rand.NewPCG(5, 6))
		w, gr := randn(30, 20, rng), randn(30, 20, rng)
		round32(w.RawMatrix().Data)
		round32(gr.RawMatrix().Data)
		for k := range ps {
			p := newParam("w", 30, 20, false)
			p.Value.Copy(w)
			p.f32 = k == 1
			ps[k] = []*Param{p}
			var err error
			if opts[k], err = ParseOptimizer(name); err != nil {
				t.Fatal(err)
			}
		}
		const lr = 0.01
		for step := 0; step < 3; step++ {
			for k := range ps {
				ps[k][0].Grad.Copy(gr)
				ps[k][0].Grad.Scale(float64(step+1), ps[k][0].Grad)
				if err := opts[k].Step(ps[k], lr); err != nil {
					t.Fatal(err)
				}
			}
		}
		a, b := ps[0][0].Value.RawMatrix().Data, ps[1][0].Value.RawMatrix().Data
		var diff, norm float64
		for i := range a {
			diff += (a[i] - b[i]) * (a[i] - b[i])
			norm += a[i] * a[i]
			if float64(float32(b[i])) != b[i] {
				t.Fatalf("%s: float32 parameter %d = %v is not a float32 value", name, i, b[i])
			}
		}
		tol := 36 * eps32 * (math.Sqrt(norm) + 3*lr*math.Sqrt(float64(len(a))))
		if d := math.Sqrt(diff); d > tol || d == 0 {
			t.Errorf("%s: ‖θ₃₂ − θ₆₄‖ = %.3g; want in (0, %.3g]", name, d, tol)
		}
	}
}

func TestSetDtypeErrors(t *testing.T) {
	e, err := ParseEncoder("rff:32,gamma=0.5|linear:4", 3, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.SetDtype(Float32); !errors.Is(err, ErrSpec) {
		t.Errorf("SetDtype(Float32) on rff: %v; want ErrSpec", err)
	}
	if _, err := ParseDtype("float16"); !errors.Is(err, ErrParam) {
		t.Errorf("ParseDtype(float16): %v; want ErrParam", err)
	}
	m, _ := ParseEncoder("mlp:8,4", 3, 1)
	x := blas32.General{Rows: 4, Cols: 3, Stride: 3, Data: make([]float32, 12)}
	if _, err := m.Forward32(x, true); !errors.Is(err, ErrParam) {
		t.Errorf("Forward32 before SetDtype: %v; want ErrParam", err)
	}
	_ = m.SetDtype(Float32)
	x.Data[5] = float32(math.NaN())
	if _, err := m.Forward32(x, true); !errors.Is(err, ErrNaN) {
		t.Errorf("Forward32 with NaN: %v; want ErrNaN", err)
	}
}

// Forward32 refuses what Forward refuses, with the same message: an empty
// batch, a wrong width, a non-finite entry, and (batch norm in training
// mode) a single row.
func TestForward32BadInput(t *testing.T) {
	e64, _ := ParseEncoder("mlp:8,4+bn", 3, 1)
	e32, _ := ParseEncoder("mlp:8,4+bn", 3, 1)
	if !e64.hasBatchNorm() {
		t.Fatal("mlp:8,4+bn has no batch norm: the single-row case tests nothing")
	}
	if err := e32.SetDtype(Float32); err != nil {
		t.Fatal(err)
	}
	nan := mat.NewDense(4, 3, nil)
	nan.Set(2, 1, math.Inf(1))
	for _, c := range []struct {
		name  string
		x     *mat.Dense
		train bool
		want  error
	}{
		{"empty", &mat.Dense{}, false, ErrEmpty},
		{"width", mat.NewDense(4, 2, nil), false, ErrShape},
		{"inf", nan, false, ErrNaN},
		{"one row", mat.NewDense(1, 3, nil), true, ErrShape},
	} {
		_, err64 := e64.Forward(c.x, c.train)
		_, err32 := e32.Forward32(ToFloat32(c.x), c.train)
		if !errors.Is(err64, c.want) || !errors.Is(err32, c.want) {
			t.Errorf("%s: Forward %v, Forward32 %v; want %v", c.name, err64, err32, c.want)
		} else if strings.Replace(err32.Error(), "Forward32", "Forward", 1) != err64.Error() {
			t.Errorf("%s: Forward32 says %q, Forward %q", c.name, err32, err64)
		}
	}
}
