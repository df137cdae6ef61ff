package eval

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

func BenchmarkLogisticFit(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("N=%d/D=64/C=10", n), func(b *testing.B) {
			x, y := gaussClasses(rand.New(rand.NewPCG(1, 1)), n, 10, 64)
			for b.Loop() {
				var p LogisticProbe
				if err := p.Fit(x, y); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkRidgeFit(b *testing.B) {
	x, y := gaussClasses(rand.New(rand.NewPCG(1, 1)), 10000, 10, 64)
	b.Run("N=10000/D=64/C=10", func(b *testing.B) {
		for b.Loop() {
			var p RidgeProbe
			if err := p.Fit(x, y); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkKNNPredict(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("N=%d/M=1000/D=64/K=5", n), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 1))
			x, y := gaussClasses(rng, n, 10, 64)
			q, _ := gaussClasses(rng, 1000, 10, 64)
			c := KNNClassifier{K: 5}
			c.Fit(x, y)
			for b.Loop() {
				if _, err := c.Predict(q); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
