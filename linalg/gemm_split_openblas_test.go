//go:build openblas

package linalg

import (
	"math"
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
	fill := func(r, c int) General[T] { return randGeneral[T](rng, r, c) }
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

// TestGemmInnerSplit checks Gemm's split of the terms (OpenBLAS on one
// thread, a short c over many terms, such as BarlowTwins' 128 x 128
// cross-correlation over 4,096 rows) for every transpose combination, in
// float32 and float64, with beta 0 and 1: within 4 k ulp of the sum of
// |terms| (plus |beta c|) of the sums written out in float64, the same
// bits with GOMAXPROCS 1 and 3, and not taken for a c that has row blocks.
func TestGemmInnerSplit(t *testing.T) {
	defer func(v int64) { blasThreads.Store(v) }(blasThreads.Load())
	blasThreads.Store(1)
	testGemmInnerSplit[float32](t)
	testGemmInnerSplit[float64](t)
	if gemmInner(2*gemmAlign, 64, 4096) {
		t.Fatal("gemmInner for a c with two row blocks")
	}
	blasThreads.Store(2)
	if gemmInner(128, 128, 4096) {
		t.Fatal("gemmInner with OpenBLAS on 2 threads")
	}
}

func testGemmInnerSplit[T Float](t *testing.T) {
	eps := machEps[T]()
	rng := rand.New(rand.NewPCG(7, 8))
	fill := func(r, c int) General[T] { return randGeneral[T](rng, r, c) }
	m, n, k := 70, 45, 2000
	if !gemmInner(m, n, k) {
		t.Fatalf("gemmInner(%d, %d, %d) = false; want true", m, n, k)
	}
	for _, tA := range []bool{false, true} {
		for _, tB := range []bool{false, true} {
			a := fill(m, k)
			at := func(i, p int) float64 { return float64(a.Data[i*a.Stride+p]) }
			if tA {
				a = fill(k, m)
				at = func(i, p int) float64 { return float64(a.Data[p*a.Stride+i]) }
			}
			b := fill(k, n)
			bt := func(p, j int) float64 { return float64(b.Data[p*b.Stride+j]) }
			if tB {
				b = fill(n, k)
				bt = func(p, j int) float64 { return float64(b.Data[j*b.Stride+p]) }
			}
			for _, beta := range []T{0, 1} {
				c0 := fill(m, n)
				var first []T
				for _, procs := range []int{1, 3} {
					prev := runtime.GOMAXPROCS(procs)
					c := General[T]{Rows: m, Cols: n, Stride: n, Data: slices.Clone(c0.Data)}
					Gemm(tA, tB, 0.5, a, b, beta, c)
					runtime.GOMAXPROCS(prev)
					if first == nil {
						first = c.Data
					} else if !slices.Equal(first, c.Data) {
						t.Fatalf("tA %v tB %v beta %v: GOMAXPROCS 1 and %d differ", tA, tB, beta, procs)
					}
				}
				for i := range m {
					for j := range n {
						want, mag := 0.0, 0.0
						for p := range k {
							want += at(i, p) * bt(p, j)
							mag += math.Abs(at(i, p) * bt(p, j))
						}
						cb := float64(beta) * float64(c0.Data[i*n+j])
						want, mag = 0.5*want+cb, 0.5*mag+math.Abs(cb)
						if got := float64(first[i*n+j]); math.Abs(got-want) > 4*float64(k)*eps*mag {
							t.Fatalf("tA %v tB %v beta %v: (%d,%d) = %v, want %v", tA, tB, beta, i, j, got, want)
						}
					}
				}
			}
		}
	}
}
