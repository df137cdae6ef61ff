package experiment

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"time"

	"github.com/eigenssl/eigenssl/closedform"
	"github.com/eigenssl/eigenssl/linalg"
	"github.com/eigenssl/eigenssl/spectral"
	"gonum.org/v1/gonum/mat"
)

// E1Config configures experiment E1 (equivalence of closed forms, spectral
// methods and trained encoders).
type E1Config struct {
	Dataset string `json:"dataset"`
	// N samples of the data set; the feature regime uses their kNN graph
	// (Neighbors, scaled to mean degree 1, connected so that the spectrum is
	// generic), the linear regime the V = 2 augmentation graph of the
	// centred views (Aug), which is regular, so that VICReg's linear
	// optimum coincides with LPP.
	N         int     `json:"n"`
	K         int     `json:"k"`
	Neighbors int     `json:"neighbors"`
	Aug       string  `json:"aug"`
	Gamma     float64 `json:"gamma"`
	// TrainIter is the number of L-BFGS iterations of the trained encoder
	// (free Z or linear W, from a seeded random start).
	TrainIter int `json:"train_iter"`
	// SimCLRIter, when > 0, replaces TrainIter for SimCLR, whose
	// iterations cost O(N² K) and which has no closed form to reach.
	SimCLRIter int    `json:"simclr_iter,omitempty"`
	Seed       uint64 `json:"seed"`
}

// E1Row compares one loss in one regime with its equivalent spectral method
// and with a trained encoder.
type E1Row struct {
	Loss   string `json:"loss"`
	Regime string `json:"regime"`
	Graph  string `json:"graph"`
	// Exact: the closed form is a proven optimum; LossClosed its loss.
	Exact      bool `json:"exact"`
	LossClosed Num  `json:"loss_closed"`
	RankClosed int  `json:"rank_closed"`
	// Spectral names the equivalent spectral method; AngleSpectral is the
	// largest principal angle (degrees) between its embedding and Z*.
	Spectral      string `json:"spectral"`
	AngleSpectral Num    `json:"angle_spectral_deg"`
	// LossTrained, LossGap = LossTrained − LossClosed, AngleTrained
	// (degrees), SVError (relative, NaN when the loss does not pin singular
	// values) and RankTrained describe the trained encoder.
	LossTrained  Num `json:"loss_trained"`
	LossGap      Num `json:"loss_gap"`
	AngleTrained Num `json:"angle_trained_deg"`
	SVError      Num `json:"sv_error"`
	RankTrained  int `json:"rank_trained"`
	// TrainedFit records the trained encoder's L-BFGS run (loss, gradient
	// norm, tolerance, status).
	TrainedFit Fit `json:"trained_fit"`
	// AngleSpectralTrained is the largest principal angle (degrees) between
	// the spectral method's embedding and the trained encoder's: for the
	// losses without exact closed form it measures how well the spectral
	// analogue describes the trained optimum.
	AngleSpectralTrained Num    `json:"angle_spectral_trained_deg"`
	Note                 string `json:"note,omitempty"`
}

// E1Result holds the table of E1.
type E1Result struct {
	Config  E1Config  `json:"config"`
	Rows    []E1Row   `json:"rows"`
	Figures []*Figure `json:"figures"`
}

// E1 compares, for every loss and regime, the closed form of package
// closedform, the equivalent spectral method of package spectral (Laplacian
// Eigenmaps for VICReg in feature space, LPP in the linear regime, the
// spectral-contrastive eigenvectors, graph CCA for BarlowTwins, kernel PCA of
// G for SimCLR's second-order expansion) and an encoder trained by L-BFGS on
// the loss from a random start: loss gap, principal angles, singular values.
func E1(ctx context.Context, cfg E1Config, c *Cache, figDir string) (*E1Result, error) {
	if cfg.N < 10 || cfg.K < 1 {
		return nil, errorf("e1", "config", fmt.Sprintf("N=%d K=%d", cfg.N, cfg.K), ErrParam)
	}
	if cfg.Gamma == 0 {
		cfg.Gamma = 0.5
	}
	res := &E1Result{Config: cfg}
	var ds *prepared
	var knn, views *builtGraph
	setup := func() error {
		if ds != nil {
			return nil
		}
		var err error
		if ds, err = loadDataset(cfg.Dataset, cfg.N, cfg.Seed); err != nil {
			return err
		}
		if knn, err = buildGraph(ds, GraphSpec{Name: "knn", Kind: "knn", P: float64(cfg.Neighbors)}, nil, cfg.Seed, 0); err != nil {
			return err
		}
		if views, err = buildGraph(ds, GraphSpec{Name: "augment", Kind: "augment", Aug: cfg.Aug}, nil, cfg.Seed, 0); err != nil {
			return err
		}
		views.X = linalg.CenterColumns(views.X)
		return nil
	}
	type job struct{ loss, regime string }
	var jobs []job
	for _, l := range []string{closedform.VICReg, closedform.VICRegHard, closedform.SpectralContrastive, closedform.BarlowTwins, closedform.SimCLR} {
		jobs = append(jobs, job{l, closedform.Feature}, job{l, closedform.Linear})
	}
	for _, j := range jobs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		key := struct {
			Cfg          E1Config
			Loss, Regime string
		}{cfg, j.loss, j.regime}
		row, err := cell(c, "e1", key, func() (E1Row, error) {
			if err := setup(); err != nil {
				return E1Row{}, err
			}
			b := knn
			if j.regime == closedform.Linear {
				b = views
			}
			t0 := time.Now()
			row, err := e1Row(b, j.loss, j.regime, cfg)
			slog.Debug("e1 row", "loss", j.loss, "regime", j.regime, "seconds", time.Since(t0).Seconds())
			return row, err
		})
		if err != nil {
			return nil, err
		}
		res.Rows = append(res.Rows, row)
	}
	if figDir != "" {
		var groups []string
		vals := [][]float64{nil, nil}
		for _, r := range res.Rows {
			groups = append(groups, shortLoss(r.Loss)+"/"+r.Regime[:3])
			vals[0] = append(vals[0], float64(r.AngleSpectral))
			vals[1] = append(vals[1], float64(r.AngleTrained))
		}
		p, err := barPlot("E1 largest principal angle to the closed form (degrees)", "degrees", groups, []string{"spectral method", "trained encoder"}, vals)
		if err != nil {
			return nil, err
		}
		p.X.Tick.Label.Rotation = math.Pi / 6
		p.X.Tick.Label.XAlign = -0.8
		f, err := saveFigure(p, figDir, "e1-angles", "Largest principal angle between the column space of the closed form and that of the equivalent spectral method and of the trained encoder (0 = same subspace; missing bar = no counterpart).")
		if err != nil {
			return nil, err
		}
		res.Figures = append(res.Figures, f)
	}
	return res, nil
}

func shortLoss(l string) string {
	switch l {
	case closedform.SpectralContrastive:
		return "specCL"
	case closedform.VICRegHard:
		return "vicreg_hard"
	case closedform.BarlowTwins:
		return "barlow"
	}
	return l
}

func e1Row(b *builtGraph, loss, regime string, cfg E1Config) (E1Row, error) {
	row := E1Row{Loss: loss, Regime: regime, Graph: b.Spec.Name, AngleSpectral: nan(), AngleSpectralTrained: nan(), RankTrained: -1}
	p := closedform.Problem{Loss: loss, Regime: regime, G: b.G, K: cfg.K, Gamma: cfg.Gamma, Seed: cfg.Seed}
	if regime == closedform.Linear {
		p.X = b.X
	}
	sol, err := closedform.Solve(p)
	if err != nil {
		return row, errorf("e1", loss, regime, err)
	}
	row.Exact, row.LossClosed, row.RankClosed = sol.Exact, Num(sol.PredictedLoss), sol.Rank
	// Equivalent spectral method.
	zs, name, err := spectralCounterpart(b, loss, regime, cfg.K)
	if err != nil {
		return row, errorf("e1", loss, "spectral", err)
	}
	row.Spectral = name
	if zs != nil {
		cmp, err := closedform.Compare(sol, zs)
		if err != nil {
			return row, errorf("e1", loss, "compare", err)
		}
		row.AngleSpectral = Num(cmp.MaxAngle * 180 / math.Pi)
	}
	// Trained encoder from a random start.
	n := b.G.N
	rows := n
	if regime == closedform.Linear {
		_, rows = b.X.Dims()
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x6531))
	start := mat.NewDense(rows, cfg.K, nil)
	for i := range start.RawMatrix().Data {
		start.RawMatrix().Data[i] = rng.NormFloat64() * 0.1
	}
	iter := cfg.TrainIter
	if loss == closedform.SimCLR && cfg.SimCLRIter > 0 {
		iter = cfg.SimCLRIter
	}
	_, z, res, err := closedform.Minimize(p, start, closedform.RefineSettings{MaxIter: iter})
	if err != nil {
		return row, errorf("e1", loss, "train", err)
	}
	row.TrainedFit = minimizeFit(res)
	cmp, err := closedform.Compare(sol, z)
	if err != nil {
		return row, errorf("e1", loss, "compare", err)
	}
	row.LossTrained, row.LossGap = Num(cmp.Loss), Num(cmp.LossGap)
	row.AngleTrained, row.SVError, row.RankTrained = Num(cmp.MaxAngle*180/math.Pi), Num(cmp.SingularValueError), cmp.Rank
	if zs != nil {
		zt := z
		if loss == closedform.SimCLR {
			zt = linalg.NormalizeRows(z, 0) // the loss sees only directions
		}
		if mx, _ := angles(zs, zt); !math.IsNaN(float64(mx)) {
			row.AngleSpectralTrained = mx
		}
	}
	if !sol.Exact {
		row.Note = "no exact closed form: the row compares with the best known characterisation; a negative loss gap means training found a lower loss"
	}
	return row, nil
}

// spectralCounterpart fits the spectral method equivalent to loss in regime.
func spectralCounterpart(b *builtGraph, loss, regime string, k int) (*mat.Dense, string, error) {
	switch {
	case regime == closedform.Feature && (loss == closedform.VICReg || loss == closedform.VICRegHard):
		le := &spectral.LaplacianEigenmaps{Components: k, Unnormalized: true}
		if err := le.FitGraph(nil, b.G); err != nil {
			return nil, "", err
		}
		return le.Embedding(), "Laplacian Eigenmaps (L = D - G)", nil
	case regime == closedform.Linear && (loss == closedform.VICReg || loss == closedform.VICRegHard):
		l := &spectral.LPP{Components: k}
		if err := l.FitGraph(b.X, b.G); err != nil {
			return nil, "", err
		}
		return l.Embedding(), "LPP (regular G, centred X)", nil
	case loss == closedform.SpectralContrastive:
		s := &spectral.SpectralContrastive{Components: k, Linear: regime == closedform.Linear}
		x := b.X
		if regime == closedform.Feature {
			x = nil
		}
		if err := s.FitGraph(x, b.G); err != nil {
			return nil, "", err
		}
		return s.Embedding(), "spectral contrastive eigenvectors", nil
	case loss == closedform.BarlowTwins && regime == closedform.Linear:
		c := &spectral.GraphCCA{Components: k}
		if err := c.FitGraph(b.X, b.G); err != nil {
			return nil, "", err
		}
		return c.Embedding(), "graph CCA", nil
	case loss == closedform.SimCLR && regime == closedform.Feature:
		kp := &spectral.KernelPCA{Components: k, Kernel: spectral.KernelPrecomputed}
		if err := kp.Fit(b.G.Dense()); err != nil {
			return nil, "", err
		}
		return kp.Embedding(), "kernel PCA of G (MDS, second order)", nil
	}
	return nil, "—", nil
}
