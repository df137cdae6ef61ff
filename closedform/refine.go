package closedform

import (
	"errors"
	"math"
	"math/rand/v2"

	"github.com/eigenssl/eigenssl/linalg"
	"github.com/eigenssl/eigenssl/loss"
	"github.com/eigenssl/eigenssl/optimize"
	"gonum.org/v1/gonum/mat"
)

// Defaults of RefineSettings.
const (
	DefaultRefineMaxIter = 20000
	DefaultRefineGradTol = 1e-11
)

// RefineSettings configures Minimize and Refine; the zero value of a field
// means its default.
type RefineSettings struct {
	// MaxIter bounds the iterations (DefaultRefineMaxIter).
	MaxIter int
	// GradTol stops when the gradient's Frobenius norm (the Riemannian
	// gradient for VICRegHard) is at most GradTol·max(1, |f|)
	// (DefaultRefineGradTol).
	GradTol float64
}

// RefineResult reports a numerical minimisation.
type RefineResult struct {
	// Initial and Final are the loss at the start and at the end;
	// Gap = Initial − Final >= 0 is the improvement found.
	Initial, Final, Gap float64
	// GradNorm is the final gradient norm; Converged reports whether it met
	// the tolerance (or the loss stalled at rounding level).
	GradNorm   float64
	Iterations int
	Converged  bool
}

// Minimize runs a deterministic local optimiser on p's loss from the
// parameter start: Z (N x K) in feature space, W (D x K) in the linear
// regime (Z = X W), A (N x K) in the kernel regime (Z = K_X A).
//
// All losses except VICRegHard use optimize.Minimize (L-BFGS, memory 10, Armijo
// line search) on the hand-derived gradients of package loss (and
// SmoothVICReg), chained through Z = X W as ∇_W = Xᵀ ∇_Z. VICRegHard is
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
	if s.MaxIter <= 0 {
		s.MaxIter = DefaultRefineMaxIter
	}
	if s.GradTol <= 0 {
		s.GradTol = DefaultRefineGradTol
	}
	if p.Loss == VICRegHard {
		return minimizeHard(p, n, start, s)
	}
	l := lossOf(p)
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
	os := optimize.Settings{
		MaxIter: s.MaxIter, GradientThreshold: s.GradTol, Relative: true,
		FunctionIter: 100, FunctionTol: 1e-15, ExpandSteps: true,
	}
	out, oerr := optimize.Minimize(optimize.Problem{FuncGrad: fg}, x0, os)
	if evalErr != nil {
		return nil, nil, res, newErr("minimize", "Z", nil, wrap2(ErrParam, evalErr))
	}
	if oerr != nil && !errors.Is(oerr, optimize.ErrNoConvergence) {
		return nil, nil, res, newErr("minimize", "start", nil, wrap2(ErrNaN, oerr))
	}
	f0, iter := out.F0, out.Iterations
	// Restart with a fresh memory while it still helps: near degenerate
	// (quartic) minima the secant pairs become stale and L-BFGS stalls.
	for r := 0; r < 5 && iter < s.MaxIter && out.GradNorm > s.GradTol*math.Max(1, math.Abs(out.F)); r++ {
		os.MaxIter = s.MaxIter - iter
		again, _ := optimize.Minimize(optimize.Problem{FuncGrad: fg}, out.X, os)
		if !(again.F < out.F) {
			break
		}
		iter += again.Iterations
		out = again
	}
	if evalErr != nil {
		return nil, nil, res, newErr("minimize", "Z", nil, wrap2(ErrParam, evalErr))
	}
	// A line search that cannot decrease f along steepest descent means a
	// point stationary to working precision.
	converged := out.Status.Converged() || out.Status == optimize.LineSearchFailure
	param = mat.NewDense(rows, k, out.X)
	res = RefineResult{Initial: f0, Final: out.F, Gap: f0 - out.F, GradNorm: out.GradNorm, Iterations: iter, Converged: converged}
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
		sigma, _ := covariance(x)
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
			g.Copy(linalg.CenterColumns(&g))
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
	it := 0
	for ; it < s.MaxIter; it++ {
		gn := mat.Norm(xi, 2)
		if gn <= s.GradTol*math.Max(1, math.Abs(f)) {
			res.Converged = true
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
				cand.Copy(linalg.CenterColumns(&cand))
			}
			nv, ok := retract(&cand)
			if ok {
				fn, xin := fgrad(nv)
				if fn <= f-1e-4*step*gn*gn {
					prevV, prevXi = v, xi
					v, xi, f = nv, xin, fn
					accepted = true
					break
				}
			}
			step /= 2
		}
		if !accepted {
			res.Converged = true
			break
		}
	}
	res.Final, res.Gap, res.GradNorm, res.Iterations = f, res.Initial-f, mat.Norm(xi, 2), it
	z := toZ(v)
	if x == nil {
		return z, z, res, nil
	}
	w := mat.NewDense(b.RawMatrix().Rows, k, nil)
	w.Mul(b, v)
	return w, z, res, nil
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

// Refine improves sol numerically (Minimize from sol's own parameters) and
// returns a new Solution holding the refined Z (W, A), its loss as
// PredictedLoss and Exact = false unless sol was exact, with the result of
// the run. For an exact solution the gap measures the optimiser's
// agreement with the closed form.
func Refine(sol *Solution, s RefineSettings) (*Solution, RefineResult, error) {
	if sol == nil || sol.Z == nil {
		return nil, RefineResult{}, newErr("refine", "sol", nil, ErrEmpty)
	}
	p := sol.prob
	start := sol.Z
	switch p.Regime {
	case Linear:
		start = sol.W
	case Kernel:
		start = sol.A
	}
	if p.Loss == VICRegHard && sol.Rank < sol.prob.K {
		return nil, RefineResult{}, newErr("refine", "sol", "rank deficient", ErrParam)
	}
	if !sol.Exact {
		// Characterisations are often stationary points (saddles by
		// symmetry, such as repeated columns or exact CCA directions):
		// a small seeded perturbation lets the optimiser leave them.
		start = perturbed(start, 1e-3, p.Seed)
	}
	par, z, res, err := Minimize(p, start, s)
	if err != nil {
		return nil, res, err
	}
	if !sol.Exact {
		// Measure the gap from the characterisation itself, and keep it
		// when the perturbed run did not improve on it.
		res.Initial = sol.PredictedLoss
		res.Gap = res.Initial - res.Final
		if res.Final >= sol.PredictedLoss {
			res.Final, res.Gap = sol.PredictedLoss, 0
			out := *sol
			return &out, res, nil
		}
	}
	out := *sol
	out.Z = z
	switch p.Regime {
	case Linear:
		out.W = par
	case Kernel:
		out.A = par
	}
	if out.Bias != nil {
		// Re-centre: b = −μᵀ W for the new W.
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
	out.PredictedLoss = res.Final
	out.SingularValues = singularValues(canonicalZ(p.Loss, out.Z))
	if !sol.Exact {
		out.Rank = numRank(out.SingularValues, p.G.N)
	}
	if out.Bounds != nil {
		b := *out.Bounds
		b.Upper = math.Min(b.Upper, res.Final)
		out.Bounds = &b
	}
	out.Note = sol.Note + "; refined numerically"
	return &out, res, nil
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
