package graph_test

import (
	"fmt"

	"gonum.org/v1/gonum/mat"

	"github.com/eigenssl/eigenssl/graph"
)

// The augmentation graph of 2 views of 3 samples: 3 disjoint edges, so L has
// the eigenvalue 0 three times and V = 2 three times.
func ExampleViews() {
	g, info, err := graph.Views(3, 2)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("N=%d edges=%d components=%d\n", info.N, info.Edges, info.Components)
	g.Edges(func(i, j int, w float64) { fmt.Printf("(%d,%d)", i, j) })
	fmt.Println()
	var e mat.EigenSym
	e.Factorize(graph.LaplacianDense(g, graph.Unnormalized), false)
	fmt.Printf("eig(L) = %.3g\n", e.Values(nil))
	// Output:
	// N=6 edges=3 components=3
	// (0,3)(1,4)(2,5)
	// eig(L) = [0 0 0 2 2 2]
}

func ExampleNeighbors() {
	x := mat.NewDense(5, 1, []float64{0, 1, 3, 3, 7})
	idx, dist, err := graph.Neighbors(x, 2, graph.KNNOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for i := 0; i < 5; i++ {
		fmt.Println(i, idx[2*i:2*i+2], dist[2*i:2*i+2])
	}
	// Output:
	// 0 [1 2] [1 3]
	// 1 [0 2] [1 2]
	// 2 [3 1] [0 2]
	// 3 [2 1] [0 2]
	// 4 [2 3] [4 4]
}

func ExampleCSR_DirichletEnergy() {
	g, _, _ := graph.FromEdges(3, [][2]int{{0, 1}, {1, 2}}, []float64{1, 2})
	z := mat.NewDense(3, 1, []float64{0, 1, 3})
	// Ordered pairs: 2*(1*1^2 + 2*2^2) = 18.
	fmt.Println(g.DirichletEnergy(z))
	// Output: 18
}

func ExampleReadEdgeFile_errors() {
	_, _, err := graph.FromEdges(3, [][2]int{{0, 1}, {1, 0}}, []float64{1, 2})
	fmt.Println(err)
	// Output: graph: fromedges: edges[1] pair (0, 1) = 1 vs 2: conflicting duplicate edge
}
