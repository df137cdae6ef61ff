package optimize

import (
	"math"

	"gonum.org/v1/gonum/floats"
)

// Defaults of Settings; a zero field means its default.
const (
	DefaultMaxIter           = 1000
	DefaultGradientThreshold = 1e-8
	DefaultMemory            = 10
	DefaultFunctionIter      = 10
	DefaultFunctionTol       = 1e-14
)

// Line-search constants (see the package documentation).
const (
	armijoC1     = 1e-4
	maxBacktrack = 60
	curvatureTol = 1e-12
)

// Norm selects the gradient norm of the GradientThreshold test.
type Norm int

const (
	// L2 is the Euclidean norm ‖g‖₂ (the default).
	L2 Norm = iota
	// LInf is the max-abs norm ‖g‖_∞ (scikit-learn's pgtol convention).
	LInf
)

func (n Norm) of(g []float64) float64 {
	if n == LInf {
		return floats.Norm(g, math.Inf(1))
	}
	return floats.Norm(g, 2)
}

// Status says why Minimize stopped.
type Status int

const (
	NotTerminated Status = iota
	// GradientThreshold: the gradient norm met the threshold.
	GradientThreshold
	// FunctionConvergence: f stalled at rounding level.
	FunctionConvergence
	// LineSearchFailure: no sufficient decrease even along steepest descent.
	LineSearchFailure
	// IterationLimit: MaxIter iterations were done.
	IterationLimit
)

var statusNames = [...]string{"NotTerminated", "GradientThreshold", "FunctionConvergence", "LineSearchFailure", "IterationLimit"}

func (s Status) String() string {
	if s < 0 || int(s) >= len(statusNames) {
		return "Status(?)"
	}
	return statusNames[s]
}

// Converged reports whether s is GradientThreshold or FunctionConvergence.
func (s Status) Converged() bool { return s == GradientThreshold || s == FunctionConvergence }

// Problem is a function to minimise. FuncGrad returns f(x) and writes ∇f(x)
// into grad (len(grad) == len(x)); it must not keep x or grad. A non-finite
// value marks x as infeasible for the line search.
type Problem struct {
	FuncGrad func(x, grad []float64) float64
}

// Settings configures Minimize; the zero value means the defaults.
type Settings struct {
	// MaxIter bounds the iterations (DefaultMaxIter).
	MaxIter int
	// GradientThreshold stops when ‖∇f‖ <= GradientThreshold·scale
	// (DefaultGradientThreshold); see Norm and Relative.
	GradientThreshold float64
	// Norm is the gradient norm of the threshold test (L2).
	Norm Norm
	// Relative scales the threshold by max(1, |f|).
	Relative bool
	// Memory is the number m of stored secant pairs (DefaultMemory).
	Memory int
	// FunctionIter and FunctionTol: stop when |Δf| <= FunctionTol·max(1,|f|)
	// on FunctionIter consecutive iterations (DefaultFunctionIter,
	// DefaultFunctionTol).
	FunctionIter int
	FunctionTol  float64
	// ExpandSteps doubles a steepest-descent step accepted at t = 1 while f
	// keeps decreasing (useful on flat regions, where −g/max(1,‖g‖) is
	// far too short).
	ExpandSteps bool
}

// Result reports a run of Minimize.
type Result struct {
	// X is the final point and F = f(X); F0 = f(x0).
	X     []float64
	F, F0 float64
	// GradNorm is ‖∇f(X)‖ in the norm of Settings.Norm.
	GradNorm float64
	// LastChange is |f_k − f_{k−1}| of the last accepted iteration (0 when
	// no iteration was accepted).
	LastChange      float64
	Iterations      int
	FuncEvaluations int
	Status          Status
}

func (s Settings) withDefaults() Settings {
	if s.MaxIter == 0 {
		s.MaxIter = DefaultMaxIter
	}
	if s.GradientThreshold == 0 {
		s.GradientThreshold = DefaultGradientThreshold
	}
	if s.Memory == 0 {
		s.Memory = DefaultMemory
	}
	if s.FunctionIter == 0 {
		s.FunctionIter = DefaultFunctionIter
	}
	if s.FunctionTol == 0 {
		s.FunctionTol = DefaultFunctionTol
	}
	return s
}

func (s Settings) validate() error {
	switch {
	case s.MaxIter < 0:
		return newErr("minimize", "MaxIter", s.MaxIter, ErrParam)
	case !(s.GradientThreshold >= 0) || math.IsInf(s.GradientThreshold, 1):
		return newErr("minimize", "GradientThreshold", s.GradientThreshold, ErrParam)
	case s.Memory < 0:
		return newErr("minimize", "Memory", s.Memory, ErrParam)
	case s.FunctionIter < 0:
		return newErr("minimize", "FunctionIter", s.FunctionIter, ErrParam)
	case !(s.FunctionTol >= 0):
		return newErr("minimize", "FunctionTol", s.FunctionTol, ErrParam)
	case s.Norm != L2 && s.Norm != LInf:
		return newErr("minimize", "Norm", int(s.Norm), ErrParam)
	}
	return nil
}

// Minimize minimises p from x0 with L-BFGS (see the package documentation
// for the method, line search and stopping rules). x0 is not modified.
//
// Invalid input (nil FuncGrad, empty or non-finite x0, non-finite f(x0),
// negative settings) returns an *Error and a zero Result. When the run does
// not converge (IterationLimit or LineSearchFailure) the Result is still
// filled with the best point found and the error wraps ErrNoConvergence.
func Minimize(p Problem, x0 []float64, s Settings) (Result, error) {
	if p.FuncGrad == nil {
		return Result{}, newErr("minimize", "FuncGrad", nil, ErrParam)
	}
	if len(x0) == 0 {
		return Result{}, newErr("minimize", "x0", nil, ErrEmpty)
	}
	for i, v := range x0 {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return Result{}, newErr("minimize", "x0", i, ErrNaN)
		}
	}
	if err := s.validate(); err != nil {
		return Result{}, err
	}
	s = s.withDefaults()
	n, mem := len(x0), s.Memory
	x := append([]float64(nil), x0...)
	g := make([]float64, n)
	f := p.FuncGrad(x, g)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return Result{}, newErr("minimize", "f(x0)", f, ErrNaN)
	}
	res := Result{F0: f, FuncEvaluations: 1}
	eval := func(x, g []float64) float64 {
		res.FuncEvaluations++
		return p.FuncGrad(x, g)
	}
	var S, Y [][]float64
	var rho []float64
	d := make([]float64, n)
	xn := make([]float64, n)
	gn := make([]float64, n)
	alpha := make([]float64, mem)
	stall := 0
	it := 0
	for ; it < s.MaxIter; it++ {
		gnorm := s.Norm.of(g)
		scale := 1.0
		if s.Relative {
			scale = math.Max(1, math.Abs(f))
		}
		if gnorm <= s.GradientThreshold*scale {
			res.Status = GradientThreshold
			break
		}
		// Two-loop recursion: d = −H g.
		g2 := floats.Norm(g, 2)
		copy(d, g)
		for j := len(S) - 1; j >= 0; j-- {
			alpha[j] = rho[j] * floats.Dot(S[j], d)
			floats.AddScaled(d, -alpha[j], Y[j])
		}
		if j := len(S) - 1; j >= 0 {
			floats.Scale(floats.Dot(S[j], Y[j])/floats.Dot(Y[j], Y[j]), d)
		} else {
			floats.Scale(1/math.Max(1, g2), d)
		}
		for j := range S {
			b := rho[j] * floats.Dot(Y[j], d)
			floats.AddScaled(d, alpha[j]-b, S[j])
		}
		floats.Scale(-1, d)
		slope := floats.Dot(g, d)
		if slope >= 0 { // not a descent direction: restart from steepest descent
			S, Y, rho = S[:0], Y[:0], rho[:0]
			copy(d, g)
			floats.Scale(-1/math.Max(1, g2), d)
			slope = floats.Dot(g, d)
		}
		t := 1.0
		var fn float64
		ok := false
		for range maxBacktrack {
			floats.AddScaledTo(xn, x, t, d)
			fn = eval(xn, gn)
			if fn <= f+armijoC1*t*slope { // false for NaN
				ok = true
				break
			}
			t /= 2
		}
		if s.ExpandSteps && ok && t == 1 && len(S) == 0 {
			// Steepest descent on a flat region: expand the step while the
			// loss keeps decreasing (no curvature pair sizes it yet).
			xt := make([]float64, n)
			gt := make([]float64, n)
			for range maxBacktrack {
				floats.AddScaledTo(xt, x, 2*t, d)
				ft := eval(xt, gt)
				if !(ft <= f+armijoC1*2*t*slope && ft < fn) {
					break
				}
				t *= 2
				fn = ft
				copy(xn, xt)
				copy(gn, gt)
			}
		}
		if !ok {
			if len(S) > 0 {
				// The quasi-Newton model failed (typical near a degenerate,
				// quartic minimum): retry from steepest descent.
				S, Y, rho = S[:0], Y[:0], rho[:0]
				continue
			}
			res.Status = LineSearchFailure
			break
		}
		sv := make([]float64, n)
		yv := make([]float64, n)
		floats.SubTo(sv, xn, x)
		floats.SubTo(yv, gn, g)
		if sy := floats.Dot(sv, yv); sy > curvatureTol*floats.Dot(yv, yv) && sy > 0 {
			if len(S) == mem {
				S, Y, rho = S[1:], Y[1:], rho[1:]
			}
			S, Y, rho = append(S, sv), append(Y, yv), append(rho, 1/sy)
		}
		res.LastChange = math.Abs(f - fn)
		if res.LastChange <= s.FunctionTol*math.Max(1, math.Abs(f)) {
			stall++
		} else {
			stall = 0
		}
		copy(x, xn)
		copy(g, gn)
		f = fn
		if stall >= s.FunctionIter {
			it++
			res.Status = FunctionConvergence
			break
		}
	}
	if res.Status == NotTerminated {
		res.Status = IterationLimit
	}
	res.X, res.F, res.GradNorm, res.Iterations = x, f, s.Norm.of(g), it
	if !res.Status.Converged() {
		return res, newErr("minimize", "", nil, detail(ErrNoConvergence, "%v after %d iterations (gradient norm %.3g)", res.Status, it, res.GradNorm))
	}
	return res, nil
}
