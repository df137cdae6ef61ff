package loss

import (
	"math"

	"github.com/eigenssl/eigenssl/graph"
	"github.com/eigenssl/eigenssl/internal/asm"
	"github.com/eigenssl/eigenssl/linalg"
	"gonum.org/v1/gonum/mat"
)

// checkDense rejects a nil, empty or non-finite matrix, and a matrix with
// fewer than minRows rows.
func checkDense(op, param string, m *mat.Dense, minRows int) error {
	if m == nil {
		return errorf(op, param, ErrEmpty, "missing")
	}
	return checkGeneral(op, param, linalg.GeneralOf(m), minRows)
}

// checkGeneral is checkDense for a float64 or float32 matrix.
func checkGeneral[T linalg.Float](op, param string, m linalg.General[T], minRows int) error {
	if m.Rows == 0 || m.Cols == 0 {
		return errorf(op, param, ErrEmpty, "missing")
	}
	if m.Rows < minRows {
		return errorf(op, param, ErrShape, "%dx%d (needs at least %d rows)", m.Rows, m.Cols, minRows)
	}
	if bad, ok := nonFiniteRows(m); ok {
		if bad < 0 {
			return nil
		}
		return nonFinite(op, param, m, bad)
	}
	for i := 0; i < m.Rows; i++ {
		// v·0 is ±0 for finite v and NaN for NaN or ±Inf: one multiply-add
		// per entry finds a bad row, which is then searched for the entry.
		// Eight independent sums: one would wait out the add latency at
		// every entry.
		row := m.Row(i)
		var a [8]T
		j := 0
		for ; j+8 <= len(row); j += 8 {
			r := row[j : j+8 : j+8]
			a[0] += r[0] * 0
			a[1] += r[1] * 0
			a[2] += r[2] * 0
			a[3] += r[3] * 0
			a[4] += r[4] * 0
			a[5] += r[5] * 0
			a[6] += r[6] * 0
			a[7] += r[7] * 0
		}
		for ; j < len(row); j++ {
			a[0] += row[j] * 0
		}
		if (a[0]+a[1])+(a[2]+a[3])+(a[4]+a[5])+(a[6]+a[7]) == 0 {
			continue
		}
		if err := nonFinite(op, param, m, i); err != nil {
			return err
		}
	}
	return nil
}

// nonFiniteRows tests m with the AVX2 kernel (16 float32 or 8 float64
// exponent fields per step; a contiguous matrix in one call) and returns
// the first row that holds a NaN or an infinity, or -1, with ok true; ok is
// false when the kernel cannot run (no AVX2, or T a named float type), and
// the caller then takes the Go loop.
func nonFiniteRows[T linalg.Float](m linalg.General[T]) (bad int, ok bool) {
	if !useAsm {
		return 0, false
	}
	rows, n := m.Rows, m.Cols
	if m.Stride == m.Cols {
		rows, n = 1, m.Rows*m.Cols
	}
	for r := range rows {
		found := false
		switch x := any(m.Data[r*m.Stride : r*m.Stride+n]).(type) {
		case []float32:
			found = asm.NonFinite32(len(x), &x[0])
		case []float64:
			found = asm.NonFinite64(len(x), &x[0])
		default:
			return 0, false
		}
		if found {
			return r, true
		}
	}
	return -1, true
}

// nonFinite returns the error of checkGeneral for the first NaN or
// infinity of m in rows from, from+1, ..., or nil if they have none.
func nonFinite[T linalg.Float](op, param string, m linalg.General[T], from int) error {
	for i := from; i < m.Rows; i++ {
		for j, v := range m.Row(i) {
			if f := float64(v); math.IsNaN(f) || math.IsInf(f, 0) {
				return errorf(op, param, ErrNaN, "%v at (%d,%d)", v, i, j)
			}
		}
	}
	return nil
}

// checkPair validates the two branches of a two-branch loss.
func checkPair(op string, in Inputs, minRows int) error {
	if in.Z1 == nil {
		return errorf(op, KeyZ1, ErrEmpty, "missing")
	}
	if in.Z2 == nil {
		return errorf(op, KeyZ2, ErrEmpty, "missing")
	}
	return checkBranches(op, linalg.GeneralOf(in.Z1), linalg.GeneralOf(in.Z2), minRows)
}

// checkBranches validates the branches z1 and z2 of a two-branch loss:
// each by checkGeneral (the two concurrently, see branches; z1's error wins),
// then their shapes against each other.
func checkBranches[T linalg.Float](op string, z1, z2 linalg.General[T], minRows int) error {
	var err1, err2 error
	branches(z1.Rows*z1.Cols, func() { err1 = checkGeneral(op, KeyZ1, z1, minRows) }, func() { err2 = checkGeneral(op, KeyZ2, z2, minRows) })
	if err1 != nil {
		return err1
	}
	if err2 != nil {
		return err2
	}
	if z1.Rows != z2.Rows || z1.Cols != z2.Cols {
		return errorf(op, KeyZ2, ErrShape, "%dx%d (z1 is %dx%d)", z2.Rows, z2.Cols, z1.Rows, z1.Cols)
	}
	return nil
}

// checkGForm validates Z and the relation graph G of a G-form loss: the CSR
// arrays must be consistent, columns increasing within rows, weights finite
// and non-negative, no diagonal entry, and G symmetric (same pattern and
// values). Cost O(nnz log(max degree)).
func checkGForm(op string, in Inputs, minRows int) error {
	if err := checkDense(op, KeyZ, in.Z, minRows); err != nil {
		return err
	}
	g := in.G
	if g == nil {
		return errorf(op, "G", ErrEmpty, "missing")
	}
	n, _ := in.Z.Dims()
	if g.N != n {
		return errorf(op, "G", ErrShape, "%dx%d (Z has %d rows)", g.N, g.N, n)
	}
	if len(g.RowPtr) != n+1 || g.RowPtr[0] != 0 || g.RowPtr[n] != len(g.Col) || len(g.Col) != len(g.Val) {
		return errorf(op, "G", ErrGraph, "inconsistent CSR arrays (len RowPtr %d, Col %d, Val %d)", len(g.RowPtr), len(g.Col), len(g.Val))
	}
	for i := 0; i < n; i++ {
		lo, hi := g.RowPtr[i], g.RowPtr[i+1]
		if lo > hi {
			return errorf(op, "G", ErrGraph, "RowPtr decreasing at row %d", i)
		}
		for p := lo; p < hi; p++ {
			j, v := g.Col[p], g.Val[p]
			if j < 0 || j >= n || (p > lo && j <= g.Col[p-1]) {
				return errorf(op, "G", ErrGraph, "column %d in row %d out of range or not increasing", j, i)
			}
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return errorf(op, "G", ErrNaN, "%v at (%d,%d)", v, i, j)
			}
			if v < 0 {
				return errorf(op, "G", ErrGraph, "negative weight %v at (%d,%d)", v, i, j)
			}
			if j == i {
				return errorf(op, "G", ErrGraph, "diagonal entry %v at (%d,%d)", v, i, i)
			}
		}
	}
	return checkSymmetric(op, g)
}

// checkSymmetric reports the first asymmetry of a CSR matrix with sorted
// columns and no diagonal in one pass over its entries (O(nnz)): rows are
// visited in order, and cur[j] walks the entries of row j left of the
// diagonal, which the entries (i, j), i < j, of the earlier rows must meet
// in the same order since columns increase.
func checkSymmetric(op string, g *graph.CSR) error {
	n := g.N
	cur := make([]int, n)
	copy(cur, g.RowPtr[:n])
	asym := func(i, j int, v, w float64) error {
		return errorf(op, "G", ErrGraph, "not symmetric: G(%d,%d) = %v but G(%d,%d) = %v", i, j, v, j, i, w)
	}
	for i := 0; i < n; i++ {
		for p := g.RowPtr[i]; p < g.RowPtr[i+1]; p++ {
			j := g.Col[p]
			if j < i {
				if p >= cur[i] { // no earlier row j met it
					return asym(i, j, g.Val[p], 0)
				}
				continue
			}
			q := cur[j]
			switch {
			case q < g.RowPtr[j+1] && g.Col[q] < i: // (j, c) for a row c < i without (c, j)
				return asym(j, g.Col[q], g.Val[q], 0)
			case q >= g.RowPtr[j+1] || g.Col[q] > i:
				return asym(i, j, g.Val[p], 0)
			case g.Val[q] != g.Val[p]:
				return asym(i, j, g.Val[p], g.Val[q])
			}
			cur[j]++
		}
	}
	return nil
}
