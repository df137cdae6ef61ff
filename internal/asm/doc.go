// Package asm holds assembly kernels that linalg and loss call in both
// builds. linalg cannot hold them itself: in the openblas build it uses
// cgo, and a cgo package's .s files go to the C assembler. Each kernel
// documents the order of its floating-point operations so that its Go
// fallback, in the caller, can repeat it bit for bit. The tests live with
// the callers (loss: TestColStatsRows, TestColStatsNonFinite,
// TestCheckGeneralRowLengths, TestMulSumAsm; linalg: TestExpShiftKernel,
// TestRowSqDistFallback; spectral: TestLLEOpProductBits): each checks the Go fallback against the formula
// on every CPU and the kernel against the same formula where the CPU can
// run it, so no test is skipped on a CPU without AVX2.
package asm
