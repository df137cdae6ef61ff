package closedform

import (
	"testing"

	"github.com/eigenssl/eigenssl/graph"
)

func TestHingeVICReg(t *testing.T) {
	g, _, _ := graph.Views(5, 2) // c = 5 components
	// K <= c − 1: exact, loss 0; gradient descent reaches 0 inside null(L) ∩ 1⊥.
	p := Problem{Loss: VICRegHinge, G: g, K: 3, Gamma: 1}
	sol := checkAgainstGD(t, p, 1, 2)
	if sol.PredictedLoss > 1e-12 {
		t.Errorf("K <= c−1: predicted %g; want 0", sol.PredictedLoss)
	}
	// K > c − 1: approximate with bounds; the optimiser only improves on it.
	for _, gamma := range []float64{0.01, 1} {
		p := Problem{Loss: VICRegHinge, G: g, K: 6, Gamma: gamma, Seed: 3}
		sol, err := Solve(p)
		if err != nil {
			t.Fatal(err)
		}
		if sol.Exact || sol.Bounds == nil {
			t.Fatalf("γ=%g K > c−1: flagged exact", gamma)
		}
		ref, res, err := Refine(sol, RefineSettings{MaxIter: 5000})
		if err != nil {
			t.Fatal(err)
		}
		if res.Gap < -1e-12 || ref.PredictedLoss > sol.Bounds.Upper+1e-12 || ref.PredictedLoss < sol.Bounds.Lower {
			t.Errorf("γ=%g: refined %g outside [%g, %g] (gap %g)", gamma, ref.PredictedLoss, sol.Bounds.Lower, sol.Bounds.Upper, res.Gap)
		}
		c, _ := Compare(ref, ref.Z)
		t.Logf("γ=%g K=6 c=5: candidate %.6g (rank %d), refined %.6g (rank %d); %s", gamma, sol.PredictedLoss, sol.Rank, ref.PredictedLoss, c.Rank, sol.Note)
	}
}
