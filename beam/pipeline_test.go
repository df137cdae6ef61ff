package eigenbeam

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem/memfs"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/runners/prism"
	"github.com/eigenssl/eigenssl/closedform"
	"github.com/eigenssl/eigenssl/data"
	"github.com/eigenssl/eigenssl/graph"
	"github.com/eigenssl/eigenssl/linalg"
	"gonum.org/v1/gonum/mat"
)

func TestMain(m *testing.M) {
	beam.Init()
	os.Exit(m.Run())
}

// testData returns n x d rows with distinct column scales and 3 classes
// whose means differ, and the labels.
func testData(n, d int) (*mat.Dense, []int) {
	rng := rand.New(rand.NewPCG(5, 6))
	x := mat.NewDense(n, d, nil)
	y := make([]int, n)
	for i := 0; i < n; i++ {
		y[i] = (i * 7) % 3
		for j := 0; j < d; j++ {
			x.Set(i, j, rng.NormFloat64()*(1+0.5*float64(j))+float64(y[i]*(j%2)))
		}
	}
	return x, y
}

// writeShards writes 8 uneven shards of x (and of y) to dir.
func writeShards(t *testing.T, dir string, x *mat.Dense, y []int) {
	t.Helper()
	n, d := x.Dims()
	cuts := []int{0, 9, 30, 31, 60, 75, 100, 130, n}
	for i := 0; i+1 < len(cuts); i++ {
		lo, hi := cuts[i], cuts[i+1]
		if err := data.WriteMatrix(filepath.Join(dir, fmt.Sprintf("x-%02d.npy", i)), x.Slice(lo, hi, 0, d)); err != nil {
			t.Fatal(err)
		}
		if err := data.WriteLabels(filepath.Join(dir, fmt.Sprintf("y-%02d.npy", i)), y[lo:hi]); err != nil {
			t.Fatal(err)
		}
	}
}

// runPrism builds and runs the pipeline on the prism runner and returns the
// written W and summary.
func runPrism(t *testing.T, o Options) (*mat.Dense, Summary) {
	t.Helper()
	ctx := context.Background()
	p, shards, err := Build(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	if len(shards) != 8 {
		t.Fatalf("%d shards, want 8", len(shards))
	}
	if _, err := prism.Execute(ctx, p); err != nil {
		t.Fatalf("prism: %v", err)
	}
	w, err := data.ReadMatrix(filepath.Join(o.Out, "W.npy"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(o.Out, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	var s Summary
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	return w, s
}

// checkAgainst compares the pipeline's W and singular values with the
// in-memory closed form: largest principal angle between the W subspaces
// and relative singular-value differences within 1e-10.
func checkAgainst(t *testing.T, name string, w *mat.Dense, s Summary, want *closedform.Solution) {
	t.Helper()
	ang, err := linalg.PrincipalAngles(w, want.W)
	if err != nil {
		t.Fatal(err)
	}
	if a := ang[len(ang)-1]; a > 1e-10 {
		t.Errorf("%s: W subspaces %.3g rad apart", name, a)
	}
	for i, v := range want.SingularValues {
		if math.Abs(s.SingularValues[i]-v) > 1e-10*want.SingularValues[0] {
			t.Errorf("%s: singular value %d: pipeline %.15g, in memory %.15g", name, i, s.SingularValues[i], v)
		}
	}
	if math.Abs(s.PredictedLoss-want.PredictedLoss) > 1e-10*math.Max(1, math.Abs(want.PredictedLoss)) {
		t.Errorf("%s: predicted loss %.15g, in memory %.15g", name, s.PredictedLoss, want.PredictedLoss)
	}
}

// TestPipelinePrismViews: views relation with a noise augmentation made in
// the workers; W equals closedform.Solve on the in-memory views (data.ViewSeed,
// step 1) within 1e-10.
func TestPipelinePrismViews(t *testing.T) {
	const n, d = 160, 5
	dir := t.TempDir()
	x, y := testData(n, d)
	writeShards(t, dir, x, y)
	aug, err := data.ParseAugment("noise:0.4", [2]int{})
	if err != nil {
		t.Fatal(err)
	}
	xv := mat.NewDense(2*n, d, nil)
	for i := 0; i < n; i++ {
		for u := 0; u < 2; u++ {
			s1, s2 := data.ViewSeed(3, 1, i, u, 2)
			aug.Apply(xv.RawRowView(u*n+i), x.RawRowView(i), rand.New(rand.NewPCG(s1, s2)))
		}
	}
	g, _, err := graph.Views(n, 2)
	if err != nil {
		t.Fatal(err)
	}
	for _, loss := range []string{closedform.VICReg, closedform.SpectralContrastive} {
		want, err := closedform.Solve(closedform.Problem{Loss: loss, Regime: closedform.Linear, G: g, X: xv, K: 3, Gamma: 0.2})
		if err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(dir, "out-views-"+loss)
		w, s := runPrism(t, Options{Input: filepath.Join(dir, "x-*.npy"), Relation: "views:V=2,augment=noise:0.4",
			Loss: loss, K: 3, Gamma: 0.2, Seed: 3, Out: out})
		checkAgainst(t, "views/"+loss, w, s, want)
		if s.Rows != 2*n || s.Shards != 8 {
			t.Errorf("rows %d shards %d, want %d and 8", s.Rows, s.Shards, 2*n)
		}
	}
}

// TestPipelinePrismLabels: labels relation with one label file per shard
// (classes span shards); W equals closedform.Solve on G = YYᵀ − I in memory.
func TestPipelinePrismLabels(t *testing.T) {
	const n, d = 160, 5
	dir := t.TempDir()
	x, y := testData(n, d)
	writeShards(t, dir, x, y)
	g, _, err := graph.Labels(y)
	if err != nil {
		t.Fatal(err)
	}
	for _, loss := range []string{closedform.VICRegHard, closedform.BarlowTwins} {
		want, err := closedform.Solve(closedform.Problem{Loss: loss, Regime: closedform.Linear, G: g, X: x, K: 2})
		if err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(dir, "out-labels-"+loss)
		w, s := runPrism(t, Options{Input: filepath.Join(dir, "x-*.npy"), Relation: "labels:" + filepath.Join(dir, "y-*.npy"),
			Loss: loss, K: 2, Out: out})
		checkAgainst(t, "labels/"+loss, w, s, want)
		if s.Components != 3 {
			t.Errorf("components %d, want 3", s.Components)
		}
	}
}

// TestBuildErrors: bad options are refused before any pipeline runs.
func TestBuildErrors(t *testing.T) {
	dir := t.TempDir()
	x, y := testData(160, 3)
	writeShards(t, dir, x, y)
	ok := Options{Input: filepath.Join(dir, "x-*.npy"), Relation: "views:V=2", Loss: "vicreg", K: 2, Out: filepath.Join(dir, "o")}
	for name, o := range map[string]Options{
		"no input":     {Relation: ok.Relation, Loss: ok.Loss, K: 2, Out: ok.Out},
		"bad loss":     {Input: ok.Input, Relation: ok.Relation, Loss: "simclr", K: 2, Out: ok.Out},
		"knn":          {Input: ok.Input, Relation: "knn:k=3", Loss: ok.Loss, K: 2, Out: ok.Out},
		"no match":     {Input: filepath.Join(dir, "z-*.npy"), Relation: ok.Relation, Loss: ok.Loss, K: 2, Out: ok.Out},
		"labels count": {Input: ok.Input, Relation: "labels:" + filepath.Join(dir, "y-0[0-3].npy"), Loss: ok.Loss, K: 2, Out: ok.Out},
		"k":            {Input: ok.Input, Relation: ok.Relation, Loss: ok.Loss, Out: ok.Out},
	} {
		if _, _, err := Build(context.Background(), o); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, _, err := Build(context.Background(), ok); err != nil {
		t.Errorf("valid options: %v", err)
	}
}

// TestPipelinePrismRemotePaths: shards, label files and the output on a
// non-local Beam file system (memfs://) give the in-memory closed form.
func TestPipelinePrismRemotePaths(t *testing.T) {
	const n, d = 160, 4
	dir := t.TempDir()
	x, y := testData(n, d)
	writeShards(t, dir, x, y)
	for i := 0; i < 8; i++ {
		for _, name := range []string{fmt.Sprintf("x-%02d.npy", i), fmt.Sprintf("y-%02d.npy", i)} {
			b, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			memfs.Write("memfs://in/"+name, b)
		}
	}
	g, _, err := graph.Labels(y)
	if err != nil {
		t.Fatal(err)
	}
	want, err := closedform.Solve(closedform.Problem{Loss: closedform.VICReg, Regime: closedform.Linear, G: g, X: x, K: 2, Gamma: 0.01})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	p, _, err := Build(ctx, Options{Input: "memfs://in/x-*.npy", Relation: "labels:memfs://in/y-*.npy",
		Loss: closedform.VICReg, K: 2, Gamma: 0.01, Out: "memfs://out"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := prism.Execute(ctx, p); err != nil {
		t.Fatalf("prism: %v", err)
	}
	fs := memfs.New(ctx)
	wb, err := filesystem.Read(ctx, fs, "memfs://out/W.npy")
	if err != nil {
		t.Fatal(err)
	}
	sb, err := filesystem.Read(ctx, fs, "memfs://out/summary.json")
	if err != nil {
		t.Fatal(err)
	}
	local := filepath.Join(dir, "W.npy")
	if err := os.WriteFile(local, wb, 0o644); err != nil {
		t.Fatal(err)
	}
	w, err := data.ReadMatrix(local)
	if err != nil {
		t.Fatal(err)
	}
	var s Summary
	if err := json.Unmarshal(sb, &s); err != nil {
		t.Fatal(err)
	}
	checkAgainst(t, "memfs/labels/vicreg", w, s, want)
}
