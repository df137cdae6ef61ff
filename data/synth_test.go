package data

import (
	"errors"
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func TestGeneratorsGeometry(t *testing.T) {
	const n = 400
	const tol = 1e-12
	m, err := Moons(n, -1, 1)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := Circles(n, 0.3, -1, 1)
	sr, _ := SwissRoll(n, 5, -1, 1)
	sc, _ := SCurve(n, 3, -1, 1)
	for i := range n {
		x, y := m.X.At(i, 0), m.X.At(i, 1)
		if m.Y[i] == 1 {
			x, y = 1-x, 0.5-y
		}
		if math.Abs(math.Hypot(x, y)-1) > tol || y < -tol {
			t.Fatalf("moons sample %d (class %d) off its half circle", i, m.Y[i])
		}
		r := []float64{1, 0.3}[c.Y[i]]
		if math.Abs(math.Hypot(c.X.At(i, 0), c.X.At(i, 1))-r) > tol {
			t.Fatalf("circles sample %d off radius %v", i, r)
		}
		// Swiss roll: t = |(x, z)|, x = t cos t, label = bin of t.
		tt := math.Hypot(sr.X.At(i, 0), sr.X.At(i, 2))
		if math.Abs(sr.X.At(i, 0)-tt*math.Cos(tt)) > 1e-9 || sr.Y[i] != binLabel(tt, 1.5*math.Pi, 4.5*math.Pi, 5) {
			t.Fatalf("swiss roll sample %d inconsistent", i)
		}
		if h := sr.X.At(i, 1); h < 0 || h > 21 {
			t.Fatalf("swiss roll height %v", h)
		}
		// S-curve: cos t = 1 - |z| and sin t = x.
		if x, z := sc.X.At(i, 0), sc.X.At(i, 2); math.Abs(x*x+(1-math.Abs(z))*(1-math.Abs(z))-1) > 1e-9 {
			t.Fatalf("s-curve sample %d off the curve", i)
		}
	}
	for _, ds := range []*Dataset{m, c, sr, sc} {
		seen := make([]int, ds.Classes)
		for _, y := range ds.Y {
			seen[y]++
		}
		for k, cnt := range seen {
			if cnt == 0 {
				t.Fatalf("%s: class %d empty", ds.Name, k)
			}
		}
	}
	if _, err := Moons(0, 0, 1); !errors.Is(err, ErrParam) {
		t.Fatalf("Moons(0): got %v; want ErrParam", err)
	}
	if _, err := Circles(10, 1.5, 0, 1); !errors.Is(err, ErrParam) {
		t.Fatalf("Circles factor 1.5: got %v; want ErrParam", err)
	}
}

func TestBlobsSeparated(t *testing.T) {
	ds, err := Blobs(300, 4, 10, 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	// Nearest class mean recovers the labels: centres in [-10,10]^10 are
	// typically ~25 apart, far beyond the unit cluster std.
	means := mat.NewDense(4, 10, nil)
	cnt := make([]float64, 4)
	for i, y := range ds.Y {
		cnt[y]++
		for j := range 10 {
			means.Set(y, j, means.At(y, j)+ds.X.At(i, j))
		}
	}
	for c := range 4 {
		for j := range 10 {
			means.Set(c, j, means.At(c, j)/cnt[c])
		}
	}
	for i, y := range ds.Y {
		best, bd := -1, math.Inf(1)
		for c := range 4 {
			d := 0.0
			for j := range 10 {
				d += math.Pow(ds.X.At(i, j)-means.At(c, j), 2)
			}
			if d < bd {
				best, bd = c, d
			}
		}
		if best != y {
			t.Fatalf("sample %d nearest to mean %d, label %d", i, best, y)
		}
	}
}

func TestLatentModel(t *testing.T) {
	cfg := LatentConfig{ClassDims: 2, NuisanceDims: 3, Classes: 3, AmbientDim: 8, Noise: -1, Seed: 4}
	ds, err := Latent(3000, cfg)
	if err != nil {
		t.Fatal(err)
	}
	lm := ds.Latent
	a := mat.NewDense(8, 5, nil)
	a.Augment(lm.ClassDirs, lm.NuisanceDirs)
	var ata mat.Dense
	ata.Mul(a.T(), a)
	if !mat.EqualApprox(&ata, eye(5), 1e-12) {
		t.Fatalf("directions not orthonormal:\n%v", mat.Formatted(&ata))
	}
	// Without noise, class coordinates scatter with ClassSpread around the
	// class mean and nuisance coordinates with NuisanceScale.
	var zc, zu mat.Dense
	zc.Mul(ds.X, lm.ClassDirs)
	zu.Mul(ds.X, lm.NuisanceDirs)
	var sc, su float64
	for i, y := range ds.Y {
		for j := range 2 {
			sc += math.Pow(zc.At(i, j)-lm.Means.At(y, j), 2)
		}
		for j := range 3 {
			su += math.Pow(zu.At(i, j), 2)
		}
	}
	sc, su = math.Sqrt(sc/6000), math.Sqrt(su/9000)
	if math.Abs(sc-0.5) > 0.05 || math.Abs(su-2) > 0.2 {
		t.Fatalf("latent spreads %v, %v; want 0.5, 2", sc, su)
	}
	// The residual outside the latent span is zero without noise.
	var proj, res mat.Dense
	proj.Mul(ds.X, a)
	res.Mul(&proj, a.T())
	res.Sub(ds.X, &res)
	if mat.Norm(&res, math.Inf(1)) > 1e-10 {
		t.Fatalf("x leaves the latent span by %v", mat.Norm(&res, math.Inf(1)))
	}
	if _, err := Latent(10, LatentConfig{ClassDims: 5, NuisanceDims: 5, AmbientDim: 6}); !errors.Is(err, ErrParam) {
		t.Fatalf("small ambient dim: got %v; want ErrParam", err)
	}
}

func eye(n int) *mat.Dense {
	m := mat.NewDense(n, n, nil)
	for i := range n {
		m.Set(i, i, 1)
	}
	return m
}
