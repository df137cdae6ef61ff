package experiment

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/eigenssl/eigenssl/advise"
)

// E7Config configures experiment E7 (issue 15): the adviser's ranking of
// candidate losses against encoders actually trained (advise.Validate). It
// uses its own data sets (the latent-factor generator with nuisance- and
// class-resampling views, and the digits with augmentation in the large
// version), whatever Options.Dataset is.
type E7Config struct {
	// Large selects advise.LargeCases instead of advise.SmallCases.
	Large bool `json:"large"`
	// Seeds and Epochs of the trained encoders (0: advise defaults).
	Seeds  int    `json:"seeds"`
	Epochs int    `json:"epochs"`
	Seed   uint64 `json:"seed"`
}

// E7 runs advise.Validate with the cases of cfg.
func E7(ctx context.Context, cfg E7Config) (*advise.Validation, error) {
	cases, err := advise.SmallCases(cfg.Seed)
	if cfg.Large {
		cases, err = advise.LargeCases(cfg.Seed)
	}
	if err != nil {
		return nil, errorf("e7", "cases", "", err)
	}
	v, err := advise.Validate(ctx, advise.ValidateSettings{Cases: cases, Seeds: cfg.Seeds, Epochs: cfg.Epochs, Seed: cfg.Seed, Logger: slog.Default()})
	if err != nil {
		return nil, errorf("e7", "validate", "", err)
	}
	return v, nil
}

// e7Section renders E7 in the report.
func e7Section(v *advise.Validation) section {
	f3 := func(x float64) string { return fmt.Sprintf("%.3f", x) }
	sum := Table{Title: "E7 adviser vs trained encoders", Head: []string{"case", "alignment", "Spearman", "separable pairs", "of them ordered as training", "adviser pick", "best trained",
		"regret adviser", "regret always-VICReg", "regret always-SimCLR(0.1)"}, Left: 7}
	var rows []Table
	for _, c := range v.Cases {
		sum.Rows = append(sum.Rows, []string{c.Name, c.Alignment, f3(float64(c.Spearman)), fmt.Sprintf("%d/%d", c.Separable, c.Compared), fmt.Sprintf("%d/%d", c.Concordant, c.Separable), c.Pick, c.Best,
			f3(float64(c.AdviserRegret)), f3(float64(c.VICRegRegret)), f3(float64(c.SimCLRRegret))})
		t := Table{Title: "E7 " + c.Name, Head: []string{"candidate", "trained loss", "predicted (CV)", "closed form (test)", "trained (test)"}, Left: 2}
		for _, r := range c.Rows {
			name := r.Candidate
			if !r.Converged {
				name += " (not converged)"
			}
			t.Rows = append(t.Rows, []string{name, r.Trained, f3(r.Predicted), f3(r.ClosedFormTest), f3(float64(r.TrainedMean))})
		}
		rows = append(rows, t)
	}
	sum.Note = fmt.Sprintf("separable pairs: candidate pairs whose trained mean accuracies differ by more than two standard errors over the training seeds (few means Spearman mostly ranks seed noise); of them ordered as training: those the adviser's predicted accuracies order as the trained means do (%d of %d over all cases). median regret: adviser %.3f, always-VICReg %.3f, always-SimCLR(0.1) %.3f (goal met: %v); smallest Spearman over the latent cases %.3f (goal >= 0.6 met: %v)",
		v.Concordant, v.Separable, float64(v.MedianAdviserRegret), float64(v.MedianVICRegRegret), float64(v.MedianSimCLRRegret), v.RegretGoal, float64(v.MinLatentSpearman), v.SpearmanGoal)
	return section{ID: "e7", Title: "E7 Does the adviser pick the loss training would?",
		Intro:  "eigenssl advise ranks candidate losses from their closed-form optima and a probe cross-validated on a few labels; E7 trains MLP encoders with the official losses on the same data and compares: Spearman correlation of predicted and trained accuracies per case, and the regret of the adviser's pick against two fixed policies.",
		Tables: append([]Table{sum}, rows...)}
}
