//go:build !openblas && !amd64

package linalg

import "unsafe"

// hasGemmKernel is false: Sgemm and Dgemm of the pure-Go build are gonum's
// here.
const hasGemmKernel = false

// sgemmKernel6x16 calls gemmKernelGo (no assembly on this architecture).
func sgemmKernel6x16(k int, a, b, c *float32, ldc int) {
	gemmKernelGo(16, k, unsafe.Slice(a, k*gemmMR), unsafe.Slice(b, k*16), unsafe.Slice(c, 5*ldc+16), ldc)
}

// dgemmKernel6x8 calls gemmKernelGo (no assembly on this architecture).
func dgemmKernel6x8(k int, a, b, c *float64, ldc int) {
	gemmKernelGo(8, k, unsafe.Slice(a, k*gemmMR), unsafe.Slice(b, k*8), unsafe.Slice(c, 5*ldc+8), ldc)
}
