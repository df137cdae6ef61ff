package eval_test

import (
	"fmt"

	"github.com/eigenssl/eigenssl/data"
	"github.com/eigenssl/eigenssl/eval"
	"github.com/eigenssl/eigenssl/graph"
	"gonum.org/v1/gonum/mat"
)

func ExampleEvaluate() {
	ds, _ := data.Digits()
	res, err := eval.Evaluate(ds.X, ds.Y, eval.Protocol{Probe: "knn", Split: 1400, Seeds: 3})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.NTrain, res.NTest, res.Mean > 0.97)
	// Output: 1400 397 true
}

func ExampleEffectiveRank() {
	// Singular values 2, 1, 1: p = (1/2, 1/4, 1/4), entropy 1.5 log 2.
	z := mat.NewDiagDense(3, []float64{2, 1, 1})
	e, _ := eval.EffectiveRank(z)
	fmt.Printf("%.4f\n", e)
	// Output: 2.8284
}

func ExampleGraphAlignment() {
	y := []int{0, 0, 1, 1}
	g, _, _ := graph.Labels(y)
	a, _ := eval.GraphAlignment(g, y)
	fmt.Println(a.WithinClass, a.Components, a.ARI)
	// Output: 1 2 1
}

// ExampleLabelEnergy measures how much of the label signal lies in the
// bottom eigenspace of G's Laplacian: 4 classes of 5 vertices, first with
// the label graph, then with pairs of classes merged into cliques.
func ExampleLabelEnergy() {
	var y, merged []int
	for c := range 4 {
		for range 5 {
			y = append(y, c)
			merged = append(merged, c/2)
		}
	}
	aligned, _, _ := graph.Labels(y)
	coarse, _, _ := graph.Labels(merged)
	e1, _ := eval.LabelEnergy(aligned, y, 3)
	e2, _ := eval.LabelEnergy(coarse, y, 3)
	fmt.Printf("label graph %.3f, merged classes %.3f (11/27)\n", e1, e2)
	// Output:
	// label graph 1.000, merged classes 0.407 (11/27)
}
