package experiment

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// tinyConfigs are the smallest configurations that exercise every
// experiment (seconds in total).
func tinyConfigs() *Configs {
	return &Configs{
		E1: E1Config{Dataset: "digits", N: 80, K: 3, Neighbors: 6, Aug: "shift:1+noise:0.5", TrainIter: 500, SimCLRIter: 40, Seed: 3},
		E2: E2Config{NOrig: 6, Views: []int{2}, KGamma: 8, Gammas: []float64{0.2, 0.8}, TrainGammas: []float64{0.2}, TrainIter: 300,
			Classes: 3, PerClass: 5, Ks: []int{2, 4}, Methods: []MethodSpec{vicreg(0.1), vicreg(3)}, Seed: 3},
		E3: E3Config{Dataset: "digits", N: 200, FeatureN: 100, Seed: 3, K: 8,
			Graphs:  []GraphSpec{{Name: "label", Kind: "label"}, {Name: "coarser-2", Kind: "coarser", P: 2}, {Name: "knn-5", Kind: "knn", P: 5}},
			Methods: defaultMethods([]float64{0.1, 1.2}), Regimes: []string{"linear", "feature"},
			LabelsPerClass: []int{2, 0}, Seeds: 2, Probe: "ridge", Refine: RefinePlan{MaxIter: 300, GradTol: RefineGradTol, LossTol: RefineLossTol, Restarts: 1}},
		E5: E5Config{Dataset: "digits", N: 60, K: 3, Neighbors: 6, Refine: RefinePlan{MaxIter: 300, GradTol: RefineGradTol, LossTol: RefineLossTol, Restarts: 1}, Seed: 3, Seeds: 2},
		E6: E6Config{Dataset: "digits", N: 60, K: 3, Aug: "shift:1+noise:0.5", Encoders: []string{"linear:3"}, SimCoeffs: []float64{25},
			Batch: 30, Epochs: 3, LR: 1e-3, Seeds: 1, Seed: 3, Labels: 2, Refine: RefinePlan{MaxIter: 300, GradTol: RefineGradTol, LossTol: RefineLossTol, Restarts: 1}},
		E7: E7Config{Seeds: 1, Epochs: 1, Seed: 3},
	}
}

var (
	tinyOnce sync.Once
	tinyRep  *Report
	tinyErr  error
	tinyDir  string
)

// tinyRun runs every experiment once per test binary in a shared directory.
func tinyRun(t *testing.T) *Report {
	t.Helper()
	tinyOnce.Do(func() {
		tinyDir, tinyErr = os.MkdirTemp("", "eigenssl-experiment-")
		if tinyErr != nil {
			return
		}
		tinyRep, tinyErr = Run(context.Background(), Options{Out: tinyDir, Dataset: "digits", Configs: tinyConfigs()})
	})
	if tinyErr != nil {
		t.Fatal(tinyErr)
	}
	return tinyRep
}

func TestMain(m *testing.M) {
	code := m.Run()
	if tinyDir != "" {
		os.RemoveAll(tinyDir)
	}
	os.Exit(code)
}

func TestRunWritesReportAndResumes(t *testing.T) {
	rep := tinyRun(t)
	if rep.E1 == nil || rep.E2 == nil || rep.E3 == nil || rep.E4 == nil || rep.E5 == nil || rep.E6 == nil {
		t.Fatalf("missing experiments: %+v", rep)
	}
	if rep.CellsComputed == 0 {
		t.Fatal("no cell computed on the first run")
	}
	for _, f := range []string{rep.Path, rep.JSON} {
		if st, err := os.Stat(f); err != nil || st.Size() == 0 {
			t.Fatalf("%s: %v", f, err)
		}
	}
	var nfig int
	for _, fs := range [][]*Figure{rep.E1.Figures, rep.E2.Figures, rep.E3.Figures, rep.E5.Figures} {
		for _, f := range fs {
			nfig++
			for _, p := range []string{f.PNG, f.SVG} {
				if st, err := os.Stat(p); err != nil || st.Size() < 500 {
					t.Errorf("figure %s: %v", p, err)
				}
			}
		}
	}
	if nfig < 6 {
		t.Errorf("%d figures; want at least 6", nfig)
	}
	// A second run on the same directory (a resumed run) recomputes
	// nothing and reports the same numbers.
	again, err := Run(context.Background(), Options{Out: tinyDir, Dataset: "digits", Configs: tinyConfigs()})
	if err != nil {
		t.Fatal(err)
	}
	// Every lookup of the resumed run reads a cell of the first one,
	// including those the first run used more than once (CellsShared).
	if rep.CellsReused != 0 || again.CellsComputed != 0 || again.CellsShared != 0 || again.CellsReused != rep.CellsComputed+rep.CellsShared {
		t.Errorf("first run reused %d cells; resumed run computed %d, shared %d and reused %d; want 0, 0, 0 and %d + %d", rep.CellsReused, again.CellsComputed, again.CellsShared, again.CellsReused, rep.CellsComputed, rep.CellsShared)
	}
	if again.Summary != rep.Summary {
		t.Errorf("resumed summary differs:\n%s\nvs\n%s", again.Summary, rep.Summary)
	}
	// An interrupted run: remove some cells, the rest are reused.
	cells, _ := filepath.Glob(filepath.Join(tinyDir, "cells", "*.json"))
	for _, c := range cells[:3] {
		os.Remove(c)
	}
	third, err := Run(context.Background(), Options{Out: tinyDir, Dataset: "digits", Configs: tinyConfigs()})
	if err != nil {
		t.Fatal(err)
	}
	if third.CellsComputed != 3 || third.Summary != rep.Summary {
		t.Errorf("after deleting 3 cells: computed %d (want 3), summary equal %v", third.CellsComputed, third.Summary == rep.Summary)
	}
}

func TestReportIsSelfContained(t *testing.T) {
	rep := tinyRun(t)
	b, err := os.ReadFile(rep.Path)
	if err != nil {
		t.Fatal(err)
	}
	html := string(b)
	if n := strings.Count(html, `src="data:image/png;base64,`); n < 6 {
		t.Errorf("%d inlined PNG figures; want >= 6", n)
	}
	ext := regexp.MustCompile(`(?i)(src|href)\s*=\s*"(https?:)?//|url\(\s*['"]?https?:|@import`)
	if m := ext.FindString(html); m != "" {
		t.Errorf("report references an external resource: %q", m)
	}
	for _, want := range []string{"E1 Equivalence", "E2 Dimensional collapse", "E3 Alignment", "E4 The paper", "E5 Local vs global", "@media print", "Configuration"} {
		if !strings.Contains(html, want) {
			t.Errorf("report lacks %q", want)
		}
	}
}

// TestE1ExactClosedFormsAgree checks on the tiny run that every exact closed
// form agrees with its spectral method and with the trained encoder (same
// subspace, same loss), and that no trained encoder beats an exact minimum.
func TestE1ExactClosedFormsAgree(t *testing.T) {
	rep := tinyRun(t)
	for _, r := range rep.E1.Rows {
		if !r.Exact {
			continue
		}
		if r.Spectral != "—" && !(float64(r.AngleSpectral) < 1e-4) {
			t.Errorf("%s/%s: angle to %s %.3g degrees; want 0", r.Loss, r.Regime, r.Spectral, float64(r.AngleSpectral))
		}
		if !(float64(r.AngleTrained) < 0.5) || float64(r.LossGap) < -1e-8*max(1, float64(r.LossClosed)) {
			t.Errorf("%s/%s: trained angle %.3g degrees, loss gap %.3g", r.Loss, r.Regime, float64(r.AngleTrained), float64(r.LossGap))
		}
	}
}
