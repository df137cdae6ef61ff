package experiment

import (
	"context"
	"fmt"
	"math/rand/v2"

	"github.com/eigenssl/eigenssl/closedform"
	"github.com/eigenssl/eigenssl/eval"
	"github.com/eigenssl/eigenssl/graph"
	"github.com/eigenssl/eigenssl/linalg"
	"gonum.org/v1/gonum/mat"
)

// E2Config configures experiment E2 (dimensional collapse), in the feature
// regime where the closed forms are exact functions of G.
type E2Config struct {
	// NOrig originals with each of Views views give the augmentation graph
	// G = (J_V − I_V) ⊗ I_N' of the rank-against-gamma sweep (unscaled, so
	// that the smooth-VICReg threshold is gamma = 1/V).
	NOrig int   `json:"n_orig"`
	Views []int `json:"views"`
	// KGamma is K of the gamma sweep (choose K > N'−1 to see the drop).
	KGamma int       `json:"k_gamma"`
	Gammas []float64 `json:"gammas"`
	// TrainGammas are the gammas at which a representation is also trained
	// (L-BFGS from a random start, TrainIter iterations).
	TrainGammas []float64 `json:"train_gammas"`
	TrainIter   int       `json:"train_iter"`
	// Classes cliques of PerClass vertices (a label graph with c = Classes
	// components, scaled to mean degree 1) give the rank-against-K sweep.
	Classes  int          `json:"classes"`
	PerClass int          `json:"per_class"`
	Ks       []int        `json:"ks"`
	Methods  []MethodSpec `json:"methods"`
	Seed     uint64       `json:"seed"`
}

// E2GammaPoint is the rank of smooth VICReg at one gamma and V.
type E2GammaPoint struct {
	Views int     `json:"views"`
	Gamma float64 `json:"gamma"`
	// RankClosed is rank(Z*); RankTrained the numerical rank (singular values
	// above 1e-3 σ₁) of the trained Z, −1 when not trained.
	RankClosed  int   `json:"rank_closed"`
	RankTrained int   `json:"rank_trained"`
	Singular    []Num `json:"singular_values"`
	// SingularTrained are the singular values of the centred trained Z
	// (nil when not trained).
	SingularTrained []Num `json:"singular_values_trained,omitempty"`
	// TrainedFit records the trained run (nil when not trained).
	TrainedFit *Fit `json:"trained_fit,omitempty"`
}

// E2KPoint is the rank of one method at one K.
type E2KPoint struct {
	Method      string `json:"method"`
	K           int    `json:"k"`
	RankClosed  int    `json:"rank_closed"`
	RankTrained int    `json:"rank_trained"`
	Exact       bool   `json:"exact"`
	// TrainedFit records the trained run (nil when not trained).
	TrainedFit *Fit `json:"trained_fit,omitempty"`
}

// E2Result holds both sweeps.
type E2Result struct {
	Config     E2Config       `json:"config"`
	Components int            `json:"components"`
	Gamma      []E2GammaPoint `json:"gamma_sweep"`
	K          []E2KPoint     `json:"k_sweep"`
	Figures    []*Figure      `json:"figures"`
}

// E2 measures dimensional collapse: the rank and singular spectrum of the
// smooth-VICReg optimum Z* and of a trained Z as functions of gamma on the
// augmentation graph (the rank falls from min(K, N−1) to min(K, N'−1) at
// gamma = 1/V), and the rank of every method as a function of K against the
// number c of components (VICReg high gamma and SimCLR: c−1, BarlowTwins:
// c, VICReg small gamma: K).
func E2(ctx context.Context, cfg E2Config, c *Cache, figDir string) (*E2Result, error) {
	if cfg.NOrig < 2 || cfg.KGamma < 1 || cfg.Classes < 2 || cfg.PerClass < 2 {
		return nil, errorf("e2", "config", fmt.Sprintf("%+v", cfg), ErrParam)
	}
	res := &E2Result{Config: cfg, Components: cfg.Classes}
	for _, v := range cfg.Views {
		g, _, err := graph.Views(cfg.NOrig, v)
		if err != nil {
			return nil, errorf("e2", "views", v, err)
		}
		for _, gamma := range cfg.Gammas {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			train := contains(cfg.TrainGammas, gamma)
			key := struct {
				N, V, K, Iter int
				Gamma         float64
				Train         bool
				Seed          uint64
			}{cfg.NOrig, v, cfg.KGamma, cfg.TrainIter, gamma, train, cfg.Seed}
			pt, err := cell(c, "e2-gamma", key, func() (E2GammaPoint, error) {
				p := closedform.Problem{Loss: closedform.VICReg, Regime: closedform.Feature, G: g, K: cfg.KGamma, Gamma: gamma, Seed: cfg.Seed}
				sol, err := closedform.Solve(p)
				if err != nil {
					return E2GammaPoint{}, errorf("e2", "gamma", gamma, err)
				}
				pt := E2GammaPoint{Views: v, Gamma: gamma, RankClosed: e2Rank(sol.Z), RankTrained: -1, Singular: nums(sol.SingularValues)}
				if train {
					z, fit, err := trainFeature(p, cfg.TrainIter, cfg.Seed)
					if err != nil {
						return pt, err
					}
					pt.RankTrained, pt.TrainedFit = e2Rank(z), fit
					sv, err := eval.SingularValues(linalg.CenterColumns(z))
					if err != nil {
						return pt, errorf("e2", "gamma", gamma, err)
					}
					pt.SingularTrained = nums(sv)
				}
				return pt, nil
			})
			if err != nil {
				return nil, err
			}
			res.Gamma = append(res.Gamma, pt)
		}
	}
	y := make([]int, cfg.Classes*cfg.PerClass)
	for i := range y {
		y[i] = i % cfg.Classes
	}
	g, _, err := graph.Labels(y)
	if err != nil {
		return nil, errorf("e2", "labels", nil, err)
	}
	scaleToUnitDegree(g)
	for _, m := range cfg.Methods {
		for _, k := range cfg.Ks {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			key := struct {
				C, PerClass, K, Iter int
				Method               MethodSpec
				Seed                 uint64
			}{cfg.Classes, cfg.PerClass, k, cfg.TrainIter, m, cfg.Seed}
			pt, err := cell(c, "e2-k", key, func() (E2KPoint, error) {
				p := closedform.Problem{Loss: m.Loss, Regime: closedform.Feature, G: g, K: k, Gamma: m.Gamma, Seed: cfg.Seed}
				sol, err := closedform.Solve(p)
				if err != nil {
					return E2KPoint{}, errorf("e2", m.Name, k, err)
				}
				pt := E2KPoint{Method: m.Name, K: k, RankClosed: e2Rank(sol.Z), RankTrained: -1, Exact: sol.Exact}
				if cfg.TrainIter > 0 {
					z, fit, err := trainFeature(p, cfg.TrainIter, cfg.Seed)
					if err != nil {
						return pt, err
					}
					pt.RankTrained, pt.TrainedFit = e2Rank(z), fit
				}
				return pt, nil
			})
			if err != nil {
				return nil, err
			}
			res.K = append(res.K, pt)
		}
	}
	if figDir != "" {
		figs, err := e2Figures(res, figDir)
		if err != nil {
			return nil, err
		}
		res.Figures = figs
	}
	return res, nil
}

// trainFeature minimises p's loss over a free Z from a seeded Gaussian start
// (a "trained" representation, independent of the closed form) and the
// record of the run.
func trainFeature(p closedform.Problem, iter int, seed uint64) (*mat.Dense, *Fit, error) {
	n := p.G.N
	rng := rand.New(rand.NewPCG(seed, 0x7472616e))
	z0 := mat.NewDense(n, p.K, nil)
	for i := range z0.RawMatrix().Data {
		z0.RawMatrix().Data[i] = rng.NormFloat64()
	}
	_, z, res, err := closedform.Minimize(p, z0, closedform.RefineSettings{MaxIter: iter})
	if err != nil {
		return nil, nil, errorf("train", p.Loss, p.K, err)
	}
	fit := minimizeFit(res)
	return z, &fit, nil
}

func contains(xs []float64, x float64) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

func e2Figures(r *E2Result, dir string) ([]*Figure, error) {
	var figs []*Figure
	var ss []series
	vlines := map[string]float64{}
	for _, v := range r.Config.Views {
		s := series{Name: fmt.Sprintf("closed form, V=%d", v)}
		t := series{Name: fmt.Sprintf("trained, V=%d", v), Dashed: true}
		for _, p := range r.Gamma {
			if p.Views != v {
				continue
			}
			s.X = append(s.X, p.Gamma)
			s.Y = append(s.Y, float64(p.RankClosed))
			if p.RankTrained >= 0 {
				t.X = append(t.X, p.Gamma)
				t.Y = append(t.Y, float64(p.RankTrained))
			}
		}
		ss = append(ss, s)
		if len(t.X) > 0 {
			ss = append(ss, t)
		}
		vlines[fmt.Sprintf("1/V=%.2g", 1/float64(v))] = 1 / float64(v)
	}
	p, err := linePlot(fmt.Sprintf("E2 VICReg rank vs gamma (N'=%d, K=%d)", r.Config.NOrig, r.Config.KGamma), "gamma (invariance weight)", "rank of Z", true, ss, vlines)
	if err != nil {
		return nil, err
	}
	f, err := saveFigure(p, dir, "e2-rank-gamma", fmt.Sprintf("Rank of the smooth-VICReg optimum (solid) and of a trained Z (dashed) against gamma on the augmentation graph of %d originals; dotted lines mark gamma = 1/V, where the rank falls from min(K, N-1) to min(K, N'-1).", r.Config.NOrig))
	if err != nil {
		return nil, err
	}
	figs = append(figs, f)

	// Singular spectra at a few gammas around the threshold of the first V.
	ss = nil
	if len(r.Config.Views) > 0 {
		v := r.Config.Views[0]
		// Trained points (they include 0.95/V and 1/V): at most four,
		// spread over the sweep, closed form solid and trained dashed.
		var pts []E2GammaPoint
		for _, p := range r.Gamma {
			if p.Views == v && p.SingularTrained != nil {
				pts = append(pts, p)
			}
		}
		if len(pts) > 4 {
			pts = []E2GammaPoint{pts[0], pts[len(pts)/3], pts[2*len(pts)/3], pts[len(pts)-1]}
		}
		for _, pt := range pts {
			s := series{Name: fmt.Sprintf("gamma=%.3g", pt.Gamma)}
			for j, sv := range pt.Singular {
				s.X = append(s.X, float64(j+1))
				s.Y = append(s.Y, float64(sv))
			}
			t := series{Name: fmt.Sprintf("trained, gamma=%.3g", pt.Gamma), Dashed: true}
			for j, sv := range pt.SingularTrained {
				t.X = append(t.X, float64(j+1))
				t.Y = append(t.Y, float64(sv))
			}
			ss = append(ss, s, t)
		}
		p, err = linePlot(fmt.Sprintf("E2 singular values of VICReg Z* (V=%d)", v), "index", "singular value", false, ss, nil)
		if err != nil {
			return nil, err
		}
		p.Legend.Top, p.Legend.Left = false, true
		f, err = saveFigure(p, dir, "e2-spectrum", "Singular values of the smooth-VICReg optimum (solid) and of a trained Z (dashed) at several gammas: sqrt(N s_k) with s_k = max(0, 1 - gamma lambda_k).")
		if err != nil {
			return nil, err
		}
		figs = append(figs, f)
	}

	ss = nil
	for _, m := range r.Config.Methods {
		s := series{Name: m.Name + " (closed form)"}
		t := series{Name: m.Name + " (trained)", Dashed: true}
		for _, p := range r.K {
			if p.Method != m.Name {
				continue
			}
			s.X = append(s.X, float64(p.K))
			s.Y = append(s.Y, float64(p.RankClosed))
			if p.RankTrained >= 0 {
				t.X = append(t.X, float64(p.K))
				t.Y = append(t.Y, float64(p.RankTrained))
			}
		}
		ss = append(ss, s)
		if len(t.X) > 0 {
			ss = append(ss, t)
		}
	}
	p, err = linePlot(fmt.Sprintf("E2 rank vs K, c = %d components", r.Components), "K (output dimension)", "rank of Z", false, ss, map[string]float64{"K=c": float64(r.Components)})
	if err != nil {
		return nil, err
	}
	p.Legend.Top = false
	f, err = saveFigure(p, dir, "e2-rank-k", fmt.Sprintf("Rank of each method's representation against K on a graph with c = %d components (solid: closed form, dashed: trained).", r.Components))
	if err != nil {
		return nil, err
	}
	return append(figs, f), nil
}

// E2RankTol is the relative singular-value cut-off of E2's ranks.
const E2RankTol = 1e-3

// e2Rank is the rank E2 reports for the closed form and the trained Z
// alike: the numerical rank of the centred Z (singular values above
// E2RankTol·σ₁), so that a constant column is not counted for one and
// not the other.
func e2Rank(z *mat.Dense) int { return numRank(z, E2RankTol) }
