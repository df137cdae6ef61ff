package eval

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
	"slices"

	"github.com/eigenssl/eigenssl/optimize"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// Classifier is a supervised probe on frozen features.
type Classifier interface {
	// Fit learns from the rows of x and their labels y (any integers; at
	// least two distinct values).
	Fit(x mat.Matrix, y []int) error
	// Predict returns one label per row of x, taken from the labels seen
	// by Fit.
	Predict(x mat.Matrix) ([]int, error)
}

var (
	_ Classifier = (*RidgeProbe)(nil)
	_ Classifier = (*LogisticProbe)(nil)
	_ Classifier = (*KNNClassifier)(nil)
)

// checkX validates a feature matrix and returns it as a row-major copy-free
// *mat.Dense when possible.
func checkX(op string, x mat.Matrix) (*mat.Dense, error) {
	if x == nil {
		return nil, newErr(op, "x", nil, ErrEmpty)
	}
	r, c := x.Dims()
	if r == 0 || c == 0 {
		return nil, newErr(op, "x", nil, ErrEmpty)
	}
	d, ok := x.(*mat.Dense)
	if !ok {
		d = mat.DenseCopyOf(x)
	}
	for i := range r {
		for j, v := range d.RawRowView(i) {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, newErr(op, "x", [2]int{i, j}, detail(ErrNaN, "entry %v", v))
			}
		}
	}
	return d, nil
}

// classIndex maps labels to 0..C-1 in ascending label order.
func classIndex(op string, y []int, n int) (classes []int, idx []int, err error) {
	if len(y) != n {
		return nil, nil, newErr(op, "y", len(y), detail(ErrShape, "%d labels for %d rows", len(y), n))
	}
	for i, v := range y {
		if v < 0 {
			return nil, nil, newErr(op, fmt.Sprintf("y[%d]", i), v, detail(ErrLabels, "row %d (1-based) is unlabelled (a negative label, see Unlabelled); leave it out of training", i+1))
		}
	}
	classes = slices.Clone(y)
	slices.Sort(classes)
	classes = slices.Compact(classes)
	if len(classes) < 2 {
		return nil, nil, newErr(op, "y", classes, detail(ErrLabels, "need at least 2 classes"))
	}
	idx = make([]int, n)
	for i, v := range y {
		idx[i], _ = slices.BinarySearch(classes, v)
	}
	return classes, idx, nil
}

// Scaling says how the linear probes rescale the features before fitting.
type Scaling string

const (
	// ColumnScale (the default, "" or "column") centres every column and
	// divides it by its own standard deviation: the probe is blind to the
	// relative scale of the directions of the representation.
	ColumnScale Scaling = "column"
	// GlobalScale ("global") centres every column and divides all of them
	// by one number, the root mean column variance
	// s = √(Σ_j Var(x_j) / D): the ratios between the scales of the
	// directions (VICReg's per-direction shrinkage √(1 − γλ_k), a
	// collapsed direction) reach the probe, and the L2 penalty acts on a
	// representation of unit average variance whatever its overall scale.
	GlobalScale Scaling = "global"
)

// Scalings lists the accepted Scaling values.
var Scalings = []Scaling{ColumnScale, GlobalScale}

// check validates s ("" means ColumnScale).
func (s Scaling) check(op string) error {
	if s == "" || s == ColumnScale || s == GlobalScale {
		return nil
	}
	return newErr(op, "Scale", string(s), detail(ErrParam, "valid scalings: column, global"))
}

// standardizer centres columns and divides by their standard deviation
// (1/N), leaving constant columns centred but unscaled.
type standardizer struct{ mean, scale []float64 }

// fitScaler fits the standardizer of scaling s: per column (ColumnScale) or
// one factor for every column (GlobalScale; a constant x is only centred).
func fitScaler(x *mat.Dense, s Scaling) standardizer {
	if s != GlobalScale {
		return fitStandardizer(x)
	}
	st := fitStandardizer(x)
	r, c := x.Dims()
	var v float64
	for i := range r {
		for j, a := range x.RawRowView(i) {
			d := a - st.mean[j]
			v += d * d
		}
	}
	sd := math.Sqrt(v / float64(r*c))
	f := 1.0
	if sd > 1e-300 {
		f = 1 / sd
	}
	for j := range st.scale {
		st.scale[j] = f
	}
	return st
}

func fitStandardizer(x *mat.Dense) standardizer {
	r, c := x.Dims()
	s := standardizer{mean: make([]float64, c), scale: make([]float64, c)}
	for i := range r {
		floats.Add(s.mean, x.RawRowView(i))
	}
	floats.Scale(1/float64(r), s.mean)
	for i := range r {
		for j, v := range x.RawRowView(i) {
			d := v - s.mean[j]
			s.scale[j] += d * d
		}
	}
	for j := range c {
		sd := math.Sqrt(s.scale[j] / float64(r))
		if sd < 1e-12*math.Max(1, math.Abs(s.mean[j])) {
			sd = 1
		}
		s.scale[j] = 1 / sd
	}
	return s
}

func (s standardizer) apply(x *mat.Dense) *mat.Dense {
	r, c := x.Dims()
	out := mat.NewDense(r, c, nil)
	for i := range r {
		row, src := out.RawRowView(i), x.RawRowView(i)
		for j, v := range src {
			row[j] = (v - s.mean[j]) * s.scale[j]
		}
	}
	return out
}

// argmaxRows returns, for each row of scores, the class of the largest score
// (the first on ties).
func argmaxRows(scores *mat.Dense, classes []int) []int {
	r, _ := scores.Dims()
	out := make([]int, r)
	for i := range r {
		out[i] = classes[floats.MaxIdx(scores.RawRowView(i))]
	}
	return out
}

// RidgeProbe is a linear probe fitted in closed form: with standardised
// features X̃ (columns centred, unit variance) and one-hot targets Y (N x C),
//
//	W = (X̃ᵀX̃ + λ I)⁻¹ X̃ᵀ (Y - 1 ȳᵀ),   b = ȳ,
//
// and a row is assigned the class of its largest score x̃ᵀW + b. The
// intercept is not penalised. Cost O(N D² + D³).
type RidgeProbe struct {
	// Lambda is the L2 penalty λ on the summed squared error (default 1).
	Lambda float64
	// Scale is the feature scaling (default ColumnScale: X̃ as above;
	// GlobalScale divides every centred column by one factor).
	Scale Scaling

	// Learned state.
	Classes_ []int
	W_       *mat.Dense
	B_       []float64
	std      standardizer
}

// Fit implements Classifier. It returns ErrParam for a negative Lambda and
// ErrNoConvergence when X̃ᵀX̃ + λI is singular (λ = 0 with collinear
// features).
func (p *RidgeProbe) Fit(x mat.Matrix, y []int) error {
	const op = "ridge.fit"
	lam := p.Lambda
	if lam == 0 {
		lam = 1
	}
	if lam < 0 || math.IsNaN(lam) {
		return newErr(op, "Lambda", p.Lambda, ErrParam)
	}
	xd, err := checkX(op, x)
	if err != nil {
		return err
	}
	n, d := xd.Dims()
	classes, yi, err := classIndex(op, y, n)
	if err != nil {
		return err
	}
	if err := p.Scale.check(op); err != nil {
		return err
	}
	c := len(classes)
	std := fitScaler(xd, p.Scale)
	xs := std.apply(xd)
	ybar := make([]float64, c)
	for _, k := range yi {
		ybar[k] += 1 / float64(n)
	}
	yc := mat.NewDense(n, c, nil)
	for i, k := range yi {
		row := yc.RawRowView(i)
		for j := range row {
			row[j] = -ybar[j]
		}
		row[k]++
	}
	var g mat.SymDense
	g.SymOuterK(1, xs.T())
	for j := range d {
		g.SetSym(j, j, g.At(j, j)+lam)
	}
	var rhs mat.Dense
	rhs.Mul(xs.T(), yc)
	var chol mat.Cholesky
	if !chol.Factorize(&g) {
		return newErr(op, "Lambda", lam, detail(ErrNoConvergence, "X^T X + lambda I is not positive definite"))
	}
	var w mat.Dense
	if err := chol.SolveTo(&w, &rhs); err != nil {
		return newErr(op, "Lambda", lam, detail(ErrNoConvergence, "%v", err))
	}
	p.Classes_, p.W_, p.B_, p.std = classes, &w, ybar, std
	return nil
}

// Predict implements Classifier.
func (p *RidgeProbe) Predict(x mat.Matrix) ([]int, error) {
	s, err := linearScores("ridge.predict", x, p.std, p.W_, p.B_)
	if err != nil {
		return nil, err
	}
	return argmaxRows(s, p.Classes_), nil
}

// LogisticProbe is multinomial logistic regression on standardised features
// (columns centred, unit variance): with scores s_i = Wᵀx̃_i + b and
// p_i = softmax(s_i), it minimises
//
//	f(W, b) = -Σ_i log p_i[y_i] + (λ/2) ‖W‖_F²
//
// (intercept b not penalised; λ = 1/C of scikit-learn's LogisticRegression,
// whose default C = 1 is our default λ = 1) with optimize.Minimize (L-BFGS, memory 10,
// Armijo backtracking) from W = 0, b = 0.
// The objective is strictly convex for λ > 0, so the result does not depend
// on the start and the fit is deterministic. Cost per iteration O(N D C).
type LogisticProbe struct {
	// Lambda is the L2 penalty λ (default 1).
	Lambda float64
	// Scale is the feature scaling (default ColumnScale, the standardised
	// features above; GlobalScale keeps the ratios between columns).
	Scale Scaling
	// MaxIter bounds the L-BFGS iterations (default 1000).
	MaxIter int
	// GradTol stops when the largest gradient entry, divided by N, falls
	// below it (default 1e-8; coefficients then agree with a converged
	// scikit-learn fit to about 2e-5 on the digits, depending on the
	// BLAS's rounding; at 1e-10 to about 1e-6).
	GradTol float64

	// Learned state.
	Classes_ []int
	W_       *mat.Dense // D x C
	B_       []float64
	// Iterations_ and Converged_ report the optimisation.
	Iterations_ int
	Converged_  bool
	std         standardizer
}

// Fit implements Classifier. Running out of iterations is logged (slog
// warning) and leaves Converged_ false, as scikit-learn does; ErrParam
// reports a bad hyper-parameter.
func (p *LogisticProbe) Fit(x mat.Matrix, y []int) error {
	const op = "logistic.fit"
	lam, maxIter, tol := p.Lambda, p.MaxIter, p.GradTol
	if lam == 0 {
		lam = 1
	}
	if maxIter == 0 {
		maxIter = 1000
	}
	if tol == 0 {
		tol = 1e-8
	}
	if lam < 0 || math.IsNaN(lam) {
		return newErr(op, "Lambda", p.Lambda, ErrParam)
	}
	if maxIter < 0 || tol < 0 || math.IsNaN(tol) {
		return newErr(op, "MaxIter/GradTol", [2]float64{float64(maxIter), tol}, ErrParam)
	}
	xd, err := checkX(op, x)
	if err != nil {
		return err
	}
	n, d := xd.Dims()
	classes, yi, err := classIndex(op, y, n)
	if err != nil {
		return err
	}
	if err := p.Scale.check(op); err != nil {
		return err
	}
	c := len(classes)
	std := fitScaler(xd, p.Scale)
	xs := std.apply(xd)
	nw := d * c
	grad := logisticLoss(xs, yi, c, lam)
	// ‖∇‖_∞ <= tol·N: scikit-learn's pgtol on the summed loss. A line
	// search that can no longer decrease f counts as converged when the
	// gradient is within 1e3 of the tolerance (rounding-level stationarity).
	gtol := tol * float64(n)
	res, err := optimize.Minimize(optimize.Problem{FuncGrad: grad}, make([]float64, nw+c),
		optimize.Settings{MaxIter: maxIter, GradientThreshold: gtol, Norm: optimize.LInf})
	if err != nil && !errors.Is(err, optimize.ErrNoConvergence) {
		return newErr("logistic.fit", "x", nil, fmt.Errorf("%w: %w", ErrNaN, err))
	}
	p.Converged_ = res.Status.Converged() || (res.Status == optimize.LineSearchFailure && res.GradNorm <= 1e3*gtol)
	if !p.Converged_ {
		slog.Warn("eval: logistic probe did not converge", "iterations", res.Iterations, "maxIter", maxIter, "status", res.Status)
	}
	theta := res.X
	p.Classes_ = classes
	p.W_ = mat.NewDense(d, c, slices.Clone(theta[:nw]))
	p.B_ = slices.Clone(theta[nw:])
	p.Iterations_ = res.Iterations
	p.std = std
	return nil
}

// Predict implements Classifier.
func (p *LogisticProbe) Predict(x mat.Matrix) ([]int, error) {
	s, err := p.scores("logistic.predict", x)
	if err != nil {
		return nil, err
	}
	return argmaxRows(s, p.Classes_), nil
}

// PredictProba returns the class probabilities (N x C, columns in the order
// of Classes_).
func (p *LogisticProbe) PredictProba(x mat.Matrix) (*mat.Dense, error) {
	s, err := p.scores("logistic.predictproba", x)
	if err != nil {
		return nil, err
	}
	r, _ := s.Dims()
	for i := range r {
		row := s.RawRowView(i)
		m := floats.Max(row)
		for j := range row {
			row[j] = math.Exp(row[j] - m)
		}
		floats.Scale(1/floats.Sum(row), row)
	}
	return s, nil
}

func (p *LogisticProbe) scores(op string, x mat.Matrix) (*mat.Dense, error) {
	return linearScores(op, x, p.std, p.W_, p.B_)
}

// linearScores returns the scores S = standardise(x) W + 1 bᵀ of a fitted
// linear probe (ErrNotFitted when w is nil).
func linearScores(op string, x mat.Matrix, std standardizer, w *mat.Dense, b []float64) (*mat.Dense, error) {
	if w == nil {
		return nil, newErr(op, "", nil, ErrNotFitted)
	}
	xd, err := checkX(op, x)
	if err != nil {
		return nil, err
	}
	if _, d := xd.Dims(); d != len(std.mean) {
		return nil, newErr(op, "x", d, detail(ErrShape, "%d columns, fitted on %d", d, len(std.mean)))
	}
	var s mat.Dense
	s.Mul(std.apply(xd), w)
	r, _ := s.Dims()
	for i := range r {
		floats.Add(s.RawRowView(i), b)
	}
	return &s, nil
}

// logisticLoss returns the objective of LogisticProbe on standardised
// features xs (N x D) with class indices yi in 0..c-1, as a function of
// θ = (vec_rowmajor(W) (D x C), b) that writes the gradient into g:
//
//	f = Σ_i [log Σ_k exp(s_ik) - s_i,y_i] + (λ/2)‖W‖_F²,  S = X W + 1 bᵀ,
//	∇_W f = Xᵀ (P - Y) + λ W,   ∇_b f = (P - Y)ᵀ 1,  P = softmax rows of S.
func logisticLoss(xs *mat.Dense, yi []int, c int, lam float64) func(theta, g []float64) float64 {
	n, d := xs.Dims()
	nw := d * c
	scores := mat.NewDense(n, c, nil)
	resid := mat.NewDense(n, c, nil)
	return func(theta, g []float64) float64 {
		w := mat.NewDense(d, c, theta[:nw])
		b := theta[nw:]
		scores.Mul(xs, w)
		f := 0.0
		for i := range n {
			s, r := scores.RawRowView(i), resid.RawRowView(i)
			floats.Add(s, b)
			m := floats.Max(s)
			z := 0.0
			for j, v := range s {
				r[j] = math.Exp(v - m)
				z += r[j]
			}
			f += m + math.Log(z) - s[yi[i]]
			floats.Scale(1/z, r)
			r[yi[i]]--
		}
		f += lam / 2 * floats.Dot(theta[:nw], theta[:nw])
		gw := mat.NewDense(d, c, g[:nw])
		gw.Mul(xs.T(), resid)
		floats.AddScaled(g[:nw], lam, theta[:nw])
		gb := g[nw:]
		for j := range gb {
			gb[j] = 0
		}
		for i := range n {
			floats.Add(gb, resid.RawRowView(i))
		}
		return f
	}
}
