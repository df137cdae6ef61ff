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
