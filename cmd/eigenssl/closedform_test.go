package main

import (
	"encoding/json"
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

func writeRandNPY(t *testing.T, dir string, r, c int, seed uint64) (string, *mat.Dense) {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 1))
	m := mat.NewDense(r, c, nil)
	for i := range m.RawMatrix().Data {
		m.RawMatrix().Data[i] = rng.NormFloat64()
	}
	p := filepath.Join(dir, "X.npy")
	if err := data.WriteMatrix(p, m); err != nil {
		t.Fatal(err)
	}
	return p, m
}

func readSummary(t *testing.T, dir string) closedformSummary {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	var s closedformSummary
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	return s
}

// TestClosedformVerb runs the verb for several relations and regimes and
// checks the written files against the library on the same inputs.
func TestClosedformVerb(t *testing.T) {
	dir := t.TempDir()
	xPath, x := writeRandNPY(t, dir, 20, 4, 3)
	y := make([]int, 20)
	for i := range y {
		y[i] = i % 4
	}
	yPath := filepath.Join(dir, "y.npy")
	if err := data.WriteLabels(yPath, y); err != nil {
		t.Fatal(err)
	}
	edges := filepath.Join(dir, "edges.csv")
	if err := os.WriteFile(edges, []byte("i,j,w\n0,1,1\n1,2,0.5\n2,3,2\n3,0,1\n4,5,1\n5,6,1\n6,7,1\n7,4,1\n8,9,1\n9,10,1\n10,11,1\n11,8,1\n12,13,1\n13,14,1\n14,15,1\n15,12,1\n16,17,1\n17,18,1\n18,19,1\n19,16,1\n0,4,0.1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	gViews, _, _ := graph.Views(10, 2)
	gLabels, _, _ := graph.Labels(y)
	gEdges, _, _ := graph.ReadEdgeFile(edges, 20)
	for _, tc := range []struct {
		name     string
		args     []string
		p        closedform.Problem
		wantFile string
	}{
		{"vicreg-linear-views", []string{"--loss", "vicreg", "--gamma", "0.5", "--regime", "linear", "--relation", "views:V=2", "-k", "3"},
			closedform.Problem{Loss: "vicreg", Regime: "linear", Gamma: 0.5, G: gViews, X: x, K: 3}, "W.npy"},
		{"spectral-feature-labels", []string{"--loss", "spectral-contrastive", "--relation", "labels:" + yPath, "-k", "3"},
			closedform.Problem{Loss: "spectral_contrastive", G: gLabels, K: 3}, "Z.npy"},
		{"hard-kernel-edges", []string{"--loss", "vicreg_hard", "--regime", "kernel", "--sigma", "2", "--relation", "edges:" + edges, "-k", "2"},
			closedform.Problem{Loss: "vicreg_hard", Regime: "kernel", G: gEdges, K: 2}, "A.npy"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(dir, tc.name)
			args := append([]string{"closedform", "--input", xPath, "-o", out}, tc.args...)
			code, stdout, stderr := runArgs(args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			if !strings.Contains(stdout, `"predicted_loss"`) {
				t.Errorf("stdout lacks the summary: %q", stdout)
			}
			if tc.p.Regime == "kernel" {
				km, err := closedform.RBFKernel(x, 2)
				if err != nil {
					t.Fatal(err)
				}
				tc.p.KernelMatrix = km
			}
			want, err := closedform.Solve(tc.p)
			if err != nil {
				t.Fatal(err)
			}
			s := readSummary(t, out)
			if math.Abs(s.PredictedLoss-want.PredictedLoss) > 1e-12*math.Max(1, math.Abs(want.PredictedLoss)) || s.Rank != want.Rank || s.Exact != want.Exact {
				t.Errorf("summary loss %g rank %d exact %v; library %g %d %v", s.PredictedLoss, s.Rank, s.Exact, want.PredictedLoss, want.Rank, want.Exact)
			}
			z, err := data.ReadMatrix(filepath.Join(out, "Z.npy"))
			if err != nil {
				t.Fatal(err)
			}
			c, err := closedform.Compare(want, z)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(c.RelativeGap) > 1e-10 || c.MaxAngle > 1e-8 {
				t.Errorf("written Z: loss gap %g, angle %g", c.RelativeGap, c.MaxAngle)
			}
			if _, err := os.Stat(filepath.Join(out, tc.wantFile)); err != nil {
				t.Errorf("missing %s: %v", tc.wantFile, err)
			}
		})
	}
}

func TestClosedformVerbApproximateAndAugment(t *testing.T) {
	dir := t.TempDir()
	xPath, _ := writeRandNPY(t, dir, 6, 3, 4)
	out := filepath.Join(dir, "out")
	code, _, stderr := runArgs("closedform", "--input", xPath, "-o", out, "--loss", "simclr", "--tau", "0.5",
		"--relation", "views:V=2,augment=noise:0.1", "-k", "3", "--refine", "500")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	s := readSummary(t, out)
	if s.Exact || s.Bounds == nil || s.Convergence == nil || s.N != 12 {
		t.Fatalf("simclr summary: exact %v, bounds %v, convergence %v, n %d", s.Exact, s.Bounds, s.Convergence, s.N)
	}
	c := s.Convergence
	if c.Status == "" || c.Loss != s.PredictedLoss || c.Restarts < 1 || len(c.StartLosses) != c.Restarts+1 || c.MaxIter != 500 {
		t.Errorf("convergence %+v; predicted %g", c, s.PredictedLoss)
	}
}

// TestClosedformVerbSigmaAndKernelSize: a negative --sigma is a usage error
// naming sigma (not the median heuristic).
func TestClosedformVerbSigma(t *testing.T) {
	dir := t.TempDir()
	xPath, _ := writeRandNPY(t, dir, 8, 2, 5)
	code, _, stderr := runArgs("closedform", "--input", xPath, "-o", filepath.Join(dir, "o"), "--loss", "vicreg",
		"--relation", "views:V=2", "--regime", "kernel", "--sigma", "-1")
	if code != 2 || !strings.Contains(stderr, "sigma") {
		t.Errorf("--sigma -1: exit %d, %q; want 2 naming sigma", code, stderr)
	}
}

func TestClosedformVerbUsage(t *testing.T) {
	dir := t.TempDir()
	xPath, _ := writeRandNPY(t, dir, 8, 2, 5)
	out := filepath.Join(dir, "o")
	for _, args := range [][]string{
		{"closedform", "--input", xPath, "-o", out, "--relation", "views:V=2"},
		{"closedform", "--input", xPath, "-o", out, "--loss", "vicreg"},
		{"closedform", "--input", xPath, "-o", out, "--loss", "vicreg", "--relation", "views:V=x"},
		{"closedform", "--input", xPath, "-o", out, "--loss", "vicreg", "--relation", "bogus:1"},
		{"closedform", "--input", xPath, "-o", out, "--loss", "vicreg", "--relation", "views:V=2", "--regime", "nope"},
		{"closedform", "--input", xPath, "-o", out, "--loss", "vicreg", "--relation", "views:V=2", "-k", "0"},
	} {
		if code, _, _ := runArgs(args...); code != 2 {
			t.Errorf("%v: exit %d; want 2", args[5:], code)
		}
	}
	// A missing file is a failure (exit 1); an unknown loss a usage error.
	if code, _, _ := runArgs("closedform", "--input", filepath.Join(dir, "missing.npy"), "-o", out, "--loss", "vicreg", "--relation", "views:V=2"); code != 1 {
		t.Errorf("missing input: exit %d; want 1", code)
	}
	if code, _, stderr := runArgs("closedform", "--input", xPath, "-o", out, "--loss", "nope", "--relation", "views:V=2"); code != 2 || !strings.Contains(stderr, "spectral_contrastive") {
		t.Errorf("unknown loss: exit %d, %q; want 2 with the valid names", code, stderr)
	}
}

// maxAngle is the largest principal angle between the column spaces of a
// and b.
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
