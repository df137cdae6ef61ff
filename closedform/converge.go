package closedform

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/eigenssl/eigenssl/linalg"
	"gonum.org/v1/gonum/mat"
)

// Status says how an optimum was obtained and whether it can be trusted.
type Status string

// Statuses of Convergence and RefineResult.
const (
	// StatusExact: a proven closed-form minimiser; no optimisation ran.
	StatusExact Status = "exact"
	// StatusConverged: the gradient norm met its tolerance.
	StatusConverged Status = "converged"
	// StatusIterationLimit: the iteration budget ran out first.
	StatusIterationLimit Status = "iteration_limit"
	// StatusFailed: the run stopped without meeting the gradient tolerance
	// (the loss stalled, no descent step was found, or every start failed).
	StatusFailed Status = "failed"
	// StatusInfimum: linear SimCLR's infimum is not attained (rows of Z
	// collapse); the limit problem met the gradient tolerance
	// (MinimizeLimit) and the parameter is its limit point.
	StatusInfimum Status = "infimum"
)

// OK reports whether s is StatusExact, StatusConverged or StatusInfimum:
// the only optima an experiment should report.
func (s Status) OK() bool { return s == StatusExact || s == StatusConverged || s == StatusInfimum }

// Defaults of Optimum (RefineSettings fields left at zero).
const (
	DefaultOptimumMaxIter = 5000
	DefaultOptimumGradTol = 1e-7
	DefaultOptimumRelTol  = 1e-13
	DefaultOptimumStarts  = 4
	// OptimumRankTol: Optimum counts singular values σ_k > OptimumRankTol·σ_1
	// of the canonical Z in its rank. A direction that the loss drives to
	// zero (BarlowTwins' collinear column groups) decays far more slowly
	// than the loss converges (σ_5/σ_1 = 8e-4 after 1000 and 1e-4 after
	// 10,000 iterations on digits coarser-2, loss already 12 to 7 digits),
	// so the rank of an approximate optimum needs a tolerance far above
	// rounding.
	OptimumRankTol = 1e-3
	// PinnedAngle is the largest SubspaceAngle (radians) for which
	// Convergence.Pinned reports that the starts agree on the subspace.
	PinnedAngle = 1e-2
)

// Convergence records how Solution.Z was reached (Solution.Convergence).
type Convergence struct {
	// Status of the kept start: StatusExact for closed forms, otherwise that
	// of the numerical run whose end point is Solution.Z.
	Status Status `json:"status"`
	// Loss is the loss at Solution.Z; GradNorm its gradient norm
	// (Frobenius, in the regime's parameter) and GradTol the threshold
	// GradTol·max(1, |Loss|) it was held to; RelChange the relative loss
	// change of the last iteration; RelTol the stall tolerance.
	Loss      float64 `json:"loss"`
	GradNorm  float64 `json:"grad_norm"`
	GradTol   float64 `json:"grad_tol"`
	RelChange float64 `json:"rel_change"`
	RelTol    float64 `json:"rel_tol"`
	// Iterations sums the iterations of every start; MaxIter is the budget
	// of one start.
	Iterations int `json:"iterations"`
	MaxIter    int `json:"max_iter"`
	// Restarts is the number of starts beyond the first; StartLosses and
	// StartStatus hold the final loss and status of each start, in order
	// (the characterisation first).
	Restarts    int       `json:"restarts"`
	StartLosses []float64 `json:"start_losses,omitempty"`
	StartStatus []Status  `json:"start_status,omitempty"`
	// Spread is (max − min)/max(1, |min|) of the final losses of the
	// converged starts: near 0 when they found the same minimum value.
	Spread float64 `json:"spread"`
	// SubspaceAngle is the largest principal angle (radians) between the
	// rank-r column space of the kept Z (r = Solution.Rank, see
	// OptimumRankTol) and that of every other converged start whose loss is
	// within 1e-6 relative of the kept one (0 when there is none; π/2 when
	// their ranks differ): small when the minimisers pin the subspace even
	// though their coordinates differ by a free rotation or rescaling of the
	// columns.
	SubspaceAngle float64 `json:"subspace_angle"`
	// Compared is the number of other starts SubspaceAngle was measured
	// against.
	Compared int `json:"compared"`
}

// Pinned reports whether at least one other converged start reached the
// same loss and every such start spans the same subspace (SubspaceAngle <=
// PinnedAngle). When false with Compared > 0, the minimiser set is a
// continuum of subspaces (linear BarlowTwins with K above the number of
// positive canonical correlations, docs/THEORY.md): the loss value and rank
// are well defined but the representation is not, and downstream results
// measured on it depend on the start.
func (c *Convergence) Pinned() bool {
	return c != nil && (c.Status == StatusExact || (c.Compared > 0 && c.SubspaceAngle <= PinnedAngle))
}

// Optimum returns p's optimum with a convergence record. When Solve finds a
// proven closed form (Exact) it is returned with Status StatusExact.
// Otherwise Minimize runs from s.Starts points (DefaultOptimumStarts): the
// characterisation of Solve, then the same slightly perturbed; for SimCLR, whose
// characterisation collapses views where the cosine gradient is unbounded,
// also the spectral-contrastive optimum (its second-order expansion); then
// seeded Gaussian starts with the characterisation's entry scale. Each start
// runs to s.GradTol (DefaultOptimumGradTol, relative to max(1, |f|)) or
// stalls after RelWindow iterations with relative loss change below s.RelTol
// (DefaultOptimumRelTol), within s.MaxIter iterations (DefaultOptimumMaxIter).
// The start with the lowest final loss is kept, with its status (a
// converged start within 1e-9 relative of it is preferred): a run that
// converged to a higher loss found a saddle or a local minimum.
//
// The returned Solution holds the kept Z (W, A), PredictedLoss = its loss,
// Convergence, Rank = the number of its singular values above
// OptimumRankTol·σ_1 and Subspace = the corresponding left singular vectors
// (of the canonical Z: centred for VICReg, row-normalised for SimCLR), because the
// losses pin at most that subspace: BarlowTwins' C is invariant to column
// scales and its minimisers rotate within a subspace (see docs/THEORY.md,
// "BarlowTwins in the linear regime"), so compare Subspace and the loss, not
// coordinates. Bounds, when present, keep the explicit bounds of Solve.
func Optimum(p Problem, s RefineSettings) (*Solution, error) {
	if err := s.validate("optimum"); err != nil {
		return nil, err
	}
	s = s.or(optimumDefaults)
	sol, err := Solve(p)
	if err != nil {
		return nil, err
	}
	p = sol.prob
	if sol.Exact {
		sol.Convergence = &Convergence{Status: StatusExact, Loss: sol.PredictedLoss}
		return sol, nil
	}
	starts, err := optimumStarts(sol, s.Starts)
	if err != nil {
		return nil, err
	}
	type run struct {
		param, z *mat.Dense
		res      RefineResult
	}
	runs := make([]run, 0, len(starts))
	conv := &Convergence{MaxIter: s.MaxIter, RelTol: s.RelTol, Restarts: len(starts) - 1}
	one := s
	one.Starts = 1
	for _, st := range starts {
		par, z, res, err := Minimize(p, st, one)
		if err != nil {
			return nil, err
		}
		// Linear SimCLR whose rows of Z collapse: its limit point.
		par, z, res, _ = ContinueOnLimit(p, par, z, res, one)
		runs = append(runs, run{par, z, res})
		conv.Iterations += res.Iterations
		conv.StartLosses = append(conv.StartLosses, res.Final)
		conv.StartStatus = append(conv.StartStatus, res.Status)
	}
	// Keep the lowest loss; among runs within 1e-9 (relative) of it prefer
	// a converged one. A converged run with a higher loss is a saddle or a
	// local minimum, never a reason to report a worse point.
	lowest := runs[0].res.Final
	for _, r := range runs {
		lowest = math.Min(lowest, r.res.Final)
	}
	best := -1
	for i, r := range runs {
		if r.res.Final > lowest+1e-9*math.Max(1, math.Abs(lowest)) {
			continue
		}
		if best < 0 || (r.res.Converged && !runs[best].res.Converged) ||
			(r.res.Converged == runs[best].res.Converged && r.res.Final < runs[best].res.Final) {
			best = i
		}
	}
	kept := runs[best]
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, r := range runs {
		if r.res.Converged {
			lo, hi = math.Min(lo, r.res.Final), math.Max(hi, r.res.Final)
		}
	}
	if hi >= lo {
		conv.Spread = (hi - lo) / math.Max(1, math.Abs(lo))
	}
	keptU, rank := leftBasis(canonicalZ(p.Loss, kept.z), OptimumRankTol)
	for i, r := range runs {
		if i == best || !r.res.Converged || math.Abs(r.res.Final-kept.res.Final) > 1e-6*math.Max(1, math.Abs(kept.res.Final)) {
			continue
		}
		u, rr := leftBasis(canonicalZ(p.Loss, r.z), OptimumRankTol)
		conv.Compared++
		if rr != rank || rank == 0 {
			conv.SubspaceAngle = math.Pi / 2
			continue
		}
		ang, err := linalg.PrincipalAngles(keptU, u)
		if err == nil && len(ang) > 0 {
			conv.SubspaceAngle = math.Max(conv.SubspaceAngle, ang[len(ang)-1])
		}
	}
	res := kept.res
	conv.Status, conv.Loss, conv.GradNorm, conv.GradTol, conv.RelChange = res.Status, res.Final, res.GradNorm, res.GradTol, res.RelChange
	out := withParam(sol, kept.param, kept.z)
	out.PredictedLoss = res.Final
	out.Rank, out.Subspace = rank, keptU
	if out.Bounds != nil {
		b := *out.Bounds
		b.Upper = math.Min(b.Upper, res.Final)
		out.Bounds = &b
	}
	out.Convergence = conv
	out.Note = sol.Note + fmt.Sprintf("; numerical optimum: %s after %d iterations over %d starts (gradient norm %.3g, tolerance %.3g)",
		res.Status, conv.Iterations, len(runs), res.GradNorm, res.GradTol)
	return out, nil
}

// optimumStarts returns the starting parameters of Optimum.
func optimumStarts(sol *Solution, n int) ([]*mat.Dense, error) {
	p := sol.prob
	first := paramOf(sol)
	// The characterisation itself (kept when nothing beats it), then a
	// small seeded perturbation of it: characterisations are often saddles
	// by symmetry (repeated columns, exact CCA directions), where the
	// gradient vanishes.
	starts := []*mat.Dense{first}
	if n > 1 {
		starts = append(starts, perturbed(first, 1e-3, p.Seed))
	}
	if p.Loss == SimCLR && len(starts) < n {
		q := p
		q.Loss = SpectralContrastive
		sc, err := Solve(q)
		if err != nil {
			return nil, err
		}
		starts = append(starts, paramOf(sc))
	}
	data := first.RawMatrix().Data
	var ss float64
	for _, v := range data {
		ss += v * v
	}
	rms := math.Sqrt(ss / float64(len(data)))
	if rms == 0 || math.IsNaN(rms) {
		rms = 1
	}
	r, k := first.Dims()
	for i := uint64(1); len(starts) < n; i++ {
		rng := rand.New(rand.NewPCG(p.Seed, 0x0b7+i))
		m := mat.NewDense(r, k, nil)
		for j := range m.RawMatrix().Data {
			m.RawMatrix().Data[j] = rms * rng.NormFloat64()
		}
		starts = append(starts, m)
	}
	return starts, nil
}

// paramOf returns the regime's parameter of sol: Z, W or A.
func paramOf(sol *Solution) *mat.Dense {
	switch sol.prob.Regime {
	case Linear:
		return sol.W
	case Kernel:
		return sol.A
	}
	return sol.Z
}

// withParam returns a copy of sol holding the parameter par and its Z: W or
// A set by regime, Bias recomputed (b = −μᵀ W) and Z centred for the losses
// with a bias, SingularValues of the canonical Z.
func withParam(sol *Solution, par, z *mat.Dense) *Solution {
	p := sol.prob
	out := *sol
	out.Z = z
	switch p.Regime {
	case Linear:
		out.W = par
	case Kernel:
		out.A = par
	}
	if out.Bias != nil {
		mu := linalg.ColMeans(p.design())
		_, k := par.Dims()
		out.Bias = make([]float64, k)
		for j := 0; j < k; j++ {
			for i, m := range mu {
				out.Bias[j] -= m * par.At(i, j)
			}
		}
		out.Z = linalg.CenterColumns(z)
	}
	out.SingularValues = singularValues(canonicalZ(p.Loss, out.Z))
	return &out
}

// leftBasis returns the left singular vectors of z whose singular values
// exceed tol·σ_1, and their number.
func leftBasis(z *mat.Dense, tol float64) (*mat.Dense, int) {
	var svd mat.SVD
	if !svd.Factorize(z, mat.SVDThin) {
		return nil, 0
	}
	r := linalg.RankOf(svd.Values(nil), tol)
	if r == 0 {
		return nil, 0
	}
	var u mat.Dense
	svd.UTo(&u)
	n, _ := u.Dims()
	return mat.DenseCopyOf(u.Slice(0, n, 0, r)), r
}
