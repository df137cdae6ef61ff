package linalg

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func TestPrincipalAnglesKnown(t *testing.T) {
	n := 5
	for _, theta := range []float64{0, 1e-9, 1e-4, 0.3, math.Pi / 4, 1.2, math.Pi / 2} {
		a := mat.NewDense(n, 1, nil)
		a.Set(0, 0, 2) // span(e1), not normalised on purpose
		b := mat.NewDense(n, 1, nil)
		b.Set(0, 0, math.Cos(theta))
		b.Set(1, 0, math.Sin(theta))
		got, err := PrincipalAngles(a, b)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || math.Abs(got[0]-theta) > 1e-15*math.Max(1, theta)+1e-16 {
			t.Errorf("theta=%g: got %v", theta, got)
		}
	}
	// span(e1, e2) vs span(e1, cos t e2 + sin t e3) and an extra column in b:
	// angles {0, t} and p = 2.
	th := 0.7
	a := mat.NewDense(n, 2, []float64{1, 0, 0, 1, 0, 0, 0, 0, 0, 0})
	b := mat.NewDense(n, 3, nil)
	b.Set(0, 0, 1)
	b.Set(1, 1, math.Cos(th))
	b.Set(2, 1, math.Sin(th))
	b.Set(4, 2, 1)
	got, err := PrincipalAngles(a, b)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || math.Abs(got[0]) > 1e-15 || math.Abs(got[1]-th) > 1e-14 {
		t.Errorf("got %v; want [0 %v]", got, th)
	}
}

func TestPrincipalAnglesProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	n, k := 30, 4
	a := mat.NewDense(n, k, nil)
	a.Apply(func(i, j int, _ float64) float64 { return rng.NormFloat64() }, a)
	// Same span after an invertible mix: all angles ~0.
	mix := mat.NewDense(k, k, nil)
	mix.Apply(func(i, j int, _ float64) float64 { return rng.NormFloat64() }, mix)
	var b mat.Dense
	b.Mul(a, mix)
	got, err := PrincipalAngles(a, &b)
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range got {
		if g > 1e-12 {
			t.Errorf("same span: angles %v", got)
		}
	}
	// Symmetric in its arguments and equal to acos of the SVD of QaᵀQb.
	c := mat.NewDense(n, k+1, nil)
	c.Apply(func(i, j int, _ float64) float64 { return rng.NormFloat64() }, c)
	g1, _ := PrincipalAngles(a, c)
	g2, _ := PrincipalAngles(c, a)
	qa, _ := Orthonormalize(a)
	qc, _ := Orthonormalize(c)
	var m mat.Dense
	m.Mul(qa.T(), qc)
	var svd mat.SVD
	svd.Factorize(&m, mat.SVDNone)
	s := svd.Values(nil)
	for i := range g1 {
		if math.Abs(g1[i]-g2[i]) > 1e-13 || math.Abs(g1[i]-math.Acos(math.Min(1, s[i]))) > 1e-7 {
			t.Errorf("angle %d: %v %v acos %v", i, g1[i], g2[i], math.Acos(s[i]))
		}
		if i > 0 && g1[i] < g1[i-1] {
			t.Errorf("angles not ascending: %v", g1)
		}
	}
}

func TestOrthonormalize(t *testing.T) {
	// Rank 2 matrix with 3 columns.
	a := mat.NewDense(4, 3, []float64{1, 2, 3, 0, 1, 1, 1, 0, 1, 2, 1, 3})
	q, err := Orthonormalize(a)
	if err != nil {
		t.Fatal(err)
	}
	if _, r := q.Dims(); r != 2 {
		t.Fatalf("rank = %d; want 2", r)
	}
	var g mat.Dense
	g.Mul(q.T(), q)
	if !mat.EqualApprox(&g, mat.NewDiagDense(2, []float64{1, 1}), 1e-14) {
		t.Errorf("QᵀQ = %v", mat.Formatted(&g))
	}
	th, err := PrincipalAngles(q, a.Slice(0, 4, 0, 2))
	if err != nil || th[1] > 1e-13 {
		t.Errorf("span differs: %v %v", th, err)
	}
	if _, err := Orthonormalize(mat.NewDense(3, 2, nil)); !errors.Is(err, ErrParam) {
		t.Errorf("zero matrix: err = %v; want ErrParam", err)
	}
	if _, err := PrincipalAngles(a, mat.NewDense(3, 1, []float64{1, 0, 0})); !errors.Is(err, ErrShape) {
		t.Errorf("row mismatch: err = %v; want ErrShape", err)
	}
	a.Set(1, 1, math.NaN())
	if _, err := PrincipalAngles(a, a); !errors.Is(err, ErrNaN) {
		t.Errorf("NaN: err = %v; want ErrNaN", err)
	}
}

func ExamplePrincipalAngles() {
	// span(e1, e2) and span(e1, cos t e2 + sin t e3) with t = 0.5.
	t := 0.5
	a := mat.NewDense(3, 2, []float64{
		1, 0,
		0, 1,
		0, 0,
	})
	b := mat.NewDense(3, 2, []float64{
		1, 0,
		0, math.Cos(t),
		0, math.Sin(t),
	})
	angles, err := PrincipalAngles(a, b)
	if err != nil {
		panic(err)
	}
	fmt.Printf("%.6f\n", angles)
	// Output:
	// [0.000000 0.500000]
}
