package loss

import (
	"github.com/eigenssl/eigenssl/graph"
	"github.com/eigenssl/eigenssl/linalg"
	"gonum.org/v1/gonum/mat"
)

// The dense products go through blas64 so that the openblas build (see
// package linalg) accelerates them.

// gramT returns the full (both triangles) K x K matrix alpha * a^T a, by one
// Syrk (N K^2 flops).
func gramT(a *mat.Dense, alpha float64) *mat.Dense {
	return syrkFull(true, alpha, linalg.GeneralOf(a)).Dense()
}

// subColMean subtracts the column means of g in place (the gradient of a
// centring x -> x - colmean(x) is this projection).
func subColMean(g *mat.Dense) { subColMeanT(linalg.GeneralOf(g)) }

// csrMulAdd sets dst += alpha * G x, row by row (O(nnz K)).
func csrMulAdd(dst *mat.Dense, g *graph.CSR, x *mat.Dense, alpha float64) {
	csrMulAddT(linalg.GeneralOf(dst), g, linalg.GeneralOf(x), alpha)
}

// csrMulAddT is csrMulAdd on T, each entry updated in float64.
func csrMulAddT[T linalg.Float](dst linalg.General[T], g *graph.CSR, x linalg.General[T], alpha float64) {
	linalg.ParallelRange(g.N, 256, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			d := dst.Row(i)
			for p := g.RowPtr[i]; p < g.RowPtr[i+1]; p++ {
				w := alpha * g.Val[p]
				for k, v := range x.Row(g.Col[p]) {
					d[k] = T(float64(d[k]) + w*float64(v))
				}
			}
		}
	})
}

// rowGrain is the least number of rows per goroutine of the element-wise
// row loops run through linalg.ParallelRange.
const rowGrain = 8

// triangularRows calls f(i) for every i in [0, n) through
// linalg.ParallelRange, visiting row i together with row n−1−i so that
// work proportional to n−i (or to i), as on one triangle of a symmetric
// matrix, is spread evenly over the contiguous ranges ParallelRange hands
// out. f must write only to row i of its outputs.
func triangularRows(n int, f func(i int)) {
	linalg.ParallelRange((n+1)/2, rowGrain/2, func(lo, hi int) {
		for p := lo; p < hi; p++ {
			f(p)
			if q := n - 1 - p; q != p {
				f(q)
			}
		}
	})
}

// useRowGram chooses the N x N route (Gram matrices z z^T, O(N^2 K)) over
// the K x K one (z^T z, O(N K^2)) for the official VICReg and BarlowTwins;
// a variable so that tests can force either route.
var useRowGram = func(n, k int) bool { return k > n }

// gramN returns the full N x N matrix a a^T by one Syrk (N^2 K flops).
func gramN(a *mat.Dense) *mat.Dense { return syrkFull(false, 1, linalg.GeneralOf(a)).Dense() }

// symm sets c = alpha s x + beta c for a symmetric s (upper triangle read).
func symm(alpha float64, s, x *mat.Dense, beta float64, c *mat.Dense) {
	linalg.SymmUpper(alpha, linalg.GeneralOf(s), linalg.GeneralOf(x), beta, linalg.GeneralOf(c))
}
