package closedform

import (
	"testing"

	"github.com/eigenssl/eigenssl/graph"
)

// TestIterativePathMatchesDense solves feature-space problems on a
// connected kNN graph (simple spectrum) with the dense solver and with block
// Lanczos (denseLimit lowered) and compares loss, subspace and spectrum.
func TestIterativePathMatchesDense(t *testing.T) {
	pts := randMat(300, 3, 41)
	g, _, err := graph.KNN(pts, 8, graph.KNNOptions{Weight: graph.Gaussian})
	if err != nil {
		t.Fatal(err)
	}
	if _, c := graph.Components(g); c != 1 {
		t.Fatalf("seeded test graph has %d components; the test needs a connected one (simple spectrum)", c)
	}
	for _, l := range []string{VICReg, VICRegHard, SpectralContrastive} {
		p := Problem{Loss: l, G: g, K: 4, Gamma: 0.05}
		dense, err := Solve(p)
		if err != nil {
			t.Fatal(err)
		}
		old := denseLimit
		denseLimit = 100
		iter, err := Solve(p)
		denseLimit = old
		if err != nil {
			t.Fatal(err)
		}
		if relGap(iter.PredictedLoss, dense.PredictedLoss) > 1e-9 {
			t.Errorf("%s: loss %g (Lanczos) vs %g (dense)", l, iter.PredictedLoss, dense.PredictedLoss)
		}
		c, err := Compare(dense, iter.Z)
		if err != nil {
			t.Fatal(err)
		}
		if c.MaxAngle > 1e-6 || c.Rank != dense.Rank {
			t.Errorf("%s: Lanczos solution at angle %g, rank %d (dense rank %d)", l, c.MaxAngle, c.Rank, dense.Rank)
		}
		for i := range iter.Spectrum {
			if relGap(iter.Spectrum[i], dense.Spectrum[i]) > 1e-9 {
				t.Errorf("%s: eigenvalue %d: %g vs %g", l, i, iter.Spectrum[i], dense.Spectrum[i])
			}
		}
	}
}
