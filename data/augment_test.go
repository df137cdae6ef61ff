package data

import (
	"errors"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"

	"github.com/eigenssl/eigenssl/graph"
	"gonum.org/v1/gonum/mat"
)

func TestParseAugment(t *testing.T) {
	p, err := ParseAugment(" shift:2 + noise:0.1+rotate:10+cutout:3+mask:0.2+jitter:0.05+elastic:2,1.5 ", [2]int{8, 8})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := p.String(), "shift:2+noise:0.1+rotate:10+cutout:3+mask:0.2+jitter:0.05+elastic:2,1.5"; got != want || p.Dim != 64 {
		t.Fatalf("got %q (dim %d); want %q (dim 64)", got, p.Dim, want)
	}
	for _, spec := range []string{"", "none"} {
		if p, err := ParseAugment(spec, [2]int{}); err != nil || len(p.Ops) != 0 {
			t.Fatalf("%q: %v %v", spec, p, err)
		}
	}
	for _, spec := range []string{"blur:1", "shift:1,2", "shift:1.5", "noise:x", "mask:2", "noise:-1",
		"resample-class", "elastic:1", "noise:1,2", "noise:NaN"} {
		if _, err := ParseAugment(spec, [2]int{8, 8}); !errors.Is(err, ErrParam) {
			t.Errorf("%q: got %v; want ErrParam", spec, err)
		}
	}
	def, err := ParseAugment("shift+noise", [2]int{8, 8})
	if err != nil || def.String() != "shift:2+noise:0.1" {
		t.Errorf("defaults: got %v, %v; want shift:2+noise:0.1", def, err)
	}
	if _, err := ParseAugment("shift:1", [2]int{}); !errors.Is(err, ErrParam) {
		t.Errorf("image op without image shape: got %v; want ErrParam", err)
	}
}

func ramp(n int) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = float64(i + 1)
	}
	return x
}

func TestShiftIsATranslation(t *testing.T) {
	const h, w = 5, 6
	p, _ := ParseAugment("shift:2", [2]int{h, w})
	x := ramp(h * w)
	rng := rand.New(rand.NewPCG(1, 2))
	seen := map[[2]int]bool{}
	for range 200 {
		dst := make([]float64, h*w)
		p.Apply(dst, x, rng)
		// Find the translation that explains dst.
		found := false
		for dy := -2; dy <= 2 && !found; dy++ {
			for dx := -2; dx <= 2 && !found; dx++ {
				ok := true
				for i := range h {
					for j := range w {
						want := 0.0
						if si, sj := i-dy, j-dx; si >= 0 && si < h && sj >= 0 && sj < w {
							want = x[si*w+sj]
						}
						ok = ok && dst[i*w+j] == want
					}
				}
				if ok {
					found = true
					seen[[2]int{dy, dx}] = true
				}
			}
		}
		if !found {
			t.Fatalf("output is no translation within ±2: %v", dst)
		}
	}
	if len(seen) != 25 {
		t.Fatalf("saw %d of the 25 translations", len(seen))
	}
}

func TestRotateCutoutElastic(t *testing.T) {
	const s = 15
	disk := make([]float64, s*s)
	for i := range s {
		for j := range s {
			if math.Hypot(float64(i-7), float64(j-7)) <= 4 {
				disk[i*s+j] = 1
			}
		}
	}
	bump := make([]float64, s*s)
	for i := range s {
		for j := range s {
			bump[i*s+j] = math.Exp(-(math.Pow(float64(i-7), 2) + math.Pow(float64(j-7), 2)) / 8)
		}
	}
	rng := rand.New(rand.NewPCG(3, 4))
	rot, _ := ParseAugment("rotate:180", [2]int{s, s})
	zero, _ := ParseAugment("rotate:0+elastic:0,2", [2]int{s, s})
	for range 20 {
		dst := make([]float64, s*s)
		rot.Apply(dst, disk, rng)
		// A centred radial bump is invariant up to bilinear interpolation
		// error (h²/8 times the second derivatives, below 0.06); the centre is exact.
		rot.Apply(dst, bump, rng)
		if dst[7*s+7] != 1 {
			t.Fatalf("rotation moved the centre")
		}
		for i := range dst {
			if math.Abs(dst[i]-bump[i]) > 0.06 {
				t.Fatalf("rotated bump differs by %v at %d", dst[i]-bump[i], i)
			}
		}
		// An off-centre pixel keeps its distance from the centre.
		dot := make([]float64, s*s)
		dot[7*s+12] = 1
		rot.Apply(dst, dot, rng)
		var m, r float64
		for i, v := range dst {
			m += v
			r += v * math.Hypot(float64(i/s-7), float64(i%s-7))
		}
		if math.Abs(m-1) > 0.25 || math.Abs(r/m-5) > 0.5 {
			t.Fatalf("rotated dot: mass %v, radius %v; want 1, 5", m, r/m)
		}
		zero.Apply(dst, disk, rng)
		if !slices.Equal(dst, disk) {
			t.Fatalf("rotate:0 + elastic:0 is not the identity")
		}
	}
	ones := make([]float64, s*s)
	for i := range ones {
		ones[i] = 1
	}
	cut, _ := ParseAugment("cutout:4", [2]int{s, s})
	el, _ := ParseAugment("elastic:3,2", [2]int{s, s})
	changed := false
	for range 50 {
		dst := slices.Clone(ones)
		cut.Apply(dst, dst, rng) // in place
		z := 0
		for _, v := range dst {
			if v == 0 {
				z++
			} else if v != 1 {
				t.Fatalf("cutout changed a pixel to %v", v)
			}
		}
		if z < 4 || z > 16 {
			t.Fatalf("cutout zeroed %d pixels; want 4..16 (clipped 4x4)", z)
		}
		e := make([]float64, s*s)
		el.Apply(e, disk, rng)
		changed = changed || !slices.Equal(e, disk)
	}
	if !changed {
		t.Fatal("elastic:3,2 never changed the image")
	}
}

func TestVectorAugmentStatistics(t *testing.T) {
	const d = 20000
	x := make([]float64, d)
	for i := range x {
		x[i] = 1 + float64(i%7)
	}
	rng := rand.New(rand.NewPCG(5, 6))
	noise, _ := ParseAugment("noise:0.3", [2]int{})
	mask, _ := ParseAugment("mask:0.25", [2]int{})
	dst := make([]float64, d)
	noise.Apply(dst, x, rng)
	var s1, s2 float64
	for i := range x {
		e := dst[i] - x[i]
		s1 += e
		s2 += e * e
	}
	if m, sd := s1/d, math.Sqrt(s2/d); math.Abs(m) > 0.01 || math.Abs(sd-0.3) > 0.01 {
		t.Fatalf("noise mean %v sd %v; want 0, 0.3", m, sd)
	}
	mask.Apply(dst, x, rng)
	z := 0
	for i := range x {
		if dst[i] == 0 {
			z++
		} else if dst[i] != x[i] {
			t.Fatal("mask changed a kept coordinate")
		}
	}
	if f := float64(z) / d; math.Abs(f-0.25) > 0.015 {
		t.Fatalf("mask fraction %v; want 0.25", f)
	}
	// Jitter: E||E x||^2 = ||x||^2, so ||dst - x|| ≈ eps ||x||.
	jit, _ := ParseAugment("jitter:0.1", [2]int{})
	xs := x[:400]
	js := make([]float64, 400)
	ratio := 0.0
	for range 20 {
		jit.Apply(js, xs, rng)
		ratio += dist(js, xs) / norm(xs) / 20
	}
	if math.Abs(ratio-0.1) > 0.01 {
		t.Fatalf("jitter relative change %v; want 0.1", ratio)
	}
}

func dist(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += (a[i] - b[i]) * (a[i] - b[i])
	}
	return math.Sqrt(s)
}

func norm(a []float64) float64 { return dist(a, make([]float64, len(a))) }

func TestResampleLatent(t *testing.T) {
	ds, err := Latent(50, LatentConfig{Seed: 1, Noise: -1})
	if err != nil {
		t.Fatal(err)
	}
	lm := ds.Latent
	for _, tc := range []struct {
		spec           string
		fixed, changed *mat.Dense
	}{
		{"resample-nuisance", lm.ClassDirs, lm.NuisanceDirs},
		{"resample-class", lm.NuisanceDirs, lm.ClassDirs},
	} {
		p, err := ParseAugmentFor(tc.spec, ds)
		if err != nil {
			t.Fatal(err)
		}
		v, _, err := MakeViews(ds.X, 2, p, 9)
		if err != nil {
			t.Fatal(err)
		}
		var f0, f1, c0, c1 mat.Dense
		f0.Mul(v.Slice(0, 50, 0, 20), tc.fixed)
		f1.Mul(v.Slice(50, 100, 0, 20), tc.fixed)
		c0.Mul(v.Slice(0, 50, 0, 20), tc.changed)
		c1.Mul(v.Slice(50, 100, 0, 20), tc.changed)
		var orig mat.Dense
		orig.Mul(ds.X, tc.fixed)
		if !mat.EqualApprox(&f0, &orig, 1e-10) || !mat.EqualApprox(&f1, &orig, 1e-10) {
			t.Fatalf("%s changed the kept latents", tc.spec)
		}
		if mat.EqualApprox(&c0, &c1, 1e-3) {
			t.Fatalf("%s did not change the resampled latents", tc.spec)
		}
	}
	// The probability dials how many views get new class latents.
	p, err := ParseAugmentFor("resample-class:0.3", ds)
	if err != nil || p.String() != "resample-class:0.3" {
		t.Fatalf("resample-class:0.3: %v %v", p, err)
	}
	big, _ := Latent(2000, LatentConfig{Seed: 2, Noise: -1})
	p, _ = ParseAugmentFor("resample-class:0.3", big)
	v, _, _ := MakeViews(big.X, 2, p, 3)
	changed := 0
	for i := range 4000 {
		if dist(v.RawRowView(i), big.X.RawRowView(i%2000)) > 1e-9 {
			changed++
		}
	}
	if f := float64(changed) / 4000; math.Abs(f-0.3) > 0.03 {
		t.Fatalf("resample-class:0.3 changed %v of the views; want 0.3", f)
	}
	if _, err := ParseAugmentFor("resample-class:2", big); !errors.Is(err, ErrParam) {
		t.Fatalf("probability 2: got %v; want ErrParam", err)
	}
	if _, err := ParseAugmentFor("resample-class", &Dataset{}); !errors.Is(err, ErrParam) {
		t.Fatalf("resample on non-latent data: got %v; want ErrParam", err)
	}
}

func TestMakeViews(t *testing.T) {
	ds, err := Digits()
	if err != nil {
		t.Fatal(err)
	}
	x := ds.Subset([]int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}).X
	aug, _ := ParseAugment("shift:1+noise:0.01", ds.ImageShape)
	const V = 3
	v, g, err := MakeViews(x, V, aug, 42)
	if err != nil {
		t.Fatal(err)
	}
	if r, c := v.Dims(); r != 36 || c != 64 || g.N != 36 {
		t.Fatalf("views %dx%d, graph N %d; want 36x64, 36", r, c, g.N)
	}
	want, _, _ := graph.Views(12, V)
	if !mat.Equal(g.Dense(), want.Dense()) {
		t.Fatal("views graph differs from graph.Views(12, 3)")
	}
	// The graph links exactly the rows made from one original: every row is
	// closer (after undoing nothing) to its own original than the noise
	// level allows for any other, with identical shift:0 views.
	noiseOnly, _ := ParseAugment("noise:0.01", ds.ImageShape)
	vn, gn, _ := MakeViews(x, V, noiseOnly, 1)
	for i := range 36 {
		best, bd := -1, math.Inf(1)
		for n := range 12 {
			if d := dist(vn.RawRowView(i), x.RawRowView(n)); d < bd {
				best, bd = n, d
			}
		}
		var nb []int
		for k := gn.RowPtr[i]; k < gn.RowPtr[i+1]; k++ {
			nb = append(nb, gn.Col[k])
		}
		var same []int
		for j := range 36 {
			if j != i && j%12 == best {
				same = append(same, j)
			}
		}
		if !slices.Equal(nb, same) {
			t.Fatalf("row %d (a view of sample %d) has graph neighbours %v; want %v", i, best, nb, same)
		}
	}
	// Reproducible, seed-dependent, independent of the number of threads.
	v2, _, _ := MakeViews(x, V, aug, 42)
	old := runtime.GOMAXPROCS(1)
	v1, _, _ := MakeViews(x, V, aug, 42)
	runtime.GOMAXPROCS(old)
	v3, _, _ := MakeViews(x, V, aug, 43)
	if !mat.Equal(v, v2) || !mat.Equal(v, v1) || mat.Equal(v, v3) {
		t.Fatal("MakeViews is not a function of (x, V, aug, seed)")
	}
	// Enough samples for several goroutines (linalg.ParallelRange, grain 8):
	// the same bits as one thread.
	idx := make([]int, 100)
	for i := range idx {
		idx[i] = i
	}
	xb := ds.Subset(idx).X
	vp, _, err := MakeViews(xb, V, aug, 7)
	if err != nil {
		t.Fatal(err)
	}
	old = runtime.GOMAXPROCS(1)
	vs, _, _ := MakeViews(xb, V, aug, 7)
	runtime.GOMAXPROCS(old)
	if !mat.Equal(vp, vs) {
		t.Fatal("MakeViews on 100 samples depends on the number of threads")
	}
	if _, _, err := MakeViews(x, 1, aug, 1); !errors.Is(err, ErrParam) {
		t.Fatalf("V=1: got %v; want ErrParam", err)
	}
	if _, _, err := MakeViews(mat.NewDense(3, 5, nil), 2, aug, 1); !errors.Is(err, ErrShape) {
		t.Fatalf("wrong width: got %v; want ErrShape", err)
	}
}
