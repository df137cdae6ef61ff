package train

import (
	"context"
	"math"
	"path/filepath"
	"testing"

	"github.com/eigenssl/eigenssl/closedform"
	"github.com/eigenssl/eigenssl/loss"
)

// TestFullBatchReachesClosedForm trains linear encoders full batch and
// checks that they reach the minimum predicted by package closedform
// (THEORY.md §4), for the spectral contrastive G-form loss (package loss)
// and the smooth VICReg surrogate (closedform.SmoothVICReg, injected through
// Options.Loss), on the label relation (V = 1) and on fixed noisy views
// (V = 2, views graph). It also checks the column space of the trained
// representation against the closed form's (principal angles).
func TestFullBatchReachesClosedForm(t *testing.T) {
	x, y := blobs(45, 6, 3, 11)
	x.Scale(0.2, x)
	const k = 2
	// Tolerances: Adam (cosine decay to 1e-4, 2000 full-batch steps) ends
	// within about 1e-11 relative of these minima (angles below 1e-4); with
	// 1000 steps two of the four cases still miss by 6e-6 and 2e-3 relative
	// (angles 0.02 and 0.18), so the test can tell a converged run from an
	// unconverged or wrong one.
	const tolLoss, tolAngle = 1e-8, 1e-3
	setups := map[string]Config{
		"labels/V=1":            {Relation: "labels", Views: 1},
		"views/V=2/fixed noise": {Relation: "views", Views: 2, Augment: "noise:0.5", FixedViews: true},
	}
	losses := map[string]struct {
		cfgLoss, encoder string
		inject           loss.Loss
		problem          closedform.Problem
	}{
		"spectral_contrastive": {loss.NameSpectralContrastiveGForm, "linear:2,nobias", nil,
			closedform.Problem{Loss: closedform.SpectralContrastive}},
		"smooth_vicreg": {loss.NameVICRegGForm, "linear:2", closedform.SmoothVICReg{Gamma: 0.02},
			closedform.Problem{Loss: closedform.VICReg, Gamma: 0.02}},
	}
	for sname, setup := range setups {
		for lname, lc := range losses {
			t.Run(lname+"/"+sname, func(t *testing.T) {
				cfg := setup
				cfg.Loss, cfg.Encoder = lc.cfgLoss, lc.encoder
				cfg.Optimizer, cfg.LR, cfg.Schedule, cfg.FinalLR = "adam", 0.05, "cosine", 1e-4
				cfg.Epochs, cfg.Seed = 2000, 1
				o := opts()
				o.Loss = lc.inject
				res, err := Run(context.Background(), cfg, x, y, filepath.Join(t.TempDir(), "run"), o)
				if err != nil {
					t.Fatal(err)
				}
				xb, g := fullBatch(t, cfg, x, y)
				p := lc.problem
				p.Regime, p.G, p.X, p.K = closedform.Linear, g, xb, k
				sol, err := closedform.Solve(p)
				if err != nil {
					t.Fatal(err)
				}
				if !sol.Exact {
					t.Fatalf("closed form for %s is not exact", p.Loss)
				}
				z, err := res.Encoder.Forward(xb, false)
				if err != nil {
					t.Fatal(err)
				}
				// Training evaluates the loss at loss.RowScale·Z.
				l, _ := loss.New(cfg.Loss, nil)
				z.Scale(loss.RowScale(l, xb.RawMatrix().Rows), z)
				cmp, err := closedform.Compare(sol, z)
				if err != nil {
					t.Fatal(err)
				}
				t.Logf("trained %.12g, closed form %.12g, relative gap %.3g, max angle %.3g",
					cmp.Loss, sol.PredictedLoss, cmp.RelativeGap, cmp.MaxAngle)
				if cmp.RelativeGap < -tolLoss {
					t.Fatalf("trained loss %.12g below the closed-form minimum %.12g", cmp.Loss, sol.PredictedLoss)
				}
				if cmp.RelativeGap > tolLoss {
					t.Fatalf("trained loss %.12g; want the closed-form minimum %.12g within %g relative", cmp.Loss, sol.PredictedLoss, tolLoss)
				}
				if !(cmp.MaxAngle < tolAngle) || math.IsNaN(cmp.MaxAngle) {
					t.Fatalf("largest principal angle to the closed-form subspace %.3g; want < %g", cmp.MaxAngle, tolAngle)
				}
			})
		}
	}
}
