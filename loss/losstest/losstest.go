// Package losstest holds conformance checks that every loss.Loss must pass:
// gradients against central finite differences, determinism, refusal of
// non-finite input, inputs read through their stride and left untouched,
// and consistency of the value with and without the gradient. Tests of
// other packages implementing losses may import it.
package losstest

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/eigenssl/eigenssl/loss"
	"gonum.org/v1/gonum/mat"
)

// maxEntries bounds the number of entries checked per input; larger inputs
// are sampled with a fixed seed.
const maxEntries = 300

// inputsOf returns the representation inputs of in by gradient key.
func inputsOf(in loss.Inputs) map[string]*mat.Dense {
	m := map[string]*mat.Dense{}
	if in.Z1 != nil {
		m[loss.KeyZ1] = in.Z1
	}
	if in.Z2 != nil {
		m[loss.KeyZ2] = in.Z2
	}
	if in.Z != nil {
		m[loss.KeyZ] = in.Z
	}
	return m
}

// CheckGradient compares the gradient returned by l.Eval with central
// finite differences (f(x+h) - f(x-h)) / 2h, h = 1e-5 max(1, |x|), entry by
// entry (a seeded sample of at most 300 entries per input). It fails t when
// |fd - grad| > tol * max(1, max |grad|) for any entry, when a gradient is
// missing or misshapen, or when the value differs between wantGrad true and
// false. The inputs are restored before it returns. Use points away from the
// kinks of the loss.
func CheckGradient(t testing.TB, l loss.Loss, in loss.Inputs, tol float64) {
	t.Helper()
	res, err := l.Eval(in, true)
	if err != nil {
		t.Fatalf("%s: Eval: %v", l.Name(), err)
	}
	plain, err := l.Eval(in, false)
	if err != nil {
		t.Fatalf("%s: Eval(wantGrad=false): %v", l.Name(), err)
	}
	if plain.Value != res.Value || plain.Grad != nil {
		t.Errorf("%s: Eval(false) = %v (grad %v); Eval(true) = %v", l.Name(), plain.Value, plain.Grad != nil, res.Value)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for key, x := range inputsOf(in) {
		g, ok := res.Grad[key]
		if !ok {
			t.Errorf("%s: no gradient for %s", l.Name(), key)
			continue
		}
		r, c := x.Dims()
		if gr, gc := g.Dims(); gr != r || gc != c {
			t.Errorf("%s: gradient %s is %dx%d; want %dx%d", l.Name(), key, gr, gc, r, c)
			continue
		}
		scale := 1.0
		for i := 0; i < r; i++ {
			for j := 0; j < c; j++ {
				scale = math.Max(scale, math.Abs(g.At(i, j)))
			}
		}
		idx := make([][2]int, 0, r*c)
		for i := 0; i < r; i++ {
			for j := 0; j < c; j++ {
				idx = append(idx, [2]int{i, j})
			}
		}
		if len(idx) > maxEntries {
			rng.Shuffle(len(idx), func(a, b int) { idx[a], idx[b] = idx[b], idx[a] })
			idx = idx[:maxEntries]
		}
		worst := 0.0
		for _, ij := range idx {
			i, j := ij[0], ij[1]
			x0 := x.At(i, j)
			h := 1e-5 * math.Max(1, math.Abs(x0))
			x.Set(i, j, x0+h)
			fp, err1 := l.Eval(in, false)
			x.Set(i, j, x0-h)
			fm, err2 := l.Eval(in, false)
			x.Set(i, j, x0)
			if err1 != nil || err2 != nil {
				t.Fatalf("%s: Eval at perturbed point: %v %v", l.Name(), err1, err2)
			}
			fd := (fp.Value - fm.Value) / (2 * h)
			worst = math.Max(worst, math.Abs(fd-g.At(i, j)))
			if d := math.Abs(fd - g.At(i, j)); d > tol*scale {
				t.Errorf("%s: d/d%s[%d,%d]: got %.12g; finite difference %.12g (diff %.3g > %.3g)",
					l.Name(), key, i, j, g.At(i, j), fd, d, tol*scale)
				return
			}
		}
		t.Logf("%s: %s: max |grad - fd| = %.3g (scale %.3g)", l.Name(), key, worst, scale)
	}
}

// CheckRejectsNaN verifies that a NaN and an Inf in each representation
// input are refused with an error wrapping loss.ErrNaN.
func CheckRejectsNaN(t testing.TB, l loss.Loss, in loss.Inputs) {
	t.Helper()
	for key, x := range inputsOf(in) {
		for _, bad := range []float64{math.NaN(), math.Inf(1)} {
			x0 := x.At(0, 0)
			x.Set(0, 0, bad)
			_, err := l.Eval(in, true)
			x.Set(0, 0, x0)
			if !errors.Is(err, loss.ErrNaN) {
				t.Errorf("%s: %s[0,0] = %v: got error %v; want ErrNaN", l.Name(), key, bad, err)
			}
		}
	}
}

// CheckDeterministic verifies that two evaluations give bit-identical
// values and gradients.
func CheckDeterministic(t testing.TB, l loss.Loss, in loss.Inputs) {
	t.Helper()
	a, err := l.Eval(in, true)
	if err != nil {
		t.Fatalf("%s: %v", l.Name(), err)
	}
	b, err := l.Eval(in, true)
	if err != nil {
		t.Fatalf("%s: %v", l.Name(), err)
	}
	if a.Value != b.Value {
		t.Errorf("%s: value %v then %v", l.Name(), a.Value, b.Value)
	}
	for k, g := range a.Grad {
		if !mat.Equal(g, b.Grad[k]) {
			t.Errorf("%s: gradient %s differs between two calls", l.Name(), k)
		}
	}
}

// CheckInputsUnchanged verifies that Eval leaves its representations
// untouched and reads them through their stride: the value and gradients
// on row-strided views (each input a column block of a wider matrix, as a
// branch of a stacked batch is) are bit-identical to those on contiguous
// copies, and neither evaluation writes to its inputs.
func CheckInputsUnchanged(t testing.TB, l loss.Loss, in loss.Inputs) {
	t.Helper()
	strided := in
	ptr := map[string]**mat.Dense{loss.KeyZ1: &strided.Z1, loss.KeyZ2: &strided.Z2, loss.KeyZ: &strided.Z}
	before := map[string]*mat.Dense{}
	for k, z := range inputsOf(in) {
		r, c := z.Dims()
		wide := mat.NewDense(r, c+3, nil)
		for i := range r {
			row := wide.RawRowView(i)
			for j := range row {
				row[j] = math.NaN() // read through the stride, never past it
			}
		}
		v := wide.Slice(0, r, 1, c+1).(*mat.Dense)
		v.Copy(z)
		*ptr[k] = v
		before[k] = mat.DenseCopyOf(z)
	}
	a, err := l.Eval(in, true)
	if err != nil {
		t.Fatalf("%s: %v", l.Name(), err)
	}
	b, err := l.Eval(strided, true)
	if err != nil {
		t.Fatalf("%s on strided inputs: %v", l.Name(), err)
	}
	if math.Float64bits(a.Value) != math.Float64bits(b.Value) {
		t.Errorf("%s: value %v on contiguous inputs, %v on strided views", l.Name(), a.Value, b.Value)
	}
	for k, g := range a.Grad {
		if !mat.Equal(g, b.Grad[k]) {
			t.Errorf("%s: gradient %s differs between contiguous and strided inputs", l.Name(), k)
		}
	}
	for k, z := range inputsOf(in) {
		if !mat.Equal(z, before[k]) || !mat.Equal(inputsOf(strided)[k], before[k]) {
			t.Errorf("%s: Eval modified its input %s", l.Name(), k)
		}
	}
}
