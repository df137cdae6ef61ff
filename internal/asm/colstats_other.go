//go:build !amd64

package asm

// HasAVX2 is false: no assembly on this architecture.
const HasAVX2 = false

// The column-statistics kernels are not available on this architecture;
// callers check HasAVX2.

func AddRow32(n int, x *float32, acc *float64)                     { panic(noAsm) }
func AddRow64(n int, x, acc *float64)                              { panic(noAsm) }
func AddSqDev32(n int, x *float32, mu, acc *float64)               { panic(noAsm) }
func AddSqDev64(n int, x, mu, acc *float64)                        { panic(noAsm) }
func ScaleDev32(n int, x *float32, mu, inv *float64, out *float32) { panic(noAsm) }
func ScaleDev64(n int, x, mu, inv, out *float64)                   { panic(noAsm) }
func AddRowProd32(n int, x, y *float32, sx, sxy *float64)          { panic(noAsm) }
func AddRowProd64(n int, x, y, sx, sxy *float64)                   { panic(noAsm) }
func SubProjScale32(n int, x, y *float32, mx, mxy, inv *float64)   { panic(noAsm) }
func SubProjScale64(n int, x, y, mx, mxy, inv *float64)            { panic(noAsm) }

func ExpShift64(n int, x *float64, c float64, tab *[64]float64) int       { panic(noAsm) }
func ExpShift32(n int, x *float32, c float64, tab *[64]float64) int       { panic(noAsm) }
func MulSum32(n int, x *float32, a float64, b *float64)                   { panic(noAsm) }
func MulSum64(n int, x *float64, a float64, b *float64)                   { panic(noAsm) }
func NonFinite32(n int, x *float32) bool                                  { panic(noAsm) }
func NonFinite64(n int, x *float64) bool                                  { panic(noAsm) }
func SubGatherDot(n int, dst, d *float64, ptr, idx *int32, w, x *float64) { panic(noAsm) }

const noAsm = "asm: kernel without assembly"
