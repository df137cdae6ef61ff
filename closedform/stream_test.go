package closedform_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"

	"github.com/eigenssl/eigenssl/closedform"
	"github.com/eigenssl/eigenssl/data"
	"github.com/eigenssl/eigenssl/graph"
	"gonum.org/v1/gonum/mat"
)

// The expected-graph closed form of smooth VICReg for noise augmentations:
// the statistics of 16 independent draws of V = 2 views of 100 samples.
func ExampleSolveStats() {
	rng := rand.New(rand.NewPCG(1, 2))
	x := mat.NewDense(100, 3, nil)
	for i := 0; i < 100; i++ {
		x.SetRow(i, []float64{3 * rng.NormFloat64(), 2 * rng.NormFloat64(), rng.NormFloat64()})
	}
	aug, err := data.ParseAugment("noise:0.5", [2]int{})
	if err != nil {
		panic(err)
	}
	rel := closedform.StreamRelation{Kind: graph.ViewsRelation, V: 2, Augment: aug, Seed: 7, Draws: 16}
	s, err := closedform.NewStats(3)
	if err != nil {
		panic(err)
	}
	// Shards could be absorbed into separate Stats (first = global index
	// of their first sample) and merged in any order.
	if err := rel.Absorb(s, x, 0, nil, nil); err != nil {
		panic(err)
	}
	sol, err := closedform.SolveStats(closedform.Problem{Loss: closedform.VICReg, K: 2, Gamma: 0.5}, s)
	if err != nil {
		panic(err)
	}
	r, c := sol.W.Dims()
	fmt.Printf("rows %d, W %dx%d, rank %d, exact %v\n", s.Rows(), r, c, sol.Rank, sol.Exact)
	// Output: rows 3200, W 3x2, rank 2, exact true
}

// BenchmarkStreamViews measures the streamed views relation (V = 2, noise
// augmentation made where the rows are read) on rows generated on the fly,
// D = 256, in blocks of 8192 samples: EIGENSSL_STREAM_ROWS rows (default
// 20000) per iteration; reports rows/s (original samples).
func BenchmarkStreamViews(b *testing.B) {
	const d, block = 256, 8192
	n := 20000
	if v := os.Getenv("EIGENSSL_STREAM_ROWS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 1 {
			b.Fatalf("EIGENSSL_STREAM_ROWS = %q: want a positive integer", v)
		}
	}
	aug, err := data.ParseAugment("noise:0.1", [2]int{})
	if err != nil {
		b.Fatal(err)
	}
	rel := closedform.StreamRelation{Kind: graph.ViewsRelation, V: 2, Augment: aug, Seed: 1}
	x := mat.NewDense(block, d, nil)
	b.ReportAllocs()
	for b.Loop() {
		s, err := closedform.NewStats(d)
		if err != nil {
			b.Fatal(err)
		}
		for lo := 0; lo < n; lo += block {
			m := min(block, n-lo)
			xb := x.Slice(0, m, 0, d).(*mat.Dense)
			rng := rand.New(rand.NewPCG(uint64(lo), 3))
			for i := 0; i < m; i++ {
				row := xb.RawRowView(i)
				for j := range row {
					row[j] = rng.NormFloat64() * (1 + float64(j%16))
				}
			}
			if err := rel.Absorb(s, xb, lo, nil, nil); err != nil {
				b.Fatal(err)
			}
		}
		if _, err := closedform.SolveStats(closedform.Problem{Loss: closedform.VICReg, K: 32, Gamma: 0.1}, s); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// ParseStreamRelation hands a labels or edges pattern to the matching
// argument of Shards, and none for views.
func TestParseStreamRelationFiles(t *testing.T) {
	for spec, want := range map[string][2]string{
		"labels:y-*.npy": {"y-*.npy", ""},
		"edges:e-*.csv":  {"", "e-*.csv"},
		"views:V=2":      {"", ""},
	} {
		_, labels, edges, err := closedform.ParseStreamRelation(spec, [2]int{}, 1, 0)
		if err != nil || labels != want[0] || edges != want[1] {
			t.Errorf("ParseStreamRelation(%q) = labels %q, edges %q, %v; want %q, %q", spec, labels, edges, err, want[0], want[1])
		}
	}
}
