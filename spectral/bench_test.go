package spectral_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/eigenssl/eigenssl/spectral"
	"gonum.org/v1/gonum/mat"
)

// benchData is a seeded standard Gaussian sample in 50 dimensions (its kNN
// graphs are connected).
func benchData(b *testing.B, n int) *mat.Dense {
	b.Helper()
	r := rand.New(rand.NewPCG(1, 2))
	x := mat.NewDense(n, 50, nil)
	for i := 0; i < n; i++ {
		for j := 0; j < 50; j++ {
			x.Set(i, j, r.NormFloat64())
		}
	}
	return x
}

func benchFit(b *testing.B, newM func() spectral.Estimator, sizes ...int) {
	for _, n := range sizes {
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			x := benchData(b, n)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if err := newM().Fit(x); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkLE(b *testing.B) {
	benchFit(b, func() spectral.Estimator { return &spectral.LaplacianEigenmaps{Components: 10, Neighbors: 10} }, 1000, 2000)
}

func BenchmarkLPP(b *testing.B) {
	benchFit(b, func() spectral.Estimator { return &spectral.LPP{Components: 10, Neighbors: 10} }, 1000, 2000)
}

func BenchmarkIsomap(b *testing.B) {
	benchFit(b, func() spectral.Estimator { return &spectral.Isomap{Components: 10, Neighbors: 10} }, 1000, 2000)
}

func BenchmarkKernelPCA(b *testing.B) {
	benchFit(b, func() spectral.Estimator {
		return &spectral.KernelPCA{Components: 10, Kernel: spectral.KernelRBF}
	}, 1000, 2000)
}

func BenchmarkLLE(b *testing.B) {
	benchFit(b, func() spectral.Estimator { return &spectral.LLE{Components: 10, Neighbors: 10} }, 1000, 2000)
}

func BenchmarkMDS(b *testing.B) {
	benchFit(b, func() spectral.Estimator { return &spectral.ClassicalMDS{Components: 10} }, 1000, 2000)
}
