package spectral

import (
	"math/rand/v2"
	"testing"

	"github.com/eigenssl/eigenssl/graph"
	"gonum.org/v1/gonum/mat"
)

// knnQuery (new points against the training set) finds a training point
// itself first and then exactly graph.Neighbors' lists (same indices, same
// distances, same tie rule), on data full of distance ties.
func TestKNNQueryMatchesGraph(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	n, d := 300, 20
	x := mat.NewDense(n, d, nil)
	for i := 0; i < n; i++ {
		for j := 0; j < d; j++ {
			x.Set(i, j, float64(r.IntN(3))+100) // many ties, large offset
		}
	}
	for _, k := range []int{1, 5, 17} {
		want, wd, err := graph.Neighbors(x, k, graph.KNNOptions{})
		if err != nil {
			t.Fatal(err)
		}
		got, gd, err := knnQuery("test", x, x, k+1)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < n; i++ {
			if got[i*(k+1)] != i || gd[i*(k+1)] != 0 {
				t.Fatalf("k=%d row %d: first neighbour (%d, %g); want itself", k, i, got[i*(k+1)], gd[i*(k+1)])
			}
			for t2 := 0; t2 < k; t2++ {
				a, b := got[i*(k+1)+1+t2], want[i*k+t2]
				if a != b || gd[i*(k+1)+1+t2] != wd[i*k+t2] {
					t.Fatalf("k=%d row %d slot %d: got (%d, %g); want (%d, %g)", k, i, t2, a, gd[i*(k+1)+1+t2], b, wd[i*k+t2])
				}
			}
		}
	}
}
