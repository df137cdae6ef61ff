package loss_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/eigenssl/eigenssl/graph"
	"github.com/eigenssl/eigenssl/linalg"
	"github.com/eigenssl/eigenssl/loss"
	"github.com/eigenssl/eigenssl/nn"
	"gonum.org/v1/gonum/mat"
)

// BenchmarkLoss times value + gradient for N rows (per branch for the
// two-branch losses; the stacked Z of the V = 2 augmentation graph for the
// G-form ones) and K columns. bench/loss_torch.py times PyTorch on the same
// sizes; see bench/README.md.
func BenchmarkLoss(b *testing.B) {
	b.Logf("backend %s", linalg.Backend())
	for _, name := range loss.Names() {
		benchCells(b, name, func(b *testing.B, rng *rand.Rand, n, k int) {
			l, err := loss.New(name, nil)
			if err != nil {
				b.Fatal(err)
			}
			var in loss.Inputs
			if kinds[name] == "gform" {
				g, _, err := graph.Views(n/2, 2)
				if err != nil {
					b.Fatal(err)
				}
				in = loss.Inputs{Z: benchDense(rng, n, k), G: g}
			} else {
				in = loss.Inputs{Z1: benchDense(rng, n, k), Z2: benchDense(rng, n, k)}
			}
			b.ResetTimer()
			for b.Loop() {
				if _, err := l.Eval(in, true); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkLoss32 is BenchmarkLoss for the float32 paths (Eval32) of the
// official two-branch losses.
func BenchmarkLoss32(b *testing.B) {
	b.Logf("backend %s", linalg.Backend())
	for _, name := range []string{loss.NameVICRegOfficial, loss.NameBarlowTwinsOfficial, loss.NameNTXent} {
		l, err := loss.New(name, nil)
		if err != nil {
			b.Fatal(err)
		}
		benchCells(b, name, func(b *testing.B, rng *rand.Rand, n, k int) {
			in := loss.Inputs32{Z1: nn.ToFloat32(benchDense(rng, n, k)), Z2: nn.ToFloat32(benchDense(rng, n, k))}
			b.ResetTimer()
			for b.Loop() {
				if _, err := l.(loss.Float32).Eval32(in, true); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// benchCells runs f as sub-benchmark name/N=n,K=k for N in {512, 4096} and
// K in {128, 2048}, with a generator seeded by (n, k).
func benchCells(b *testing.B, name string, f func(b *testing.B, rng *rand.Rand, n, k int)) {
	for _, n := range []int{512, 4096} {
		for _, k := range []int{128, 2048} {
			b.Run(fmt.Sprintf("%s/N=%d,K=%d", name, n, k), func(b *testing.B) {
				f(b, rand.New(rand.NewPCG(uint64(n), uint64(k))), n, k)
			})
		}
	}
}

func benchDense(rng *rand.Rand, r, c int) *mat.Dense {
	d := make([]float64, r*c)
	for i := range d {
		d[i] = rng.NormFloat64()
	}
	return mat.NewDense(r, c, d)
}

// BenchmarkSimCLRSmall times value + gradient of the G-form SimCLR at the
// experiments' size (N = 300, K = 16, 5 random edges per row), where E3's
// linear-regime refinements spend most of their time.
func BenchmarkSimCLRSmall(b *testing.B) {
	n, k := 300, 16
	rng := rand.New(rand.NewPCG(1, 2))
	z := mat.NewDense(n, k, nil)
	for i := range z.RawMatrix().Data {
		z.RawMatrix().Data[i] = rng.NormFloat64()
	}
	var edges [][2]int
	for i := 0; i < n; i++ {
		for c := 0; c < 5; c++ {
			if j := rng.IntN(n); j != i {
				edges = append(edges, [2]int{i, j})
			}
		}
	}
	g, _, err := graph.FromEdges(n, edges, nil)
	if err != nil {
		b.Fatal(err)
	}
	l := loss.SimCLRGForm{Tau: 0.5}
	b.ResetTimer()
	for range b.N {
		if _, err := l.Eval(loss.Inputs{Z: z, G: g}, true); err != nil {
			b.Fatal(err)
		}
	}
}
