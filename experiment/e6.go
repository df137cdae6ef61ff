package experiment

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"slices"
	"time"

	"github.com/eigenssl/eigenssl/closedform"
	"github.com/eigenssl/eigenssl/data"
	"github.com/eigenssl/eigenssl/eval"
	"github.com/eigenssl/eigenssl/graph"
	"github.com/eigenssl/eigenssl/linalg"
	"github.com/eigenssl/eigenssl/loss"
	"github.com/eigenssl/eigenssl/train"
	"gonum.org/v1/gonum/mat"
)

// E6Config configures experiment E6 (real encoders trained by package train
// on the official losses, against the closed forms).
type E6Config struct {
	Dataset string `json:"dataset"`
	// N samples (class-balanced), represented with K dimensions.
	N int `json:"n"`
	K int `json:"k"`
	// Aug is the augmentation (data.ParseAugment) drawn afresh for every
	// view at every training step; the closed form uses one draw of the
	// V = 2 views graph with the same augmentation.
	Aug string `json:"aug"`
	// Encoders are nn.ParseEncoder specs whose backbone output has K
	// columns ("linear:K", "mlp:H,K").
	Encoders []string `json:"encoders"`
	// SimCoeffs is the invariance-coefficient sweep of vicreg_official.
	SimCoeffs []float64 `json:"sim_coeffs"`
	// Batch originals per step, Epochs, LR (Adam).
	Batch  int     `json:"batch"`
	Epochs int     `json:"epochs"`
	LR     float64 `json:"lr"`
	// Seeds training replicates (seed Seed+s: initialisation, views,
	// split and labelled subsets).
	Seeds int    `json:"seeds"`
	Seed  uint64 `json:"seed"`
	// Labels is the labelled-set size per class of the probe (0: all).
	Labels int `json:"labels_per_class"`
	// Refine minimises the SimCLR characterisation (no exact closed form).
	Refine RefinePlan `json:"refine"`
	// Draws, when > 0, adds the closed form of the expected graph: the
	// statistics averaged over Draws independent draws of the views
	// (closedform.StreamRelation with the seeds package train uses for its
	// steps 1..Draws), for the losses solvable from statistics
	// (closedform.StatsLosses: the VICReg and BarlowTwins counterparts).
	Draws int `json:"draws,omitempty"`
}

// E6Row is one (encoder, loss) cell of E6.
type E6Row struct {
	Encoder    string             `json:"encoder"`
	Loss       string             `json:"loss"`
	LossParams map[string]float64 `json:"loss_params,omitempty"`
	// ClosedForm names the closed-form loss compared with; FeatureSpace is
	// true when the closed forms are the linear regime in the encoder's
	// random-feature space φ(x) (rff encoders, nn.Encoder.FixedFeatures)
	// rather than on the raw inputs.
	ClosedForm   string `json:"closed_form"`
	FeatureSpace bool   `json:"feature_space,omitempty"`
	// Trained and Closed are the probe accuracies (logistic, global
	// scale, Labels per class) of the trained encoder and of the linear
	// closed form of the same G, per replicate.
	Trained []Num `json:"trained"`
	Closed  []Num `json:"closed"`
	// MaxAngle and MeanAngle (degrees) are the largest and the mean
	// principal angle between the trained representation and the closed
	// form's, per replicate.
	MaxAngle  []Num `json:"max_angle_deg"`
	MeanAngle []Num `json:"mean_angle_deg"`
	// Expected, ExpectedMaxAngle and ExpectedMeanAngle are the probe
	// accuracy of the expected-graph closed form (E6Config.Draws) and the
	// angles between it and the trained representation, per replicate
	// (empty when the loss has no closed form from statistics).
	Expected []Num `json:"expected,omitempty"`
	// ExpectedForm is "exact" (VICReg-hard: the closed form from the
	// statistics) or "characterisation" (BarlowTwins: the CCA directions
	// from the statistics, which are not refined: no data rows to refine on).
	ExpectedForm      string `json:"expected_form,omitempty"`
	ExpectedMaxAngle  []Num  `json:"expected_max_angle_deg,omitempty"`
	ExpectedMeanAngle []Num  `json:"expected_mean_angle_deg,omitempty"`
	// FinalLoss is the training loss of the last step, per replicate,
	// FinalGradNorm the gradient norm of that step (Adam runs a fixed budget
	// of Epochs, no tolerance) and TrainStatus the run's train.Status;
	// ClosedFit the status of the closed form.
	FinalLoss     []Num    `json:"final_loss"`
	FinalGradNorm []Num    `json:"final_grad_norm"`
	TrainStatus   []string `json:"train_status"`
	ClosedFit     []Fit    `json:"closed_fit"`
	// ClosedNotRun counts the replicates whose one-draw closed form was
	// not computed: closed forms are computed in waves of replicateWave
	// replicates, as in E3, and once a wave holds an unusable one (not
	// converged or stalled) the remaining replicates are trained and probed
	// but get no closed form (Closed, MaxAngle and MeanAngle then have
	// Seeds − ClosedNotRun entries).
	ClosedNotRun int    `json:"closed_not_run,omitempty"`
	Status       string `json:"status"`
	Seconds      Num    `json:"seconds"`
}

// E6Result holds the rows of E6.
type E6Result struct {
	Config E6Config `json:"config"`
	Rows   []E6Row  `json:"rows"`
}

// e6Loss is one official loss of E6 with its closed-form counterpart.
type e6Loss struct {
	name   string
	params map[string]float64
	closed string
}

// e6Losses returns the official losses of cfg: vicreg_official at each
// invariance coefficient (closed form: VICReg with the hard whitening
// constraint, which the official std and cov terms approximate),
// barlowtwins_official (BarlowTwins, graph CCA) and NT-Xent (SimCLR).
func e6Losses(cfg E6Config) []e6Loss {
	var out []e6Loss
	for _, s := range cfg.SimCoeffs {
		out = append(out, e6Loss{loss.NameVICRegOfficial, map[string]float64{loss.ParamSimCoeff: s}, closedform.VICRegHard})
	}
	return append(out,
		e6Loss{loss.NameBarlowTwinsOfficial, nil, closedform.BarlowTwins},
		e6Loss{loss.NameNTXent, nil, closedform.SimCLR})
}

// E6 trains every encoder of cfg with every official loss by package train
// (minibatch Adam, fresh augmented views at every step) over Seeds
// replicates, and reports per cell the probe accuracy of the trained
// encoder next to that of the linear closed form of the same augmentation
// graph, and the principal angles between the two representations. The
// inputs are the raw data set rows (the augmentations act on raw pixels), so
// the closed form and the encoder see the same X.
func E6(ctx context.Context, cfg E6Config, c *Cache) (*E6Result, error) {
	if cfg.N < 20 || cfg.K < 1 || cfg.Seeds < 1 || len(cfg.Encoders) == 0 || cfg.Epochs < 1 {
		return nil, errorf("e6", "config", fmt.Sprintf("N=%d K=%d seeds=%d encoders=%d epochs=%d", cfg.N, cfg.K, cfg.Seeds, len(cfg.Encoders), cfg.Epochs), ErrParam)
	}
	res := &E6Result{Config: cfg}
	var ds *prepared
	closed := map[string]*embedding{}
	for _, enc := range cfg.Encoders {
		for _, l := range e6Losses(cfg) {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			key := struct {
				Cfg           E6Config
				Encoder, Loss string
				Params        map[string]float64
				Closed        string
			}{cfg, enc, l.name, l.params, l.closed}
			row, err := cell(c, "e6", key, func() (E6Row, error) {
				if ds == nil {
					var err error
					if ds, err = loadDataset(cfg.Dataset, cfg.N, cfg.Seed); err != nil {
						return E6Row{}, err
					}
				}
				t0 := time.Now()
				row, err := e6Row(ctx, ds, cfg, enc, l, closed)
				row.Seconds = Num(time.Since(t0).Seconds())
				return row, err
			})
			if err != nil {
				return nil, err
			}
			res.Rows = append(res.Rows, row)
		}
	}
	return res, nil
}

// e6Row trains and compares one cell; closed memoises the closed forms,
// which depend on the loss and the replicate but not on the encoder.
func e6Row(ctx context.Context, ds *prepared, cfg E6Config, enc string, l e6Loss, closed map[string]*embedding) (E6Row, error) {
	row := E6Row{Encoder: enc, Loss: l.name, LossParams: l.params, ClosedForm: l.closed, Status: StatusConverged}
	raw := ds.Raw
	aug, err := data.ParseAugmentFor(cfg.Aug, raw)
	if err != nil {
		return row, errorf("e6", "aug", cfg.Aug, err)
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	closedOff := false
	for s := range cfg.Seeds {
		seed := cfg.Seed + uint64(s)
		// row.Status leaves StatusConverged at the first unusable closed form.
		if s > 0 && s%replicateWave == 0 && row.Status != StatusConverged {
			closedOff = true
		}
		dir, err := os.MkdirTemp("", "eigenssl-e6-")
		if err != nil {
			return row, errorf("e6", "tmp", nil, errors.Join(ErrIO, err))
		}
		tc := train.Config{Loss: l.name, LossParams: l.params, Encoder: enc, LR: cfg.LR, Views: 2, Augment: cfg.Aug,
			Relation: "views", Batch: cfg.Batch, Epochs: cfg.Epochs, Seed: seed,
			Data: train.DataSource{ImageShape: raw.ImageShape}}
		// No labels: the views relation reads none, and passing none keeps
		// every label (test rows' included) out of training by construction.
		tr, err := train.Run(ctx, tc, raw.X, nil, dir, train.Options{Progress: io.Discard, Logger: quiet})
		os.RemoveAll(dir)
		if err != nil {
			return row, errorf("e6", enc, l.name, err)
		}
		zt, err := tr.Encoder.Embed(raw.X)
		if err != nil {
			return row, errorf("e6", enc, "embed", err)
		}
		// The closed form of one draw of the V = 2 views graph, linear
		// regime on the encoder's fixed features: the raw inputs, or φ(x)
		// for an encoder whose leading layers are random Fourier features
		// (trained only after them, it is linear in φ(x)).
		phiX, nFixed, err := tr.Encoder.FixedFeatures(raw.X)
		if err != nil {
			return row, errorf("e6", enc, "features", err)
		}
		var phi func(*mat.Dense) (*mat.Dense, error)
		ckey := fmt.Sprintf("%s/%d", l.closed, seed)
		if nFixed > 0 {
			phi = func(v *mat.Dense) (*mat.Dense, error) {
				f, _, err := tr.Encoder.FixedFeatures(v)
				return f, err
			}
			ckey += "/" + enc // φ is the encoder's own
			row.FeatureSpace = true
		}
		e := closed[ckey]
		if e == nil && !closedOff {
			views, g, err := data.MakeViews(raw.X, 2, aug, seed)
			if err != nil {
				return row, errorf("e6", "views", cfg.Aug, err)
			}
			if phi != nil {
				if views, err = phi(views); err != nil {
					return row, errorf("e6", enc, "features", err)
				}
			}
			scaleToUnitDegree(g)
			b := &builtGraph{Spec: GraphSpec{Name: "augment", Kind: "augment", Aug: cfg.Aug}, G: g, X: views, Orig: phiX, Views: 2}
			if e, err = embed(b, MethodSpec{Name: l.closed, Loss: l.closed, Gamma: 0.5}, closedform.Linear, cfg.K, cfg.Refine, seed); err != nil {
				return row, err
			}
			closed[ckey] = e
		}
		if closedOff {
			row.ClosedNotRun++
		} else {
			row.ClosedFit = append(row.ClosedFit, e.Fit)
			if !e.Fit.usable() {
				row.Status = e.Fit.Status
			}
		}
		trIdx, teIdx, err := eval.StratifiedSplit(raw.Y, 0.8, seed)
		if err != nil {
			return row, errorf("e6", "split", seed, err)
		}
		acc := func(z *mat.Dense) (float64, error) {
			r, err := eval.Evaluate(z, raw.Y, eval.Protocol{Probe: "logistic", Scale: eval.GlobalScale, GradTol: ProbeGradTol, TrainIdx: trIdx, TestIdx: teIdx,
				LabelsPerClass: cfg.Labels, Seeds: 1, Seed: seed})
			if err != nil {
				return 0, errorf("e6", enc, "probe", err)
			}
			return r.Mean, nil
		}
		at, err := acc(zt)
		if err != nil {
			return row, err
		}
		row.Trained = append(row.Trained, Num(at))
		if !closedOff {
			ac, err := acc(e.Z)
			if err != nil {
				return row, err
			}
			row.Closed = append(row.Closed, Num(ac))
			maxA, meanA := angles(zt, e.Z)
			row.MaxAngle, row.MeanAngle = append(row.MaxAngle, maxA), append(row.MeanAngle, meanA)
		}
		if cfg.Draws > 0 && slices.Contains(closedform.StatsLosses(), l.closed) {
			ekey := "expected/" + ckey
			ze := closed[ekey]
			if ze == nil {
				if ze, err = expectedClosedForm(raw.X, phiX, phi, aug, l.closed, cfg, seed); err != nil {
					return row, err
				}
				closed[ekey] = ze
			}
			ae, err := acc(ze.Z)
			if err != nil {
				return row, err
			}
			maxE, meanE := angles(zt, ze.Z)
			row.Expected = append(row.Expected, Num(ae))
			row.ExpectedForm = "characterisation"
			if ze.Exact {
				row.ExpectedForm = StatusExact
			}
			row.ExpectedMaxAngle, row.ExpectedMeanAngle = append(row.ExpectedMaxAngle, maxE), append(row.ExpectedMeanAngle, meanE)
		}
		gn := nan()
		if len(tr.History) > 0 {
			gn = Num(tr.History[len(tr.History)-1].GradNorm)
		}
		row.FinalLoss, row.FinalGradNorm = append(row.FinalLoss, Num(tr.Loss)), append(row.FinalGradNorm, gn)
		row.TrainStatus = append(row.TrainStatus, tr.Status.String())
	}
	return row, nil
}

// angles returns the largest and the mean principal angle (degrees)
// between the column spans of the centred a and b (NaN when undefined).
func angles(a, b *mat.Dense) (maxA, meanA Num) {
	ang, err := linalg.PrincipalAngles(linalg.CenterColumns(a), linalg.CenterColumns(b))
	if err != nil || len(ang) == 0 {
		return nan(), nan()
	}
	var sum float64
	for _, v := range ang {
		sum += v
	}
	return Num(ang[len(ang)-1] * 180 / math.Pi), Num(sum / float64(len(ang)) * 180 / math.Pi)
}

// expectedClosedForm is the linear closed form of loss on the expected
// views graph of x under aug: the statistics of cfg.Draws draws of V = 2
// views (the seeds of train's steps 1..Draws with this replicate's seed),
// mapped by phi when it is not nil (phiX = phi(x)), solved by
// closedform.SolveStats and applied to phiX.
func expectedClosedForm(x, phiX *mat.Dense, phi func(*mat.Dense) (*mat.Dense, error), aug data.Augmenter, lossName string, cfg E6Config, seed uint64) (*embedding, error) {
	_, d := phiX.Dims()
	st, err := closedform.NewStats(d)
	if err != nil {
		return nil, errorf("e6", "stats", d, err)
	}
	rel := closedform.StreamRelation{Kind: graph.ViewsRelation, V: 2, Augment: aug, Seed: seed, Draws: cfg.Draws, Features: phi}
	if err := rel.Absorb(st, x, 0, nil, nil); err != nil {
		return nil, errorf("e6", "stats", cfg.Aug, err)
	}
	sol, err := closedform.SolveStats(closedform.Problem{Loss: lossName, K: cfg.K, Gamma: 0.5}, st)
	if err != nil {
		return nil, errorf("e6", "expected", lossName, err)
	}
	return &embedding{Z: closedform.Affine(phiX, sol.W, sol.Bias), Exact: sol.Exact}, nil
}

// name is the loss with its parameters.
func (r E6Row) name() string {
	if s, ok := r.LossParams[loss.ParamSimCoeff]; ok {
		return fmt.Sprintf("%s sim=%g", r.Loss, s)
	}
	return r.Loss
}

// summaryTable is E6's table of the summary.
func (r *E6Result) summaryTable() Table {
	t := Table{Title: fmt.Sprintf("E6 encoders trained by package train (official losses, fresh views each step, %d epochs, %d replicates) vs the linear closed form of the same G (%s labels/class)", r.Config.Epochs, r.Config.Seeds, labelsName(r.Config.Labels)),
		Left: 2, Head: []string{"encoder", "loss", "closed form", "acc trained", "acc closed", "max angle", "mean angle", "acc expected", "max / mean angle to expected"}}
	for _, x := range r.Rows {
		t.Rows = append(t.Rows, []string{x.Encoder, x.name(), x.closedName(), f3(Num(meanOf(x.Trained))), f3(Num(meanOf(x.Closed))),
			fmt.Sprintf("%.0f°", meanOf(x.MaxAngle)), fmt.Sprintf("%.0f°", meanOf(x.MeanAngle)), expectedCell(f3(Num(meanOf(x.Expected)))+x.expectedMark(), x.Expected),
			expectedCell(fmt.Sprintf("%.0f° / %.0f°", meanOf(x.ExpectedMaxAngle), meanOf(x.ExpectedMeanAngle)), x.Expected)})
	}
	return t
}

// closedName names the closed form compared with, its space and, when
// not converged, its status.
func (r E6Row) closedName() string {
	cf := r.ClosedForm
	if r.FeatureSpace {
		cf += " in φ(x)"
	}
	if r.Status != StatusConverged {
		cf += " (" + r.Status + ")"
	}
	if r.ClosedNotRun > 0 {
		cf += fmt.Sprintf(" [%d of %d replicates]", len(r.ClosedFit), len(r.ClosedFit)+r.ClosedNotRun)
	}
	return cf
}

// expectedMark flags an expected-graph optimum that is a characterisation,
// not a proven closed form.
func (r E6Row) expectedMark() string {
	if r.ExpectedForm == StatusExact {
		return ""
	}
	return " (char.)"
}

// expectedCell is s, or "–" for a row without an expected-graph closed
// form.
func expectedCell(s string, v []Num) string {
	if len(v) == 0 {
		return "–"
	}
	return s
}

func (r *E6Result) section() section {
	t := Table{Title: "E6 per cell (mean [95% CI] over training replicates)", Head: []string{"encoder", "loss", "closed form", "acc trained", "acc closed form", "largest angle (deg)", "mean angle (deg)",
		"acc expected-graph closed form", "largest / mean angle to it (deg)", "final training loss", "seconds"}}
	for _, x := range r.Rows {
		t.Rows = append(t.Rows, []string{x.Encoder, x.name(), x.closedName(), ciString(x.Trained), ciString(x.Closed), ciString(x.MaxAngle), ciString(x.MeanAngle),
			expectedCell(ciString(x.Expected)+x.expectedMark(), x.Expected), expectedCell(ciString(x.ExpectedMaxAngle)+" / "+ciString(x.ExpectedMeanAngle), x.Expected), ciString(x.FinalLoss), f3(x.Seconds)})
	}
	return section{ID: "e6", Title: "E6 Real encoders", Intro: fmt.Sprintf("Encoders (linear, MLP and random-Fourier-feature) trained by package train with the official losses (VICReg with an invariance-coefficient sweep, BarlowTwins, NT-Xent) by minibatch Adam on fresh augmented views at every step, compared with the linear-regime closed form of the views graph of the same augmentation (one draw, and, for VICReg and BarlowTwins, the expected graph averaged over Draws draws with the views training saw at its first steps): probe accuracy of each, and the principal angles between the trained representation and the closed form's. VICReg official is compared with the hard-constraint VICReg closed form (its std and cov terms approximate the whitening constraint), BarlowTwins with graph CCA, NT-Xent with the minimised SimCLR characterisation. For an encoder rff:M|linear:K, trained only after its fixed random features φ, the closed forms are those of the linear regime in feature space (design φ(x), marked \"in φ(x)\"). Large angles mean the trained encoder did not reach the closed form's subspace. Closed forms are computed in waves of %d replicates; once a wave holds an unusable one (not converged, stalled), the other replicates are trained and probed without a closed form, and the closed form's name says for how many replicates it was computed (\"[m of n replicates]\").", replicateWave),
		Tables: []Table{t}}
}
