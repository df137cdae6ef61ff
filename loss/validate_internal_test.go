package loss

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/eigenssl/eigenssl/internal/asm"
	"github.com/eigenssl/eigenssl/linalg"
)

// TestCheckGeneralFindsEveryNonFinite: a NaN or an infinity at any entry
// (in the unrolled blocks of eight and in the tail of the Go loop, in the
// steps and tail of the AVX2 kernel where the CPU has it; float32 and
// float64; contiguous and strided, with NaNs in the gaps between rows that
// must not be reported) is reported with its position, and finite extremes
// (±MaxFloat, subnormals, −0) pass.
func TestCheckGeneralFindsEveryNonFinite(t *testing.T) {
	defer func(v bool) { useAsm = v }(useAsm)
	for _, a := range []bool{false, asm.HasAVX2} {
		useAsm = a
		testCheckGeneral[float64](t)
		testCheckGeneral[float32](t)
	}
}

func testCheckGeneral[T linalg.Float](t *testing.T) {
	big := T(math.MaxFloat32)
	for _, gap := range []int{0, 3} {
		for cols := 1; cols <= 20; cols++ {
			stride := cols + gap
			m := linalg.General[T]{Rows: 3, Cols: cols, Stride: stride, Data: make([]T, 3*stride)}
			for i := range m.Data {
				m.Data[i] = []T{big, -big, T(math.SmallestNonzeroFloat32), T(math.Copysign(0, -1)), 1.5}[i%5]
				if i%stride >= cols {
					m.Data[i] = T(math.NaN())
				}
			}
			name := fmt.Sprintf("%T %d columns stride %d (asm %v)", m.Data[0], cols, stride, useAsm)
			if err := checkGeneral("t", "z", m, 1); err != nil {
				t.Fatalf("%s, finite extremes: %v", name, err)
			}
			for i := range m.Rows {
				for j := 0; j < cols; j++ {
					for _, bad := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
						old := m.Data[i*stride+j]
						m.Data[i*stride+j] = T(bad)
						err := checkGeneral("t", "z", m, 1)
						m.Data[i*stride+j] = old
						if !errors.Is(err, ErrNaN) || !strings.Contains(err.Error(), fmt.Sprintf("(%d,%d)", i, j)) {
							t.Fatalf("%s, %v at (%d,%d): %v", name, bad, i, j, err)
						}
					}
				}
			}
		}
	}
}

// TestCheckGeneralRowLengths runs checkGeneral on single rows of every
// length 1..40 and 131 (every tail of the AVX2 kernel's 16- and 8-entry
// steps), on the Go loop and, where the CPU has them, the kernels (a named
// float type always on the Go loop): finite
// extremes pass, a NaN stored just past the row is not read, and a NaN
// (several payloads) or ±Inf at any position is found at its position.
func TestCheckGeneralRowLengths(t *testing.T) {
	defer func(v bool) { useAsm = v }(useAsm)
	for _, a := range []bool{false, asm.HasAVX2} {
		useAsm = a
		testCheckGeneralRowLengths[float32](t)
		testCheckGeneralRowLengths[float64](t)
		// A named float type has no kernel: the Go loop must still run.
		testCheckGeneralRowLengths[namedFloat](t)
	}
}

type namedFloat float32

func testCheckGeneralRowLengths[T linalg.Float](t *testing.T) {
	bad := []float64{math.NaN(), math.Inf(1), math.Inf(-1), math.Float64frombits(0xfff0000000000001), math.Float64frombits(0x7ff8000000000123)}
	fine := []float64{math.MaxFloat32, -math.MaxFloat32, math.SmallestNonzeroFloat32, 1, -2.5, math.Copysign(0, -1)}
	lens := []int{131}
	for n := 1; n <= 40; n++ {
		lens = append(lens, n)
	}
	for _, n := range lens {
		data := make([]T, n+1)
		for j := range n {
			data[j] = T(fine[j%len(fine)])
		}
		data[n] = T(math.NaN())
		m := linalg.General[T]{Rows: 1, Cols: n, Stride: n, Data: data}
		if err := checkGeneral("t", "z", m, 1); err != nil {
			t.Fatalf("%T n = %d (asm %v): finite row (a NaN past it) rejected: %v", data[0], n, useAsm, err)
		}
		for p := range n {
			for _, b := range bad {
				old := data[p]
				data[p] = T(b)
				err := checkGeneral("t", "z", m, 1)
				data[p] = old
				if !errors.Is(err, ErrNaN) || !strings.Contains(err.Error(), fmt.Sprintf("(0,%d)", p)) {
					t.Fatalf("%T n = %d (asm %v): %v at %d: %v", data[0], n, useAsm, b, p, err)
				}
			}
		}
	}
}
