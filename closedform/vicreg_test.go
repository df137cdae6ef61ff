package closedform

import (
	"fmt"
	"math"
	"testing"

	"github.com/eigenssl/eigenssl/graph"
)

// checkAgainstGD solves p, checks the loss of Z* and runs the optimiser
// from random starts: the loss must reach PredictedLoss within 1e-6
// relative and the column space must match within 1e-4 rad.
func checkAgainstGD(t *testing.T, p Problem, seeds ...uint64) *Solution {
	return checkAgainstGDWith(t, p, RefineSettings{}, seeds...)
}

func checkAgainstGDWith(t *testing.T, p Problem, rs RefineSettings, seeds ...uint64) *Solution {
	t.Helper()
	sol, err := Solve(p)
	if err != nil {
		t.Fatalf("%s/%s: %v", p.Loss, p.Regime, err)
	}
	if !sol.Exact {
		t.Fatalf("%s/%s: solution not exact: %s", p.Loss, p.Regime, sol.Note)
	}
	c0, err := Compare(sol, sol.Z)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(c0.RelativeGap) > 1e-10 {
		t.Errorf("%s/%s: loss at Z* %g; predicted %g", p.Loss, p.Regime, c0.Loss, sol.PredictedLoss)
	}
	if c0.Rank != sol.Rank {
		t.Errorf("%s/%s: rank(Z*) = %d; predicted %d", p.Loss, p.Regime, c0.Rank, sol.Rank)
	}
	for _, seed := range seeds {
		_, z, res, err := Minimize(p, startFor(p, seed), rs)
		if err != nil {
			t.Fatal(err)
		}
		c, err := Compare(sol, z)
		if err != nil {
			t.Fatal(err)
		}
		if c.RelativeGap > 1e-6 || c.RelativeGap < -1e-9 {
			t.Errorf("%s/%s seed %d: gradient descent loss %.12g; closed form %.12g (rel gap %.3g, %d iterations, |g| %.3g)",
				p.Loss, p.Regime, seed, c.Loss, sol.PredictedLoss, c.RelativeGap, res.Iterations, res.GradNorm)
		}
		if sol.Subspace != nil && c.MaxAngle > 1e-4 {
			t.Errorf("%s/%s seed %d: largest principal angle %.3g rad", p.Loss, p.Regime, seed, c.MaxAngle)
		}
		if sol.SingularValuesPinned && c.SingularValueError > 1e-4 {
			t.Errorf("%s/%s seed %d: singular value error %.3g", p.Loss, p.Regime, seed, c.SingularValueError)
		}
		if testing.Verbose() {
			t.Logf("%s/%s seed %d: rel gap %.2e, max angle %.2e, sv err %.2e, %d it", p.Loss, p.Regime, seed, c.RelativeGap, c.MaxAngle, c.SingularValueError, res.Iterations)
		}
	}
	return sol
}

func TestVICRegClosedFormMatchesGradientDescent(t *testing.T) {
	for _, gc := range testGraphs(t, 5) {
		for _, lossName := range []string{VICReg, VICRegHard} {
			for _, regime := range []string{Feature, Linear, Kernel} {
				t.Run(fmt.Sprintf("%s/%s/%s", gc.name, lossName, regime), func(t *testing.T) {
					p := Problem{Loss: lossName, Regime: regime, G: gc.g, K: 3, Gamma: 0.1, X: gc.x}
					if regime == Kernel {
						p.KernelMatrix = kernelOf(gc.x)
						p.X = nil
					}
					checkAgainstGD(t, p, 1, 2)
				})
			}
		}
	}
}

// TestVICRegRankFlip checks the γ = 1/V threshold on augmentation graphs:
// below it Z* has rank min(K, N−1), at and above it min(K, N'−1).
func TestVICRegRankFlip(t *testing.T) {
	for _, v := range []int{2, 3} {
		const nOrig, k = 4, 6
		g, _, err := graph.Views(nOrig, v)
		if err != nil {
			t.Fatal(err)
		}
		n := nOrig * v
		for _, tc := range []struct {
			gamma float64
			rank  int
			gd    bool
		}{
			{0.9 / float64(v), min(k, n-1), true},
			{0.999 / float64(v), min(k, n-1), false},
			{1 / float64(v), min(k, nOrig-1), false},
			{1.1 / float64(v), min(k, nOrig-1), true},
		} {
			p := Problem{Loss: VICReg, G: g, K: k, Gamma: tc.gamma}
			sol, err := Solve(p)
			if err != nil {
				t.Fatal(err)
			}
			for _, th := range sol.RankThresholds {
				if relGap(th, 1/float64(v)) > 1e-12 {
					t.Errorf("V=%d: rank threshold %g; want 1/V", v, th)
				}
			}
			if sol.Rank != tc.rank {
				t.Errorf("V=%d γ=%g: predicted rank %d; want %d", v, tc.gamma, sol.Rank, tc.rank)
			}
			c, _ := Compare(sol, sol.Z)
			if c.Rank != tc.rank {
				t.Errorf("V=%d γ=%g: rank of Z* %d; want %d", v, tc.gamma, c.Rank, tc.rank)
			}
			if !tc.gd {
				continue
			}
			_, z, _, err := Minimize(p, startFor(p, 3), RefineSettings{})
			if err != nil {
				t.Fatal(err)
			}
			cz, _ := Compare(sol, z)
			gdRank := 0
			for _, s := range cz.SingularValues {
				if s > 1e-3*cz.SingularValues[0] {
					gdRank++
				}
			}
			if gdRank != tc.rank || cz.RelativeGap > 1e-6 {
				t.Errorf("V=%d γ=%g: gradient descent rank %d (σ %v), loss gap %g; want rank %d", v, tc.gamma, gdRank, cz.SingularValues, cz.RelativeGap, tc.rank)
			}
		}
	}
}
