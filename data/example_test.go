package data_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/eigenssl/eigenssl/data"
	"github.com/eigenssl/eigenssl/graph"
	"gonum.org/v1/gonum/mat"
)

func ExampleLoad() {
	ds, err := data.Load("digits", data.LoadOptions{N: 100, Seed: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	r, c := ds.X.Dims()
	fmt.Println(ds.Name, r, c, ds.Classes, ds.ImageShape)
	// Output: digits 100 64 10 [8 8]
}

func ExampleMakeViews() {
	ds, _ := data.Digits()
	x := ds.Subset([]int{0, 1, 2}).X
	aug, _ := data.ParseAugment("shift:1+noise:0.05", ds.ImageShape)
	views, g, _ := data.MakeViews(x, 2, aug, 7)
	r, _ := views.Dims()
	// Row 1 (view 0 of sample 1) is linked to row 4 (view 1 of sample 1).
	fmt.Println(r, aug, g.At(1, 4), g.At(1, 2))
	// Output: 6 shift:1+noise:0.05 1 0
}

func ExampleWriteMatrix() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	p := filepath.Join(dir, "x.npy")
	if err := data.WriteMatrix(p, mat.NewDense(2, 2, []float64{1, 2, 3, 4})); err != nil {
		fmt.Println(err)
		return
	}
	m, _ := data.ReadMatrix(p)
	fmt.Println(mat.Formatted(m))
	_, err := data.ReadMatrix(filepath.Join(dir, "missing.csv"))
	fmt.Println(err != nil)
	// Output:
	// ⎡1  2⎤
	// ⎣3  4⎦
	// true
}

// BuildRelation makes the augmented views a views relation asks for, with
// the labels repeated per view, and the augmentation graph linking the views
// of each sample.
func ExampleBuildRelation() {
	ds, _ := data.Digits()
	sub := ds.Subset([]int{0, 1, 2})
	r, err := graph.ParseRelation("views:V=2,augment=noise:0.1")
	if err != nil {
		fmt.Println(err)
		return
	}
	rel, err := data.BuildRelation(r, data.RelationInput{X: sub.X, Y: sub.Y, ImageShape: ds.ImageShape, Seed: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	n, d := rel.X.Dims()
	fmt.Println("rows", n, "cols", d, "views", rel.Views)
	fmt.Println("labels", rel.Y)
	// Row 0 (view 0 of sample 0) is linked to row 3 (view 1 of sample 0) only.
	fmt.Println("G[0,3] =", rel.G.At(0, 3), "G[0,1] =", rel.G.At(0, 1), "edges", rel.G.NNZ())
	// Output:
	// rows 6 cols 64 views 2
	// labels [0 1 2 0 1 2]
	// G[0,3] = 1 G[0,1] = 0 edges 6
}
