package closedform

import (
	"errors"
	"math"
	"math/rand/v2"

	"github.com/eigenssl/eigenssl/loss"
	"github.com/eigenssl/eigenssl/optimize"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// Linear SimCLR's limit problem.
//
// The cosine sees only the directions of the rows of Z = X W (K_X A in the
// kernel regime), and a row that shrinks to zero frees its direction from
// the others: on graphs whose infimum is not attained, L-BFGS drives such a
// row i to ‖x_i W‖ → 0 while the loss converges and its gradient grows
// like 1/‖x_i W‖ (docs/THEORY.md section 5). The limit problem of a set C of
// collapsed rows is
//
//	min f(Z) over W with x_i W = 0 (i ∈ C), where z_i = x_i W for i ∉ C and
//	z_i = u_i, a free direction, for i ∈ C,
//
// whose first-order conditions are P Σ_{i∉C} x_iᵀ g_i = 0 (g_i = ∂f/∂z_i,
// P the projector onto the complement of span{x_i : i ∈ C}) and
// (I − u_i u_iᵀ) g_i = 0 for i ∈ C. LimitStationarity measures them at a
// point of the original problem, MinimizeLimit minimises the limit problem
// directly (where the original problem's curvature, of order 1/‖x_i W‖²,
// stalls L-BFGS).

// CollapseTol is the relative row norm below which a row of Z counts as
// collapsed: ‖z_i‖ <= CollapseTol·rms_j ‖z_j‖.
const CollapseTol = 1e-3

// Collapsed returns the rows of z with ‖z_i‖ <= CollapseTol·rms_j ‖z_j‖,
// sorted, and the row norms.
func Collapsed(z *mat.Dense) (rows []int, norms []float64) {
	n, _ := z.Dims()
	norms = make([]float64, n)
	var ms float64
	for i := range n {
		norms[i] = floats.Norm(z.RawRowView(i), 2)
		ms += norms[i] * norms[i]
	}
	rms := math.Sqrt(ms / float64(max(n, 1)))
	for i, r := range norms {
		if r <= CollapseTol*rms {
			rows = append(rows, i)
		}
	}
	return rows, norms
}

// checkLimit validates a limit-problem call: SimCLR, linear or kernel
// regime, param of X's column count.
func checkLimit(op string, p Problem, param *mat.Dense) (Problem, int, error) {
	p = p.withDefaults()
	if p.Loss != SimCLR || p.Regime == Feature {
		return p, 0, newErr(op, "loss", p.Loss+" "+p.Regime, ErrParam)
	}
	n, err := p.validate(op)
	if err != nil {
		return p, 0, err
	}
	if param == nil {
		return p, 0, newErr(op, "param", nil, ErrEmpty)
	}
	if err := checkMatrix(op, "param", param); err != nil {
		return p, 0, err
	}
	if r, _ := param.Dims(); r != p.design().RawMatrix().Cols {
		return p, 0, newErr(op, "param", r, ErrShape)
	}
	return p, n, nil
}

// complementBasis returns an orthonormal basis (D x (D − r)) of the
// complement of span{x_i : i ∈ rows} (r its dimension; nil when the rows
// span R^D) and the pseudo-inverse X_C⁺ (D x |rows|) of those rows.
func complementBasis(x *mat.Dense, rows []int) (basis, pinv *mat.Dense) {
	d := x.RawMatrix().Cols
	if len(rows) == 0 {
		b := mat.NewDense(d, d, nil)
		for i := range d {
			b.Set(i, i, 1)
		}
		return b, nil
	}
	xc := mat.NewDense(len(rows), d, nil)
	for c, i := range rows {
		xc.SetRow(c, x.RawRowView(i))
	}
	var svd mat.SVD
	if !svd.Factorize(xc, mat.SVDFull) {
		return nil, nil
	}
	sv := svd.Values(nil)
	r := 0
	for _, v := range sv {
		if v > 1e-12*sv[0] {
			r++
		}
	}
	var u, v mat.Dense
	svd.UTo(&u)
	svd.VTo(&v)
	// X_C⁺ = V_r Σ_r⁻¹ U_rᵀ.
	vs := mat.DenseCopyOf(v.Slice(0, d, 0, r))
	for j := range r {
		for i := range d {
			vs.Set(i, j, vs.At(i, j)/sv[j])
		}
	}
	pinv = mat.NewDense(d, len(rows), nil)
	pinv.Mul(vs, u.Slice(0, len(rows), 0, r).T())
	if r >= d {
		return nil, pinv
	}
	return mat.DenseCopyOf(v.Slice(0, d, r, d)), pinv
}

// LimitStationarity returns, for SimCLR in the linear or kernel regime at
// param (W, or A), the collapsed rows C of Z = X W (Collapsed) and the
// scale-free norm of the limit problem's first-order conditions,
//
//	√(‖P Σ_{i∉C} x_iᵀ g_i‖²·‖W‖² + Σ_{i∈C} ‖g_i‖²‖z_i‖²) / |f|,
//
// (‖g_i‖·‖z_i‖ is the gradient with respect to u_i), which with C empty is
// the scale-free gradient norm ‖∇f‖·‖W‖/|f| of the loss itself.
func LimitStationarity(p Problem, param *mat.Dense) (collapsed []int, scaled float64, err error) {
	p, n, err := checkLimit("limit", p, param)
	if err != nil {
		return nil, 0, err
	}
	x := p.design()
	_, k := param.Dims()
	z := mat.NewDense(n, k, nil)
	z.Mul(x, param)
	l, err := lossOf(p)
	if err != nil {
		return nil, 0, err
	}
	r, err := l.Eval(loss.Inputs{Z: z, G: p.G}, true)
	if err != nil {
		return nil, 0, newErr("limit", "param", nil, wrap2(ErrParam, err))
	}
	gz := mat.DenseCopyOf(r.Grad[loss.KeyZ])
	collapsed, norms := Collapsed(z)
	var free float64 // Σ_{i∈C} ‖g_i‖²‖z_i‖²
	for _, i := range collapsed {
		g := floats.Norm(gz.RawRowView(i), 2) * norms[i]
		free += g * g
		for j := range k {
			gz.Set(i, j, 0)
		}
	}
	var gw mat.Dense
	gw.Mul(x.T(), gz)
	var gn float64
	if b, _ := complementBasis(x, collapsed); b != nil {
		var bg mat.Dense
		bg.Mul(b.T(), &gw) // ‖Bᵀ g‖ = ‖P g‖
		gn = mat.Norm(&bg, 2) * mat.Norm(param, 2)
	}
	return collapsed, math.Sqrt(gn*gn+free) / math.Abs(r.Value), nil
}

// MinimizeLimit minimises the limit problem of the collapsed rows of
// Z = X param (Collapsed; SimCLR, linear or kernel regime) by L-BFGS over
// W = B V (B an orthonormal basis of the complement of span{x_i : i ∈ C})
// and the free directions u_i, starting from the projection of param and
// the current directions of the collapsed rows (seeded random ones for rows
// that are exactly zero). It stops like Minimize (s.GradTol on the
// gradient's Frobenius norm relative to max(1, |f|), s.RelTol, s.MaxIter).
// It returns W (x_i W = ε u_i for i ∈ C, ε = 1e-9 of the rms row norm, so
// the directions survive), Z = X W, C and a
// RefineResult whose GradNorm is the scale-free numerator
// √(‖∇_V f‖²‖V‖² + Σ_{i∈C} ‖∇_{u_i} f‖²‖u_i‖²) at the end, so that
// GradNorm/|Final| is the norm LimitStationarity reports for the limit
// point. Rows that collapse during the run are not freed: call again. With
// no collapsed row it returns param unchanged and collapsed nil.
func MinimizeLimit(p Problem, param *mat.Dense, s RefineSettings) (w, z *mat.Dense, collapsed []int, res RefineResult, err error) {
	p, n, err := checkLimit("minimize limit", p, param)
	if err != nil {
		return nil, nil, nil, res, err
	}
	if err := s.validate("minimize limit"); err != nil {
		return nil, nil, nil, res, err
	}
	s = s.or(refineDefaults)
	x := p.design()
	_, k := param.Dims()
	z0 := mat.NewDense(n, k, nil)
	z0.Mul(x, param)
	collapsed, norms := Collapsed(z0)
	if len(collapsed) == 0 {
		return param, z0, nil, res, nil
	}
	b, pinv := complementBasis(x, collapsed)
	if b == nil {
		return nil, nil, collapsed, res, newErr("minimize limit", "param", len(collapsed), wrap2(ErrParam, errors.New("the collapsed rows span the design's columns")))
	}
	_, dv := b.Dims()
	var xb mat.Dense
	xb.Mul(x, b) // N x D'
	l, err := lossOf(p)
	if err != nil {
		return nil, nil, collapsed, res, err
	}
	// θ = [V (D' x K); U (|C| x K)], row-major.
	theta := make([]float64, (dv+len(collapsed))*k)
	v0 := mat.NewDense(dv, k, theta[:dv*k])
	v0.Mul(b.T(), param)
	rng := rand.New(rand.NewPCG(p.Seed, 0x6c696d6974))
	for c, i := range collapsed {
		u := theta[(dv+c)*k : (dv+c+1)*k]
		copy(u, z0.RawRowView(i))
		if norms[i] == 0 {
			for j := range u {
				u[j] = rng.NormFloat64()
			}
		}
		floats.Scale(1/floats.Norm(u, 2), u)
	}
	zz := mat.NewDense(n, k, nil)
	var evalErr error
	fg := func(t, grad []float64) float64 {
		v := mat.NewDense(dv, k, t[:dv*k])
		zz.Mul(&xb, v)
		for c, i := range collapsed {
			zz.SetRow(i, t[(dv+c)*k:(dv+c+1)*k])
		}
		r, e := l.Eval(loss.Inputs{Z: zz, G: p.G}, true)
		if e != nil {
			evalErr = e
			return math.Inf(1)
		}
		gz := mat.DenseCopyOf(r.Grad[loss.KeyZ])
		for c, i := range collapsed {
			copy(grad[(dv+c)*k:(dv+c+1)*k], gz.RawRowView(i))
			for j := range k {
				gz.Set(i, j, 0)
			}
		}
		gv := mat.NewDense(dv, k, grad[:dv*k])
		gv.Mul(xb.T(), gz)
		return r.Value
	}
	os := optimize.Settings{MaxIter: s.MaxIter, GradientThreshold: s.GradTol, Relative: true,
		FunctionIter: RelWindow, FunctionTol: s.RelTol}
	out, oerr := optimize.Minimize(optimize.Problem{FuncGrad: fg}, theta, os)
	if evalErr != nil {
		return nil, nil, collapsed, res, newErr("minimize limit", "Z", nil, wrap2(ErrParam, evalErr))
	}
	if oerr != nil && !errors.Is(oerr, optimize.ErrNoConvergence) {
		return nil, nil, collapsed, res, newErr("minimize limit", "param", nil, wrap2(ErrNaN, oerr))
	}
	// The scale-free gradient at the end (each block's norm times its
	// parameter's norm: f is invariant to the scale of V and of each u_i).
	g := make([]float64, len(out.X))
	f := fg(out.X, g)
	vn := floats.Norm(out.X[:dv*k], 2) * floats.Norm(g[:dv*k], 2)
	sum := vn * vn
	for c := range collapsed {
		lo, hi := (dv+c)*k, (dv+c+1)*k
		gu := floats.Norm(g[lo:hi], 2) * floats.Norm(out.X[lo:hi], 2)
		sum += gu * gu
	}
	// W = B V + X_C⁺ (ε U), ε = 1e-9 of the rms row norm: the collapsed
	// rows keep their directions (x_i W = ε u_i when they are independent)
	// for a later call or LimitStationarity. ε is far below CollapseTol and
	// far above the rounding of x_i B V; it moves the other rows by O(ε).
	w = mat.NewDense(b.RawMatrix().Rows, k, nil)
	w.Mul(b, mat.NewDense(dv, k, out.X[:dv*k]))
	z = mat.NewDense(n, k, nil)
	z.Mul(x, w)
	var ms float64
	for i := range n {
		ms += floats.Dot(z.RawRowView(i), z.RawRowView(i))
	}
	eps := 1e-9 * math.Sqrt(ms/float64(n))
	uc := mat.NewDense(len(collapsed), k, nil)
	for c := range collapsed {
		u := out.X[(dv+c)*k : (dv+c+1)*k]
		for j, v := range u {
			uc.Set(c, j, eps*v/floats.Norm(u, 2))
		}
	}
	var lift mat.Dense
	lift.Mul(pinv, uc)
	w.Add(w, &lift)
	z.Mul(x, w)
	res = RefineResult{Initial: out.F0, Final: f, Gap: out.F0 - f, GradNorm: math.Sqrt(sum), Iterations: out.Iterations}
	res.setStatus(s, out.LastChange, out.Iterations >= s.MaxIter)
	return w, z, collapsed, res, nil
}

// ContinueOnLimit continues a linear or kernel SimCLR run of Minimize that
// stopped short of its tolerance (res not converged) with rows of
// z = design·par collapsed: it calls MinimizeLimit for the rest of the
// s.MaxIter budget, again whenever more rows collapse on the way, and
// returns the last point with the iterations of the whole run counted and
// Initial kept. Status is StatusInfimum when the limit problem met
// s.GradTol, else that of the last limit run; collapsed is the number of
// freed rows (0, and the inputs unchanged, when no row had collapsed or the
// loss is not SimCLR outside feature space).
func ContinueOnLimit(p Problem, par, z *mat.Dense, res RefineResult, s RefineSettings) (*mat.Dense, *mat.Dense, RefineResult, int) {
	if res.Converged || p.Loss != SimCLR || p.Regime == Feature {
		return par, z, res, 0
	}
	if c, _ := Collapsed(z); len(c) == 0 {
		return par, z, res, 0
	}
	s = s.or(refineDefaults)
	first, spent, freed := res.Initial, res.Iterations, 0
	for spent < s.MaxIter {
		one := s
		one.MaxIter = s.MaxIter - spent
		w, zz, c, lr, err := MinimizeLimit(p, par, one)
		if err != nil || len(c) == 0 || lr.Iterations == 0 {
			break
		}
		spent += lr.Iterations
		par, z, res, freed = w, zz, lr, len(c)
		res.Initial, res.Gap, res.Iterations = first, first-lr.Final, spent
		if lr.Converged {
			res.Status = StatusInfimum
			break
		}
		// Stopped short with no new collapsed row: MinimizeLimit tests
		// the raw gradient, and f is invariant to the scale of V, which
		// L-BFGS grows (its steps are orthogonal to V); once V has grown
		// the raw test passes while the scale-free one does not, and every
		// further call would stop after one iteration until the budget is
		// spent. Restart from the gauge ‖W‖_F = √K (gaugeOf), as Minimize
		// keeps its runs.
		if now, _ := Collapsed(zz); len(now) == len(c) {
			par = mat.DenseCopyOf(par)
			r, k := par.Dims()
			gaugeOf(p, r, k)(par.RawMatrix().Data)
		}
	}
	return par, z, res, freed
}
