package linalg

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// projOut computes c = Q Wᵀ (rows x b) and W −= cᵀ Q, for row-major Q
// (rows x n) and W (b x n), splitting the long dimension n over goroutines.
func projOut(c, q, w blas64.General) {
	gemmNT(q, w, c)
	gemmSub(c, q, w)
}

// chunks splits [0, n) into at most basisThreads() pieces of at least
// basisGrain entries.
func chunks(n int) [][2]int { return chunksOf(n, basisGrain) }

// basisGrain is the smallest column range of a basis product worth a
// goroutine (ParallelRange grain).
const basisGrain = 8192

// chunksOf splits [0, n) into at most basisThreads() contiguous pieces of at
// least minChunk entries (one piece when n < 2 minChunk).
func chunksOf(n, minChunk int) [][2]int {
	p := min(basisThreads(), max(1, n/minChunk))
	out := make([][2]int, p)
	for i := 0; i < p; i++ {
		out[i] = [2]int{i * n / p, (i + 1) * n / p}
	}
	return out
}

// The basis kernels below work on column blocks of colBlock entries so that
// the rows of the small operand stay in cache while the n-long basis rows are
// streamed once, and call basisBLAS's Ddot/Daxpy on whole blocks (gonum's
// Dgemm tiles by 64, which is call-bound for these skinny shapes).
const colBlock = 1024

// gemmNT sets c = a bᵀ where a (ra x n) and b (rb x n) share the long
// dimension n; c is ra x rb.
func gemmNT(a, b, c blas64.General) {
	parts := chunks(a.Cols)
	partial := make([][]float64, len(parts))
	// One item per part: each writes its own partial sum, reduced below in
	// part order, so the result depends on the parts only (as before), not
	// on the scheduling.
	ParallelRange(len(parts), 1, func(plo, phi int) {
		for t := plo; t < phi; t++ {
			lo, hi := parts[t][0], parts[t][1]
			acc := make([]float64, c.Rows*c.Cols)
			partial[t] = acc
			if basisGemm {
				basisBLAS.Dgemm(blas.NoTrans, blas.Trans, a.Rows, b.Rows, hi-lo, 1,
					a.Data[lo:], a.Stride, b.Data[lo:], b.Stride, 0, acc, c.Cols)
				continue
			}
			for b0 := lo; b0 < hi; b0 += colBlock {
				b1 := min(b0+colBlock, hi)
				for i := 0; i < a.Rows; i++ {
					ai := a.Data[i*a.Stride+b0 : i*a.Stride+b1]
					for j := 0; j < b.Rows; j++ {
						acc[i*c.Cols+j] += basisBLAS.Ddot(b1-b0, ai, 1, b.Data[j*b.Stride+b0:j*b.Stride+b1], 1)
					}
				}
			}
		}
	})
	for i := 0; i < c.Rows; i++ {
		for j := 0; j < c.Cols; j++ {
			var v float64
			for t := range parts {
				v += partial[t][i*c.Cols+j]
			}
			c.Data[i*c.Stride+j] = v
		}
	}
}

// gemmSub sets w −= cᵀ q (c is rq x rw, q is rq x n, w is rw x n).
func gemmSub(c, q, w blas64.General) {
	axpyRows(-1, c, q, w)
}

// gemmTN sets dst = yᵀ q (y is p x k, q is p x n, dst is k x n).
func gemmTN(y, q, dst blas64.General) {
	for j := 0; j < dst.Rows; j++ {
		row := dst.Data[j*dst.Stride : j*dst.Stride+dst.Cols]
		for i := range row {
			row[i] = 0
		}
	}
	axpyRows(1, y, q, dst)
}

// axpyRows adds alpha·cᵀ q to dst, with c of size rq x rd.
func axpyRows(alpha float64, c, q, dst blas64.General) {
	ParallelRange(q.Cols, basisGrain, func(lo, hi int) {
		if basisGemm {
			basisBLAS.Dgemm(blas.Trans, blas.NoTrans, dst.Rows, hi-lo, q.Rows, alpha,
				c.Data, c.Stride, q.Data[lo:], q.Stride, 1, dst.Data[lo:], dst.Stride)
			return
		}
		for b0 := lo; b0 < hi; b0 += colBlock {
			b1 := min(b0+colBlock, hi)
			for i := 0; i < q.Rows; i++ {
				qi := q.Data[i*q.Stride+b0 : i*q.Stride+b1]
				for j := 0; j < dst.Rows; j++ {
					if v := c.Data[i*c.Stride+j]; v != 0 {
						basisBLAS.Daxpy(b1-b0, alpha*v, qi, 1, dst.Data[j*dst.Stride+b0:j*dst.Stride+b1], 1)
					}
				}
			}
		}
	})
}

func dot(x, y []float64) float64 {
	return blas64.Dot(blas64.Vector{N: len(x), Data: x, Inc: 1}, blas64.Vector{N: len(y), Data: y, Inc: 1})
}

func axpy(alpha float64, x, y []float64) {
	blas64.Axpy(alpha, blas64.Vector{N: len(x), Data: x, Inc: 1}, blas64.Vector{N: len(y), Data: y, Inc: 1})
}
