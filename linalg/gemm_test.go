//go:build !openblas

package linalg

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/gonum"
	"gonum.org/v1/gonum/mat"
)

// gemmCase is one Sgemm or Dgemm problem with padded strides (ld = cols +
// 3) and C's padding filled with a sentinel.
type gemmCase[T float32 | float64] struct {
	tA, tB     blas.Transpose
	m, n, k    int
	a, b, c    []T
	lda, ldb   int
	ldc        int
	alpha, bet T
}

const gemmPad = -12345

func newGemmCase[T float32 | float64](rng *rand.Rand, tA, tB blas.Transpose, m, n, k int, alpha, beta T) gemmCase[T] {
	ra, ca := m, k
	if tA != blas.NoTrans {
		ra, ca = k, m
	}
	rb, cb := k, n
	if tB != blas.NoTrans {
		rb, cb = n, k
	}
	g := gemmCase[T]{tA: tA, tB: tB, m: m, n: n, k: k, lda: ca + 3, ldb: cb + 3, ldc: n + 3, alpha: alpha, bet: beta}
	fill := func(rows, ld int) []T {
		s := make([]T, rows*ld)
		for i := range s {
			s[i] = T(rng.NormFloat64())
		}
		return s
	}
	g.a, g.b, g.c = fill(ra, g.lda), fill(rb, g.ldb), fill(m, g.ldc)
	for i := range m {
		for j := n; j < g.ldc; j++ {
			g.c[i*g.ldc+j] = gemmPad
		}
		if beta == 0 {
			for j := range n {
				g.c[i*g.ldc+j] = T(math.NaN())
			}
		}
	}
	return g
}

// run returns C after the case's Sgemm or Dgemm by impl (a blas.Float32 or
// blas.Float64) on a copy of g.c.
func (g gemmCase[T]) run(impl any) []T {
	c := append([]T(nil), g.c...)
	g.gemm(impl, c)
	return c
}

// gemm runs the case's product by impl into c.
func (g gemmCase[T]) gemm(impl any, c []T) {
	switch c := any(c).(type) {
	case []float32:
		a, b := any(g.a).([]float32), any(g.b).([]float32)
		impl.(blas.Float32).Sgemm(g.tA, g.tB, g.m, g.n, g.k, float32(g.alpha), a, g.lda, b, g.ldb, float32(g.bet), c, g.ldc)
	case []float64:
		a, b := any(g.a).([]float64), any(g.b).([]float64)
		impl.(blas.Float64).Dgemm(g.tA, g.tB, g.m, g.n, g.k, float64(g.alpha), a, g.lda, b, g.ldb, float64(g.bet), c, g.ldc)
	}
}

// opA returns op(A)[i, l] of the case.
func (g gemmCase[T]) opA(i, l int) T {
	if g.tA != blas.NoTrans {
		return g.a[l*g.lda+i]
	}
	return g.a[i*g.lda+l]
}

func (g gemmCase[T]) opB(l, j int) T {
	if g.tB != blas.NoTrans {
		return g.b[j*g.ldb+l]
	}
	return g.b[l*g.ldb+j]
}

// check compares got with want (gonum's Sgemm or Dgemm). Both are sums of
// k products plus beta c, so each lies within gamma_{k+3} (|alpha| sum_l
// |a_il b_lj| + |beta c_ij|) of the exact value (Higham, Thm 3.5; the 3
// covers alpha's and beta's products and the final add), gamma_n ~ n u,
// u = eps/2 (eps = 2^-23 in float32, 2^-52 in float64). Their difference
// is then within (k+3) eps (...) <= cTol k eps (...) with cTol = 4 for
// k >= 1. C's padding must be unchanged.
func (g gemmCase[T]) check(t *testing.T, got, want []T) {
	t.Helper()
	const cTol = 4
	eps := 0x1p-23
	if _, ok := any(got).([]float64); ok {
		eps = 0x1p-52
	}
	// s = |op(A)| |op(B)| in float64 (gonum's Dgemm through mat).
	absA, absB := mat.NewDense(g.m, g.k, nil), mat.NewDense(g.k, g.n, nil)
	for i := range g.m {
		for l := range g.k {
			absA.Set(i, l, math.Abs(float64(g.opA(i, l))))
		}
	}
	for l := range g.k {
		for j := range g.n {
			absB.Set(l, j, math.Abs(float64(g.opB(l, j))))
		}
	}
	var s mat.Dense
	s.Mul(absA, absB)
	bad := 0
	for i := range g.m {
		for j := range g.ldc {
			idx := i*g.ldc + j
			if j >= g.n {
				if got[idx] != gemmPad {
					t.Fatalf("C padding [%d,%d] changed to %v", i, j, got[idx])
				}
				continue
			}
			bound := math.Abs(float64(g.alpha)) * s.At(i, j)
			if g.bet != 0 {
				bound += math.Abs(float64(g.bet) * float64(g.c[idx]))
			}
			tol := cTol * float64(g.k) * eps * bound
			if d := math.Abs(float64(got[idx]) - float64(want[idx])); !(d <= tol) {
				if bad++; bad <= 3 {
					t.Errorf("C[%d,%d] = %v; want %v (diff %.3g > tol %.3g)", i, j, got[idx], want[idx], d, tol)
				}
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d entries out of tolerance", bad, g.m*g.n)
	}
}

var gemmTrans = []blas.Transpose{blas.NoTrans, blas.Trans}

// gemmShapes varies each of m, n, k over the sizes around the kernel's
// tile (6 x 16) and blocks (kc = 256, mc = 144), the other two fixed.
func gemmShapes() [][3]int {
	sizes := []int{1, 2, 7, 15, 16, 17, 63, 64, 65, 255, 513}
	var shapes [][3]int
	for _, s := range sizes {
		shapes = append(shapes, [3]int{s, 19, 33}, [3]int{13, s, 33}, [3]int{13, 19, s})
	}
	return append(shapes, [3]int{150, 1030, 260}, [3]int{289, 70, 513})
}

// testGemmAgainstGonum compares impl's Sgemm or Dgemm (T) with gonum's
// for both transposes of A and B, alpha in {1, -0.5, 0}, beta in {0, 1,
// 0.3} (C filled with NaN when beta = 0) and padded strides: within the
// error bound of check with the AVX2/FMA kernel, bit for bit on a CPU
// without it (where pureBLAS documents that it is gonum's product).
func testGemmAgainstGonum[T float32 | float64](t *testing.T, impl any) {
	rng := rand.New(rand.NewPCG(14, 1))
	for _, sh := range gemmShapes() {
		for _, tA := range gemmTrans {
			for _, tB := range gemmTrans {
				for _, alpha := range []T{1, -0.5, 0} {
					for _, beta := range []T{0, 1, 0.3} {
						g := newGemmCase(rng, tA, tB, sh[0], sh[1], sh[2], alpha, beta)
						t.Run(fmt.Sprintf("%c%c/%dx%dx%d/a=%g/b=%g", tA, tB, sh[0], sh[1], sh[2], alpha, beta), func(t *testing.T) {
							got, want := g.run(impl), g.run(gonum.Implementation{})
							if hasGemmKernel {
								g.check(t, got, want)
								return
							}
							for i := range want {
								if math.Float64bits(float64(got[i])) != math.Float64bits(float64(want[i])) {
									t.Fatalf("no AVX2/FMA: C[%d] = %v; gonum's fallback gives %v", i, got[i], want[i])
								}
							}
						})
					}
				}
			}
		}
	}
}

// TestSgemmAgainstGonum checks the Sgemm registered with blas32 (the
// blocked AVX2/FMA product) against gonum's.
func TestSgemmAgainstGonum(t *testing.T) {
	if _, ok := blas32.Implementation().(pureBLAS); !ok {
		t.Fatalf("blas32 implementation is %T; want pureBLAS", blas32.Implementation())
	}
	testGemmAgainstGonum[float32](t, blas32.Implementation())
}

// TestDgemmAgainstGonum checks pureBLAS's Dgemm (not registered with
// blas64) against gonum's.
func TestDgemmAgainstGonum(t *testing.T) {
	testGemmAgainstGonum[float64](t, pureBLAS{})
}

// TestGemmDeterministic checks bit-identical results of Sgemm and Dgemm
// for GOMAXPROCS 1, 2 and 3 on shapes that ParallelRange splits into
// several row chunks (on a CPU without AVX2/FMA, of gonum's product, which
// pureBLAS then calls).
func TestGemmDeterministic(t *testing.T) {
	testGemmDeterministic[float32](t)
	testGemmDeterministic[float64](t)
}

func testGemmDeterministic[T float32 | float64](t *testing.T) {
	rng := rand.New(rand.NewPCG(14, 2))
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, sh := range [][3]int{{301, 257, 300}, {97, 1100, 520}} {
		g := newGemmCase(rng, blas.Trans, blas.NoTrans, sh[0], sh[1], sh[2], T(0.7), T(0.3))
		runtime.GOMAXPROCS(1)
		want := g.run(pureBLAS{})
		for _, p := range []int{2, 3} {
			runtime.GOMAXPROCS(p)
			got := g.run(pureBLAS{})
			for i := range want {
				if math.Float64bits(float64(got[i])) != math.Float64bits(float64(want[i])) {
					t.Fatalf("%T %v GOMAXPROCS %d: C[%d] = %v; GOMAXPROCS 1 gives %v", want[0], sh, p, i, got[i], want[i])
				}
			}
		}
	}
}

// TestGemmPanics checks that bad arguments panic with gonum's values.
func TestGemmPanics(t *testing.T) {
	s, d := make([]float32, 100), make([]float64, 100)
	for _, tc := range []struct {
		name             string
		tA               blas.Transpose
		m, n, k          int
		lda, ldb, ldc, l int
	}{
		{"transpose", 'x', 2, 2, 2, 2, 2, 2, 100},
		{"m<0", blas.NoTrans, -1, 2, 2, 2, 2, 2, 100},
		{"lda", blas.NoTrans, 3, 3, 4, 3, 3, 3, 100},
		{"ldc", blas.NoTrans, 3, 3, 3, 3, 3, 2, 100},
		{"short", blas.NoTrans, 9, 9, 9, 9, 9, 9, 50},
	} {
		call := func(impl blas.Float32) (v any) {
			defer func() { v = recover() }()
			impl.Sgemm(tc.tA, blas.NoTrans, tc.m, tc.n, tc.k, 1, s[:tc.l], tc.lda, s[:tc.l], tc.ldb, 0, s[:tc.l], tc.ldc)
			return nil
		}
		got, want := call(pureBLAS{}), call(gonum.Implementation{})
		if want == nil || got != want {
			t.Errorf("Sgemm %s: panic %v; gonum panics with %v", tc.name, got, want)
		}
		call64 := func(impl blas.Float64) (v any) {
			defer func() { v = recover() }()
			impl.Dgemm(tc.tA, blas.NoTrans, tc.m, tc.n, tc.k, 1, d[:tc.l], tc.lda, d[:tc.l], tc.ldb, 0, d[:tc.l], tc.ldc)
			return nil
		}
		got, want = call64(pureBLAS{}), call64(gonum.Implementation{})
		if want == nil || got != want {
			t.Errorf("Dgemm %s: panic %v; gonum panics with %v", tc.name, got, want)
		}
	}
}

// BenchmarkSgemm compares gonum's Sgemm with the pure-Go build's
// (pureBLAS) at the products of the float32 MLP step 784-512-128 on 2 x 256
// rows (nn.BenchmarkMLPStep32): forward X W (NN), weight gradient Xᵀ G (TN)
// and input gradient G Wᵀ (NT) of both layers. Reported in GFLOP/s (2mnk
// per product). Run with
//
//	GOMAXPROCS=2 go test -run '^$' -bench 'Sgemm|Dgemm' ./linalg
//
// and the end-to-end step, pure Go vs OpenBLAS, with
//
//	GOMAXPROCS=2 go test -run '^$' -bench 'MLPStep32/784-512' -benchtime 5x ./nn
//	OPENBLAS_NUM_THREADS=2 GOMAXPROCS=2 go test -tags openblas -run '^$' -bench 'MLPStep32/784-512' -benchtime 12x ./nn
func BenchmarkSgemm(b *testing.B) { benchmarkGemm[float32](b) }

// BenchmarkDgemm is BenchmarkSgemm for Dgemm.
func BenchmarkDgemm(b *testing.B) { benchmarkGemm[float64](b) }

func benchmarkGemm[T float32 | float64](b *testing.B) {
	const rows = 512
	for _, sh := range []struct {
		name    string
		tA, tB  blas.Transpose
		m, n, k int
	}{
		{"NN/512x784x512", blas.NoTrans, blas.NoTrans, rows, 512, 784},
		{"TN/784x512x512", blas.Trans, blas.NoTrans, 784, 512, rows},
		{"NT/512x784x512", blas.NoTrans, blas.Trans, rows, 784, 512},
		{"NN/512x512x128", blas.NoTrans, blas.NoTrans, rows, 128, 512},
		{"TN/512x128x512", blas.Trans, blas.NoTrans, 512, 128, rows},
		{"NT/512x512x128", blas.NoTrans, blas.Trans, rows, 512, 128},
	} {
		g := newGemmCase(rand.New(rand.NewPCG(1, 1)), sh.tA, sh.tB, sh.m, sh.n, sh.k, T(1), T(0))
		for _, impl := range []struct {
			name string
			blas any
		}{{"gonum", gonum.Implementation{}}, {"packed", pureBLAS{}}} {
			b.Run(sh.name+"/"+impl.name, func(b *testing.B) {
				for b.Loop() {
					g.gemm(impl.blas, g.c)
				}
				b.ReportMetric(2*float64(g.m*g.n*g.k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}
