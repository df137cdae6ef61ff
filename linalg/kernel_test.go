package linalg_test

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/eigenssl/eigenssl/linalg"
	"gonum.org/v1/gonum/mat"
)

func randMatrix(r *rand.Rand, n, d int) *mat.Dense {
	m := mat.NewDense(n, d, nil)
	m.Apply(func(_, _ int, _ float64) float64 { return r.NormFloat64() }, m)
	return m
}

// Matrix and SelfMatrix agree with the entrywise formula Eval, itself
// written from the definition (differences for rbf, dot products else).
func TestKernelMatrixMatchesEval(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	a, b := randMatrix(r, 70, 5), randMatrix(r, 9, 5)
	for _, k := range []linalg.Kernel{
		{Kind: linalg.KernelLinear},
		{Kind: linalg.KernelRBF, Gamma: 0.3},
		{Kind: linalg.KernelPoly, Gamma: 0.5, Degree: 3, Coef0: 1},
	} {
		if err := k.Validate(); err != nil {
			t.Fatal(err)
		}
		m := k.Matrix(a, b)
		self := k.SelfMatrix(a)
		for i := 0; i < 70; i++ {
			for j := 0; j < 9; j++ {
				want := k.Eval(a.RawRowView(i), b.RawRowView(j))
				if math.Abs(m.At(i, j)-want) > 1e-12*math.Max(1, math.Abs(want)) {
					t.Fatalf("%v Matrix[%d,%d] = %g; Eval %g", k.Kind, i, j, m.At(i, j), want)
				}
			}
			for j := 0; j < 70; j++ {
				want := k.Eval(a.RawRowView(i), a.RawRowView(j))
				if math.Abs(self.At(i, j)-want) > 1e-12*math.Max(1, math.Abs(want)) {
					t.Fatalf("%v SelfMatrix[%d,%d] = %g; Eval %g", k.Kind, i, j, self.At(i, j), want)
				}
				if self.At(i, j) != self.At(j, i) {
					t.Fatalf("%v SelfMatrix not exactly symmetric at %d,%d", k.Kind, i, j)
				}
			}
		}
		if k.Kind == linalg.KernelRBF && self.At(3, 3) != 1 {
			t.Fatalf("rbf diagonal %g; want exactly 1", self.At(3, 3))
		}
	}
}

// The σ convention: exp(−‖x − y‖²/(2σ²)) is Gamma = GammaFromSigma(σ), and
// SigmaFromGamma inverts it.
func TestKernelSigmaConversion(t *testing.T) {
	x, y := []float64{1, 2, 0.5}, []float64{-1, 0.5, 2}
	d2 := 4 + 2.25 + 2.25
	for _, sigma := range []float64{0.3, 1, 2.5} {
		k := linalg.Kernel{Kind: linalg.KernelRBF, Gamma: linalg.GammaFromSigma(sigma)}
		if got, want := k.Eval(x, y), math.Exp(-d2/(2*sigma*sigma)); math.Abs(got-want) > 1e-15 {
			t.Fatalf("σ = %g: %g; want %g", sigma, got, want)
		}
		if s := linalg.SigmaFromGamma(k.Gamma); math.Abs(s-sigma) > 1e-15*sigma {
			t.Fatalf("SigmaFromGamma(GammaFromSigma(%g)) = %g", sigma, s)
		}
	}
}

func TestKernelValidateAndParse(t *testing.T) {
	for _, k := range []linalg.Kernel{
		{Kind: linalg.KernelRBF}, {Kind: linalg.KernelRBF, Gamma: -1}, {Kind: linalg.KernelRBF, Gamma: math.Inf(1)},
		{Kind: linalg.KernelPoly, Gamma: 1}, {Kind: linalg.KernelPoly, Gamma: 1, Degree: 2, Coef0: math.NaN()}, {Kind: 9},
	} {
		if err := k.Validate(); !errors.Is(err, linalg.ErrParam) {
			t.Errorf("%+v: %v; want ErrParam", k, err)
		}
	}
	for _, s := range []string{"linear", "rbf", "poly", "precomputed"} {
		k, err := linalg.ParseKernelKind(s)
		if err != nil || k.String() != s {
			t.Errorf("%q: %v, %v", s, k, err)
		}
	}
	if _, err := linalg.ParseKernelKind("sigmoid"); !errors.Is(err, linalg.ErrParam) {
		t.Errorf("sigmoid: %v; want ErrParam", err)
	}
}

// The RBF kernel of two points at distance 1 with bandwidth σ = 1:
// exp(−1/2).
func ExampleKernel() {
	x := mat.NewDense(2, 1, []float64{0, 1})
	k := linalg.Kernel{Kind: linalg.KernelRBF, Gamma: linalg.GammaFromSigma(1)}
	m := k.SelfMatrix(x)
	fmt.Printf("gamma %.2f\n%.4f %.4f\n%.4f %.4f\n", k.Gamma, m.At(0, 0), m.At(0, 1), m.At(1, 0), m.At(1, 1))
	// Output:
	// gamma 0.50
	// 1.0000 0.6065
	// 0.6065 1.0000
}

// TestMedianSigma: the median of the squared pairwise distances (the upper
// one of an even count), its square root; 1 when it is 0 or undefined.
func TestMedianSigma(t *testing.T) {
	// Rows 0, 1, 3 on a line: squared distances 1, 9, 4, median 4.
	if s := linalg.MedianSigma(mat.NewDense(3, 1, []float64{0, 1, 3})); s != 2 {
		t.Fatalf("three points: %g, want 2", s)
	}
	// Four points 0, 1, 3, 7: squared distances 1, 9, 49, 4, 36, 16;
	// sorted 1 4 9 16 36 49, the upper median 16.
	if s := linalg.MedianSigma(mat.NewDense(4, 1, []float64{0, 1, 3, 7})); s != 4 {
		t.Fatalf("four points: %g, want 4", s)
	}
	for _, x := range []*mat.Dense{mat.NewDense(1, 2, []float64{3, 4}), mat.NewDense(3, 1, []float64{5, 5, 5})} {
		if s := linalg.MedianSigma(x); s != 1 {
			t.Fatalf("%v: %g, want 1", mat.Formatted(x), s)
		}
	}
}

// TestSelectRows copies the chosen rows, repeats included, and shares no
// storage with the input.
func TestSelectRows(t *testing.T) {
	x := mat.NewDense(3, 2, []float64{1, 2, 3, 4, 5, 6})
	got := linalg.SelectRows(x, []int{2, 0, 2})
	want := mat.NewDense(3, 2, []float64{5, 6, 1, 2, 5, 6})
	if !mat.Equal(got, want) {
		t.Fatalf("got %v", mat.Formatted(got))
	}
	got.Set(0, 0, -1)
	if x.At(2, 0) != 5 {
		t.Fatal("SelectRows shares storage with its input")
	}
}
