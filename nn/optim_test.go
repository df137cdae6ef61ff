package nn

import (
	"bytes"
	"errors"
	"math"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// The expected updates below are the textbook formulas written out per
// scalar, independently of the implementation's loop structure.

func testParams() []*Param {
	w := newParam("w", 2, 2, false)
	w.Value.Copy(mat.NewDense(2, 2, []float64{0.5, -1.2, 2.0, 0.3}))
	b := newParam("b", 1, 2, true)
	b.Value.Copy(mat.NewDense(1, 2, []float64{0.1, -0.4}))
	return []*Param{w, b}
}

// gradSeq is the gradient of step t (0-based) for parameter p.
func gradSeq(t, p int) []float64 {
	all := [][][]float64{
		{{0.3, -0.1, 0.7, 0.2}, {1.0, -0.5}},
		{{-0.2, 0.4, 0.1, -0.6}, {0.25, 0.5}},
		{{0.05, 0.3, -0.9, 0.8}, {-0.75, 0.1}},
	}
	return all[t][p]
}

func setGrads(ps []*Param, t int) {
	for i, p := range ps {
		copy(p.Grad.RawMatrix().Data, gradSeq(t, i))
	}
}

func values(ps []*Param) [][]float64 {
	var out [][]float64
	for _, p := range ps {
		out = append(out, append([]float64(nil), p.Value.RawMatrix().Data...))
	}
	return out
}

func closeTo(t *testing.T, name string, got, want [][]float64, tol float64) {
	t.Helper()
	for i := range want {
		for j := range want[i] {
			if d := math.Abs(got[i][j] - want[i][j]); !(d <= tol*max(1, math.Abs(want[i][j]))) {
				t.Errorf("%s: param %d[%d] = %.17g; want %.17g", name, i, j, got[i][j], want[i][j])
			}
		}
	}
}

func TestAdam(t *testing.T) {
	const lr, b1, b2, eps = 0.01, 0.9, 0.999, 1e-8
	for _, c := range []struct {
		opt       *Adam
		wd        float64
		decoupled bool
	}{
		{NewAdam(0), 0, false}, {NewAdam(0.1), 0.1, false}, {NewAdamW(0.1), 0.1, true},
	} {
		ps := testParams()
		want := values(ps)
		m := [][]float64{make([]float64, 4), make([]float64, 2)}
		v := [][]float64{make([]float64, 4), make([]float64, 2)}
		for step := 0; step < 3; step++ {
			setGrads(ps, step)
			if err := c.opt.Step(ps, lr); err != nil {
				t.Fatal(err)
			}
			n := float64(step + 1)
			for i := range want {
				for j := range want[i] {
					g := gradSeq(step, i)[j]
					if c.decoupled {
						want[i][j] -= lr * c.wd * want[i][j]
					} else {
						g += c.wd * want[i][j]
					}
					m[i][j] = b1*m[i][j] + (1-b1)*g
					v[i][j] = b2*v[i][j] + (1-b2)*g*g
					mhat := m[i][j] / (1 - math.Pow(b1, n))
					vhat := v[i][j] / (1 - math.Pow(b2, n))
					want[i][j] -= lr * mhat / (math.Sqrt(vhat) + eps)
				}
			}
			closeTo(t, c.opt.Name(), values(ps), want, 1e-13)
		}
		if c.opt.Steps() != 3 {
			t.Errorf("%s: Steps() = %d; want 3", c.opt.Name(), c.opt.Steps())
		}
	}
}

func TestSGD(t *testing.T) {
	const lr, mom, wd = 0.1, 0.9, 0.01
	for _, nesterov := range []bool{false, true} {
		o := &SGD{Momentum: mom, WeightDecay: wd, Nesterov: nesterov}
		ps := testParams()
		want := values(ps)
		buf := [][]float64{make([]float64, 4), make([]float64, 2)}
		for step := 0; step < 3; step++ {
			setGrads(ps, step)
			if err := o.Step(ps, lr); err != nil {
				t.Fatal(err)
			}
			for i := range want {
				for j := range want[i] {
					g := gradSeq(step, i)[j] + wd*want[i][j]
					if step == 0 {
						buf[i][j] = g
					} else {
						buf[i][j] = mom*buf[i][j] + g
					}
					d := buf[i][j]
					if nesterov {
						d = g + mom*buf[i][j]
					}
					want[i][j] -= lr * d
				}
			}
			closeTo(t, "sgd", values(ps), want, 1e-14)
		}
	}
	// Plain SGD: θ − lr·∇.
	ps := testParams()
	want := values(ps)
	setGrads(ps, 0)
	if err := (&SGD{}).Step(ps, 0.5); err != nil {
		t.Fatal(err)
	}
	for i := range want {
		for j := range want[i] {
			want[i][j] -= 0.5 * gradSeq(0, i)[j]
		}
	}
	closeTo(t, "plain sgd", values(ps), want, 1e-15)
}

func TestLARS(t *testing.T) {
	const lr, mom, eta, wd = 0.2, 0.9, 0.001, 1e-2
	for _, scale := range []float64{0, 0.024} {
		o := NewLARS(wd)
		o.VectorLRScale = scale
		ps := testParams()
		want := values(ps)
		mu := [][]float64{make([]float64, 4), make([]float64, 2)}
		for step := 0; step < 3; step++ {
			setGrads(ps, step)
			if err := o.Step(ps, lr); err != nil {
				t.Fatal(err)
			}
			// Weight (2×2): decayed gradient, trust ratio over the whole tensor.
			d := make([]float64, 4)
			var pn, dn float64
			for j := range d {
				d[j] = gradSeq(step, 0)[j] + wd*want[0][j]
				pn += want[0][j] * want[0][j]
				dn += d[j] * d[j]
			}
			q := eta * math.Sqrt(pn) / math.Sqrt(dn)
			for j := range d {
				mu[0][j] = mom*mu[0][j] + q*d[j]
				want[0][j] -= lr * mu[0][j]
			}
			// Bias: no decay, no adaptation, optionally its own lr.
			blr := lr
			if scale != 0 {
				blr = lr * scale
			}
			for j := range want[1] {
				mu[1][j] = mom*mu[1][j] + gradSeq(step, 1)[j]
				want[1][j] -= blr * mu[1][j]
			}
			closeTo(t, "lars", values(ps), want, 1e-14)
		}
	}
	// A zero weight gets q = 1 (no adaptation).
	p := newParam("w", 1, 2, false)
	copy(p.Grad.RawMatrix().Data, []float64{3, 4})
	if err := NewLARS(0).Step([]*Param{p}, 0.1); err != nil {
		t.Fatal(err)
	}
	closeTo(t, "lars zero weight", values([]*Param{p}), [][]float64{{-0.3, -0.4}}, 1e-15)
}

func TestOptimizerMismatch(t *testing.T) {
	for _, o := range []Optimizer{&SGD{Momentum: 0.9}, NewAdam(0), NewAdamW(0.01), NewLARS(0)} {
		ps := testParams()
		setGrads(ps, 0)
		if err := o.Step(ps, 0.1); err != nil {
			t.Fatal(err)
		}
		other := testParams()
		other[1].Name = "c"
		before := values(other)
		for _, bad := range [][]*Param{other[:1], other} {
			if err := o.Step(bad, 0.1); !errors.Is(err, ErrMismatch) {
				t.Errorf("%s: err = %v; want ErrMismatch", o.Name(), err)
			}
		}
		reshaped := testParams()
		reshaped[0] = newParam("w", 4, 1, false)
		if err := o.Step(reshaped, 0.1); !errors.Is(err, ErrMismatch) {
			t.Errorf("%s reshaped: err = %v; want ErrMismatch", o.Name(), err)
		}
		closeTo(t, "untouched", values(other), before, 0)
	}
}

func TestOptimizerRoundTrip(t *testing.T) {
	for _, spec := range []string{"sgd:momentum=0.9,nesterov,wd=1e-4", "adam:wd=0.01", "adamw", "lars:wd=1e-6,vector_lr_scale=0.024"} {
		o, err := ParseOptimizer(spec)
		if err != nil {
			t.Fatal(err)
		}
		ps := testParams()
		for step := 0; step < 2; step++ {
			setGrads(ps, step)
			if err := o.Step(ps, 0.05); err != nil {
				t.Fatal(err)
			}
		}
		data, _ := o.MarshalBinary()
		r, err := UnmarshalOptimizer(data)
		if err != nil {
			t.Fatalf("%s: %v", spec, err)
		}
		again, _ := r.MarshalBinary()
		if string(again) != string(data) || r.Name() != o.Name() || r.Steps() != 2 {
			t.Errorf("%s: round trip changed the state", spec)
		}
		// Continuing from the copy is bit-identical to continuing the original.
		ps2 := testParams()
		for i := range ps {
			ps2[i].Value.Copy(ps[i].Value)
		}
		setGrads(ps, 2)
		setGrads(ps2, 2)
		_ = o.Step(ps, 0.05)
		if err := r.Step(ps2, 0.05); err != nil {
			t.Fatal(err)
		}
		for i := range ps {
			for j, v := range ps[i].Value.RawMatrix().Data {
				if math.Float64bits(v) != math.Float64bits(ps2[i].Value.RawMatrix().Data[j]) {
					t.Errorf("%s: restored optimiser diverges at %s[%d]", spec, ps[i].Name, j)
				}
			}
		}
		// The concrete type's own UnmarshalBinary works too and rejects others' state.
		fresh, _ := ParseOptimizer(strings.SplitN(spec, ":", 2)[0])
		if err := fresh.UnmarshalBinary(data); err != nil {
			t.Errorf("%s: %v", spec, err)
		}
		wrong := Optimizer(&SGD{})
		if o.Name() == "sgd" {
			wrong = NewLARS(0)
		}
		if err := wrong.UnmarshalBinary(data); !errors.Is(err, ErrFormat) {
			t.Errorf("%s into %s: err = %v; want ErrFormat", spec, wrong.Name(), err)
		}
		for _, cut := range []int{0, 10, len(data) / 2, len(data) - 1} {
			if _, err := UnmarshalOptimizer(data[:cut]); !errors.Is(err, ErrFormat) {
				t.Errorf("%s truncated to %d: err = %v; want ErrFormat", spec, cut, err)
			}
		}
	}
	sgd, _ := ParseOptimizer("sgd:nesterov,momentum=0.5")
	data, _ := sgd.MarshalBinary()
	var s SGD
	if err := s.UnmarshalBinary(data); err != nil || !s.Nesterov || s.Momentum != 0.5 {
		t.Errorf("SGD flags not restored: %+v, %v", s, err)
	}
}

func TestParseOptimizer(t *testing.T) {
	o, err := ParseOptimizer("lars:wd=1.5e-6,eta=0.002,momentum=0.8")
	if err != nil {
		t.Fatal(err)
	}
	if l := o.(*LARS); l.WeightDecay != 1.5e-6 || l.Eta != 0.002 || l.Momentum != 0.8 || l.VectorLRScale != 0 {
		t.Errorf("lars options not applied: %+v", l)
	}
	if a, _ := ParseOptimizer("adamw"); a.(*Adam).WeightDecay != 0.01 || a.Name() != "adamw" {
		t.Errorf("adamw default weight decay: %+v", a)
	}
	for _, spec := range []string{"", "rmsprop", "adam:lr=0.1", "adam:beta1", "adam:nesterov", "sgd:momentum=-1", "sgd:wd=NaN", "lars:eta=x"} {
		if _, err := ParseOptimizer(spec); !errors.Is(err, ErrSpec) || !strings.Contains(err.Error(), "valid forms") {
			t.Errorf("%q: err = %v; want ErrSpec listing valid forms", spec, err)
		}
	}
}

func TestCosineWarmup(t *testing.T) {
	s := CosineWarmup{BaseLR: 0.4, WarmupSteps: 10, TotalSteps: 110, FinalLR: 0.004}
	for _, c := range []struct {
		step int
		want float64
	}{
		{-1, 0}, {0, 0}, {5, 0.2}, {10, 0.4},
		{60, 0.5*0.4 + 0.5*0.004}, // half-way through the decay, cos = 0
		{110, 0.004}, {500, 0.004},
	} {
		if got := s.LR(c.step); math.Abs(got-c.want) > 1e-15 {
			t.Errorf("LR(%d) = %v; want %v", c.step, got, c.want)
		}
	}
	// Monotone decay after warm-up.
	for i := 10; i < 110; i++ {
		if s.LR(i+1) > s.LR(i) {
			t.Fatalf("LR increases at step %d", i)
		}
	}
	if Constant(0.3).LR(42) != 0.3 {
		t.Error("Constant schedule")
	}
}

// TestOptimizerSpec: the typed spec round-trips through its text, carries
// every default, and builds the same optimiser as the text.
func TestOptimizerSpec(t *testing.T) {
	for _, text := range []string{"sgd", "sgd:momentum=0.9,nesterov,wd=0.1", "adam", "adamw:eps=1e-6", "lars:vector_lr_scale=0.024,wd=1.5e-6"} {
		s, err := ParseOptimizerSpec(text)
		if err != nil {
			t.Fatal(err)
		}
		back, err := ParseOptimizerSpec(s.String())
		if err != nil || back != s {
			t.Errorf("%q: %+v -> %q -> %+v, %v", text, s, s.String(), back, err)
		}
		a, _ := s.New()
		b, _ := ParseOptimizer(text)
		ab, _ := a.MarshalBinary()
		bb, _ := b.MarshalBinary()
		if !bytes.Equal(ab, bb) {
			t.Errorf("%q: OptimizerSpec.New and ParseOptimizer differ", text)
		}
	}
	s, _ := ParseOptimizerSpec("adam")
	if s.Beta1 != 0.9 || s.Beta2 != 0.999 || s.Eps != 1e-8 || s.WeightDecay != 0 {
		t.Errorf("adam defaults: %+v", s)
	}
	s.WeightDecay = -1
	if _, err := s.New(); !errors.Is(err, ErrSpec) {
		t.Errorf("negative weight decay: %v; want ErrSpec", err)
	}
	if _, err := ParseOptimizerSpec("sgd:"); !errors.Is(err, ErrSpec) {
		t.Errorf(`"sgd:": %v; want ErrSpec`, err)
	}
}
