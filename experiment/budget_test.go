package experiment

import (
	"context"
	"fmt"
	"math"
	"testing"

	"github.com/eigenssl/eigenssl/closedform"
)

// budgetConfig is a small linear-regime E3 whose SimCLR and BarlowTwins
// cells are minimised with the iteration budget maxIter.
func budgetConfig(maxIter int) E3Config {
	return E3Config{Dataset: "digits", N: 100, FeatureN: 100, Seed: 7, K: 6,
		Graphs:  []GraphSpec{{Name: "label", Kind: "label"}, {Name: "coarser-2", Kind: "coarser", P: 2}, {Name: "random", Kind: "random"}},
		Methods: defaultMethods([]float64{0.1, 1.2}), Regimes: []string{closedform.Linear},
		LabelsPerClass: []int{2, 5}, Seeds: 3, Probe: "logistic",
		Refine: RefinePlan{MaxIter: maxIter, GradTol: RefineGradTol, LossTol: RefineLossTol, Restarts: 2}}
}

// TestVerdictsStableUnderBudget checks finding 2 of the audit: with every
// approximate optimum run to the stated tolerance (or excluded), multiplying
// the iteration budget by 4 changes no verdict, no cell's status and no
// judged cell's accuracy (the old fixed 30-60 L-BFGS iterations, whose
// optimum depended on where L-BFGS stopped, would).
func TestVerdictsStableUnderBudget(t *testing.T) {
	run := func(maxIter int) (*E3Result, *E4Result) {
		t.Helper()
		r3, err := E3(context.Background(), budgetConfig(maxIter), nil, "")
		if err != nil {
			t.Fatal(err)
		}
		r4, err := E4(r3, nil)
		if err != nil {
			t.Fatal(err)
		}
		return r3, r4
	}
	a3, a4 := run(200)
	b3, b4 := run(800)
	for i := range a4.Verdicts {
		va, vb := a4.Verdicts[i], b4.Verdicts[i]
		got := fmt.Sprintf("%s %d/%d/%d excl %d", va.Verdict, va.Wins, va.Ties, va.Losses, va.Excluded)
		want := fmt.Sprintf("%s %d/%d/%d excl %d", vb.Verdict, vb.Wins, vb.Ties, vb.Losses, vb.Excluded)
		if got != want {
			t.Errorf("%s: budget 200: %s; budget 800: %s", va.Claim, got, want)
		}
	}
	nRefined := 0
	for i, ca := range a3.Cells {
		cb := b3.Cells[i]
		if !ca.Refined {
			continue
		}
		nRefined++
		if (ca.Excluded == "") != (cb.Excluded == "") {
			t.Errorf("%s/%s: excluded %q at budget 200, %q at 800", ca.Graph, ca.Method, ca.Excluded, cb.Excluded)
			continue
		}
		if ca.Excluded != "" {
			continue
		}
		for j := range ca.Acc {
			for s := range ca.Acc[j].PerSeed {
				x, y := float64(ca.Acc[j].PerSeed[s]), float64(cb.Acc[j].PerSeed[s])
				if math.Abs(x-y) > 1e-9 {
					t.Errorf("%s/%s, %d labels, replicate %d: accuracy %.4f at budget 200, %.4f at 800", ca.Graph, ca.Method, ca.Acc[j].Labels, s, x, y)
				}
			}
		}
	}
	judged := 0
	for _, v := range a4.Verdicts {
		judged += v.Cells
	}
	if nRefined == 0 || judged == 0 {
		t.Fatalf("%d refined cells, %d judged comparisons: the test checks nothing", nRefined, judged)
	}
}
