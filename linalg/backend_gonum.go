//go:build !openblas

package linalg

import (
	"runtime"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/blas/gonum"
	"gonum.org/v1/gonum/mat"
)

const backendName = "gonum"

// Route every blas32 and blas64 call to gonum's BLAS with the packed
// AVX2/FMA Sgemm and Dgemm of pureBLAS (gonum's own have no register-blocked
// kernel; the float32 MLP step ran at 0.2x OpenBLAS's speed). Other
// routines (Syrk, Symm, LAPACK's own kernels) stay gonum's.
func init() {
	blas32.Use(pureBLAS{})
	blas64.Use(pureBLAS{})
}

// BlockedGemm reports whether Sgemm and Dgemm run register-blocked SIMD
// kernels: in this build, when the CPU has AVX2 and FMA (pureBLAS).
func BlockedGemm() bool { return hasGemmKernel }

// symEigBackend returns the eigenpairs lo..hi-1 (ascending) of the symmetric
// n x n row-major matrix in a (both triangles set; a may be overwritten).
// The pure-Go path uses tridiagonal inverse iteration when at most half of
// the pairs are wanted (symEigRangeII), and otherwise, or if that fails its
// accuracy check, gonum's dsyev for all pairs, keeping the range.
func symEigBackend(n int, a []float64, lo, hi int) ([]float64, *mat.Dense, bool) {
	if k := hi - lo; n >= 64 && 2*k <= n {
		// Few vectors: tridiagonal inverse iteration (dsyevx-like); a copy
		// is kept for the dsyev fallback.
		if w, z, ok := symEigRangeII(n, append([]float64(nil), a...), lo, hi); ok {
			return w, z, true
		}
	}
	var es mat.EigenSym
	if !es.Factorize(mat.NewSymDense(n, a), true) {
		return nil, nil, false
	}
	w := es.Values(nil)
	var v mat.Dense
	es.VectorsTo(&v)
	if lo == 0 && hi == n {
		return w, &v, true
	}
	z := mat.NewDense(n, hi-lo, nil)
	z.Copy(v.Slice(0, n, lo, hi))
	return w[lo:hi:hi], z, true
}

// basisBLAS runs the products of the Lanczos basis with a few vectors
// through Ddot/Daxpy on cache-sized column blocks (basisGemm false): gonum's
// Dgemm tiles by 64 and is call-bound for these skinny shapes.
var basisBLAS blas.Float64 = gonum.Implementation{}

const basisGemm = false

func basisThreads() int { return runtime.GOMAXPROCS(0) }

// syrkByGemm is false: gonum's Syrk beats pureBLAS's packed Gemm on small
// outputs (10 x 10 over 784 terms: 10.0-11.4 µs against 18-28 µs).
func syrkByGemm(n, k int) bool { return false }

// gemmParts is 1: pureBLAS's Sgemm and Dgemm parallelise over GOMAXPROCS
// themselves.
func gemmParts(m, n, k int) int { return 1 }

// gemmInner is false: pureBLAS's products parallelise over rows of c
// themselves.
func gemmInner(m, n, k int) bool { return false }

// symParts is 1: SyrkUpper and SymmUpper make one call to gonum's Ssyrk,
// Dsyrk, Ssymm or Dsymm (serial), whose results the pure-Go build's
// experiments were computed with.
func symParts(n, k int) int { return 1 }

// UseBLASThreads sets the threads of a native BLAS (see the openblas build);
// gonum's BLAS parallelises over GOMAXPROCS by itself, so it does nothing
// here.
func UseBLASThreads(n int) {}
