//go:build !openblas

package linalg

import "golang.org/x/sys/cpu"

// hasGemmKernel reports whether the assembly kernels (AVX2 and FMA) can run.
var hasGemmKernel = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// sgemmKernel6x16 is gemmKernelGo for float32, nr = 16, in AVX2/FMA
// assembly (gemm_amd64.s): c[i ldc + j] += sum_p a[p 6 + i] b[p 16 + j] for
// i < 6, j < 16, the sum accumulated from zero in order p = 0..k-1 with
// fused multiply-adds.
//
//go:noescape
func sgemmKernel6x16(k int, a, b, c *float32, ldc int)

// dgemmKernel6x8 is sgemmKernel6x16 for float64, nr = 8.
//
//go:noescape
func dgemmKernel6x8(k int, a, b, c *float64, ldc int)
