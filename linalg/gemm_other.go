//go:build !openblas && !amd64

package linalg

import "unsafe"

// hasGemmKernel is false: Sgemm of the pure-Go build is gonum's here.
const hasGemmKernel = false

// sgemmKernel6x16 calls sgemmKernelGo (no assembly on this architecture).
func sgemmKernel6x16(k int, a, b, c *float32, ldc int) {
	sgemmKernelGo(k, unsafe.Slice(a, k*gemmMR), unsafe.Slice(b, k*gemmNR), unsafe.Slice(c, 5*ldc+gemmNR), ldc)
}
