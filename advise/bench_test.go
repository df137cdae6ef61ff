package advise

import (
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// BenchmarkAdviseViews10000x784 is the speed goal of issue 15: 10,000
// samples of dimension 784, views:V=2 with noise augmentation, linear
// regime, the full default grid, 10 labels per class. Gaussian data stand
// in for MNIST (the cost does not depend on the values).
func BenchmarkAdviseViews10000x784(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	x := mat.NewDense(10000, 784, nil)
	for i := range x.RawMatrix().Data {
		x.RawMatrix().Data[i] = rng.NormFloat64()
	}
	y := make([]int, 10000)
	for i := range y {
		y[i] = i % 10
	}
	in, err := BuildInput(x, "views:V=2,augment=noise:0.1", [2]int{}, nil, 1)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := Advise(in, y, Settings{LabelsPerClass: 10, Logger: quiet}); err != nil {
			b.Fatal(err)
		}
	}
}
