package graph

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// TestLaplacianMulMatWidths checks the block product of every operator kind
// against its dense matrix for block widths 1..4 (2 has its own loop), with
// contiguous and strided operands, on a weighted graph with an isolated vertex.
func TestLaplacianMulMatWidths(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 9))
	n := 40
	d := mat.NewDense(n, n, nil)
	for i := 1; i < n; i++ { // vertex 0 stays isolated
		for j := i + 1; j < n; j++ {
			if rng.IntN(4) == 0 {
				w := 0.5 + rng.Float64()
				d.Set(i, j, w)
				d.Set(j, i, w)
			}
		}
	}
	g, err := FromDense(d)
	if err != nil {
		t.Fatal(err)
	}
	ops := map[string]*LaplacianOp{}
	for _, k := range []LaplacianKind{Unnormalized, SymNormalized, RandomWalk} {
		if ops[k.String()], err = Laplacian(g, k); err != nil {
			t.Fatal(err)
		}
	}
	if ops["adjacency"], err = NormalizedAdjacency(g); err != nil {
		t.Fatal(err)
	}
	for name, l := range ops {
		w := l.Dense()
		for b := 1; b <= 4; b++ {
			wide := randomDense(rng, n, b+3)
			for _, x := range []mat.Matrix{randomDense(rng, n, b), wide.Slice(0, n, 1, 1+b)} {
				var got, want mat.Dense
				l.MulMatTo(&got, x)
				want.Mul(w, x)
				if !mat.EqualApprox(&got, &want, 1e-13) {
					t.Errorf("%s, b=%d (%s): MulMatTo differs from the dense product", name, b, fmt.Sprintf("%T", x))
				}
			}
		}
	}
}
