package closedform

import (
	"fmt"
	"testing"

	"github.com/eigenssl/eigenssl/graph"
	"github.com/eigenssl/eigenssl/linalg"
)

// TestEquivalentSpectralMethod runs the spectral/ estimator named by each
// solution and checks that both give the same subspace (largest principal
// angle < 1e-8 rad).
func TestEquivalentSpectralMethod(t *testing.T) {
	cases := testGraphs(t, 5)
	// A regular graph with a centred design for the LPP equivalence.
	gv, _, _ := graph.Views(10, 2)
	cases = append(cases, graphCase{"views-V2-centred", gv, linalg.CenterColumns(randMat(20, 5, 31))})
	for _, gc := range cases {
		for _, pc := range []Problem{
			{Loss: VICReg, Regime: Feature, Gamma: 0.1},
			{Loss: VICRegHard, Regime: Feature},
			{Loss: VICReg, Regime: Linear, Gamma: 0.1},
			{Loss: VICRegHard, Regime: Linear},
			{Loss: SpectralContrastive, Regime: Feature},
			{Loss: SpectralContrastive, Regime: Linear},
			{Loss: BarlowTwins, Regime: Linear},
		} {
			t.Run(fmt.Sprintf("%s/%s/%s", gc.name, pc.Loss, pc.Regime), func(t *testing.T) {
				pc.G, pc.X, pc.K = gc.g, gc.x, 3
				sol, err := Solve(pc)
				if err != nil {
					t.Fatal(err)
				}
				eq, err := CheckEquivalent(sol)
				if err != nil {
					t.Fatal(err)
				}
				if eq.Method == "" {
					if pc.Loss == VICReg || pc.Loss == VICRegHard {
						if gc.name == "views-V2-centred" {
							t.Fatalf("LPP equivalence not run on a regular graph with centred X: %s", eq.Note)
						}
						return
					}
					t.Fatalf("no estimator: %s", eq.Note)
				}
				if len(eq.Angles) == 0 || eq.MaxAngle > 1e-8 {
					t.Errorf("%s: angles %v; want all < 1e-8", eq.Method, eq.Angles)
				}
			})
		}
	}
}
