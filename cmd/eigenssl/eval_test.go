package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/eigenssl/eigenssl/data"
	"github.com/eigenssl/eigenssl/eval"
)

var (
	accRe  = regexp.MustCompile(`^(\w+): ([0-9.]+) ± ([0-9.]+) \(95% CI over (\d+) seeds; (\d+) train, (\d+) test\)`)
	acc1Re = regexp.MustCompile(`^(\w+): ([0-9.]+) \(1 seed, no interval; (\d+) train, (\d+) test\)\n$`)
)

func TestEvalVerbOnExportedDigits(t *testing.T) {
	dir := t.TempDir()
	x, y := filepath.Join(dir, "X.npy"), filepath.Join(dir, "y.npy")
	if code, _, e := runArgs("data", "export", "-o", x, "--labels-out", y); code != 0 {
		t.Fatalf("export: %s", e)
	}
	js := filepath.Join(dir, "res.json")
	code, out, errOut := runArgs("eval", "--embedding", x, "--labels", y, "--split", "1400", "--seeds", "2", "--json", js)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	m := accRe.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("unexpected output %q", out)
	}
	acc, _ := strconv.ParseFloat(m[2], 64)
	if m[1] != "logistic" || acc < 0.95 || m[4] != "2" || m[5] != "1400" || m[6] != "397" {
		t.Fatalf("output %q: want logistic >= 0.95 over 2 seeds, 1400/397", out)
	}
	b, err := os.ReadFile(js)
	if err != nil {
		t.Fatal(err)
	}
	var r eval.Result
	if err := json.Unmarshal(b, &r); err != nil || len(r.Accuracies) != 2 || r.Mean < 0.95 || r.NTest != 397 {
		t.Fatalf("json %s: %v", b, err)
	}
	// Fixed training indices: the same accuracy as the library call.
	ds, _ := data.Digits()
	tr, _, _ := eval.StratifiedSplit(ds.Y, 0.5, 4)
	idx := filepath.Join(dir, "i.csv")
	if err := data.WriteLabels(idx, tr); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = runArgs("eval", "--train-idx", idx, "--probe", "knn", "--seeds", "1")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	want, _ := eval.Evaluate(ds.X, ds.Y, eval.Protocol{Probe: "knn", TrainIdx: tr, Seeds: 1})
	if m := acc1Re.FindStringSubmatch(out); m == nil || m[2] != strconv.FormatFloat(want.Mean, 'f', 4, 64) {
		t.Fatalf("output %q; want mean %.4f", out, want.Mean)
	}
}

func TestEvalVerbUsage(t *testing.T) {
	for _, args := range [][]string{
		{"eval", "--probe", "svm"},
		{"eval", "--split", "0.5", "--train-idx", "i.npy"},
		{"eval", "--labels", "y.npy"},
		{"eval", "--embedding", "z.npy"},
		{"eval", "--seeds", "0"},
		{"eval", "--metric", "l1"},
		{"eval", "--dataset", "nope"},
		// Explicit invalid values are errors, not defaults (issue 12).
		{"eval", "--split", "0"},
		{"eval", "--split", "-0.5"},
		{"eval", "--split", "1.5"},
		{"eval", "--k", "0", "--probe", "knn"},
		{"eval", "--lambda", "0"},
	} {
		if code, _, _ := runArgs(args...); code != 2 {
			t.Errorf("%v: exit %d; want 2", args, code)
		}
	}
	if code, _, e := runArgs("eval", "--split", "1"); code != 2 || !strings.Contains(e, "read as a training-set size") {
		t.Errorf("--split 1: exit %d, %q; want 2 and a message saying it is a training-set size", code, e)
	}
	if code, _, e := runArgs("eval", "--embedding", "/no/such.npy", "--labels", "/no/y.npy"); code != 1 {
		t.Errorf("missing file: exit %d (%s); want 1", code, e)
	}
}
