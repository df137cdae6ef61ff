package advise_test

import (
	"fmt"

	"github.com/eigenssl/eigenssl/advise"
)

// GammaGrid puts one γ on each side of every VICReg rank threshold 1/λ_k.
func ExampleGammaGrid() {
	// Operator eigenvalues 0.5, 1, 2 give thresholds 2, 1, 0.5.
	fmt.Println(advise.GammaGrid([]float64{2, 1, 0.5}))
	// Output: [0.25 0.7071067811865476 1.4142135623730951 4]
}

func ExampleSpearman() {
	fmt.Printf("%.3f\n", advise.Spearman([]float64{0.9, 0.7, 0.8}, []float64{0.95, 0.6, 0.9}))
	// Output: 1.000
}
