package nn

import (
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// Forward passes are checked against direct loops over the defining formulas.

func TestLinearForward(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	l := NewLinear(4, 3, true, rng)
	x := randn(6, 4, rng)
	y := l.Forward(x, false)
	for i := 0; i < 6; i++ {
		for j := 0; j < 3; j++ {
			want := l.B.Value.At(0, j)
			for k := 0; k < 4; k++ {
				want += x.At(i, k) * l.W.Value.At(k, j)
			}
			if math.Abs(y.At(i, j)-want) > 1e-14 {
				t.Fatalf("y[%d,%d] = %v; want %v", i, j, y.At(i, j), want)
			}
		}
	}
}

func TestLinearInit(t *testing.T) {
	// PyTorch bound U(−1/√in, 1/√in) for weights and bias; the sample should
	// fill the interval (max close to the bound) and be centred.
	const in, out = 400, 300
	l := NewLinear(in, out, true, rand.New(rand.NewPCG(1, 1)))
	bound := 1 / math.Sqrt(in)
	for _, p := range l.Params() {
		var mx, sum float64
		data := p.Value.RawMatrix().Data
		for _, v := range data {
			if math.Abs(v) > bound {
				t.Fatalf("%s entry %v outside ±%v", p.Name, v, bound)
			}
			mx = max(mx, math.Abs(v))
			sum += v
		}
		if mx < 0.95*bound {
			t.Errorf("%s: max |entry| %v, want close to %v", p.Name, mx, bound)
		}
		if math.Abs(sum/float64(len(data))) > 4*bound/math.Sqrt(3*float64(len(data))) {
			t.Errorf("%s: mean %v too far from 0", p.Name, sum/float64(len(data)))
		}
	}
}

func TestSeededInit(t *testing.T) {
	for _, spec := range []string{"mlp:16,8+bn|proj:4", "rff:32,gamma=1|linear:4", "kernel:rbf,gamma=1|3"} {
		x := randn(10, 6, rand.New(rand.NewPCG(0, 0)))
		build := func(seed uint64) []byte {
			e, err := ParseEncoder(spec, 6, seed)
			if err != nil {
				t.Fatal(err)
			}
			if e.NeedsTrainingInputs() {
				if err := e.SetTrainingInputs(x); err != nil {
					t.Fatal(err)
				}
			}
			b, _ := e.MarshalBinary()
			return b
		}
		a, b, c := build(7), build(7), build(8)
		if string(a) != string(b) {
			t.Errorf("%s: same seed gives different encoders", spec)
		}
		if string(a) == string(c) {
			t.Errorf("%s: seeds 7 and 8 give identical encoders", spec)
		}
	}
}

func TestBatchNormForward(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	bn := NewBatchNorm1d(3, false)
	x := randn(50, 3, rng)
	x.Apply(func(_, j int, v float64) float64 { return 3*v + float64(j) }, x)
	y := bn.Forward(x, true)
	for j := 0; j < 3; j++ {
		col := mat.Col(nil, j, y)
		xc := mat.Col(nil, j, x)
		var m, v, mx, vx float64
		for i := range col {
			m += col[i] / 50
			mx += xc[i] / 50
		}
		for i := range col {
			v += (col[i] - m) * (col[i] - m) / 50
			vx += (xc[i] - mx) * (xc[i] - mx) / 50
		}
		if math.Abs(m) > 1e-12 || math.Abs(v-vx/(vx+1e-5)) > 1e-12 {
			t.Errorf("column %d: mean %v var %v; want 0 and σ²/(σ²+ε)", j, m, v)
		}
		// running stats after one step from (0, 1): 0.1·μ and 0.9 + 0.1·unbiased σ².
		if got, want := bn.RunningMean.Value.At(0, j), 0.1*mx; math.Abs(got-want) > 1e-12 {
			t.Errorf("running mean %v; want %v", got, want)
		}
		if got, want := bn.RunningVar.Value.At(0, j), 0.9+0.1*vx*50/49; math.Abs(got-want) > 1e-12 {
			t.Errorf("running var %v; want %v", got, want)
		}
	}
	// Eval mode uses the running statistics.
	ye := bn.Forward(x, false)
	want := (x.At(4, 1) - bn.RunningMean.Value.At(0, 1)) / math.Sqrt(bn.RunningVar.Value.At(0, 1)+1e-5)
	if math.Abs(ye.At(4, 1)-want) > 1e-12 {
		t.Errorf("eval output %v; want %v", ye.At(4, 1), want)
	}
}

func TestRFFApproximatesRBF(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	const gamma = 0.5
	r := NewRandomFourierFeatures(3, 20000, gamma, rng)
	x := randn(4, 3, rng)
	x.Scale(0.7, x)
	z := r.Forward(x, false)
	var k mat.Dense
	k.Mul(z, z.T())
	for i := 0; i < 4; i++ {
		for j := 0; j < 4; j++ {
			var d float64
			for c := 0; c < 3; c++ {
				d += (x.At(i, c) - x.At(j, c)) * (x.At(i, c) - x.At(j, c))
			}
			// Monte-Carlo error ~ 1/√m ≈ 0.007.
			if want := math.Exp(-gamma * d); math.Abs(k.At(i, j)-want) > 0.04 {
				t.Errorf("z·z[%d,%d] = %v; want ≈ %v", i, j, k.At(i, j), want)
			}
		}
	}
}

func TestKernelForward(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	tr := randn(5, 3, rng)
	x := randn(4, 3, rng)
	for _, kind := range []string{"rbf", "linear"} {
		k := NewKernel(kind, 0.7, 3, 2, 1)
		k.SetTrainingInputs(tr)
		y := k.Forward(x, false)
		for i := 0; i < 4; i++ {
			for c := 0; c < 2; c++ {
				var want float64
				for j := 0; j < 5; j++ {
					var kv float64
					if kind == "rbf" {
						var d float64
						for f := 0; f < 3; f++ {
							d += (x.At(i, f) - tr.At(j, f)) * (x.At(i, f) - tr.At(j, f))
						}
						kv = math.Exp(-0.7 * d)
					} else {
						for f := 0; f < 3; f++ {
							kv += x.At(i, f) * tr.At(j, f)
						}
					}
					want += kv * k.A.Value.At(j, c)
				}
				if math.Abs(y.At(i, c)-want) > 1e-13 {
					t.Errorf("%s: y[%d,%d] = %v; want %v", kind, i, c, y.At(i, c), want)
				}
			}
		}
	}
}

func TestEncoderEmbedAndDims(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	e, err := ParseEncoder("mlp:8,6+bn|proj:5,4", 3, 1)
	if err != nil {
		t.Fatal(err)
	}
	if e.OutDim() != 4 || e.EmbedDim() != 6 {
		t.Fatalf("OutDim %d EmbedDim %d; want 4 and 6", e.OutDim(), e.EmbedDim())
	}
	x := randn(10, 3, rng)
	h, err := e.Embed(x)
	if err != nil {
		t.Fatal(err)
	}
	y, err := e.Forward(x, false)
	if err != nil {
		t.Fatal(err)
	}
	want := e.Projector.Forward(h, false)
	if !mat.Equal(y, want) {
		t.Error("Forward(x) ≠ Projector(Embed(x)) in eval mode")
	}
	if _, c := h.Dims(); c != 6 {
		t.Errorf("Embed gives %d columns; want 6", c)
	}
	// Embed invalidates a pending backward.
	if _, err := e.Embed(x); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Backward(mat.NewDense(10, 4, nil)); !errors.Is(err, ErrNoForward) {
		t.Errorf("Backward after Embed: err = %v; want ErrNoForward", err)
	}
}

func TestEncoderInputErrors(t *testing.T) {
	e, _ := ParseEncoder("mlp:4,2+bn", 3, 1)
	nan := mat.NewDense(2, 3, nil)
	nan.Set(1, 2, math.NaN())
	inf := mat.NewDense(2, 3, nil)
	inf.Set(0, 0, math.Inf(-1))
	for _, c := range []struct {
		name  string
		x     *mat.Dense
		train bool
		want  error
	}{
		{"nil", nil, true, ErrEmpty},
		{"empty", &mat.Dense{}, true, ErrEmpty},
		{"columns", mat.NewDense(4, 2, nil), true, ErrShape},
		{"nan", nan, true, ErrNaN},
		{"inf", inf, false, ErrNaN},
		{"bn single row", mat.NewDense(1, 3, nil), true, ErrShape},
	} {
		_, err := e.Forward(c.x, c.train)
		var ne *Error
		if !errors.Is(err, c.want) || !errors.As(err, &ne) || !strings.HasPrefix(err.Error(), "nn: Encoder.Forward") {
			t.Errorf("%s: err = %v; want *Error wrapping %v", c.name, err, c.want)
		}
	}
	// One row is fine in eval mode.
	if _, err := e.Forward(mat.NewDense(1, 3, nil), false); err != nil {
		t.Errorf("single row in eval mode: %v", err)
	}
	if _, err := e.Backward(mat.NewDense(1, 3, nil)); !errors.Is(err, ErrShape) {
		t.Errorf("Backward with wrong shape: err = %v; want ErrShape", err)
	}
	k, _ := ParseEncoder("kernel:rbf,gamma=1|2", 3, 1)
	if _, err := k.Forward(mat.NewDense(2, 3, nil), true); !errors.Is(err, ErrNotFitted) {
		t.Errorf("kernel without training inputs: err = %v; want ErrNotFitted", err)
	}
	if err := k.SetTrainingInputs(mat.NewDense(2, 4, nil)); !errors.Is(err, ErrShape) {
		t.Errorf("kernel anchors with 4 columns: err = %v; want ErrShape", err)
	}
	if err := e.SetTrainingInputs(mat.NewDense(2, 3, nil)); !errors.Is(err, ErrSpec) {
		t.Errorf("SetTrainingInputs on an MLP: err = %v; want ErrSpec", err)
	}
}

func TestParseEncoder(t *testing.T) {
	for _, c := range []struct {
		spec           string
		layers, proj   int
		out, embed, np int
	}{
		{"linear:128", 1, 0, 128, 128, 10*128 + 128},
		{"linear:128,nobias", 1, 0, 128, 128, 10 * 128},
		{"mlp:512,128", 3, 0, 128, 128, 10*512 + 512 + 512*128 + 128},
		{"mlp:32,16+bn", 4, 0, 16, 16, 10*32 + 32 + 64 + 32*16 + 16},
		{"mlp:32,bn,16", 4, 0, 16, 16, 10*32 + 32 + 64 + 32*16 + 16},
		{"mlp:32,32|proj:8,8", 3, 3, 8, 32, 10*32 + 32 + 32*32 + 32 + 32*8 + 8 + 8*8 + 8},
		{" rff:64,gamma=0.1 | linear:4 ", 2, 0, 4, 4, 64*4 + 4},
		{"rff:64,gamma=0.1|mlp:8,4|proj:2", 4, 1, 2, 4, 64*8 + 8 + 8*4 + 4 + 4*2 + 2},
		{"kernel:rbf,gamma=0.1|64", 1, 0, 64, 64, 0},
		{"kernel:linear|8|proj:4+bn", 1, 1, 4, 8, 0 + 8*4 + 4},
	} {
		e, err := ParseEncoder(c.spec, 10, 1)
		if err != nil {
			t.Errorf("%q: %v", c.spec, err)
			continue
		}
		if len(e.Backbone.Layers) != c.layers || len(e.Projector.Layers) != c.proj ||
			e.OutDim() != c.out || e.EmbedDim() != c.embed || NumParams(e.Params()) != c.np {
			t.Errorf("%q: %d+%d layers, out %d, embed %d, %d params; want %d+%d, %d, %d, %d", c.spec,
				len(e.Backbone.Layers), len(e.Projector.Layers), e.OutDim(), e.EmbedDim(), NumParams(e.Params()),
				c.layers, c.proj, c.out, c.embed, c.np)
		}
		seen := map[string]bool{}
		for _, p := range e.tensors() {
			if seen[p.Name] {
				t.Errorf("%q: duplicate name %s", c.spec, p.Name)
			}
			seen[p.Name] = true
		}
	}
	for _, spec := range []string{
		"", "conv:3", "linear", "linear:0", "linear:-3", "linear:4,5", "linear:4,bias", "linear:4+bn",
		"mlp:", "mlp:4,x", "proj:4", "linear:4|proj:4|linear:2", "rff:10,gamma=0.1",
		"rff:10|linear:2", "rff:10,gamma=-1|linear:2", "rff:10,gamma=0.1|proj:2", "kernel:rbf,gamma=1",
		"kernel:rbf|4", "kernel:poly|4", "kernel:linear|x", "linear:4|kernel:linear|2", "kernel:linear,gamma=1|2",
	} {
		_, err := ParseEncoder(spec, 10, 1)
		if !errors.Is(err, ErrSpec) || !strings.Contains(err.Error(), "valid forms") {
			t.Errorf("%q: err = %v; want ErrSpec listing the valid forms", spec, err)
		}
	}
	if _, err := ParseEncoder("linear:4", 0, 1); !errors.Is(err, ErrSpec) {
		t.Errorf("inputDim 0: err = %v; want ErrSpec", err)
	}
}

// TestConcurrentEncoders runs independent encoders in parallel (under -race
// in CI) with layers large enough to use the row-parallel kernels.
func TestConcurrentEncoders(t *testing.T) {
	var wg sync.WaitGroup
	outs := make([]*mat.Dense, 4)
	for w := range outs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e, err := ParseEncoder("rff:128,gamma=0.1|mlp:32,16+bn", 20, 3)
			if err != nil {
				t.Error(err)
				return
			}
			x := randn(96, 20, rand.New(rand.NewPCG(1, 1)))
			for range 3 {
				y, err := e.Forward(x, true)
				if err != nil {
					t.Error(err)
					return
				}
				if err := e.BackwardParams(y); err != nil {
					t.Error(err)
					return
				}
				if err := NewAdam(0).Step(e.Params(), 1e-3); err != nil {
					t.Error(err)
				}
			}
			outs[w], _ = e.Embed(x)
		}()
	}
	wg.Wait()
	for w := 1; w < len(outs); w++ {
		if outs[w] == nil || !mat.Equal(outs[0], outs[w]) {
			t.Errorf("worker %d result differs from worker 0", w)
		}
	}
}
