package closedform_test

import (
	"fmt"
	"math"

	"github.com/eigenssl/eigenssl/closedform"
	"github.com/eigenssl/eigenssl/graph"
	"github.com/eigenssl/eigenssl/linalg"
	"github.com/eigenssl/eigenssl/spectral"
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

// The smooth VICReg optimum on a graph is Laplacian Eigenmaps on it: on a
// path of 8 vertices (simple Laplacian spectrum λ_k = 2 − 2cos(kπ/8)) the
// column space of Z* coincides with the unnormalised LE embedding (largest
// principal angle below 1e-8 rad), and the singular values of Z* are the
// LE eigenvalues shrunk to σ_k = √(N (1 − γ λ_k)) (docs/THEORY.md section 4).
func ExampleSolve_laplacianEigenmaps() {
	const n, k, gamma = 8, 3, 0.5
	edges := make([][2]int, n-1)
	for i := range edges {
		edges[i] = [2]int{i, i + 1}
	}
	g, _, err := graph.FromEdges(n, edges, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	sol, err := closedform.Solve(closedform.Problem{Loss: closedform.VICReg, G: g, K: k, Gamma: gamma})
	if err != nil {
		fmt.Println(err)
		return
	}
	le := &spectral.LaplacianEigenmaps{Components: k, Unnormalized: true}
	if err := le.FitGraph(nil, g); err != nil {
		fmt.Println(err)
		return
	}
	ang, err := linalg.PrincipalAngles(linalg.CenterColumns(sol.Z), le.Embedding())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("largest angle below 1e-8 rad: %v\n", ang[len(ang)-1] < 1e-8)
	for i, lam := range le.Eigenvalues() {
		fmt.Printf("λ_%d = %.4f  σ(Z*) = %.4f  √(N(1−γλ)) = %.4f\n", i+1, lam, sol.SingularValues[i], math.Sqrt(n*(1-gamma*lam)))
	}
	// Output:
	// largest angle below 1e-8 rad: true
	// λ_1 = 0.1522  σ(Z*) = 2.7186  √(N(1−γλ)) = 2.7186
	// λ_2 = 0.5858  σ(Z*) = 2.3784  √(N(1−γλ)) = 2.3784
	// λ_3 = 1.2346  σ(Z*) = 1.7497  √(N(1−γλ)) = 1.7497
}
