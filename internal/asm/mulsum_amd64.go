package asm

// MulSum32 sets x[j] = float32(float64(x[j]) · (a + b[j])) for j < n, the
// sum and the product each rounded once in float64 (no fused multiply-add),
// the result rounded to float32 once; none is read when n = 0. It may not
// be called unless HasAVX2.
//
//go:noescape
func MulSum32(n int, x *float32, a float64, b *float64)

// MulSum64 sets x[j] = x[j] · (a + b[j]) for j < n, as MulSum32 in float64.
//
//go:noescape
func MulSum64(n int, x *float64, a float64, b *float64)
