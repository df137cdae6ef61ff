package experiment

import (
	"context"
	"fmt"
	"math"
	"sort"

	"github.com/eigenssl/eigenssl/advise"
	"github.com/eigenssl/eigenssl/closedform"
	"github.com/eigenssl/eigenssl/graph"
	"github.com/eigenssl/eigenssl/linalg"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"
)

// E5Config configures experiment E5 (local against global methods).
type E5Config struct {
	Dataset   string `json:"dataset"`
	N         int    `json:"n"`
	K         int    `json:"k"`
	Neighbors int    `json:"neighbors"`
	// Refine minimises SimCLR and BarlowTwins (no exact closed form).
	Refine RefinePlan `json:"refine"`
	Seed   uint64     `json:"seed"`
	// Seeds is the number of replicates: replicate s embeds the kNN graph
	// of its own class-balanced subsample (seed Seed+s).
	Seeds int `json:"seeds"`
}

// E5Row describes how one method's embedding distances follow the graph
// geodesics at short and long range.
type E5Row struct {
	Method string `json:"method"`
	// Short and Long are Spearman correlations between embedding distance
	// and geodesic distance (hops on the kNN graph) over the pairs at most
	// ShortHops apart and at least LongHops apart; All over every pair.
	Short Num `json:"spearman_short"`
	Long  Num `json:"spearman_long"`
	All   Num `json:"spearman_all"`
	// NearFar is the mean embedding distance of short-range pairs divided by
	// that of long-range pairs (small: near pairs contracted relative to
	// far ones).
	NearFar Num `json:"near_far_ratio"`
	// Profile[h-1] is the mean embedding distance of the pairs h hops apart
	// divided by the mean over all connected pairs (replicate 0).
	Profile []Num `json:"profile"`
	// ShortPerSeed and LongPerSeed hold the replicates of Short and Long
	// (Short and Long are their means); Fits the optimum of each.
	ShortPerSeed []Num `json:"spearman_short_per_seed"`
	LongPerSeed  []Num `json:"spearman_long_per_seed"`
	Fits         []Fit `json:"fits"`
	// Excluded says why the row is left out of the local/global verdict.
	Excluded string `json:"excluded,omitempty"`
}

// E5Result holds the rows of E5.
type E5Result struct {
	Config    E5Config  `json:"config"`
	ShortHops int       `json:"short_hops"`
	LongHops  int       `json:"long_hops"`
	Rows      []E5Row   `json:"rows"`
	Figures   []*Figure `json:"figures"`
}

// E5 embeds a kNN graph of the data set with every method (feature regime)
// and measures how the embedding distances follow the geodesic distances of
// G at short range (≤ 2 hops) and long range (≥ the 75th percentile): local
// methods (VICReg = Laplacian Eigenmaps) only weight near pairs, global ones
// (SimCLR ≈ MDS) all pairs. Rows use Euclidean distances, SimCLR the cosine
// distance its loss sees.
func E5(ctx context.Context, cfg E5Config, c *Cache, figDir string) (*E5Result, error) {
	if cfg.N < 10 || cfg.K < 1 || cfg.Neighbors < 1 {
		return nil, errorf("e5", "config", fmt.Sprintf("%+v", cfg), ErrParam)
	}
	if cfg.Seeds < 1 {
		cfg.Seeds = 1
	}
	var res *E5Result
	for s := range cfg.Seeds {
		one := cfg
		one.Seed, one.Seeds = cfg.Seed+uint64(s), 1
		r, err := cell(c, "e5", one, func() (*E5Result, error) { return e5Compute(ctx, one) })
		if err != nil {
			return nil, err
		}
		if res == nil {
			res = r
			res.Config = cfg
			for i := range res.Rows {
				res.Rows[i].ShortPerSeed = []Num{res.Rows[i].Short}
				res.Rows[i].LongPerSeed = []Num{res.Rows[i].Long}
			}
			continue
		}
		for i := range res.Rows {
			res.Rows[i].ShortPerSeed = append(res.Rows[i].ShortPerSeed, r.Rows[i].Short)
			res.Rows[i].LongPerSeed = append(res.Rows[i].LongPerSeed, r.Rows[i].Long)
			res.Rows[i].Fits = append(res.Rows[i].Fits, r.Rows[i].Fits...)
		}
	}
	for i := range res.Rows {
		row := &res.Rows[i]
		row.Short, row.Long = Num(meanOf(row.ShortPerSeed)), Num(meanOf(row.LongPerSeed))
		row.Excluded = ""
		for s, f := range row.Fits {
			if !f.usable() {
				row.Excluded = fmt.Sprintf("optimum %s in replicate %d (%d iterations, scaled gradient %.2g)", f.Status, s, f.Iterations, float64(f.GradNorm))
				break
			}
		}
	}
	if figDir != "" {
		var groups []string
		vals := [][]float64{nil, nil}
		for _, r := range res.Rows {
			groups = append(groups, r.Method)
			vals[0] = append(vals[0], float64(r.Short))
			vals[1] = append(vals[1], float64(r.Long))
		}
		p, err := barPlot("E5 Spearman(embedding distance, geodesic)", "correlation", groups,
			[]string{fmt.Sprintf("short range (<= %d hops)", res.ShortHops), fmt.Sprintf("long range (>= %d hops)", res.LongHops)}, vals)
		if err != nil {
			return nil, err
		}
		p.X.Tick.Label.Rotation = math.Pi / 8
		p.X.Tick.Label.XAlign = -0.8
		f, err := saveFigure(p, figDir, "e5-local-global", "Rank correlation between embedding distances and graph geodesics, at short and long range, for each method's optimum on the kNN graph.")
		if err != nil {
			return nil, err
		}
		res.Figures = []*Figure{f}
		var ss []series
		for _, r := range res.Rows {
			s := series{Name: r.Method}
			for h, v := range r.Profile {
				s.X = append(s.X, float64(h+1))
				s.Y = append(s.Y, float64(v))
			}
			ss = append(ss, s)
		}
		p, err = linePlot("E5 embedding distance against geodesic hops", "hops on G", "mean distance / overall mean", false, ss, nil)
		if err != nil {
			return nil, err
		}
		f, err = saveFigure(p, figDir, "e5-profile", "Mean embedding distance of pairs h hops apart (relative to the mean over all pairs): a local method separates near pairs and saturates, a global one keeps growing with h.")
		if err != nil {
			return nil, err
		}
		res.Figures = append(res.Figures, f)
	}
	return res, nil
}

func e5Compute(ctx context.Context, cfg E5Config) (*E5Result, error) {
	ds, err := loadDataset(cfg.Dataset, cfg.N, cfg.Seed)
	if err != nil {
		return nil, err
	}
	b, err := buildGraph(ds, GraphSpec{Name: "knn", Kind: "knn", P: float64(cfg.Neighbors)}, nil, cfg.Seed, 0)
	if err != nil {
		return nil, err
	}
	// Hop counts: geodesics on the unweighted structure.
	hop := &graph.CSR{N: b.G.N, RowPtr: b.G.RowPtr, Col: b.G.Col, Val: make([]float64, len(b.G.Val))}
	for i := range hop.Val {
		hop.Val[i] = 1
	}
	n := hop.N
	src := make([]int, n)
	for i := range src {
		src[i] = i
	}
	geo, err := graph.Geodesics(hop, src, 0)
	if err != nil {
		return nil, errorf("e5", "geodesics", nil, err)
	}
	var all []float64
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			if g := geo.At(i, j); !math.IsInf(g, 0) {
				all = append(all, g)
			}
		}
	}
	sorted := append([]float64(nil), all...)
	sort.Float64s(sorted)
	res := &E5Result{Config: cfg, ShortHops: 2, LongHops: int(sorted[len(sorted)*3/4])}
	if res.LongHops <= res.ShortHops {
		res.LongHops = res.ShortHops + 1
	}
	methods := []MethodSpec{
		{Name: "VICReg hard (LE)", Loss: closedform.VICRegHard},
		vicreg(0.1),
		{Name: "SpectralCL", Loss: closedform.SpectralContrastive},
		{Name: "BarlowTwins", Loss: closedform.BarlowTwins},
		{Name: "SimCLR", Loss: closedform.SimCLR},
	}
	for _, m := range methods {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		e, err := embed(b, m, closedform.Feature, cfg.K, cfg.Refine, cfg.Seed)
		if err != nil {
			return nil, err
		}
		z := e.Z
		if m.Loss == closedform.SimCLR {
			z = linalg.NormalizeRows(z, 0)
		}
		row := e5Row(m.Name, z, geo, res.ShortHops, res.LongHops)
		row.Fits = []Fit{e.Fit}
		res.Rows = append(res.Rows, row)
	}
	return res, nil
}

func meanOf(v []Num) float64 {
	var s float64
	for _, x := range v {
		s += float64(x)
	}
	return s / float64(len(v))
}

// LocalGlobalClaim is the claim E5 judges.
const LocalGlobalClaim = "contrastive = global, non-contrastive = local"

// judgeLocalGlobal judges "contrastive methods are global, non-contrastive
// ones local" from E5 (the rules of E4Rules): for every pair of a
// contrastive method (SimCLR, spectral contrastive) and a non-contrastive
// one (VICReg, BarlowTwins), two cells over the replicates: the contrastive
// method follows the long-range geodesics more closely (higher long-range
// Spearman correlation), and the non-contrastive one the short-range ones.
func judgeLocalGlobal(r *E5Result) Verdict {
	v := Verdict{Claim: LocalGlobalClaim, Source: "paper title and abstract", Regime: closedform.Feature,
		A: "SimCLR, SpectralCL on long range; VICReg, BarlowTwins on short range", B: "the other family",
		Scope: fmt.Sprintf("kNN graph (k=%d), Spearman correlation with geodesic hops, %d replicates", r.Config.Neighbors, r.Config.Seeds), Evidence: "e5"}
	contrastive := func(name string) bool { return name == "SimCLR" || name == "SpectralCL" }
	var comps []comparison
	for _, c := range r.Rows {
		if !contrastive(c.Method) {
			continue
		}
		for _, nc := range r.Rows {
			if contrastive(nc.Method) {
				continue
			}
			ex := ""
			switch {
			case c.Excluded != "":
				ex = c.Method + ": " + c.Excluded
			case nc.Excluded != "":
				ex = nc.Method + ": " + nc.Excluded
			}
			long := comparison{label: fmt.Sprintf("long range (>= %d hops): %s vs %s", r.LongHops, c.Method, nc.Method),
				a: c.LongPerSeed, b: nc.LongPerSeed, meanA: float64(c.Long), meanB: float64(nc.Long), excluded: ex}
			short := comparison{label: fmt.Sprintf("short range (<= %d hops): %s vs %s", r.ShortHops, nc.Method, c.Method),
				a: nc.ShortPerSeed, b: c.ShortPerSeed, meanA: float64(nc.Short), meanB: float64(c.Short), excluded: ex}
			comps = append(comps, long, short)
		}
	}
	decide(&v, comps)
	return v
}

func e5Row(name string, z *mat.Dense, geo *mat.Dense, short, long int) E5Row {
	n, _ := z.Dims()
	var sd, sg, ld, lg, ad, ag []float64
	for i := 0; i < n; i++ {
		zi := z.RawRowView(i)
		for j := i + 1; j < n; j++ {
			g := geo.At(i, j)
			if math.IsInf(g, 0) {
				continue
			}
			zj := z.RawRowView(j)
			var d float64
			for k := range zi {
				d += (zi[k] - zj[k]) * (zi[k] - zj[k])
			}
			d = math.Sqrt(d)
			ad, ag = append(ad, d), append(ag, g)
			if g <= float64(short) {
				sd, sg = append(sd, d), append(sg, g)
			}
			if g >= float64(long) {
				ld, lg = append(ld, d), append(lg, g)
			}
		}
	}
	row := E5Row{Method: name, Short: Num(spearman(sd, sg)), Long: Num(spearman(ld, lg)), All: Num(spearman(ad, ag)),
		NearFar: Num(stat.Mean(sd, nil) / stat.Mean(ld, nil))}
	mean := stat.Mean(ad, nil)
	var sum, cnt []float64
	for i, g := range ag {
		h := int(g)
		for len(sum) < h {
			sum, cnt = append(sum, 0), append(cnt, 0)
		}
		if h >= 1 {
			sum[h-1] += ad[i]
			cnt[h-1]++
		}
	}
	for h := range sum {
		v := math.NaN()
		if cnt[h] > 0 && mean > 0 {
			v = sum[h] / cnt[h] / mean
		}
		row.Profile = append(row.Profile, Num(v))
	}
	return row
}

// spearman returns the Spearman rank correlation (average ranks for ties,
// advise.Spearman), NaN for fewer than 3 pairs.
func spearman(a, b []float64) float64 {
	if len(a) < 3 {
		return math.NaN()
	}
	return advise.Spearman(a, b)
}
