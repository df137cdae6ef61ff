package advise

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/eigenssl/eigenssl/closedform"
	"github.com/eigenssl/eigenssl/data"
	"github.com/eigenssl/eigenssl/loss"
)

// TestValidateTiny runs a tiny E7 (one misaligned latent case, three pairs,
// short training) and checks the bookkeeping against the rows: the best
// trained pair, every regret, Spearman, the separable and concordant pair
// counts (recomputed here from the rows' seeds and predictions) and the
// summary.
func TestValidateTiny(t *testing.T) {
	c, err := LatentCase(240, true, 0.3, 5)
	if err != nil {
		t.Fatal(err)
	}
	pairs := DefaultPairs()
	pairs = []Pair{pairs[0], pairs[1], pairs[3]} // VICReg low γ, VICReg official, SimCLR 0.1
	v, err := Validate(context.Background(), ValidateSettings{Cases: []Case{c}, Pairs: pairs, Seeds: 2, Epochs: 30, Batch: 64,
		LabelsPerClass: 5, Logger: quiet, Advise: Settings{RefineIter: 20, Resamples: 5}})
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Cases) != 1 || len(v.Cases[0].Rows) != 3 {
		t.Fatalf("got %d cases", len(v.Cases))
	}
	cr := v.Cases[0]
	var pred, tr []float64
	best, bestName := math.Inf(-1), ""
	for _, r := range cr.Rows {
		m := float64(r.TrainedMean)
		if math.IsNaN(m) || m < 0 || m > 1 || r.Predicted < 0 || r.Predicted > 1 {
			t.Fatalf("row %+v out of range", r)
		}
		pred, tr = append(pred, r.Predicted), append(tr, m)
		if m > best {
			best, bestName = m, r.Candidate
		}
	}
	if cr.Best != bestName {
		t.Fatalf("best trained %s; rows say %s", cr.Best, bestName)
	}
	if got, want := float64(cr.Spearman), Spearman(pred, tr); !(got == want || math.IsNaN(got) && math.IsNaN(want)) {
		t.Fatalf("Spearman %v; want %v", got, want)
	}
	at := func(name string) float64 {
		for _, r := range cr.Rows {
			if r.Candidate == name {
				return float64(r.TrainedMean)
			}
		}
		t.Fatalf("no row %s", name)
		return 0
	}
	if got := float64(cr.AdviserRegret); got != best-at(cr.Pick) || got < 0 {
		t.Fatalf("adviser regret %v; want %v", got, best-at(cr.Pick))
	}
	if got := float64(cr.VICRegRegret); got != best-at(pairs[1].Candidate.String()) {
		t.Fatalf("VICReg policy regret %v", got)
	}
	if got := float64(cr.SimCLRRegret); got != best-at(pairs[2].Candidate.String()) {
		t.Fatalf("SimCLR policy regret %v", got)
	}
	if v.MedianAdviserRegret != cr.AdviserRegret || v.RegretGoal != (cr.AdviserRegret < cr.VICRegRegret && cr.AdviserRegret < cr.SimCLRRegret) {
		t.Fatal("summary does not follow from the single case")
	}
	sep, con := 0, 0
	for a := range cr.Rows {
		for b := a + 1; b < len(cr.Rows); b++ {
			ra, rb := cr.Rows[a].TrainedAcc, cr.Rows[b].TrainedAcc
			da, db := float64(ra[1]-ra[0]), float64(rb[1]-rb[0])
			// Two seeds: the variance of a mean is (x1 − x0)²/4.
			se := math.Sqrt(da*da/4 + db*db/4)
			diff := float64(cr.Rows[a].TrainedMean - cr.Rows[b].TrainedMean)
			if math.Abs(diff) > 2*se {
				sep++
				if (cr.Rows[a].Predicted-cr.Rows[b].Predicted)*diff > 0 {
					con++
				}
			}
		}
	}
	if sep == 0 {
		t.Fatal("no separable pair: the concordance check tests nothing")
	}
	if cr.Compared != 3 || cr.Separable != sep || cr.Concordant != con || v.Separable != sep || v.Concordant != con {
		t.Fatalf("pairs: %d compared, %d separable, %d concordant (summary %d, %d); rows give 3, %d, %d", cr.Compared, cr.Separable, cr.Concordant, v.Separable, v.Concordant, sep, con)
	}
	if !slices.ContainsFunc(pairs, func(p Pair) bool { return p.Candidate.String() == cr.Pick }) {
		t.Fatalf("pick %s is not a pair", cr.Pick)
	}
}

func TestValidateErrors(t *testing.T) {
	c, err := LatentCase(60, false, 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Validate(context.Background(), ValidateSettings{Cases: []Case{c}, LabelsPerClass: 1, Logger: quiet}); !errors.Is(err, ErrParam) {
		t.Fatalf("labels per class 1: %v", err)
	}
	if _, err := Validate(context.Background(), ValidateSettings{Cases: []Case{c}, TestFraction: 1.5, Logger: quiet}); !errors.Is(err, ErrParam) {
		t.Fatalf("test fraction 1.5: %v", err)
	}
}

// TestDefaultPairs: the two fixed policies are present with their official
// settings.
func TestDefaultPairs(t *testing.T) {
	var vic, sim bool
	for _, p := range DefaultPairs() {
		switch p.Policy {
		case "vicreg":
			vic = p.Loss == loss.NameVICRegOfficial && p.Params[loss.ParamSimCoeff] == 25 && p.Params[loss.ParamStdCoeff] == 25 &&
				p.Params[loss.ParamCovCoeff] == 1 && p.Candidate.Loss == closedform.VICReg && p.Candidate.Value == 4
		case "simclr":
			sim = p.Loss == loss.NameNTXent && p.Params[loss.ParamTau] == 0.1 && p.Candidate == Candidate{closedform.SimCLR, "tau", 0.1}
		}
		if err := p.Candidate.check("test"); err != nil {
			t.Fatal(err)
		}
	}
	if !vic || !sim {
		t.Fatalf("policies: vicreg %v, simclr %v", vic, sim)
	}
}

// TestValidationJSON: NaN figures (an undefined Spearman) are written as
// null and the file parses back.
func TestValidationJSON(t *testing.T) {
	v := &Validation{Cases: []CaseResult{{Name: "c", Spearman: data.JSONFloat(math.NaN()), Rows: []PairResult{{TrainedAcc: []data.JSONFloat{0.5, data.JSONFloat(math.NaN())}}}}},
		MinLatentSpearman: data.JSONFloat(math.Inf(1))}
	path := filepath.Join(t.TempDir(), "v.json")
	if err := v.WriteJSON(path); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var back Validation
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !math.IsNaN(float64(back.Cases[0].Spearman)) || !math.IsNaN(float64(back.Cases[0].Rows[0].TrainedAcc[1])) || back.Cases[0].Rows[0].TrainedAcc[0] != 0.5 {
		t.Fatalf("round trip: %+v", back.Cases[0])
	}
}

// TestSeparable checks the separable-pairs count of E7 on runs whose answer
// follows from the rule |Δmean| > 2·sqrt(s_a²/n_a + s_b²/n_b), and the
// concordant count: separable pairs whose predictions are ordered as the
// trained means (ties and NaN predictions are not concordant).
func TestSeparable(t *testing.T) {
	nan := math.NaN()
	for _, c := range []struct {
		name                      string
		runs                      [][]float64
		pred                      []float64
		sep, compared, concordant int
	}{
		// Means 0.5 apart, SE of the difference sqrt(2·0.01/3) ≈ 0.082.
		{"apart", [][]float64{{0.4, 0.5, 0.6}, {0.9, 1.0, 1.1}}, []float64{0.1, 0.2}, 1, 1, 1},
		{"apart, reversed prediction", [][]float64{{0.4, 0.5, 0.6}, {0.9, 1.0, 1.1}}, []float64{0.2, 0.1}, 1, 1, 0},
		{"apart, tied prediction", [][]float64{{0.4, 0.5, 0.6}, {0.9, 1.0, 1.1}}, []float64{0.2, 0.2}, 1, 1, 0},
		{"apart, NaN prediction", [][]float64{{0.4, 0.5, 0.6}, {0.9, 1.0, 1.1}}, []float64{nan, 0.2}, 1, 1, 0},
		// Means 0.1 apart, the same SE: 0.1 < 0.163; never concordant.
		{"within noise", [][]float64{{0.4, 0.5, 0.6}, {0.5, 0.6, 0.7}}, []float64{0.1, 0.2}, 0, 1, 0},
		// Equal constant runs: no difference, no spread.
		{"equal", [][]float64{{0.7, 0.7}, {0.7, 0.7}}, []float64{0.1, 0.2}, 0, 1, 0},
		// Different constant runs: separable with zero spread.
		{"constant", [][]float64{{0.7, 0.7}, {0.8, 0.8}}, []float64{0.3, 0.4}, 1, 1, 1},
		// A run with one value is not compared.
		{"short", [][]float64{{0.4, 0.5, 0.6}, {0.9}, {1.0, 1.1, 1.2}}, []float64{0.5, 0.1, 0.4}, 1, 1, 0},
	} {
		sep, cmp, con := separable(c.runs, c.pred)
		if sep != c.sep || cmp != c.compared || con != c.concordant {
			t.Errorf("%s: %d separable of %d, %d concordant; want %d of %d, %d", c.name, sep, cmp, con, c.sep, c.compared, c.concordant)
		}
	}
}
