package closedform

import (
	"fmt"
	"math"
	"testing"

	"github.com/eigenssl/eigenssl/loss"
)

func TestSpectralContrastiveClosedFormMatchesGradientDescent(t *testing.T) {
	for _, gc := range testGraphs(t, 5) {
		for _, regime := range []string{Feature, Linear, Kernel} {
			t.Run(fmt.Sprintf("%s/%s", gc.name, regime), func(t *testing.T) {
				p := Problem{Loss: SpectralContrastive, Regime: regime, G: gc.g, K: 3, X: gc.x}
				if regime == Kernel {
					p.KernelMatrix = kernelOf(gc.x)
				}
				sol := checkAgainstGD(t, p, 1, 2)
				// The stated minimum formula ‖Gt‖² − Σ λ_k⁺² and the loss
				// package's value at Z* agree.
				r, err := loss.SpectralContrastiveGForm{}.Eval(loss.Inputs{Z: sol.Z, G: gc.g}, true)
				if err != nil {
					t.Fatal(err)
				}
				if relGap(r.Value, sol.PredictedLoss) > 1e-10 {
					t.Errorf("loss at Z* %g; predicted %g", r.Value, sol.PredictedLoss)
				}
				if regime == Feature {
					// Zero gradient at the closed form.
					g := r.Grad[loss.KeyZ]
					var m float64
					for _, v := range g.RawMatrix().Data {
						m = math.Max(m, math.Abs(v))
					}
					if m > 1e-10 {
						t.Errorf("gradient at Z*: max %g", m)
					}
				}
			})
		}
	}
}
