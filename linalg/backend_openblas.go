//go:build openblas

package linalg

// The netlib bindings of 2019 carry no linker flags; this cgo directive links
// OpenBLAS (BLAS and LAPACK) and LAPACKE so that `go test -tags openblas`
// works without CGO_LDFLAGS.

/*
#cgo LDFLAGS: -llapacke -lopenblas
void openblas_set_num_threads(int);
*/
import "C"

import (
	"os"
	"runtime"
	"strconv"
	"sync/atomic"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/netlib/blas/netlib"
	"gonum.org/v1/netlib/lapack/lapacke"
)

const backendName = "openblas"

// BlockedGemm reports whether Sgemm and Dgemm run register-blocked SIMD
// kernels: always, in this build (OpenBLAS).
func BlockedGemm() bool { return true }

// Route every blas64 call (mat products, gonum's native LAPACK routines such
// as the Cholesky and SVD used here) and every blas32 call (the float32
// distance screening of graph.KNN) to OpenBLAS.
//
// OpenBLAS is limited to one thread unless OPENBLAS_NUM_THREADS is set: its
// worker threads spin after each call and then compete with the goroutines
// that parallelise sparse products and the Lanczos basis work, which made
// Eigs slower, not faster, on the 2-core target.
func init() {
	blas64.Use(netlib.Implementation{})
	blas32.Use(netlib.Implementation{})
	if v := os.Getenv("OPENBLAS_NUM_THREADS"); v != "" {
		if t, err := strconv.Atoi(v); err == nil && t > 0 {
			blasThreads.Store(int64(t))
		} else {
			blasThreads.Store(0) // OpenBLAS decides: do not split
		}
		return
	}
	C.openblas_set_num_threads(1)
	blasThreads.Store(1)
}

// blasThreads is the number of threads OpenBLAS runs a call on (0 when
// OPENBLAS_NUM_THREADS is set to something else than a positive integer).
var blasThreads atomic.Int64

// gemmSplitWork is the product size m·n·k from which Gemm splits the rows
// of c over goroutines while OpenBLAS runs one thread (10⁶ multiply-adds,
// far more than starting a goroutine costs).
const gemmSplitWork = 1 << 20

// gemmParts returns how many row blocks Gemm computes concurrently for an
// m x n result over k terms: up to GOMAXPROCS blocks of at least gemmAlign
// rows when OpenBLAS runs single-threaded and the product is large, else 1
// (one OpenBLAS call). With OpenBLAS on several threads it parallelises by
// itself. Each block is one OpenBLAS call on rows of c starting at a
// multiple of gemmAlign; TestGemmRowSplit finds the blocks bit-identical
// to one call.
func gemmParts(m, n, k int) int {
	if blasThreads.Load() != 1 || m*n*k < gemmSplitWork {
		return 1
	}
	return max(1, min(runtime.GOMAXPROCS(0), m/gemmAlign))
}

// gemmInner reports whether Gemm splits the terms of an m x n result over
// k terms into two halves computed concurrently: when OpenBLAS runs
// single-threaded, c is too short for row blocks (m < 2 gemmAlign) and
// small (at most 2^20 entries: the second half needs a buffer of its
// size), and the product is long (k >= 1024) and large (4 gemmSplitWork
// multiply-adds). It does not depend on GOMAXPROCS (the split changes the
// last bits).
func gemmInner(m, n, k int) bool {
	return blasThreads.Load() == 1 && m < 2*gemmAlign && m*n <= 1<<20 && k >= 1024 && m*n*k >= 4*gemmSplitWork
}

// symParts returns how many row blocks SyrkUpper and SymmUpper compute
// concurrently for an n x n result over k terms: 2 when OpenBLAS runs
// single-threaded and the product holds at least symSplitWork
// multiply-adds (n²k/2 for Syrk), else 1 (one OpenBLAS call). It does not
// depend on GOMAXPROCS: the split changes the last bits, and a result must
// not depend on the number of goroutines.
func symParts(n, k int) int {
	if blasThreads.Load() != 1 || n < 64 || n*n*k/2 < symSplitWork {
		return 1
	}
	return 2
}

// syrkByGemm reports whether SyrkUpper computes an n x n c over k terms
// (n <= syrkGemmMaxN) as a Gemm: OpenBLAS's dsyrk has a large fixed cost
// on small outputs (LLE's local Gram matrix, 10 x 10 over 784 terms: dsyrk
// 8.5-8.9 µs, dgemm 3.4-3.7 µs).
func syrkByGemm(n, k int) bool { return k >= 4*n }

// symSplitWork is the smallest Syrk (in multiply-adds) that SyrkUpper and
// SymmUpper split: 2^22, a few hundred microseconds on one core.
const symSplitWork = 1 << 22

// UseBLASThreads lets OpenBLAS run each call on n threads (n < 1 means 1),
// unless OPENBLAS_NUM_THREADS is set, which always wins. The default of one
// thread suits code that calls BLAS from several goroutines or between
// goroutine-parallel loops; a caller whose work is large products made from
// one goroutine at a time (a training run: measured on the 784-512-128 MLP
// step in float32, 49-51 steps/s with one thread, 67-70 with two on 2
// cores) can ask for more. The setting is process-wide.
func UseBLASThreads(n int) {
	if os.Getenv("OPENBLAS_NUM_THREADS") != "" {
		return
	}
	C.openblas_set_num_threads(C.int(max(n, 1)))
	blasThreads.Store(int64(max(n, 1)))
}

// symEigBackend returns the eigenpairs lo..hi-1 (ascending) of the symmetric
// n x n row-major matrix in a (both triangles set; a is overwritten), using
// LAPACKE dsyevr with an index range when only part is wanted.
func symEigBackend(n int, a []float64, lo, hi int) ([]float64, *mat.Dense, bool) {
	rng, il, iu := byte('A'), 0, 0
	if lo != 0 || hi != n {
		rng, il, iu = 'I', lo+1, hi
	}
	k := hi - lo
	w := make([]float64, n)
	z := make([]float64, n*k)
	m := make([]int32, 1)
	isuppz := make([]int32, 2*max(1, k))
	work := make([]float64, 1)
	iwork := make([]int32, 1)
	if !lapacke.Dsyevr('V', rng, 'U', n, a, n, 0, 0, il, iu, 0, m, w, z, k, isuppz, work, -1, iwork, -1) {
		return nil, nil, false
	}
	work = make([]float64, int(work[0]))
	iwork = make([]int32, int(iwork[0]))
	if !lapacke.Dsyevr('V', rng, 'U', n, a, n, 0, 0, il, iu, 0, m, w, z, k, isuppz, work, len(work), iwork, len(iwork)) {
		return nil, nil, false
	}
	if int(m[0]) != k {
		return nil, nil, false
	}
	return w[:k:k], mat.NewDense(n, k, z), true
}

// basisBLAS runs the products of the Lanczos basis with a few vectors. With
// basisGemm they are single Dgemm calls per goroutine chunk, where OpenBLAS's
// register-blocked kernels read the basis once for a whole block.
var basisBLAS blas.Float64 = netlib.Implementation{}

const basisGemm = true

func basisThreads() int { return runtime.GOMAXPROCS(0) }
