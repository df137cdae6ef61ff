package linalg

import (
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
)

// SyrkUpper sets the upper triangle of the n×n c to
//
//	c = alpha op(a) op(a)ᵀ,   op(a) = aᵀ when t, else a   (op(a) n x k)
//
// through blas32 or blas64 according to T; c's lower triangle is not
// touched. In the openblas build, with OpenBLAS on one thread, a large
// product is computed as two fixed row blocks of c on two goroutines (see
// symParts): rows [0, p) as a Syrk of their diagonal block and a Gemm of
// the block right of it, rows [p, n) as a Syrk, with p = n(1 - 1/√2) so
// that both hold half of the triangle. The split depends on n and k only,
// so the result does not depend on GOMAXPROCS (it differs from one Syrk
// call in the last bits). In the openblas build a small c (n <= 32) over
// k >= 4n terms is one Gemm instead (OpenBLAS's dsyrk has a large fixed
// cost there: 10 x 10 over 784 terms 8.5-8.9 µs, dgemm 3.4-3.7 µs).
func SyrkUpper[T Float](t bool, alpha T, a, c General[T]) {
	n := c.Rows
	k := a.Cols
	if t {
		k = a.Rows
	}
	p := syrkSplit(n)
	if symSplit(n, k) == 1 || p == 0 {
		syrk1(t, alpha, a, c)
		return
	}
	ParallelRange(2, 1, func(lo, hi int) {
		for b := lo; b < hi; b++ {
			if b == 1 {
				syrk1(t, alpha, rowsOf(a, t, p, n), c.block(p, n, p, n))
				continue
			}
			top := rowsOf(a, t, 0, p)
			syrk1(t, alpha, top, c.block(0, p, 0, p))
			gemm1(t, !t, alpha, top, rowsOf(a, t, p, n), 0, c.block(0, p, p, n))
		}
	})
}

// symSplit is symParts; a variable so that tests can force the split in
// either build.
var symSplit = symParts

// syrkSplit is the first row of SyrkUpper's second block: n(1 - 1/√2)
// rounded to a multiple of 16 (the rows above it hold n²/4 of the upper
// triangle's n²/2 entries).
func syrkSplit(n int) int {
	return int(math.Round(float64(n)*(1-1/math.Sqrt2)/16)) * 16
}

// SymmUpper sets c = alpha s x + beta c for the symmetric n×n s, of which
// only the upper triangle is read (x and c n x k), through blas32 or blas64
// according to T. In the openblas build, with OpenBLAS on one thread, a
// large product is computed as the two fixed row halves of c on two
// goroutines (see symParts): rows [r0, r1) of c are the Symm of s's
// diagonal block plus the Gemms of the stored blocks right of it and above
// it (transposed). The split depends on n and k only, so the result does
// not depend on GOMAXPROCS (it differs from one Symm call in the last bits).
func SymmUpper[T Float](alpha T, s, x General[T], beta T, c General[T]) {
	n, k := s.Rows, x.Cols
	q := n / 2
	if symSplit(n, k) == 1 || q == 0 {
		symm1(alpha, s, x, beta, c)
		return
	}
	ParallelRange(2, 1, func(lo, hi int) {
		for b := lo; b < hi; b++ {
			r0, r1 := 0, q
			if b == 1 {
				r0, r1 = q, n
			}
			cb := c.rows(r0, r1)
			symm1(alpha, s.block(r0, r1, r0, r1), x.rows(r0, r1), beta, cb)
			if r1 < n {
				gemm1(false, false, alpha, s.block(r0, r1, r1, n), x.rows(r1, n), 1, cb)
			}
			if r0 > 0 {
				gemm1(true, false, alpha, s.block(0, r0, r0, r1), x.rows(0, r0), 1, cb)
			}
		}
	})
}

// block returns rows r0..r1-1, columns c0..c1-1 of m, sharing its data.
func (m General[T]) block(r0, r1, c0, c1 int) General[T] {
	if r1 == r0 || c1 == c0 {
		return General[T]{Rows: r1 - r0, Cols: c1 - c0, Stride: m.Stride}
	}
	return General[T]{Rows: r1 - r0, Cols: c1 - c0, Stride: m.Stride, Data: m.Data[r0*m.Stride+c0 : (r1-1)*m.Stride+c1]}
}

// syrk1 is SyrkUpper as one BLAS call: a Syrk, or for a small c over long
// rows where the backend's Gemm is faster (syrkByGemm) a Gemm into a
// scratch c whose upper triangle is copied.
func syrk1[T Float](t bool, alpha T, a, c General[T]) {
	n, k := c.Rows, a.Cols
	if t {
		k = a.Rows
	}
	if n >= 1 && n <= syrkGemmMaxN && syrkByGemm(n, k) {
		var buf [syrkGemmMaxN * syrkGemmMaxN]T
		tmp := General[T]{Rows: n, Cols: n, Stride: n, Data: buf[:n*n]}
		gemm1(t, !t, alpha, a, a, 0, tmp)
		for i := 0; i < n; i++ {
			copy(c.Data[i*c.Stride+i:i*c.Stride+n], tmp.Data[i*n+i:i*n+n])
		}
		return
	}
	if _, ok := any(alpha).(float32); ok {
		cs := c.Blas32()
		blas32.Syrk(Trans(t), float32(alpha), a.Blas32(), 0, blas32.Symmetric{Uplo: blas.Upper, N: c.Rows, Stride: cs.Stride, Data: cs.Data})
		return
	}
	cs := c.Blas64()
	blas64.Syrk(Trans(t), float64(alpha), a.Blas64(), 0, blas64.Symmetric{Uplo: blas.Upper, N: c.Rows, Stride: cs.Stride, Data: cs.Data})
}

// syrkGemmMaxN bounds the c of syrk1's Gemm route (its scratch is on the
// stack).
const syrkGemmMaxN = 32

// symm1 is SymmUpper as one BLAS call.
func symm1[T Float](alpha T, s, x General[T], beta T, c General[T]) {
	if _, ok := any(alpha).(float32); ok {
		ss := s.Blas32()
		blas32.Symm(blas.Left, float32(alpha), blas32.Symmetric{Uplo: blas.Upper, N: ss.Rows, Stride: ss.Stride, Data: ss.Data}, x.Blas32(), float32(beta), c.Blas32())
		return
	}
	ss := s.Blas64()
	blas64.Symm(blas.Left, float64(alpha), blas64.Symmetric{Uplo: blas.Upper, N: ss.Rows, Stride: ss.Stride, Data: ss.Data}, x.Blas64(), float64(beta), c.Blas64())
}
