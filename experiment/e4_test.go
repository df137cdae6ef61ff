package experiment

import (
	"math"
	"strings"
	"testing"

	"github.com/eigenssl/eigenssl/closedform"
	"github.com/eigenssl/eigenssl/eval"
)

// fakeE3 builds an E3 result with one aligned graph ("label"), two
// misaligned ones ("coarse", "fine") and an oracle graph whose numbers are
// those of "oracle-like" worlds; the accuracy of each method on each
// replicate is acc[graph/method] + a replicate effect shared by every
// method (so paired differences are exact).
func fakeE3(acc map[string]float64) *E3Result {
	methods := []MethodSpec{vicreg(0.1), vicreg(2), {Name: "SimCLR", Loss: closedform.SimCLR},
		{Name: "BarlowTwins", Loss: closedform.BarlowTwins}, {Name: "Supervised", Loss: Supervised}}
	r := &E3Result{Config: E3Config{Methods: methods, Regimes: []string{"linear"}, LabelsPerClass: []int{1, 5, 0}, Seeds: 4}}
	r.Graphs = []GraphInfo{
		{Spec: GraphSpec{Name: "label"}, Regime: "linear", Align: eval.Alignment{LabelEnergy: 1}, Class: ClassAligned, Aligned: true},
		{Spec: GraphSpec{Name: "coarse"}, Regime: "linear", Align: eval.Alignment{LabelEnergy: 0.45}, Class: ClassMisaligned},
		{Spec: GraphSpec{Name: "fine"}, Regime: "linear", Align: eval.Alignment{LabelEnergy: 0.5}, Class: ClassMisaligned},
		{Spec: GraphSpec{Name: "oracle", Oracle: true}, Regime: "linear", Align: eval.Alignment{LabelEnergy: 1}, Class: ClassOracle, Excluded: "oracle"},
	}
	noise := []float64{0.01, -0.01, 0.005, -0.005}
	for _, g := range r.Graphs {
		for _, m := range methods {
			c := E3Cell{Graph: g.Spec.Name, Regime: "linear", Method: m.Name, Converged: true, Excluded: g.Excluded}
			src := g.Spec.Name
			if src == "fine" {
				src = "coarse"
			}
			if src == "oracle" {
				src = "label"
			}
			for _, l := range r.Config.LabelsPerClass {
				base := acc[src+"/"+m.Name]
				if g.Spec.Name == "oracle" {
					base = 1 - base // the opposite world: must not count
				}
				a := Acc{Labels: l, Mean: Num(base)}
				for _, e := range noise {
					a.PerSeed = append(a.PerSeed, Num(base+e))
				}
				c.Acc = append(c.Acc, a)
			}
			r.Cells = append(r.Cells, c)
		}
	}
	return r
}

func verdictFor(t *testing.T, r *E4Result, prefix string) Verdict {
	t.Helper()
	for _, v := range r.Verdicts {
		if strings.HasPrefix(v.Claim, prefix) {
			return v
		}
	}
	t.Fatalf("no verdict for %q", prefix)
	return Verdict{}
}

// TestE4VerdictsFollowTheNumbers feeds E4 two opposite worlds and checks
// that the verdicts flip with the numbers, that the oracle graph never
// counts, and the scope sizes.
func TestE4VerdictsFollowTheNumbers(t *testing.T) {
	// World 1: on the misaligned graphs small-gamma VICReg is best; on the
	// aligned graph high-gamma VICReg and SimCLR are best.
	w1 := map[string]float64{
		"coarse/VICReg γ=0.1": 0.8, "coarse/VICReg γ=2": 0.5, "coarse/SimCLR": 0.5, "coarse/BarlowTwins": 0.6, "coarse/Supervised": 0.7,
		"label/VICReg γ=0.1": 0.7, "label/VICReg γ=2": 0.9, "label/SimCLR": 0.9, "label/BarlowTwins": 0.7, "label/Supervised": 0.6,
	}
	r, err := E4(fakeE3(w1), nil)
	if err != nil {
		t.Fatal(err)
	}
	for prefix, want := range map[string]string{
		"misaligned G: small-gamma VICReg beats SimCLR":              "SUPPORTED",
		"misaligned G: small-gamma VICReg beats BarlowTwins":         "SUPPORTED",
		"low data + aligned G: SimCLR and high-gamma":                "SUPPORTED",
		"misaligned G: BarlowTwins and small-gamma VICReg":           "SUPPORTED",
		"low data + aligned G: high-gamma VICReg beats small-gamma":  "SUPPORTED",
		"aligned G, low data: every SSL method beats the supervised": "SUPPORTED",
	} {
		if v := verdictFor(t, r, prefix); v.Verdict != want {
			t.Errorf("world 1, %q: %s (%d/%d/%d); want %s", prefix, v.Verdict, v.Wins, v.Ties, v.Losses, want)
		}
	}
	// World 2: the opposite ordering, and equal VICReg gammas.
	w2 := map[string]float64{
		"coarse/VICReg γ=0.1": 0.5, "coarse/VICReg γ=2": 0.8, "coarse/SimCLR": 0.8, "coarse/BarlowTwins": 0.5, "coarse/Supervised": 0.7,
		"label/VICReg γ=0.1": 0.7, "label/VICReg γ=2": 0.7, "label/SimCLR": 0.6, "label/BarlowTwins": 0.9, "label/Supervised": 0.95,
	}
	r, err = E4(fakeE3(w2), nil)
	if err != nil {
		t.Fatal(err)
	}
	for prefix, want := range map[string]string{
		"misaligned G: small-gamma VICReg beats SimCLR":              "CONTRADICTED",
		"misaligned G: small-gamma VICReg beats BarlowTwins":         "INCONCLUSIVE",
		"low data + aligned G: SimCLR and high-gamma":                "CONTRADICTED",
		"misaligned G: BarlowTwins and small-gamma VICReg":           "CONTRADICTED",
		"low data + aligned G: high-gamma VICReg beats small-gamma":  "INCONCLUSIVE",
		"aligned G, low data: every SSL method beats the supervised": "CONTRADICTED",
	} {
		if v := verdictFor(t, r, prefix); v.Verdict != want {
			t.Errorf("world 2, %q: %s (%d/%d/%d); want %s", prefix, v.Verdict, v.Wins, v.Ties, v.Losses, want)
		}
	}
	// Scopes: the low-data aligned claim has the aligned graph at 1 and 5
	// labels per class (not "all", not the oracle): 2 cells per pair.
	if v := verdictFor(t, r, "low data + aligned G: high-gamma"); v.Cells != 2 || v.Excluded != 0 {
		t.Errorf("low-data aligned scope: %d cells, %d excluded; want 2, 0", v.Cells, v.Excluded)
	}
	// Sets of methods are tested pair by pair: 2 x 2 pairs x 2 sizes.
	if v := verdictFor(t, r, "low data + aligned G: SimCLR and high-gamma"); v.Cells != 8 {
		t.Errorf("set claim: %d cells; want 8 (every pair)", v.Cells)
	}
	if _, err := E4(&E3Result{Config: E3Config{Methods: []MethodSpec{vicreg(1)}}}, nil); err == nil {
		t.Error("E4 without SimCLR/BarlowTwins: no error")
	}
}

// TestE4ExcludesNonConvergedCells checks that a cell marked excluded (a
// non-converged optimum) leaves the verdict's cells and is counted.
func TestE4ExcludesNonConvergedCells(t *testing.T) {
	w1 := map[string]float64{
		"coarse/VICReg γ=0.1": 0.8, "coarse/VICReg γ=2": 0.5, "coarse/SimCLR": 0.5, "coarse/BarlowTwins": 0.6, "coarse/Supervised": 0.7,
		"label/VICReg γ=0.1": 0.7, "label/VICReg γ=2": 0.9, "label/SimCLR": 0.9, "label/BarlowTwins": 0.7, "label/Supervised": 0.6,
	}
	r3 := fakeE3(w1)
	r3.Cell("fine", "linear", "SimCLR").Excluded = "optimum not converged"
	r, err := E4(r3, nil)
	if err != nil {
		t.Fatal(err)
	}
	v := verdictFor(t, r, "misaligned G: small-gamma VICReg beats SimCLR")
	if v.Cells != 3 || v.Excluded != 3 || v.Verdict != "SUPPORTED" {
		t.Errorf("%d cells, %d excluded, %s; want 3, 3, SUPPORTED", v.Cells, v.Excluded, v.Verdict)
	}
	if !strings.Contains(strings.Join(v.Detail, "\n"), "excluded (SimCLR: optimum not converged)") {
		t.Errorf("detail does not show the exclusion:\n%s", strings.Join(v.Detail, "\n"))
	}
	// Every SimCLR cell excluded: the SimCLR claim is untested, and the set
	// claim says which part of it was not tested.
	r3.Cell("coarse", "linear", "SimCLR").Excluded = "optimum not converged"
	if r, err = E4(r3, nil); err != nil {
		t.Fatal(err)
	}
	if v := verdictFor(t, r, "misaligned G: small-gamma VICReg beats SimCLR"); v.Verdict != "UNTESTED" || v.Excluded != 6 {
		t.Errorf("all SimCLR cells excluded: %s, %d excluded; want UNTESTED, 6", v.Verdict, v.Excluded)
	}
	if v := verdictFor(t, r, "misaligned G: BarlowTwins and small-gamma"); !strings.Contains(v.Meaning, "every cell of SimCLR was excluded") {
		t.Errorf("set claim meaning %q does not name the untested SimCLR part", v.Meaning)
	}
}

// TestVerdictRule checks the rule's thresholds: one win and one tie is not
// enough (the old rule called it SUPPORTED), two wins in three cells are.
func TestVerdictRule(t *testing.T) {
	for _, tc := range []struct {
		cells, wins, losses int
		want                string
	}{
		{2, 1, 0, "INCONCLUSIVE"}, {1, 1, 0, "INCONCLUSIVE"}, {3, 2, 0, "SUPPORTED"}, {5, 2, 0, "INCONCLUSIVE"},
		{4, 0, 2, "CONTRADICTED"}, {4, 1, 1, "MIXED"}, {3, 0, 0, "INCONCLUSIVE"}, {0, 0, 0, "UNTESTED"},
	} {
		if got := ruleVerdict(tc.cells, tc.wins, tc.losses); got != tc.want {
			t.Errorf("%d cells, %d wins, %d losses: %s; want %s", tc.cells, tc.wins, tc.losses, got, tc.want)
		}
	}
}

// TestHolm checks the Holm step-down procedure on a hand-computed case:
// p = (0.01, 0.04, 0.03) -> adjusted (0.03, 0.06, 0.06); only the first is
// rejected at 0.05 (three unadjusted tests would reject all three).
func TestHolm(t *testing.T) {
	adj, rej := holm([]float64{0.01, 0.04, 0.03}, 0.05)
	want := []float64{0.03, 0.06, 0.06}
	for i := range want {
		if math.Abs(adj[i]-want[i]) > 1e-12 || rej[i] != (i == 0) {
			t.Errorf("p[%d]: adjusted %.4f rejected %v; want %.4f %v", i, adj[i], rej[i], want[i], i == 0)
		}
	}
}

// TestLocalGlobalVerdict checks that E5's rows are judged and the verdict
// follows them.
func TestLocalGlobalVerdict(t *testing.T) {
	mk := func(simLong, leLong, simShort, leShort float64) *E5Result {
		rows := []E5Row{{Method: "VICReg hard (LE)"}, {Method: "SimCLR"}}
		noise := []float64{0.01, -0.02, 0.015}
		for _, e := range noise {
			rows[0].LongPerSeed = append(rows[0].LongPerSeed, Num(leLong+e))
			rows[0].ShortPerSeed = append(rows[0].ShortPerSeed, Num(leShort+e))
			rows[1].LongPerSeed = append(rows[1].LongPerSeed, Num(simLong+e))
			rows[1].ShortPerSeed = append(rows[1].ShortPerSeed, Num(simShort+e))
		}
		return &E5Result{Config: E5Config{Neighbors: 10, Seeds: 3}, ShortHops: 2, LongHops: 6, Rows: rows}
	}
	if v := judgeLocalGlobal(mk(0.6, 0.2, 0.5, 0.8)); v.Verdict != "SUPPORTED" || v.Cells != 2 {
		t.Errorf("global SimCLR, local LE: %s with %d cells; want SUPPORTED with 2", v.Verdict, v.Cells)
	}
	// The audit's digits numbers: SimCLR 0.748 short, -0.053 long; LE 0.447, 0.192.
	if v := judgeLocalGlobal(mk(-0.053, 0.192, 0.748, 0.447)); v.Verdict != "CONTRADICTED" {
		t.Errorf("audit numbers: %s; want CONTRADICTED", v.Verdict)
	}
}
