package closedform

import (
	"github.com/eigenssl/eigenssl/loss"
	"gonum.org/v1/gonum/mat"
)

// SmoothVICReg is loss.VICRegSmooth, the loss of Problem.Loss = VICReg.
//
// Deprecated: use loss.VICRegSmooth (or loss.New("vicreg_smooth", ...));
// this alias remains until its last caller (train's closed-form test) moves.
type SmoothVICReg = loss.VICRegSmooth

// frobDot returns Σ_ij a_ij b_ij.
func frobDot(a, b *mat.Dense) float64 {
	r, _ := a.Dims()
	var s float64
	for i := 0; i < r; i++ {
		br := b.RawRowView(i)
		for j, v := range a.RawRowView(i) {
			s += v * br[j]
		}
	}
	return s
}
