package linalg

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// Gemm in float64 and float32 and GemmDense, all four transposition cases, against
// mat.Dense products; Slice views rows of a strided matrix.
func TestGemmGeneric(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 1))
	randm := func(rows, cols int) *mat.Dense {
		m := mat.NewDense(rows, cols, nil)
		for i := range m.RawMatrix().Data {
			m.RawMatrix().Data[i] = r.NormFloat64()
		}
		return m
	}
	to32 := func(m *mat.Dense) General[float32] {
		g := GeneralOf(m)
		h := NewGeneral[float32](g.Rows, g.Cols)
		for i, v := range g.Data {
			h.Data[i] = float32(v)
		}
		return h
	}
	for _, tc := range []struct{ tA, tB bool }{{false, false}, {true, false}, {false, true}, {true, true}} {
		a, b := randm(4, 6), randm(6, 5)
		if tc.tA {
			a = mat.DenseCopyOf(a.T())
		}
		if tc.tB {
			b = mat.DenseCopyOf(b.T())
		}
		var pa, pb mat.Matrix = a, b
		if tc.tA {
			pa = a.T()
		}
		if tc.tB {
			pb = b.T()
		}
		c0 := randm(4, 5)
		var want mat.Dense
		want.Mul(pa, pb)
		want.Scale(2, &want)
		want.Add(&want, c0) // 2 op(a) op(b) + 1 c0

		c64 := GeneralOf(mat.DenseCopyOf(c0))
		Gemm(tc.tA, tc.tB, 2, GeneralOf(a), GeneralOf(b), 1, c64)
		if !mat.EqualApprox(c64.Dense(), &want, 1e-12) {
			t.Errorf("float64 Gemm(%v,%v) differs from mat.Mul", tc.tA, tc.tB)
		}
		// GemmDense on a column block of a wider c (stride > cols).
		wide := randm(4, 8)
		cv := wide.Slice(0, 4, 2, 7).(*mat.Dense)
		cv.Copy(c0)
		GemmDense(tc.tA, tc.tB, 2, a, b, 1, cv)
		if !mat.EqualApprox(cv, &want, 1e-12) {
			t.Errorf("GemmDense(%v,%v) on a strided view differs from mat.Mul", tc.tA, tc.tB)
		}
		c32 := to32(c0)
		Gemm(tc.tA, tc.tB, 2, to32(a), to32(b), 1, c32)
		for i, v := range c32.Data {
			if w := want.RawMatrix().Data[i]; math.Abs(float64(v)-w) > 1e-5*(1+math.Abs(w)) {
				t.Fatalf("float32 Gemm(%v,%v)[%d] = %v, want %v", tc.tA, tc.tB, i, v, w)
			}
		}
	}
	m := GeneralOf(mat.NewDense(4, 3, []float64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}))
	s := m.Slice(1, 3)
	if s.Rows != 2 || s.Row(1)[2] != 8 || s.Dense().At(0, 0) != 3 {
		t.Errorf("Slice(1,3) = %+v, want rows 1..2 of m", s)
	}
}
