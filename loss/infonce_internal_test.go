package loss

import (
	"math/rand/v2"
	"runtime"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// TestInfoNCEReproducible checks that the tiled InfoNCE gives bit-identical
// values and gradients with cached or recomputed strips and with 1 or
// several goroutines.
func TestInfoNCEReproducible(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	n, k := 3*tileRows+17, 5
	z1 := mat.NewDense(n, k, nil)
	z2 := mat.NewDense(n, k, nil)
	for i := 0; i < n; i++ {
		for j := 0; j < k; j++ {
			z1.Set(i, j, rng.NormFloat64())
			z2.Set(i, j, z1.At(i, j)+0.3*rng.NormFloat64())
		}
	}
	in := Inputs{Z1: z1, Z2: z2}
	eval := func() Result {
		r, err := NTXent{Tau: 0.2}.Eval(in, true)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	ref := eval()
	saved, procs := cacheEntries, runtime.GOMAXPROCS(0)
	defer func() { cacheEntries = saved; runtime.GOMAXPROCS(procs) }()
	for _, tc := range []struct {
		cache, procs int
	}{{0, 1}, {0, 3}, {saved, 1}, {saved, 4}} {
		cacheEntries = tc.cache
		runtime.GOMAXPROCS(tc.procs)
		got := eval()
		if got.Value != ref.Value || !mat.Equal(got.Grad[KeyZ1], ref.Grad[KeyZ1]) || !mat.Equal(got.Grad[KeyZ2], ref.Grad[KeyZ2]) {
			t.Errorf("cache %d, GOMAXPROCS %d: result differs from the reference bits", tc.cache, tc.procs)
		}
	}
}
