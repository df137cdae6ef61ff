package experiment

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/eigenssl/eigenssl/closedform"
	"github.com/eigenssl/eigenssl/eval"
	"github.com/eigenssl/eigenssl/graph"
	"github.com/eigenssl/eigenssl/linalg"
	"gonum.org/v1/gonum/mat"
)

// ProbeGradTol is the stopping tolerance of the experiments' logistic
// probes (eval.LogisticProbe.GradTol). At eval's default, 1e-8, the fit
// ends within about 2e-5 of the optimum at a point that depends on the
// BLAS's rounding, and a test sample near the boundary could change class
// between builds (one Holm-tested cell of the demo went from a win to a tie
// when the pure-Go Dgemm changed); at 1e-10 the coefficients agree with a
// converged scikit-learn fit to about 1e-6.
const ProbeGradTol = 1e-10

// E3Config configures experiment E3 (alignment of G with the labels).
type E3Config struct {
	Dataset string `json:"dataset"`
	// N is the number of samples of the linear regime (0: all) and
	// FeatureN that of the feature regime, whose dense N x N
	// eigenproblems cost O(N³).
	N        int    `json:"n"`
	FeatureN int    `json:"feature_n"`
	Seed     uint64 `json:"seed"`
	// K is the representation dimension.
	K       int          `json:"k"`
	Graphs  []GraphSpec  `json:"graphs"`
	Methods []MethodSpec `json:"methods"`
	Regimes []string     `json:"regimes"`
	// LabelsPerClass lists the labelled-set sizes; 0 means every training
	// label.
	LabelsPerClass []int `json:"labels_per_class"`
	// Seeds is the number of replicates of every cell. Replicate s uses
	// seed Seed+s for everything random: its stratified 80/20 split, the
	// label-derived graph built from that split's training labels, the
	// graph's own randomness (rewiring, sub-classes, partitions,
	// augmented views), the optimiser's random restarts and the probe's
	// labelled subsets. Intervals over replicates therefore include the
	// graph, augmentation and training variability, not only the probe's.
	Seeds int `json:"seeds"`
	// Probe is the primary probe, "logistic" (default), "ridge" or "knn",
	// fitted on Z with one global scale (eval.GlobalScale), which keeps
	// the relative scale of Z's directions. The ridge probe on
	// column-standardised Z and the 5-NN probe are reported as secondary.
	Probe string `json:"probe"`
	// Refine minimises SimCLR and BarlowTwins (no exact closed form); a
	// zero MaxIter keeps their characterisation (not converged, excluded).
	Refine RefinePlan `json:"refine"`
}

// Acc is the probe accuracy of one cell at one labelled-set size.
type Acc struct {
	Labels  int   `json:"labels_per_class"`
	Mean    Num   `json:"mean"`
	Low     Num   `json:"ci_low"`
	High    Num   `json:"ci_high"`
	PerSeed []Num `json:"per_seed"`
	// Skipped says why there is no value (too few samples per class).
	Skipped string `json:"skipped,omitempty"`
}

// E3Cell is the downstream accuracy of one method on one graph and regime.
type E3Cell struct {
	Graph  string  `json:"graph"`
	Regime string  `json:"regime"`
	Method string  `json:"method"`
	Loss   string  `json:"loss"`
	Gamma  float64 `json:"gamma,omitempty"`
	// Exact: closed-form optimum; Refined: minimised numerically (Fits).
	Exact   bool `json:"exact"`
	Refined bool `json:"refined"`
	// Rank is the rank of the centred representation of replicate 0.
	Rank int `json:"rank"`
	// Fits describes the optimum of every computed replicate; Converged
	// is true when every one is usable (exact, converged or a limit point).
	// Replicates are computed in waves of replicateWave; once a wave holds
	// an unusable optimum the cell is excluded whatever the others do, and
	// NotRun counts the replicates left uncomputed (their accuracies are
	// absent, the cell's are over the computed ones).
	Fits      []Fit `json:"fits,omitempty"`
	Converged bool  `json:"converged"`
	NotRun    int   `json:"replicates_not_run,omitempty"`
	// Acc is the primary probe (E3Config.Probe, global scale); AccRidge the
	// ridge probe on column-standardised Z; AccKNN the 5-NN probe.
	Acc      []Acc `json:"acc"`
	AccRidge []Acc `json:"acc_ridge"`
	AccKNN   []Acc `json:"acc_knn"`
	// Excluded says why the cell is left out of the verdicts ("" when
	// it is judged): a non-converged optimum, a degenerate or
	// uninformative graph for the regime, an oracle graph.
	Excluded string `json:"excluded,omitempty"`
	Seconds  Num    `json:"seconds"`
}

// Alignment classes of a graph (GraphInfo.Class).
const (
	ClassAligned    = "aligned"
	ClassPartial    = "partial"
	ClassMisaligned = "misaligned"
	ClassOracle     = "oracle"
)

// AlignedEnergy and MisalignedEnergy are the label-energy thresholds of
// the alignment classes, fixed before any result: a graph is aligned when at
// least 80% of the centred label signal lies in the bottom K-dimensional
// eigenspace of its Laplacian on the training rows (the space the K-dim
// optima of the losses are built from), misaligned below 60%, partially
// aligned in between (shown, judged by no claim).
const (
	AlignedEnergy    = 0.8
	MisalignedEnergy = 0.6
)

// GraphInfo describes a relation graph as built for one regime.
type GraphInfo struct {
	Spec   GraphSpec      `json:"spec"`
	Regime string         `json:"regime"`
	N      int            `json:"n"`
	Align  eval.Alignment `json:"alignment"`
	// Class is aligned, partial, misaligned (from Align.LabelEnergy) or
	// oracle (Spec.Oracle).
	Class string `json:"class"`
	// Aligned is Class == ClassAligned.
	Aligned bool `json:"aligned"`
	// Components is the largest number of connected components over the
	// replicates; IsolatedTest the largest number of test rows without
	// an edge.
	Components   int `json:"components"`
	IsolatedTest int `json:"isolated_test"`
	// Excluded says why every cell of this graph in this regime is left
	// out of the verdicts ("" when judged).
	Excluded string `json:"excluded,omitempty"`
}

// E3Result holds every cell of E3.
type E3Result struct {
	Config  E3Config    `json:"config"`
	Classes int         `json:"classes"`
	Graphs  []GraphInfo `json:"graphs"`
	Cells   []E3Cell    `json:"cells"`
	Figures []*Figure   `json:"figures"`
}

// Cell returns the cell of (graph, regime, method) or nil.
func (r *E3Result) Cell(graph, regime, method string) *E3Cell {
	for i := range r.Cells {
		c := &r.Cells[i]
		if c.Graph == graph && c.Regime == regime && c.Method == method {
			return c
		}
	}
	return nil
}

// GraphInfo returns the description of graph in regime or nil.
func (r *E3Result) GraphInfo(graph, regime string) *GraphInfo {
	for i := range r.Graphs {
		if r.Graphs[i].Spec.Name == graph && r.Graphs[i].Regime == regime {
			return &r.Graphs[i]
		}
	}
	return nil
}

// replicate is one replicate of a graph: the split and the graph built from
// its training labels.
type replicate struct {
	seed        uint64
	train, test []int
	g           *builtGraph
}

// replicates draws the split of every replicate of cfg on ds (graphs built
// later by buildReplicates).
func replicates(ds *prepared, cfg E3Config) ([]*replicate, error) {
	out := make([]*replicate, cfg.Seeds)
	for s := range out {
		seed := cfg.Seed + uint64(s)
		train, test, err := eval.StratifiedSplit(ds.Y, 0.8, seed)
		if err != nil {
			return nil, errorf("e3", "split", seed, err)
		}
		out[s] = &replicate{seed: seed, train: train, test: test}
	}
	return out, nil
}

// graph builds spec's relation graph for replicate r: label-derived graphs
// read only the labels of r's training rows.
func (r *replicate) graph(ds *prepared, spec GraphSpec, energyDim int) (*builtGraph, error) {
	return buildGraph(ds, spec, knownLabels(ds.Y, r.train), r.seed, energyDim)
}

// knownLabels returns y on the rows of train and −1 elsewhere.
func knownLabels(y []int, train []int) []int {
	k := make([]int, len(y))
	for i := range k {
		k[i] = -1
	}
	for _, i := range train {
		k[i] = y[i]
	}
	return k
}

// E3 measures the downstream probe accuracy of every method on every
// relation graph, from aligned (the label graph of the training rows)
// through partially aligned (rewired label graphs, kNN) to misaligned
// (components finer, coarser or crossing the classes, augmentation
// graphs), for each labelled-set size and regime, over Seeds replicates
// (see E3Config.Seeds). Label-derived graphs read only the training labels
// of their replicate's split, and the probes are scored on its test rows
// only. Methods with an exact closed form use it; SimCLR and BarlowTwins
// are minimised to the tolerance of cfg.Refine with restarts. Each cell is
// cached in c.
func E3(ctx context.Context, cfg E3Config, c *Cache, figDir string) (*E3Result, error) {
	if cfg.K < 1 || cfg.Seeds < 1 || len(cfg.Graphs) == 0 || len(cfg.Methods) == 0 {
		return nil, errorf("e3", "config", fmt.Sprintf("K=%d seeds=%d graphs=%d methods=%d", cfg.K, cfg.Seeds, len(cfg.Graphs), len(cfg.Methods)), ErrParam)
	}
	if cfg.Probe == "" {
		cfg.Probe = "logistic"
	}
	if !slices.Contains(eval.Probes, cfg.Probe) {
		return nil, errorf("e3", "probe", cfg.Probe, ErrUnknown)
	}
	res := &E3Result{Config: cfg}
	for _, regime := range cfg.Regimes {
		n := cfg.N
		if regime == closedform.Feature {
			n = cfg.FeatureN
		}
		ds, err := loadDataset(cfg.Dataset, n, cfg.Seed)
		if err != nil {
			return nil, err
		}
		res.Classes = ds.Classes
		reps, err := replicates(ds, cfg)
		if err != nil {
			return nil, err
		}
		for _, gs := range cfg.Graphs {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			var built []*builtGraph
			getGraphs := func() ([]*builtGraph, error) {
				if built != nil {
					return built, nil
				}
				out := make([]*builtGraph, len(reps))
				errs := make([]error, len(reps))
				linalg.ParallelRange(len(reps), 1, func(lo, hi int) {
					for s := lo; s < hi; s++ {
						dim := 0
						if s == 0 {
							dim = cfg.K
						}
						out[s], errs[s] = reps[s].graph(ds, gs, dim)
					}
				})
				if err := errors.Join(errs...); err != nil {
					return nil, err
				}
				built = out
				return out, nil
			}
			gkey := struct {
				Dataset string
				N       int
				Seed    uint64
				Seeds   int
				K       int
				Spec    GraphSpec
			}{cfg.Dataset, n, cfg.Seed, cfg.Seeds, cfg.K, gs}
			info, err := cell(c, "e3-graph", gkey, func() (GraphInfo, error) {
				bs, err := getGraphs()
				if err != nil {
					return GraphInfo{}, err
				}
				info := GraphInfo{Spec: gs, N: ds.Len(), Align: bs[0].Align}
				for s, b := range bs {
					_, comp := graph.Components(b.G)
					info.Components = max(info.Components, comp)
					iso := 0
					for _, i := range reps[s].test {
						if b.G.RowPtr[i+1] == b.G.RowPtr[i] {
							iso++
						}
					}
					info.IsolatedTest = max(info.IsolatedTest, iso)
				}
				return info, nil
			})
			if err != nil {
				return nil, err
			}
			info.Regime = regime
			classify(&info, cfg.K)
			res.Graphs = append(res.Graphs, info)
			for _, m := range cfg.Methods {
				key := struct {
					Graph  any
					Regime string
					Method MethodSpec
					K      int
					Refine RefinePlan
					Labels []int
					Probe  string
				}{gkey, regime, m, cfg.K, cfg.Refine, cfg.LabelsPerClass, cfg.Probe}
				if m.Loss == Supervised {
					// The supervised probe does not depend on G or K: one
					// cell per data set and regime.
					key.Graph, key.K, key.Refine = struct {
						Dataset string
						N       int
						Seed    uint64
						Seeds   int
					}{cfg.Dataset, n, cfg.Seed, cfg.Seeds}, 0, RefinePlan{}
				}
				if info.Excluded != "" && !gs.Oracle && m.Loss != Supervised {
					// Judged by no claim and, in the feature regime, not
					// meaningful (isolated test rows, tied eigenspaces):
					// not computed.
					res.Cells = append(res.Cells, E3Cell{Graph: gs.Name, Regime: regime, Method: m.Name, Loss: m.Loss, Gamma: m.Gamma, Excluded: info.Excluded})
					continue
				}
				cl, err := cell(c, "e3", key, func() (E3Cell, error) {
					t0 := time.Now()
					cl, err := e3Cell(ds, reps, getGraphs, regime, m, cfg)
					cl.Seconds = Num(time.Since(t0).Seconds())
					slog.Debug("e3 cell", "regime", regime, "graph", gs.Name, "method", m.Name, "seconds", time.Since(t0).Seconds())
					return cl, err
				})
				if err != nil {
					return nil, err
				}
				cl.Graph = gs.Name
				cl.Excluded = ""
				switch {
				case m.Loss == Supervised:
				case info.Excluded != "":
					cl.Excluded = info.Excluded
				case !cl.Converged:
					cl.Excluded = "optimum not converged or not identifiable: " + notConverged(cl.Fits)
					if cl.NotRun > 0 {
						cl.Excluded += fmt.Sprintf("; the other %d replicates were not computed (one unusable optimum excludes the cell)", cl.NotRun)
					}
				}
				res.Cells = append(res.Cells, cl)
			}
		}
	}
	if figDir != "" {
		figs, err := e3Figures(res, figDir)
		if err != nil {
			return nil, err
		}
		res.Figures = figs
	}
	return res, nil
}

// classify sets the alignment class of a graph and, for the feature regime,
// the reasons that exclude it from the verdicts.
func classify(info *GraphInfo, k int) {
	e := info.Align.LabelEnergy
	switch {
	case info.Spec.Oracle:
		info.Class = ClassOracle
		info.Excluded = "oracle graph built from every label, test rows included (reference only)"
	case e >= AlignedEnergy:
		info.Class = ClassAligned
	case e < MisalignedEnergy:
		info.Class = ClassMisaligned
	default:
		info.Class = ClassPartial
	}
	info.Aligned = info.Class == ClassAligned
	if info.Regime != closedform.Feature || info.Excluded != "" {
		return
	}
	switch {
	case info.Spec.Kind == "augment":
		info.Excluded = fmt.Sprintf("chance by construction: in the feature regime Z is free and the views graph links only the views of one sample (%d components > K = %d)", info.Components, k)
	case info.Spec.LabelDerived():
		info.Excluded = fmt.Sprintf("test rows have no edge through a label (label-derived graph of the training rows; %d test rows have no edge at all), so the free Z of the feature regime places them without label information: chance by construction", info.IsolatedTest)
	case info.IsolatedTest > 0:
		info.Excluded = fmt.Sprintf("%d test rows have no edge (labels of test rows are not used), so the free Z of the feature regime says nothing about them (%d components > K = %d)", info.IsolatedTest, info.Components, k)
	case info.Components > k:
		info.Excluded = fmt.Sprintf("degenerate: %d components > K = %d, the optimum picks K directions of a tied eigenspace by tie-breaking", info.Components, k)
	}
}

// notConverged summarises the non-converged replicates of fits.
func notConverged(fits []Fit) string {
	var bad []string
	for s, f := range fits {
		if f.Status == StatusNotIdentifiable {
			bad = append(bad, fmt.Sprintf("replicate %d not identifiable: %s", s, f.Note))
			continue
		}
		if !f.usable() {
			bad = append(bad, fmt.Sprintf("replicate %d %s after %d iterations, scaled gradient %.2g, loss %.6g", s, f.Status, f.Iterations, float64(f.GradNorm), float64(f.Loss)))
		}
	}
	return fmt.Sprintf("%d of %d replicates (%s)", len(bad), len(fits), joinMax(bad, 2))
}

// joinMax joins the first n strings of s with "; " and counts the rest.
func joinMax(s []string, n int) string {
	if len(s) <= n {
		return strings.Join(s, "; ")
	}
	return fmt.Sprintf("%s; and %d more", strings.Join(s[:n], "; "), len(s)-n)
}

// replicateWave is the number of replicates of a cell computed
// concurrently before their fits are looked at: once a wave holds an
// unusable optimum (not converged, stalled, not identifiable), the cell is
// excluded from every verdict whatever the other replicates do, and they
// are not computed (linear SimCLR's unconverged replicates spend the whole
// iteration budget of every start). A constant, not the number of cores,
// so that a cell's content does not depend on the machine.
const replicateWave = 2

// e3Cell computes one cell over its replicates, wave by wave (see
// replicateWave).
func e3Cell(ds *prepared, reps []*replicate, getGraphs func() ([]*builtGraph, error), regime string, m MethodSpec, cfg E3Config) (E3Cell, error) {
	cl := E3Cell{Regime: regime, Method: m.Name, Loss: m.Loss, Gamma: m.Gamma, Converged: true}
	var bs []*builtGraph
	if m.Loss != Supervised {
		var err error
		if bs, err = getGraphs(); err != nil {
			return cl, err
		}
	}
	type out struct {
		z    *mat.Dense
		e    *embedding
		accs [3][]float64
		skip []string
	}
	outs := make([]out, len(reps))
	errs := make([]error, len(reps))
	one := func(s int) {
		r := reps[s]
		o := &outs[s]
		o.z = ds.X
		if m.Loss != Supervised {
			e, err := embed(bs[s], m, regime, cfg.K, cfg.Refine, r.seed)
			if err != nil {
				errs[s] = err
				return
			}
			o.z, o.e = e.Z, e
		}
		for _, lpc := range cfg.LabelsPerClass {
			skip := ""
			for pi, p := range []eval.Protocol{
				{Probe: cfg.Probe, Scale: eval.GlobalScale, GradTol: ProbeGradTol},
				{Probe: "ridge", Scale: eval.ColumnScale},
				{Probe: "knn", K: 5},
			} {
				p.TrainIdx, p.TestIdx, p.LabelsPerClass, p.Seeds, p.Seed = r.train, r.test, lpc, 1, r.seed
				res, err := eval.Evaluate(o.z, ds.Y, p)
				a := nan64()
				switch {
				case errors.Is(err, eval.ErrLabels):
					skip = "too few training samples per class"
				case err != nil:
					errs[s] = errorf("e3", m.Name, regime, err)
					return
				default:
					a = res.Mean
				}
				o.accs[pi] = append(o.accs[pi], a)
			}
			o.skip = append(o.skip, skip)
		}
	}
	run := len(reps)
	for w0 := 0; w0 < len(reps); w0 += replicateWave {
		w1 := min(len(reps), w0+replicateWave)
		linalg.ParallelRange(w1-w0, 1, func(lo, hi int) {
			for s := w0 + lo; s < w0+hi; s++ {
				one(s)
			}
		})
		if err := errors.Join(errs...); err != nil {
			return cl, err
		}
		if m.Loss != Supervised && slices.ContainsFunc(outs[w0:w1], func(o out) bool { return !o.e.Fit.usable() }) {
			run = w1
			break
		}
	}
	cl.NotRun = len(reps) - run
	outs = outs[:run]
	if m.Loss == Supervised {
		cl.Exact = true
		cl.Rank = numRank(ds.X, 1e-9)
	} else {
		e0 := outs[0].e
		cl.Exact, cl.Refined, cl.Rank = e0.Exact, e0.Refined, numRank(e0.Z, 1e-6)
		for _, o := range outs {
			cl.Fits = append(cl.Fits, o.e.Fit)
			if !o.e.Fit.usable() {
				cl.Converged = false
			}
		}
	}
	for li, lpc := range cfg.LabelsPerClass {
		for pi, dst := range []*[]Acc{&cl.Acc, &cl.AccRidge, &cl.AccKNN} {
			a := Acc{Labels: lpc}
			var v []float64
			for _, o := range outs {
				if o.skip[li] != "" {
					a.Skipped = o.skip[li]
				}
				v = append(v, o.accs[pi][li])
			}
			if a.Skipped != "" {
				a.Mean, a.Low, a.High = nan(), nan(), nan()
			} else {
				mean, lo, hi := meanCI(v)
				a.Mean, a.Low, a.High, a.PerSeed = Num(mean), Num(lo), Num(hi), nums(v)
			}
			*dst = append(*dst, a)
		}
	}
	return cl, nil
}

// accAt returns the accuracy of c at labelled-set size lpc or nil.
func (c *E3Cell) accAt(lpc int) *Acc {
	for i := range c.Acc {
		if c.Acc[i].Labels == lpc && c.Acc[i].Skipped == "" {
			return &c.Acc[i]
		}
	}
	return nil
}

func labelsName(lpc int) string {
	if lpc == 0 {
		return "all"
	}
	return fmt.Sprint(lpc)
}

func e3Figures(r *E3Result, dir string) ([]*Figure, error) {
	var figs []*Figure
	var methods []string
	for _, m := range r.Config.Methods {
		methods = append(methods, m.Name)
	}
	lpcs := append([]int(nil), r.Config.LabelsPerClass...)
	sort.Ints(lpcs)
	for _, regime := range r.Config.Regimes {
		var graphs []string
		for _, g := range r.Graphs {
			if g.Regime == regime {
				graphs = append(graphs, g.Spec.Name)
			}
		}
		// Bars at the smallest non-zero labelled-set size and with all labels.
		for _, lpc := range pickLabels(lpcs) {
			vals := make([][]float64, len(methods))
			for i, m := range methods {
				vals[i] = make([]float64, len(graphs))
				for j, g := range graphs {
					vals[i][j] = nan64()
					if c := r.Cell(g, regime, m); c != nil {
						if a := c.accAt(lpc); a != nil {
							vals[i][j] = float64(a.Mean)
						}
					}
				}
			}
			p, err := barPlot(fmt.Sprintf("E3 %s regime, %s labels per class", regime, labelsName(lpc)), "probe accuracy", graphs, methods, vals)
			if err != nil {
				return nil, err
			}
			name := fmt.Sprintf("e3-%s-labels-%s", regime, labelsName(lpc))
			f, err := saveFigure(p, dir, name, fmt.Sprintf("Linear-probe accuracy (mean over seeds) per relation graph, %s regime, %s labels per class.", regime, labelsName(lpc)))
			if err != nil {
				return nil, err
			}
			figs = append(figs, f)
		}
		// Accuracy against the labelled-set size on the first graph of each
		// alignment class.
		// Curves on the first and the last judged graph.
		var judged []string
		for _, g := range graphs {
			if info := r.GraphInfo(g, regime); info != nil && info.Excluded == "" {
				judged = append(judged, g)
			}
		}
		for _, g := range judged {
			info := r.GraphInfo(g, regime)
			if g != judged[0] && g != judged[len(judged)-1] {
				continue
			}
			var ss []series
			for _, m := range methods {
				c := r.Cell(g, regime, m)
				if c == nil {
					continue
				}
				s := series{Name: m}
				for _, lpc := range lpcs {
					if a := c.accAt(lpc); a != nil {
						x := float64(lpc)
						if lpc == 0 {
							// All labels: the mean training count per class.
							x = 0.8 * float64(info.N) / float64(max(1, r.Classes))
						}
						s.X = append(s.X, x)
						s.Y = append(s.Y, float64(a.Mean))
					}
				}
				ss = append(ss, s)
			}
			p, err := linePlot(fmt.Sprintf("E3 %s regime, graph %s (label energy %.2f)", regime, g, info.Align.LabelEnergy), "labelled samples per class (rightmost point: all)", "probe accuracy", true, ss, nil)
			if err != nil {
				return nil, err
			}
			p.Legend.Top = false
			f, err := saveFigure(p, dir, fmt.Sprintf("e3-%s-curve-%s", regime, g), fmt.Sprintf("Probe accuracy against the labelled-set size, graph %s, %s regime.", g, regime))
			if err != nil {
				return nil, err
			}
			figs = append(figs, f)
		}
	}
	return figs, nil
}

// pickLabels returns the smallest non-zero size and 0 (all) when present.
func pickLabels(sorted []int) []int {
	var out []int
	for _, v := range sorted {
		if v > 0 {
			out = append(out, v)
			break
		}
	}
	if len(sorted) > 0 && sorted[0] == 0 {
		out = append(out, 0)
	}
	return out
}
