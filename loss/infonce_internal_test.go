package loss

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// TestInfoNCEReproducible checks that the tiled InfoNCE gives bit-identical
// values and gradients with 1 or several goroutines, for the whole-matrix
// and the blocked paths, and that the two paths agree.
func TestInfoNCEReproducible(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	n, k := 3*minBlockRows+17, 5
	z1 := mat.NewDense(n, k, nil)
	z2 := mat.NewDense(n, k, nil)
	for i := 0; i < n; i++ {
		for j := 0; j < k; j++ {
			z1.Set(i, j, rng.NormFloat64())
			z2.Set(i, j, z1.At(i, j)+0.3*rng.NormFloat64())
		}
	}
	in := Inputs{Z1: z1, Z2: z2}
	for _, tau := range []float64{0.2, 0.002} { // 0.002: two-exponential path
		t.Run(fmt.Sprint(tau), func(t *testing.T) { checkReproducible(t, in, tau) })
	}
}

func checkReproducible(t *testing.T, in Inputs, tau float64) {
	eval := func() Result {
		r, err := NTXent{Tau: tau}.Eval(in, true)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	saved, procs := cacheEntries, runtime.GOMAXPROCS(0)
	defer func() { cacheEntries = saved; runtime.GOMAXPROCS(procs) }()
	var first Result
	for _, cache := range []int{saved, 0} {
		cacheEntries = cache
		var ref Result
		for _, p := range []int{1, 2, 3} {
			runtime.GOMAXPROCS(p)
			got := eval()
			if p == 1 {
				ref = got
				continue
			}
			if got.Value != ref.Value || !mat.Equal(got.Grad[KeyZ1], ref.Grad[KeyZ1]) || !mat.Equal(got.Grad[KeyZ2], ref.Grad[KeyZ2]) {
				t.Errorf("cache %d, GOMAXPROCS %d: result differs from the GOMAXPROCS=1 bits", cache, p)
			}
		}
		if cache == saved {
			first = ref
			continue
		}
		// Blocked and whole-matrix products may round differently in the BLAS.
		if d := math.Abs(ref.Value - first.Value); d > 1e-13*math.Abs(first.Value) {
			t.Errorf("blocked value %.17g; whole-matrix value %.17g", ref.Value, first.Value)
		}
		if !mat.EqualApprox(ref.Grad[KeyZ1], first.Grad[KeyZ1], 1e-13) {
			t.Errorf("blocked and whole-matrix gradients differ")
		}
	}
}
