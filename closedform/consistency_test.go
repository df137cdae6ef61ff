package closedform

import (
	"fmt"
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// TestSolutionConsistency checks, for every loss and regime on every test
// graph, that the reported quantities describe the returned Z: Z = X W + 1bᵀ
// (or K_X A + 1bᵀ), the loss at Z equals PredictedLoss, the singular values
// and rank are those of Z, Z lies in Subspace, and approximate solutions
// carry bounds that contain the predicted loss.
func TestSolutionConsistency(t *testing.T) {
	for _, gc := range testGraphs(t, 4) {
		for _, l := range Losses() {
			for _, regime := range Regimes() {
				t.Run(fmt.Sprintf("%s/%s/%s", gc.name, l, regime), func(t *testing.T) {
					p := Problem{Loss: l, Regime: regime, G: gc.g, K: 3, Gamma: 0.2, Tau: 0.5, Seed: 1}
					switch regime {
					case Linear:
						p.X = gc.x
					case Kernel:
						p.KernelMatrix = kernelOf(gc.x)
					}
					sol, err := Solve(p)
					if err != nil {
						t.Fatal(err)
					}
					if d := p.design(); d != nil {
						par := sol.W
						if regime == Kernel {
							par = sol.A
						}
						if par == nil {
							t.Fatal("missing W/A")
						}
						var z mat.Dense
						z.Mul(d, par)
						for i := 0; i < gc.g.N; i++ {
							for j := 0; j < 3; j++ {
								want := z.At(i, j)
								if sol.Bias != nil {
									want += sol.Bias[j]
								}
								if math.Abs(sol.Z.At(i, j)-want) > 1e-9*math.Max(1, math.Abs(want)) {
									t.Fatalf("Z[%d,%d] = %g; X W + b = %g", i, j, sol.Z.At(i, j), want)
								}
							}
						}
					}
					c, err := Compare(sol, sol.Z)
					if err != nil {
						t.Fatal(err)
					}
					if math.Abs(c.RelativeGap) > 1e-8 {
						t.Errorf("loss at Z %.12g; predicted %.12g", c.Loss, sol.PredictedLoss)
					}
					if c.Rank != sol.Rank {
						t.Errorf("rank of Z %d; predicted %d", c.Rank, sol.Rank)
					}
					for i, s := range sol.SingularValues {
						if i < len(c.SingularValues) && math.Abs(s-c.SingularValues[i]) > 1e-8*math.Max(1, sol.SingularValues[0]) {
							t.Errorf("singular value %d: %g; of Z %g", i, s, c.SingularValues[i])
						}
					}
					if sol.Subspace != nil && c.MaxAngle > 1e-8 {
						t.Errorf("Z leaves Subspace by %g rad", c.MaxAngle)
					}
					if !sol.Exact {
						if sol.Bounds == nil || sol.Bounds.Lower > sol.PredictedLoss+1e-12 || sol.Bounds.Upper < sol.PredictedLoss-1e-12 {
							t.Errorf("approximate without consistent bounds: %+v, loss %g", sol.Bounds, sol.PredictedLoss)
						}
					} else if sol.Bounds != nil {
						t.Errorf("exact solution with bounds %+v", sol.Bounds)
					}
					if sol.Operator == "" || sol.EquivalentMethod == "" || sol.Note == "" {
						t.Errorf("missing description: operator %q, method %q, note %q", sol.Operator, sol.EquivalentMethod, sol.Note)
					}
				})
			}
		}
	}
}
