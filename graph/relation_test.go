package graph

import (
	"bytes"
	"errors"
	"log/slog"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func TestParseRelation(t *testing.T) {
	for spec, want := range map[string]Relation{
		"views":                       {Kind: ViewsRelation},
		"views:V=2":                   {Kind: ViewsRelation, V: 2},
		" views : V = 3 ":             {Kind: ViewsRelation, V: 3},
		"views:V=2,augment=noise:0.1": {Kind: ViewsRelation, V: 2, Augment: "noise:0.1"},
		// A nested augmentation keeps its commas (internal/spec).
		"views:augment=elastic:2,2+noise:0.1,V=2": {Kind: ViewsRelation, V: 2, Augment: "elastic:2,2+noise:0.1"},
		"labels":       {Kind: LabelsRelation},
		"labels:y.csv": {Kind: LabelsRelation, Path: "y.csv"},
		"knn:k=5":      {Kind: KNNRelation, K: 5},
		"knn:5":        {Kind: KNNRelation, K: 5},
		"knn:k=2, k=7": {Kind: KNNRelation, K: 7},
		"knn:k=4,metric=cosine,sym=mutual,weight=gaussian,sigma=0.5": {Kind: KNNRelation, K: 4,
			Options: KNNOptions{Metric: Cosine, Sym: Mutual, Weight: Gaussian, Sigma: 0.5}},
		"knn:k=15,approx":               {Kind: KNNRelation, K: 15, Options: KNNOptions{Approx: true}},
		"knn:15, approx ,metric=cosine": {Kind: KNNRelation, K: 15, Options: KNNOptions{Approx: true, Metric: Cosine}},
		"epsilon:eps=0.25":              {Kind: EpsilonRelation, Eps: 0.25},
		"eps:0.25,weight=distance":      {Kind: EpsilonRelation, Eps: 0.25, Options: KNNOptions{Weight: Distance}},
		"edges:dir/g.csv":               {Kind: EdgesRelation, Path: "dir/g.csv"},
		"edges:C:/data/g,1.npz":         {Kind: EdgesRelation, Path: "C:/data/g,1.npz"},
	} {
		got, err := ParseRelation(spec)
		if err != nil {
			t.Errorf("ParseRelation(%q): %v", spec, err)
			continue
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("ParseRelation(%q) = %+v; want %+v", spec, got, want)
		}
		// String is canonical and parses back.
		back, err := ParseRelation(got.String())
		if err != nil || !reflect.DeepEqual(back, got) {
			t.Errorf("ParseRelation(%q.String() = %q) = %+v, %v; want %+v", spec, got.String(), back, err, got)
		}
	}
}

func TestParseRelationErrors(t *testing.T) {
	for _, spec := range []string{
		"", "  ", "bogus", "bogus:1", "views:", "views:V=1", "views:V=x", "views:3", "views:augment=noise:0.1",
		"views:V=2,k=3", "knn", "knn:", "knn:k=0", "knn:k=-1", "knn:k=x", "knn:k=3,metric=manhattan",
		"knn:k=3,sym=both", "knn:k=3,weight=heat", "knn:k=3,sigma=-1", "knn:k=3,sigma=NaN", "knn:k=3,eps=1",
		"knn:metric=cosine", "epsilon", "epsilon:eps=0", "epsilon:eps=-1", "epsilon:eps=Inf", "eps:x",
		"epsilon:eps=1,sym=mutual", "edges", "edges:", "knn:k=3,=1", "knn:k=5,3",
		"knn:approx", "knn:k=3,approx=1", "eps:1,approx", "views:V=2,approx",
	} {
		_, err := ParseRelation(spec)
		var e *Error
		if !errors.As(err, &e) || !errors.Is(err, ErrParam) || e.Op != "parserelation" {
			t.Errorf("ParseRelation(%q): error %v; want *Error wrapping ErrParam", spec, err)
			continue
		}
		if !strings.Contains(err.Error(), RelationForms) {
			t.Errorf("ParseRelation(%q): %q does not list the valid forms", spec, err)
		}
	}
	// An option with named values lists them, in the words String writes.
	for spec, want := range map[string]string{
		"knn:k=3,metric=manhattan": `metric must be euclidean or cosine, got "manhattan"`,
		"knn:k=3,sym=both":         `sym must be union or mutual, got "both"`,
		"knn:k=3,weight=heat":      `weight must be binary, gaussian or distance, got "heat"`,
	} {
		if _, err := ParseRelation(spec); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseRelation(%q): %v; want it to say %q", spec, err, want)
		}
	}
}

// Build gives the graphs of the builders it names.
func TestRelationBuild(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	x := mat.NewDense(12, 3, nil)
	for i := 0; i < 12; i++ {
		for j := 0; j < 3; j++ {
			x.Set(i, j, rng.NormFloat64())
		}
	}
	y := []int{0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, -1}
	edges := filepath.Join(t.TempDir(), "g.csv")
	if err := os.WriteFile(edges, []byte("0,1\n1,2,0.5\n11,3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	want := map[string]func() (*CSR, Info, error){
		"views:V=3":                     func() (*CSR, Info, error) { return Views(4, 3) },
		"labels":                        func() (*CSR, Info, error) { return Labels(y) },
		"knn:k=3,weight=gaussian":       func() (*CSR, Info, error) { return KNN(x, 3, KNNOptions{Weight: Gaussian}) },
		"epsilon:eps=1.5,metric=cosine": func() (*CSR, Info, error) { return EpsilonBall(x, 1.5, KNNOptions{Metric: Cosine}) },
		"edges:" + edges:                func() (*CSR, Info, error) { return ReadEdgeFile(edges, 12) },
	}
	for spec, build := range want {
		r, err := ParseRelation(spec)
		if err != nil {
			t.Fatal(err)
		}
		got, gotInfo, err := r.Build(x, y)
		if err != nil {
			t.Fatalf("%s: %v", spec, err)
		}
		w, wInfo, err := build()
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, w) || gotInfo != wInfo {
			t.Errorf("%s: Build differs from the builder", spec)
		}
		if got.N != 12 {
			t.Errorf("%s: N = %d; want 12", spec, got.N)
		}
	}
	for _, c := range []struct {
		r    Relation
		y    []int
		want error
	}{
		{Relation{Kind: ViewsRelation}, y, ErrParam},
		{Relation{Kind: ViewsRelation, V: 5}, y, ErrShape},
		{Relation{Kind: ViewsRelation, V: 2, Augment: "noise:0.1"}, y, ErrParam},
		{Relation{Kind: LabelsRelation}, nil, ErrParam},
		{Relation{Kind: LabelsRelation}, y[:5], ErrShape},
		{Relation{Kind: KNNRelation, K: 12}, y, ErrNeighbors},
		{Relation{Kind: "bogus"}, y, ErrParam},
	} {
		if _, _, err := c.r.Build(x, c.y); !errors.Is(err, c.want) {
			t.Errorf("%+v.Build: %v; want %v", c.r, err, c.want)
		}
	}
}

func TestJoin(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for trial := 0; trial < 20; trial++ {
		n := 1 + rng.IntN(15)
		a, b := randomGraph(t, rng, n, 0.3), randomGraph(t, rng, n, 0.3)
		g, err := Join(a, b)
		if err != nil {
			t.Fatal(err)
		}
		if err := g.Validate(); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < n; i++ {
			for j := 0; j < n; j++ {
				if got, want := g.At(i, j), max(a.At(i, j), b.At(i, j)); got != want {
					t.Fatalf("G[%d,%d] = %g; want %g", i, j, got, want)
				}
			}
		}
	}
	if _, err := Join(&CSR{N: 2, RowPtr: make([]int, 3)}, &CSR{N: 3, RowPtr: make([]int, 4)}); !errors.Is(err, ErrShape) {
		t.Errorf("Join of sizes 2 and 3: %v; want ErrShape", err)
	}
}

// A disconnected kNN graph is reported in Info and logged at Debug level
// only: no record at Info or above.
func TestKNNDisconnectedNotWarned(t *testing.T) {
	var buf bytes.Buffer
	old := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo})))
	defer slog.SetDefault(old)
	x := mat.NewDense(4, 1, []float64{0, 1, 100, 101})
	_, info, err := KNN(x, 1, KNNOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if info.Components != 2 {
		t.Fatalf("Components = %d; want 2", info.Components)
	}
	if buf.Len() != 0 {
		t.Errorf("KNN logged at Info or above: %s", buf.String())
	}
	buf.Reset()
	slog.SetDefault(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})))
	if _, _, err := KNN(x, 1, KNNOptions{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "disconnected") {
		t.Errorf("no Debug record of the disconnected graph: %q", buf.String())
	}
}

func TestDegreeInvSqrt(t *testing.T) {
	deg := []float64{4, 0, 0.25, -1, 2}
	got := DegreeInvSqrt(deg)
	want := []float64{0.5, 0, 2, 0, 1 / math.Sqrt(2)}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("DegreeInvSqrt(%v) = %v; want %v", deg, got, want)
	}
	if deg[0] != 4 {
		t.Error("DegreeInvSqrt modified its input")
	}
}
