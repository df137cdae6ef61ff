package experiment

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"time"

	"github.com/eigenssl/eigenssl/closedform"
	"github.com/eigenssl/eigenssl/eval"
)

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
	// label (stratified 80/20 split).
	LabelsPerClass []int `json:"labels_per_class"`
	// Seeds is the number of splits / labelled subsets per cell.
	Seeds int `json:"seeds"`
	// Probe is "ridge" or "logistic" (package eval).
	Probe string `json:"probe"`
	// RefineIter is the number of L-BFGS iterations that train the
	// methods without an exact closed form (0: characterisation only).
	RefineIter int `json:"refine_iter"`
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
	// Exact: closed-form optimum; Refined: trained by L-BFGS on the loss.
	Exact   bool  `json:"exact"`
	Refined bool  `json:"refined"`
	Rank    int   `json:"rank"`
	Acc     []Acc `json:"acc"`
}

// GraphInfo describes a relation graph as built for one regime.
type GraphInfo struct {
	Spec   GraphSpec      `json:"spec"`
	Regime string         `json:"regime"`
	N      int            `json:"n"`
	Align  eval.Alignment `json:"alignment"`
	// Aligned is the rule ARI(components, classes) >= AlignedARI.
	Aligned bool `json:"aligned"`
}

// AlignedARI is the adjusted Rand index between G's components and the
// classes above which a graph counts as aligned in E3/E4.
const AlignedARI = 0.95

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

// E3 measures the downstream linear-probe accuracy of every method on every
// relation graph, from aligned (the label graph) through partially aligned
// (rewired label graphs, kNN and augmentation graphs) to misaligned
// (components finer, coarser or crossing the classes), for each
// labelled-set size and regime. Methods with an exact closed form use it;
// the others (SimCLR, BarlowTwins in the linear regime) are trained from
// their best characterisation by RefineIter L-BFGS iterations on the loss.
// Each cell is cached in c.
func E3(ctx context.Context, cfg E3Config, c *Cache, figDir string) (*E3Result, error) {
	if cfg.K < 1 || cfg.Seeds < 1 || len(cfg.Graphs) == 0 || len(cfg.Methods) == 0 {
		return nil, errorf("e3", "config", fmt.Sprintf("K=%d seeds=%d graphs=%d methods=%d", cfg.K, cfg.Seeds, len(cfg.Graphs), len(cfg.Methods)), ErrParam)
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
		for _, gs := range cfg.Graphs {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			var bg *builtGraph
			getGraph := func() (*builtGraph, error) {
				if bg == nil {
					var err error
					bg, err = buildGraph(ds, gs, cfg.Seed)
					if err != nil {
						return nil, err
					}
				}
				return bg, nil
			}
			gkey := struct {
				Dataset string
				N       int
				Seed    uint64
				Spec    GraphSpec
			}{cfg.Dataset, n, cfg.Seed, gs}
			info, err := cell(c, "e3-graph", gkey, func() (GraphInfo, error) {
				b, err := getGraph()
				if err != nil {
					return GraphInfo{}, err
				}
				return GraphInfo{Spec: gs, Regime: regime, N: ds.Len(), Align: b.Align}, nil
			})
			if err != nil {
				return nil, err
			}
			info.Regime = regime
			info.Aligned = info.Align.ARI >= AlignedARI
			res.Graphs = append(res.Graphs, info)
			for _, m := range cfg.Methods {
				key := struct {
					Graph            any
					Regime           string
					Method           MethodSpec
					K, Refine, Seeds int
					Labels           []int
					Probe            string
				}{gkey, regime, m, cfg.K, cfg.RefineIter, cfg.Seeds, cfg.LabelsPerClass, cfg.Probe}
				if m.Loss == Supervised {
					// The supervised probe does not depend on G or K: one
					// cell per data set and regime.
					key.Graph, key.K, key.Refine = struct {
						Dataset string
						N       int
						Seed    uint64
					}{cfg.Dataset, n, cfg.Seed}, 0, 0
				}
				cl, err := cell(c, "e3", key, func() (E3Cell, error) {
					t0 := time.Now()
					cl, err := e3Cell(ds, getGraph, regime, m, cfg)
					slog.Debug("e3 cell", "regime", regime, "graph", gs.Name, "method", m.Name, "seconds", time.Since(t0).Seconds())
					return cl, err
				})
				if err != nil {
					return nil, err
				}
				cl.Graph = gs.Name
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

func e3Cell(ds *prepared, getGraph func() (*builtGraph, error), regime string, m MethodSpec, cfg E3Config) (E3Cell, error) {
	cl := E3Cell{Regime: regime, Method: m.Name, Loss: m.Loss, Gamma: m.Gamma}
	z := ds.X
	if m.Loss == Supervised {
		cl.Exact = true
		cl.Rank = numRank(z, 1e-9)
	} else {
		b, err := getGraph()
		if err != nil {
			return cl, err
		}
		e, err := embed(b, m, regime, cfg.K, cfg.RefineIter, cfg.Seed)
		if err != nil {
			return cl, err
		}
		z = e.Z
		cl.Exact, cl.Refined, cl.Rank = e.Exact, e.Refined, e.Rank
	}
	for _, lpc := range cfg.LabelsPerClass {
		a := Acc{Labels: lpc}
		r, err := eval.Evaluate(z, ds.Y, eval.Protocol{Probe: cfg.Probe, LabelsPerClass: lpc, Seeds: cfg.Seeds, Seed: cfg.Seed})
		switch {
		case errors.Is(err, eval.ErrLabels):
			a.Mean, a.Low, a.High = nan(), nan(), nan()
			a.Skipped = "too few training samples per class"
		case err != nil:
			return cl, errorf("e3", m.Name, regime, err)
		default:
			a.Mean, a.Low, a.High = Num(r.Mean), Num(r.Low), Num(r.High)
			a.PerSeed = nums(r.Accuracies)
		}
		cl.Acc = append(cl.Acc, a)
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
		for _, g := range graphs {
			info := r.GraphInfo(g, regime)
			if info == nil || (g != graphs[0] && g != graphs[len(graphs)-1]) {
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
			p, err := linePlot(fmt.Sprintf("E3 %s regime, graph %s (ARI %.2f)", regime, g, info.Align.ARI), "labelled samples per class (rightmost point: all)", "probe accuracy", true, ss, nil)
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
