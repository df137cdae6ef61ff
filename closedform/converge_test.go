package closedform

import (
	"math"
	"testing"

	"github.com/eigenssl/eigenssl/linalg"
	"github.com/eigenssl/eigenssl/loss"
	"gonum.org/v1/gonum/mat"
	gopt "gonum.org/v1/gonum/optimize"
)

// paramLossGrad returns f and its gradient in p's parameter (W for the
// linear regime, ∇_W = Xᵀ ∇_Z; Z in feature space), computed from package
// loss directly (not through Minimize).
func paramLossGrad(t *testing.T, p Problem, par *mat.Dense) (float64, *mat.Dense) {
	t.Helper()
	l, err := lossOf(p.withDefaults())
	if err != nil {
		t.Fatal(err)
	}
	z := par
	if p.Regime == Linear {
		n, _ := p.X.Dims()
		_, k := par.Dims()
		z = mat.NewDense(n, k, nil)
		z.Mul(p.X, par)
	}
	r, err := l.Eval(loss.Inputs{Z: z, G: p.G}, true)
	if err != nil {
		t.Fatal(err)
	}
	if p.Regime != Linear {
		return r.Value, r.Grad[loss.KeyZ]
	}
	var g mat.Dense
	g.Mul(p.X.T(), r.Grad[loss.KeyZ])
	return r.Value, &g
}

// gonumOracle minimises p's loss (feature or linear regime) from start with
// gonum's nonlinear conjugate gradient, an optimiser independent of package
// optimize, and returns the final loss and parameter.
func gonumOracle(t *testing.T, p Problem, start *mat.Dense) (float64, *mat.Dense) {
	t.Helper()
	r, k := start.Dims()
	at := func(v []float64) *mat.Dense { return mat.NewDense(r, k, append([]float64(nil), v...)) }
	prob := gopt.Problem{
		Func: func(v []float64) float64 { f, _ := paramLossGrad(t, p, at(v)); return f },
		Grad: func(grad, v []float64) {
			_, g := paramLossGrad(t, p, at(v))
			copy(grad, g.RawMatrix().Data)
		},
	}
	res, err := gopt.Minimize(prob, mat.DenseCopyOf(start).RawMatrix().Data,
		&gopt.Settings{GradientThreshold: 1e-9, MajorIterations: 3000, FuncEvaluations: 20000, Converger: &gopt.FunctionConverge{Relative: 1e-14, Iterations: 50}},
		&gopt.CG{})
	if res == nil {
		t.Fatal(err)
	}
	return res.F, mat.NewDense(r, k, res.X)
}

// TestOptimumExactIsClosedForm: an exact closed form is returned as it is,
// with StatusExact and no iterations.
func TestOptimumExactIsClosedForm(t *testing.T) {
	gc := testGraphs(t, 5)[3]
	p := Problem{Loss: VICReg, G: gc.g, K: 3, Gamma: 0.1}
	sol, err := Optimum(p, RefineSettings{})
	if err != nil {
		t.Fatal(err)
	}
	ref, err := Solve(p)
	if err != nil {
		t.Fatal(err)
	}
	if sol.Convergence == nil || sol.Convergence.Status != StatusExact || sol.Convergence.Iterations != 0 {
		t.Fatalf("convergence %+v; want StatusExact, 0 iterations", sol.Convergence)
	}
	if !mat.Equal(sol.Z, ref.Z) {
		t.Errorf("Optimum changed an exact closed form")
	}
}

// TestOptimumIterationLimitIsNotOK: a budget too small to converge is
// reported as such, and OK() refuses it.
func TestOptimumIterationLimitIsNotOK(t *testing.T) {
	gc := testGraphs(t, 5)[3]
	p := Problem{Loss: BarlowTwins, Regime: Linear, G: gc.g, X: gc.x, K: 3, Seed: 2}
	sol, err := Optimum(p, RefineSettings{MaxIter: 3})
	if err != nil {
		t.Fatal(err)
	}
	c := sol.Convergence
	if c.Status != StatusIterationLimit || c.Status.OK() {
		t.Fatalf("status %s after 3 iterations (gradient %.3g, tolerance %.3g); want iteration_limit", c.Status, c.GradNorm, c.GradTol)
	}
	if c.Restarts != DefaultOptimumStarts-1 || len(c.StartLosses) != DefaultOptimumStarts {
		t.Errorf("restarts %d, start losses %v; want %d starts", c.Restarts, c.StartLosses, DefaultOptimumStarts)
	}
}

// TestOptimumBarlowTwinsLinearConverged checks linear BarlowTwins (no closed
// form) on every test graph:
//   - the status is converged and agrees with the gradient recomputed from
//     package loss at the returned W, itself checked by a central finite
//     difference along a random direction;
//   - no independent run (gonum's conjugate gradient from three seeded
//     starts) finds a lower loss, and the independent runs that reach the
//     same loss have the same rank-r subspace;
//   - four times the iteration budget changes neither loss nor subspace;
//   - the subspace lies in the span of the top-K shared-weight CCA
//     directions (the characterisation of docs/THEORY.md).
func TestOptimumBarlowTwinsLinearConverged(t *testing.T) {
	for _, gc := range testGraphs(t, 5) {
		t.Run(gc.name, func(t *testing.T) {
			p := Problem{Loss: BarlowTwins, Regime: Linear, G: gc.g, X: gc.x, K: 3, Seed: 5}
			sol, err := Optimum(p, RefineSettings{})
			if err != nil {
				t.Fatal(err)
			}
			c := sol.Convergence
			if c.Status != StatusConverged {
				t.Fatalf("status %s (gradient %.3g, tolerance %.3g)", c.Status, c.GradNorm, c.GradTol)
			}
			f, g := paramLossGrad(t, p, sol.W)
			if relGap(f, sol.PredictedLoss) > 1e-12 {
				t.Errorf("loss at W %.12g; reported %.12g", f, sol.PredictedLoss)
			}
			if gn := mat.Norm(g, 2); gn > DefaultOptimumGradTol*math.Max(1, math.Abs(f)) {
				t.Errorf("recomputed gradient norm %.3g above the tolerance (reported %.3g)", gn, c.GradNorm)
			}
			// Finite-difference check of the recomputed gradient.
			dir := randMat(5, 3, 77)
			dir.Scale(1/mat.Norm(dir, 2), dir)
			h := 1e-5
			wp, wm := mat.DenseCopyOf(sol.W), mat.DenseCopyOf(sol.W)
			wp.Add(wp, scaledCopy(dir, h))
			wm.Sub(wm, scaledCopy(dir, h))
			fp, _ := paramLossGrad(t, p, wp)
			fm, _ := paramLossGrad(t, p, wm)
			if fd, an := (fp-fm)/(2*h), frobDot(g, dir); math.Abs(fd-an) > 1e-6 {
				t.Errorf("directional derivative: finite difference %.3g, gradient %.3g", fd, an)
			}
			// Independent optimiser.
			for seed := uint64(1); seed <= 3; seed++ {
				fo, wo := gonumOracle(t, p, randMat(5, 3, 100+seed))
				if fo < sol.PredictedLoss-1e-8*math.Max(1, sol.PredictedLoss) {
					t.Errorf("seed %d: gonum CG reaches %.10g < Optimum %.10g", seed, fo, sol.PredictedLoss)
				}
				if relGap(fo, sol.PredictedLoss) < 1e-8 {
					var zo mat.Dense
					zo.Mul(gc.x, wo)
					u, r := leftBasis(&zo, OptimumRankTol)
					if r != sol.Rank {
						t.Errorf("seed %d: oracle rank %d, Optimum rank %d", seed, r, sol.Rank)
						continue
					}
					ang, err := linalg.PrincipalAngles(u, sol.Subspace)
					if err != nil {
						t.Fatal(err)
					}
					if ang[len(ang)-1] > 1e-3 {
						t.Errorf("seed %d: oracle subspace at %.3g rad", seed, ang[len(ang)-1])
					}
				} else {
					t.Logf("seed %d: gonum CG stopped at %.10g (Optimum %.10g)", seed, fo, sol.PredictedLoss)
				}
			}
			// Four times the budget.
			sol4, err := Optimum(p, RefineSettings{MaxIter: 4 * DefaultOptimumMaxIter})
			if err != nil {
				t.Fatal(err)
			}
			if relGap(sol4.PredictedLoss, sol.PredictedLoss) > 1e-9 || sol4.Rank != sol.Rank {
				t.Errorf("4x budget: loss %.12g rank %d; was %.12g rank %d", sol4.PredictedLoss, sol4.Rank, sol.PredictedLoss, sol.Rank)
			} else if ang, _ := linalg.PrincipalAngles(sol4.Subspace, sol.Subspace); ang[len(ang)-1] > 1e-4 {
				t.Errorf("4x budget: subspace moved by %.3g rad", ang[len(ang)-1])
			}
			if !c.Pinned() {
				t.Errorf("starts disagree on the subspace: %.3g rad over %d starts", c.SubspaceAngle, c.Compared)
			}
			// Inside the top-K CCA span.
			cca, err := Solve(p)
			if err != nil {
				t.Fatal(err)
			}
			ang, err := linalg.PrincipalAngles(sol.Subspace, cca.Z)
			if err != nil {
				t.Fatal(err)
			}
			if ang[len(ang)-1] > 1e-4 {
				t.Errorf("optimum leaves the top-K CCA span by %.3g rad", ang[len(ang)-1])
			}
			t.Logf("loss %.10g (CCA point %.10g), rank %d of K = 3, ρ = %.3g, start spread %.2g, subspace angle across starts %.2g, %d iterations",
				sol.PredictedLoss, cca.PredictedLoss, sol.Rank, cca.Spectrum[:3], c.Spread, c.SubspaceAngle, c.Iterations)
		})
	}
}

func scaledCopy(m *mat.Dense, f float64) *mat.Dense {
	out := mat.DenseCopyOf(m)
	out.Scale(f, out)
	return out
}

// TestMinimizeScaleCannotFakeConvergence: BarlowTwins is invariant to column
// scales, so its raw gradient shrinks as 1/scale. From a random W scaled by
// 1e8 the raw gradient is already below the tolerance; the gauge (unit
// columns) must still make Minimize descend to the optimum instead of
// reporting a random point as converged.
func TestMinimizeScaleCannotFakeConvergence(t *testing.T) {
	gc := testGraphs(t, 5)[2]
	p := Problem{Loss: BarlowTwins, Regime: Linear, G: gc.g, X: gc.x, K: 3, Seed: 5}
	start := randMat(5, 3, 9)
	f0, g0 := paramLossGrad(t, p, scaledCopy(start, 1e8))
	if mat.Norm(g0, 2) > DefaultOptimumGradTol*math.Max(1, f0) {
		t.Fatalf("setup: raw gradient %.3g at scale 1e8 is not below the tolerance", mat.Norm(g0, 2))
	}
	_, _, res, err := Minimize(p, scaledCopy(start, 1e8), RefineSettings{GradTol: DefaultOptimumGradTol})
	if err != nil {
		t.Fatal(err)
	}
	opt, err := Optimum(p, RefineSettings{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Iterations == 0 || relGap(res.Final, opt.PredictedLoss) > 1e-8 {
		t.Errorf("from the scaled start: %d iterations, loss %.10g (start %.10g); optimum %.10g", res.Iterations, res.Final, f0, opt.PredictedLoss)
	}
}
