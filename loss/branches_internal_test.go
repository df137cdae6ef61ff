package loss

import (
	"errors"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/mat"
)

// TestBarlowBranchesConcurrent checks that running BarlowTwinsOfficial's two
// branches concurrently (branches, above branchGrain entries) gives the
// serial results bit for bit, in float64 and float32, on both the K <= N
// and the row-Gram (K > N) paths.
func TestBarlowBranchesConcurrent(t *testing.T) {
	if runtime.NumCPU() < 2 {
		t.Log("one CPU: the goroutines interleave on it, still a check of shared state")
	}
	rng := rand.New(rand.NewPCG(7, 8))
	for _, sz := range [][2]int{{256, 128}, {128, 256}} {
		n, k := sz[0], sz[1]
		if n*k < branchGrain {
			t.Fatalf("%dx%d is below branchGrain %d: the concurrent path would not run", n, k, branchGrain)
		}
		z1, z2 := mat.NewDense(n, k, nil), mat.NewDense(n, k, nil)
		for _, z := range []*mat.Dense{z1, z2} {
			for i := range z.RawMatrix().Data {
				z.RawMatrix().Data[i] = rng.NormFloat64()
			}
		}
		l := BarlowTwinsOfficial{}
		eval := func(procs int) (Result, Result32) {
			defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
			r64, err := l.Eval(Inputs{Z1: z1, Z2: z2}, true)
			if err != nil {
				t.Fatal(err)
			}
			r32, err := l.Eval32(Inputs32{Z1: to32(z1), Z2: to32(z2)}, true)
			if err != nil {
				t.Fatal(err)
			}
			return r64, r32
		}
		s64, s32 := eval(1)
		for range 3 {
			c64, c32 := eval(2)
			if c64.Value != s64.Value || c32.Value != s32.Value {
				t.Fatalf("%dx%d: value %v / %v concurrent, %v / %v serial", n, k, c64.Value, c32.Value, s64.Value, s32.Value)
			}
			for _, key := range []string{KeyZ1, KeyZ2} {
				if !slices.Equal(c64.Grad[key].RawMatrix().Data, s64.Grad[key].RawMatrix().Data) {
					t.Fatalf("%dx%d: float64 gradient %s differs between concurrent and serial", n, k, key)
				}
			}
			for b, g := range [][2]blas32.General{{c32.Grad1, s32.Grad1}, {c32.Grad2, s32.Grad2}} {
				if !slices.Equal(g[0].Data, g[1].Data) {
					t.Fatalf("%dx%d: float32 gradient of branch %d differs between concurrent and serial", n, k, b+1)
				}
			}
		}
	}
}

// TestCheckBranchesNamesFirstBadBranch: with a NaN in both branches (checked
// concurrently) the error names z1, with one only in z2 it names z2.
func TestCheckBranchesNamesFirstBadBranch(t *testing.T) {
	n, k := 256, 128
	z1, z2 := mat.NewDense(n, k, nil), mat.NewDense(n, k, nil)
	z1.Set(200, 3, math.NaN())
	z2.Set(5, 1, math.Inf(1))
	for range 5 {
		err := checkPair("t", Inputs{Z1: z1, Z2: z2}, 2)
		if !errors.Is(err, ErrNaN) || !strings.Contains(err.Error(), KeyZ1) || !strings.Contains(err.Error(), "(200,3)") {
			t.Fatalf("NaN in both branches: %v; want the z1 entry (200,3)", err)
		}
	}
	z1.Set(200, 3, 0)
	if err := checkPair("t", Inputs{Z1: z1, Z2: z2}, 2); !errors.Is(err, ErrNaN) || !strings.Contains(err.Error(), KeyZ2) || !strings.Contains(err.Error(), "(5,1)") {
		t.Fatalf("Inf in z2: %v; want the z2 entry (5,1)", err)
	}
}
