package graph

import (
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/eigenssl/eigenssl/linalg"
)

// clustered returns n points in d dimensions around c seeded Gaussian
// centres with unit noise and centre spread 3: overlapping clusters, so
// that neighbour lists cross cluster borders (the hard case for
// NN-descent's local joins).
func clustered(n, d, c int, seed uint64) *mat.Dense {
	rng := rand.New(rand.NewPCG(seed, 99))
	centres := make([]float64, c*d)
	for i := range centres {
		centres[i] = 3 * rng.NormFloat64()
	}
	x := mat.NewDense(n, d, nil)
	for i := 0; i < n; i++ {
		m := rng.IntN(c)
		for j := 0; j < d; j++ {
			x.Set(i, j, centres[m*d+j]+rng.NormFloat64())
		}
	}
	return x
}

// recallAt returns the fraction of the exact neighbours (ei) found in the
// approximate lists (ai), both n x k.
func recallAt(ei, ai []int, k int) float64 {
	hit := 0
	for i := 0; i < len(ei)/k; i++ {
		for _, j := range ai[i*k : (i+1)*k] {
			if slices.Contains(ei[i*k:(i+1)*k], j) {
				hit++
			}
		}
	}
	return float64(hit) / float64(len(ei))
}

// TestNeighborsApproxRecall measures the recall@k of the approximate search
// against the exact one on fixed seeded data (N = 6000 > approxMinN, so
// NN-descent runs) and checks that every listed distance is the float64 one
// of its pair (to rounding), the lists sorted by (distance, index) and free of the point
// itself and of repeats. The bound 0.99 sits below the measured recall
// (0.996 and 0.998, printed) and far above what the tree initialisation
// alone reaches (0.60 and 0.48 with no NN-descent iteration).
func TestNeighborsApproxRecall(t *testing.T) {
	for _, c := range []struct {
		name string
		x    *mat.Dense
		k    int
		min  float64
	}{
		{"clustered-d20", clustered(6000, 20, 30, 1), 10, 0.99},
		{"isotropic-d8", randomDense(rand.New(rand.NewPCG(3, 4)), 5000, 8), 15, 0.99},
	} {
		n, _ := c.x.Dims()
		ei, _, err := Neighbors(c.x, c.k, KNNOptions{})
		if err != nil {
			t.Fatal(err)
		}
		ai, ad, err := Neighbors(c.x, c.k, KNNOptions{Approx: true, Seed: 7})
		if err != nil {
			t.Fatal(err)
		}
		r := recallAt(ei, ai, c.k)
		t.Logf("%s: recall@%d = %.4f", c.name, c.k, r)
		if r < c.min {
			t.Errorf("%s: recall@%d = %.4f < %.2f", c.name, c.k, r, c.min)
		}
		for i := 0; i < n; i++ {
			row := ai[i*c.k : (i+1)*c.k]
			if slices.Contains(row, i) {
				t.Fatalf("%s: row %d lists itself: %v", c.name, i, row)
			}
			s := slices.Clone(row)
			slices.Sort(s)
			if len(slices.Compact(s)) != c.k {
				t.Fatalf("%s: row %d repeats a neighbour: %v", c.name, i, row)
			}
			for q, j := range row {
				want := math.Sqrt(linalg.RowSqDist(c.x.RawRowView(i), c.x.RawRowView(j)))
				if math.Abs(ad[i*c.k+q]-want) > 1e-13*want {
					t.Fatalf("%s: dist[%d,%d] = %v; exact %v", c.name, i, q, ad[i*c.k+q], want)
				}
				if q > 0 {
					a, b := ad[i*c.k+q-1], ad[i*c.k+q]
					if a > b || (a == b && row[q-1] > j) {
						t.Fatalf("%s: row %d not sorted: %v %v", c.name, i, row, ad[i*c.k:(i+1)*c.k])
					}
				}
			}
		}
	}
}

// TestNeighborsApproxDeterministic checks that the approximate graph is a
// function of the data and the seed: equal lists with GOMAXPROCS 1 and 2
// and with different Workers, and different random-projection trees for another
// seed (else the seed would not reach the random choices).
func TestNeighborsApproxDeterministic(t *testing.T) {
	x := clustered(4000, 12, 20, 2)
	const k = 8
	run := func(procs int, opt KNNOptions) []int {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		idx, _, err := Neighbors(x, k, opt)
		if err != nil {
			t.Fatal(err)
		}
		return idx
	}
	a := run(1, KNNOptions{Approx: true, Seed: 11})
	b := run(2, KNNOptions{Approx: true, Seed: 11, Workers: 1})
	c := run(4, KNNOptions{Approx: true, Seed: 11})
	if !slices.Equal(a, b) || !slices.Equal(a, c) {
		t.Fatal("same seed, different GOMAXPROCS: different graphs")
	}
	// The seed reaches the trees (the converged lists may agree on
	// nearly every row whatever the seed).
	p, err := newPoints("test", x, Euclidean)
	if err != nil {
		t.Fatal(err)
	}
	ad := newApproxData(p)
	l1, l2 := ad.rpTree(32, mix(11, 0)), ad.rpTree(32, mix(12, 0))
	if slices.EqualFunc(l1, l2, slices.Equal) {
		t.Fatal("seeds 11 and 12 gave the same random-projection tree")
	}
	if l3 := ad.rpTree(32, mix(11, 0)); !slices.EqualFunc(l1, l3, slices.Equal) {
		t.Fatal("seed 11 gave two different random-projection trees")
	}
}

// TestKNNApproxGraph checks the graph KNN builds from approximate lists:
// symmetric, binary weights, every vertex with at least k neighbours, and
// nearly the exact graph's edges.
func TestKNNApproxGraph(t *testing.T) {
	x := clustered(5000, 10, 25, 3)
	const k = 10
	ge, _, err := KNN(x, k, KNNOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ga, info, err := KNN(x, k, KNNOptions{Approx: true, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if !ga.IsSymmetric(0) {
		t.Fatal("approximate kNN graph is not symmetric")
	}
	n := ga.N
	common := 0
	for i := 0; i < n; i++ {
		if d := ga.RowPtr[i+1] - ga.RowPtr[i]; d < k {
			t.Fatalf("vertex %d has degree %d < k = %d", i, d, k)
		}
		for p := ga.RowPtr[i]; p < ga.RowPtr[i+1]; p++ {
			if hasEntry(ge, i, ga.Col[p]) {
				common++
			}
		}
	}
	if frac := float64(common) / float64(ge.NNZ()); frac < 0.97 {
		t.Errorf("approximate graph shares %.4f of the exact graph's %d entries", frac, ge.NNZ())
	}
	if want := "knn(k=10,euclidean,union,binary,approx)"; info.Source != want {
		t.Errorf("info source %q; want %q", info.Source, want)
	}
}
