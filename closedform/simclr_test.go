package closedform

import (
	"math"
	"testing"

	"github.com/eigenssl/eigenssl/graph"
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
