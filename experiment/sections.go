package experiment

import (
	"fmt"
	"strings"
)

// Tables returns E1's table.
func (r *E1Result) Tables() []Table {
	t := Table{Title: fmt.Sprintf("E1 closed form vs spectral method vs trained encoder (N=%d, K=%d)", r.Config.N, r.Config.K),
		Note: "Angles are the largest principal angle (degrees) to the column space of the closed form (loss*, rank*); loss gap = trained loss - closed-form loss (negative only where no exact closed form exists); SV err = largest relative singular-value error (– when the loss does not pin them); the last column compares the spectral method directly with the trained encoder.",
		Head: []string{"loss", "regime", "graph", "exact", "loss*", "rank*", "spectral method", "angle", "trained loss", "gap", "angle", "SV err", "rank", "angle spectral–trained"}}
	for _, x := range r.Rows {
		t.Rows = append(t.Rows, []string{x.Loss, x.Regime, x.Graph, fmt.Sprint(x.Exact), fmt.Sprintf("%.4g", float64(x.LossClosed)), fmt.Sprint(x.RankClosed),
			x.Spectral, f1(x.AngleSpectral), fmt.Sprintf("%.4g", float64(x.LossTrained)), fmt.Sprintf("%.2g", float64(x.LossGap)), f1(x.AngleTrained), f3(x.SVError), fmt.Sprint(x.RankTrained), f1(x.AngleSpectralTrained)})
	}
	return []Table{t}
}

func f1(x Num) string {
	if x != x {
		return "–"
	}
	return fmt.Sprintf("%.1f°", float64(x))
}

func (r *E1Result) summary() string {
	worst := 0.0
	for _, x := range r.Rows {
		if x.Exact && float64(x.AngleTrained) > worst {
			worst = float64(x.AngleTrained)
		}
	}
	return fmt.Sprintf("E1: %d loss/regime pairs; largest angle between an exact closed form and its trained encoder: %.2f degrees\n", len(r.Rows), worst)
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
		tr := "–"
		if p.RankTrained >= 0 {
			tr = fmt.Sprint(p.RankTrained)
		}
		t.Rows = append(t.Rows, []string{fmt.Sprint(p.Views), fmt.Sprintf("%.3g", p.Gamma), fmt.Sprintf("%.3g", p.Gamma*float64(p.Views)), fmt.Sprint(p.RankClosed), tr})
	}
	k := Table{Title: fmt.Sprintf("E2 rank against K, c = %d components", r.Components), Head: []string{"method", "K", "exact", "rank Z*", "rank trained"}}
	for _, p := range r.K {
		tr := "–"
		if p.RankTrained >= 0 {
			tr = fmt.Sprint(p.RankTrained)
		}
		k.Rows = append(k.Rows, []string{p.Method, fmt.Sprint(p.K), fmt.Sprint(p.Exact), fmt.Sprint(p.RankClosed), tr})
	}
	return []Table{t, k}
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
	g := Table{Title: "E3 relation graphs", Note: fmt.Sprintf("ARI: adjusted Rand index between G's components and the classes; aligned when ARI >= %.2f.", AlignedARI),
		Head: []string{"graph", "regime", "N", "components", "within-class", "purity", "ARI", "aligned"}}
	for _, x := range r.Graphs {
		g.Rows = append(g.Rows, []string{x.Spec.Name, x.Regime, fmt.Sprint(x.N), fmt.Sprint(x.Align.Components), fmt.Sprintf("%.3f", x.Align.WithinClass),
			fmt.Sprintf("%.3f", x.Align.Purity), fmt.Sprintf("%.3f", x.Align.ARI), fmt.Sprint(x.Aligned)})
	}
	out := []Table{g}
	for _, regime := range r.Config.Regimes {
		t := Table{Title: fmt.Sprintf("E3 probe accuracy, %s regime (%s probe, mean [95%% CI] over %d seeds)", regime, r.Config.Probe, r.Config.Seeds),
			Note: "rank: rank of the representation; how: closed = exact closed form, trained = characterisation refined by L-BFGS on the loss.",
			Head: []string{"graph", "method", "rank", "how"}}
		for _, l := range r.Config.LabelsPerClass {
			t.Head = append(t.Head, labelsName(l)+"/class")
		}
		for _, c := range r.Cells {
			if c.Regime != regime {
				continue
			}
			how := "closed"
			if !c.Exact {
				how = "characterisation"
				if c.Refined {
					how = "trained"
				}
			}
			row := []string{c.Graph, c.Method, fmt.Sprint(c.Rank), how}
			for _, a := range c.Acc {
				if a.Skipped != "" {
					row = append(row, "–")
				} else {
					row = append(row, fmt.Sprintf("%.3f [%.3f, %.3f]", float64(a.Mean), float64(a.Low), float64(a.High)))
				}
			}
			t.Rows = append(t.Rows, row)
		}
		out = append(out, t)
	}
	return out
}

func (r *E3Result) section() section {
	return section{ID: "e3", Title: "E3 Alignment of G with the labels", Intro: "Downstream linear-probe accuracy of each method's optimum for relation graphs from aligned (label graph) through partially aligned (rewired label graphs, kNN, augmentations) to misaligned (components finer, coarser or crossing the classes), for several labelled-set sizes. Every graph is scaled to mean degree 1 so that gamma means the same on each. The supervised baseline is the same probe trained on the inputs X.",
		Tables: r.Tables(), Figures: r.Figures}
}

// Tables returns E4's verdict table.
func (r *E4Result) Tables() []Table {
	t := Table{Title: "E4 verdicts", Head: []string{"claim", "source", "regime", "A (preferred)", "B", "scope", "cells", "W/T/L", "mean A", "mean B", "verdict"}}
	for _, v := range r.Verdicts {
		t.Rows = append(t.Rows, []string{v.Claim, v.Source, v.Regime, v.A, v.B, v.Scope, fmt.Sprint(v.Cells),
			fmt.Sprintf("%d/%d/%d", v.Wins, v.Ties, v.Losses), f3(v.MeanA), f3(v.MeanB), v.Verdict})
	}
	return []Table{t}
}

func (r *E4Result) section() section {
	var b strings.Builder
	b.WriteString(r.Rules + "\n\nEvidence per cell:\n")
	for _, v := range r.Verdicts {
		fmt.Fprintf(&b, "\n[%s] %s (%s): %s\n", v.Regime, v.Claim, v.Source, v.Verdict)
		for _, d := range v.Detail {
			b.WriteString("  " + d + "\n")
		}
	}
	return section{ID: "e4", Title: "E4 The paper's guidance: verdicts", Intro: "Both versions of the abstract give guidance. arXiv v1-v3: with a misaligned G, prefer VICReg with a small invariance weight over SimCLR and BarlowTwins. NeurIPS camera-ready: with little data and an aligned G, SimCLR or VICReg with a high invariance weight; with a misaligned G, BarlowTwins or VICReg with a small one. The verdicts below are computed from E3's numbers by the stated rules; nothing is hard-coded.",
		Tables: r.Tables(), Pre: b.String()}
}

// Tables returns E5's table.
func (r *E5Result) Tables() []Table {
	t := Table{Title: fmt.Sprintf("E5 local vs global (kNN graph, k=%d, N=%d, K=%d)", r.Config.Neighbors, r.Config.N, r.Config.K),
		Note: fmt.Sprintf("Spearman correlation of embedding distance with geodesic hops, for pairs <= %d hops (short) and >= %d hops (long); near/far = mean distance of short pairs / mean distance of long pairs.", r.ShortHops, r.LongHops),
		Head: []string{"method", "short", "long", "all", "near/far"}}
	for _, x := range r.Rows {
		t.Rows = append(t.Rows, []string{x.Method, f3(x.Short), f3(x.Long), f3(x.All), f3(x.NearFar)})
	}
	return []Table{t}
}

func (r *E5Result) section() section {
	return section{ID: "e5", Title: "E5 Local vs global", Intro: "Non-contrastive VICReg is a local spectral method (Laplacian Eigenmaps: only G's edges matter), contrastive SimCLR a global one (MDS: every pair is pushed apart). The table measures how each method's embedding distances follow the geodesic distances of G near and far.",
		Tables: r.Tables(), Figures: r.Figures}
}
