//go:build openblas

package linalg

import (
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"
)

// TestGemmRowSplit checks that Gemm's row blocks (OpenBLAS on one thread,
// a large product) give the single call's result bit for bit, for every
// transpose combination, in float32 and float64, with beta 0 and 1. It
// depends on the machine's OpenBLAS kernels: blocks starting at multiples
// of 32 rows passed on one x86 machine and failed on an AVX-512 AMD EPYC
// (sgemm tiles of 6 columns), hence gemmAlign.
func TestGemmRowSplit(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(3))
	defer func(v int64) { blasThreads.Store(v) }(blasThreads.Load())
	blasThreads.Store(1)
	testGemmRowSplit[float32](t)
	testGemmRowSplit[float64](t)
}

func testGemmRowSplit[T Float](t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	fill := func(r, c int) General[T] {
		g := NewGeneral[T](r, c)
		for i := range g.Data {
			g.Data[i] = T(rng.NormFloat64())
		}
		return g
	}
	// 2·gemmAlign + 61 rows with GOMAXPROCS 3: two blocks, rows 0..191
	// and 192..444 (the second not a multiple of any kernel's tile).
	m, n, k := 2*gemmAlign+61, 131, 300
	if parts := gemmParts(m, n, k); parts != 2 {
		t.Fatalf("gemmParts(%d, %d, %d) = %d; want 2 (m / gemmAlign)", m, n, k, parts)
	}
	if r := splitAt(m, 2, 1); r != gemmAlign {
		t.Fatalf("second block starts at row %d; want %d", r, gemmAlign)
	}
	for _, tA := range []bool{false, true} {
		for _, tB := range []bool{false, true} {
			a := fill(m, k)
			if tA {
				a = fill(k, m)
			}
			b := fill(k, n)
			if tB {
				b = fill(n, k)
			}
			for _, beta := range []T{0, 1} {
				c0 := fill(m, n)
				c1 := General[T]{Rows: m, Cols: n, Stride: n, Data: slices.Clone(c0.Data)}
				gemm1(tA, tB, 0.5, a, b, beta, c0)
				Gemm(tA, tB, 0.5, a, b, beta, c1)
				if !slices.Equal(c0.Data, c1.Data) {
					t.Fatalf("tA %v tB %v beta %v: row blocks differ from one call", tA, tB, beta)
				}
			}
		}
	}
	// Below the work threshold, or with OpenBLAS on two threads: one call.
	if p := gemmParts(64, 64, 64); p != 1 {
		t.Fatalf("gemmParts(64, 64, 64) = %d; want 1", p)
	}
	blasThreads.Store(2)
	if p := gemmParts(m, n, k); p != 1 {
		t.Fatalf("OpenBLAS on 2 threads: gemmParts = %d; want 1", p)
	}
	blasThreads.Store(1)
}
