package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/eigenssl/eigenssl/data"
	"github.com/eigenssl/eigenssl/graph"
	"gonum.org/v1/gonum/mat"
)

func TestDataList(t *testing.T) {
	code, out, _ := runArgs("data", "list")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, n := range data.Names() {
		if !strings.Contains(out, n+" ") {
			t.Errorf("data list misses %s:\n%s", n, out)
		}
	}
}

func TestDataExportDigits(t *testing.T) {
	dir := t.TempDir()
	x, y := filepath.Join(dir, "X.npy"), filepath.Join(dir, "y.npy")
	code, _, errOut := runArgs("data", "export", "--dataset", "digits", "-o", x, "--labels-out", y)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	ds, _ := data.Digits()
	gx, err := data.ReadMatrix(x)
	if err != nil {
		t.Fatal(err)
	}
	gy, err := data.ReadLabels(y)
	if err != nil {
		t.Fatal(err)
	}
	if !mat.Equal(gx, ds.X) || !slices.Equal(gy, ds.Y) {
		t.Fatal("exported digits differ from data.Digits()")
	}
	// Views: 2 x 100 rows, labels repeated per view, npz with X and y
	// (the extension in any letter case, as data reads it).
	z := filepath.Join(dir, "views.NPZ")
	ge := filepath.Join(dir, "g.csv")
	code, _, errOut = runArgs("data", "export", "--n", "100", "--views", "2", "--augment", "shift:1+noise:0.05", "-o", z, "--graph-out", ge)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	all, err := data.ReadNPZ(z)
	if err != nil {
		t.Fatal(err)
	}
	if r, c := all["X"].Dims(); r != 200 || c != 64 {
		t.Fatalf("views %dx%d; want 200x64", r, c)
	}
	vy, err := data.ReadLabels(z)
	if err != nil || len(vy) != 200 || !slices.Equal(vy[:100], vy[100:]) {
		t.Fatalf("view labels %v, %v", len(vy), err)
	}
	g, _, err := graph.ReadEdgeFile(ge, 200)
	if err != nil {
		t.Fatal(err)
	}
	want, _, _ := graph.Views(100, 2)
	if !mat.Equal(g.Dense(), want.Dense()) {
		t.Fatal("--graph-out differs from graph.Views(100, 2)")
	}
	// Generated data sets export too.
	m := filepath.Join(dir, "moons.csv")
	if code, _, errOut := runArgs("data", "export", "--dataset", "moons", "--n", "50", "-o", m); code != 0 {
		t.Fatalf("moons: exit %d: %s", code, errOut)
	}
	if mm, err := data.ReadMatrix(m); err != nil || mm.RawMatrix().Rows != 50 {
		t.Fatalf("moons csv: %v", err)
	}
}

func TestDataExportUsage(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{
		{"data", "export"},
		{"data", "export", "-o", filepath.Join(dir, "x.npy"), "--views", "1"},
		{"data", "export", "-o", filepath.Join(dir, "x.npy"), "--augment", "noise:1"},
		{"data", "export", "-o", filepath.Join(dir, "x.npy"), "--graph-out", filepath.Join(dir, "g.csv")},
		{"data", "export", "-o", filepath.Join(dir, "x.npy"), "--dataset", "cifar"},
		{"data", "export", "-o", filepath.Join(dir, "x.npy"), "--views", "2", "--augment", "blur:3"},
		{"data"},
	} {
		if code, _, _ := runArgs(args...); code != 2 {
			t.Errorf("%v: exit %d; want 2", args, code)
		}
	}
	// Issue 12: outputs sharing a path, and requests too large for memory,
	// are refused with the flags named; nothing is written. The budget is
	// fixed (the blobs need about 336 GB and 1.6 TB), not this machine's.
	t.Setenv("EIGENSSL_MEMORY_LIMIT", "64G")
	d := filepath.Join(dir, "d.npy")
	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{[]string{"-o", d, "--labels-out", d}, "--labels-out"},
		{[]string{"-o", filepath.Join(dir, "s.npz"), "--views", "2", "--graph-out", filepath.Join(dir, "s.npz")}, "--graph-out"},
		{[]string{"-o", filepath.Join(dir, "no", "x.npy")}, "does not exist"},
		{[]string{"-o", d, "--dataset", "blobs", "--n", "1000000000"}, "--n 1000000000"},
		{[]string{"-o", d, "--dataset", "blobs", "--dim", "100000000"}, "--dim 100000000"},
	} {
		code, _, e := runArgs(append([]string{"data", "export"}, tc.args...)...)
		if code != 2 || !strings.Contains(e, tc.msg) {
			t.Errorf("%v: exit %d, %q; want 2 mentioning %q", tc.args, code, e, tc.msg)
		}
		if _, err := os.Stat(d); err == nil {
			t.Fatalf("%v: %s was written", tc.args, d)
		}
	}
	// A missing data set is a failure (exit 1) with instructions.
	code, _, errOut := runArgs("data", "export", "--dataset", "mnist", "--data-path", dir, "-o", filepath.Join(dir, "x.npy"))
	if code != 1 || !strings.Contains(errOut, "train-images-idx3-ubyte") {
		t.Fatalf("missing mnist: exit %d, %q", code, errOut)
	}
}
