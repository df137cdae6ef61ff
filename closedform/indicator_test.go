package closedform

import (
	"testing"

	"github.com/eigenssl/eigenssl/graph"
	"gonum.org/v1/gonum/mat"
)

// TestExactWhenIndicatorsInDesign: when the component indicators lie in
// col(X), hinge VICReg (K <= c−1) and BarlowTwins (K <= c) reach loss 0 in
// the linear regime; the solutions are exact and gradient descent agrees.
func TestExactWhenIndicatorsInDesign(t *testing.T) {
	y := []int{0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2}
	g, _, _ := graph.Labels(y)
	noise := randMat(15, 3, 51)
	x := mat.NewDense(15, 6, nil)
	for i, c := range y {
		x.Set(i, c, 1)
		for j := 0; j < 3; j++ {
			x.Set(i, 3+j, noise.At(i, j))
		}
	}
	for _, p := range []Problem{
		{Loss: VICRegHinge, Regime: Linear, G: g, X: x, K: 2},
		{Loss: BarlowTwins, Regime: Linear, G: g, X: x, K: 3},
	} {
		sol := checkAgainstGDWith(t, p, RefineSettings{GradTol: 1e-18}, 1, 2)
		if sol.PredictedLoss > 1e-12 {
			t.Errorf("%s: predicted %g; want 0", p.Loss, sol.PredictedLoss)
		}
	}
}
