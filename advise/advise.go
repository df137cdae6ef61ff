package advise

import (
	"fmt"
	"io"
	"log/slog"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/eigenssl/eigenssl/closedform"
	"github.com/eigenssl/eigenssl/data"
	"github.com/eigenssl/eigenssl/eval"
	"github.com/eigenssl/eigenssl/graph"
	"github.com/eigenssl/eigenssl/linalg"
	"gonum.org/v1/gonum/mat"
)

// Defaults of Settings; the zero value of a field means its default.
const (
	DefaultK               = 8
	DefaultResamples       = 20
	DefaultProbe           = "logistic"
	DefaultRefineIter      = 500
	DefaultRefineTol       = 1e-6
	DefaultRefineRows      = 2000
	DefaultContrastiveRows = 400
	DefaultRefineDims      = 64
	DefaultKNN             = 10
	DefaultAgreementRows   = 500
	DefaultLaplacianValues = 50
	// MaxKernelRows bounds N in the kernel regime (N x N kernel, O(N³)
	// solves).
	MaxKernelRows = 4000
)

// Settings configure Advise. The zero value of every field means its
// documented default.
type Settings struct {
	// Regime is closedform.Linear (default) or closedform.Kernel (RBF
	// kernel of bandwidth Sigma, 0: median heuristic; N <= MaxKernelRows).
	Regime string
	Sigma  float64
	// Landmarks, when > 0 (kernel regime only, 2 <= Landmarks <= N),
	// replaces the N x N kernel by the Nyström feature map of that many
	// seeded landmark rows and solves the linear regime on the features
	// (nystromInput): O(N m) memory and O(N m² + m³) time, so any N.
	Landmarks int
	// K is the representation dimension (DefaultK).
	K int
	// Gammas, Taus and Alphas are the fixed VICReg, SimCLR and BarlowTwins
	// grids (nil: DefaultGammas, DefaultTaus, DefaultAlphas); VICReg also
	// gets GammaGrid of the rank thresholds. Candidates, when non-nil,
	// replaces the whole grid.
	Gammas, Taus, Alphas []float64
	Candidates           []Candidate
	// LabelsPerClass > 0 keeps that many labelled samples per class (drawn
	// with Seed) and ignores the other labels; 0 uses every label given.
	LabelsPerClass int
	// Resamples is the number of stratified half splits of the labelled
	// subset the probe is cross-validated on (DefaultResamples).
	Resamples int
	// Probe is an eval probe name (DefaultProbe).
	Probe string
	// RefineIter caps the L-BFGS iterations refining approximate optima
	// (DefaultRefineIter; negative: no refinement), RefineTol is the
	// relative gradient tolerance (DefaultRefineTol), RefineRows and
	// RefineDims bound the rows and parameter directions used (see
	// refiner).
	RefineIter int
	RefineTol  float64
	RefineRows int
	RefineDims int
	// ContrastiveRows bounds the rows of the SimCLR refinement, whose loss
	// costs O(rows² K) (DefaultContrastiveRows).
	ContrastiveRows int
	// KNN, AgreementRows and LaplacianValues size the diagnostics.
	KNN, AgreementRows, LaplacianValues int
	// Seed fixes every random choice.
	Seed uint64
	// Progress receives a progress bar when it is a terminal (default
	// os.Stderr); Logger receives slog records (default slog.Default()).
	Progress io.Writer
	Logger   *slog.Logger
}

func (s Settings) withDefaults() Settings {
	if s.Regime == "" {
		s.Regime = closedform.Linear
	}
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(&s.K, DefaultK)
	def(&s.Resamples, DefaultResamples)
	def(&s.RefineIter, DefaultRefineIter)
	def(&s.RefineRows, DefaultRefineRows)
	def(&s.RefineDims, DefaultRefineDims)
	def(&s.ContrastiveRows, DefaultContrastiveRows)
	def(&s.KNN, DefaultKNN)
	def(&s.AgreementRows, DefaultAgreementRows)
	def(&s.LaplacianValues, DefaultLaplacianValues)
	if s.RefineTol == 0 {
		s.RefineTol = DefaultRefineTol
	}
	if s.Probe == "" {
		s.Probe = DefaultProbe
	}
	if s.Gammas == nil {
		s.Gammas = DefaultGammas
	}
	if s.Taus == nil {
		s.Taus = DefaultTaus
	}
	if s.Alphas == nil {
		s.Alphas = DefaultAlphas
	}
	if s.Logger == nil {
		s.Logger = slog.Default()
	}
	return s
}

func (s Settings) validate(op string) error {
	if s.Regime != closedform.Linear && s.Regime != closedform.Kernel {
		return newErr(op, "regime", s.Regime, ErrParam, "want %s or %s", closedform.Linear, closedform.Kernel)
	}
	for _, v := range []struct {
		name string
		val  int
	}{{"K", s.K}, {"resamples", s.Resamples}, {"refine rows", s.RefineRows}, {"contrastive rows", s.ContrastiveRows}, {"refine dims", s.RefineDims},
		{"knn", s.KNN}, {"agreement rows", s.AgreementRows}, {"laplacian values", s.LaplacianValues}} {
		if v.val < 1 {
			return newErr(op, v.name, v.val, ErrParam, "must be positive")
		}
	}
	if s.Landmarks < 0 || s.Landmarks == 1 {
		return newErr(op, "landmarks", s.Landmarks, ErrParam, "want 0 (exact kernel) or at least 2")
	}
	if s.LabelsPerClass < 0 {
		return newErr(op, "labels per class", s.LabelsPerClass, ErrParam, "must be >= 0")
	}
	if !(s.RefineTol > 0) || !(s.Sigma >= 0) || math.IsInf(s.Sigma, 0) {
		return newErr(op, "refine tol/sigma", []float64{s.RefineTol, s.Sigma}, ErrParam, "must be positive (sigma >= 0) and finite")
	}
	for name, g := range map[string][]float64{"gamma": s.Gammas, "tau": s.Taus, "alpha": s.Alphas} {
		for _, v := range g {
			if !(v > 0) || math.IsInf(v, 0) {
				return newErr(op, name, v, ErrParam, "grid values must be positive and finite")
			}
		}
	}
	for _, c := range s.Candidates {
		if err := c.check(op); err != nil {
			return err
		}
	}
	if _, err := eval.NewClassifier(eval.Protocol{Probe: s.Probe}); err != nil {
		return wrap(op, "probe", s.Probe, ErrParam, err)
	}
	return nil
}

// Interval summarises the probe accuracy of one candidate over the
// resampled splits of the labelled subset.
type Interval struct {
	// Mean and Std (1/(R−1)) of the R split accuracies; Low and High are
	// their 2.5% and 97.5% quantiles (the spread of a single split, not a
	// confidence interval of the mean); SE = Std/√R.
	Mean       float64   `json:"mean"`
	Std        float64   `json:"std"`
	SE         float64   `json:"se"`
	Low        float64   `json:"low"`
	High       float64   `json:"high"`
	Accuracies []float64 `json:"accuracies"`
}

// Result is the adviser's finding for one candidate.
type Result struct {
	Candidate
	// Exact: Z* is a proven global minimiser. Otherwise Refined tells
	// whether the characterisation was refined and Converged whether the
	// refinement met its tolerance within its budget.
	Exact   bool `json:"exact"`
	Refined bool `json:"refined"`
	// Degenerate: the K-th eigenvalue of the closed form's operator is
	// tied with the next one, so the optimal subspace is not unique and the
	// accuracy is that of one arbitrary choice among optima.
	Degenerate bool `json:"degenerate"`
	Converged  bool `json:"converged"`
	Iterations int  `json:"iterations,omitempty"`
	// Status is closedform's: "exact", "converged", "infimum" (linear
	// SimCLR's limit point, see closedform.MinimizeLimit), "iteration_limit"
	// or "failed" (stalled without meeting the tolerance);
	// "characterisation" when an approximate optimum was not refined.
	Status   string  `json:"status"`
	GradNorm float64 `json:"grad_norm,omitempty"`
	// LossValue is the loss at the optimum (on the refinement subsample for
	// refined candidates; NaN, written null, when unknown).
	LossValue data.JSONFloat `json:"loss_value"`
	// Rank is the predicted rank of Z* (exact) or the number of singular
	// values of the centred samples' representation above
	// closedform.OptimumRankTol·σ₁ (approximate); Collapse = K − Rank;
	// EffectiveRank is exp(entropy of the normalised singular values) of
	// the centred representation.
	Rank          int     `json:"rank"`
	Collapse      int     `json:"collapse"`
	EffectiveRank float64 `json:"effective_rank"`
	// Accuracy is the cross-validated probe accuracy on the labelled subset
	// (nil without labels).
	Accuracy *Interval `json:"accuracy,omitempty"`
	Note     string    `json:"note"`

	z *mat.Dense // samples' representation (S x K)
}

// Report is the outcome of Advise.
type Report struct {
	Regime string `json:"regime"`
	// Landmarks and Features describe the Nyström kernel regime: the
	// landmark rows and the feature columns kept (0 otherwise).
	Landmarks int    `json:"landmarks,omitempty"`
	Features  int    `json:"features,omitempty"`
	Relation  string `json:"relation"`
	// N rows of G, D columns of X, S samples, K output dimensions.
	N int `json:"n"`
	D int `json:"d"`
	S int `json:"samples"`
	K int `json:"k"`
	// Labelled is the size of the labelled subset (0: no labels), Classes
	// its number of classes, Probe the probe and Resamples the splits.
	Labelled  int    `json:"labelled"`
	Classes   int    `json:"classes"`
	Probe     string `json:"probe"`
	Resamples int    `json:"resamples"`
	// Diagnostics are label-free.
	Diagnostics *Diagnostics `json:"diagnostics"`
	// Results are ranked by predicted accuracy (best first) when labels
	// were given, in grid order otherwise.
	Results []Result `json:"results"`
	// Recommended indexes Results (−1: no recommendation, without labels or
	// when no candidate converged); Reason says why in words.
	Recommended int    `json:"recommended"`
	Reason      string `json:"reason"`
	// Seconds is the wall time of Advise.
	Seconds float64 `json:"seconds"`
}

// Best returns the recommended result, or nil.
func (r *Report) Best() *Result {
	if r.Recommended < 0 || r.Recommended >= len(r.Results) {
		return nil
	}
	return &r.Results[r.Recommended]
}

// Advise computes, for every candidate loss and hyper-parameter, the optimal
// representation of the input in the requested regime (closedform.Solve,
// exact where it is exact; the characterisation refined by L-BFGS
// otherwise, with its convergence recorded), and
//
//   - with labels (one per sample, negative for unlabelled; see Input):
//     the probe accuracy of each optimum cross-validated on the labelled
//     subset alone, over Settings.Resamples stratified half splits, and a
//     ranking with a recommendation and its reason;
//   - always: the label-free Diagnostics and each candidate's predicted
//     rank and collapse.
//
// Labels are read only by the probe: G, the closed forms and the
// diagnostics are computed before the labels are looked at and do not
// depend on them (the unlabelled rows do enter the closed forms).
//
// Cost (linear regime, N rows, D columns): one O(N D² + D³) VICReg solve
// for every γ, one per other loss family, refinements bounded by
// RefineIter · RefineRows · (RefineDims + K) · K (SimCLR: RefineRows² K),
// and O(AgreementRows · N · D) for the kNN agreement.
func Advise(in *Input, labels []int, s Settings) (*Report, error) {
	const op = "run"
	start := time.Now()
	s = s.withDefaults()
	if err := s.validate(op); err != nil {
		return nil, err
	}
	if in == nil || in.X == nil || in.G == nil {
		return nil, newErr(op, "input", nil, ErrEmpty, "")
	}
	n, d := in.X.Dims()
	if in.G.N != n {
		return nil, newErr(op, "G", in.G.N, ErrShape, "G has %d vertices, X has %d rows", in.G.N, n)
	}
	if in.Owner != nil && len(in.Owner) != n {
		return nil, newErr(op, "owner", len(in.Owner), ErrShape, "want one owner per row (%d)", n)
	}
	if in.Samples != nil {
		if _, sd := in.Samples.Dims(); sd != d {
			return nil, newErr(op, "samples", sd, ErrShape, "samples have %d columns, X has %d", sd, d)
		}
	}
	ns := in.NumSamples()
	if labels != nil && len(labels) != ns {
		return nil, newErr(op, "labels", len(labels), ErrLabels, "%d labels for %d samples", len(labels), ns)
	}
	switch {
	case s.Landmarks > 0 && s.Regime != closedform.Kernel:
		return nil, newErr(op, "landmarks", s.Landmarks, ErrParam, "landmarks need the %s regime", closedform.Kernel)
	case s.Landmarks > n:
		return nil, newErr(op, "landmarks", s.Landmarks, ErrParam, "at most N = %d rows can be landmarks", n)
	case s.Regime == closedform.Kernel && s.Landmarks == 0 && n > MaxKernelRows:
		return nil, newErr(op, "regime", s.Regime, ErrParam, "the kernel regime needs N <= %d rows (N x N kernel), got %d; set landmarks for the Nyström kernel regime", MaxKernelRows, n)
	}
	log := s.Logger
	rep := &Report{Regime: s.Regime, Landmarks: s.Landmarks, Relation: in.Relation, N: n, D: d, S: ns, K: s.K, Probe: s.Probe, Recommended: -1}
	log.Info("advise: start", "rows", n, "cols", d, "samples", ns, "regime", s.Regime, "landmarks", s.Landmarks, "k", s.K)

	dg, err := diagnose(in, s)
	if err != nil {
		return nil, wrap(op, "G", nil, ErrSolve, err)
	}
	rep.Diagnostics = dg
	log.Info("advise: diagnostics", "components", dg.Components, "knn_recall", dg.KNNRecall)

	// The closed forms' input: X (linear), its N x N kernel (kernel) or
	// its Nyström features (kernel with landmarks, solved as linear).
	base := closedform.Problem{Regime: s.Regime, G: in.G, K: s.K, Seed: s.Seed}
	design := in.X
	switch {
	case s.Landmarks > 0:
		if in, err = nystromInput(in, s.Landmarks, s.Sigma, s.Seed); err != nil {
			return nil, wrap(op, "landmarks", s.Landmarks, ErrSolve, err)
		}
		_, rep.Features = in.X.Dims()
		base.Regime, base.X, design = closedform.Linear, in.X, in.X
		log.Info("advise: nystrom features", "landmarks", s.Landmarks, "features", rep.Features)
	case s.Regime == closedform.Kernel:
		if design, err = closedform.RBFKernel(in.X, s.Sigma); err != nil {
			return nil, wrap(op, "X", nil, ErrSolve, err)
		}
		base.KernelMatrix = design
	default:
		base.X = in.X
	}
	sv := newSolver(base, design, s)
	spec, err := sv.vicregSpectrum()
	if err != nil {
		return nil, wrap(op, "vicreg", nil, ErrSolve, err)
	}
	dg.Operator = spec
	dg.Thresholds = thresholds(spec, s.K)
	dg.describe(s.K, d, s.Regime)
	if strings.HasPrefix(in.Relation, string(graph.LabelsRelation)) {
		dg.Lines = append(dg.Lines, Line{"relation from labels", in.Relation,
			"G was built from labels: if they include the labelled samples' labels, every cross-validated accuracy is optimistic (the held-out labels shaped the representation)"})
	}

	cands := s.Candidates
	if cands == nil {
		cands = grid(dg.Thresholds, s.Gammas, s.Taus, s.Alphas)
	}
	bar := newBar(s.Progress, len(cands), "advise")
	for _, c := range cands {
		t0 := time.Now()
		o, err := sv.solve(c)
		if err != nil {
			return nil, wrap(op, "candidate", c.String(), ErrSolve, err)
		}
		r := Result{Candidate: c, Exact: o.exact, LossValue: data.JSONFloat(o.loss), Rank: o.rank, Note: o.note, Degenerate: o.degenerate}
		switch {
		case o.refine != nil:
			r.Refined, r.Converged, r.Iterations, r.GradNorm = true, o.refine.Converged, o.refine.Iterations, o.refine.GradNorm
			r.Status = string(o.refine.Status)
		case o.exact:
			r.Status = string(closedform.StatusExact)
		default:
			r.Status = "characterisation"
		}
		r.z = sampleRep(in, design, o.w, o.bias)
		zc := linalg.CenterColumns(r.z)
		sing, _ := eval.SingularValues(zc)
		if !o.exact {
			// closedform's rank rule for approximate optima.
			r.Rank = linalg.RankOf(sing, closedform.OptimumRankTol)
		}
		r.Collapse = s.K - r.Rank
		if er, err := eval.EffectiveRank(zc); err == nil {
			r.EffectiveRank = er
		}
		rep.Results = append(rep.Results, r)
		log.Debug("advise: candidate", "candidate", c.String(), "rank", r.Rank, "exact", r.Exact, "converged", r.Converged, "seconds", time.Since(t0).Seconds())
		bar.add()
	}
	bar.finish()

	if labels != nil {
		if err := rep.predict(labels, s); err != nil {
			return nil, err
		}
		rep.rank()
	}
	rep.explain()
	rep.Seconds = time.Since(start).Seconds()
	log.Info("advise: done", "seconds", rep.Seconds, "recommended", rep.recommendedName())
	return rep, nil
}

// sampleRep returns the samples' representation: Samples·W + b when the
// input has samples and the design is X, else the mean over each sample's
// rows of design·W + b.
func sampleRep(in *Input, design, w *mat.Dense, bias []float64) *mat.Dense {
	_, k := w.Dims()
	addBias := func(z *mat.Dense) *mat.Dense {
		if bias == nil {
			return z
		}
		r, _ := z.Dims()
		for i := 0; i < r; i++ {
			row := z.RawRowView(i)
			for j := range row {
				row[j] += bias[j]
			}
		}
		return z
	}
	if in.Samples != nil && design == in.X {
		r, _ := in.Samples.Dims()
		z := mat.NewDense(r, k, nil)
		z.Mul(in.Samples, w)
		return addBias(z)
	}
	n, _ := design.Dims()
	zr := mat.NewDense(n, k, nil)
	zr.Mul(design, w)
	addBias(zr)
	if in.Owner == nil {
		return zr
	}
	ns := in.NumSamples()
	z := mat.NewDense(ns, k, nil)
	cnt := make([]float64, ns)
	for i, o := range in.Owner {
		cnt[o]++
		row := z.RawRowView(o)
		for j, v := range zr.RawRowView(i) {
			row[j] += v
		}
	}
	for o := 0; o < ns; o++ {
		if cnt[o] > 0 {
			row := z.RawRowView(o)
			for j := range row {
				row[j] /= cnt[o]
			}
		}
	}
	return z
}

// predict cross-validates the probe on the labelled subset.
func (rep *Report) predict(labels []int, s Settings) error {
	const op = "run"
	var idx []int
	for i, y := range labels {
		if y >= 0 {
			idx = append(idx, i)
		}
	}
	if s.LabelsPerClass > 0 {
		var err error
		if idx, err = eval.LabelsPerClass(labels, idx, s.LabelsPerClass, s.Seed); err != nil {
			return wrap(op, "labels per class", s.LabelsPerClass, ErrLabels, err)
		}
	}
	yl := make([]int, len(idx))
	classes := map[int]int{}
	for t, i := range idx {
		yl[t] = labels[i]
		classes[labels[i]]++
	}
	if len(classes) < 2 {
		return newErr(op, "labels", len(classes), ErrLabels, "need labelled samples of at least 2 classes")
	}
	for c, m := range classes {
		if m < 2 {
			return newErr(op, "labels", c, ErrLabels, "class %d has %d labelled sample(s); cross-validation needs at least 2 per class", c, m)
		}
	}
	rep.Labelled, rep.Classes, rep.Resamples = len(idx), len(classes), s.Resamples
	// eval.Evaluate's protocol on the labelled rows: Resamples stratified
	// half splits, split r seeded by Seed + r.
	p := eval.Protocol{Probe: s.Probe, Split: 0.5, Seeds: s.Resamples, Seed: s.Seed}
	for ci := range rep.Results {
		res := &rep.Results[ci]
		_, k := res.z.Dims()
		zl := mat.NewDense(len(idx), k, nil)
		for t, i := range idx {
			zl.SetRow(t, res.z.RawRowView(i))
		}
		ev, err := eval.Evaluate(zl, yl, p)
		if err != nil {
			return wrap(op, "probe", res.Candidate.String(), ErrLabels, err)
		}
		acc := ev.Accuracies
		res.Accuracy = &Interval{Mean: ev.Mean, Std: ev.Std, SE: ev.Std / math.Sqrt(float64(len(acc))),
			Low: quantile(acc, 0.025), High: quantile(acc, 0.975), Accuracies: acc}
	}
	return nil
}

// rank sorts the results by predicted accuracy (stable: grid order breaks
// ties) and recommends the best candidate that is exact or converged.
func (rep *Report) rank() {
	sort.SliceStable(rep.Results, func(a, b int) bool {
		return rep.Results[a].Accuracy.Mean > rep.Results[b].Accuracy.Mean
	})
	for i, r := range rep.Results {
		if (r.Exact || r.Converged) && !r.Degenerate {
			rep.Recommended = i
			return
		}
	}
}

func (rep *Report) recommendedName() string {
	if b := rep.Best(); b != nil {
		return b.Candidate.String()
	}
	return "none"
}

// explain writes rep.Reason.
func (rep *Report) explain() {
	dg := rep.Diagnostics
	b := rep.Best()
	if b == nil {
		if rep.Labelled == 0 {
			rep.Reason = "no labels: diagnostics only (give a few labels per class to rank the candidates)"
		} else {
			rep.Reason = "no candidate is exact or converged with a unique optimal subspace: no recommendation"
		}
		return
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "%s has the highest cross-validated %s accuracy on the %d labelled samples, %.3f (spread %.3f–%.3f over %d splits)",
		b.Candidate, rep.Probe, rep.Labelled, b.Accuracy.Mean, b.Accuracy.Low, b.Accuracy.High, rep.Resamples)
	// Runner-up of another family, with the paired win rate.
	for i := range rep.Results {
		o := &rep.Results[i]
		if i == rep.Recommended || o.Candidate.Loss == b.Candidate.Loss && !(o.Candidate.Loss == closedform.VICReg && o.Rank != b.Rank) {
			continue
		}
		wins := 0
		for r := range b.Accuracy.Accuracies {
			if b.Accuracy.Accuracies[r] > o.Accuracy.Accuracies[r] {
				wins++
			}
		}
		fmt.Fprintf(&sb, "; next %s %.3f (the pick is ahead on %d of %d splits)", o.Candidate, o.Accuracy.Mean, wins, len(b.Accuracy.Accuracies))
		break
	}
	if b.Candidate.Loss == closedform.VICReg {
		below := 0
		for _, t := range dg.Thresholds {
			if b.Value < t {
				below++
			}
		}
		fmt.Fprintf(&sb, "; γ = %.3g keeps %d of %d directions", b.Value, b.Rank, rep.K)
		if len(dg.Thresholds) > 0 {
			ts := slices.Clone(dg.Thresholds)
			slices.Sort(ts)
			switch {
			case below == len(ts):
				fmt.Fprintf(&sb, " (below every rank threshold, the smallest 1/λ = %.3g)", ts[0])
			case below == 0:
				fmt.Fprintf(&sb, " (above every rank threshold, the largest 1/λ = %.3g: only directions G leaves invariant remain)", ts[len(ts)-1])
			default:
				fmt.Fprintf(&sb, " (between thresholds %.3g and %.3g: the gap in the operator spectrum λ = %.3g | %.3g)",
					ts[len(ts)-below-1], ts[len(ts)-below], 1/ts[len(ts)-below-1], 1/ts[len(ts)-below])
			}
		}
	} else {
		fmt.Fprintf(&sb, "; its optimum has rank %d of %d", b.Rank, rep.K)
	}
	fmt.Fprintf(&sb, "; G has %d components (effective %.3g) and %.0f%% of its edge weight joins %d-nearest neighbours of X (chance %.2g%%)",
		dg.Components, dg.EffectiveComponents, 100*float64(dg.KNNRecall), dg.KNN, 100*dg.KNNChance)
	if !b.Exact {
		fmt.Fprintf(&sb, "; approximate optimum (%s)", b.Note)
	}
	rep.Reason = sb.String()
}
