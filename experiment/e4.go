package experiment

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/eigenssl/eigenssl/closedform"
	"gonum.org/v1/gonum/stat/distuv"
)

// LowDataLabels is the largest labelled-set size (per class) that counts as
// the low-data regime in E4.
const LowDataLabels = 5

// E4Rules states how E4 turns E3's numbers into verdicts; it is printed in
// the report.
const E4Rules = `Comparisons are paired over the seeds of E3 (same split and labelled subset):
for sides A and B the per-seed differences d_s = acc_A,s - acc_B,s give a mean and a 95% Student-t
interval. A "wins" when the interval lies above 0, "loses" when it lies below 0, and ties otherwise.
When a side is a set of methods ("SimCLR or high-gamma VICReg") the method of the set with the higher
mean accuracy in that cell represents it. A graph is aligned when the adjusted Rand index between its
connected components and the classes is at least 0.95, misaligned otherwise; "low data" means at most
5 labels per class. A claim is SUPPORTED in a regime when A wins in at least half of the cells of its
scope and loses in none; CONTRADICTED when A loses in at least half of the cells and wins in none;
NO DIFFERENCE when every cell is a tie; MIXED otherwise; UNTESTED when its scope is empty. "Small gamma" is the smallest gamma of E3, "high gamma" the largest.`

// Verdict is E4's judgement of one claim in one regime.
type Verdict struct {
	Claim  string `json:"claim"`
	Source string `json:"source"`
	Regime string `json:"regime"`
	// A and B name the compared sides; A is the side the claim prefers.
	A      string `json:"a"`
	B      string `json:"b"`
	Scope  string `json:"scope"`
	Cells  int    `json:"cells"`
	Wins   int    `json:"wins"`
	Ties   int    `json:"ties"`
	Losses int    `json:"losses"`
	// MeanA and MeanB average the accuracies over the cells of the scope.
	MeanA   Num    `json:"mean_a"`
	MeanB   Num    `json:"mean_b"`
	Verdict string `json:"verdict"`
	// Detail lists every cell: graph, labels, mean A, mean B, outcome.
	Detail []string `json:"detail"`
}

// E4Result holds the verdicts of E4.
type E4Result struct {
	Rules    string    `json:"rules"`
	Verdicts []Verdict `json:"verdicts"`
}

// claim describes one statement tested by E4.
type claim struct {
	name, source string
	a, b         []string // method names of each side
	aligned      bool     // scope: aligned graphs (else misaligned)
	lowData      bool     // scope: <= LowDataLabels labels per class
	allLabels    bool     // scope: all labels only
}

// E4 evaluates the paper's guidance, in both versions of its abstract, and
// the downstream consequences of THEORY §5, from the measurements of E3 (see
// E4Rules). It never hard-codes an outcome.
func E4(r *E3Result) (*E4Result, error) {
	var gammas []float64
	var vic []MethodSpec
	names := map[string]bool{}
	for _, m := range r.Config.Methods {
		names[m.Name] = true
		if m.Loss == closedform.VICReg {
			vic = append(vic, m)
			gammas = append(gammas, m.Gamma)
		}
	}
	if len(vic) < 2 || !names["SimCLR"] || !names["BarlowTwins"] {
		return nil, errorf("e4", "methods", len(r.Config.Methods), fmt.Errorf("%w: E4 needs at least two VICReg gammas, SimCLR and BarlowTwins", ErrParam))
	}
	sort.Slice(vic, func(i, j int) bool { return vic[i].Gamma < vic[j].Gamma })
	small, high := vic[0].Name, vic[len(vic)-1].Name
	claims := []claim{
		{name: "misaligned G: small-gamma VICReg beats SimCLR", source: "arXiv v1-v3 abstract", a: []string{small}, b: []string{"SimCLR"}},
		{name: "misaligned G: small-gamma VICReg beats BarlowTwins", source: "arXiv v1-v3 abstract", a: []string{small}, b: []string{"BarlowTwins"}},
		{name: "low data + aligned G: SimCLR or high-gamma VICReg beat small-gamma VICReg and BarlowTwins", source: "NeurIPS camera-ready abstract", a: []string{"SimCLR", high}, b: []string{small, "BarlowTwins"}, aligned: true, lowData: true},
		{name: "misaligned G: BarlowTwins or small-gamma VICReg beat SimCLR and high-gamma VICReg", source: "NeurIPS camera-ready abstract", a: []string{"BarlowTwins", small}, b: []string{"SimCLR", high}},
		{name: "low data + aligned G: high-gamma VICReg beats small-gamma VICReg", source: "THEORY §5", a: []string{high}, b: []string{small}, aligned: true, lowData: true},
	}
	if names["Supervised"] {
		claims = append(claims, claim{name: "aligned G, low data: every SSL method beats the supervised probe on X", source: "THEORY §5", a: nil, b: []string{"Supervised"}, aligned: true, lowData: true})
	}
	res := &E4Result{Rules: E4Rules}
	for _, regime := range r.Config.Regimes {
		for _, cl := range claims {
			v := judge(r, cl, regime)
			res.Verdicts = append(res.Verdicts, v)
		}
	}
	return res, nil
}

func judge(r *E3Result, cl claim, regime string) Verdict {
	a := cl.a
	if a == nil { // every SSL method, each compared on its own
		for _, m := range r.Config.Methods {
			if m.Loss != Supervised {
				a = append(a, m.Name)
			}
		}
	}
	v := Verdict{Claim: cl.name, Source: cl.source, Regime: regime, A: strings.Join(cl.a, " or "), B: strings.Join(cl.b, " or ")}
	if cl.a == nil {
		v.A = "each SSL method"
	}
	switch {
	case cl.aligned && cl.lowData:
		v.Scope = fmt.Sprintf("aligned graphs, <= %d labels per class", LowDataLabels)
	case cl.aligned:
		v.Scope = "aligned graphs"
	default:
		v.Scope = "misaligned graphs, every labelled-set size"
	}
	var sumA, sumB float64
	for _, g := range r.Graphs {
		if g.Regime != regime || g.Aligned != cl.aligned {
			continue
		}
		for _, lpc := range r.Config.LabelsPerClass {
			if cl.lowData && (lpc == 0 || lpc > LowDataLabels) {
				continue
			}
			sides := [][]string{a, cl.b}
			if cl.a == nil {
				sides = nil
				for _, m := range a {
					sides = append(sides, []string{m})
				}
			}
			bAcc, bName := best(r, g.Spec.Name, regime, cl.b, lpc)
			if bAcc == nil {
				continue
			}
			for _, side := range sidesA(cl, sides) {
				aAcc, aName := best(r, g.Spec.Name, regime, side, lpc)
				if aAcc == nil {
					continue
				}
				d, lo, hi := pairedDiff(aAcc.PerSeed, bAcc.PerSeed)
				out := "tie"
				switch {
				case lo > 0:
					out = "win"
					v.Wins++
				case hi < 0:
					out = "loss"
					v.Losses++
				default:
					v.Ties++
				}
				v.Cells++
				sumA += float64(aAcc.Mean)
				sumB += float64(bAcc.Mean)
				v.Detail = append(v.Detail, fmt.Sprintf("%s, %s labels: %s %.3f vs %s %.3f (diff %+.3f, CI [%+.3f, %+.3f]) %s",
					g.Spec.Name, labelsName(lpc), aName, float64(aAcc.Mean), bName, float64(bAcc.Mean), d, lo, hi, out))
			}
		}
	}
	if v.Cells > 0 {
		v.MeanA, v.MeanB = Num(sumA/float64(v.Cells)), Num(sumB/float64(v.Cells))
	} else {
		v.MeanA, v.MeanB = nan(), nan()
	}
	switch {
	case v.Cells == 0:
		v.Verdict = "UNTESTED"
	case v.Losses == 0 && 2*v.Wins >= v.Cells:
		v.Verdict = "SUPPORTED"
	case v.Wins == 0 && 2*v.Losses >= v.Cells:
		v.Verdict = "CONTRADICTED"
	case v.Wins == 0 && v.Losses == 0:
		v.Verdict = "NO DIFFERENCE"
	default:
		v.Verdict = "MIXED"
	}
	return v
}

// sidesA returns the A sides of a claim: one combined side, or every method
// separately for the claim about each SSL method.
func sidesA(cl claim, sides [][]string) [][]string {
	if cl.a == nil {
		return sides
	}
	return sides[:1]
}

// best returns the accuracy of the method of names with the highest mean in
// the cell (graph, regime, lpc).
func best(r *E3Result, graph, regime string, names []string, lpc int) (*Acc, string) {
	var out *Acc
	var name string
	for _, n := range names {
		c := r.Cell(graph, regime, n)
		if c == nil {
			continue
		}
		a := c.accAt(lpc)
		if a == nil || len(a.PerSeed) == 0 {
			continue
		}
		if out == nil || a.Mean > out.Mean {
			out, name = a, n
		}
	}
	return out, name
}

// pairedDiff returns the mean of a−b over seeds and its 95% Student-t
// interval (the interval is the mean itself for one seed).
func pairedDiff(a, b []Num) (mean, lo, hi float64) {
	n := min(len(a), len(b))
	if n == 0 {
		return math.NaN(), math.NaN(), math.NaN()
	}
	d := make([]float64, n)
	for i := range d {
		d[i] = float64(a[i]) - float64(b[i])
		mean += d[i]
	}
	mean /= float64(n)
	if n == 1 {
		return mean, mean, mean
	}
	var ss float64
	for _, x := range d {
		ss += (x - mean) * (x - mean)
	}
	sd := math.Sqrt(ss / float64(n-1))
	t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(n - 1)}.Quantile(0.975)
	h := t * sd / math.Sqrt(float64(n))
	// Identical results on every seed are a tie only when exactly equal.
	return mean, mean - h, mean + h
}
