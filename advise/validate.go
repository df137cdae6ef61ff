package advise

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math"
	"text/tabwriter"
	"time"

	"github.com/eigenssl/eigenssl/closedform"
	"github.com/eigenssl/eigenssl/data"
	"github.com/eigenssl/eigenssl/eval"
	"github.com/eigenssl/eigenssl/linalg"
	"github.com/eigenssl/eigenssl/loss"
	"github.com/eigenssl/eigenssl/train"
	"gonum.org/v1/gonum/mat"
)

// Pair is one candidate in both worlds: the closed-form loss the adviser
// solves and the official loss an encoder is trained with.
type Pair struct {
	Candidate Candidate          `json:"candidate"`
	Loss      string             `json:"trained_loss"`
	Params    map[string]float64 `json:"trained_params"`
	// Policy names the fixed policy this pair represents ("vicreg" for
	// VICReg with the official coefficients, "simclr" for SimCLR with
	// τ = 0.1), or "".
	Policy string `json:"policy,omitempty"`
}

// VICRegOfficialGamma returns the smooth-VICReg γ paired with the official
// VICReg coefficients: γ = 4 sim_coeff/std_coeff. Per direction of
// variance s and Laplacian energy λ (both losses normalised per dimension),
// the official loss std(1 − √s) + 2 sim λ s starts shrinking a direction at
// λ = std/(4 sim), and the smooth surrogate (s − 1)² + 2γλs removes it at
// λ = 1/γ; matching the two scales gives the map. It is a qualitative
// correspondence (the hinge never removes a direction completely, and
// trained encoders are not linear), so the official coefficients (25, 25,
// 1) pair with γ = 4.
func VICRegOfficialGamma(sim, std float64) float64 { return 4 * sim / std }

// DefaultPairs returns the validation candidates: VICReg at three
// invariance weights (the official coefficients, γ = 4, in the middle; see
// VICRegOfficialGamma), SimCLR at τ = 0.1 and 0.5, BarlowTwins with the
// official λ, and spectral contrastive.
func DefaultPairs() []Pair {
	vic := func(sim float64) (Candidate, map[string]float64) {
		return Candidate{closedform.VICReg, "gamma", VICRegOfficialGamma(sim, loss.DefaultStdCoeff)},
			map[string]float64{loss.ParamSimCoeff: sim, loss.ParamStdCoeff: loss.DefaultStdCoeff, loss.ParamCovCoeff: loss.DefaultCovCoeff}
	}
	var out []Pair
	for _, sim := range []float64{loss.DefaultSimCoeff / 10, loss.DefaultSimCoeff, loss.DefaultSimCoeff * 10} {
		c, p := vic(sim)
		policy := ""
		if sim == loss.DefaultSimCoeff {
			policy = "vicreg"
		}
		out = append(out, Pair{c, loss.NameVICRegOfficial, p, policy})
	}
	return append(out,
		Pair{Candidate{closedform.SimCLR, "tau", 0.1}, loss.NameNTXent, map[string]float64{loss.ParamTau: 0.1}, "simclr"},
		Pair{Candidate{closedform.SimCLR, "tau", 0.5}, loss.NameNTXent, map[string]float64{loss.ParamTau: 0.5}, ""},
		Pair{Candidate{closedform.BarlowTwins, "alpha", 0.0051}, loss.NameBarlowTwinsOfficial, map[string]float64{loss.ParamLambd: 0.0051}, ""},
		Pair{Candidate{Loss: closedform.SpectralContrastive}, loss.NameSpectralContrastive, nil, ""},
	)
}

// Case is one validation data set with a views relation of known
// alignment with the labels.
type Case struct {
	Name string
	// Alignment is "aligned", "misaligned" or "partial" (by construction).
	Alignment string
	// Latent marks the latent-factor cases the Spearman goal is stated for.
	Latent bool
	X      *mat.Dense
	Y      []int
	Aug    data.Augmenter
}

// LatentCase returns the latent-factor data set of E7 (2 class, 4 nuisance
// latents in 8 ambient dimensions, 4 classes) with views that resample the
// nuisance latents (aligned) or, with probability prob, the class latents
// (misaligned; 0 < prob < 1 keeps some class information in G).
func LatentCase(n int, class bool, prob float64, seed uint64) (Case, error) {
	ds, err := data.Latent(n, data.LatentConfig{ClassDims: 2, NuisanceDims: 4, AmbientDim: 8, Seed: seed})
	if err != nil {
		return Case{}, err
	}
	aug := data.ResampleLatent{Model: ds.Latent, Class: class, Prob: prob}
	c := Case{Name: "latent " + aug.String(), Alignment: "aligned", Latent: true, X: ds.X, Y: ds.Y, Aug: aug}
	if class {
		c.Alignment = "misaligned"
	}
	return c, nil
}

// DigitsCase returns the scikit-learn digits with the augmentation spec
// (e.g. "shift:1+noise:1"; class-preserving, so "aligned" by design).
func DigitsCase(spec string) (Case, error) {
	ds, err := data.Digits()
	if err != nil {
		return Case{}, err
	}
	aug, err := data.ParseAugmentFor(spec, ds)
	if err != nil {
		return Case{}, err
	}
	return Case{Name: "digits " + spec, Alignment: "aligned", X: ds.X, Y: ds.Y, Aug: aug}, nil
}

// ValidateSettings configure Validate; the zero value of a field means its
// default.
type ValidateSettings struct {
	// Cases to run (nil: SmallCases(Seed)).
	Cases []Case
	// Pairs compared (nil: DefaultPairs()).
	Pairs []Pair
	// Seeds is the number of training seeds per pair (default 2).
	Seeds int
	// Encoder is the nn.ParseEncoder spec of the trained encoders; its
	// output width is the K of the closed forms (default "mlp:64,8").
	Encoder string
	K       int // default 8, must match Encoder's output
	// Epochs, Batch and LR of training (defaults 20, 128, 1e-3).
	Epochs, Batch int
	LR            float64
	// LabelsPerClass labelled samples per class (default 10), the only
	// labels the adviser and the probes are fitted with; TestFraction of
	// the samples (default 0.3) is held out to measure the trained and
	// closed-form accuracies.
	LabelsPerClass int
	TestFraction   float64
	// Advise are the adviser's settings (Candidates, K, LabelsPerClass,
	// Seed and Logger are set by Validate).
	Advise Settings
	Seed   uint64
	// Progress and Logger as in Settings.
	Progress io.Writer
	Logger   *slog.Logger
}

// SmallCases returns the cases of the small E7: the latent data set with
// nuisance resampling (aligned) and class resampling at probabilities 0.3
// and 0.6 (misaligned at two strengths), n = 600 samples each.
func SmallCases(seed uint64) ([]Case, error) {
	var out []Case
	for _, c := range []struct {
		class bool
		prob  float64
	}{{false, 1}, {true, 0.3}, {true, 0.6}} {
		cs, err := LatentCase(600, c.class, c.prob, seed)
		if err != nil {
			return nil, err
		}
		out = append(out, cs)
	}
	return out, nil
}

// LargeCases returns the cases of the full E7: the latent data set with
// nuisance resampling at probabilities 1 and 0.5 and class resampling at
// 0.2, 0.4 and 0.7 (n = 1500), and the digits with a class-preserving
// shift and noise augmentation.
func LargeCases(seed uint64) ([]Case, error) {
	var out []Case
	for _, c := range []struct {
		class bool
		prob  float64
	}{{false, 1}, {false, 0.5}, {true, 0.2}, {true, 0.4}, {true, 0.7}} {
		cs, err := LatentCase(1500, c.class, c.prob, seed)
		if err != nil {
			return nil, err
		}
		out = append(out, cs)
	}
	dg, err := DigitsCase("shift:1+noise:1")
	if err != nil {
		return nil, err
	}
	return append(out, dg), nil
}

// PairResult compares the adviser's prediction for one pair with encoders
// actually trained.
type PairResult struct {
	Candidate string `json:"candidate"`
	Trained   string `json:"trained"`
	// Predicted is the adviser's cross-validated accuracy on the labelled
	// subset; ClosedFormTest the same closed-form representation probed on
	// the held-out samples.
	Predicted      float64 `json:"predicted"`
	ClosedFormTest float64 `json:"closed_form_test"`
	// TrainedAcc holds the held-out accuracy of each training seed
	// (NaN, written null, when a run diverged); TrainedMean their mean.
	TrainedAcc  []data.JSONFloat `json:"trained_acc"`
	TrainedMean data.JSONFloat   `json:"trained_mean"`
	Converged   bool             `json:"closed_form_converged"`
}

// CaseResult is the outcome of one case.
type CaseResult struct {
	Name      string       `json:"name"`
	Alignment string       `json:"alignment"`
	Latent    bool         `json:"latent"`
	Rows      []PairResult `json:"rows"`
	// Spearman correlates the adviser's predicted accuracies with the
	// trained ones over the pairs.
	Spearman data.JSONFloat `json:"spearman"`
	// Separable counts the pairs of candidates whose trained mean
	// accuracies differ by more than twice the standard error of their
	// difference over the training seeds (see separable), of Compared
	// pairs with at least two seeds each: when few are separable the
	// trained ranking, and so Spearman, is mostly seed noise.
	Separable int `json:"separable_pairs"`
	Compared  int `json:"compared_pairs"`
	// Concordant counts the separable pairs the adviser orders as the
	// trained means do (a strictly larger predicted accuracy for the
	// candidate with the larger trained mean): a ranking check restricted
	// to the differences the training seeds resolve.
	Concordant int `json:"concordant_pairs"`
	// Pick is the adviser's recommendation, Best the best trained pair;
	// the regrets are the best trained accuracy minus that of the pick and
	// of the two fixed policies.
	Pick          string         `json:"pick"`
	Best          string         `json:"best_trained"`
	AdviserRegret data.JSONFloat `json:"adviser_regret"`
	VICRegRegret  data.JSONFloat `json:"vicreg_policy_regret"`
	SimCLRRegret  data.JSONFloat `json:"simclr_policy_regret"`
}

// Validation is the outcome of Validate (experiment E7).
type Validation struct {
	Cases []CaseResult `json:"cases"`
	// Median regrets over the cases.
	MedianAdviserRegret data.JSONFloat `json:"median_adviser_regret"`
	MedianVICRegRegret  data.JSONFloat `json:"median_vicreg_policy_regret"`
	MedianSimCLRRegret  data.JSONFloat `json:"median_simclr_policy_regret"`
	// MinLatentSpearman is the smallest Spearman correlation over the
	// latent cases.
	MinLatentSpearman data.JSONFloat `json:"min_latent_spearman"`
	// RegretGoal: the adviser's median regret is below both policies';
	// SpearmanGoal: every latent case has Spearman >= 0.6.
	RegretGoal   bool `json:"regret_goal"`
	SpearmanGoal bool `json:"spearman_goal"`
	// Separable and Concordant sum CaseResult's counts over the cases:
	// of the candidate pairs the training seeds resolve, how many the
	// adviser orders as training does.
	Separable  int     `json:"separable_pairs"`
	Concordant int     `json:"concordant_pairs"`
	Seconds    float64 `json:"seconds"`
}

func (s ValidateSettings) withDefaults() ValidateSettings {
	if s.Seeds == 0 {
		s.Seeds = 2
	}
	if s.Encoder == "" {
		s.Encoder = "mlp:64,8"
	}
	if s.K == 0 {
		s.K = 8
	}
	if s.Epochs == 0 {
		s.Epochs = 20
	}
	if s.Batch == 0 {
		s.Batch = 128
	}
	if s.LR == 0 {
		s.LR = 1e-3
	}
	if s.LabelsPerClass == 0 {
		s.LabelsPerClass = 10
	}
	if s.TestFraction == 0 {
		s.TestFraction = 0.3
	}
	if s.Pairs == nil {
		s.Pairs = DefaultPairs()
	}
	if s.Logger == nil {
		s.Logger = slog.Default()
	}
	return s
}

// Validate runs experiment E7: for every case it asks the adviser to rank
// the pairs' closed-form candidates (labels: LabelsPerClass per class from
// the non-held-out samples; every sample enters G unlabelled), trains an
// encoder with each pair's official loss on fresh augmented views (Seeds
// seeds), probes every trained encoder the same way (the probe fitted on
// the same labelled samples, scored on the held-out ones), and reports
// Spearman's correlation between predicted and trained accuracies and the
// regret of the adviser's pick against the fixed policies "always VICReg
// with the official coefficients" and "always SimCLR with τ = 0.1".
func Validate(ctx context.Context, s ValidateSettings) (*Validation, error) {
	const op = "validate"
	start := time.Now()
	s = s.withDefaults()
	if s.Cases == nil {
		var err error
		if s.Cases, err = SmallCases(s.Seed); err != nil {
			return nil, wrap(op, "cases", nil, ErrParam, err)
		}
	}
	if s.Seeds < 1 || s.Epochs < 1 || s.Batch < 1 || !(s.LR > 0) || s.LabelsPerClass < 2 || !(s.TestFraction > 0 && s.TestFraction < 1) {
		return nil, newErr(op, "settings", fmt.Sprintf("seeds %d epochs %d batch %d lr %g labels %d test %g", s.Seeds, s.Epochs, s.Batch, s.LR, s.LabelsPerClass, s.TestFraction),
			ErrParam, "want seeds, epochs, batch >= 1, lr > 0, labels per class >= 2, test fraction in (0, 1)")
	}
	v := &Validation{}
	total := len(s.Cases) * len(s.Pairs) * s.Seeds
	bar := newBar(s.Progress, total, "E7")
	for ci, c := range s.Cases {
		cr, err := validateCase(ctx, c, s, uint64(ci), bar)
		if err != nil {
			return nil, err
		}
		s.Logger.Info("advise: E7 case", "case", c.Name, "spearman", float64(cr.Spearman), "pick", cr.Pick, "regret", float64(cr.AdviserRegret))
		v.Cases = append(v.Cases, *cr)
	}
	bar.finish()
	var ra, rv, rs []float64
	minSp := math.Inf(1)
	for _, c := range v.Cases {
		ra = append(ra, float64(c.AdviserRegret))
		rv = append(rv, float64(c.VICRegRegret))
		rs = append(rs, float64(c.SimCLRRegret))
		v.Separable += c.Separable
		v.Concordant += c.Concordant
		if c.Latent {
			sp := float64(c.Spearman)
			if math.IsNaN(sp) {
				sp = math.Inf(-1) // an undefined correlation does not meet the goal
			}
			minSp = math.Min(minSp, sp)
		}
	}
	v.MedianAdviserRegret, v.MedianVICRegRegret, v.MedianSimCLRRegret = data.JSONFloat(median(ra)), data.JSONFloat(median(rv)), data.JSONFloat(median(rs))
	v.MinLatentSpearman = data.JSONFloat(minSp)
	if math.IsInf(minSp, 1) {
		v.MinLatentSpearman = data.JSONFloat(math.NaN())
	}
	v.RegretGoal = median(ra) < median(rv) && median(ra) < median(rs)
	v.SpearmanGoal = minSp >= 0.6 && !math.IsInf(minSp, 0)
	v.Seconds = time.Since(start).Seconds()
	return v, nil
}

// validateCase runs one case.
func validateCase(ctx context.Context, c Case, s ValidateSettings, ci uint64, bar *bar) (*CaseResult, error) {
	const op = "validate"
	seed := s.Seed + 1000*ci
	trainIdx, testIdx, err := eval.StratifiedSplit(c.Y, 1-s.TestFraction, seed)
	if err != nil {
		return nil, wrap(op, "case", c.Name, ErrLabels, err)
	}
	lab, err := eval.LabelsPerClass(c.Y, trainIdx, s.LabelsPerClass, seed)
	if err != nil {
		return nil, wrap(op, "case", c.Name, ErrLabels, err)
	}
	// The adviser sees every sample, labels only on the labelled subset.
	yAdv := make([]int, len(c.Y))
	for i := range yAdv {
		yAdv[i] = -1
	}
	for _, i := range lab {
		yAdv[i] = c.Y[i]
	}
	in, err := ViewsInput(c.X, 2, c.Aug, seed)
	if err != nil {
		return nil, err
	}
	as := s.Advise
	as.K, as.LabelsPerClass, as.Seed, as.Logger = s.K, 0, seed, s.Logger
	as.Candidates = nil
	for _, p := range s.Pairs {
		as.Candidates = append(as.Candidates, p.Candidate)
	}
	rep, err := Advise(in, yAdv, as)
	if err != nil {
		return nil, err
	}
	byName := map[string]*Result{}
	for i := range rep.Results {
		byName[rep.Results[i].Candidate.String()] = &rep.Results[i]
	}
	probe := func(z *mat.Dense) (float64, error) {
		ev, err := eval.Evaluate(z, c.Y, eval.Protocol{Probe: rep.Probe, TrainIdx: lab, TestIdx: testIdx, Seeds: 1})
		if err != nil {
			return 0, err
		}
		return ev.Mean, nil
	}
	cr := &CaseResult{Name: c.Name, Alignment: c.Alignment, Latent: c.Latent}
	// Train every (pair, seed) run, two at a time.
	nrun := len(s.Pairs) * s.Seeds
	accs := make([]float64, nrun)
	errs := make([]error, nrun)
	linalg.ParallelRange(nrun, 1, func(lo, hi int) {
		for r := lo; r < hi; r++ {
			pi, sd := r/s.Seeds, r%s.Seeds
			accs[r], errs[r] = trainAndProbe(ctx, c, s.Pairs[pi], s, seed+uint64(100*pi+sd), probe)
			bar.add()
		}
	})
	var pred, trained []float64
	var runs [][]float64 // each pair's finite trained accuracies
	for pi, p := range s.Pairs {
		res := byName[p.Candidate.String()]
		row := PairResult{Candidate: p.Candidate.String(), Trained: p.Loss, Predicted: res.Accuracy.Mean,
			Converged: res.Exact || res.Converged}
		if row.ClosedFormTest, err = probe(res.z); err != nil {
			return nil, wrap(op, "probe", row.Candidate, ErrLabels, err)
		}
		var ok []float64
		for sd := 0; sd < s.Seeds; sd++ {
			r := pi*s.Seeds + sd
			if errs[r] != nil {
				return nil, errs[r]
			}
			row.TrainedAcc = append(row.TrainedAcc, data.JSONFloat(accs[r]))
			if !math.IsNaN(accs[r]) {
				ok = append(ok, accs[r])
			}
		}
		runs = append(runs, ok)
		m, _ := meanStd(ok)
		row.TrainedMean = data.JSONFloat(m)
		cr.Rows = append(cr.Rows, row)
		pred = append(pred, row.Predicted)
		trained = append(trained, m)
	}
	cr.Spearman = data.JSONFloat(Spearman(pred, trained))
	cr.Separable, cr.Compared, cr.Concordant = separable(runs, pred)
	best := math.Inf(-1)
	for i, t := range trained {
		if t > best {
			best, cr.Best = t, cr.Rows[i].Candidate
		}
	}
	pick := rep.Best()
	if pick == nil {
		pick = &rep.Results[0]
	}
	cr.Pick = pick.Candidate.String()
	for i, p := range s.Pairs {
		if p.Candidate.String() == cr.Pick {
			cr.AdviserRegret = data.JSONFloat(best - trained[i])
		}
		switch p.Policy {
		case "vicreg":
			cr.VICRegRegret = data.JSONFloat(best - trained[i])
		case "simclr":
			cr.SimCLRRegret = data.JSONFloat(best - trained[i])
		}
	}
	return cr, nil
}

// trainAndProbe trains an encoder with the pair's official loss on fresh
// augmented views of every sample and returns its held-out accuracy (NaN
// when training diverged).
func trainAndProbe(ctx context.Context, c Case, p Pair, s ValidateSettings, seed uint64, probe func(*mat.Dense) (float64, error)) (float64, error) {
	const op = "validate"
	cfg := train.Config{Loss: p.Loss, LossParams: p.Params, Encoder: s.Encoder, LR: s.LR, Views: 2,
		Batch: s.Batch, Epochs: s.Epochs, Seed: seed}
	quietLog := slog.New(slog.NewTextHandler(io.Discard, nil))
	res, err := train.Fit(ctx, cfg, c.X, nil, train.Options{Augmenter: c.Aug, Progress: io.Discard, Logger: quietLog})
	if err != nil {
		if res != nil && res.Status == train.Diverged {
			return math.NaN(), nil
		}
		return 0, wrap(op, "train", p.Loss, ErrTrain, err)
	}
	z, err := res.Encoder.Embed(c.X)
	if err != nil {
		return 0, wrap(op, "embed", p.Loss, ErrTrain, err)
	}
	acc, err := probe(z)
	if err != nil {
		return 0, wrap(op, "probe", p.Loss, ErrTrain, err)
	}
	return acc, nil
}

// WriteText writes the per-case table and the summary.
func (v *Validation) WriteText(w io.Writer) error {
	for _, c := range v.Cases {
		fmt.Fprintf(w, "E7 case %s (%s): Spearman %.3f (trained means separable beyond 2 SE in %d of %d candidate pairs, %d of them ordered as training by the adviser); adviser picks %s (regret %.3f), best trained %s; policy regrets VICReg %.3f, SimCLR τ=0.1 %.3f\n",
			c.Name, c.Alignment, float64(c.Spearman), c.Separable, c.Compared, c.Concordant, c.Pick, float64(c.AdviserRegret), c.Best, float64(c.VICRegRegret), float64(c.SimCLRRegret))
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintf(tw, "  candidate\ttrained loss\tpredicted (CV)\tclosed form (test)\ttrained (test, mean)\tseeds\n")
		for _, r := range c.Rows {
			accs := make([]string, len(r.TrainedAcc))
			for i, a := range r.TrainedAcc {
				accs[i] = fmt.Sprintf("%.3f", float64(a))
			}
			conv := ""
			if !r.Converged {
				conv = " (not converged)"
			}
			fmt.Fprintf(tw, "  %s%s\t%s\t%.3f\t%.3f\t%.3f\t%v\n", r.Candidate, conv, r.Trained, r.Predicted, r.ClosedFormTest, float64(r.TrainedMean), accs)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	_, err := fmt.Fprintf(w, "E7 summary: median regret adviser %.3f, always-VICReg %.3f, always-SimCLR(0.1) %.3f (goal: adviser below both: %v); min Spearman over latent cases %.3f (goal >= 0.6: %v); separable pairs ordered as training: %d of %d; %.1f s\n",
		float64(v.MedianAdviserRegret), float64(v.MedianVICRegRegret), float64(v.MedianSimCLRRegret), v.RegretGoal,
		float64(v.MinLatentSpearman), v.SpearmanGoal, v.Concordant, v.Separable, v.Seconds)
	return err
}

// WriteJSON writes the validation as indented JSON to path atomically.
func (v *Validation) WriteJSON(path string) error { return writeJSON(path, v) }

// separable returns, over the pairs (a, b) of runs with at least two values
// each, how many have |mean_a − mean_b| > 2·sqrt(s_a²/n_a + s_b²/n_b)
// (s the sample standard deviations: two standard errors of the difference
// of the means), how many pairs were compared, and how many of the
// separable ones pred (the predicted accuracy of each run's candidate)
// orders as the means do: pred_a − pred_b of the same sign as
// mean_a − mean_b (a tie or a NaN prediction is not concordant).
func separable(runs [][]float64, pred []float64) (sep, compared, concordant int) {
	for a := range runs {
		for b := a + 1; b < len(runs); b++ {
			na, nb := len(runs[a]), len(runs[b])
			if na < 2 || nb < 2 {
				continue
			}
			compared++
			ma, sa := meanStd(runs[a])
			mb, sb := meanStd(runs[b])
			if math.Abs(ma-mb) > 2*math.Sqrt(sa*sa/float64(na)+sb*sb/float64(nb)) {
				sep++
				if (pred[a]-pred[b])*(ma-mb) > 0 {
					concordant++
				}
			}
		}
	}
	return sep, compared, concordant
}
