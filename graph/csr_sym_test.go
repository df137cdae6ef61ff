package graph

import (
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// TestFirstAsymmetricSorted compares the merge-based symmetry check of
// Validate with the binary-search one on random sparse graphs, symmetric
// and with an entry changed, added or removed on one side only.
func TestFirstAsymmetricSorted(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for trial := 0; trial < 200; trial++ {
		n := 2 + rng.IntN(12)
		d := mat.NewDense(n, n, nil)
		for i := 0; i < n; i++ {
			for j := i + 1; j < n; j++ {
				if rng.IntN(3) == 0 {
					w := float64(1 + rng.IntN(3))
					d.Set(i, j, w)
					d.Set(j, i, w)
				}
			}
		}
		switch trial % 4 {
		case 1: // change, add or remove one off-diagonal entry
			i, j := rng.IntN(n), rng.IntN(n)
			if i != j {
				d.Set(i, j, float64(rng.IntN(3)))
			}
		case 2: // several one-sided entries
			for range 3 {
				i, j := rng.IntN(n), rng.IntN(n)
				if i != j {
					d.Set(i, j, d.At(i, j)+0.5)
				}
			}
		}
		g, err := FromDense(d)
		if err != nil {
			t.Fatal(err)
		}
		i1, j1, ok1 := g.firstAsymmetric(0)
		i2, j2, ok2 := g.firstAsymmetricSorted()
		if ok1 != ok2 || i1 != i2 || j1 != j2 {
			t.Fatalf("trial %d: binary search gives (%d,%d,%v), merge (%d,%d,%v)\n%v", trial, i1, j1, ok1, i2, j2, ok2, mat.Formatted(d))
		}
	}
}
