package advise

import (
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/eigenssl/eigenssl/closedform"
)

// Candidate is one loss with one hyper-parameter value. Loss is a
// closedform loss name; Param names the hyper-parameter ("gamma" for
// closedform.VICReg, "tau" for closedform.SimCLR, "alpha" for
// closedform.BarlowTwins, "" for closedform.SpectralContrastive).
type Candidate struct {
	Loss  string  `json:"loss"`
	Param string  `json:"param,omitempty"`
	Value float64 `json:"value,omitempty"`
}

// String formats c as "vicreg(gamma=0.5)" or "spectral_contrastive".
func (c Candidate) String() string {
	if c.Param == "" {
		return c.Loss
	}
	return fmt.Sprintf("%s(%s=%s)", c.Loss, c.Param, strconv.FormatFloat(c.Value, 'g', 3, 64))
}

// paramOf returns the hyper-parameter name of a candidate loss.
func paramOf(l string) (string, bool) {
	switch l {
	case closedform.VICReg:
		return "gamma", true
	case closedform.SimCLR:
		return "tau", true
	case closedform.BarlowTwins:
		return "alpha", true
	case closedform.SpectralContrastive:
		return "", true
	}
	return "", false
}

// check validates a candidate.
func (c Candidate) check(op string) error {
	p, ok := paramOf(c.Loss)
	if !ok {
		return newErr(op, "candidate", c.Loss, ErrParam, "want one of %s, %s, %s, %s",
			closedform.VICReg, closedform.SimCLR, closedform.BarlowTwins, closedform.SpectralContrastive)
	}
	if c.Param != p {
		return newErr(op, "candidate", c.String(), ErrParam, "%s takes parameter %q", c.Loss, p)
	}
	if p != "" && (!(c.Value > 0) || math.IsInf(c.Value, 0)) {
		return newErr(op, "candidate", c.String(), ErrParam, "%s must be positive and finite", p)
	}
	return nil
}

// Default hyper-parameter grids.
var (
	// DefaultGammas are the VICReg γ values always tried besides the
	// threshold grid (GammaGrid).
	DefaultGammas = []float64{0.1, 1, 10}
	// DefaultTaus are the SimCLR temperatures (0.1 is the SimCLR paper's
	// CIFAR setting).
	DefaultTaus = []float64{0.1, 0.2, 0.5, 1}
	// DefaultAlphas are the BarlowTwins off-diagonal weights (0.0051 is the
	// BarlowTwins paper's λ).
	DefaultAlphas = []float64{0.0051, 0.1, 1}
)

// GammaGrid returns VICReg γ values on both sides of every rank threshold
// t_k = 1/λ_k of the smooth-VICReg optimum (column k is kept iff γ < t_k):
// one γ below the smallest threshold (t_min/2, full rank), the geometric
// mean of every pair of consecutive distinct thresholds, and one above the
// largest (2 t_max, every thresholded column gone). Thresholds within 5%
// of each other count as one. The result is ascending; nil for no
// thresholds.
func GammaGrid(thresholds []float64) []float64 {
	t := slices.Clone(thresholds)
	t = slices.DeleteFunc(t, func(v float64) bool { return !(v > 0) || math.IsInf(v, 0) })
	if len(t) == 0 {
		return nil
	}
	slices.Sort(t)
	distinct := []float64{t[0]}
	for _, v := range t[1:] {
		if v > 1.05*distinct[len(distinct)-1] {
			distinct = append(distinct, v)
		}
	}
	out := []float64{distinct[0] / 2}
	for i := 1; i < len(distinct); i++ {
		out = append(out, math.Sqrt(distinct[i-1]*distinct[i]))
	}
	return append(out, 2*distinct[len(distinct)-1])
}

// grid builds the candidate list: VICReg over GammaGrid(thresholds) ∪
// gammas, SimCLR over taus, BarlowTwins over alphas, spectral contrastive.
func grid(thresholds, gammas, taus, alphas []float64) []Candidate {
	gs := append(GammaGrid(thresholds), gammas...)
	slices.Sort(gs)
	gs = slices.CompactFunc(gs, func(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(a, b) })
	var out []Candidate
	for _, g := range gs {
		out = append(out, Candidate{closedform.VICReg, "gamma", g})
	}
	for _, t := range taus {
		out = append(out, Candidate{closedform.SimCLR, "tau", t})
	}
	for _, a := range alphas {
		out = append(out, Candidate{closedform.BarlowTwins, "alpha", a})
	}
	return append(out, Candidate{Loss: closedform.SpectralContrastive})
}
