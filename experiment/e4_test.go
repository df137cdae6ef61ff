package experiment

import (
	"strings"
	"testing"

	"github.com/eigenssl/eigenssl/closedform"
	"github.com/eigenssl/eigenssl/eval"
)

// fakeE3 builds an E3 result with one aligned and one misaligned graph in
// which the accuracy of each method on each seed is acc[method] + seed noise.
func fakeE3(acc map[string]float64) *E3Result {
	methods := []MethodSpec{vicreg(0.1), vicreg(2), {Name: "SimCLR", Loss: closedform.SimCLR},
		{Name: "BarlowTwins", Loss: closedform.BarlowTwins}, {Name: "Supervised", Loss: Supervised}}
	r := &E3Result{Config: E3Config{Methods: methods, Regimes: []string{"linear"}, LabelsPerClass: []int{1, 0}, Seeds: 4}}
	r.Graphs = []GraphInfo{
		{Spec: GraphSpec{Name: "label"}, Regime: "linear", Align: eval.Alignment{ARI: 1}, Aligned: true},
		{Spec: GraphSpec{Name: "coarse"}, Regime: "linear", Align: eval.Alignment{ARI: 0.5}},
	}
	noise := []float64{0.01, -0.01, 0.005, -0.005}
	for _, g := range r.Graphs {
		for _, m := range methods {
			c := E3Cell{Graph: g.Spec.Name, Regime: "linear", Method: m.Name}
			for _, l := range r.Config.LabelsPerClass {
				base := acc[g.Spec.Name+"/"+m.Name]
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

func verdictOf(t *testing.T, r *E4Result, prefix string) Verdict {
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
// that the verdicts flip with the numbers.
func TestE4VerdictsFollowTheNumbers(t *testing.T) {
	// World 1: on the misaligned graph small-gamma VICReg is best; on the
	// aligned graph high-gamma VICReg and SimCLR are best.
	w1 := map[string]float64{
		"coarse/VICReg γ=0.1": 0.8, "coarse/VICReg γ=2": 0.5, "coarse/SimCLR": 0.5, "coarse/BarlowTwins": 0.6, "coarse/Supervised": 0.7,
		"label/VICReg γ=0.1": 0.7, "label/VICReg γ=2": 0.9, "label/SimCLR": 0.9, "label/BarlowTwins": 0.7, "label/Supervised": 0.6,
	}
	r, err := E4(fakeE3(w1))
	if err != nil {
		t.Fatal(err)
	}
	for prefix, want := range map[string]string{
		"misaligned G: small-gamma VICReg beats SimCLR":              "SUPPORTED",
		"misaligned G: small-gamma VICReg beats BarlowTwins":         "SUPPORTED",
		"low data + aligned G: SimCLR or high-gamma":                 "SUPPORTED",
		"misaligned G: BarlowTwins or small-gamma VICReg":            "SUPPORTED",
		"low data + aligned G: high-gamma VICReg beats small-gamma":  "SUPPORTED",
		"aligned G, low data: every SSL method beats the supervised": "SUPPORTED",
	} {
		if v := verdictOf(t, r, prefix); v.Verdict != want {
			t.Errorf("world 1, %q: %s (%d/%d/%d); want %s", prefix, v.Verdict, v.Wins, v.Ties, v.Losses, want)
		}
	}
	// World 2: the opposite ordering, and equal VICReg gammas.
	w2 := map[string]float64{
		"coarse/VICReg γ=0.1": 0.5, "coarse/VICReg γ=2": 0.8, "coarse/SimCLR": 0.8, "coarse/BarlowTwins": 0.5, "coarse/Supervised": 0.7,
		"label/VICReg γ=0.1": 0.7, "label/VICReg γ=2": 0.7, "label/SimCLR": 0.6, "label/BarlowTwins": 0.9, "label/Supervised": 0.95,
	}
	r, err = E4(fakeE3(w2))
	if err != nil {
		t.Fatal(err)
	}
	for prefix, want := range map[string]string{
		"misaligned G: small-gamma VICReg beats SimCLR":              "CONTRADICTED",
		"misaligned G: small-gamma VICReg beats BarlowTwins":         "NO DIFFERENCE",
		"low data + aligned G: SimCLR or high-gamma":                 "CONTRADICTED",
		"misaligned G: BarlowTwins or small-gamma VICReg":            "CONTRADICTED",
		"low data + aligned G: high-gamma VICReg beats small-gamma":  "NO DIFFERENCE",
		"aligned G, low data: every SSL method beats the supervised": "CONTRADICTED",
	} {
		if v := verdictOf(t, r, prefix); v.Verdict != want {
			t.Errorf("world 2, %q: %s (%d/%d/%d); want %s", prefix, v.Verdict, v.Wins, v.Ties, v.Losses, want)
		}
	}
	// The scope of the low-data aligned claim is the aligned graph at 1
	// label per class only (not "all").
	if v := verdictOf(t, r, "low data + aligned G: SimCLR"); v.Cells != 1 {
		t.Errorf("low-data aligned scope: %d cells; want 1", v.Cells)
	}
	if _, err := E4(&E3Result{Config: E3Config{Methods: []MethodSpec{vicreg(1)}}}); err == nil {
		t.Error("E4 without SimCLR/BarlowTwins: no error")
	}
}
