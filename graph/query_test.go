package graph

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/eigenssl/eigenssl/linalg"
)

// bruteQuery is the independent reference of QueryNeighbors: every distance
// computed directly, rows sorted by (squared distance, index).
func bruteQuery(train, query *mat.Dense, k int, metric Metric) ([]int, []float64) {
	n, _ := train.Dims()
	m, _ := query.Dims()
	norm := func(r []float64) []float64 {
		r = slices.Clone(r)
		if metric == Cosine {
			s := 0.0
			for _, v := range r {
				s += v * v
			}
			for j := range r {
				r[j] /= math.Sqrt(s)
			}
		}
		return r
	}
	idx, dist := make([]int, 0, m*k), make([]float64, 0, m*k)
	for i := 0; i < m; i++ {
		q := norm(query.RawRowView(i))
		type nb struct {
			j int
			e float64
		}
		all := make([]nb, n)
		for j := range all {
			x := norm(train.RawRowView(j))
			all[j] = nb{j, linalg.RowSqDist(q, x)}
		}
		slices.SortStableFunc(all, func(a, b nb) int { return cmp.Compare(a.e, b.e) })
		for _, a := range all[:k] {
			idx = append(idx, a.j)
			if metric == Cosine {
				dist = append(dist, a.e/2)
			} else {
				dist = append(dist, math.Sqrt(a.e))
			}
		}
	}
	return idx, dist
}

func TestQueryNeighborsBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	// n > tileC and m > tileQ: several tiles both ways. Integer coordinates
	// around a large offset: many exact ties and a cancelling Gemm.
	n, m, d := 1300, 300, 5
	train, query := mat.NewDense(n, d, nil), mat.NewDense(m, d, nil)
	for _, a := range []*mat.Dense{train, query} {
		rows, _ := a.Dims()
		for i := 0; i < rows; i++ {
			for j := 0; j < d; j++ {
				a.Set(i, j, 1000+float64(r.IntN(4)))
			}
		}
	}
	for _, metric := range []Metric{Euclidean, Cosine} {
		for _, k := range []int{1, 7, 40} {
			got, gd, err := QueryNeighbors(train, query, k, KNNOptions{Metric: metric, Workers: 2})
			if err != nil {
				t.Fatal(err)
			}
			want, wd := bruteQuery(train, query, k, metric)
			for q := range want {
				// The reference sums in another order: indices must agree
				// exactly, distances to rounding.
				if got[q] != want[q] || math.Abs(gd[q]-wd[q]) > 1e-9*(1+wd[q]) {
					t.Fatalf("%v k=%d row %d slot %d: got (%d, %g); want (%d, %g)", metric, k, q/k, q%k, got[q], gd[q], want[q], wd[q])
				}
			}
		}
	}
}

// Querying the training set itself finds each point first at distance 0,
// then exactly Neighbors' lists, bit for bit.
func TestQueryNeighborsMatchesNeighbors(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	n, d := 300, 20
	x := mat.NewDense(n, d, nil)
	for i := 0; i < n; i++ {
		for j := 0; j < d; j++ {
			x.Set(i, j, float64(r.IntN(3))+100)
		}
	}
	for _, k := range []int{1, 5, 17} {
		want, wd, err := Neighbors(x, k, KNNOptions{})
		if err != nil {
			t.Fatal(err)
		}
		got, gd, err := QueryNeighbors(x, x, k+1, KNNOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < n; i++ {
			if got[i*(k+1)] != i || gd[i*(k+1)] != 0 {
				t.Fatalf("k=%d row %d: first neighbour (%d, %g); want itself", k, i, got[i*(k+1)], gd[i*(k+1)])
			}
			for s := 0; s < k; s++ {
				if a, b := got[i*(k+1)+1+s], want[i*k+s]; a != b || gd[i*(k+1)+1+s] != wd[i*k+s] {
					t.Fatalf("k=%d row %d slot %d: got (%d, %g); want (%d, %g)", k, i, s, a, gd[i*(k+1)+1+s], b, wd[i*k+s])
				}
			}
		}
	}
	// sqrt(linalg.RowSqDist) is the distance behind them, bit for bit.
	idx, dist, err := Neighbors(x, 1, KNNOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i++ {
		if got := math.Sqrt(linalg.RowSqDist(x.RawRowView(i), x.RawRowView(idx[i]))); got != dist[i] {
			t.Fatalf("row %d: sqrt(RowSqDist) = %v; Neighbors says %v", i, got, dist[i])
		}
	}
}

func TestQueryNeighborsErrors(t *testing.T) {
	x := mat.NewDense(3, 2, []float64{0, 1, 1, 0, 1, 1})
	nan := mat.NewDense(1, 2, []float64{0, math.NaN()})
	zero := mat.NewDense(1, 2, nil)
	for _, c := range []struct {
		name         string
		train, query mat.Matrix
		k            int
		opt          KNNOptions
		want         error
	}{
		{"nil query", x, nil, 1, KNNOptions{}, ErrEmpty},
		{"nil train", nil, x, 1, KNNOptions{}, ErrEmpty},
		{"columns", x, mat.NewDense(1, 3, nil), 1, KNNOptions{}, ErrShape},
		{"k=0", x, x, 0, KNNOptions{}, ErrNeighbors},
		{"k>N", x, x, 4, KNNOptions{}, ErrNeighbors},
		{"NaN query", x, nan, 1, KNNOptions{}, ErrNaN},
		{"NaN train", nan, x, 1, KNNOptions{}, ErrNaN},
		{"zero cosine query", x, zero, 1, KNNOptions{Metric: Cosine}, ErrParam},
		{"metric", x, x, 1, KNNOptions{Metric: Metric(9)}, ErrParam},
	} {
		if _, _, err := QueryNeighbors(c.train, c.query, c.k, c.opt); !errors.Is(err, c.want) {
			t.Errorf("%s: %v; want %v", c.name, err, c.want)
		}
	}
}

func BenchmarkQueryNeighbors(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, s := range []struct{ n, m, d, k int }{{10000, 1000, 50, 10}} {
		train, query := mat.NewDense(s.n, s.d, nil), mat.NewDense(s.m, s.d, nil)
		for _, a := range []*mat.Dense{train, query} {
			raw := a.RawMatrix().Data
			for i := range raw {
				raw[i] = r.NormFloat64()
			}
		}
		b.Run(fmt.Sprintf("N=%d/M=%d/D=%d/k=%d", s.n, s.m, s.d, s.k), func(b *testing.B) {
			for b.Loop() {
				if _, _, err := QueryNeighbors(train, query, s.k, KNNOptions{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
