package main

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eigenssl/eigenssl/data"
	"gonum.org/v1/gonum/mat"
)

// writeShards cuts x into shards dir/x-NN.npy (with labels dir/y-NN.npy
// when y is given) at the given cut points.
func writeShards(t *testing.T, dir string, x *mat.Dense, y []int, cuts []int) {
	t.Helper()
	_, d := x.Dims()
	for i := 0; i+1 < len(cuts); i++ {
		lo, hi := cuts[i], cuts[i+1]
		if err := data.WriteMatrix(filepath.Join(dir, fmt.Sprintf("x-%02d.npy", i)), x.Slice(lo, hi, 0, d)); err != nil {
			t.Fatal(err)
		}
		if y != nil {
			if err := data.WriteLabels(filepath.Join(dir, fmt.Sprintf("y-%02d.npy", i)), y[lo:hi]); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// TestApplyVerb: apply writes X W + bias for every shard under the shard's
// name, and refuses to write into the shards' own directory.
func TestApplyVerb(t *testing.T) {
	dir := t.TempDir()
	_, x := writeRandNPY(t, dir, 30, 4, 5)
	sh := filepath.Join(dir, "shards")
	if err := os.MkdirAll(sh, 0o755); err != nil {
		t.Fatal(err)
	}
	writeShards(t, sh, x, nil, []int{0, 10, 11, 30})
	wdir := filepath.Join(dir, "w")
	if err := os.MkdirAll(wdir, 0o755); err != nil {
		t.Fatal(err)
	}
	w := mat.NewDense(4, 2, []float64{1, 0, 0.5, 2, -1, 1, 3, 0})
	if err := data.WriteMatrix(filepath.Join(wdir, "W.npy"), w); err != nil {
		t.Fatal(err)
	}
	if err := data.WriteMatrix(filepath.Join(wdir, "bias.npy"), mat.NewDense(1, 2, []float64{0.25, -4})); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "z")
	code, stdout, stderr := runArgs("apply", "--weights", wdir, "--input", filepath.Join(sh, "*.npy"), "-o", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "wrote 3 shards") {
		t.Errorf("stdout %q", stdout)
	}
	row := 0
	for i, n := range []int{10, 1, 19} {
		z, err := data.ReadMatrix(filepath.Join(out, fmt.Sprintf("x-%02d.npy", i)))
		if err != nil {
			t.Fatal(err)
		}
		if r, c := z.Dims(); r != n || c != 2 {
			t.Fatalf("shard %d: Z is %dx%d, want %dx2", i, r, c, n)
		}
		for j := 0; j < n; j++ {
			for k, b := range []float64{0.25, -4} {
				want := b
				for d := 0; d < 4; d++ {
					want += x.At(row, d) * w.At(d, k)
				}
				if math.Abs(z.At(j, k)-want) > 1e-12*math.Max(1, math.Abs(want)) {
					t.Fatalf("shard %d row %d col %d: %g, want %g", i, j, k, z.At(j, k), want)
				}
			}
			row++
		}
	}
	if code, _, stderr := runArgs("apply", "--weights", wdir, "--input", filepath.Join(sh, "*.npy"), "-o", sh); code == 0 || !strings.Contains(stderr, "overwritten") {
		t.Errorf("apply into the shard directory: exit %d, stderr %q", code, stderr)
	}
}
