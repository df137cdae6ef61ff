package linalg

import (
	"math"

	"github.com/eigenssl/eigenssl/internal/asm"
)

// Exp returns e^x to within 2 ulp of the correctly rounded value for
// finite x in [-708, 709] (math.Exp outside that range and for NaN or
// ±Inf). It is the element-wise exponential of the hot loops (InfoNCE's
// N x N similarity matrices): twice math.Exp's throughput in a loop
// (BenchmarkExpWrite: 5.1 vs 9.8 ns), having no branch in range and a
// short polynomial. Measured error against 200-bit arithmetic: <= 1 ulp.
//
// Method: x = (64 m + j) ln2/64 + r with |r| <= ln2/128, taken in two
// parts (hi exact, lo the rounding of ln2/64) so that r is accurate; then
// e^x = 2^m · (t + t·q) with t = 2^(j/64) from a table of correctly rounded
// values and q the degree-5 Taylor polynomial of e^r − 1 (truncation
// |r|^6/720 < 3.5e-17 relative), added last so that its rounding is small.
func Exp(x float64) float64 {
	if !(x >= -708 && x <= 709) {
		return math.Exp(x)
	}
	return expCore(x)
}

// ExpShift sets x[i] = Exp(x[i] − c) for every i, the loop form of Exp
// (no call per element). On amd64 with AVX2, float64 and float32 slices go
// four entries at a time through internal/asm's ExpShift64/ExpShift32,
// which repeat expCore's operations in order and give its bits
// (TestExpShiftKernel); groups with an argument outside [−708, 709] and
// the last len(x) mod 4 entries take the Go loop.
func ExpShift[T Float](x []T, c float64) {
	for i := 0; i < len(x); {
		if hasExpKernel && len(x)-i >= 4 {
			switch v := any(x[i:]).(type) {
			case []float64:
				i += asm.ExpShift64(len(v), &v[0], c, &exp2Table)
			case []float32:
				i += asm.ExpShift32(len(v), &v[0], c, &exp2Table)
			}
		}
		for end := min(i+4, len(x)); i < end; i++ {
			y := float64(x[i]) - c
			if !(y >= -708 && y <= 709) {
				x[i] = T(math.Exp(y))
				continue
			}
			x[i] = T(expCore(y))
		}
	}
}

// hasExpKernel reports whether ExpShift uses the AVX2 kernels (a variable
// so that a test can run the Go loop on the same machine).
var hasExpKernel = asm.HasAVX2

// expCore is Exp for x in [-708, 709].
func expCore(x float64) float64 {
	const (
		inv = 64 / math.Ln2
		// ln2/64 split: hi has its low 32 bits zero, so n·hi is exact for
		// |n| < 2^20.
		hi = 1.0830417275428772e-02
		lo = 7.420820373486988e-09
		// shift rounds to the nearest integer by the addition itself.
		shift = 0x1.8p52
	)
	// Every product is wrapped in float64() so that no GOAMD64 level fuses
	// it with the next addition into an FMA (the AVX2 kernels do not).
	n := (float64(x*inv) + shift) - shift
	r := (x - float64(n*hi)) - float64(n*lo)
	k := int64(n)
	j := k & 63
	m := (k - j) / 64
	p := 1.0/24 + float64(r*(1.0/120))
	p = 1.0/6 + float64(r*p)
	p = 1.0/2 + float64(r*p)
	p = 1 + float64(r*p)
	q := r * p // e^r − 1
	t := exp2Table[j]
	return math.Float64frombits(uint64(m+1023)<<52) * (t + float64(t*q))
}

// exp2Table holds 2^(j/64), j = 0..63.
var exp2Table = func() (t [64]float64) {
	for j := range t {
		t[j] = math.Exp2(float64(j) / 64)
	}
	return t
}()
