package graph

import (
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// The k-d tree search gives the tile search's lists and distances bit for
// bit (both are the k smallest (distance, index) pairs), in 1 to 8
// dimensions, on data with many equal distances (integer grids, duplicate
// rows) and on continuous data, for several k and worker counts.
func TestKDListsMatchTiles(t *testing.T) {
	defer func(v int) { kdMaxD = v }(kdMaxD)
	rng := rand.New(rand.NewPCG(3, 4))
	for _, d := range []int{1, 2, 3, 5, 8} {
		for _, kind := range []string{"grid", "normal"} {
			n := 700 + 37*d
			x := mat.NewDense(n, d, nil)
			for i := 0; i < n; i++ {
				for c := 0; c < d; c++ {
					if kind == "grid" {
						x.Set(i, c, float64(rng.IntN(6))) // many ties and duplicates
					} else {
						x.Set(i, c, rng.NormFloat64()*float64(c+1))
					}
				}
			}
			for _, k := range []int{1, 7, 30} {
				for _, workers := range []int{1, 3} {
					kdMaxD = 8
					ki, kd, err := Neighbors(x, k, KNNOptions{Workers: workers})
					if err != nil {
						t.Fatal(err)
					}
					kdMaxD = 0
					ti, td, err := Neighbors(x, k, KNNOptions{Workers: workers})
					if err != nil {
						t.Fatal(err)
					}
					if !slices.Equal(ki, ti) || !slices.Equal(kd, td) {
						for p := range ki {
							if ki[p] != ti[p] || kd[p] != td[p] {
								t.Fatalf("d = %d %s, k = %d, workers %d: entry %d (row %d): k-d tree (%d, %v), tiles (%d, %v)", d, kind, k, workers, p, p/k, ki[p], kd[p], ti[p], td[p])
							}
						}
					}
				}
			}
		}
	}
}
