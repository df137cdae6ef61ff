//go:build !amd64

package asm

// HasSqDist is false: no assembly on this architecture.
const HasSqDist = false

// SqDist16 is not available on this architecture; callers check HasSqDist.
func SqDist16(n int, a, b *float64, p *[16]float64) {
	panic("asm: SqDist16 without assembly")
}
