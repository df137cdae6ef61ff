package graph

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// randomLengthGraph is a random symmetric graph on n vertices with about
// deg edges per vertex, integer-valued lengths in [1, 20] (exact sums, so
// ties between paths are common and exercise the heap's stale entries), and
// a few isolated vertices; with cont the lengths are continuous in [1, 21)
// instead, so the heap keys spread over many mantissa bits.
func randomLengthGraph(t testing.TB, n, deg int, seed uint64, cont bool) *CSR {
	r := rand.New(rand.NewPCG(seed, 11))
	var rows, cols []int
	var vals []float64
	for i := 0; i < n-3; i++ {
		for e := 0; e < deg/2; e++ {
			j := r.IntN(n - 3)
			if j == i {
				continue
			}
			w := float64(1 + r.IntN(20))
			if cont {
				w = 1 + 20*r.Float64()
			}
			rows, cols, vals = append(rows, i), append(cols, j), append(vals, w)
		}
	}
	g, err := FromTriplets(n, rows, cols, vals, TripletOptions{Sym: SymMax})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// TestGeodesicsFloydWarshall checks every row of AllPairsGeodesics and of
// Geodesics from a subset of sources against Floyd-Warshall (exactly for
// integer lengths, to 1e-12 relative for continuous ones, whose sums
// Floyd-Warshall associates differently).
func TestGeodesicsFloydWarshall(t *testing.T) {
	for _, tc := range []struct {
		n, deg int
		cont   bool
	}{{4, 1, false}, {60, 3, false}, {300, 6, false}, {60, 3, true}, {300, 6, true}} {
		g := randomLengthGraph(t, tc.n, tc.deg, uint64(tc.n), tc.cont)
		tol := 0.0
		if tc.cont {
			tol = 1e-12
		}
		near := func(a, b float64) bool { return a == b || math.Abs(a-b) <= tol*math.Abs(b) }
		n := g.N
		fw := make([]float64, n*n)
		for i := range fw {
			fw[i] = math.Inf(1)
		}
		for i := 0; i < n; i++ {
			fw[i*n+i] = 0
			for p := g.RowPtr[i]; p < g.RowPtr[i+1]; p++ {
				fw[i*n+g.Col[p]] = math.Min(fw[i*n+g.Col[p]], g.Val[p])
			}
		}
		for k := 0; k < n; k++ {
			for i := 0; i < n; i++ {
				for j := 0; j < n; j++ {
					fw[i*n+j] = math.Min(fw[i*n+j], fw[i*n+k]+fw[k*n+j])
				}
			}
		}
		all, err := AllPairsGeodesics(g, 2, false)
		if err != nil {
			t.Fatal(err)
		}
		src := []int{n - 1, 0, n / 2, 0}
		sub, err := Geodesics(g, src, 3)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < n; i++ {
			for j := 0; j < n; j++ {
				if !near(all.At(i, j), fw[i*n+j]) {
					t.Fatalf("n=%d: d(%d,%d) = %v, Floyd-Warshall %v", n, i, j, all.At(i, j), fw[i*n+j])
				}
			}
		}
		for r, s := range src {
			for j := 0; j < n; j++ {
				if !near(sub.At(r, j), fw[s*n+j]) {
					t.Fatalf("n=%d: Geodesics row %d (source %d) col %d = %v, want %v", n, r, s, j, sub.At(r, j), fw[s*n+j])
				}
			}
		}
	}
}

// BenchmarkAllPairsGeodesics runs on the 10-NN graph of Gaussian points
// in 10 dimensions (continuous lengths, as ISOMAP's).
func BenchmarkAllPairsGeodesics(b *testing.B) {
	for _, n := range []int{2000} {
		r := rand.New(rand.NewPCG(1, 2))
		x := mat.NewDense(n, 10, nil)
		for i := 0; i < n; i++ {
			for j := 0; j < 10; j++ {
				x.Set(i, j, r.NormFloat64())
			}
		}
		g, _, err := KNN(x, 10, KNNOptions{Weight: Distance})
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			for b.Loop() {
				if _, err := AllPairsGeodesics(g, 0, false); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
