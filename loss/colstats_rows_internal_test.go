package loss

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/eigenssl/eigenssl/internal/asm"
)

// colGuard is the number of entries past n in every vector of the
// column-statistics tests: a kernel must leave them as they were.
const colGuard = 3

// colLens are the row lengths of the column-statistics tests: every tail
// (n mod 4) with and without full YMM steps, and a long odd row.
func colLens() []int {
	lens := []int{131}
	for n := 0; n <= 40; n++ {
		lens = append(lens, n)
	}
	return lens
}

// colValue returns a value of either sign drawn over many binades: zeros,
// subnormal and huge magnitudes (of float32 when f32, else of float64) and
// mostly log-normal spreads, so that a changed rounding or operation order
// shows in the bits.
func colValue(rng *rand.Rand, f32 bool) float64 {
	tiny, huge := 1e-310, 1e300
	if f32 {
		tiny, huge = 1e-40, 1e37
	}
	s := 1.0
	if rng.IntN(2) == 0 {
		s = -1
	}
	switch rng.IntN(16) {
	case 0:
		return s * 0
	case 1:
		return s * tiny * rng.Float64()
	case 2:
		return s * huge * rng.Float64()
	default:
		return rng.NormFloat64() * math.Exp(6*rng.NormFloat64())
	}
}

// colVec64 returns n+colGuard float64 values of colValue.
func colVec64(rng *rand.Rand, n int, f32 bool) []float64 {
	v := make([]float64, n+colGuard)
	for i := range v {
		v[i] = colValue(rng, f32)
	}
	return v
}

// colVec32 returns n+colGuard float32 values of colValue.
func colVec32(rng *rand.Rand, n int) []float32 {
	v := make([]float32, n+colGuard)
	for i := range v {
		v[i] = float32(colValue(rng, true))
	}
	return v
}

// same64 reports whether a and b hold the same bits, NaNs of any payload
// matching each other (x86 keeps the first operand's payload, and the
// compiler picks the operand order of a commutative scalar op).
func same64(a, b []float64) bool {
	return slices.EqualFunc(a, b, func(x, y float64) bool {
		return math.Float64bits(x) == math.Float64bits(y) || math.IsNaN(x) && math.IsNaN(y)
	})
}

// same32 is same64 for float32.
func same32(a, b []float32) bool {
	return slices.EqualFunc(a, b, func(x, y float32) bool {
		return math.Float32bits(x) == math.Float32bits(y) || x != x && y != y
	})
}

// The references below spell each kernel's documented formula in Go, each
// product wrapped in float64() so that no GOAMD64 level fuses it.

// TestColStatsRows checks each row loop of colstats.go (addRow, addSqDev,
// scaleDev, addRowProd, subProjScale; float32 and float64) bit for bit
// against its formula in Go, for lengths 0..40 and 131, and that no entry
// past n is written: on the Go loops always, and on the AVX2 kernels of
// internal/asm (useAsm) where the CPU has them.
func TestColStatsRows(t *testing.T) {
	defer func(v bool) { useAsm = v }(useAsm)
	for _, a := range []bool{false, asm.HasAVX2} {
		useAsm = a
		testColStatsRows(t)
	}
}

func testColStatsRows(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for _, n := range colLens() {
		for range 20 {
			x32, b32 := colVec32(rng, n), colVec32(rng, n)
			x64, b64 := colVec64(rng, n, false), colVec64(rng, n, false)
			// mu, inv, acc: float32-range values for the float32 kernels
			// (so that fewer results overflow), float64-range otherwise.
			mu32, inv32, acc32, acc32b := colVec64(rng, n, true), colVec64(rng, n, true), colVec64(rng, n, true), colVec64(rng, n, true)
			mu64, inv64, acc64, acc64b := colVec64(rng, n, false), colVec64(rng, n, false), colVec64(rng, n, false), colVec64(rng, n, false)

			check64 := func(name string, got, want []float64) {
				t.Helper()
				for j := range got {
					if !same64(got[j:j+1], want[j:j+1]) {
						t.Fatalf("%s (kernels %v) n=%d: entry %d is %v (%#x); want %v (%#x)", name, useAsm, n, j, got[j], math.Float64bits(got[j]), want[j], math.Float64bits(want[j]))
					}
				}
			}
			check32 := func(name string, got, want []float32) {
				t.Helper()
				for j := range got {
					if !same32(got[j:j+1], want[j:j+1]) {
						t.Fatalf("%s (kernels %v) n=%d: entry %d is %v (%#x); want %v (%#x)", name, useAsm, n, j, got[j], math.Float32bits(got[j]), want[j], math.Float32bits(want[j]))
					}
				}
			}

			got, want := slices.Clone(acc32), slices.Clone(acc32)
			addRow(got, x32[:n])
			for j := range n {
				want[j] += float64(x32[j])
			}
			check64("AddRow32", got, want)

			got, want = slices.Clone(acc64), slices.Clone(acc64)
			addRow(got, x64[:n])
			for j := range n {
				want[j] += x64[j]
			}
			check64("AddRow64", got, want)

			got, want = slices.Clone(acc32), slices.Clone(acc32)
			addSqDev(got, x32[:n], mu32)
			for j := range n {
				c := float64(x32[j]) - mu32[j]
				want[j] += float64(c * c)
			}
			check64("AddSqDev32", got, want)

			got, want = slices.Clone(acc64), slices.Clone(acc64)
			addSqDev(got, x64[:n], mu64)
			for j := range n {
				c := x64[j] - mu64[j]
				want[j] += float64(c * c)
			}
			check64("AddSqDev64", got, want)

			got32, want32 := slices.Clone(b32), slices.Clone(b32)
			scaleDev(got32[:n], x32[:n], mu32, inv32)
			for j := range n {
				want32[j] = float32(float64(float64(x32[j])-mu32[j]) * inv32[j])
			}
			check32("ScaleDev32", got32, want32)
			got32 = slices.Clone(x32) // in place
			scaleDev(got32[:n], got32[:n], mu32, inv32)
			check32("ScaleDev32 in place", got32[:n], want32[:n])

			got, want = slices.Clone(b64), slices.Clone(b64)
			scaleDev(got[:n], x64[:n], mu64, inv64)
			for j := range n {
				want[j] = (x64[j] - mu64[j]) * inv64[j]
			}
			check64("ScaleDev64", got, want)
			got = slices.Clone(x64) // in place
			scaleDev(got[:n], got[:n], mu64, inv64)
			check64("ScaleDev64 in place", got[:n], want[:n])

			// The product of two float32 is exact in float64, so a fused
			// add would give the same bits here; the float64 case below
			// tells them apart.
			sg, sgb := slices.Clone(acc32), slices.Clone(acc32b)
			wsg, wsgb := slices.Clone(acc32), slices.Clone(acc32b)
			addRowProd(sg, sgb, x32[:n], b32[:n])
			for j := range n {
				wsg[j] += float64(x32[j])
				wsgb[j] += float64(float64(x32[j]) * float64(b32[j]))
			}
			check64("AddRowProd32 sg", sg, wsg)
			check64("AddRowProd32 sgb", sgb, wsgb)

			sg, sgb = slices.Clone(acc64), slices.Clone(acc64b)
			wsg, wsgb = slices.Clone(acc64), slices.Clone(acc64b)
			addRowProd(sg, sgb, x64[:n], b64[:n])
			for j := range n {
				wsg[j] += x64[j]
				wsgb[j] += float64(x64[j] * b64[j])
			}
			check64("AddRowProd64 sg", sg, wsg)
			check64("AddRowProd64 sgb", sgb, wsgb)

			// mx = mu, mxy = acc except in about half of the columns, where
			// y*mxy cancels x - mx to about 1e-9: there the rounding of the
			// product shows even after the float32 result's rounding (a
			// fused x - y*mxy would pass without them).
			mxy32, mxy64 := slices.Clone(acc32), slices.Clone(acc64)
			for j := range n {
				if rng.IntN(2) == 0 {
					mxy32[j] = (float64(x32[j]) - mu32[j]) / float64(b32[j]) * (1 + 1e-9*rng.NormFloat64())
					mxy64[j] = (x64[j] - mu64[j]) / b64[j] * (1 + 1e-9*rng.NormFloat64())
				}
			}
			got32, want32 = slices.Clone(x32), slices.Clone(x32)
			subProjScale(got32[:n], b32[:n], mu32, mxy32, inv32)
			for j := range n {
				want32[j] = float32(float64((float64(want32[j])-mu32[j])-float64(float64(b32[j])*mxy32[j])) * inv32[j])
			}
			check32("SubProjScale32", got32, want32)

			got, want = slices.Clone(x64), slices.Clone(x64)
			subProjScale(got[:n], b64[:n], mu64, mxy64, inv64)
			for j := range n {
				want[j] = ((want[j] - mu64[j]) - float64(b64[j]*mxy64[j])) * inv64[j]
			}
			check64("SubProjScale64", got, want)
		}
	}
}

// TestColStatsNonFinite checks that a NaN or an infinity in any input
// column propagates as in the Go formula (NaN stays NaN, an infinity
// keeps its sign or meets another and gives NaN) and leaves the other
// columns alone, on the Go loops and, where the CPU has them, the kernels.
func TestColStatsNonFinite(t *testing.T) {
	defer func(v bool) { useAsm = v }(useAsm)
	for _, a := range []bool{false, asm.HasAVX2} {
		useAsm = a
		testColStatsNonFinite(t)
	}
}

func testColStatsNonFinite(t *testing.T) {
	specials := []float64{math.NaN(), math.Inf(1), math.Inf(-1)}
	const n = 9
	for _, s := range specials {
		for col := range n {
			x32, mu, inv, acc := make([]float32, n), make([]float64, n), make([]float64, n), make([]float64, n)
			for j := range n {
				x32[j], mu[j], inv[j], acc[j] = float32(j)+0.5, float64(j)/3, 1/float64(j+1), float64(j)
			}
			x32[col] = float32(s)
			got := slices.Clone(acc)
			addSqDev(got, x32, mu)
			out := make([]float32, n)
			scaleDev(out, x32, mu, inv)
			g := slices.Clone(x32)
			subProjScale(g, x32, mu, acc, inv)
			for j := range n {
				c := float64(x32[j]) - mu[j]
				want := acc[j] + float64(c*c)
				if !same64(got[j:j+1], []float64{want}) {
					t.Errorf("AddSqDev32 special %v at %d: column %d got %v; want %v", s, col, j, got[j], want)
				}
				w32 := float32(c * inv[j])
				if !same32(out[j:j+1], []float32{w32}) {
					t.Errorf("ScaleDev32 special %v at %d: column %d got %v; want %v", s, col, j, out[j], w32)
				}
				wg := float32(((float64(x32[j]) - mu[j]) - float64(float64(x32[j])*acc[j])) * inv[j])
				if !same32(g[j:j+1], []float32{wg}) {
					t.Errorf("SubProjScale32 special %v at %d: column %d got %v; want %v", s, col, j, g[j], wg)
				}
			}
		}
	}
}
