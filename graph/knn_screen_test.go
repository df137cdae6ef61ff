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

// TestNeighborsProjectionScreening covers the projected lower-bound screening
// (D >= projMinD, N >= projMinN) against brute force: data near a
// low-dimensional subspace (tight bound), isotropic data (loose bound, many
// candidates) and integer data with exact ties, both metrics.
func TestNeighborsProjectionScreening(t *testing.T) {
	// The projection from 1,024 points on (the default, 8,192, would make
	// the brute-force reference slow).
	defer func(v int) { projMinN = v }(projMinN)
	projMinN = 4 * symTile
	rng := rand.New(rand.NewPCG(31, 32))
	n, d, k := projMinN+77, projMinD+14, 11
	lowRank := mat.NewDense(n, d, nil)
	basis := randomDense(rng, 20, d)
	for i := 0; i < n; i++ {
		for j := 0; j < d; j++ {
			v := 0.05 * rng.NormFloat64()
			for q := 0; q < 20; q++ {
				v += basis.At(q, j) * float64(i%(q+3))
			}
			lowRank.Set(i, j, v)
		}
	}
	for _, c := range []struct {
		name string
		x    *mat.Dense
	}{{"low-rank", lowRank}, {"isotropic", randomDense(rng, n, d)}, {"ties", tieData(rng, n, d)}} {
		for _, m := range []Metric{Euclidean, Cosine} {
			bi, bd := bruteRows(c.x, m)
			idx, dist, err := Neighbors(c.x, k, KNNOptions{Metric: m})
			if err != nil {
				t.Fatalf("%s %v: %v", c.name, m, err)
			}
			for i := 0; i < n; i++ {
				if !slices.Equal(idx[i*k:(i+1)*k], bi[i][:k]) {
					t.Fatalf("%s %v: row %d: got %v; want %v", c.name, m, i, idx[i*k:(i+1)*k], bi[i][:k])
				}
				for q := 0; q < k; q++ {
					if got, want := dist[i*k+q], bd[i][q]; math.Abs(got-want) > 1e-12*math.Max(want, 1e-300) {
						t.Fatalf("%s %v: dist[%d,%d] = %v; want %v", c.name, m, i, q, got, want)
					}
				}
			}
		}
	}
}
