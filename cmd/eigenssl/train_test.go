package main

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eigenssl/eigenssl/data"
	"github.com/eigenssl/eigenssl/train"
	"gonum.org/v1/gonum/mat"
)

type trainSummary struct {
	Status     string  `json:"status"`
	Steps      int     `json:"steps"`
	TotalSteps int     `json:"total_steps"`
	Loss       float64 `json:"loss"`
	Dir        string  `json:"dir"`
}

func writeTrainData(t *testing.T, dir string, n, d int) (xPath, yPath string) {
	t.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	x := mat.NewDense(n, d, nil)
	y := make([]int, n)
	for i := range n {
		y[i] = i % 3
		for j := range d {
			x.Set(i, j, float64(y[i]*(j%2))+rng.NormFloat64())
		}
	}
	xPath, yPath = filepath.Join(dir, "X.npy"), filepath.Join(dir, "y.npy")
	if err := data.WriteMatrix(xPath, x); err != nil {
		t.Fatal(err)
	}
	if err := data.WriteLabels(yPath, y); err != nil {
		t.Fatal(err)
	}
	return xPath, yPath
}

func parseSummary(t *testing.T, out string) trainSummary {
	t.Helper()
	var s trainSummary
	if err := json.Unmarshal([]byte(strings.TrimSpace(out)), &s); err != nil {
		t.Fatalf("summary %q: %v", out, err)
	}
	return s
}

// TestTrainVerbResume (float64 and --dtype float32) trains once uninterrupted and once stopped after 5
// steps then resumed with --resume, and compares the final checkpoints and
// metrics byte for byte.
func TestTrainVerbResume(t *testing.T) {
	for _, dt := range []string{"float64", "float32"} {
		t.Run(dt, func(t *testing.T) {
			dir := t.TempDir()
			xPath, yPath := writeTrainData(t, dir, 36, 5)
			args := func(out string) []string {
				return []string{"train", "--loss", "vicreg-official", "--param", "sim_coeff=20", "--encoder", "mlp:8,4",
					"--input", xPath, "--labels", yPath, "--views", "2", "--augment", "noise:0.1", "--batch", "8",
					"--epochs", "3", "--lr", "0.01", "--seed", "4", "--checkpoint-every", "2", "--dtype", dt, "--out", out}
			}
			full := filepath.Join(dir, "full")
			code, out, errOut := runArgs(args(full)...)
			if code != 0 {
				t.Fatalf("train: exit %d, stderr %s", code, errOut)
			}
			if s := parseSummary(t, out); s.Status != "completed" || s.Steps != 12 || s.TotalSteps != 12 {
				t.Fatalf("summary %+v; want completed 12 of 12 steps", s)
			}
			part := filepath.Join(dir, "part")
			code, out, errOut = runArgs(append(args(part), "--stop-after", "5")...)
			if code != 0 {
				t.Fatalf("train --stop-after: exit %d, stderr %s", code, errOut)
			}
			if s := parseSummary(t, out); s.Status != "stopped" || s.Steps != 5 {
				t.Fatalf("summary %+v; want stopped after 5 steps", s)
			}
			code, out, errOut = runArgs("train", "--resume", part)
			if code != 0 {
				t.Fatalf("train --resume: exit %d, stderr %s", code, errOut)
			}
			if s := parseSummary(t, out); s.Status != "completed" || s.Steps != 12 {
				t.Fatalf("summary %+v; want completed 12 steps", s)
			}
			// Issue 12: resuming a finished run prints its final loss (it printed 0).
			final := parseSummary(t, out).Loss
			code, out, errOut = runArgs("train", "--resume", full)
			if s := parseSummary(t, out); code != 0 || s.Status != "completed" || s.Loss != final || final == 0 {
				t.Fatalf("train --resume of a finished run: exit %d, summary %+v, stderr %s; want completed with loss %v", code, s, errOut, final)
			}
			for _, f := range []string{train.CheckpointFile, train.MetricsFile, train.ConfigFile} {
				a, err1 := os.ReadFile(filepath.Join(full, f))
				b, err2 := os.ReadFile(filepath.Join(part, f))
				if err1 != nil || err2 != nil || !bytes.Equal(a, b) {
					t.Errorf("%s differs between the uninterrupted and the resumed run (%v, %v)", f, err1, err2)
				}
			}
			cfg, err := train.ReadConfig(full)
			if err != nil || cfg.Loss != "vicreg_official" || cfg.LossParams["sim_coeff"] != 20 || cfg.Data.Input != xPath || cfg.Dtype != dt {
				t.Errorf("config.json: %+v, %v", cfg, err)
			}
		})
	}
}

func TestTrainVerbUsage(t *testing.T) {
	dir := t.TempDir()
	xPath, _ := writeTrainData(t, dir, 12, 3)
	base := []string{"train", "--encoder", "linear:2", "--input", xPath, "--epochs", "1"}
	cases := map[string]struct {
		args []string
		code int
	}{
		"no loss":             {append(base, "--out", filepath.Join(dir, "a")), 2},
		"unknown loss":        {append(base, "--loss", "nope", "--out", filepath.Join(dir, "b")), 2},
		"two-branch V=3":      {append(base, "--loss", "ntxent", "--views", "3", "--out", filepath.Join(dir, "c")), 2},
		"no out":              {append(base, "--loss", "ntxent"), 2},
		"bad param":           {append(base, "--loss", "ntxent", "--param", "tau", "--out", filepath.Join(dir, "d")), 2},
		"input and dataset":   {append(base, "--loss", "ntxent", "--dataset", "digits", "--out", filepath.Join(dir, "e")), 2},
		"bad image shape":     {append(base, "--loss", "ntxent", "--image-shape", "3by1", "--out", filepath.Join(dir, "f")), 2},
		"labels relation w/o": {append(base, "--loss", "vicreg_gform", "--relation", "labels", "--out", filepath.Join(dir, "g")), 2},
		"missing input file":  {[]string{"train", "--loss", "ntxent", "--encoder", "linear:2", "--input", filepath.Join(dir, "none.npy"), "--out", filepath.Join(dir, "h")}, 1},
		"resume with flags":   {[]string{"train", "--resume", dir, "--loss", "ntxent"}, 2},
		"resume nothing":      {[]string{"train", "--resume", filepath.Join(dir, "nothing")}, 1},
		// Issue 12: explicit invalid values are errors, not defaults.
		"lr 0":             {append(base, "--loss", "ntxent", "--lr", "0", "--out", filepath.Join(dir, "i")), 2},
		"views 0":          {append(base, "--loss", "ntxent", "--views", "0", "--out", filepath.Join(dir, "j")), 2},
		"epochs 0":         {append(base, "--loss", "ntxent", "--epochs", "0", "--out", filepath.Join(dir, "k")), 2},
		"steps 0":          {append(base, "--loss", "ntxent", "--steps", "0", "--out", filepath.Join(dir, "l")), 2},
		"steps and epochs": {append(base, "--loss", "ntxent", "--steps", "5", "--out", filepath.Join(dir, "m")), 2},
		"empty optimizer":  {append(base, "--loss", "ntxent", "--optimizer", "", "--out", filepath.Join(dir, "n")), 2},
		"empty dtype":      {append(base, "--loss", "ntxent", "--dtype", "", "--out", filepath.Join(dir, "o")), 2},
		"dtype float16":    {append(base, "--loss", "ntxent", "--dtype", "float16", "--out", filepath.Join(dir, "p")), 2},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			code, _, errOut := runArgs(c.args...)
			if code != c.code || !strings.HasPrefix(errOut, "eigenssl: ") {
				t.Fatalf("exit %d, stderr %q; want exit %d with an eigenssl: message", code, errOut, c.code)
			}
		})
	}
}

// TestTrainVerbTooLarge: an encoder that cannot fit in memory is refused
// before anything is allocated, with the estimate and the flag (issue 12:
// it crashed out of memory).
func TestTrainVerbTooLarge(t *testing.T) {
	t.Setenv("EIGENSSL_MEMORY_LIMIT", "4G") // the refusal must not depend on this machine's memory
	out := filepath.Join(t.TempDir(), "run")
	code, _, errOut := runArgs("train", "--dataset", "blobs", "--n", "60", "--loss", "ntxent",
		"--encoder", "mlp:100000000", "--out", out)
	if code != 1 || !strings.Contains(errOut, "--encoder") || !strings.Contains(errOut, "iB") || strings.Contains(errOut, "panic") {
		t.Fatalf("exit %d, stderr %q; want exit 1 naming --encoder and the memory estimate", code, errOut)
	}
}

// TestTrainVerbDataset trains on a named data set (no files) with a G-form
// loss and the label relation, full batch.
func TestTrainVerbDataset(t *testing.T) {
	out := filepath.Join(t.TempDir(), "run")
	code, stdout, errOut := runArgs("train", "--dataset", "blobs", "--n", "60", "--loss", "spectral_contrastive_gform",
		"--encoder", "linear:2", "--views", "1", "--relation", "labels", "--batch", "0", "--epochs", "30", "--lr", "0.01",
		"--out", out)
	if code != 0 {
		t.Fatalf("exit %d, stderr %s", code, errOut)
	}
	s := parseSummary(t, stdout)
	if s.Status != "completed" || s.Steps != 30 {
		t.Fatalf("summary %+v; want 30 full-batch steps", s)
	}
	b, err := os.ReadFile(filepath.Join(out, train.MetricsFile))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	var first, last train.Metric
	if len(lines) != 30 || json.Unmarshal([]byte(lines[0]), &first) != nil || json.Unmarshal([]byte(lines[29]), &last) != nil {
		t.Fatalf("metrics.jsonl: %d lines; want 30 JSON lines", len(lines))
	}
	if c, ok := first.Parts["const"]; !(last.Loss < first.Loss) || last.Step != 30 || !ok || math.IsNaN(float64(c)) {
		t.Errorf("metrics: first %+v, last %+v; want a decreasing loss with parts", first, last)
	}
}

// TestEmbedWithVerb checks embed-with against the product X W of the saved
// linear weights, the projector width, and its errors.
func TestEmbedWithVerb(t *testing.T) {
	dir := t.TempDir()
	xPath, _ := writeTrainData(t, dir, 20, 4)
	run := filepath.Join(dir, "run")
	if code, _, errOut := runArgs("train", "--loss", "ntxent", "--encoder", "linear:3,nobias", "--input", xPath,
		"--augment", "noise:0.1", "--batch", "10", "--epochs", "2", "--out", run); code != 0 {
		t.Fatalf("train: exit %d, %s", code, errOut)
	}
	zPath := filepath.Join(dir, "Z.npy")
	code, out, errOut := runArgs("embed-with", run, "--input", xPath, "-o", zPath)
	if code != 0 {
		t.Fatalf("embed-with: exit %d, %s", code, errOut)
	}
	if !strings.Contains(out, `"rows":20`) || !strings.Contains(out, `"dim":3`) {
		t.Errorf("summary %q; want rows 20, dim 3", out)
	}
	z, err := data.ReadMatrix(zPath)
	if err != nil {
		t.Fatal(err)
	}
	enc, err := train.LoadEncoder(run)
	if err != nil {
		t.Fatal(err)
	}
	x, _ := data.ReadMatrix(xPath)
	var want mat.Dense
	want.Mul(x, enc.Params()[0].Value)
	if !mat.EqualApprox(z, &want, 1e-12) {
		t.Errorf("embed-with output differs from X W")
	}

	run2 := filepath.Join(dir, "run2")
	if code, _, errOut := runArgs("train", "--loss", "vicreg_official", "--encoder", "mlp:6,5|proj:7+bn", "--input", xPath,
		"--batch", "10", "--epochs", "1", "--out", run2); code != 0 {
		t.Fatalf("train: exit %d, %s", code, errOut)
	}
	if code, out, errOut = runArgs("embed-with", run2, "--input", xPath, "-o", zPath, "--projector"); code != 0 || !strings.Contains(out, `"dim":7`) {
		t.Fatalf("embed-with --projector: exit %d, out %q, stderr %s; want dim 7", code, out, errOut)
	}

	wrong := filepath.Join(dir, "wrong.npy")
	data.WriteMatrix(wrong, mat.NewDense(3, 5, nil))
	for name, c := range map[string]struct {
		args []string
		code int
	}{
		"wrong width": {[]string{"embed-with", run, "--input", wrong, "-o", zPath}, 1},
		"no run":      {[]string{"embed-with", filepath.Join(dir, "none"), "--input", xPath, "-o", zPath}, 1},
		"no input":    {[]string{"embed-with", run, "-o", zPath}, 2},
		"no output":   {[]string{"embed-with", run, "--input", xPath}, 2},
		"no run arg":  {[]string{"embed-with", "--input", xPath, "-o", zPath}, 2},
	} {
		if code, _, _ := runArgs(c.args...); code != c.code {
			t.Errorf("%s: exit %d; want %d", name, code, c.code)
		}
	}
}
