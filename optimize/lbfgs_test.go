package optimize

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// rosenbrock is the n-dimensional Rosenbrock function
// Σ 100 (x_{i+1} − x_i²)² + (1 − x_i)², minimum 0 at x = (1, …, 1).
func rosenbrock(x, g []float64) float64 {
	var f float64
	for i := range g {
		g[i] = 0
	}
	for i := 0; i+1 < len(x); i++ {
		a, b := x[i+1]-x[i]*x[i], 1-x[i]
		f += 100*a*a + b*b
		g[i] += -400*a*x[i] - 2*b
		g[i+1] += 200 * a
	}
	return f
}

// quadratic returns f(x) = ½ xᵀAx − bᵀx with A = MᵀM + I (SPD) and its
// minimiser A⁻¹b computed by a direct solve.
func quadratic(n int, seed uint64) (func(x, g []float64) float64, []float64) {
	rng := rand.New(rand.NewPCG(seed, 1))
	m := mat.NewDense(n, n, nil)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			m.Set(i, j, rng.NormFloat64())
		}
	}
	a := mat.NewSymDense(n, nil)
	a.SymOuterK(1, m.T())
	for i := 0; i < n; i++ {
		a.SetSym(i, i, a.At(i, i)+1)
	}
	b := mat.NewVecDense(n, nil)
	for i := 0; i < n; i++ {
		b.SetVec(i, rng.NormFloat64())
	}
	var xs mat.VecDense
	if err := xs.SolveVec(a, b); err != nil {
		panic(err)
	}
	fg := func(x, g []float64) float64 {
		xv := mat.NewVecDense(n, x)
		gv := mat.NewVecDense(n, g)
		gv.MulVec(a, xv)
		f := 0.5*mat.Dot(xv, gv) - mat.Dot(b, xv)
		gv.SubVec(gv, b)
		return f
	}
	return fg, xs.RawVector().Data
}

func maxAbsDiff(a, b []float64) float64 {
	var d float64
	for i := range a {
		d = math.Max(d, math.Abs(a[i]-b[i]))
	}
	return d
}

func TestMinimizeRosenbrock(t *testing.T) {
	for _, x0 := range [][]float64{{-1.2, 1}, {-1.2, 1, -1.2, 1, 0.5}, {2, 2, 2}} {
		for _, set := range []Settings{{Norm: L2}, {Norm: LInf}, {Memory: 3}} {
			set.GradientThreshold = 1e-10
			res, err := Minimize(Problem{FuncGrad: rosenbrock}, x0, set)
			if err != nil {
				t.Fatalf("x0 = %v: %v", x0, err)
			}
			if !res.Status.Converged() {
				t.Errorf("x0 = %v: status %v", x0, res.Status)
			}
			ones := make([]float64, len(x0))
			for i := range ones {
				ones[i] = 1
			}
			if d := maxAbsDiff(res.X, ones); d > 1e-6 {
				t.Errorf("x0 = %v %+v: got %v; want all ones (max diff %g)", x0, set, res.X, d)
			}
			if res.F > 1e-12 || res.F > res.F0 {
				t.Errorf("x0 = %v: f = %g (f0 = %g); want ~0", x0, res.F, res.F0)
			}
			if res.FuncEvaluations <= res.Iterations {
				t.Errorf("evaluations %d <= iterations %d", res.FuncEvaluations, res.Iterations)
			}
		}
	}
}

func TestMinimizeQuadratic(t *testing.T) {
	for _, n := range []int{1, 5, 40} {
		fg, want := quadratic(n, uint64(n))
		x0 := make([]float64, n)
		// A >= I, so ‖x − A⁻¹b‖₂ <= ‖∇f(x)‖₂ <= the threshold (1e-6: an
		// Armijo test on f resolves ‖g‖ only down to about √(ε|f|λmax)).
		res, err := Minimize(Problem{FuncGrad: fg}, x0, Settings{GradientThreshold: 1e-6, FunctionIter: 1000})
		if err != nil {
			t.Fatalf("n=%d: %v", n, err)
		}
		if res.Status != GradientThreshold {
			t.Errorf("n=%d: status %v; want GradientThreshold", n, res.Status)
		}
		if d := maxAbsDiff(res.X, want); d > 1e-6 || d > res.GradNorm {
			t.Errorf("n=%d: max |x − A⁻¹b| = %g", n, d)
		}
		if x0[0] != 0 {
			t.Errorf("x0 modified")
		}
	}
}

func TestMinimizeIterationLimit(t *testing.T) {
	res, err := Minimize(Problem{FuncGrad: rosenbrock}, []float64{-1.2, 1}, Settings{MaxIter: 3})
	if !errors.Is(err, ErrNoConvergence) {
		t.Fatalf("got err %v; want ErrNoConvergence", err)
	}
	var e *Error
	if !errors.As(err, &e) || e.Op != "minimize" {
		t.Errorf("got %T %v; want *Error with Op minimize", err, err)
	}
	if res.Status != IterationLimit || res.Iterations != 3 {
		t.Errorf("got status %v after %d iterations; want IterationLimit after 3", res.Status, res.Iterations)
	}
	if !(res.F < res.F0) || len(res.X) != 2 {
		t.Errorf("best point not reported: f = %g, f0 = %g, x = %v", res.F, res.F0, res.X)
	}
}

func TestMinimizeStall(t *testing.T) {
	// |x|^1.5 has no gradient threshold reachable at a huge precision demand
	// but f stalls at rounding level: FunctionConvergence or
	// LineSearchFailure, never IterationLimit.
	fg := func(x, g []float64) float64 {
		a := math.Abs(x[0])
		g[0] = 1.5 * math.Sqrt(a) * math.Copysign(1, x[0])
		return a * math.Sqrt(a)
	}
	res, _ := Minimize(Problem{FuncGrad: fg}, []float64{3}, Settings{GradientThreshold: 1e-300, MaxIter: 100000})
	if res.Status == IterationLimit || res.Status == NotTerminated {
		t.Errorf("status %v after %d iterations", res.Status, res.Iterations)
	}
	if math.Abs(res.X[0]) > 1e-6 {
		t.Errorf("x = %g; want ~0", res.X[0])
	}
}

func TestMinimizeBadInput(t *testing.T) {
	quad := func(x, g []float64) float64 { g[0] = 2 * x[0]; return x[0] * x[0] }
	nan := func(x, g []float64) float64 { return math.NaN() }
	cases := []struct {
		name string
		p    Problem
		x0   []float64
		s    Settings
		want error
	}{
		{"nil func", Problem{}, []float64{1}, Settings{}, ErrParam},
		{"empty x0", Problem{FuncGrad: quad}, nil, Settings{}, ErrEmpty},
		{"NaN x0", Problem{FuncGrad: quad}, []float64{math.NaN()}, Settings{}, ErrNaN},
		{"NaN f(x0)", Problem{FuncGrad: nan}, []float64{1}, Settings{}, ErrNaN},
		{"negative MaxIter", Problem{FuncGrad: quad}, []float64{1}, Settings{MaxIter: -1}, ErrParam},
		{"negative threshold", Problem{FuncGrad: quad}, []float64{1}, Settings{GradientThreshold: -1}, ErrParam},
		{"negative memory", Problem{FuncGrad: quad}, []float64{1}, Settings{Memory: -1}, ErrParam},
		{"bad norm", Problem{FuncGrad: quad}, []float64{1}, Settings{Norm: 7}, ErrParam},
	}
	for _, c := range cases {
		_, err := Minimize(c.p, c.x0, c.s)
		if !errors.Is(err, c.want) {
			t.Errorf("%s: got %v; want %v", c.name, err, c.want)
		}
	}
}

func TestStatusString(t *testing.T) {
	for s := NotTerminated; s <= IterationLimit; s++ {
		if s.String() == "Status(?)" {
			t.Errorf("status %d has no name", int(s))
		}
	}
	if Status(99).String() != "Status(?)" {
		t.Errorf("unknown status named %q", Status(99).String())
	}
}

func ExampleMinimize() {
	res, err := Minimize(Problem{FuncGrad: rosenbrock}, []float64{-1.2, 1}, Settings{GradientThreshold: 1e-10})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%v x = (%.6f, %.6f)\n", res.Status, res.X[0], res.X[1])
	// Output: GradientThreshold x = (1.000000, 1.000000)
}

func BenchmarkMinimize(b *testing.B) {
	for _, n := range []int{10, 1000} {
		b.Run(fmt.Sprintf("Rosenbrock/n=%d", n), func(b *testing.B) {
			x0 := make([]float64, n)
			for b.Loop() {
				if _, err := Minimize(Problem{FuncGrad: rosenbrock}, x0, Settings{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
