// Package asm holds assembly kernels that linalg and loss call in both
// builds. linalg cannot hold them itself: in the openblas build it uses
// cgo, and a cgo package's .s files go to the C assembler. Each kernel
// documents the order of its floating-point operations so that its Go
// fallback, in the caller, can repeat it bit for bit.
package asm
