package linalg

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// sparseData is n x d with about half of its entries exactly zero (as
// images), so that GramSelf takes the zero-skipping path in the pure-Go
// build.
func sparseData(n, d int, seed uint64) *mat.Dense {
	r := rand.New(rand.NewPCG(seed, 7))
	x := mat.NewDense(n, d, nil)
	for i := 0; i < n; i++ {
		for j := 0; j < d; j++ {
			if r.Float64() < 0.5 {
				x.Set(i, j, r.NormFloat64())
			}
		}
	}
	return x
}

// TestGramSelfBruteForce checks both Gram paths against the plain product
// x xᵀ on sizes that cross the tile edges, sparse and dense.
func TestGramSelfBruteForce(t *testing.T) {
	for _, n := range []int{1, 33, 600} {
		for _, d := range []int{1, 130} {
			sp := sparseData(n, d, uint64(n*d))
			dense := mat.NewDense(n, d, nil)
			dense.Apply(func(i, j int, _ float64) float64 { return float64((i*7+j*3)%11) - 5 }, dense)
			for name, x := range map[string]*mat.Dense{"sparse": sp, "dense": dense} {
				var want mat.Dense
				want.Mul(x, x.T())
				for fn, f := range map[string]func(*mat.Dense) *mat.Dense{"GramSelf": GramSelf, "gramSelfGemm": gramSelfGemm, "gramSelfSkip": gramSelfSkip} {
					got := f(x)
					for i := 0; i < n; i++ {
						for j := 0; j < n; j++ {
							w := want.At(i, j)
							if math.Abs(got.At(i, j)-w) > 1e-12*math.Max(1, math.Abs(w)) || got.At(i, j) != got.At(j, i) {
								t.Fatalf("%s %s n=%d d=%d: G[%d,%d] = %v, want %v (symmetric %v)", fn, name, n, d, i, j, got.At(i, j), w, got.At(j, i))
							}
						}
					}
				}
			}
		}
	}
}

func BenchmarkGramSelf(b *testing.B) {
	for _, n := range []int{2000} {
		x := sparseData(n, 784, 1)
		for _, p := range []struct {
			name string
			f    func(*mat.Dense) *mat.Dense
		}{{"gemm", gramSelfGemm}, {"skip", gramSelfSkip}} {
			b.Run(fmt.Sprintf("N=%d/D=784/sparse/%s", n, p.name), func(b *testing.B) {
				for b.Loop() {
					p.f(x)
				}
			})
		}
	}
}
