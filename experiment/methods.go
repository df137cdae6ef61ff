package experiment

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/eigenssl/eigenssl/closedform"
	"github.com/eigenssl/eigenssl/eval"
	"github.com/eigenssl/eigenssl/linalg"
	"github.com/eigenssl/eigenssl/spectral"
	"gonum.org/v1/gonum/mat"
)

// MethodSpec is one SSL method of the downstream experiments: a loss of
// package closedform with its hyper-parameter, or "supervised" (the probe on
// the inputs themselves).
type MethodSpec struct {
	Name  string  `json:"name"`
	Loss  string  `json:"loss"`
	Gamma float64 `json:"gamma,omitempty"`
}

// Supervised is the Loss of the supervised baseline: the linear probe trained
// on the inputs X with the same labelled samples.
const Supervised = "supervised"

// vicreg returns the smooth-VICReg method with invariance weight gamma.
func vicreg(gamma float64) MethodSpec {
	return MethodSpec{Name: fmt.Sprintf("VICReg γ=%g", gamma), Loss: closedform.VICReg, Gamma: gamma}
}

// defaultMethods returns VICReg at each gamma, SimCLR, BarlowTwins, spectral
// contrastive and the supervised baseline.
func defaultMethods(gammas []float64) []MethodSpec {
	var m []MethodSpec
	for _, g := range gammas {
		m = append(m, vicreg(g))
	}
	return append(m,
		MethodSpec{Name: "SimCLR", Loss: closedform.SimCLR},
		MethodSpec{Name: "BarlowTwins", Loss: closedform.BarlowTwins},
		MethodSpec{Name: "SpectralCL", Loss: closedform.SpectralContrastive},
		MethodSpec{Name: "Supervised", Loss: Supervised},
	)
}

// RefinePlan says how the losses without an exact closed form (SimCLR,
// BarlowTwins) are minimised: L-BFGS (closedform.Minimize) from Restarts
// starts, in chunks of refineChunk iterations, until the scale-free
// stationarity ‖∇f(θ)‖·‖θ‖ <= GradTol·|f| (the first-order change of f
// under a relative perturbation of the parameters, meaningful for the
// scale-invariant SimCLR loss too) holds together with a relative loss
// change of at most LossTol over the last chunk, or MaxIter iterations are
// spent (closedform.Minimize's own stopping rule, which also accepts a
// failed line search, is not taken as convergence); the lowest final loss
// over the starts is kept. A start stopped by MaxIter is not converged
// ("stalled" when its loss no longer moved but its gradient was above
// tolerance), and a cell with such a replicate is excluded from the
// verdicts. Linear SimCLR, whose infimum can be unattained (rows of Z = X W
// collapse to zero and the gradient grows without bound), continues on the
// limit problem once a row collapses (closedform.MinimizeLimit) and is
// "infimum", judged, when that problem meets both tolerances. In the linear
// regime θ is the whitened map M (Z = X W = U M, U = X B orthonormal; see
// whitened), so the test reads ‖P_X ∇_Z f‖·‖Z‖ <= GradTol·|f| whatever the
// scale of X's columns, and the random restarts are isotropic in range(X).
type RefinePlan struct {
	MaxIter  int     `json:"max_iter"`
	GradTol  float64 `json:"grad_tol"`
	LossTol  float64 `json:"loss_tol"`
	Restarts int     `json:"restarts"`
}

// refineChunk is the number of L-BFGS iterations between convergence
// checks of RefinePlan.
const refineChunk = 100

// Fit reports the numerical minimisation behind one representation.
type Fit struct {
	// Loss is the final loss of the kept start, GradNorm its scale-free
	// gradient norm ‖∇f(θ)‖·‖θ‖ (see RefinePlan) and Iterations its
	// L-BFGS iterations. For one plain closedform.Minimize run (the trained
	// encoders of E1 and E2, minimizeFit) GradNorm is the norm that run
	// reports and GradTol the threshold it was held to.
	Loss       Num `json:"loss"`
	GradNorm   Num `json:"grad_norm"`
	GradTol    Num `json:"grad_tol,omitempty"`
	Iterations int `json:"iterations"`
	// Status is "exact" (closed form), "converged", "stalled" (loss flat,
	// gradient above tolerance), "not converged" or "not identifiable" (the
	// loss does not pin the subspace of its optimum; Note says why).
	Status string `json:"status"`
	// Note explains a "not identifiable" status.
	Note string `json:"note,omitempty"`
	// RestartLosses lists the final loss of every start (start 0: the
	// characterisation).
	RestartLosses []Num `json:"restart_losses,omitempty"`
}

// Fit statuses.
const (
	StatusExact        = "exact"
	StatusConverged    = "converged"
	StatusNotConverged = "not converged"
	StatusStalled      = "stalled"
	// StatusInfimum marks linear SimCLR whose infimum is not attained: the
	// loss converged while rows of Z = X W collapsed to zero, and the limit
	// point is stationary for the limit problem (closedform's
	// LimitStationarity). Its Z is that limit point; it is judged.
	StatusInfimum = "infimum"
	// StatusNotIdentifiable marks linear BarlowTwins with K larger than the
	// number r₊ of positive canonical correlations of G's pairs: its minimum
	// min(1,α)(K − r₊) is reached by rank-r₊ maps whose spans differ between
	// starts (docs/THEORY.md, closedform's Convergence.Pinned), so no
	// accuracy is a property of the loss and the cell is not judged.
	StatusNotIdentifiable = "not identifiable"
)

// usable reports whether a representation with this Fit is judged: a
// closed form, a converged optimum or the limit point of a non-attained
// infimum.
func (f Fit) usable() bool {
	return f.Status == StatusExact || f.Status == StatusConverged || f.Status == StatusInfimum
}

// embedding is the representation a method gives the data set's rows.
type embedding struct {
	Z *mat.Dense
	// Exact reports a proven closed-form optimum; Refined that the
	// characterisation was minimised numerically (Fit says how far).
	Exact, Refined bool
	Rank           int
	Loss           float64
	Fit            Fit
	Note           string
}

// embed solves method m on graph b in the given regime ("feature" or
// "linear") with K output dimensions and returns the representation of the
// N' original samples. Losses without an exact closed form are minimised
// numerically according to plan when plan.MaxIter > 0 (a trained encoder of
// the regime: a free Z or a linear map W).
func embed(b *builtGraph, m MethodSpec, regime string, k int, plan RefinePlan, seed uint64) (*embedding, error) {
	p := closedform.Problem{Loss: m.Loss, Regime: regime, G: b.G, K: k, Gamma: m.Gamma, Seed: seed}
	if regime == closedform.Linear {
		p.X = b.X
	}
	var sol *closedform.Solution
	var err error
	rPlus := -1 // positive canonical correlations (linear BarlowTwins)
	if m.Loss == closedform.BarlowTwins && regime == closedform.Linear {
		// closedform.Solve also analyses G's N x N spectrum for the bounds
		// (dense, O(N³)); the linear characterisation itself is graph CCA,
		// O(nnz D + D³), which is all that is needed here.
		sol, rPlus, err = graphCCASolution(p)
	} else {
		sol, err = closedform.Solve(p)
	}
	if err != nil {
		return nil, errorf("embed", m.Name, regime, err)
	}
	e := &embedding{Exact: sol.Exact, Rank: sol.Rank, Loss: sol.PredictedLoss,
		Fit: Fit{Loss: Num(sol.PredictedLoss), GradNorm: nan(), Status: StatusExact}}
	if !sol.Exact {
		e.Fit.Status = StatusNotConverged
	}
	if rPlus >= 0 && rPlus < k {
		// Not identifiable: minimising would only pick one of many
		// rank-r₊ optima, so the characterisation is kept unrefined.
		e.Fit.Status = StatusNotIdentifiable
		e.Fit.Note = fmt.Sprintf("linear BarlowTwins with K = %d > r₊ = %d positive canonical correlations: the loss's minimum is reached by rank-%d maps whose spans differ, so the subspace is not pinned", k, rPlus, rPlus)
	}
	if !sol.Exact && plan.MaxIter > 0 && e.Fit.Status != StatusNotIdentifiable {
		start := sol.W
		if regime == closedform.Feature {
			start = sol.Z
		}
		if m.Loss == closedform.SimCLR {
			// The SimCLR characterisation collapses a connected G to one
			// point, where the cosine gradient is unbounded; training starts
			// instead from its second-order expansion (MDS with target ∝ G,
			// the spectral-contrastive optimum).
			q := p
			q.Loss = closedform.SpectralContrastive
			sc, err := closedform.Solve(q)
			if err != nil {
				return nil, errorf("embed", m.Name, regime, err)
			}
			start = sc.W
			if regime == closedform.Feature {
				start = sc.Z
			}
		}
		param, z, fit, err := minimizeRestarts(p, start, plan, seed)
		if err != nil {
			return nil, errorf("embed", m.Name, regime, err)
		}
		sol.Z = z
		sol.W = nil
		if regime == closedform.Linear {
			sol.W = param
		}
		e.Refined = true
		e.Loss = float64(fit.Loss)
		e.Fit = fit
		e.Rank = numRank(z, 1e-6)
	}
	n := b.Orig.RawMatrix().Rows
	switch {
	case b.X == b.Orig:
		e.Z = sol.Z
	case regime == closedform.Linear && sol.W != nil:
		// The learned map applied to the original (un-augmented) samples.
		e.Z = closedform.Affine(b.Orig, sol.W, sol.Bias)
	default:
		// Feature space: the representation of view 0 of each sample.
		e.Z = mat.DenseCopyOf(sol.Z.Slice(0, n, 0, k))
	}
	e.Note = sol.Note
	return e, nil
}

// minimizeRestarts minimises p's loss from start and from plan.Restarts−1
// seeded random starts of the same Frobenius norm (see RefinePlan), and
// keeps the lowest final loss. For SimCLR, whose loss is invariant to the
// scale of each row of Z, the starts are first scaled to unit rows (feature
// regime) or a root-mean-square row norm of 1 (linear regime), where its
// gradient is well conditioned.
func minimizeRestarts(p closedform.Problem, start *mat.Dense, plan RefinePlan, seed uint64) (param, z *mat.Dense, fit Fit, err error) {
	var back *mat.Dense
	if p.Regime == closedform.Linear {
		if p, start, back, err = whitened(p, start); err != nil {
			return nil, nil, fit, err
		}
	}
	r0, k := start.Dims()
	start = mat.DenseCopyOf(start)
	if p.Loss == closedform.SimCLR && p.Regime == closedform.Feature {
		// The loss sees only the directions of the rows: start from unit
		// rows (a zero row, where the cosine is undefined, gets a seeded
		// random direction).
		rng := rand.New(rand.NewPCG(seed, 0x726f7773))
		for i := range r0 {
			row := start.RawRowView(i)
			var n2 float64
			for _, v := range row {
				n2 += v * v
			}
			if n2 < 1e-24 {
				for j := range row {
					row[j] = rng.NormFloat64()
				}
				n2 = 0
				for _, v := range row {
					n2 += v * v
				}
			}
			for j := range row {
				row[j] /= math.Sqrt(n2)
			}
		}
	} else if p.Loss == closedform.SimCLR {
		zs := start
		if p.Regime == closedform.Linear {
			zs = mat.NewDense(p.X.RawMatrix().Rows, k, nil)
			zs.Mul(p.X, start)
		}
		if rms := mat.Norm(zs, 2) / math.Sqrt(float64(zs.RawMatrix().Rows)); rms > 0 {
			start.Scale(1/rms, start)
		}
	}
	norm := mat.Norm(start, 2)
	if norm == 0 {
		norm = 1
	}
	// The starts are drawn first, in order, then minimised concurrently
	// (results do not depend on scheduling; with the replicates of a cell
	// also running concurrently, the goroutines keep both cores busy when
	// one replicate needs more iterations than another).
	rng := rand.New(rand.NewPCG(seed, 0x72657374))
	nr := max(1, plan.Restarts)
	starts := make([]*mat.Dense, nr)
	starts[0] = start
	for r := 1; r < nr; r++ {
		s := mat.NewDense(r0, k, nil)
		for i := range s.RawMatrix().Data {
			s.RawMatrix().Data[i] = rng.NormFloat64()
		}
		s.Scale(norm/mat.Norm(s, 2), s)
		starts[r] = s
	}
	type run struct {
		param, z *mat.Dense
		fit      Fit
		err      error
	}
	runs := make([]run, nr)
	linalg.ParallelRange(nr, 1, func(lo, hi int) {
		for r := lo; r < hi; r++ {
			runs[r].param, runs[r].z, runs[r].fit, runs[r].err = minimizeChunked(p, starts[r], plan)
		}
	})
	best := math.Inf(1)
	var losses []Num
	for _, r := range runs {
		if r.err != nil {
			return nil, nil, fit, r.err
		}
		losses = append(losses, r.fit.Loss)
		if float64(r.fit.Loss) < best {
			best = float64(r.fit.Loss)
			param, z, fit = r.param, r.z, r.fit
		}
	}
	fit.RestartLosses = losses
	if back != nil {
		w := mat.NewDense(back.RawMatrix().Rows, k, nil)
		w.Mul(back, param)
		param = w
	}
	return param, z, fit, nil
}

// whitened rewrites the linear-regime problem p in whitened coordinates:
// with B (D x r) from linalg.Whitener(XᵀX), U = X B has orthonormal
// columns, and Z = X W = U M for M = Uᵀ X W, while W = B M is the
// minimum-norm map giving the same Z. It returns p with X replaced by U,
// the start mapped to M and B. The losses' values and minimisers (as Z) are
// unchanged; what changes is the problem L-BFGS sees: its Hessian in M is
// the Z-space Hessian restricted to range(X), free of X's conditioning
// (on the digits, pixel variances span several orders of magnitude and
// raw-W runs of BarlowTwins used 3,000 iterations where whitened ones
// need under 100). The gradient ∇_M f = Uᵀ ∇_Z f is the Z-gradient
// projected on range(X) and ‖M‖_F = ‖Z‖_F, so RefinePlan's scale-free
// test is independent of how X's columns are scaled.
func whitened(p closedform.Problem, start *mat.Dense) (closedform.Problem, *mat.Dense, *mat.Dense, error) {
	n, d := p.X.Dims()
	xx := mat.NewSymDense(d, nil)
	xx.SymOuterK(1, p.X.T())
	b, err := linalg.Whitener(xx, 0)
	if err != nil {
		return p, nil, nil, errorf("whiten", "X", "", err)
	}
	_, r := b.Dims()
	u := mat.NewDense(n, r, nil)
	u.Mul(p.X, b)
	_, k := start.Dims()
	z := mat.NewDense(n, k, nil)
	z.Mul(p.X, start)
	m := mat.NewDense(r, k, nil)
	m.Mul(u.T(), z)
	p.X = u
	return p, m, b, nil
}

// minimizeFit is the Fit of one closedform.Minimize run held to
// closedform's own tolerance: Status "converged" when its gradient norm met
// res.GradTol, "not converged" when the iteration budget ran out first and
// "stalled" when it stopped without meeting the tolerance.
func minimizeFit(res closedform.RefineResult) Fit {
	f := Fit{Loss: Num(res.Final), GradNorm: Num(res.GradNorm), GradTol: Num(res.GradTol), Iterations: res.Iterations, Status: StatusStalled}
	switch res.Status {
	case closedform.StatusConverged:
		f.Status = StatusConverged
	case closedform.StatusIterationLimit:
		f.Status = StatusNotConverged
	}
	return f
}

// minimizeChunked runs closedform.Minimize from start in chunks of
// refineChunk iterations until the tolerance of plan is met or MaxIter
// iterations are spent.
func minimizeChunked(p closedform.Problem, start *mat.Dense, plan RefinePlan) (param, z *mat.Dense, fit Fit, err error) {
	param = start
	fit.Status = StatusNotConverged
	// closedform.Minimize stops at ‖∇f‖ <= tol·max(1, |f|), which must not
	// be looser than the scale-free test of plan: tol is plan.GradTol over
	// ‖θ‖ (and over 1/|f| when |f| < 1), from the last chunk's point, and
	// tightens tenfold whenever a chunk met its own tolerance but not the
	// plan's (‖θ‖ moved during the chunk).
	tighten, fAbs := 1.0, 1.0
	// limit: linear SimCLR whose rows of Z collapse (the infimum is not
	// attained; the gradient grows like 1/‖z_i‖ and L-BFGS stalls on the
	// original problem) continues on the limit problem, which frees the
	// collapsed rows' directions (closedform.MinimizeLimit).
	limit, idle := false, 0
	for fit.Iterations < plan.MaxIter {
		tol := plan.GradTol * math.Min(1, fAbs) / math.Max(mat.Norm(param, 2), 1e-300) / tighten
		set := closedform.RefineSettings{MaxIter: min(refineChunk, plan.MaxIter-fit.Iterations), GradTol: tol}
		var (
			pr, zr    *mat.Dense
			rr        closedform.RefineResult
			collapsed []int
		)
		if limit {
			pr, zr, collapsed, rr, err = closedform.MinimizeLimit(p, param, set)
			if err != nil {
				// No limit problem to solve (e.g. the collapsed rows span
				// every column of X): the run ends unconverged, with why.
				fit.Note = fmt.Sprintf("limit problem not solvable: %v", err)
				break
			}
		} else {
			pr, zr, rr, err = closedform.Minimize(p, param, set)
		}
		if err != nil {
			return nil, nil, fit, err
		}
		if limit && len(collapsed) == 0 {
			limit = false // nothing collapsed any more: back to the original problem
			continue
		}
		param, z = pr, zr
		fit.Iterations += rr.Iterations
		f := math.Max(math.Abs(rr.Final), 1e-300)
		num := rr.GradNorm * mat.Norm(pr, 2)
		if limit {
			num = rr.GradNorm // already scale-free (see MinimizeLimit)
		}
		fit.Loss, fit.GradNorm = Num(rr.Final), Num(num)
		scaled := num / f
		change := math.Abs(rr.Initial-rr.Final) / f
		fAbs = math.Abs(rr.Final)
		if scaled <= plan.GradTol && change <= plan.LossTol {
			fit.Status = StatusConverged
			if limit {
				fit.Status = StatusInfimum
				fit.Note = fmt.Sprintf("infimum not attained: %d row(s) of Z collapse (‖z_i‖ <= %g·rms); Z is the limit point, stationary for the limit problem (closedform.MinimizeLimit, scaled gradient %.2g)", len(collapsed), closedform.CollapseTol, scaled)
			}
			break
		}
		if !limit && p.Loss == closedform.SimCLR && p.Regime != closedform.Feature {
			if c, _ := closedform.Collapsed(zr); len(c) > 0 {
				limit, tighten = true, 1
			}
		}
		if rr.Status == closedform.StatusConverged {
			tighten *= 10
		}
		if change <= plan.LossTol {
			// Flat but not stationary to tolerance: keep going while the
			// budget lasts, and say so if it runs out.
			fit.Status = StatusStalled
		} else {
			fit.Status = StatusNotConverged
		}
		if rr.Iterations == 0 {
			idle++
			if !limit || idle >= 3 {
				break // no step possible
			}
		} else {
			idle = 0
		}
	}
	return param, z, fit, nil
}

// numRank is the rank of the centred z with relative tolerance tol·σ₁.
func numRank(z *mat.Dense, tol float64) int {
	sv, err := eval.SingularValues(linalg.CenterColumns(z))
	if err != nil {
		return 0
	}
	return linalg.RankOf(sv, tol)
}

// graphCCASolution is the linear-regime BarlowTwins characterisation of
// closedform (shared-weight CCA on the pairs of G, THEORY §4) computed with
// spectral.GraphCCA, without closedform's O(N³) bound analysis. It is marked
// not exact (the loss is only minimised when every canonical correlation is
// 1).
func graphCCASolution(p closedform.Problem) (*closedform.Solution, int, error) {
	c := &spectral.GraphCCA{Components: p.K, Reg: 1e-10}
	if err := c.FitGraph(p.X, p.G); err != nil {
		return nil, 0, err
	}
	rPlus := 0
	for _, rho := range c.Eigenvalues() {
		if rho > rhoPositiveTol {
			rPlus++
		}
	}
	z := c.Embedding()
	v, err := closedform.Evaluate(p, z)
	if err != nil {
		return nil, 0, err
	}
	return &closedform.Solution{Loss: p.Loss, Regime: p.Regime, Z: z, W: c.Weights(), PredictedLoss: v,
		Rank: numRank(z, 1e-9), EquivalentMethod: "graph CCA", Note: "shared-weight CCA characterisation (spectral.GraphCCA)"}, rPlus, nil
}

// rhoPositiveTol is the canonical correlation above which graphCCASolution
// counts a direction in r₊ (correlations of a pure-noise direction are of
// order 1e-2 and negative on the graphs of E3; exact zeros are rounding).
const rhoPositiveTol = 1e-6
