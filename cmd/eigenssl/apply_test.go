package main

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eigenssl/eigenssl/closedform"
	"github.com/eigenssl/eigenssl/data"
	"github.com/eigenssl/eigenssl/graph"
	"github.com/eigenssl/eigenssl/linalg"
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

func maxAngle(t *testing.T, a, b mat.Matrix) float64 {
	t.Helper()
	ang, err := linalg.PrincipalAngles(a, b)
	if err != nil {
		t.Fatal(err)
	}
	return ang[len(ang)-1]
}

// TestClosedformStreamedLabelsMatchesInMemory: the streamed verb over 4
// labelled shards writes the W, bias and singular values of the in-memory
// verb on the whole file, within 1e-10.
func TestClosedformStreamedLabelsMatchesInMemory(t *testing.T) {
	dir := t.TempDir()
	xPath, x := writeRandNPY(t, dir, 60, 5, 11)
	for i := 0; i < 60; i++ {
		x.Set(i, 0, x.At(i, 0)+float64(i%3)) // classes carry signal
		x.Set(i, 1, x.At(i, 1)*2)
	}
	if err := data.WriteMatrix(xPath, x); err != nil {
		t.Fatal(err)
	}
	y := make([]int, 60)
	for i := range y {
		y[i] = i % 3
	}
	yPath := filepath.Join(dir, "y.npy")
	if err := data.WriteLabels(yPath, y); err != nil {
		t.Fatal(err)
	}
	sh := filepath.Join(dir, "shards")
	if err := os.MkdirAll(sh, 0o755); err != nil {
		t.Fatal(err)
	}
	writeShards(t, sh, x, y, []int{0, 7, 30, 31, 60})
	for _, loss := range []string{"vicreg", "spectral_contrastive", "barlowtwins"} {
		mem, str := filepath.Join(dir, "mem-"+loss), filepath.Join(dir, "str-"+loss)
		common := []string{"--loss", loss, "--regime", "linear", "-k", "2", "--refine", "0", "--gamma", "0.01"}
		if code, _, stderr := runArgs(append([]string{"closedform", "--input", xPath, "--relation", "labels:" + yPath, "-o", mem}, common...)...); code != 0 {
			t.Fatalf("%s in memory: exit %d: %s", loss, code, stderr)
		}
		if code, _, stderr := runArgs(append([]string{"closedform", "--input", filepath.Join(sh, "x-*.npy"),
			"--relation", "labels:" + filepath.Join(sh, "y-*.npy"), "-o", str}, common...)...); code != 0 {
			t.Fatalf("%s streamed: exit %d: %s", loss, code, stderr)
		}
		wm, err := data.ReadMatrix(filepath.Join(mem, "W.npy"))
		if err != nil {
			t.Fatal(err)
		}
		ws, err := data.ReadMatrix(filepath.Join(str, "W.npy"))
		if err != nil {
			t.Fatal(err)
		}
		if a := maxAngle(t, wm, ws); a > 1e-10 {
			t.Errorf("%s: W subspaces %.3g rad apart", loss, a)
		}
		sm, ss := readSummary(t, mem), readSummary(t, str)
		for i := range sm.SingularValues {
			if d := math.Abs(sm.SingularValues[i] - ss.SingularValues[i]); d > 1e-10*sm.SingularValues[0] {
				t.Errorf("%s: singular value %d: memory %.15g, streamed %.15g", loss, i, sm.SingularValues[i], ss.SingularValues[i])
			}
		}
		if ss.N != 60 || ss.Components != sm.Components {
			t.Errorf("%s: streamed n %d components %d; memory components %d", loss, ss.N, ss.Components, sm.Components)
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

// TestClosedformStreamedErrors: streamed runs refuse a non-linear regime
// (usage error), an unstreamable relation and a pattern matching nothing.
func TestClosedformStreamedErrors(t *testing.T) {
	dir := t.TempDir()
	xPath, _ := writeRandNPY(t, dir, 20, 3, 1)
	glob := filepath.Join(dir, "*.npy")
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--input", glob, "--relation", "views:V=2"}, 2, "--regime linear"},
		{[]string{"--input", xPath, "--regime", "linear", "--draws", "4", "--relation", "knn:k=3"}, 2, "streamable"},
		{[]string{"--input", xPath, "--regime", "linear", "--draws", "4", "--relation", "views:V=2"}, 2, "augmentation"},
		{[]string{"--input", filepath.Join(dir, "nothing-*.npy"), "--regime", "linear", "--relation", "views:V=2"}, 1, "no file matches"},
	} {
		args := append([]string{"closedform", "--loss", "vicreg", "-o", filepath.Join(dir, "out")}, tc.args...)
		code, _, stderr := runArgs(args...)
		if code != tc.code || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d (want %d), stderr %q (want %q)", tc.args, code, tc.code, stderr, tc.want)
		}
	}
}

// TestClosedformDraws: --draws M on an in-memory .npy gives the closed form
// of the M draws of the views stacked (views seeded by data.ViewSeed for
// steps 1..M, as train makes fresh views), computed here by closedform.Solve.
func TestClosedformDraws(t *testing.T) {
	const n, d, M = 50, 4, 3
	dir := t.TempDir()
	xPath, x := writeRandNPY(t, dir, n, d, 21)
	aug, err := data.ParseAugment("noise:0.3", [2]int{})
	if err != nil {
		t.Fatal(err)
	}
	xs := mat.NewDense(M*2*n, d, nil)
	var edges [][2]int
	for m := 1; m <= M; m++ {
		for i := 0; i < n; i++ {
			for u := 0; u < 2; u++ {
				s1, s2 := data.ViewSeed(9, m, i, u, 2)
				aug.Apply(xs.RawRowView((m-1)*2*n+u*n+i), x.RawRowView(i), rand.New(rand.NewPCG(s1, s2)))
			}
			edges = append(edges, [2]int{(m-1)*2*n + i, (m-1)*2*n + n + i})
		}
	}
	g, _, err := graph.FromEdges(M*2*n, edges, nil)
	if err != nil {
		t.Fatal(err)
	}
	want, err := closedform.Solve(closedform.Problem{Loss: "vicreg", Regime: "linear", G: g, X: xs, K: 2, Gamma: 0.3})
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	code, _, stderr := runArgs("closedform", "--loss", "vicreg", "--gamma", "0.3", "--regime", "linear", "--input", xPath,
		"--relation", "views:V=2,augment=noise:0.3", "--draws", "3", "--seed", "9", "-k", "2", "-o", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	w, err := data.ReadMatrix(filepath.Join(out, "W.npy"))
	if err != nil {
		t.Fatal(err)
	}
	if a := maxAngle(t, w, want.W); a > 1e-10 {
		t.Errorf("W %.3g rad from the stacked draws' closed form", a)
	}
	s := readSummary(t, out)
	if s.N != M*2*n || math.Abs(s.PredictedLoss-want.PredictedLoss) > 1e-10*math.Max(1, want.PredictedLoss) {
		t.Errorf("n %d loss %.15g; want %d and %.15g", s.N, s.PredictedLoss, M*2*n, want.PredictedLoss)
	}
}
