package linalg

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"
)

// Float is the element type of the generic kernels that nn and loss share
// between their float64 and float32 paths.
type Float interface{ ~float32 | ~float64 }

// General is a row-major Rows×Cols matrix of T, entry (i, j) at
// Data[i*Stride+j]. Its fields mirror blas32.General, which converts to it
// and back; GeneralOf and Blas64 convert from and to the float64 types.
type General[T Float] struct {
	Rows, Cols int
	Stride     int
	Data       []T
}

// NewGeneral returns a zero r×c General with Stride c.
func NewGeneral[T Float](r, c int) General[T] {
	return General[T]{Rows: r, Cols: c, Stride: c, Data: make([]T, r*c)}
}

// GeneralOf returns a float64 General sharing m's data.
func GeneralOf(m *mat.Dense) General[float64] {
	r := m.RawMatrix()
	return General[float64]{r.Rows, r.Cols, r.Stride, r.Data}
}

// Row returns row i of m (a view).
func (m General[T]) Row(i int) []T { return m.Data[i*m.Stride : i*m.Stride+m.Cols] }

// Slice returns rows lo..hi-1 of m (a view).
func (m General[T]) Slice(lo, hi int) General[T] {
	return General[T]{Rows: hi - lo, Cols: m.Cols, Stride: m.Stride, Data: m.Data[lo*m.Stride:]}
}

// Transposed returns a new Cols×Rows General holding mᵀ.
func (m General[T]) Transposed() General[T] {
	t := NewGeneral[T](m.Cols, m.Rows)
	for i := 0; i < m.Rows; i++ {
		for j, v := range m.Row(i) {
			t.Data[j*t.Stride+i] = v
		}
	}
	return t
}

// Blas64 returns a float64 m as a blas64.General sharing its data; it
// panics when T is float32.
func (m General[T]) Blas64() blas64.General {
	g := any(m).(General[float64])
	return blas64.General{Rows: g.Rows, Cols: g.Cols, Stride: g.Stride, Data: g.Data}
}

// Blas32 returns a float32 m as a blas32.General sharing its data; it
// panics when T is float64.
func (m General[T]) Blas32() blas32.General { return blas32.General(any(m).(General[float32])) }

// Dense returns a float64 m as a *mat.Dense sharing its data; it panics
// when T is float32.
func (m General[T]) Dense() *mat.Dense {
	var d mat.Dense
	d.SetRawMatrix(m.Blas64())
	return &d
}

// Gemm sets c = alpha op(a) op(b) + beta c, op transposing a when tA and b
// when tB, through blas32 or blas64 according to T. In the openblas build,
// with OpenBLAS on one thread (linalg's default), a large product is split
// into row blocks of c computed concurrently (gemmParts; the same bits as
// one call), and a product with a small c and many terms (such as the K x K
// cross-correlation of two N x K batches) into two halves of its terms
// computed concurrently and then added (gemmInner; this changes the last
// bits, not with GOMAXPROCS).
func Gemm[T Float](tA, tB bool, alpha T, a, b General[T], beta T, c General[T]) {
	k := a.Cols
	if tA {
		k = a.Rows
	}
	if gemmInner(c.Rows, c.Cols, k) {
		// c = (alpha op(a)[:, :h] op(b)[:h, :] + beta c) + alpha op(a)[:, h:] op(b)[h:, :].
		h := k / 2 / 16 * 16
		rest := General[T]{Rows: c.Rows, Cols: c.Cols, Stride: c.Cols, Data: make([]T, c.Rows*c.Cols)}
		ParallelRange(2, 1, func(lo, hi int) {
			for p := lo; p < hi; p++ {
				if p == 0 {
					gemm1(tA, tB, alpha, termsOf(a, tA, false, 0, h), termsOf(b, tB, true, 0, h), beta, c)
				} else {
					gemm1(tA, tB, alpha, termsOf(a, tA, false, h, k), termsOf(b, tB, true, h, k), 0, rest)
				}
			}
		})
		for i := range c.Rows {
			row := c.Row(i)
			for j, v := range rest.Row(i) {
				row[j] += v
			}
		}
		return
	}
	if parts := gemmParts(c.Rows, c.Cols, k); parts > 1 {
		ParallelRange(parts, 1, func(lo, hi int) {
			for p := lo; p < hi; p++ {
				r0, r1 := splitAt(c.Rows, parts, p), splitAt(c.Rows, parts, p+1)
				gemm1(tA, tB, alpha, rowsOf(a, tA, r0, r1), b, beta, c.rows(r0, r1))
			}
		})
		return
	}
	gemm1(tA, tB, alpha, a, b, beta, c)
}

// splitAt is the first row of row block p of parts over m rows: p·m/parts
// rounded down to a multiple of gemmAlign (m for p = parts).
func splitAt(m, parts, p int) int {
	if p >= parts {
		return m
	}
	return p * m / parts / gemmAlign * gemmAlign
}

const gemmAlign = 192

// termsOf returns the terms k0..k1-1 of op(a) in a product: its columns
// when op(a) is the left factor (left), its rows when it is the right one;
// t says whether op transposes a.
func termsOf[T Float](a General[T], t, right bool, k0, k1 int) General[T] {
	if t == right {
		// Columns k0..k1-1 of a.
		return a.block(0, a.Rows, k0, k1)
	}
	return a.rows(k0, k1)
}

// rowsOf returns the rows r0..r1-1 of op(a): rows of a, or columns when t.
func rowsOf[T Float](a General[T], t bool, r0, r1 int) General[T] {
	if t {
		return General[T]{Rows: a.Rows, Cols: r1 - r0, Stride: a.Stride, Data: a.Data[r0:]}
	}
	return a.rows(r0, r1)
}

// rows returns the rows r0..r1-1 of m, sharing its data.
func (m General[T]) rows(r0, r1 int) General[T] {
	if r1 == r0 {
		return General[T]{Rows: 0, Cols: m.Cols, Stride: m.Stride}
	}
	return General[T]{Rows: r1 - r0, Cols: m.Cols, Stride: m.Stride, Data: m.Data[r0*m.Stride : (r1-1)*m.Stride+m.Cols]}
}

// gemm1 is Gemm as one BLAS call.
func gemm1[T Float](tA, tB bool, alpha T, a, b General[T], beta T, c General[T]) {
	if _, ok := any(alpha).(float32); ok {
		blas32.Gemm(Trans(tA), Trans(tB), float32(alpha), a.Blas32(), b.Blas32(), float32(beta), c.Blas32())
		return
	}
	blas64.Gemm(Trans(tA), Trans(tB), float64(alpha), a.Blas64(), b.Blas64(), float64(beta), c.Blas64())
}

// Trans returns blas.Trans when t is true and blas.NoTrans otherwise.
func Trans(t bool) blas.Transpose {
	if t {
		return blas.Trans
	}
	return blas.NoTrans
}

// GemmDense is Gemm on *mat.Dense (shared data, any stride): c = alpha
// op(a) op(b) + beta c through blas64, so that the openblas build
// accelerates it. Shapes are checked by blas64 (panics).
func GemmDense(tA, tB bool, alpha float64, a, b *mat.Dense, beta float64, c *mat.Dense) {
	Gemm(tA, tB, alpha, GeneralOf(a), GeneralOf(b), beta, GeneralOf(c))
}
