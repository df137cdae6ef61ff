package closedform

import (
	"math"
	"slices"
	"testing"

	"github.com/eigenssl/eigenssl/graph"
	"github.com/eigenssl/eigenssl/loss"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

func minViewCosine(z *mat.Dense, g *graph.CSR) float64 {
	zn := rowNormalised(z)
	m := 1.0
	g.Edges(func(i, j int, w float64) {
		m = math.Min(m, mat.Dot(zn.RowView(i), zn.RowView(j)))
	})
	return m
}

// TestSimCLRViewsCollapse: the optimiser, from the characterisation and
// from random starts, ends with the views of each original collapsed, and
// never below the Gibbs bound; the solution is never labelled exact.
func TestSimCLRViewsCollapse(t *testing.T) {
	for _, tc := range []struct {
		nOrig, v, k int
		tau         float64
	}{{4, 2, 3, 0.5}, {3, 3, 4, 0.2}, {7, 2, 3, 0.5}} {
		g, _, _ := graph.Views(tc.nOrig, tc.v)
		p := Problem{Loss: SimCLR, G: g, K: tc.k, Tau: tc.tau, Seed: 1}
		sol, err := Solve(p)
		if err != nil {
			t.Fatal(err)
		}
		if sol.Exact || sol.Bounds == nil {
			t.Fatalf("SimCLR flagged exact (or without bounds)")
		}
		if c := minViewCosine(sol.Z, g); c < 1-1e-12 {
			t.Errorf("characterisation: views not collapsed (min cosine %g)", c)
		}
		ref, res, err := Refine(sol, RefineSettings{MaxIter: 5000})
		if err != nil {
			t.Fatal(err)
		}
		if c := minViewCosine(ref.Z, g); c < 0.9999 {
			t.Errorf("N'=%d V=%d: refined views min cosine %g; want > 0.9999", tc.nOrig, tc.v, c)
		}
		if ref.PredictedLoss < sol.Bounds.Lower-1e-9 || res.Gap < -1e-9 {
			t.Errorf("refined loss %g vs lower bound %g, gap %g", ref.PredictedLoss, sol.Bounds.Lower, res.Gap)
		}
		_, z, _, err := Minimize(p, randMat(g.N, tc.k, 9), RefineSettings{MaxIter: 5000})
		if err != nil {
			t.Fatal(err)
		}
		if c := minViewCosine(z, g); c < 0.9999 {
			t.Errorf("N'=%d V=%d: random start: views min cosine %g; want > 0.9999", tc.nOrig, tc.v, c)
		}
		zv, _ := Evaluate(p, z)
		t.Logf("N'=%d V=%d K=%d τ=%g: characterisation %.8g, refined %.8g (gap %.3g), random start %.8g, lower bound %.4g",
			tc.nOrig, tc.v, tc.k, tc.tau, sol.PredictedLoss, ref.PredictedLoss, res.Gap, zv, sol.Bounds.Lower)
	}
}

// TestLimitStationarityMatchesFiniteDifferences checks LimitStationarity
// against central differences of the limit problem F(W, u) itself: rows
// i ∉ C are x_i W with W restricted to {x_0 W = 0}, row 0 (collapsed) is
// the free unit vector u. With ‖W‖_F = 1 the returned scaled·|f| is the
// norm of F's gradient over that subspace and u's tangent space, which the
// differences measure in an orthonormal basis of both. With no collapsed
// row it is ‖Xᵀ∇_Z f‖·‖W‖/|f|.
func TestLimitStationarityMatchesFiniteDifferences(t *testing.T) {
	p, n, d, k := limitProblem(t)
	x, g := p.X, p.G
	l, err := lossOf(p.withDefaults())
	if err != nil {
		t.Fatal(err)
	}
	x0 := mat.NewVecDense(d, append([]float64(nil), x.RawRowView(0)...))
	// Orthonormal basis of {v : x_0ᵀ v = 0} (D−1 columns) from the SVD of x_0ᵀ.
	var svd mat.SVD
	if !svd.Factorize(x0.T(), mat.SVDFull) {
		t.Fatal("svd")
	}
	var vfull mat.Dense
	svd.VTo(&vfull)
	perp := mat.DenseCopyOf(vfull.Slice(0, d, 1, d))
	// W on the subspace, unit Frobenius norm, and u a unit vector.
	w := mat.NewDense(d, k, nil)
	w.Mul(perp, randMat(d-1, k, 13))
	w.Scale(1/mat.Norm(w, 2), w)
	u := []float64{0.6, -0.48, 0.64}
	f := func(w *mat.Dense, u []float64) float64 {
		z := mat.NewDense(n, k, nil)
		z.Mul(x, w)
		z.SetRow(0, u)
		r, err := l.Eval(loss.Inputs{Z: z, G: g}, false)
		if err != nil {
			t.Fatal(err)
		}
		return r.Value
	}
	// The iterate: W plus ε·x_0 uᵀ/‖x_0‖², so that x_0 W_ε = ε u.
	const eps = 1e-9
	we := mat.DenseCopyOf(w)
	n0 := mat.Dot(x0, x0)
	for a := range d {
		for b := range k {
			we.Set(a, b, we.At(a, b)+eps*x0.AtVec(a)*u[b]/n0)
		}
	}
	c, scaled, err := LimitStationarity(p, we)
	if err != nil {
		t.Fatal(err)
	}
	if len(c) != 1 || c[0] != 0 {
		t.Fatalf("collapsed rows %v; want [0]", c)
	}
	const h = 1e-6
	var g2 float64
	for a := range d - 1 {
		for b := range k {
			// Direction perp[:,a] e_bᵀ (unit, inside the subspace).
			plus, minus := mat.DenseCopyOf(w), mat.DenseCopyOf(w)
			for i := range d {
				plus.Set(i, b, plus.At(i, b)+h*perp.At(i, a))
				minus.Set(i, b, minus.At(i, b)-h*perp.At(i, a))
			}
			dd := (f(plus, u) - f(minus, u)) / (2 * h)
			g2 += dd * dd
		}
	}
	// Tangent space of u: two orthonormal vectors orthogonal to u.
	for _, tv := range [][]float64{{0.8, 0.36, -0.48}, {0, 0.8, 0.6}} {
		up, um := make([]float64, k), make([]float64, k)
		for i := range k {
			up[i], um[i] = u[i]+h*tv[i], u[i]-h*tv[i]
		}
		dd := (f(w, up) - f(w, um)) / (2 * h)
		g2 += dd * dd
	}
	want := math.Sqrt(g2) / math.Abs(f(w, u))
	if math.Abs(scaled-want) > 1e-5*want {
		t.Errorf("limit stationarity %.10g; finite differences of the limit problem %.10g", scaled, want)
	}
	// No collapsed row: the plain scale-free gradient norm.
	w = randMat(d, k, 14)
	c, scaled, err = LimitStationarity(p, w)
	if err != nil {
		t.Fatal(err)
	}
	z := mat.NewDense(n, k, nil)
	z.Mul(x, w)
	r, err := l.Eval(loss.Inputs{Z: z, G: g}, true)
	if err != nil {
		t.Fatal(err)
	}
	var gw mat.Dense
	gw.Mul(x.T(), r.Grad[loss.KeyZ])
	if want := mat.Norm(&gw, 2) * mat.Norm(w, 2) / math.Abs(r.Value); len(c) != 0 || math.Abs(scaled-want) > 1e-12*want {
		t.Errorf("no collapse: rows %v, %.12g; want none, %.12g", c, scaled, want)
	}
	if _, _, err := LimitStationarity(Problem{Loss: SimCLR, Regime: Feature, G: g, K: k}, w); err == nil {
		t.Error("feature regime accepted")
	}
}

// TestMinimizeLimitReachesStationaryLimit: from a point with row 0
// collapsed, repeated MinimizeLimit calls (a row that collapses during one
// is freed by the next, as E3 does) lower the loss, keep the collapsed rows
// collapsed (below CollapseTol of the rms row norm, their directions kept
// for the next call), and end where the limit problem's gradient is below
// 1e-6 and LimitStationarity, computed independently at the returned W, is
// below 1e-5.
func TestMinimizeLimitReachesStationaryLimit(t *testing.T) {
	p, _, d, k := limitProblem(t)
	p.Seed = 3
	x := p.X
	// W with x_0 W = 1e-8 u: project a random W off x_0 and lift.
	w := randMat(d, k, 13)
	x0 := x.RawRowView(0)
	n0 := floats.Dot(x0, x0)
	u := []float64{0.6, -0.48, 0.64}
	for b := range k {
		var c float64
		for a := range d {
			c += x0[a] * w.At(a, b)
		}
		for a := range d {
			w.Set(a, b, w.At(a, b)-(c-1e-8*u[b])*x0[a]/n0)
		}
	}
	if c, _ := Collapsed(func() *mat.Dense { var z mat.Dense; z.Mul(x, w); return &z }()); len(c) != 1 || c[0] != 0 {
		t.Fatalf("start: collapsed rows %v; want [0]", c)
	}
	// Rows that collapse during a run are freed by the next call.
	var (
		w2, z2 *mat.Dense
		c      []int
		res    RefineResult
		err    error
		first  = math.NaN()
	)
	w2 = w
	for range 10 {
		w2, z2, c, res, err = MinimizeLimit(p, w2, RefineSettings{MaxIter: 2000, GradTol: 1e-9})
		if err != nil {
			t.Fatal(err)
		}
		if math.IsNaN(first) {
			first = res.Initial
		}
		if cz, _ := Collapsed(z2); res.Converged && slices.Equal(cz, c) {
			break
		}
	}
	if len(c) == 0 || c[0] != 0 || !(res.Final < first) {
		t.Fatalf("collapsed %v, loss %.10g -> %.10g; want row 0 among them and a decrease", c, first, res.Final)
	}
	if cz, _ := Collapsed(z2); !slices.Equal(cz, c) {
		t.Errorf("end: collapsed rows %v; the last run freed %v", cz, c)
	}
	t.Logf("collapsed rows %v, loss %.10g -> %.10g", c, first, res.Final)
	cs, scaled, err := LimitStationarity(p, w2)
	if err != nil {
		t.Fatal(err)
	}
	own := res.GradNorm / math.Abs(res.Final)
	// The returned W lifts the collapsed rows to ε = 1e-9 of the rms row
	// norm, which moves the other rows' directions by O(ε) too: at this
	// problem's curvature that shifts the stationarity measure by about
	// 1e-6 (1e-3 at ε = 1e-6), hence 1e-5 for LimitStationarity against
	// 1e-6 for the limit problem's own gradient.
	if !slices.Equal(cs, c) || own > 1e-6 || scaled > 1e-5 {
		t.Errorf("LimitStationarity %v %.3g at the result, MinimizeLimit reports %v %.3g; want the same rows, <= 1e-5 and <= 1e-6", cs, scaled, c, own)
	}
}

// TestContinueOnLimitRestartsFromGauge: f is invariant to the scale of
// W, but MinimizeLimit's stopping test reads the raw gradient, which a W
// grown 10⁴-fold shrinks 10⁴-fold: the first call stops at once without
// meeting the scale-free tolerance. ContinueOnLimit must then restart from
// the gauge ‖W‖_F = √K and converge (status infimum) well within the
// budget, instead of spending it on one-iteration calls.
func TestContinueOnLimitRestartsFromGauge(t *testing.T) {
	p, _, d, k := limitProblem(t)
	p.Seed = 3
	s := RefineSettings{MaxIter: 3000, GradTol: 1e-7, RelTol: 1e-15}
	w, z, res, err := Minimize(p, randMat(d, k, 13), s)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := Collapsed(z)
	if res.Converged || len(c) == 0 {
		t.Fatalf("start: converged %v, collapsed rows %v; want a run stopped by collapse", res.Converged, c)
	}
	var big mat.Dense
	big.Scale(1e4, w)
	var zb mat.Dense
	zb.Scale(1e4, z)
	// The first limit call alone stops without converging.
	if _, _, _, r1, err := MinimizeLimit(p, &big, s); err != nil || r1.Converged {
		t.Fatalf("first call from the grown W: converged %v (%v); want a stop short of the tolerance", r1.Converged, err)
	}
	_, _, out, freed := ContinueOnLimit(p, &big, &zb, res, s)
	if out.Status != StatusInfimum || freed == 0 || out.Iterations >= s.MaxIter {
		t.Fatalf("status %s after %d iterations (freed %d); want %s within %d", out.Status, out.Iterations, freed, StatusInfimum, s.MaxIter)
	}
}

// limitProblem is the small linear SimCLR problem of the limit-problem
// tests: 14 random rows in 5 dimensions, their 3-NN graph in 2 others,
// K = 3, τ = 0.5; it returns the problem and N, D, K.
func limitProblem(t *testing.T) (Problem, int, int, int) {
	t.Helper()
	const n, d, k = 14, 5, 3
	g, _, err := graph.KNN(randMat(n, 2, 12), 3, graph.KNNOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return Problem{Loss: SimCLR, Regime: Linear, X: randMat(n, d, 11), G: g, K: k, Tau: 0.5}, n, d, k
}
