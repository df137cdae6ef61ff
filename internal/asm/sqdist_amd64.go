package asm

import "golang.org/x/sys/cpu"

// HasSqDist reports whether SqDist16 can run (AVX2 and FMA).
var HasSqDist = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// SqDist16 sets p[l] to the sum, in order of t, of (a_t − b_t)² over t < n
// with t mod 16 = l, each term added with one fused multiply-add
// (p ← fma(e, e, p), as math.FMA); n is a positive multiple of 16
// (sqdist_amd64.s). It must not be called unless HasSqDist.
//
//go:noescape
func SqDist16(n int, a, b *float64, p *[16]float64)
