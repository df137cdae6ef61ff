package eval

import (
	"math"

	"gonum.org/v1/gonum/floats"
)

// lbfgsResult reports a minimisation.
type lbfgsResult struct {
	x          []float64
	f          float64
	iterations int
	converged  bool
}

// lbfgs minimises a smooth function with limited-memory BFGS (memory 10,
// Nocedal & Wright Alg. 7.4/7.5) and a backtracking Armijo line search
// (c1 = 1e-4). fg returns f(x) and writes ∇f(x) into grad. It stops when
// ‖∇f‖_∞ <= gtol (converged), when f stalls (relative change below 1e-14
// over 10 iterations, also reported as converged) or after maxIter
// iterations. Deterministic: no randomness, fixed operation order.
func lbfgs(fg func(x, grad []float64) float64, x0 []float64, gtol float64, maxIter int) lbfgsResult {
	const mem, c1 = 10, 1e-4
	n := len(x0)
	x := append([]float64(nil), x0...)
	g := make([]float64, n)
	f := fg(x, g)
	var S, Y [][]float64
	var rho []float64
	d := make([]float64, n)
	xn := make([]float64, n)
	gn := make([]float64, n)
	alpha := make([]float64, mem)
	stall := 0
	for it := 0; it < maxIter; it++ {
		if floats.Norm(g, math.Inf(1)) <= gtol {
			return lbfgsResult{x, f, it, true}
		}
		// Two-loop recursion: d = -H g.
		copy(d, g)
		for k := len(S) - 1; k >= 0; k-- {
			alpha[k] = rho[k] * floats.Dot(S[k], d)
			floats.AddScaled(d, -alpha[k], Y[k])
		}
		if k := len(S) - 1; k >= 0 {
			floats.Scale(floats.Dot(S[k], Y[k])/floats.Dot(Y[k], Y[k]), d)
		} else {
			floats.Scale(1/math.Max(1, floats.Norm(g, 2)), d)
		}
		for k := range S {
			b := rho[k] * floats.Dot(Y[k], d)
			floats.AddScaled(d, alpha[k]-b, S[k])
		}
		floats.Scale(-1, d)
		slope := floats.Dot(g, d)
		if slope >= 0 { // not a descent direction: restart from steepest descent
			S, Y, rho = S[:0], Y[:0], rho[:0]
			copy(d, g)
			floats.Scale(-1/math.Max(1, floats.Norm(g, 2)), d)
			slope = floats.Dot(g, d)
		}
		step := 1.0
		var fn float64
		ok := false
		for range 60 {
			floats.AddScaledTo(xn, x, step, d)
			fn = fg(xn, gn)
			if fn <= f+c1*step*slope && !math.IsNaN(fn) {
				ok = true
				break
			}
			step /= 2
		}
		if !ok {
			return lbfgsResult{x, f, it, floats.Norm(g, math.Inf(1)) <= 1e3*gtol}
		}
		s := make([]float64, n)
		y := make([]float64, n)
		floats.SubTo(s, xn, x)
		floats.SubTo(y, gn, g)
		if sy := floats.Dot(s, y); sy > 1e-12*floats.Dot(y, y) {
			if len(S) == mem {
				S, Y, rho = S[1:], Y[1:], rho[1:]
			}
			S, Y, rho = append(S, s), append(Y, y), append(rho, 1/sy)
		}
		if math.Abs(f-fn) <= 1e-14*math.Max(1, math.Abs(f)) {
			stall++
		} else {
			stall = 0
		}
		copy(x, xn)
		copy(g, gn)
		f = fn
		if stall >= 10 {
			return lbfgsResult{x, f, it + 1, true}
		}
	}
	return lbfgsResult{x, f, maxIter, floats.Norm(g, math.Inf(1)) <= gtol}
}
