package graph

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/eigenssl/eigenssl/linalg"
)

func BenchmarkKNN(b *testing.B) {
	for _, sz := range []struct{ n, d, k int }{{10000, 50, 10}} {
		b.Run(fmt.Sprintf("N=%d,D=%d", sz.n, sz.d), func(b *testing.B) {
			x := randomDense(rand.New(rand.NewPCG(1, 1)), sz.n, sz.d)
			b.ResetTimer()
			for range b.N {
				if _, _, err := KNN(x, sz.k, KNNOptions{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// swissRoll returns n noisy points of a 3-D swiss roll, a connected manifold
// whose kNN Laplacian has a typical slowly growing low spectrum.
func swissRoll(n int, seed uint64) *mat.Dense {
	rng := rand.New(rand.NewPCG(seed, 7))
	x := mat.NewDense(n, 3, nil)
	for i := 0; i < n; i++ {
		t := 1.5 * math.Pi * (1 + 2*rng.Float64())
		x.Set(i, 0, t*math.Cos(t)+0.05*rng.NormFloat64())
		x.Set(i, 1, 21*rng.Float64())
		x.Set(i, 2, t*math.Sin(t)+0.05*rng.NormFloat64())
	}
	return x
}

func BenchmarkLaplacianEigs(b *testing.B) {
	for _, n := range []int{20000} {
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			g, info, err := KNN(swissRoll(n, 3), 10, KNNOptions{})
			if err != nil {
				b.Fatal(err)
			}
			if info.Components != 1 {
				b.Fatalf("graph has %d components", info.Components)
			}
			l, err := Laplacian(g, SymNormalized)
			if err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for range b.N {
				res, err := linalg.Eigs(l, linalg.EigsSettings{K: 10, Which: linalg.Smallest, Seed: 1})
				if err != nil {
					b.Fatal(err)
				}
				if !res.Converged {
					b.Fatal("Eigs did not converge")
				}
				b.ReportMetric(float64(res.MatVecs), "matvecs/op")
			}
		})
	}
}

func BenchmarkMulVec(b *testing.B) {
	for _, n := range []int{20000} {
		b.Run(fmt.Sprintf("N=%d,k=10", n), func(b *testing.B) {
			g, _, err := KNN(swissRoll(n, 4), 10, KNNOptions{})
			if err != nil {
				b.Fatal(err)
			}
			x := make([]float64, n)
			for i := range x {
				x[i] = float64(i % 7)
			}
			y := make([]float64, n)
			b.ResetTimer()
			for range b.N {
				g.MulVecTo(y, x)
			}
		})
	}
}
