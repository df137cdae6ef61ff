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
