package data

import (
	"errors"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/eigenssl/eigenssl/graph"
	"gonum.org/v1/gonum/mat"
)

// BuildRelation gives what its parts give: MakeViews for augmented views
// (labels repeated per view), ReadLabels + graph.Labels for a labels file,
// graph.Relation.Build otherwise.
func TestBuildRelation(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	x := mat.NewDense(12, 3, nil)
	for i := range 12 {
		for j := range 3 {
			x.Set(i, j, rng.NormFloat64())
		}
	}
	y := []int{0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, -1}
	yFile := filepath.Join(t.TempDir(), "y.csv")
	if err := WriteLabels(yFile, y); err != nil {
		t.Fatal(err)
	}
	parse := func(spec string) graph.Relation {
		r, err := graph.ParseRelation(spec)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}

	// views:V=3,augment=noise:0.1 == MakeViews with the same seed.
	got, err := BuildRelation(parse("views:V=3,augment=noise:0.1"), RelationInput{X: x, Y: y, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	p, _ := ParseAugment("noise:0.1", [2]int{})
	wantX, wantG, _ := MakeViews(x, 3, p, 7)
	if !mat.Equal(got.X, wantX) || !reflect.DeepEqual(got.G, wantG) || got.Views != 3 {
		t.Error("augmented views differ from MakeViews")
	}
	if len(got.Y) != 36 || got.Y[12] != y[0] || got.Y[35] != y[11] {
		t.Errorf("labels of the views %v; want y repeated 3 times", got.Y)
	}

	// labels:FILE == labels from the data == graph.Labels(y).
	wantL, _, _ := graph.Labels(y)
	for _, in := range []struct {
		spec string
		y    []int
	}{{"labels:" + yFile, nil}, {"labels", y}} {
		got, err := BuildRelation(parse(in.spec), RelationInput{X: x, Y: in.y})
		if err != nil {
			t.Fatalf("%s: %v", in.spec, err)
		}
		if !reflect.DeepEqual(got.G, wantL) || !reflect.DeepEqual(got.Y, y) || got.X != x || got.Views != 1 {
			t.Errorf("%s: differs from graph.Labels on the file's labels", in.spec)
		}
	}

	// Other relations: graph.Relation.Build.
	got, err = BuildRelation(parse("knn:k=3,weight=gaussian"), RelationInput{X: x})
	if err != nil {
		t.Fatal(err)
	}
	wantK, _, _ := graph.KNN(x, 3, graph.KNNOptions{Weight: graph.Gaussian})
	if !reflect.DeepEqual(got.G, wantK) || got.Info.N != 12 {
		t.Error("knn differs from graph.KNN")
	}

	for _, tc := range []struct {
		spec string
		in   RelationInput
		want error
	}{
		{"views", RelationInput{X: x}, ErrParam},
		{"labels", RelationInput{X: x}, ErrParam},
		{"labels:" + yFile, RelationInput{X: mat.NewDense(5, 3, nil)}, ErrShape},
		{"views:V=2,augment=shift:1", RelationInput{X: x}, ErrParam}, // no image shape
		{"knn:k=3", RelationInput{}, ErrEmpty},
	} {
		if _, err := BuildRelation(parse(tc.spec), tc.in); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v; want %v", tc.spec, err, tc.want)
		}
	}
}
