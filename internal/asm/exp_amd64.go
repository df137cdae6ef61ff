package asm

// ExpShift64 replaces x[i] by linalg's expCore(x[i] − c) for i in groups of
// four, from the first, until a group in which some x[i] − c is outside
// [−708, 709] (or NaN), or fewer than four remain, and returns the number
// of entries replaced (a multiple of 4); tab is linalg's table of
// 2^(j/64). The operations are those of the Go code, in its order, each
// rounded once (exp_amd64.s), so the results are the same bits. It may not
// be called unless HasAVX2.
//
//go:noescape
func ExpShift64(n int, x *float64, c float64, tab *[64]float64) int

// ExpShift32 is ExpShift64 on float32 entries, each widened exactly to
// float64 first and the result rounded to float32 (nearest even) once.
//
//go:noescape
func ExpShift32(n int, x *float32, c float64, tab *[64]float64) int
