package train

import (
	"bytes"
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/eigenssl/eigenssl/loss"
	"github.com/eigenssl/eigenssl/nn"
	"gonum.org/v1/gonum/mat"
)

// TestFitMatchesRun: Fit follows the trajectory of Run bit for bit (same
// metrics, same final encoder) without touching the file system, and the
// same seed gives the same result twice.
func TestFitMatchesRun(t *testing.T) {
	x, y := blobs(40, 5, 4, 2)
	for name, cfg := range resumeConfigs() {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "run")
			res, err := Run(context.Background(), cfg, x, y, dir, opts())
			if err != nil {
				t.Fatal(err)
			}
			fit, err := Fit(context.Background(), cfg, x, y, opts())
			if err != nil {
				t.Fatal(err)
			}
			if fit.Status != Completed || fit.Steps != res.Steps || len(fit.History) != res.Steps || fit.Dir != "" {
				t.Fatalf("Fit: status %v, %d steps, %d history entries, dir %q; want completed, %d steps, no dir",
					fit.Status, fit.Steps, len(fit.History), fit.Dir, res.Steps)
			}
			var lines bytes.Buffer
			for _, m := range fit.History {
				if !(m.GradNorm > 0) || !finite(m.GradNorm) {
					t.Fatalf("step %d: gradient norm %v", m.Step, m.GradNorm)
				}
				b, _ := jsonLine(m)
				lines.Write(b)
			}
			want, err := os.ReadFile(filepath.Join(dir, MetricsFile))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(lines.Bytes(), want) {
				t.Fatalf("Fit history differs from Run's metrics.jsonl:\n%s\nwant\n%s", lines.Bytes(), want)
			}
			a, _ := fit.Encoder.MarshalBinary()
			b, _ := res.Encoder.MarshalBinary()
			if !bytes.Equal(a, b) {
				t.Fatal("Fit's encoder differs from Run's")
			}
		})
	}
}

// TestFitDiverges: Adam at lr 1e6 stops with ErrDiverged (issue 12: it used
// to report "completed" with loss 2.9e54) and Fit returns the encoder
// before the diverging step, with finite parameters.
func TestFitDiverges(t *testing.T) {
	x, y := blobs(60, 4, 3, 3)
	for _, opt := range []string{"adam", "adamw", "sgd", "sgd:momentum=0.9", "lars"} {
		t.Run(opt, func(t *testing.T) {
			cfg := Config{Loss: "vicreg_official", Encoder: "mlp:16,4", Optimizer: opt, LR: 1e6,
				Augment: "noise:0.1", Batch: 20, Steps: 200, Seed: 1}
			res, err := Fit(context.Background(), cfg, x, y, opts())
			if !errors.Is(err, ErrDiverged) || res == nil || res.Status != Diverged {
				t.Fatalf("got %v (result %+v); want ErrDiverged", err, res)
			}
			if res.Steps >= 200 || res.Steps != len(res.History) {
				t.Fatalf("diverged after %d steps with %d history entries", res.Steps, len(res.History))
			}
			if err := scanParams(res.Encoder.Params()); err != nil {
				t.Fatalf("returned encoder: %v", err)
			}
			t.Logf("%s: diverged at step %d: %v", opt, res.Steps+1, err)
		})
	}
}

// TestDivergenceRule checks the documented rule on hand-made loss
// sequences.
func TestDivergenceRule(t *testing.T) {
	cases := []struct {
		name   string
		losses []float64
		next   float64
		want   bool
	}{
		{"NaN", []float64{1}, math.NaN(), true},
		{"Inf first", nil, math.Inf(1), true},
		{"explodes", []float64{10, 2, 1}, 1e5 + 2, true},
		{"within 1e4 of the first loss", []float64{10, 2, 1}, 9e4, false},
		{"negative losses", []float64{-1, -3}, 3e4 - 3 + 1, true},
		{"noise near a minimum", []float64{5, 0.001, 0.002}, 0.5, false},
		{"big first loss falls then rises", []float64{1.6e9, 10}, 1e12, false},
	}
	for _, c := range cases {
		var d divergence
		for _, l := range c.losses {
			if err := d.check(l, 1); err != nil {
				t.Fatalf("%s: %v flagged early: %v", c.name, l, err)
			}
			d.accept(l)
		}
		err := d.check(c.next, 1)
		if got := errors.Is(err, ErrDiverged); got != c.want {
			t.Errorf("%s: loss %v after %v: diverged %v (%v); want %v", c.name, c.next, c.losses, got, err, c.want)
		}
	}
	// A finite loss with a non-finite gradient norm diverges.
	var d divergence
	for _, g := range []float64{math.NaN(), math.Inf(1)} {
		if err := d.check(1, g); !errors.Is(err, ErrDiverged) {
			t.Errorf("gradient norm %v: %v; want ErrDiverged", g, err)
		}
	}
	// So does a non-finite representation: the loss refuses it with
	// loss.ErrNaN, which checkLoss turns into ErrDiverged; other loss
	// errors are not divergence.
	zNaN := mat.NewDense(4, 2, []float64{1, 2, 3, 4, 5, math.NaN(), 7, 8})
	_, lerr := loss.NTXent{}.Eval(loss.Inputs{Z1: zNaN, Z2: zNaN}, true)
	if err := checkLoss(0, lerr); !errors.Is(err, ErrDiverged) || !errors.Is(err, loss.ErrNaN) {
		t.Errorf("NaN representation: %v; want ErrDiverged wrapping loss.ErrNaN", err)
	}
	_, lerr = loss.NTXent{}.Eval(loss.Inputs{Z1: zNaN}, true)
	if err := checkLoss(0, lerr); err == nil || errors.Is(err, ErrDiverged) {
		t.Errorf("missing branch: %v; want a loss error that is not ErrDiverged", err)
	}
	// So does a parameter the optimiser step made non-finite.
	p := &nn.Param{Name: "w", Value: mat.NewDense(2, 2, nil), Grad: mat.NewDense(2, 2, nil)}
	if err := scanParams([]*nn.Param{p}); err != nil {
		t.Fatalf("finite parameter: %v", err)
	}
	p.Value.Set(1, 0, math.Inf(-1))
	if err := scanParams([]*nn.Param{p}); !errors.Is(err, ErrDiverged) {
		t.Errorf("parameter with -Inf: %v; want ErrDiverged", err)
	}
}

// TestDivergenceResumed: truncateMetrics replays the kept losses into the
// rule (first loss and running minimum), so a resumed run flags the same
// explosion an uninterrupted one does, and the dropped lines do not count.
func TestDivergenceResumed(t *testing.T) {
	path := filepath.Join(t.TempDir(), MetricsFile)
	var b []byte
	for i, l := range []float64{10, 2, 1, -1e6} { // step 4 is beyond the checkpoint
		line, err := jsonLine(Metric{Step: i + 1, Loss: l})
		if err != nil {
			t.Fatal(err)
		}
		b = append(b, line...)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	var d divergence
	last, err := truncateMetrics(path, 3, quiet, &d)
	if err != nil || last == nil || last.Step != 3 {
		t.Fatalf("truncateMetrics: last %+v, err %v; want step 3", last, err)
	}
	// m = 1 (not the dropped -1e6), l₁ = 10: the threshold is 1 + 1e5.
	if err := d.check(9e4, 1); err != nil {
		t.Errorf("loss 9e4 after [10 2 1]: %v; want no divergence", err)
	}
	if err := d.check(1e5+2, 1); !errors.Is(err, ErrDiverged) {
		t.Errorf("loss 1e5+2 after [10 2 1]: %v; want ErrDiverged", err)
	}
}
