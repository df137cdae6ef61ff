package asm

import (
	"math"
	"testing"
)

// TestNonFinite checks NonFinite32 and NonFinite64 against math.IsNaN and
// math.IsInf for every length 0..40 and 131 (every tail, with and without
// full steps), a bad value at every position (NaN with several payloads,
// ±Inf) or none, with the largest finite values and subnormals elsewhere,
// and a NaN just past n, which must not be read.
func TestNonFinite(t *testing.T) {
	if !HasAVX2 {
		t.Skip("the kernels use AVX2 instructions, which this CPU lacks: they cannot run here, and no caller calls them (callers check HasAVX2)")
	}
	bad64 := []float64{math.NaN(), math.Inf(1), math.Inf(-1), math.Float64frombits(0xfff0000000000001), math.Float64frombits(0x7ff8000000000123)}
	bad32 := []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1)), math.Float32frombits(0xff800001), math.Float32frombits(0x7fc00123)}
	fine64 := []float64{math.MaxFloat64, -math.MaxFloat64, math.SmallestNonzeroFloat64, -0.0, 1, math.Float64frombits(0x7fefffffffffffff)}
	fine32 := []float32{math.MaxFloat32, -math.MaxFloat32, math.SmallestNonzeroFloat32, 1, -2.5, math.Float32frombits(0x7f7fffff)}
	lens := []int{131}
	for n := 0; n <= 40; n++ {
		lens = append(lens, n)
	}
	for _, n := range lens {
		x64 := make([]float64, n+1)
		x32 := make([]float32, n+1)
		for i := range n {
			x64[i] = fine64[i%len(fine64)]
			x32[i] = fine32[i%len(fine32)]
		}
		x64[n], x32[n] = math.NaN(), float32(math.NaN())
		if NonFinite64(n, &x64[0]) || NonFinite32(n, &x32[0]) {
			t.Fatalf("n = %d: finite values (and a NaN past n) reported non-finite", n)
		}
		for p := range n {
			for b := range bad64 {
				v64, v32 := x64[p], x32[p]
				x64[p], x32[p] = bad64[b], bad32[b]
				if !NonFinite64(n, &x64[0]) {
					t.Fatalf("NonFinite64: n = %d, %v at %d not found", n, bad64[b], p)
				}
				if !NonFinite32(n, &x32[0]) {
					t.Fatalf("NonFinite32: n = %d, %v at %d not found", n, bad32[b], p)
				}
				x64[p], x32[p] = v64, v32
			}
		}
	}
}
