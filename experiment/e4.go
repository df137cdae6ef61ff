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

// HolmAlpha is the family-wise error rate of E4's tests.
const HolmAlpha = 0.05

// E4Rules states how E4 turns E3's (and E5's) numbers into verdicts; it is
// printed in the report before any result.
const E4Rules = `Fixed before any result. Unit of replication: a replicate of E3 (its own stratified 80/20 split,
graph built from that split's training labels, graph and augmentation randomness, optimiser restarts and
labelled subset). A comparison cell is one graph, one labelled-set size and one pair of methods (a, b);
its per-replicate differences d_s = acc_a,s - acc_b,s (primary probe) give a mean, a 95% Student-t
interval and a two-sided paired t-test p-value. A claim whose side is a set of methods ("SimCLR or
high-gamma VICReg") is tested on every pair of the two sets, with no selection of the better method.
The cells of one claim in one regime form one family; the Holm step-down procedure at family-wise error
0.05 decides which cells differ: a rejected cell is a win when its mean difference favours the claim and
a loss otherwise; every other cell is a tie. Cells are excluded (shown with the reason) when a method's
optimum did not converge in some replicate, when the feature-regime graph is degenerate (more components
than K, so the optimum is decided by tie-breaking) or uninformative (test rows without edges, or the
views graph, chance by construction), and for the oracle graph. Alignment classes come from the label
energy (fraction of the centred labels in the bottom K-dim Laplacian eigenspace of G on the training rows):
aligned >= 0.8, misaligned < 0.6, partially aligned in between (judged by no claim). "Low data" means at
most 5 labels per class; "small gamma" is the smallest gamma of E3, "high gamma" the largest.
SUPPORTED: no loss, at least 2 wins and wins in at least half of the included cells (one significant cell
is not enough). CONTRADICTED: the same with wins and losses swapped. MIXED: at least one win and one
loss. INCONCLUSIVE: anything else (too few significant cells to say). UNTESTED: no included cell.`

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
	// Excluded counts the cells of the scope left out (Detail says why).
	Excluded int `json:"excluded"`
	// MeanA and MeanB average the accuracies over the included cells.
	MeanA   Num    `json:"mean_a"`
	MeanB   Num    `json:"mean_b"`
	Verdict string `json:"verdict"`
	// Meaning is one plain sentence on what the verdict says.
	Meaning string `json:"meaning"`
	// Evidence names the report section holding the cells.
	Evidence string `json:"evidence"`
	// Detail lists every cell: graph, labels, a, b, difference, interval,
	// Holm-adjusted p-value and outcome, or the exclusion.
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
}

// comparison is one cell of a claim before the Holm procedure.
type comparison struct {
	label      string
	a, b       []Num
	meanA      float64
	meanB      float64
	d, lo, hi  float64
	p          float64
	excluded   string
	positiveOK bool // a larger is what the claim says
}

// E4 evaluates the paper's guidance, in both versions of its abstract, and
// the downstream consequences of THEORY §5, from the measurements of E3,
// and the local/global claim from E5 when r5 is not nil (see E4Rules). It
// never hard-codes an outcome.
func E4(r *E3Result, r5 *E5Result) (*E4Result, error) {
	var vic []MethodSpec
	names := map[string]bool{}
	for _, m := range r.Config.Methods {
		names[m.Name] = true
		if m.Loss == closedform.VICReg {
			vic = append(vic, m)
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
		{name: "low data + aligned G: SimCLR and high-gamma VICReg each beat small-gamma VICReg and BarlowTwins", source: "NeurIPS camera-ready abstract", a: []string{"SimCLR", high}, b: []string{small, "BarlowTwins"}, aligned: true, lowData: true},
		{name: "misaligned G: BarlowTwins and small-gamma VICReg each beat SimCLR and high-gamma VICReg", source: "NeurIPS camera-ready abstract", a: []string{"BarlowTwins", small}, b: []string{"SimCLR", high}},
		{name: "low data + aligned G: high-gamma VICReg beats small-gamma VICReg", source: "THEORY §5", a: []string{high}, b: []string{small}, aligned: true, lowData: true},
	}
	if names["Supervised"] {
		claims = append(claims, claim{name: "aligned G, low data: every SSL method beats the supervised probe on X", source: "THEORY §5", a: nil, b: []string{"Supervised"}, aligned: true, lowData: true})
	}
	res := &E4Result{Rules: E4Rules}
	for _, regime := range r.Config.Regimes {
		for _, cl := range claims {
			res.Verdicts = append(res.Verdicts, judge(r, cl, regime))
		}
	}
	if r5 != nil {
		res.Verdicts = append(res.Verdicts, judgeLocalGlobal(r5))
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
	v := Verdict{Claim: cl.name, Source: cl.source, Regime: regime, A: strings.Join(cl.a, ", "), B: strings.Join(cl.b, ", "), Evidence: "e3-" + regime}
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
	want := ClassMisaligned
	if cl.aligned {
		want = ClassAligned
	}
	var comps []comparison
	for _, g := range r.Graphs {
		if g.Regime != regime || g.Class != want {
			continue
		}
		for _, lpc := range r.Config.LabelsPerClass {
			if cl.lowData && (lpc == 0 || lpc > LowDataLabels) {
				continue
			}
			for _, an := range a {
				for _, bn := range cl.b {
					ca, cb := r.Cell(g.Spec.Name, regime, an), r.Cell(g.Spec.Name, regime, bn)
					if ca == nil || cb == nil {
						continue
					}
					c := comparison{label: fmt.Sprintf("%s, %s labels: %s vs %s", g.Spec.Name, labelsName(lpc), an, bn)}
					switch {
					case ca.Excluded != "":
						c.excluded = an + ": " + ca.Excluded
					case cb.Excluded != "":
						c.excluded = bn + ": " + cb.Excluded
					}
					aa, ab := ca.accAt(lpc), cb.accAt(lpc)
					if c.excluded == "" && (aa == nil || ab == nil) {
						c.excluded = "no accuracy at this labelled-set size"
					}
					if c.excluded == "" {
						c.a, c.b = aa.PerSeed, ab.PerSeed
						c.meanA, c.meanB = float64(aa.Mean), float64(ab.Mean)
					}
					comps = append(comps, c)
				}
			}
		}
	}
	decide(&v, comps)
	return v
}

// decide runs the paired tests and the Holm procedure on comps and sets the
// counts, means, detail lines and verdict of v.
func decide(v *Verdict, comps []comparison) {
	var in []int
	for i := range comps {
		c := &comps[i]
		if c.excluded != "" {
			v.Excluded++
			continue
		}
		c.d, c.lo, c.hi, c.p = pairedTest(c.a, c.b)
		in = append(in, i)
	}
	ps := make([]float64, len(in))
	for k, i := range in {
		ps[k] = comps[i].p
	}
	adj, reject := holm(ps, HolmAlpha)
	var sumA, sumB float64
	for k, i := range in {
		c := comps[i]
		out := "tie"
		switch {
		case reject[k] && c.d > 0:
			out = "win"
			v.Wins++
		case reject[k] && c.d < 0:
			out = "loss"
			v.Losses++
		default:
			v.Ties++
		}
		v.Cells++
		sumA += c.meanA
		sumB += c.meanB
		v.Detail = append(v.Detail, fmt.Sprintf("%s: %.3f vs %.3f (diff %+.3f, 95%% CI [%+.3f, %+.3f], Holm p %.3g) %s",
			c.label, c.meanA, c.meanB, c.d, c.lo, c.hi, adj[k], out))
	}
	for _, c := range comps {
		if c.excluded != "" {
			v.Detail = append(v.Detail, fmt.Sprintf("%s: excluded (%s)", c.label, c.excluded))
		}
	}
	if v.Cells > 0 {
		v.MeanA, v.MeanB = Num(sumA/float64(v.Cells)), Num(sumB/float64(v.Cells))
	} else {
		v.MeanA, v.MeanB = nan(), nan()
	}
	v.Verdict = ruleVerdict(v.Cells, v.Wins, v.Losses)
	v.Meaning = meaning(*v)
	if u := untestedMethods(comps); u != "" {
		v.Meaning += " Untested part: every cell of " + u + " was excluded."
	}
}

// untestedMethods names the methods whose own cells were excluded (the
// exclusion reason starts with the method's name) and that take part in no
// judged comparison of comps ("graph: a vs b" labels).
func untestedMethods(comps []comparison) string {
	judged, named := map[string]bool{}, map[string]bool{}
	var order []string
	for _, c := range comps {
		_, pair, ok := strings.Cut(c.label, ": ")
		if !ok {
			continue
		}
		for _, m := range strings.Split(pair, " vs ") {
			if c.excluded == "" {
				judged[m] = true
			} else if strings.HasPrefix(c.excluded, m+": ") && !named[m] {
				named[m] = true
				order = append(order, m)
			}
		}
	}
	var out []string
	for _, m := range order {
		if !judged[m] {
			out = append(out, m)
		}
	}
	return strings.Join(out, ", ")
}

// ruleVerdict applies the rule of E4Rules.
func ruleVerdict(cells, wins, losses int) string {
	switch {
	case cells == 0:
		return "UNTESTED"
	case losses == 0 && wins >= 2 && 2*wins >= cells:
		return "SUPPORTED"
	case wins == 0 && losses >= 2 && 2*losses >= cells:
		return "CONTRADICTED"
	case wins > 0 && losses > 0:
		return "MIXED"
	}
	return "INCONCLUSIVE"
}

// meaning is the one-sentence reading of a verdict.
func meaning(v Verdict) string {
	switch v.Verdict {
	case "UNTESTED":
		return fmt.Sprintf("No usable cell in the scope (%d excluded): the data say nothing here.", v.Excluded)
	case "SUPPORTED":
		return fmt.Sprintf("%s did better in %d of %d cells and never worse (mean %.3f vs %.3f).", v.A, v.Wins, v.Cells, float64(v.MeanA), float64(v.MeanB))
	case "CONTRADICTED":
		return fmt.Sprintf("The opposite holds: %s did worse in %d of %d cells and never better (mean %.3f vs %.3f).", v.A, v.Losses, v.Cells, float64(v.MeanA), float64(v.MeanB))
	case "MIXED":
		return fmt.Sprintf("It depends on the graph or label budget: %d cells for, %d against, %d without a significant difference.", v.Wins, v.Losses, v.Ties)
	}
	return fmt.Sprintf("Not enough significant cells to decide (%d for, %d against, %d ties).", v.Wins, v.Losses, v.Ties)
}

// pairedTest returns the mean of a−b over replicates, its 95% Student-t
// interval and the two-sided p-value of the paired t-test (for zero
// variance: 0 when the mean differs from 0, 1 when it is 0).
func pairedTest(a, b []Num) (mean, lo, hi, p float64) {
	n := min(len(a), len(b))
	if n == 0 {
		return math.NaN(), math.NaN(), math.NaN(), 1
	}
	d := make([]float64, n)
	for i := range d {
		d[i] = float64(a[i]) - float64(b[i])
	}
	mean, lo, hi = meanCI(d)
	if n < 2 {
		return mean, lo, hi, 1
	}
	var ss float64
	for _, x := range d {
		ss += (x - mean) * (x - mean)
	}
	se := math.Sqrt(ss/float64(n-1)) / math.Sqrt(float64(n))
	switch {
	case se == 0 && mean == 0:
		p = 1
	case se == 0:
		p = 0
	default:
		t := math.Abs(mean / se)
		p = 2 * distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(n - 1)}.Survival(t)
	}
	return mean, lo, hi, p
}

// meanCI returns the mean of v and its 95% Student-t interval (the mean
// itself for one value).
func meanCI(v []float64) (mean, lo, hi float64) {
	n := len(v)
	if n == 0 {
		return math.NaN(), math.NaN(), math.NaN()
	}
	for _, x := range v {
		mean += x
	}
	mean /= float64(n)
	if n == 1 {
		return mean, mean, mean
	}
	var ss float64
	for _, x := range v {
		ss += (x - mean) * (x - mean)
	}
	sd := math.Sqrt(ss / float64(n-1))
	h := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(n - 1)}.Quantile(0.975) * sd / math.Sqrt(float64(n))
	return mean, mean - h, mean + h
}

// holm returns the Holm-adjusted p-values of ps and which hypotheses are
// rejected at family-wise error alpha: with p sorted ascending,
// adj_(i) = max_{j<=i} min(1, (m−j+1) p_(j)), rejected when adj <= alpha.
func holm(ps []float64, alpha float64) (adj []float64, reject []bool) {
	m := len(ps)
	idx := make([]int, m)
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(i, j int) bool { return ps[idx[i]] < ps[idx[j]] })
	adj = make([]float64, m)
	reject = make([]bool, m)
	run := 0.0
	for r, i := range idx {
		a := math.Min(1, float64(m-r)*ps[i])
		run = math.Max(run, a)
		adj[i] = run
		reject[i] = run <= alpha
	}
	return adj, reject
}
