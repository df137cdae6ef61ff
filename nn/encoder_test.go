package nn

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func sameBits(a, b *mat.Dense) bool {
	ra, rb := a.RawMatrix(), b.RawMatrix()
	if ra.Rows != rb.Rows || ra.Cols != rb.Cols {
		return false
	}
	for i := 0; i < ra.Rows; i++ {
		for j := 0; j < ra.Cols; j++ {
			if math.Float64bits(ra.Data[i*ra.Stride+j]) != math.Float64bits(rb.Data[i*rb.Stride+j]) {
				return false
			}
		}
	}
	return true
}

func TestEncoderRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	for _, spec := range []string{
		"linear:3,nobias", "mlp:8,4+bn|proj:6,3+bn", "rff:16,gamma=0.3|mlp:5,2", "kernel:rbf,gamma=0.2|3|proj:2",
		"kernel:linear|2",
	} {
		e, err := ParseEncoder(spec, 4, 5)
		if err != nil {
			t.Fatal(err)
		}
		if e.NeedsTrainingInputs() {
			if err := e.SetTrainingInputs(randn(7, 4, rng)); err != nil {
				t.Fatal(err)
			}
		}
		// Train a few steps so parameters and running statistics move.
		opt := NewAdam(0)
		x := randn(9, 4, rng)
		for range 3 {
			e.ZeroGrad()
			y, _ := e.Forward(x, true)
			if err := e.BackwardParams(y); err != nil {
				t.Fatal(err)
			}
			if err := opt.Step(e.Params(), 0.01); err != nil {
				t.Fatal(err)
			}
		}
		data, err := e.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		var r Encoder
		if err := r.UnmarshalBinary(data); err != nil {
			t.Fatalf("%s: %v", spec, err)
		}
		again, _ := r.MarshalBinary()
		if string(again) != string(data) {
			t.Errorf("%s: re-marshalled bytes differ", spec)
		}
		et, rt := e.tensors(), r.tensors()
		if len(et) != len(rt) {
			t.Fatalf("%s: %d tensors restored; want %d", spec, len(rt), len(et))
		}
		for i := range et {
			if et[i].Name != rt[i].Name || !sameBits(et[i].Value, rt[i].Value) {
				t.Errorf("%s: tensor %s not restored bit for bit", spec, et[i].Name)
			}
		}
		xt := randn(5, 4, rng)
		for _, train := range []bool{false, true} {
			ye, _ := e.Forward(xt, train)
			yr, err := r.Forward(xt, train)
			if err != nil || !sameBits(ye, yr) {
				t.Errorf("%s: restored encoder output differs (train=%v, err %v)", spec, train, err)
			}
		}
		// The restored optimiser state still matches the restored parameters.
		od, _ := opt.MarshalBinary()
		ro, _ := UnmarshalOptimizer(od)
		r.ZeroGrad()
		if err := ro.Step(r.Params(), 0.01); err != nil {
			t.Errorf("%s: optimiser state does not match restored encoder: %v", spec, err)
		}
		for _, cut := range []int{0, 5, len(data) / 3, len(data) - 8, len(data) - 1} {
			if err := new(Encoder).UnmarshalBinary(data[:cut]); !errors.Is(err, ErrFormat) {
				t.Errorf("%s truncated to %d: err = %v; want ErrFormat", spec, cut, err)
			}
		}
		if err := new(Encoder).UnmarshalBinary(append(data, 0)); !errors.Is(err, ErrFormat) {
			t.Errorf("%s with a trailing byte: err = %v; want ErrFormat", spec, err)
		}
	}
}

func ExampleParseEncoder() {
	enc, err := ParseEncoder("mlp:512,512+bn|proj:256,128", 784, 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	x := mat.NewDense(4, 784, nil)
	z, _ := enc.Forward(x, true)
	h, _ := enc.Embed(x)
	fmt.Println(enc.EmbedDim(), enc.OutDim(), NumParams(enc.Params()))
	fmt.Println(z.Dims())
	fmt.Println(h.Dims())
	for _, p := range enc.Params()[:4] {
		fmt.Println(p.Name, p.Vector)
	}

	_, err = ParseEncoder("conv:3", 784, 1)
	fmt.Println(errors.Is(err, ErrSpec))
	// Output:
	// 512 128 829824
	// 4 128
	// 4 512
	// backbone.0.weight false
	// backbone.0.bias true
	// backbone.1.weight true
	// backbone.1.bias true
	// true
}

func TestEncoderRoundTripUnfittedKernel(t *testing.T) {
	e, err := ParseEncoder("kernel:rbf,gamma=0.5|3", 4, 2)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := e.MarshalBinary()
	var r Encoder
	if err := r.UnmarshalBinary(data); err != nil {
		t.Fatal(err)
	}
	if !r.NeedsTrainingInputs() || r.Spec != e.Spec || r.Seed != 2 || r.InputDim != 4 {
		t.Errorf("unfitted kernel encoder not restored as unfitted: %+v", r)
	}
	// Fitting both with the same anchors gives the same A (seeded).
	x := randn(5, 4, rand.New(rand.NewPCG(1, 1)))
	if err := e.SetTrainingInputs(x); err != nil {
		t.Fatal(err)
	}
	if err := r.SetTrainingInputs(x); err != nil {
		t.Fatal(err)
	}
	if !sameBits(e.Params()[0].Value, r.Params()[0].Value) {
		t.Error("A differs after fitting the restored encoder")
	}
	if err := r.UnmarshalBinary([]byte("garbage")); !errors.Is(err, ErrFormat) {
		t.Errorf("garbage: err = %v; want ErrFormat", err)
	}
}

func TestParseEncoderTooLarge(t *testing.T) {
	for _, spec := range []string{"linear:1000000000", "mlp:100000,100000,100000", "rff:9223372036854775807,gamma=1|linear:2"} {
		if _, err := ParseEncoder(spec, 100000, 1); !errors.Is(err, ErrSpec) || !strings.Contains(err.Error(), "too large") {
			t.Errorf("%q: err = %v; want ErrSpec (too large)", spec, err)
		}
	}
	// A model as large as its own bytes allow still decodes (nobias, width-1 input).
	e, err := ParseEncoder("mlp:300,nobias,200", 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := e.MarshalBinary()
	if err := new(Encoder).UnmarshalBinary(data); err != nil {
		t.Error(err)
	}
}

func FuzzEncoderUnmarshal(f *testing.F) {
	for _, spec := range []string{"mlp:4,2+bn|proj:3", "rff:5,gamma=1|linear:2", "kernel:linear|2"} {
		e, _ := ParseEncoder(spec, 3, 1)
		if e.NeedsTrainingInputs() {
			_ = e.SetTrainingInputs(mat.NewDense(2, 3, []float64{1, 2, 3, 4, 5, 6}))
		}
		data, _ := e.MarshalBinary()
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var e Encoder
		if err := e.UnmarshalBinary(data); err != nil {
			return
		}
		again, err := e.MarshalBinary()
		if err != nil || string(again) != string(data) {
			t.Errorf("accepted bytes do not round trip")
		}
	})
}

// TestSpecSize: the dry count of SpecSize equals the parameters and
// buffers of the built encoder, and a huge spec is sized without being
// allocated.
func TestSpecSize(t *testing.T) {
	for _, spec := range []string{"linear:4", "linear:3,nobias", "mlp:16,8+bn|proj:8,4", "rff:32,gamma=0.5|mlp:8,2", "mlp:7,5,3|proj:6,nobias"} {
		enc, err := ParseEncoder(spec, 10, 1)
		if err != nil {
			t.Fatal(err)
		}
		sz, err := SpecSize(spec, 10)
		if err != nil {
			t.Fatal(err)
		}
		params, entries := 0, 0
		for _, p := range enc.Params() {
			r, c := p.Value.Dims()
			params += r * c
		}
		for _, p := range enc.tensors() {
			r, c := p.Value.Dims()
			entries += r * c
		}
		if sz.Params != params || sz.Entries < entries || sz.Entries > entries+sz.Params/4+64 {
			t.Errorf("%s: SpecSize %+v; the encoder has %d parameter and %d tensor entries", spec, sz, params, entries)
		}
		if len(sz.Widths) == 0 || sz.Widths[len(sz.Widths)-1] != enc.OutDim() {
			t.Errorf("%s: widths %v; want the last one the output width %d", spec, sz.Widths, enc.OutDim())
		}
	}
	sz, err := SpecSize("mlp:100000000", 784)
	if err != nil || sz.Params < 78_500_000_000 {
		t.Fatalf("SpecSize of a huge MLP: %+v, %v", sz, err)
	}
	if _, err := SpecSize("conv:3", 4); !errors.Is(err, ErrSpec) {
		t.Fatalf("bad spec: %v; want ErrSpec", err)
	}
}

// TestFixedFeatures: for rff|linear, Forward equals φ(X) W + b with φ from
// FixedFeatures and W, b the head's parameters; for a linear encoder φ is
// the identity.
func TestFixedFeatures(t *testing.T) {
	x := mat.NewDense(5, 3, []float64{1, 2, 3, -1, 0, 2, 0.5, 0.5, 0.5, 3, -2, 1, 0, 0, 1})
	enc, err := ParseEncoder("rff:16,gamma=0.3|linear:2", 3, 7)
	if err != nil {
		t.Fatal(err)
	}
	phi, n, err := enc.FixedFeatures(x)
	if err != nil || n != 1 {
		t.Fatalf("FixedFeatures: %d layers, %v; want 1", n, err)
	}
	if _, c := phi.Dims(); c != 16 {
		t.Fatalf("φ has %d columns; want 16", c)
	}
	ps := enc.Params() // head weight (16×2) then bias (1×2)
	want := mat.NewDense(5, 2, nil)
	want.Mul(phi, ps[0].Value)
	for i := range 5 {
		for j := range 2 {
			want.Set(i, j, want.At(i, j)+ps[1].Value.At(0, j))
		}
	}
	got, err := enc.Forward(x, false)
	if err != nil || !mat.EqualApprox(got, want, 1e-12) {
		t.Fatalf("Forward differs from φ(X) W + b (%v)", err)
	}
	lin, _ := ParseEncoder("linear:2", 3, 1)
	if phi, n, err := lin.FixedFeatures(x); err != nil || n != 0 || !mat.Equal(phi, x) {
		t.Fatalf("linear encoder: φ should be the identity (%d layers, %v)", n, err)
	}
}
