package linalg

import (
	"math"
	"math/big"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/eigenssl/eigenssl/internal/asm"
)

// ulpDiff is |a − b| in units of the last place of b.
func ulpDiff(a, b float64) float64 {
	return math.Abs(a-b) / (math.Nextafter(b, math.Inf(1)) - b)
}

// bigExp returns e^x rounded to float64, computed in 200-bit arithmetic by
// argument halving and the Taylor series (independent of math.Exp).
func bigExp(x float64) float64 {
	const prec = 200
	y := new(big.Float).SetPrec(prec).SetFloat64(x)
	halvings := 0
	for a := math.Abs(x); a > 1e-3; a /= 2 {
		halvings++
	}
	y.Quo(y, new(big.Float).SetPrec(prec).SetFloat64(math.Ldexp(1, halvings)))
	sum := new(big.Float).SetPrec(prec).SetFloat64(1)
	term := new(big.Float).SetPrec(prec).SetFloat64(1)
	for k := 1; k < 40; k++ {
		term.Mul(term, y)
		term.Quo(term, new(big.Float).SetPrec(prec).SetInt64(int64(k)))
		sum.Add(sum, term)
	}
	for range halvings {
		sum.Mul(sum, sum)
	}
	f, _ := sum.Float64()
	return f
}

// TestExpUlp compares Exp with e^x computed in 200-bit arithmetic at random
// points of [-708, 709] (uniform and concentrated near 0, where InfoNCE's
// arguments lie) and at the ends: at most 2 ulp.
func TestExpUlp(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	xs := []float64{0, -0.0, 1, -1, 709, -708, math.Ln2, -math.Ln2 / 128, math.Ln2 / 128, 1e-300, -1e-17}
	for range 20000 {
		xs = append(xs, -708+1417*rng.Float64(), -40*rng.Float64(), 0.01*rng.NormFloat64())
	}
	worst, at := 0.0, 0.0
	for _, x := range xs {
		want := bigExp(x)
		if d := ulpDiff(Exp(x), want); d > worst {
			worst, at = d, x
		}
	}
	if worst > 2 {
		t.Fatalf("Exp(%v) = %v is %.2f ulp from %v", at, Exp(at), worst, bigExp(at))
	}
	t.Logf("max error %.3f ulp at %v", worst, at)
	for _, x := range []float64{math.NaN(), math.Inf(1), math.Inf(-1), 710, -746, -800} {
		got, want := Exp(x), math.Exp(x)
		if !(got == want || math.IsNaN(got) && math.IsNaN(want)) {
			t.Errorf("Exp(%v) = %v; want %v", x, got, want)
		}
	}
}

func BenchmarkExp(b *testing.B) {
	xs := make([]float64, 4096)
	rng := rand.New(rand.NewPCG(1, 1))
	for i := range xs {
		xs[i] = -4 * rng.Float64()
	}
	b.Run("linalg", func(b *testing.B) {
		s := 0.0
		for b.Loop() {
			for _, x := range xs {
				s += Exp(x)
			}
		}
		_ = s
	})
	b.Run("math", func(b *testing.B) {
		s := 0.0
		for b.Loop() {
			for _, x := range xs {
				s += math.Exp(x)
			}
		}
		_ = s
	})
}

func BenchmarkExpWrite(b *testing.B) {
	xs := make([]float64, 4096)
	ys := make([]float64, 4096)
	rng := rand.New(rand.NewPCG(1, 1))
	for i := range xs {
		xs[i] = 4 * rng.Float64()
	}
	b.Run("linalg", func(b *testing.B) {
		for b.Loop() {
			for i, x := range xs {
				ys[i] = Exp(x - 4)
			}
		}
	})
	b.Run("math", func(b *testing.B) {
		for b.Loop() {
			for i, x := range xs {
				ys[i] = math.Exp(x - 4)
			}
		}
	})
	b.Run("shift", func(b *testing.B) {
		for b.Loop() {
			copy(ys, xs)
			ExpShift(ys, 4)
		}
	})
}

// TestExpShiftKernel runs ExpShift with and without the AVX2 kernels (where
// the CPU has them) on float64 and float32 slices of every length 0..40
// and 131: the same bits, entry by entry, for arguments spread over
// [−750, 750] (some out of range in a group of four, which the Go loop
// then takes), NaN and ±Inf among them, several shifts c, and around the
// ends −708 and 709. Without AVX2 it checks the Go loop against Exp.
func TestExpShiftKernel(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	special := []float64{math.NaN(), math.Inf(1), math.Inf(-1), -708, 709, math.Nextafter(-708, -1000), math.Nextafter(709, 1000), 0, -0.0}
	lens := []int{131}
	for n := 0; n <= 40; n++ {
		lens = append(lens, n)
	}
	defer func(v bool) { hasExpKernel = v }(hasExpKernel)
	for _, c := range []float64{0, 10, -3.5} {
		for _, n := range lens {
			x := make([]float64, n)
			for i := range x {
				switch rng.IntN(8) {
				case 0:
					x[i] = special[rng.IntN(len(special))] + c
				case 1:
					x[i] = -750 + 1500*rng.Float64()
				default:
					x[i] = c - 20*rng.Float64()
				}
			}
			x32 := make([]float32, n)
			for i, v := range x {
				x32[i] = float32(v)
			}
			run := func(kern bool) ([]float64, []float32) {
				hasExpKernel = kern
				a, b := slices.Clone(x), slices.Clone(x32)
				ExpShift(a, c)
				ExpShift(b, c)
				return a, b
			}
			g64, g32 := run(false)
			for i, v := range x {
				if want := Exp(v - c); !sameBits(g64[i], want) {
					t.Fatalf("Go loop: ExpShift(%v, %v) = %v; Exp gives %v", v, c, g64[i], want)
				}
			}
			if !asm.HasAVX2 {
				continue
			}
			k64, k32 := run(true)
			for i := range x {
				if !sameBits(k64[i], g64[i]) {
					t.Fatalf("float64, n = %d, c = %v: kernel exp(%v) = %v; Go loop %v", n, c, x[i]-c, k64[i], g64[i])
				}
				if !sameBits(float64(k32[i]), float64(g32[i])) {
					t.Fatalf("float32, n = %d, c = %v: kernel exp(%v) = %v; Go loop %v", n, c, float64(x32[i])-c, k32[i], g32[i])
				}
			}
		}
	}
	if !asm.HasAVX2 {
		t.Log("no AVX2: only the Go loop ran (it is what runs on this CPU)")
	}
}

// sameBits reports whether a and b are the same float64, NaNs being equal.
func sameBits(a, b float64) bool {
	return a == b && math.Signbit(a) == math.Signbit(b) || math.IsNaN(a) && math.IsNaN(b)
}
