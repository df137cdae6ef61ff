package optimize

import (
	"cmp"
	"fmt"
	"math"

	"gonum.org/v1/gonum/floats"
	gopt "gonum.org/v1/gonum/optimize"
)

// Defaults of Settings; a zero field means its default.
const (
	DefaultMaxIter           = 1000
	DefaultGradientThreshold = 1e-8
	DefaultMemory            = 10
	DefaultFunctionIter      = 10
	DefaultFunctionTol       = 1e-14
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
	// LineSearchFailure: the line search made no progress (gonum's Failure).
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
	s.MaxIter = cmp.Or(s.MaxIter, DefaultMaxIter)
	s.GradientThreshold = cmp.Or(s.GradientThreshold, DefaultGradientThreshold)
	s.Memory = cmp.Or(s.Memory, DefaultMemory)
	s.FunctionIter = cmp.Or(s.FunctionIter, DefaultFunctionIter)
	s.FunctionTol = cmp.Or(s.FunctionTol, DefaultFunctionTol)
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

// Minimize minimises p from x0 with gonum's L-BFGS (see the package
// documentation for the method and stopping rules). x0 is not modified.
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
	n := len(x0)
	x := append([]float64(nil), x0...)
	// gonum asks for f and ∇f separately, usually at the same point: cache
	// the last evaluation so that each point costs one FuncGrad.
	cx, cg := make([]float64, n), make([]float64, n)
	cf := p.FuncGrad(x, cg)
	copy(cx, x)
	if math.IsNaN(cf) || math.IsInf(cf, 0) {
		return Result{}, newErr("minimize", "f(x0)", cf, ErrNaN)
	}
	res := Result{F0: cf, FuncEvaluations: 1}
	at := func(x []float64) {
		if floats.Equal(x, cx) {
			return
		}
		copy(cx, x)
		res.FuncEvaluations++
		cf = p.FuncGrad(cx, cg)
	}
	prob := gopt.Problem{
		Func: func(x []float64) float64 { at(x); return cf },
		Grad: func(grad, x []float64) { at(x); copy(grad, cg) },
	}
	conv := &converger{s: s}
	out, err := gopt.Minimize(prob, x, &gopt.Settings{MajorIterations: s.MaxIter, Converger: conv},
		&gopt.LBFGS{Store: s.Memory, GradStopThreshold: math.NaN()})
	if out == nil {
		return Result{}, newErr("minimize", "", nil, fmt.Errorf("%w: %w", ErrNoConvergence, err))
	}
	at(out.X)
	res.X, res.F = append([]float64(nil), out.X...), cf
	res.GradNorm = s.Norm.of(cg)
	res.Iterations = out.Stats.MajorIterations
	res.LastChange = conv.lastChange
	switch {
	case conv.status != NotTerminated:
		res.Status = conv.status
	case out.Status == gopt.IterationLimit:
		res.Status = IterationLimit
	default: // gonum's Failure: the line search made no progress
		res.Status = LineSearchFailure
	}
	if !res.Status.Converged() {
		return res, newErr("minimize", "", nil, detail(ErrNoConvergence, "%v after %d iterations (gradient norm %.3g)", res.Status, res.Iterations, res.GradNorm))
	}
	return res, nil
}

// converger applies the stopping rules of Settings at each major iteration
// of gonum's Minimize.
type converger struct {
	s          Settings
	fPrev      float64
	first      bool
	stall      int
	lastChange float64
	status     Status
}

func (c *converger) Init(int) { c.first, c.stall, c.status = true, 0, NotTerminated }

func (c *converger) Converged(loc *gopt.Location) gopt.Status {
	scale := 1.0
	if c.s.Relative {
		scale = math.Max(1, math.Abs(loc.F))
	}
	if c.s.Norm.of(loc.Gradient) <= c.s.GradientThreshold*scale {
		c.status = GradientThreshold
		return gopt.GradientThreshold
	}
	if !c.first {
		c.lastChange = math.Abs(c.fPrev - loc.F)
		if c.lastChange <= c.s.FunctionTol*math.Max(1, math.Abs(c.fPrev)) {
			c.stall++
		} else {
			c.stall = 0
		}
		if c.stall >= c.s.FunctionIter {
			c.status = FunctionConvergence
			return gopt.FunctionConvergence
		}
	}
	c.first, c.fPrev = false, loc.F
	return gopt.NotTerminated
}
