package experiment

import (
	"fmt"
	"slices"
	"strings"
)

// Tables returns E1's table.
func (r *E1Result) Tables() []Table {
	t := Table{Title: fmt.Sprintf("E1 closed form vs spectral method vs trained encoder (N=%d, K=%d)", r.Config.N, r.Config.K),
		Note: "Angles are the largest principal angle (degrees) to the column space of the closed form (loss*, rank*); loss gap = trained loss - closed-form loss (negative only where no exact closed form exists); SV err = largest relative singular-value error (– when the loss does not pin them); the next column compares the spectral method directly with the trained encoder; the last gives the trained run's L-BFGS status (gradient norm / tolerance).",
		Head: []string{"loss", "regime", "graph", "exact", "loss*", "rank*", "spectral method", "angle", "trained loss", "gap", "angle", "SV err", "rank", "angle spectral–trained", "trained run"}}
	for _, x := range r.Rows {
		t.Rows = append(t.Rows, []string{x.Loss, x.Regime, x.Graph, fmt.Sprint(x.Exact), fmt.Sprintf("%.4g", float64(x.LossClosed)), fmt.Sprint(x.RankClosed),
			x.Spectral, f1(x.AngleSpectral), fmt.Sprintf("%.4g", float64(x.LossTrained)), fmt.Sprintf("%.2g", float64(x.LossGap)), f1(x.AngleTrained), f3(x.SVError), fmt.Sprint(x.RankTrained), f1(x.AngleSpectralTrained),
			fmt.Sprintf("%s (%.2g / %.2g)", x.TrainedFit.Status, float64(x.TrainedFit.GradNorm), float64(x.TrainedFit.GradTol))})
	}
	return []Table{t}
}

func f1(x Num) string {
	if x != x {
		return "–"
	}
	return fmt.Sprintf("%.1f°", float64(x))
}

// summaryTable lists every loss/regime pair of E1, exact or not: the
// angle of the closed form (or characterisation) to its spectral method and
// to the trained encoder, and the angle between the spectral method and the
// trained encoder (for the losses without exact closed form, how well the
// spectral analogue describes the trained optimum).
func (r *E1Result) summaryTable() Table {
	t := Table{Title: "E1 every loss/regime pair: largest principal angle (degrees)", Left: 3,
		Head: []string{"loss", "regime", "exact", "closed vs spectral", "closed vs trained", "spectral vs trained", "loss gap", "trained run"}}
	for _, x := range r.Rows {
		t.Rows = append(t.Rows, []string{x.Loss, x.Regime, fmt.Sprint(x.Exact), f1(x.AngleSpectral), f1(x.AngleTrained), f1(x.AngleSpectralTrained), fmt.Sprintf("%.2g", float64(x.LossGap)), x.TrainedFit.Status})
	}
	return t
}

func (r *E1Result) summary() string {
	return formatTable(r.summaryTable())
}

func (r *E1Result) section() section {
	return section{ID: "e1", Title: "E1 Equivalence", Intro: "Each SSL loss is solved in closed form, by its equivalent spectral method and by gradient training (L-BFGS on the loss from a random start). Only the left singular vectors and the singular values are pinned by the losses, so the comparison uses principal angles and singular values, never coordinates.",
		Tables: r.Tables(), Figures: r.Figures}
}

// Tables returns E2's tables.
func (r *E2Result) Tables() []Table {
	t := Table{Title: fmt.Sprintf("E2 rank of smooth VICReg against gamma (augmentation graph, N'=%d, K=%d)", r.Config.NOrig, r.Config.KGamma),
		Head: []string{"V", "gamma", "gamma·V", "rank Z*", "rank trained"}}
	for _, p := range r.Gamma {
		tr := trainedRank(p.RankTrained, p.TrainedFit)
		t.Rows = append(t.Rows, []string{fmt.Sprint(p.Views), fmt.Sprintf("%.3g", p.Gamma), fmt.Sprintf("%.3g", p.Gamma*float64(p.Views)), fmt.Sprint(p.RankClosed), tr})
	}
	k := Table{Title: fmt.Sprintf("E2 rank against K, c = %d components", r.Components), Head: []string{"method", "K", "exact", "rank Z*", "rank trained"}}
	for _, p := range r.K {
		tr := trainedRank(p.RankTrained, p.TrainedFit)
		k.Rows = append(k.Rows, []string{p.Method, fmt.Sprint(p.K), fmt.Sprint(p.Exact), fmt.Sprint(p.RankClosed), tr})
	}
	return []Table{t, k}
}

// trainedRank is a trained rank for E2's tables, with the run's status when
// it did not converge ("–" when not trained).
func trainedRank(rank int, fit *Fit) string {
	switch {
	case rank < 0:
		return "–"
	case fit != nil && fit.Status != StatusConverged:
		return fmt.Sprintf("%d (%s)", rank, fit.Status)
	}
	return fmt.Sprint(rank)
}

func (r *E2Result) summary() string {
	var b strings.Builder
	for _, v := range r.Config.Views {
		below, above := -1, -1
		for _, p := range r.Gamma {
			if p.Views != v {
				continue
			}
			if p.Gamma < 1/float64(v) {
				below = p.RankClosed
			} else if above < 0 {
				above = p.RankClosed
			}
		}
		fmt.Fprintf(&b, "E2: VICReg rank on the V=%d augmentation graph (N'=%d, K=%d): %d just below gamma=1/V, %d at or above\n", v, r.Config.NOrig, r.Config.KGamma, below, above)
	}
	return b.String()
}

func (r *E2Result) section() section {
	return section{ID: "e2", Title: "E2 Dimensional collapse", Intro: "Smooth VICReg keeps the eigenvectors of L with gamma·lambda_k < 1, so its rank falls at gamma = 1/V on the augmentation graph; SimCLR keeps at most c-1 directions, BarlowTwins c (feature regime).",
		Tables: r.Tables(), Figures: r.Figures}
}

// Tables returns E3's tables: the graphs and one accuracy table per regime.
func (r *E3Result) Tables() []Table {
	g := Table{Title: "E3 relation graphs", Note: fmt.Sprintf("homophily: fraction of edge weight within classes; label energy: fraction of the centred labels in the bottom K-dim Laplacian eigenspace of G on the training rows (aligned >= %.2f, misaligned < %.2f); components and isolated test rows: largest over replicates.", AlignedEnergy, MisalignedEnergy),
		Head: []string{"graph", "regime", "N", "homophily", "label energy", "class", "components", "isolated test rows", "excluded"}}
	for _, x := range r.Graphs {
		g.Rows = append(g.Rows, []string{x.Spec.Name, x.Regime, fmt.Sprint(x.N), fmt.Sprintf("%.3f", x.Align.WithinClass), fmt.Sprintf("%.3f", x.Align.LabelEnergy),
			x.Class, fmt.Sprint(x.Components), fmt.Sprint(x.IsolatedTest), orDash(x.Excluded)})
	}
	out := []Table{g}
	for _, regime := range r.Config.Regimes {
		t := Table{Title: fmt.Sprintf("E3 probe accuracy, %s regime (primary: %s probe on globally scaled Z; mean [95%% CI] over %d replicates)", regime, r.Config.Probe, r.Config.Seeds),
			Note: "how: closed = exact closed form; converged / NOT converged = minimised by L-BFGS (status of the worst replicate, its iterations and gradient norm); secondary probes: ridge on column-standardised Z and 5-NN, at the first labelled-set size.",
			Head: []string{"graph", "method", "rank", "how"}}
		for _, l := range r.Config.LabelsPerClass {
			t.Head = append(t.Head, labelsName(l)+"/class")
		}
		t.Head = append(t.Head, "ridge (std)", "5-NN", "excluded")
		for _, c := range r.Cells {
			if c.Regime != regime {
				continue
			}
			row := []string{c.Graph, c.Method, fmt.Sprint(c.Rank), c.how()}
			for _, a := range c.Acc {
				row = append(row, accString(a))
			}
			row = append(row, accString(first(c.AccRidge)), accString(first(c.AccKNN)), orDash(c.Excluded))
			t.Rows = append(t.Rows, row)
		}
		out = append(out, t)
	}
	return out
}

// how describes how the cell's optimum was obtained.
func (c *E3Cell) how() string {
	if c.Exact {
		return "closed"
	}
	worst := Fit{Status: StatusConverged}
	for _, f := range c.Fits {
		if f.Iterations >= worst.Iterations || f.Status == StatusNotConverged {
			if worst.Status == StatusNotConverged && f.Status != StatusNotConverged {
				continue
			}
			worst = f
		}
	}
	st := "converged"
	if !c.Converged {
		st = "NOT converged"
	} else if slices.ContainsFunc(c.Fits, func(f Fit) bool { return f.Status == StatusInfimum }) {
		st = "converged to a non-attained infimum"
	}
	return fmt.Sprintf("%s (%d it, |g| %.1g)", st, worst.Iterations, float64(worst.GradNorm))
}

func first(a []Acc) Acc {
	if len(a) == 0 {
		return Acc{Skipped: "none"}
	}
	return a[0]
}

func accString(a Acc) string {
	if a.Skipped != "" {
		return "–"
	}
	return fmt.Sprintf("%.3f [%.3f, %.3f]", float64(a.Mean), float64(a.Low), float64(a.High))
}

func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}

func (r *E3Result) section() section {
	s := section{ID: "e3", Title: "E3 Alignment of G with the labels", Intro: "Downstream probe accuracy of each method's optimum for relation graphs from aligned (label graph of the training rows) through partially aligned (rewired label graphs, kNN) to misaligned (components finer, coarser or crossing the classes, augmentation graphs), for several labelled-set sizes. Every replicate draws its own 80/20 split and builds every label-derived graph from the training labels of that split only; test rows get no label edge and the probes are scored on the test rows only. label-oracle is the same graph built from every label (test labels leak into it): a reference, never judged. Every graph is scaled to mean degree 1 over its non-isolated vertices so that gamma means the same on each. The supervised baseline is the same probe trained on the inputs X.",
		Tables: r.Tables()[:1], Figures: r.Figures}
	for i, regime := range r.Config.Regimes {
		s.Sub = append(s.Sub, section{ID: "e3-" + regime, Title: "E3 " + regime + " regime", Tables: r.Tables()[1+i : 2+i]})
	}
	return s
}

// Tables returns E4's verdict table (each verdict linked to its evidence).
func (r *E4Result) Tables() []Table {
	t := Table{Title: "E4 verdicts", Head: []string{"claim", "source", "regime", "A (preferred)", "B", "scope", "cells", "W/T/L", "excluded", "mean A", "mean B", "verdict", "what this means"}}
	for i, v := range r.Verdicts {
		t.Rows = append(t.Rows, []string{v.Claim, v.Source, v.Regime, v.A, v.B, v.Scope, fmt.Sprint(v.Cells),
			fmt.Sprintf("%d/%d/%d", v.Wins, v.Ties, v.Losses), fmt.Sprint(v.Excluded), f3(v.MeanA), f3(v.MeanB), v.Verdict, v.Meaning})
		t.Links = append(t.Links, map[int]string{0: fmt.Sprintf("#v%d", i), 11: fmt.Sprintf("#v%d", i)})
	}
	return []Table{t}
}

// summaryTable is the verdict table of the summary.
func (r *E4Result) summaryTable() Table {
	t := Table{Title: "Verdicts on the paper's claims (rules: section E4)", Left: 2, Head: []string{"regime", "claim", "W/T/L", "excl", "verdict"}}
	for i, v := range r.Verdicts {
		t.Rows = append(t.Rows, []string{v.Regime, v.Claim, fmt.Sprintf("%d/%d/%d", v.Wins, v.Ties, v.Losses), fmt.Sprint(v.Excluded), v.Verdict})
		t.Links = append(t.Links, map[int]string{1: fmt.Sprintf("#v%d", i), 4: fmt.Sprintf("#v%d", i)})
		t.Notes = append(t.Notes, v.Meaning)
	}
	return t
}

func (r *E4Result) section() section {
	s := section{ID: "e4", Title: "E4 The paper's guidance: verdicts", Intro: "Both versions of the abstract give guidance. arXiv v1-v3: with a misaligned G, prefer VICReg with a small invariance weight over SimCLR and BarlowTwins. NeurIPS camera-ready: with little data and an aligned G, SimCLR or VICReg with a high invariance weight; with a misaligned G, BarlowTwins or VICReg with a small one. The title's claim that contrastive methods are global and non-contrastive ones local is judged from E5. The rules below were fixed before the results; the verdicts are computed from the numbers of E3 and E5, nothing is hard-coded.",
		Pre: r.Rules, Tables: r.Tables()}
	for i, v := range r.Verdicts {
		t := Table{Title: fmt.Sprintf("[%s] %s: %s", v.Regime, v.Claim, v.Verdict), Note: v.Meaning + " Evidence: section " + v.Evidence + ".", Head: []string{"cell"}}
		for _, d := range v.Detail {
			t.Rows = append(t.Rows, []string{d})
		}
		s.Sub = append(s.Sub, section{ID: fmt.Sprintf("v%d", i), Tables: []Table{t}, Link: "#" + v.Evidence})
	}
	return s
}

// Tables returns E5's table.
func (r *E5Result) Tables() []Table {
	t := Table{Title: fmt.Sprintf("E5 local vs global (kNN graph, k=%d, N=%d, K=%d)", r.Config.Neighbors, r.Config.N, r.Config.K),
		Note: fmt.Sprintf("Spearman correlation of embedding distance with geodesic hops, for pairs <= %d hops (short) and >= %d hops (long); near/far = mean distance of short pairs / mean distance of long pairs.", r.ShortHops, r.LongHops),
		Head: []string{"method", "short", "long", "all (replicate 0)", "near/far (replicate 0)", "excluded"}}
	for _, x := range r.Rows {
		t.Rows = append(t.Rows, []string{x.Method, ciString(x.ShortPerSeed), ciString(x.LongPerSeed), f3(x.All), f3(x.NearFar), orDash(x.Excluded)})
	}
	return []Table{t}
}

// ciString formats the mean and 95% interval of v.
func ciString(v []Num) string {
	f := make([]float64, len(v))
	for i, x := range v {
		f[i] = float64(x)
	}
	m, lo, hi := meanCI(f)
	return fmt.Sprintf("%.3f [%.3f, %.3f]", m, lo, hi)
}

func (r *E5Result) section() section {
	return section{ID: "e5", Title: "E5 Local vs global", Intro: "Non-contrastive VICReg is a local spectral method (Laplacian Eigenmaps: only G's edges matter), contrastive SimCLR a global one (MDS: every pair is pushed apart). The table measures how each method's embedding distances follow the geodesic distances of G near and far (mean [95% CI] over replicates, each its own subsample and kNN graph); E4 judges the claim from it.",
		Tables: r.Tables(), Figures: r.Figures}
}
