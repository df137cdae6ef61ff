package loss

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/eigenssl/eigenssl/linalg"
)

// TestCheckGeneralFindsEveryNonFinite: a NaN or an infinity at any entry
// (in the unrolled blocks of eight and in the tail, float32 and float64) is
// reported with its position, and finite extremes (±MaxFloat, subnormals,
// −0) pass.
func TestCheckGeneralFindsEveryNonFinite(t *testing.T) {
	testCheckGeneral[float64](t)
	testCheckGeneral[float32](t)
}

func testCheckGeneral[T linalg.Float](t *testing.T) {
	big := T(math.MaxFloat32)
	for cols := 1; cols <= 20; cols++ {
		m := linalg.NewGeneral[T](3, cols)
		for i := range m.Data {
			m.Data[i] = []T{big, -big, T(math.SmallestNonzeroFloat32), T(math.Copysign(0, -1)), 1.5}[i%5]
		}
		if err := checkGeneral("t", "z", m, 1); err != nil {
			t.Fatalf("%T %d columns, finite extremes: %v", m.Data[0], cols, err)
		}
		for j := 0; j < cols; j++ {
			for _, bad := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
				old := m.Data[1*cols+j]
				m.Data[1*cols+j] = T(bad)
				err := checkGeneral("t", "z", m, 1)
				m.Data[1*cols+j] = old
				if !errors.Is(err, ErrNaN) || !strings.Contains(err.Error(), fmt.Sprintf("(1,%d)", j)) {
					t.Fatalf("%T %d columns, %v at (1,%d): %v", m.Data[0], cols, bad, j, err)
				}
			}
		}
	}
}
