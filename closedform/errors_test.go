package closedform

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/eigenssl/eigenssl/graph"
	"gonum.org/v1/gonum/mat"
)

func TestSolveRejectsBadInput(t *testing.T) {
	g, _, _ := graph.Views(4, 2)
	x := randMat(8, 3, 1)
	nan := mat.DenseCopyOf(x)
	nan.Set(2, 1, math.NaN())
	neg := &graph.CSR{N: 2, RowPtr: []int{0, 1, 2}, Col: []int{1, 0}, Val: []float64{-1, -1}}
	for _, tc := range []struct {
		name string
		p    Problem
		want error
		text string
	}{
		{"unknown loss", Problem{Loss: "mse", G: g, K: 2}, ErrUnknown, "valid"},
		{"unknown regime", Problem{Loss: VICReg, Regime: "deep", G: g, K: 2}, ErrUnknown, "regime"},
		{"nil graph", Problem{Loss: VICReg, K: 2}, ErrEmpty, "G"},
		{"K zero", Problem{Loss: VICReg, G: g, K: 0}, ErrParam, "K"},
		{"negative gamma", Problem{Loss: VICReg, G: g, K: 2, Gamma: -1}, ErrParam, "gamma"},
		{"NaN tau", Problem{Loss: SimCLR, G: g, K: 2, Tau: math.NaN()}, ErrParam, "tau"},
		{"linear without X", Problem{Loss: VICReg, Regime: Linear, G: g, K: 2}, ErrEmpty, "X"},
		{"X rows", Problem{Loss: VICReg, Regime: Linear, G: g, K: 2, X: randMat(7, 3, 1)}, ErrShape, "X"},
		{"X NaN", Problem{Loss: VICReg, Regime: Linear, G: g, K: 2, X: nan}, ErrNaN, "X"},
		{"kernel shape", Problem{Loss: VICReg, Regime: Kernel, G: g, K: 2, KernelMatrix: randMat(8, 7, 1)}, ErrShape, "KernelMatrix"},
		{"negative weight", Problem{Loss: VICReg, G: neg, K: 1}, ErrGraph, "G"},
		{"hard constraint infeasible", Problem{Loss: VICRegHard, G: g, K: 8}, ErrParam, "K"},
		{"hard linear infeasible", Problem{Loss: VICRegHard, Regime: Linear, G: g, K: 4, X: x}, ErrParam, "K"},
	} {
		_, err := Solve(tc.p)
		var e *Error
		if !errors.Is(err, tc.want) || !errors.As(err, &e) || !strings.Contains(err.Error(), tc.text) || !strings.HasPrefix(err.Error(), "closedform: ") {
			t.Errorf("%s: got %v; want an *Error wrapping %v mentioning %q", tc.name, err, tc.want, tc.text)
		}
	}
	sol, err := Solve(Problem{Loss: VICReg, G: g, K: 2})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Compare(sol, randMat(7, 2, 1)); !errors.Is(err, ErrShape) {
		t.Errorf("Compare with wrong rows: %v; want ErrShape", err)
	}
	if _, err := Compare(nil, x); !errors.Is(err, ErrEmpty) {
		t.Errorf("Compare(nil): %v; want ErrEmpty", err)
	}
	if _, _, _, err := Minimize(Problem{Loss: VICReg, G: g, K: 2}, randMat(3, 2, 1), RefineSettings{}); !errors.Is(err, ErrShape) {
		t.Errorf("Minimize with a wrong start: %v; want ErrShape", err)
	}
	if _, err := RBFKernel(nan, 1); !errors.Is(err, ErrNaN) {
		t.Errorf("RBFKernel(NaN): %v; want ErrNaN", err)
	}
}

// TestSolveDeterministic: two solves (and refinements) of the same problem
// give identical results.
func TestSolveDeterministic(t *testing.T) {
	gcs := testGraphs(t, 4)
	for _, l := range Losses() {
		p := Problem{Loss: l, Regime: Linear, G: gcs[3].g, X: gcs[3].x, K: 2, Seed: 5}
		a, err1 := Solve(p)
		b, err2 := Solve(p)
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		if !mat.Equal(a.Z, b.Z) || a.PredictedLoss != b.PredictedLoss {
			t.Errorf("%s: two solves differ", l)
		}
		if !a.Exact {
			ra, _, _ := Refine(a, RefineSettings{MaxIter: 200})
			rb, _, _ := Refine(b, RefineSettings{MaxIter: 200})
			if !mat.Equal(ra.Z, rb.Z) {
				t.Errorf("%s: two refinements differ", l)
			}
		}
	}
}

// TestRBFKernelLimits: a negative bandwidth and N > MaxKernelN are errors
// wrapping ErrParam, before any N x N allocation.
func TestRBFKernelLimits(t *testing.T) {
	if _, err := RBFKernel(randMat(4, 2, 1), -1); !errors.Is(err, ErrParam) || !strings.Contains(err.Error(), "sigma") {
		t.Errorf("sigma -1: %v; want ErrParam naming sigma", err)
	}
	if _, err := RBFKernel(mat.NewDense(MaxKernelN+1, 1, nil), 1); !errors.Is(err, ErrParam) || !strings.Contains(err.Error(), "MaxKernelN") {
		t.Errorf("N = MaxKernelN+1: %v; want ErrParam naming the limit", err)
	}
	if _, err := RBFKernel(randMat(4, 2, 1), 0); err != nil {
		t.Errorf("sigma 0 (median heuristic): %v", err)
	}
}
