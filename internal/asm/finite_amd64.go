package asm

// NonFinite32 reports whether any of the n float32 values at x is a NaN or
// an infinity (its exponent field all ones); x is not read when n = 0 and
// may then be nil. It may not be called unless HasAVX2.
//
//go:noescape
func NonFinite32(n int, x *float32) bool

// NonFinite64 is NonFinite32 for float64 values.
//
//go:noescape
func NonFinite64(n int, x *float64) bool
