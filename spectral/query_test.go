package spectral

import (
	"math/rand/v2"
	"testing"

	"github.com/eigenssl/eigenssl/graph"
	"gonum.org/v1/gonum/mat"
)

// selfNeighbors returns exactly graph.Neighbors' lists (same indices, same
// distances, same tie rule), duplicates and ties included.
func TestSelfNeighborsMatchesGraph(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	n, d := 300, 20
	x := mat.NewDense(n, d, nil)
	for i := 0; i < n; i++ {
		for j := 0; j < d; j++ {
			x.Set(i, j, float64(r.IntN(3))+100) // many ties, large offset
		}
	}
	x.SetRow(5, x.RawRowView(7)) // an exact duplicate
	for _, k := range []int{1, 5, 17} {
		want, wd, err := graph.Neighbors(x, k, graph.KNNOptions{})
		if err != nil {
			t.Fatal(err)
		}
		got, gd, err := selfNeighbors("test", x, k)
		if err != nil {
			t.Fatal(err)
		}
		for i := range want {
			if got[i] != want[i] || gd[i] != wd[i] {
				t.Fatalf("k=%d entry %d (row %d): got (%d, %g); want (%d, %g)", k, i, i/k, got[i], gd[i], want[i], wd[i])
			}
		}
	}
}
