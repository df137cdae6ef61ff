package train

import (
	"fmt"
	"math"
)

// DivergenceFactor is the explosion factor of the divergence rule (see
// divergence).
const DivergenceFactor = 1e4

// divergence watches the losses of a run and flags divergence, for every
// optimiser:
//
//   - a NaN or infinite loss, representation, gradient norm or parameter;
//
//   - or a loss exploding by DivergenceFactor (four orders of magnitude)
//     over its running minimum: with m the smallest loss of the steps
//     before and l₁ the loss of the first step,
//
//     loss − m > DivergenceFactor · max(|m|, |l₁|).
//
// The scale max(|m|, |l₁|) is that of the problem: a run that starts far
// from its optimum (a large l₁) may fall and rise again by up to 10⁴ times
// its initial loss before it counts as diverged, and a loss near zero does
// not make tiny fluctuations count. Both thresholds are far outside the
// noise of a minibatch loss. The minimum and the first loss are restored
// from metrics.jsonl by Resume, so a resumed run applies the same rule.
type divergence struct {
	first, min float64
	seen       bool // a step has been accepted
}

// check returns an error wrapping ErrDiverged when loss or gnorm breaks the
// rule.
func (d *divergence) check(loss, gnorm float64) error {
	if !finite(loss) {
		return fmt.Errorf("%w: loss = %v", ErrDiverged, loss)
	}
	if !finite(gnorm) {
		return fmt.Errorf("%w: gradient norm = %v", ErrDiverged, gnorm)
	}
	if !d.seen {
		return nil
	}
	scale := math.Max(math.Abs(d.min), math.Abs(d.first))
	if scale > 0 && loss-d.min > DivergenceFactor*scale {
		return fmt.Errorf("%w: loss %.4g exceeds its running minimum %.4g by more than %g × %.4g", ErrDiverged, loss, d.min, DivergenceFactor, scale)
	}
	return nil
}

// accept records the loss of a step taken.
func (d *divergence) accept(loss float64) {
	if !d.seen {
		d.first, d.min, d.seen = loss, loss, true
		return
	}
	d.min = math.Min(d.min, loss)
}
