package loss

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/eigenssl/eigenssl/linalg"
)

// randGeneral returns an n x k General of standard normal entries.
func randGeneral[T linalg.Float](rng *rand.Rand, n, k int) linalg.General[T] {
	m := linalg.NewGeneral[T](n, k)
	for i := range m.Data {
		m.Data[i] = T(rng.NormFloat64())
	}
	return m
}

// spreadGeneral returns an n x k General with stride k+pad whose column j
// is off_j + scale_j N(0, 1), the offsets and scales spread over several
// binades so that the rounding of every step shows; the padding holds
// NaNs, which no row loop may read.
func spreadGeneral[T linalg.Float](rng *rand.Rand, n, k, pad int) linalg.General[T] {
	off, scale := make([]float64, k), make([]float64, k)
	for j := range k {
		off[j], scale[j] = 100*rng.NormFloat64(), math.Exp(3*rng.NormFloat64())
	}
	m := linalg.General[T]{Rows: n, Cols: k, Stride: k + pad, Data: make([]T, n*(k+pad))}
	for i := range m.Data {
		m.Data[i] = T(math.NaN())
	}
	for i := range n {
		for j := range m.Row(i) {
			m.Row(i)[j] = T(off[j] + scale[j]*rng.NormFloat64())
		}
	}
	return m
}

// firstDiff returns the first index at which a and b hold different bits,
// NaNs of any payload matching each other, or -1.
func firstDiff[T linalg.Float](a, b []T) int {
	for i := range a {
		x, y := a[i], b[i]
		if math.Float64bits(float64(x)) != math.Float64bits(float64(y)) && !(x != x && y != y) {
			return i
		}
	}
	return -1
}

// sameBits reports (t.Errorf) the first entry at which got and want differ
// in their bits (firstDiff).
func sameBits[U linalg.Float](t *testing.T, name, what string, got, want []U) {
	t.Helper()
	if i := firstDiff(got, want); i >= 0 {
		t.Errorf("%s: %s entry %d is %v; the reference gives %v", name, what, i, got[i], want[i])
	}
}

// TestColStatsAsm checks colMeans, batchNorm and batchNormBackward bit for
// bit against their formulas spelled plainly here (reference), on every
// path this machine can run: the Go loops always, and the AVX2 kernels
// (useAsm) where the CPU has them; in float32 and float64, on shapes with
// and without a tail of K mod 4 columns, on a strided matrix and with an
// infinity and a NaN in the data.
func TestColStatsAsm(t *testing.T) {
	if !useAsm {
		t.Log("no AVX2: only the Go loops run here, and only they are checked")
	}
	testColStatsAsm[float32](t)
	testColStatsAsm[float64](t)
}

func testColStatsAsm[T linalg.Float](t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, c := range []struct{ n, k, pad int }{{37, 13, 0}, {256, 128, 0}, {5, 1, 0}, {2, 0, 0}, {19, 30, 5}, {64, 7, 0}} {
		name := fmt.Sprintf("%T %dx%d stride %d", T(0), c.n, c.k, c.k+c.pad)
		z := spreadGeneral[T](rng, c.n, c.k, c.pad)
		g := spreadGeneral[T](rng, c.n, c.k, c.pad)
		if c.n == 64 {
			z.Row(3)[2], z.Row(5)[4], g.Row(7)[6] = T(math.Inf(1)), T(math.NaN()), T(math.Inf(-1))
		}
		type out struct {
			mean, s []float64
			b, dz   []T
		}
		run := func(asm bool) out {
			defer func(v bool) { useAsm = v }(useAsm)
			useAsm = asm
			var o out
			o.mean = colMeans(z)
			var b linalg.General[T]
			b, o.s = batchNorm(z)
			dz := linalg.General[T]{Rows: g.Rows, Cols: g.Cols, Stride: g.Stride, Data: slices.Clone(g.Data)}
			batchNormBackward(dz, b, o.s)
			o.b, o.dz = b.Data, dz.Data
			return o
		}
		// reference: the documented operations in their documented order,
		// each product rounded on its own (float64(a*b), no FMA).
		reference := func() out {
			n, k := z.Rows, z.Cols
			var o out
			o.mean, o.s = make([]float64, k), make([]float64, k)
			for i := 0; i < n; i++ {
				for j, v := range z.Row(i) {
					o.mean[j] += float64(v)
				}
			}
			inv := make([]float64, k)
			for j := range o.mean {
				o.mean[j] /= float64(n)
			}
			for i := 0; i < n; i++ {
				for j, v := range z.Row(i) {
					c := float64(v) - o.mean[j]
					o.s[j] += float64(c * c)
				}
			}
			for j := range o.s {
				o.s[j] = math.Sqrt(o.s[j]/float64(n) + BatchNormEps)
				inv[j] = 1 / o.s[j]
			}
			b := linalg.NewGeneral[T](n, k)
			for i := 0; i < n; i++ {
				for j, v := range z.Row(i) {
					b.Row(i)[j] = T((float64(v) - o.mean[j]) * inv[j])
				}
			}
			dz := linalg.General[T]{Rows: g.Rows, Cols: g.Cols, Stride: g.Stride, Data: slices.Clone(g.Data)}
			mg, mgb := make([]float64, k), make([]float64, k)
			for i := 0; i < n; i++ {
				for j, v := range dz.Row(i) {
					mg[j] += float64(v)
					mgb[j] += float64(float64(v) * float64(b.Row(i)[j]))
				}
			}
			for j := range mg {
				mg[j] /= float64(n)
				mgb[j] /= float64(n)
			}
			for i := 0; i < n; i++ {
				row := dz.Row(i)
				for j, v := range row {
					row[j] = T((float64(v) - mg[j] - float64(float64(b.Row(i)[j])*mgb[j])) * inv[j])
				}
			}
			o.b, o.dz = b.Data, dz.Data
			return o
		}
		want := reference()
		paths := []bool{false}
		if useAsm {
			paths = append(paths, true)
		}
		for _, path := range paths {
			got := run(path)
			name := fmt.Sprintf("%s, kernels %v", name, path)
			sameBits(t, name, "batchNorm", got.b, want.b)
			sameBits(t, name, "batchNormBackward", got.dz, want.dz)
			sameBits(t, name, "colMeans", got.mean, want.mean)
			sameBits(t, name, "batchNorm s", got.s, want.s)
		}
	}
}

// BenchmarkBatchNorm times batchNorm and batchNormBackward (one branch of
// BarlowTwinsOfficial) at N = 4096, K = 128, with the kernels (asm, when
// the CPU has them) and with the Go loops (go).
func BenchmarkBatchNorm(b *testing.B) {
	const n, k = 4096, 128
	paths := []bool{false}
	if useAsm {
		paths = []bool{true, false}
	}
	defer func(v bool) { useAsm = v }(useAsm)
	for _, asm := range paths {
		useAsm = asm
		path := map[bool]string{true: "asm", false: "go"}[asm]
		b.Run(fmt.Sprintf("float32/N=%d,K=%d/%s", n, k, path), func(b *testing.B) { benchBatchNorm[float32](b, n, k) })
		b.Run(fmt.Sprintf("float64/N=%d,K=%d/%s", n, k, path), func(b *testing.B) { benchBatchNorm[float64](b, n, k) })
	}
}

func benchBatchNorm[T linalg.Float](b *testing.B, n, k int) {
	rng := rand.New(rand.NewPCG(uint64(n), uint64(k)))
	z, g := randGeneral[T](rng, n, k), randGeneral[T](rng, n, k)
	b.Run("forward", func(b *testing.B) {
		for b.Loop() {
			batchNorm(z)
		}
	})
	bn, s := batchNorm(z)
	b.Run("backward", func(b *testing.B) {
		for b.Loop() {
			batchNormBackward(g, bn, s)
		}
	})
}

// TestMulSumAsm checks mulSum, on the Go loop always and on the AVX2
// kernels where the CPU has them, bit for bit against the formula spelled
// here, x[j] = T(float64(x[j]) * (a + b[j])), for every length 0..40 and
// 131 (b longer than x), values over many binades, zeros of either sign,
// NaN and ±Inf, float32 and float64.
func TestMulSumAsm(t *testing.T) {
	defer func(v bool) { useAsm = v }(useAsm)
	for _, a := range []bool{false, useAsm} {
		useAsm = a
		testMulSum[float32](t)
		testMulSum[float64](t)
	}
}

func testMulSum[T linalg.Float](t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	val := func() float64 {
		switch rng.IntN(12) {
		case 0:
			return math.NaN()
		case 1:
			return math.Inf(1 - 2*rng.IntN(2))
		case 2:
			return math.Copysign(0, -1)
		default:
			return rng.NormFloat64() * math.Exp(20*rng.NormFloat64())
		}
	}
	lens := []int{131}
	for n := 0; n <= 40; n++ {
		lens = append(lens, n)
	}
	for _, n := range lens {
		x, b := make([]T, n), make([]float64, n+3)
		for j := range x {
			x[j] = T(val())
		}
		for j := range b {
			b[j] = val()
		}
		av := val()
		got := slices.Clone(x)
		mulSum(got, av, b)
		for j, v := range x {
			want := T(float64(v) * (av + b[j]))
			if !(got[j] == want && math.Signbit(float64(got[j])) == math.Signbit(float64(want)) || got[j] != got[j] && want != want) {
				t.Fatalf("%T asm %v, n = %d: x[%d] = %v; want %v", v, useAsm, n, j, got[j], want)
			}
		}
	}
}
