package closedform_test

import (
	"fmt"

	"github.com/eigenssl/eigenssl/closedform"
	"github.com/eigenssl/eigenssl/graph"
)

// The smooth VICReg optimum on the augmentation graph of 4 originals and 2
// views collapses from rank N−1 to rank N'−1 at γ = 1/V.
func ExampleSolve() {
	g, _, _ := graph.Views(4, 2)
	for _, gamma := range []float64{0.4, 0.5} {
		sol, err := closedform.Solve(closedform.Problem{Loss: closedform.VICReg, G: g, K: 6, Gamma: gamma})
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("γ=%.1f exact=%v rank=%d loss=%.4f thresholds=%.2f\n", gamma, sol.Exact, sol.Rank, sol.PredictedLoss, sol.RankThresholds)
	}
	// Output:
	// γ=0.4 exact=true rank=6 loss=2.8800 thresholds=[0.50 0.50 0.50]
	// γ=0.5 exact=true rank=3 loss=3.0000 thresholds=[0.50 0.50 0.50]
}

// BarlowTwins with more dimensions than components reaches K − c.
func ExampleSolve_barlowTwins() {
	g, _, _ := graph.Labels([]int{0, 1, 2, 0, 1, 2, 0, 1, 2})
	sol, _ := closedform.Solve(closedform.Problem{Loss: closedform.BarlowTwins, G: g, K: 5})
	fmt.Printf("exact=%v loss=%.6f rank=%d\n", sol.Exact, sol.PredictedLoss, sol.Rank)
	// Output:
	// exact=true loss=2.000000 rank=3
}
