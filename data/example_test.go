package data_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/eigenssl/eigenssl/data"
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
