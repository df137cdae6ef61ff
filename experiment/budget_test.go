package experiment

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
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

// TestUnusableWaveEndsCell checks replicateWave: a refined cell computes its
// replicates wave by wave and stops after the first wave holding an
// unusable optimum (the cell is excluded whatever the rest do); every
// earlier wave is usable, the reason says how many replicates were not
// computed, and the computed replicates are those of a run asked for fewer
// replicates (cutting does not change them).
func TestUnusableWaveEndsCell(t *testing.T) {
	cfg := budgetConfig(4) // 4 L-BFGS iterations: SimCLR cannot converge
	cfg.Seeds = 5
	cfg.Graphs = cfg.Graphs[:1]
	r, err := E3(context.Background(), cfg, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	cut := 0
	for _, c := range r.Cells {
		if !c.Refined {
			continue
		}
		if len(c.Fits)+c.NotRun != cfg.Seeds {
			t.Errorf("%s: %d fits + %d not run != %d replicates", c.Method, len(c.Fits), c.NotRun, cfg.Seeds)
		}
		firstBad := slices.IndexFunc(c.Fits, func(f Fit) bool { return !f.usable() })
		switch {
		case firstBad < 0 && c.NotRun > 0:
			t.Errorf("%s: %d replicates not run although every computed one is usable", c.Method, c.NotRun)
		case firstBad >= 0 && len(c.Fits) != min(cfg.Seeds, (firstBad/replicateWave+1)*replicateWave):
			t.Errorf("%s: first unusable replicate %d, but %d replicates computed (wave %d)", c.Method, firstBad, len(c.Fits), replicateWave)
		case c.NotRun > 0 && !strings.Contains(c.Excluded, fmt.Sprintf("other %d replicates were not computed", c.NotRun)):
			t.Errorf("%s: %d not run, reason %q", c.Method, c.NotRun, c.Excluded)
		}
		if c.NotRun > 0 {
			cut++
		}
	}
	if cut == 0 {
		t.Fatal("no cell was cut short: the test checks nothing")
	}
	small := cfg
	small.Seeds = replicateWave
	r2, err := E3(context.Background(), small, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range r.Cells {
		c2 := r2.Cells[i]
		for s := range min(len(c.Fits), len(c2.Fits)) {
			if c.Fits[s].Loss != c2.Fits[s].Loss || c.Fits[s].Iterations != c2.Fits[s].Iterations {
				t.Errorf("%s replicate %d: loss %v (%d it) in the cut run, %v (%d it) alone", c.Method, s, c.Fits[s].Loss, c.Fits[s].Iterations, c2.Fits[s].Loss, c2.Fits[s].Iterations)
			}
		}
	}
}

// TestE6UnusableWaveStopsClosedForms checks E6's use of replicateWave: with
// a refinement budget SimCLR cannot meet (4 iterations), NT-Xent's row
// computes the closed form for the first wave only, trains and probes every
// replicate, counts the others in ClosedNotRun and says so in its name;
// rows whose closed forms are usable (VICReg-hard, exact) are not cut.
func TestE6UnusableWaveStopsClosedForms(t *testing.T) {
	cfg := E6Config{Dataset: "digits", N: 60, K: 3, Aug: "shift:1+noise:0.5", Encoders: []string{"linear:3"}, SimCoeffs: []float64{25},
		Batch: 30, Epochs: 2, LR: 1e-3, Seeds: replicateWave + 1, Seed: 3, Labels: 2,
		Refine: RefinePlan{MaxIter: 4, GradTol: RefineGradTol, LossTol: RefineLossTol, Restarts: 1}}
	res, err := E6(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	cut := 0
	for _, r := range res.Rows {
		if len(r.Trained) != cfg.Seeds || len(r.TrainStatus) != cfg.Seeds {
			t.Errorf("%s: %d trained replicates; want %d", r.name(), len(r.Trained), cfg.Seeds)
		}
		n := len(r.ClosedFit)
		if len(r.Closed) != n || len(r.MaxAngle) != n || n+r.ClosedNotRun != cfg.Seeds {
			t.Errorf("%s: %d closed fits, %d accuracies, %d angles, %d not run for %d replicates", r.name(), n, len(r.Closed), len(r.MaxAngle), r.ClosedNotRun, cfg.Seeds)
		}
		bad := slices.ContainsFunc(r.ClosedFit, func(f Fit) bool { return !f.usable() })
		switch {
		case bad && n != replicateWave:
			t.Errorf("%s: an unusable closed form in the first wave, yet %d computed", r.name(), n)
		case !bad && r.ClosedNotRun > 0:
			t.Errorf("%s: every closed form usable, yet %d not run", r.name(), r.ClosedNotRun)
		case r.ClosedNotRun > 0 && !strings.Contains(r.closedName(), fmt.Sprintf("[%d of %d replicates]", n, cfg.Seeds)):
			t.Errorf("%s: %d not run, name %q", r.name(), r.ClosedNotRun, r.closedName())
		}
		if r.ClosedNotRun > 0 {
			cut++
		}
	}
	if cut == 0 {
		t.Fatal("no row was cut short: the test checks nothing")
	}
}
