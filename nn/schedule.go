package nn

import "math"

// Schedule gives the learning rate of a (0-based) optimiser step.
type Schedule interface {
	LR(step int) float64
}

// Constant is a fixed learning rate.
type Constant float64

// LR returns c for every step.
func (c Constant) LR(int) float64 { return float64(c) }

// CosineWarmup is linear warm-up followed by cosine decay, as
// adjust_learning_rate in the official VICReg code:
//
//	lr(s) = BaseLR·s/W                               for s < W
//	lr(s) = FinalLR + (BaseLR − FinalLR)·(1 + cos(π(s−W)/(T−W)))/2   for W ≤ s < T
//	lr(s) = FinalLR                                  for s ≥ T
//
// with W = WarmupSteps and T = TotalSteps, so lr(0) = 0, lr(W) = BaseLR and
// lr(T) = FinalLR. (VICReg uses W = 10 epochs, BaseLR = 0.2·batch/256 and
// FinalLR = 0.001·BaseLR; it scales by batch size outside the schedule.)
// With T ≤ W the decay phase is empty and lr(s) = FinalLR for s ≥ W.
type CosineWarmup struct {
	BaseLR                  float64
	WarmupSteps, TotalSteps int
	FinalLR                 float64
}

// LR returns the learning rate of step s. Negative steps give lr(0).
func (c CosineWarmup) LR(s int) float64 {
	s = max(s, 0)
	if s < c.WarmupSteps {
		return c.BaseLR * float64(s) / float64(c.WarmupSteps)
	}
	if s >= c.TotalSteps {
		return c.FinalLR
	}
	q := 0.5 * (1 + math.Cos(math.Pi*float64(s-c.WarmupSteps)/float64(c.TotalSteps-c.WarmupSteps)))
	return c.BaseLR*q + c.FinalLR*(1-q)
}
