package asm

import "golang.org/x/sys/cpu"

// HasAVX2 reports whether the column-statistics kernels (AddRow32 to
// SubProjScale64) can run.
var HasAVX2 = cpu.X86.HasAVX2

// The column-statistics kernels update per-column float64 vectors from one
// row of a matrix, for n >= 0 columns; each pointer addresses n elements
// (none is read when n = 0, so it may then be nil). Column j sees exactly
// the operations written below, in that order, each rounded once in
// float64 (no fused multiply-add); a float32 x[j] is first widened exactly
// to float64 and a float32 result is rounded to nearest even once, at the
// end. A Go loop that spells the same expression, compiled without FMA
// fusion (GOAMD64 below v3, or each product wrapped in float64()), gives
// the same bits; NaNs and infinities propagate as in IEEE 754 arithmetic.
// The columns are independent, so four share a YMM register
// (colstats_amd64.s). None may be called unless HasAVX2.

// AddRow32 sets acc[j] = acc[j] + float64(x[j]) for j < n.
//
//go:noescape
func AddRow32(n int, x *float32, acc *float64)

// AddRow64 sets acc[j] = acc[j] + x[j] for j < n.
//
//go:noescape
func AddRow64(n int, x, acc *float64)

// AddSqDev32 sets acc[j] = acc[j] + c*c with c = float64(x[j]) − mu[j],
// for j < n.
//
//go:noescape
func AddSqDev32(n int, x *float32, mu, acc *float64)

// AddSqDev64 sets acc[j] = acc[j] + c*c with c = x[j] − mu[j], for j < n.
//
//go:noescape
func AddSqDev64(n int, x, mu, acc *float64)

// ScaleDev32 sets out[j] = float32((float64(x[j]) − mu[j]) * inv[j]) for
// j < n; out may be x.
//
//go:noescape
func ScaleDev32(n int, x *float32, mu, inv *float64, out *float32)

// ScaleDev64 sets out[j] = (x[j] − mu[j]) * inv[j] for j < n; out may be x.
//
//go:noescape
func ScaleDev64(n int, x, mu, inv, out *float64)

// AddRowProd32 sets, for j < n, sx[j] = sx[j] + float64(x[j]) and
// sxy[j] = sxy[j] + float64(x[j])*float64(y[j]) (product rounded, then
// added).
//
//go:noescape
func AddRowProd32(n int, x, y *float32, sx, sxy *float64)

// AddRowProd64 sets, for j < n, sx[j] = sx[j] + x[j] and
// sxy[j] = sxy[j] + x[j]*y[j] (product rounded, then added).
//
//go:noescape
func AddRowProd64(n int, x, y, sx, sxy *float64)

// SubProjScale32 sets, in place, for j < n,
//
//	x[j] = float32(((float64(x[j]) − mx[j]) − float64(y[j])*mxy[j]) * inv[j])
//
// (the difference x − mx and the product y*mxy each rounded, then
// subtracted, then multiplied by inv).
//
//go:noescape
func SubProjScale32(n int, x, y *float32, mx, mxy, inv *float64)

// SubProjScale64 sets, in place, for j < n,
//
//	x[j] = ((x[j] − mx[j]) − y[j]*mxy[j]) * inv[j]
//
// in the order of SubProjScale32.
//
//go:noescape
func SubProjScale64(n int, x, y, mx, mxy, inv *float64)
