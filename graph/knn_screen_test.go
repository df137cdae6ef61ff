package graph

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// TestNeighborsScreeningScales checks the float32 screening of knnLists
// against brute force where float32 alone would overflow (1e140), underflow
// (1e-140), or lose the neighbour order in a large offset, over several
// symmetric tiles and worker counts.
func TestNeighborsScreeningScales(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	n, d, k := 3*symTile+17, 5, 9
	base := randomDense(rng, n, d)
	for _, c := range []struct {
		name          string
		scale, offset float64
		workers       int
	}{{"huge", 1e140, 0, 2}, {"tiny", 1e-140, 0, 3}, {"offset", 1, 1e6, 1}, {"near-duplicates", 1e-9, 1, 2}} {
		x := mat.NewDense(n, d, nil)
		for i := 0; i < n; i++ {
			for j := 0; j < d; j++ {
				x.Set(i, j, base.At(i, j)*c.scale+c.offset)
			}
		}
		bi, bd := bruteRows(x, Euclidean)
		idx, dist, err := Neighbors(x, k, KNNOptions{Workers: c.workers})
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		for i := 0; i < n; i++ {
			if !slices.Equal(idx[i*k:(i+1)*k], bi[i][:k]) {
				t.Fatalf("%s: row %d: got %v; want %v", c.name, i, idx[i*k:(i+1)*k], bi[i][:k])
			}
			for q := 0; q < k; q++ {
				if got, want := dist[i*k+q], bd[i][q]; math.Abs(got-want) > 1e-12*want {
					t.Fatalf("%s: %s: got %v; want %v", c.name, fmt.Sprintf("dist[%d,%d]", i, q), got, want)
				}
			}
		}
	}
}
