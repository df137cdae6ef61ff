package linalg

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
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
