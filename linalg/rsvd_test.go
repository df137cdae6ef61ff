package linalg

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// lowRankPlusNoise returns U diag(s) Vᵀ + noise·N(0,1) with random
// orthonormal U, V and the given singular values.
func lowRankPlusNoise(m, n int, s []float64, noise float64, rng *rand.Rand) *mat.Dense {
	r := len(s)
	g := func(a, b int) *mat.Dense {
		x := mat.NewDense(a, b, nil)
		x.Apply(func(i, j int, _ float64) float64 { return rng.NormFloat64() }, x)
		q, err := Orthonormalize(x)
		if err != nil {
			panic(err)
		}
		return q
	}
	u, v := g(m, r), g(n, r)
	for j := 0; j < r; j++ {
		for i := 0; i < m; i++ {
			u.Set(i, j, u.At(i, j)*s[j])
		}
	}
	a := mat.NewDense(m, n, nil)
	a.Mul(u, v.T())
	a.Apply(func(i, j int, x float64) float64 { return x + noise*rng.NormFloat64() }, a)
	return a
}

func TestRandomizedSVD(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 32))
	// 5000 rows exercise the row-split products.
	for _, sh := range [][2]int{{400, 60}, {60, 300}, {5000, 40}} {
		m, n := sh[0], sh[1]
		a := lowRankPlusNoise(m, n, []float64{50, 20, 10, 5, 2}, 1e-3, rng)
		var full mat.SVD
		if !full.Factorize(a, mat.SVDThin) {
			t.Fatal("SVD failed")
		}
		want := full.Values(nil)
		var fu, fv mat.Dense
		full.UTo(&fu)
		full.VTo(&fv)
		for _, k := range []int{3, 5} {
			for _, q := range []int{0, -1} {
				u, sv, v, err := RandomizedSVD(a, k, RSVDSettings{Seed: 7, PowerIter: q})
				if err != nil {
					t.Fatal(err)
				}
				// With q = -1 (no power iteration) the accuracy is bounded by
				// the noise: σ errors up to σ_{k+1}, angles up to a few
				// σ_{k+1}/σ_k. The default power iterations do far better.
				valTol, angTol := 1e-9*want[0], 3e-5
				if q < 0 {
					valTol, angTol = want[k], 5*want[k]/want[k-1]
				}
				for i := 0; i < k; i++ {
					if math.Abs(sv[i]-want[i]) > valTol {
						t.Errorf("%dx%d k=%d q=%d: σ%d = %.12g; want %.12g", m, n, k, q, i, sv[i], want[i])
					}
				}
				for _, c := range []struct {
					name      string
					got, want mat.Matrix
				}{{"U", u, fu.Slice(0, m, 0, k)}, {"V", v, fv.Slice(0, n, 0, k)}} {
					th, err := PrincipalAngles(c.got, c.want)
					if err != nil {
						t.Fatal(err)
					}
					if th[k-1] > angTol {
						t.Errorf("%dx%d k=%d q=%d: %s angle %g", m, n, k, q, c.name, th[k-1])
					}
				}
				checkSignRule(t, u)
				// U S Vᵀ reconstructs A up to the tail.
				var us, rec mat.Dense
				us.Apply(func(i, j int, x float64) float64 { return x * sv[j] }, u)
				rec.Mul(&us, v.T())
				rec.Sub(a, &rec)
				var rs mat.SVD
				rs.Factorize(&rec, mat.SVDNone)
				if e := rs.Values(nil)[0]; k == 5 && q == 0 && e > 1.0001*want[5] {
					t.Errorf("%dx%d: ‖A − USVᵀ‖₂ = %g; σ6 = %g", m, n, e, want[5])
				}
			}
		}
	}
}

func TestRandomizedSVDErrors(t *testing.T) {
	a := mat.NewDense(5, 4, nil)
	for _, k := range []int{0, 5, -1} {
		if _, _, _, err := RandomizedSVD(a, k, RSVDSettings{}); !errors.Is(err, ErrParam) {
			t.Errorf("k=%d: err = %v; want ErrParam", k, err)
		}
	}
	if _, _, _, err := RandomizedSVD(a, 2, RSVDSettings{Oversample: -1}); !errors.Is(err, ErrParam) {
		t.Errorf("Oversample -1: err = %v; want ErrParam", err)
	}
	a.Set(2, 3, math.Inf(1))
	if _, _, _, err := RandomizedSVD(a, 2, RSVDSettings{}); !errors.Is(err, ErrNaN) {
		t.Errorf("Inf: err = %v; want ErrNaN", err)
	}
	if _, _, _, err := RandomizedSVD(&mat.Dense{}, 1, RSVDSettings{}); !errors.Is(err, ErrEmpty) {
		t.Errorf("empty: err = %v; want ErrEmpty", err)
	}
	if _, _, _, err := TopPCA(mat.NewDense(3, 2, nil), 3, 0); !errors.Is(err, ErrParam) {
		t.Errorf("TopPCA k=3: err = %v; want ErrParam", err)
	}
}

func TestTopPCA(t *testing.T) {
	rng := rand.New(rand.NewPCG(33, 34))
	// Both solver paths: tall-narrow (covariance) and wide (randomized).
	for _, sh := range [][2]int{{600, 20}, {80, 120}, {5000, 150}} {
		m, n := sh[0], sh[1]
		x := lowRankPlusNoise(m, n, []float64{40, 25, 12, 6}, 0.05, rng)
		// A non-zero mean that must be removed.
		x.Apply(func(i, j int, v float64) float64 { return v + 3 + float64(j) }, x)
		k := 3
		scores, comps, mean, err := TopPCA(x, k, 1)
		if err != nil {
			t.Fatal(err)
		}
		// Independent reference: eigenvectors of the covariance formed densely.
		xc := mat.DenseCopyOf(x)
		for j := 0; j < n; j++ {
			var s float64
			for i := 0; i < m; i++ {
				s += x.At(i, j)
			}
			mu := s / float64(m)
			if math.Abs(mean[j]-mu) > 1e-12*math.Max(1, math.Abs(mu)) {
				t.Errorf("mean[%d] = %v; want %v", j, mean[j], mu)
			}
			for i := 0; i < m; i++ {
				xc.Set(i, j, x.At(i, j)-mu)
			}
		}
		cov := mat.NewSymDense(n, nil)
		cov.SymOuterK(1, xc.T())
		w, vecs, err := EigSym(cov)
		if err != nil {
			t.Fatal(err)
		}
		for j := 0; j < k; j++ {
			want := vecs.ColView(n - 1 - j)
			got := comps.ColView(j)
			d := mat.Dot(want, got)
			if math.Abs(math.Abs(d)-1) > 1e-8 {
				t.Errorf("%dx%d component %d: |cos| = %v", m, n, j, math.Abs(d))
			}
			// Score variance equals the eigenvalue.
			sc := scores.ColView(j)
			if v := mat.Dot(sc, sc); math.Abs(v-w[n-1-j]) > 1e-8*w[n-1] {
				t.Errorf("%dx%d score %d: ‖s‖² = %v; want %v", m, n, j, v, w[n-1-j])
			}
		}
		checkSignRule(t, comps)
		var proj mat.Dense
		proj.Mul(xc, comps)
		if !mat.EqualApprox(&proj, scores, 1e-9*maxAbs(scores)) {
			t.Errorf("%dx%d: scores != Xc·components", m, n)
		}
	}
}

func BenchmarkRandomizedSVD(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	m, n, k := 10000, 784, 50
	a := mat.NewDense(m, n, nil)
	a.Apply(func(i, j int, _ float64) float64 { return rng.Float64() }, a)
	b.Run(fmt.Sprintf("M=%d/N=%d/k=%d", m, n, k), func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, _, _, err := RandomizedSVD(a, k, RSVDSettings{Seed: 1}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkTopPCA(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	m, n, k := 20000, 784, 50
	a := mat.NewDense(m, n, nil)
	a.Apply(func(i, j int, _ float64) float64 { return rng.Float64() }, a)
	b.Run(fmt.Sprintf("M=%d/N=%d/k=%d", m, n, k), func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, _, _, err := TopPCA(a, k, 1); err != nil {
				b.Fatal(err)
			}
		}
	})
}
