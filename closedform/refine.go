package closedform

import (
	"cmp"
	"errors"
	"math"
	"math/rand/v2"

	"github.com/eigenssl/eigenssl/linalg"
	"github.com/eigenssl/eigenssl/loss"
	"github.com/eigenssl/eigenssl/optimize"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// Defaults of RefineSettings.
const (
	DefaultRefineMaxIter = 20000
	DefaultRefineGradTol = 1e-11
	DefaultRefineRelTol  = 1e-15
	// RelWindow is the number of consecutive iterations whose relative loss
	// change must stay below RelTol before a run stops as stalled.
	RelWindow = 100
)

// RefineSettings configures Minimize, Refine and Optimum; the zero value of
// a field means its default, a negative value is an error.
type RefineSettings struct {
	// MaxIter bounds the iterations of one start (DefaultRefineMaxIter;
	// DefaultOptimumMaxIter for Optimum).
	MaxIter int
	// GradTol is the convergence tolerance: a run has converged when the
	// gradient's Frobenius norm (the Riemannian gradient for VICRegHard, the
	// minimum-norm subgradient for VICRegHinge) is at most
	// GradTol·max(1, |f|) (DefaultRefineGradTol; DefaultOptimumGradTol for
	// Optimum). For the scale-invariant losses the gradient is taken at the
	// gauge-fixed parameter (BarlowTwins: unit-norm columns; SimCLR: unit
	// rows of Z, or ‖W‖_F = √K), which Minimize also returns.
	GradTol float64
	// RelTol stops a run whose loss changed by at most RelTol·max(1, |f|) on
	// each of RelWindow consecutive iterations (DefaultRefineRelTol;
	// DefaultOptimumRelTol for Optimum). Such a run has converged only if it
	// also meets GradTol; otherwise its Status is StatusFailed (stalled).
	RelTol float64
	// Starts is the number of starting points of Optimum (DefaultOptimumStarts):
	// the characterisation, for SimCLR also the spectral-contrastive optimum,
	// then seeded random starts. Minimize and Refine run one start.
	Starts int
}

func (s RefineSettings) validate(op string) error {
	for _, kv := range []struct {
		name string
		v    float64
	}{{"MaxIter", float64(s.MaxIter)}, {"GradTol", s.GradTol}, {"RelTol", s.RelTol}, {"Starts", float64(s.Starts)}} {
		if !(kv.v >= 0) || math.IsInf(kv.v, 1) {
			return newErr(op, kv.name, kv.v, ErrParam)
		}
	}
	return nil
}

// refineDefaults and optimumDefaults fill the RefineSettings fields left
// at zero: for Minimize and Refine, and for Optimum.
var (
	refineDefaults = RefineSettings{MaxIter: DefaultRefineMaxIter, GradTol: DefaultRefineGradTol,
		RelTol: DefaultRefineRelTol, Starts: 1}
	optimumDefaults = RefineSettings{MaxIter: DefaultOptimumMaxIter, GradTol: DefaultOptimumGradTol,
		RelTol: DefaultOptimumRelTol, Starts: DefaultOptimumStarts}
)

// or returns s with each zero field taken from d (s validated).
func (s RefineSettings) or(d RefineSettings) RefineSettings {
	return RefineSettings{MaxIter: cmp.Or(s.MaxIter, d.MaxIter), GradTol: cmp.Or(s.GradTol, d.GradTol),
		RelTol: cmp.Or(s.RelTol, d.RelTol), Starts: cmp.Or(s.Starts, d.Starts)}
}

// RefineResult reports a numerical minimisation.
type RefineResult struct {
	// Initial and Final are the loss at the start and at the end;
	// Gap = Initial − Final is the improvement found (Refine keeps the
	// characterisation, Gap = 0, when the run ends higher).
	Initial, Final, Gap float64
	// GradNorm is the final gradient norm (Frobenius; Riemannian for
	// VICRegHard) and GradTol the threshold it was held to,
	// RefineSettings.GradTol·max(1, |Final|).
	GradNorm, GradTol float64
	// RelChange is |f_k − f_{k−1}| / max(1, |f_k|) of the last iteration.
	RelChange  float64
	Iterations int
	// Status is StatusConverged when GradNorm <= GradTol,
	// StatusIterationLimit when MaxIter iterations ran out first, and
	// StatusFailed when the run stopped without meeting GradTol (the loss
	// stalled below RelTol, or no descent step could be found).
	Status Status
	// Converged is Status == StatusConverged.
	Converged bool
}

// Minimize runs a deterministic local optimiser on p's loss from the
// parameter start: Z (N x K) in feature space, W (D x K) in the linear
// regime (Z = X W), A (N x K) in the kernel regime (Z = K_X A).
//
// All losses except VICRegHard use optimize.Minimize (gonum's L-BFGS,
// memory 10, More–Thuente line search) on the hand-derived gradients of
// package loss, chained through Z = X W as ∇_W = Xᵀ ∇_Z, restarted with a
// fresh memory while that still lowers the loss. The run stops when the
// gradient's Frobenius norm is at most s.GradTol·max(1, |f|), or when the
// loss changed by at most s.RelTol·max(1, |f|) on RelWindow consecutive
// iterations, or after s.MaxIter iterations; res.Status says which (see
// RefineResult). For VICRegHinge the gradient norm is that of the
// minimum-norm subgradient (hingeStationarity). VICRegHard is
// minimised on its constraint Cov(Z) = I: in whitened coordinates
// (feature: Y = H Z/√N; linear: W = B V with Bᵀ Σx B = I) the constraint is
// VᵀV = I, and Riemannian gradient descent (Barzilai–Borwein steps, Armijo
// backtracking, Cholesky retraction) minimises (1/N) Σ G_ij ‖z_i − z_j‖²
// evaluated on Z itself. It returns the final parameter and Z.
func Minimize(p Problem, start *mat.Dense, s RefineSettings) (param, z *mat.Dense, res RefineResult, err error) {
	p = p.withDefaults()
	n, err := p.validate("minimize")
	if err != nil {
		return nil, nil, res, err
	}
	if start == nil {
		return nil, nil, res, newErr("minimize", "start", nil, ErrEmpty)
	}
	if err := checkMatrix("minimize", "start", start); err != nil {
		return nil, nil, res, err
	}
	rows, k := start.Dims()
	want := n
	if p.Regime == Linear {
		_, want = p.X.Dims()
	}
	if rows != want {
		return nil, nil, res, newErr("minimize", "start", rows, ErrShape)
	}
	if err := s.validate("minimize"); err != nil {
		return nil, nil, res, err
	}
	s = s.or(refineDefaults)
	if p.Loss == VICRegHard {
		return minimizeHard(p, n, start, s)
	}
	l, err := lossOf(p)
	if err != nil {
		return nil, nil, res, err
	}
	x := p.design()
	toZ := func(par *mat.Dense) *mat.Dense {
		if x == nil {
			return par
		}
		zz := mat.NewDense(n, k, nil)
		zz.Mul(x, par)
		return zz
	}
	var evalErr error
	fg := func(v, grad []float64) float64 {
		par := mat.NewDense(rows, k, v)
		r, e := l.Eval(loss.Inputs{Z: toZ(par), G: p.G}, true)
		if e != nil {
			evalErr = e
			return math.Inf(1)
		}
		gz := r.Grad[loss.KeyZ]
		if x == nil {
			copy(grad, gz.RawMatrix().Data)
		} else {
			gw := mat.NewDense(rows, k, grad)
			gw.Mul(x.T(), gz)
		}
		return r.Value
	}
	x0 := append([]float64(nil), mat.DenseCopyOf(start).RawMatrix().Data...)
	gauge := gaugeOf(p, rows, k)
	// gaugeFix moves the point to its gauge (f unchanged) and returns f and
	// the gradient norm there.
	gaugeFix := func(v []float64, f, gn float64) (float64, float64) {
		if gauge == nil || !gauge(v) {
			return f, gn
		}
		g := make([]float64, len(v))
		f = fg(v, g)
		return f, floats.Norm(g, 2)
	}
	gaugeFix(x0, 0, 0)
	os := optimize.Settings{
		MaxIter: s.MaxIter, GradientThreshold: s.GradTol, Relative: true,
		FunctionIter: RelWindow, FunctionTol: s.RelTol,
	}
	out, oerr := optimize.Minimize(optimize.Problem{FuncGrad: fg}, x0, os)
	if evalErr != nil {
		return nil, nil, res, newErr("minimize", "Z", nil, wrap2(ErrParam, evalErr))
	}
	if oerr != nil && !errors.Is(oerr, optimize.ErrNoConvergence) {
		return nil, nil, res, newErr("minimize", "start", nil, wrap2(ErrNaN, oerr))
	}
	f0, iter := out.F0, out.Iterations
	// Restart with a fresh memory (from the gauge-fixed point) while it
	// still helps: near degenerate (quartic) minima the secant pairs become
	// stale and L-BFGS stalls, and on scale-invariant losses the scale
	// drifts up and deflates the gradient.
	for r := 0; r < 5 && iter < s.MaxIter; r++ {
		out.F, out.GradNorm = gaugeFix(out.X, out.F, out.GradNorm)
		if out.GradNorm <= s.GradTol*math.Max(1, math.Abs(out.F)) {
			break
		}
		os.MaxIter = s.MaxIter - iter
		again, _ := optimize.Minimize(optimize.Problem{FuncGrad: fg}, out.X, os)
		if !(again.F < out.F) {
			break
		}
		iter += again.Iterations
		out = again
	}
	out.F, out.GradNorm = gaugeFix(out.X, out.F, out.GradNorm)
	if evalErr != nil {
		return nil, nil, res, newErr("minimize", "Z", nil, wrap2(ErrParam, evalErr))
	}
	param = mat.NewDense(rows, k, out.X)
	res = RefineResult{Initial: f0, Final: out.F, Gap: f0 - out.F, GradNorm: out.GradNorm, Iterations: iter}
	if p.Loss == VICRegHinge {
		if res.GradNorm, err = hingeStationarity(p, x, toZ(param)); err != nil {
			return nil, nil, res, newErr("minimize", "Z", nil, wrap2(ErrParam, err))
		}
	}
	res.setStatus(s, out.LastChange, iter >= s.MaxIter)
	return param, toZ(param), res, nil
}

// minimizeHard runs Riemannian gradient descent for VICRegHard.
func minimizeHard(p Problem, n int, start *mat.Dense, s RefineSettings) (*mat.Dense, *mat.Dense, RefineResult, error) {
	_, k := start.Dims()
	d := degrees(p.G)
	var b, x *mat.Dense
	var v *mat.Dense
	if p.Regime == Feature {
		v = linalg.CenterColumns(start)
		v.Scale(1/math.Sqrt(float64(n)), v)
	} else {
		x = p.design()
		sigma := p.linearSums(n, needXX).covariance()
		var err error
		b, err = whitener(sigma)
		if err != nil {
			return nil, nil, RefineResult{}, err
		}
		// V = Bᵀ Σ W (the whitened coordinates of W's component in range Σ).
		var t mat.Dense
		t.Mul(sigma, start)
		v = mat.NewDense(b.RawMatrix().Cols, k, nil)
		v.Mul(b.T(), &t)
	}
	v, ok := retract(v)
	if !ok {
		return nil, nil, RefineResult{}, newErr("minimize", "start", "rank deficient", ErrParam)
	}
	toZ := func(v *mat.Dense) *mat.Dense {
		if x == nil {
			z := mat.DenseCopyOf(v)
			z.Scale(math.Sqrt(float64(n)), z)
			return z
		}
		var bv mat.Dense
		bv.Mul(b, v)
		z := mat.NewDense(n, k, nil)
		z.Mul(x, &bv)
		return linalg.CenterColumns(z)
	}
	fgrad := func(v *mat.Dense) (float64, *mat.Dense) {
		z := toZ(v)
		lz := lapMul(p.G, d, z)
		f := 2 * frobDot(z, lz) / float64(n)
		lz.Scale(4/float64(n), lz)
		var g mat.Dense
		if x == nil {
			g.Scale(math.Sqrt(float64(n)), lz)
			linalg.CenterColumnsInPlace(&g)
		} else {
			var xl mat.Dense
			xl.Mul(x.T(), lz)
			g.Mul(b.T(), &xl)
		}
		// Riemannian gradient ξ = G − V sym(Vᵀ G).
		var vg, sym mat.Dense
		vg.Mul(v.T(), &g)
		sym.Add(&vg, vg.T())
		sym.Scale(0.5, &sym)
		var corr mat.Dense
		corr.Mul(v, &sym)
		g.Sub(&g, &corr)
		return f, &g
	}
	f, xi := fgrad(v)
	res := RefineResult{Initial: f}
	step := 1.0 / math.Max(1e-12, mat.Norm(xi, 2))
	var prevV, prevXi *mat.Dense
	it, lastChange, stall := 0, 0.0, 0
	for ; it < s.MaxIter && stall < RelWindow; it++ {
		gn := mat.Norm(xi, 2)
		if gn <= s.GradTol*math.Max(1, math.Abs(f)) {
			break
		}
		if prevV != nil {
			var sv, yv mat.Dense
			sv.Sub(v, prevV)
			yv.Sub(xi, prevXi)
			if sy := frobDot(&sv, &yv); sy > 0 {
				step = frobDot(&sv, &sv) / sy
			}
		}
		accepted := false
		for ls := 0; ls < 60; ls++ {
			var cand mat.Dense
			cand.Scale(-step, xi)
			cand.Add(v, &cand)
			if x == nil {
				// Stay on 1⊥: the constant vector has the smallest
				// eigenvalue of L and rounding would otherwise grow it.
				linalg.CenterColumnsInPlace(&cand)
			}
			nv, ok := retract(&cand)
			if ok {
				fn, xin := fgrad(nv)
				if fn <= f-1e-4*step*gn*gn {
					lastChange = f - fn
					if lastChange <= s.RelTol*math.Max(1, math.Abs(fn)) {
						stall++
					} else {
						stall = 0
					}
					prevV, prevXi = v, xi
					v, xi, f = nv, xin, fn
					accepted = true
					break
				}
			}
			step /= 2
		}
		if !accepted {
			break
		}
	}
	res.Final, res.Gap, res.GradNorm, res.Iterations = f, res.Initial-f, mat.Norm(xi, 2), it
	res.setStatus(s, lastChange, it >= s.MaxIter)
	z := toZ(v)
	if x == nil {
		return z, z, res, nil
	}
	w := mat.NewDense(b.RawMatrix().Rows, k, nil)
	w.Mul(b, v)
	return w, z, res, nil
}

// gaugeOf returns, for the scale-invariant losses, a function that moves a
// parameter (rows x k, row-major) to its gauge in place and reports whether
// it changed it: BarlowTwins' C is invariant to column scales (columns of
// unit norm), SimCLR's cosine to row scales of Z (feature regime: rows of
// unit norm; linear and kernel: ‖W‖_F = √K). At the gauge the gradient is
// the gradient with respect to the directions, so a drifting scale cannot
// fake (or hide) convergence. Other losses: nil.
func gaugeOf(p Problem, rows, k int) func(v []float64) bool {
	scale := func(v []float64, f float64) bool {
		if !(f > 0) || math.IsInf(f, 0) || f == 1 {
			return false
		}
		for i := range v {
			v[i] *= f
		}
		return true
	}
	switch {
	case p.Loss == BarlowTwins:
		return func(v []float64) bool {
			changed := false
			for j := 0; j < k; j++ {
				var ss float64
				for i := 0; i < rows; i++ {
					ss += v[i*k+j] * v[i*k+j]
				}
				if ss > 0 && ss != 1 {
					f := 1 / math.Sqrt(ss)
					for i := 0; i < rows; i++ {
						v[i*k+j] *= f
					}
					changed = true
				}
			}
			return changed
		}
	case p.Loss == SimCLR && p.Regime == Feature:
		return func(v []float64) bool {
			changed := false
			for i := 0; i < rows; i++ {
				nr := floats.Norm(v[i*k:(i+1)*k], 2)
				changed = scale(v[i*k:(i+1)*k], 1/nr) || changed
			}
			return changed
		}
	case p.Loss == SimCLR:
		return func(v []float64) bool { return scale(v, math.Sqrt(float64(k))/floats.Norm(v, 2)) }
	}
	return nil
}

// hingeKinkTol: a column of the hinge VICReg loss whose unbiased variance
// is within hingeKinkTol of 1 sits on the kink of max(0, 1 − √C_kk).
const hingeKinkTol = 1e-8

// hingeStationarity returns the norm of the minimum-norm subgradient of the
// hinge VICReg loss at z (in the parameter of the regime: Xᵀ∇_Z with x the
// design, ∇_Z when x is nil). The hinge α(1 − √C_kk) has, on a column with
// C_kk = 1, the subdifferential t·a_k, t ∈ [0, 1], a_k = −α H z_k /
// (√C_kk (N − 1)); a_k touches column k only, so the minimising t is
// clamp(−⟨g₀_k, a_k⟩ / ‖a_k‖², 0, 1) column by column (g₀ the gradient
// without the hinge term of that column). Minima of this loss often sit on
// the kink, where the gradient norm never falls below a tolerance.
func hingeStationarity(p Problem, x, z *mat.Dense) (float64, error) {
	l, err := lossOf(p)
	if err != nil {
		return 0, err
	}
	r, err := l.Eval(loss.Inputs{Z: z, G: p.G}, true)
	if err != nil {
		return 0, err
	}
	g := mat.DenseCopyOf(r.Grad[loss.KeyZ])
	n, k := z.Dims()
	zc := linalg.CenterColumns(z)
	a := mat.NewDense(n, k, nil)
	kink := make([]bool, k)
	for j := 0; j < k; j++ {
		col := mat.Col(nil, j, zc)
		var ckk float64
		for _, v := range col {
			ckk += v * v
		}
		ckk /= float64(n - 1)
		if math.Abs(ckk-1) > hingeKinkTol {
			continue
		}
		kink[j] = true
		f := -p.Alpha / (math.Sqrt(ckk) * float64(n-1))
		for i, v := range col {
			a.Set(i, j, f*v)
			if ckk <= 1 { // the loss's gradient included t = 1
				g.Set(i, j, g.At(i, j)-f*v)
			}
		}
	}
	if x != nil {
		var gx, ax mat.Dense
		gx.Mul(x.T(), g)
		ax.Mul(x.T(), a)
		g, a = &gx, &ax
	}
	rows, _ := g.Dims()
	for j := 0; j < k; j++ {
		if !kink[j] {
			continue
		}
		var ga, aa float64
		for i := 0; i < rows; i++ {
			ga += g.At(i, j) * a.At(i, j)
			aa += a.At(i, j) * a.At(i, j)
		}
		t := 0.0
		if aa > 0 {
			t = math.Min(1, math.Max(0, -ga/aa))
		}
		for i := 0; i < rows; i++ {
			g.Set(i, j, g.At(i, j)+t*a.At(i, j))
		}
	}
	return mat.Norm(g, 2), nil
}

// setStatus fills GradTol, RelChange and Status from the final point.
func (r *RefineResult) setStatus(s RefineSettings, lastChange float64, hitLimit bool) {
	scale := math.Max(1, math.Abs(r.Final))
	r.GradTol = s.GradTol * scale
	r.RelChange = lastChange / scale
	switch {
	case r.GradNorm <= r.GradTol:
		r.Status, r.Converged = StatusConverged, true
	case hitLimit:
		r.Status = StatusIterationLimit
	default:
		r.Status = StatusFailed
	}
}

// retract maps V onto the Stiefel manifold: V (VᵀV)^{-1/2} via Cholesky,
// V U^{-1} with VᵀV = UᵀU.
func retract(v *mat.Dense) (*mat.Dense, bool) {
	var c mat.SymDense
	c.SymOuterK(1, v.T())
	var ch mat.Cholesky
	if !ch.Factorize(&c) {
		return nil, false
	}
	var u mat.TriDense
	ch.UTo(&u)
	var y mat.Dense
	if err := y.Solve(u.T(), v.T()); err != nil {
		return nil, false
	}
	return mat.DenseCopyOf(y.T()), true
}

// Refine improves sol numerically with one run of Minimize from sol's own
// parameters (slightly perturbed when sol is not exact: characterisations
// are often saddles by symmetry) and returns a new Solution holding the end
// point, its loss as PredictedLoss, Exact as in sol, and the run's result
// (Gap = sol.PredictedLoss − Final; it is negative when the run ended above
// the characterisation, which is then a local minimum or the tolerance was
// too loose). Use Optimum for a converged optimum from several starts.
func Refine(sol *Solution, s RefineSettings) (*Solution, RefineResult, error) {
	if sol == nil || sol.Z == nil {
		return nil, RefineResult{}, newErr("refine", "sol", nil, ErrEmpty)
	}
	p := sol.prob
	start := paramOf(sol)
	if p.Loss == VICRegHard && sol.Rank < sol.prob.K {
		return nil, RefineResult{}, newErr("refine", "sol", "rank deficient", ErrParam)
	}
	if !sol.Exact {
		start = perturbed(start, 1e-3, p.Seed)
	}
	par, z, res, err := Minimize(p, start, s)
	if err != nil {
		return nil, res, err
	}
	res.Initial = sol.PredictedLoss
	res.Gap = res.Initial - res.Final
	out := withParam(sol, par, z)
	out.PredictedLoss = res.Final
	if !sol.Exact {
		out.Rank = numRank(out.SingularValues, p.G.N)
	}
	if out.Bounds != nil {
		b := *out.Bounds
		b.Upper = math.Min(b.Upper, res.Final)
		out.Bounds = &b
	}
	s = s.or(refineDefaults)
	out.Convergence = &Convergence{Status: res.Status, Loss: res.Final, GradNorm: res.GradNorm, GradTol: res.GradTol,
		RelChange: res.RelChange, RelTol: s.RelTol, Iterations: res.Iterations, MaxIter: s.MaxIter,
		StartLosses: []float64{res.Final}, StartStatus: []Status{res.Status}}
	out.Note = sol.Note + "; refined numerically (" + string(res.Status) + ")"
	return out, res, nil
}

// perturbed returns m + ε·rms(m)·ξ with ξ standard normal (seeded).
func perturbed(m *mat.Dense, eps float64, seed uint64) *mat.Dense {
	out := mat.DenseCopyOf(m)
	data := out.RawMatrix().Data
	var ss float64
	for _, v := range data {
		ss += v * v
	}
	rms := math.Sqrt(ss / float64(len(data)))
	if rms == 0 {
		rms = 1
	}
	rng := rand.New(rand.NewPCG(seed, 0x9e71))
	for i := range data {
		data[i] += eps * rms * rng.NormFloat64()
	}
	return out
}
