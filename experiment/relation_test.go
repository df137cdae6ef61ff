package experiment

import (
	"reflect"
	"testing"

	"github.com/eigenssl/eigenssl/data"
	"gonum.org/v1/gonum/mat"
)

// The "augment" graph is data.BuildRelation's views:V=2,augment=SPEC: the
// views of MakeViews on the raw rows, preprocessed like the data, with the
// labels repeated per view.
func TestAugmentGraphIsViewsRelation(t *testing.T) {
	ds, err := loadDataset("digits", 60, 3)
	if err != nil {
		t.Fatal(err)
	}
	b, err := buildGraph(ds, GraphSpec{Name: "augment", Kind: "augment", Aug: "shift:1+noise:0.1"}, nil, 5, 0)
	if err != nil {
		t.Fatal(err)
	}
	p, err := data.ParseAugmentFor("shift:1+noise:0.1", ds.Raw)
	if err != nil {
		t.Fatal(err)
	}
	views, g, err := data.MakeViews(ds.Raw.X, 2, p, 5)
	if err != nil {
		t.Fatal(err)
	}
	scaleToUnitDegree(g)
	if !mat.Equal(b.X, ds.tf.apply(views)) || !reflect.DeepEqual(b.G, g) || b.Views != 2 ||
		!reflect.DeepEqual(b.Y, append(append([]int(nil), ds.Y...), ds.Y...)) {
		t.Error("augment graph differs from MakeViews on the raw rows")
	}
}
