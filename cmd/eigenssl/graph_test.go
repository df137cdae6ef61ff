package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eigenssl/eigenssl/data"
	"github.com/eigenssl/eigenssl/graph"
)

// TestGraphVerb builds knn graphs (exact and approx) and a labels graph with
// the verb, reads the written edge lists back and compares them with the
// library's graphs, and checks the JSON report.
func TestGraphVerb(t *testing.T) {
	dir := t.TempDir()
	xPath, x := writeRandNPY(t, dir, 40, 3, 5)
	for _, c := range []struct{ spec, out string }{
		{"knn:k=4", "g.npz"},
		{"knn:k=4,approx,weight=distance", "g.csv"},
		{"epsilon:eps=1.5", "e.npz"},
	} {
		out := filepath.Join(dir, c.out)
		code, stdout, stderr := runArgs("graph", "--input", xPath, "--graph", c.spec, "-o", out)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", c.spec, code, stderr)
		}
		var rep struct {
			graph.Report
			Output string `json:"output"`
		}
		if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
			t.Fatalf("%s: stdout %q: %v", c.spec, stdout, err)
		}
		r, _ := graph.ParseRelation(c.spec)
		want, in, err := r.Build(x, nil)
		if err != nil {
			t.Fatal(err)
		}
		got, _, err := graph.ReadEdgeFile(out, 40)
		if err != nil {
			t.Fatal(err)
		}
		if got.NNZ() != want.NNZ() {
			t.Fatalf("%s: file has %d entries; library graph %d", c.spec, got.NNZ(), want.NNZ())
		}
		for i := 0; i < 40; i++ {
			for j := 0; j < 40; j++ {
				if got.At(i, j) != want.At(i, j) {
					t.Fatalf("%s: G[%d,%d] = %v in the file; %v from the library", c.spec, i, j, got.At(i, j), want.At(i, j))
				}
			}
		}
		if rep.Relation != r.String() || rep.N != 40 || rep.Edges != in.Edges || rep.Components != in.Components ||
			rep.MeanDegree != in.MeanDegree || rep.Output != out || !(rep.BuildSeconds > 0) {
			t.Errorf("%s: report %+v; info %+v", c.spec, rep, in)
		}
	}
}

// TestGraphVerbLabels builds a labels:FILE relation (through
// data.BuildRelation) and compares the edge list with graph.Labels.
func TestGraphVerbLabels(t *testing.T) {
	dir := t.TempDir()
	xPath, _ := writeRandNPY(t, dir, 12, 2, 7)
	y := []int{0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2}
	yPath := filepath.Join(dir, "y.npy")
	if err := data.WriteLabels(yPath, y); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "labels.csv")
	code, stdout, stderr := runArgs("graph", "--input", xPath, "--graph", "labels:"+yPath, "-o", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	want, _, err := graph.Labels(y)
	if err != nil {
		t.Fatal(err)
	}
	got, _, err := graph.ReadEdgeFile(out, 12)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 12; i++ {
		for j := 0; j < 12; j++ {
			if got.At(i, j) != want.At(i, j) {
				t.Fatalf("G[%d,%d] = %v; want %v", i, j, got.At(i, j), want.At(i, j))
			}
		}
	}
	// Three cliques of four: 3 * 6 edges, one component each.
	if !strings.Contains(stdout, `"edges":18`) || !strings.Contains(stdout, `"components":3`) {
		t.Errorf("report %s", stdout)
	}
}

// TestGraphVerbErrors checks usage errors (exit 2) naming the flag, and that
// a failed build writes no file.
func TestGraphVerbErrors(t *testing.T) {
	dir := t.TempDir()
	xPath, _ := writeRandNPY(t, dir, 10, 2, 6)
	out := filepath.Join(dir, "g.npz")
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"graph", "--graph", "knn:k=3", "-o", out}, 2, "--input"},
		{[]string{"graph", "--input", xPath, "-o", out}, 2, "--graph"},
		{[]string{"graph", "--input", xPath, "--graph", "knn:k=3"}, 2, "-o"},
		{[]string{"graph", "--input", xPath, "--graph", "knn:k=3", "-o", filepath.Join(dir, "g.txt")}, 2, ".csv or .npz"},
		{[]string{"graph", "--input", xPath, "--graph", "knn:k=3,fast", "-o", out}, 2, "want key=value"},
		{[]string{"graph", "--input", xPath, "--graph", "knn:k=10", "-o", out}, 1, "k"},
		{[]string{"graph", "--input", filepath.Join(dir, "none.npy"), "--graph", "knn:k=3", "-o", out}, 1, "--input"},
	} {
		code, _, stderr := runArgs(c.args...)
		if code != c.code || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d mentioning %q", c.args, code, stderr, c.code, c.want)
		}
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("a failed run left %s (%v)", out, err)
	}
}
