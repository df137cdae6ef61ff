//go:build !openblas

package linalg

import "testing"

// TestGemmFallbackIsGonum runs the comparison of Sgemm and Dgemm with
// gonum's as on a CPU without AVX2/FMA (hasGemmKernel false): pureBLAS must
// then give gonum's results bit for bit, and deterministically.
func TestGemmFallbackIsGonum(t *testing.T) {
	defer func(v bool) { hasGemmKernel = v }(hasGemmKernel)
	hasGemmKernel = false
	testGemmAgainstGonum[float32](t, pureBLAS{})
	testGemmAgainstGonum[float64](t, pureBLAS{})
	testGemmDeterministic[float32](t)
	testGemmDeterministic[float64](t)
}
