package linalg

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func randSym(n int, rng *rand.Rand) *mat.SymDense {
	a := mat.NewSymDense(n, nil)
	for i := 0; i < n; i++ {
		for j := i; j < n; j++ {
			a.SetSym(i, j, rng.NormFloat64())
		}
	}
	return a
}

func randSPD(n int, rng *rand.Rand) *mat.SymDense {
	x := mat.NewDense(n+3, n, nil)
	for i := 0; i < n+3; i++ {
		for j := 0; j < n; j++ {
			x.Set(i, j, rng.NormFloat64())
		}
	}
	b := mat.NewSymDense(n, nil)
	b.SymOuterK(1, x.T())
	for i := 0; i < n; i++ {
		b.SetSym(i, i, b.At(i, i)+0.1)
	}
	return b
}

// maxAbs returns max |m_ij|.
func maxAbs(m mat.Matrix) float64 {
	r, c := m.Dims()
	s := 0.0
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			s = math.Max(s, math.Abs(m.At(i, j)))
		}
	}
	return s
}

// checkEigPairs checks ‖A V − B V Λ‖, VᵀBV = I (b nil means I), ascending
// values and the sign rule.
func checkEigPairs(t *testing.T, a, b mat.Symmetric, w []float64, v *mat.Dense, tol float64) {
	t.Helper()
	n := a.SymmetricDim()
	_, k := v.Dims()
	if len(w) != k {
		t.Fatalf("got %d values for %d vectors", len(w), k)
	}
	if !sort.Float64sAreSorted(w) {
		t.Errorf("values not ascending: %v", w)
	}
	var av, bv, res, gram mat.Dense
	av.Mul(a, v)
	if b != nil {
		bv.Mul(b, v)
	} else {
		bv.CloneFrom(v)
	}
	res.Apply(func(i, j int, x float64) float64 { return x - bv.At(i, j)*w[j] }, &av)
	scale := math.Max(1, maxAbs(a))
	if r := maxAbs(&res); r > tol*scale*float64(n) {
		t.Errorf("residual max|AV - BVΛ| = %g; want <= %g", r, tol*scale*float64(n))
	}
	gram.Mul(v.T(), &bv)
	for i := 0; i < k; i++ {
		gram.Set(i, i, gram.At(i, i)-1)
	}
	if r := maxAbs(&gram); r > tol*float64(n)*10 {
		t.Errorf("orthonormality max|VᵀBV - I| = %g", r)
	}
	checkSignRule(t, v)
}

func checkSignRule(t *testing.T, v *mat.Dense) {
	t.Helper()
	r, c := v.Dims()
	for j := 0; j < c; j++ {
		best, arg := -1.0, 0
		for i := 0; i < r; i++ {
			if x := math.Abs(v.At(i, j)); x > best {
				best, arg = x, i
			}
		}
		if v.At(arg, j) < 0 {
			t.Errorf("column %d violates the sign rule: entry %d = %g", j, arg, v.At(arg, j))
		}
	}
}

func TestEigSym(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{1, 2, 7, 40, 120} {
		a := randSym(n, rng)
		w, v, err := EigSym(a)
		if err != nil {
			t.Fatalf("n=%d: %v", n, err)
		}
		checkEigPairs(t, a, nil, w, v, 1e-13)
		// Independent values: gonum's own dsyev.
		var es mat.EigenSym
		if !es.Factorize(a, false) {
			t.Fatal("mat.EigenSym failed")
		}
		want := es.Values(nil)
		for i := range want {
			if math.Abs(w[i]-want[i]) > 1e-11*math.Max(1, math.Abs(want[i])) {
				t.Errorf("n=%d value %d = %v; want %v", n, i, w[i], want[i])
			}
		}
	}
}

func TestEigSymKnown(t *testing.T) {
	// Path graph Laplacian P_n has eigenvalues 2 - 2cos(pi k / n).
	n := 9
	a := mat.NewSymDense(n, nil)
	for i := 0; i < n-1; i++ {
		a.SetSym(i, i+1, -1)
		a.SetSym(i, i, a.At(i, i)+1)
		a.SetSym(i+1, i+1, a.At(i+1, i+1)+1)
	}
	w, _, err := EigSym(a)
	if err != nil {
		t.Fatal(err)
	}
	for k := 0; k < n; k++ {
		want := 2 - 2*math.Cos(math.Pi*float64(k)/float64(n))
		if math.Abs(w[k]-want) > 1e-13 {
			t.Errorf("value %d = %v; want %v", k, w[k], want)
		}
	}
}

func TestEigSymRange(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	n := 60
	a := randSym(n, rng)
	wAll, vAll, err := EigSym(a)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range [][2]int{{0, 5}, {n - 4, n}, {10, 31}, {0, n}} {
		w, v, err := EigSymRange(a, r[0], r[1])
		if err != nil {
			t.Fatalf("range %v: %v", r, err)
		}
		checkEigPairs(t, a, nil, w, v, 1e-13)
		for i := range w {
			if math.Abs(w[i]-wAll[r[0]+i]) > 1e-12 {
				t.Errorf("range %v value %d = %v; want %v", r, i, w[i], wAll[r[0]+i])
			}
		}
		th, err := PrincipalAngles(v, vAll.Slice(0, n, r[0], r[1]))
		if err != nil {
			t.Fatal(err)
		}
		if th[len(th)-1] > 1e-9 {
			t.Errorf("range %v: subspace angle %g", r, th[len(th)-1])
		}
	}
	for _, r := range [][2]int{{-1, 3}, {3, 3}, {0, n + 1}, {5, 2}} {
		if _, _, err := EigSymRange(a, r[0], r[1]); !errors.Is(err, ErrParam) {
			t.Errorf("range %v: err = %v; want ErrParam", r, err)
		}
	}
}

func TestEigSymErrors(t *testing.T) {
	a := mat.NewSymDense(3, []float64{1, 2, 3, 2, 4, 5, 3, 5, 6})
	a.SetSym(1, 2, math.NaN())
	if _, _, err := EigSym(a); !errors.Is(err, ErrNaN) {
		t.Errorf("NaN: err = %v; want ErrNaN", err)
	}
	a.SetSym(1, 2, math.Inf(-1))
	if _, _, err := EigSym(a); !errors.Is(err, ErrNaN) {
		t.Errorf("Inf: err = %v; want ErrNaN", err)
	}
	var e *Error
	if _, _, err := EigSym(a); !errors.As(err, &e) || e.Op != "eigsym" || e.Param != "a[1,2]" {
		t.Errorf("err = %#v; want *Error naming a[1,2]", err)
	}
	if _, _, err := EigSym(&mat.SymDense{}); !errors.Is(err, ErrEmpty) {
		t.Errorf("empty: err = %v; want ErrEmpty", err)
	}
	if _, _, err := EigSym(nil); !errors.Is(err, ErrEmpty) {
		t.Errorf("nil: err = %v; want ErrEmpty", err)
	}
}

func TestSignFlip(t *testing.T) {
	m := mat.NewDense(3, 4, []float64{
		1, -3, 2, 0,
		-2, 3, -2, 0,
		0.5, 1, 1, 0,
	})
	SignFlip(m)
	want := mat.NewDense(3, 4, []float64{
		-1, 3, 2, 0, // column 0: max |.| is -2 at row 1 -> flipped
		2, -3, -2, 0, // column 1: tie 3 at rows 0,1; first (row 0, -3) -> flipped
		-0.5, -1, 1, 0, // column 2: tie rows 0,1; first is +2 -> kept
	})
	if !mat.Equal(m, want) {
		t.Errorf("SignFlip got\n%v\nwant\n%v", mat.Formatted(m), mat.Formatted(want))
	}
	// Property: idempotent and invariant to the input sign.
	rng := rand.New(rand.NewPCG(5, 6))
	x := mat.NewDense(20, 6, nil)
	for i := 0; i < 20; i++ {
		for j := 0; j < 6; j++ {
			x.Set(i, j, rng.NormFloat64())
		}
	}
	y := mat.DenseCopyOf(x)
	y.Scale(-1, y)
	SignFlip(x)
	SignFlip(y)
	if !mat.Equal(x, y) {
		t.Error("SignFlip(x) != SignFlip(-x)")
	}
	checkSignRule(t, x)
	z := mat.DenseCopyOf(x)
	SignFlip(z)
	if !mat.Equal(x, z) {
		t.Error("SignFlip not idempotent")
	}
}

func TestGenEigSym(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, n := range []int{1, 5, 30, 80} {
		a := randSym(n, rng)
		b := randSPD(n, rng)
		w, v, err := GenEigSym(a, b)
		if err != nil {
			t.Fatalf("n=%d: %v", n, err)
		}
		checkEigPairs(t, a, b, w, v, 1e-11)
		// Values against the dense reduction by the symmetric square root
		// B^{-1/2} A B^{-1/2}, an independent route.
		bw, bv, err := EigSym(b)
		if err != nil {
			t.Fatal(err)
		}
		var bi mat.Dense
		bi.Apply(func(i, j int, x float64) float64 { return x / math.Sqrt(bw[j]) }, bv)
		var c mat.Dense
		c.Product(bi.T(), a, &bi)
		cs := mat.NewSymDense(n, nil)
		for i := 0; i < n; i++ {
			for j := i; j < n; j++ {
				cs.SetSym(i, j, 0.5*(c.At(i, j)+c.At(j, i)))
			}
		}
		want, _, err := EigSym(cs)
		if err != nil {
			t.Fatal(err)
		}
		for i := range want {
			if math.Abs(w[i]-want[i]) > 1e-8*math.Max(1, math.Abs(want[i])) {
				t.Errorf("n=%d value %d = %v; want %v", n, i, w[i], want[i])
			}
		}
		if n >= 5 {
			wr, vr, err := GenEigSymRange(a, b, 1, 4)
			if err != nil {
				t.Fatal(err)
			}
			checkEigPairs(t, a, b, wr, vr, 1e-11)
			for i := range wr {
				if math.Abs(wr[i]-w[1+i]) > 1e-10*math.Max(1, math.Abs(w[1+i])) {
					t.Errorf("range value %d = %v; want %v", i, wr[i], w[1+i])
				}
			}
		}
	}
}

func TestGenEigSymErrors(t *testing.T) {
	a := mat.NewSymDense(2, []float64{1, 0, 0, 1})
	indef := mat.NewSymDense(2, []float64{1, 2, 2, 1}) // eigenvalues 3, -1
	_, _, err := GenEigSym(a, indef)
	var e *Error
	if !errors.Is(err, ErrNotPositiveDefinite) || !errors.As(err, &e) || e.Param != "b" {
		t.Errorf("indefinite B: err = %v; want ErrNotPositiveDefinite naming b", err)
	}
	if _, _, err := GenEigSym(a, mat.NewSymDense(3, nil)); !errors.Is(err, ErrShape) {
		t.Errorf("size mismatch: err = %v; want ErrShape", err)
	}
	bad := mat.NewSymDense(2, []float64{1, math.NaN(), math.NaN(), 1})
	if _, _, err := GenEigSym(a, bad); !errors.Is(err, ErrNaN) {
		t.Errorf("NaN in B: err = %v; want ErrNaN", err)
	}
}

func ExampleEigSym() {
	a := mat.NewSymDense(3, []float64{
		4, 1, 0,
		1, 3, 1,
		0, 1, 1,
	})
	values, vectors, err := EigSym(a)
	if err != nil {
		panic(err)
	}
	for i, v := range values {
		// Values and vectors (up to sign) agree with numpy.linalg.eigh.
		fmt.Printf("λ%d = %.4f  v = %.4f\n", i, v, mat.Col(nil, i, vectors))
	}
	// Output:
	// λ0 = 0.5395  v = [0.1200 -0.4153 0.9018]
	// λ1 = 2.7609  v = [-0.5744 0.7118 0.4042]
	// λ2 = 4.6996  v = [0.8097 0.5665 0.1531]
}
