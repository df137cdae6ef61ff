package linalg

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"
)

// Gram and squared-distance matrices of the rows of a data matrix, the
// O(N² D) part of every kernel method (Kernel.SelfMatrix, classical MDS,
// kernel PCA). They were spectral's private helpers; they live here with
// the kernel type (issue 13: one home per concept).

// Tiles of gramSelfSkip: gramRows rows of G per task, gramCols columns per
// tile, gramDepth features per pass (a gramDepth x gramCols tile of Aᵀ,
// 256 KB, stays in L2 while the task's rows sweep it).
const (
	gramRows  = 32
	gramCols  = 512
	gramDepth = 64
	// skipZeroFraction is the share of zero entries above which the
	// zero-skipping product beats gonum's Dgemm (about 1.75x faster at
	// Fashion-MNIST's 51% zeros, 2000 x 784; slightly slower on dense data).
	skipZeroFraction = 0.25
)

// SqDist returns the m x n matrix of squared Euclidean distances between
// the rows of a (m x d) and b (n x d): ‖a‖² + ‖b‖² − 2 a bᵀ (one Gemm),
// clamped at 0. Inherently O(m n) memory.
func SqDist(a, b *mat.Dense) *mat.Dense {
	m, _ := a.Dims()
	n, _ := b.Dims()
	out := mat.NewDense(m, n, nil)
	out.Mul(a, b.T())
	na, nb := rowSqNorms(a), rowSqNorms(b)
	ParallelRange(m, 32, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			row := out.RawRowView(i)
			for j := range row {
				v := na[i] + nb[j] - 2*row[j]
				if v < 0 {
					v = 0
				}
				row[j] = v
			}
		}
	})
	return out
}

// SqDistSelf is SqDist(a, a) with an exact zero diagonal and exact
// symmetry. It uses the symmetric rank-k update (Syrk, half the flops of
// the general product).
func SqDistSelf(a *mat.Dense) *mat.Dense {
	d := GramSelf(a)
	n, _ := d.Dims()
	na := rowSqNorms(a)
	ParallelRange(n, 32, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			row := d.RawRowView(i)
			for j := range row {
				v := na[i] + na[j] - 2*row[j]
				if v < 0 || i == j {
					v = 0
				}
				row[j] = v
			}
		}
	})
	return d
}

// GramSelf returns a aᵀ as a full (both triangles) dense matrix. Only the
// upper triangle is computed, by row blocks G[I, i0:] = A_I A_{i0:}ᵀ (Gemm)
// spread over GOMAXPROCS goroutines (half the flops of the general product,
// parallel under both backends), then mirrored. In the pure-Go build, data
// with many zeros (images) go through gramSelfSkip instead.
func GramSelf(a *mat.Dense) *mat.Dense {
	if Backend() == "gonum" && zeroFraction(a) >= skipZeroFraction {
		return gramSelfSkip(a)
	}
	return gramSelfGemm(a)
}

// gramSelfGemm is GramSelf through Gemm.
func gramSelfGemm(a *mat.Dense) *mat.Dense {
	n, d := a.Dims()
	g := mat.NewDense(n, n, nil)
	const bs = 128
	ra, rg := a.RawMatrix(), g.RawMatrix()
	ParallelRange((n+bs-1)/bs, 1, func(lo, hi int) {
		for t := lo; t < hi; t++ {
			i0 := blockStart(t, n, bs)
			i1 := min(i0+bs, n)
			ai := blas64.General{Rows: i1 - i0, Cols: d, Stride: ra.Stride, Data: ra.Data[i0*ra.Stride:]}
			aj := blas64.General{Rows: n - i0, Cols: d, Stride: ra.Stride, Data: ra.Data[i0*ra.Stride:]}
			gi := blas64.General{Rows: i1 - i0, Cols: n - i0, Stride: rg.Stride, Data: rg.Data[i0*rg.Stride+i0:]}
			blas64.Gemm(blas.NoTrans, blas.Trans, 1, ai, aj, 0, gi)
		}
	})
	mirrorUpper(g)
	return g
}

func rowSqNorms(a *mat.Dense) []float64 {
	r, _ := a.Dims()
	out := make([]float64, r)
	for i := range out {
		row := a.RawRowView(i)
		s := 0.0
		for _, v := range row {
			s += v * v
		}
		out[i] = s
	}
	return out
}

// gramSelfSkip is GramSelf for the pure-Go build as long axpys that skip
// zero entries: for each row i of a task's block and feature k with
// a_ik ≠ 0, G[i, J] += a_ik Aᵀ[k, J] over a column tile J of the upper
// triangle, Aᵀ being a transposed copy of a (d x n, the one extra n d
// floats). Sparse rows such as images cost in proportion to their
// non-zeros. Blocks of rows are spread over GOMAXPROCS goroutines; the
// lower triangle is mirrored, so G is exactly symmetric.
func gramSelfSkip(a *mat.Dense) *mat.Dense {
	n, d := a.Dims()
	g := mat.NewDense(n, n, nil)
	ra, rg := a.RawMatrix(), g.RawMatrix()
	at := make([]float64, d*n)
	ParallelRange((d+gramDepth-1)/gramDepth, 1, func(lo, hi int) {
		for t := lo; t < hi; t++ {
			k0 := blockStart(t, d, gramDepth)
			k1 := min(k0+gramDepth, d)
			for i := 0; i < n; i++ {
				for k, v := range ra.Data[i*ra.Stride+k0 : i*ra.Stride+k1] {
					at[(k0+k)*n+i] = v
				}
			}
		}
	})
	ParallelRange((n+gramRows-1)/gramRows, 1, func(lo, hi int) {
		for t := lo; t < hi; t++ {
			i0 := blockStart(t, n, gramRows)
			i1 := min(i0+gramRows, n)
			for j0 := i0; j0 < n; j0 += gramCols {
				j1 := min(j0+gramCols, n)
				for k0 := 0; k0 < d; k0 += gramDepth {
					k1 := min(k0+gramDepth, d)
					for i := i0; i < i1; i++ {
						y := blas64.Vector{N: j1 - j0, Inc: 1, Data: rg.Data[i*rg.Stride+j0 : i*rg.Stride+j1]}
						for k, v := range ra.Data[i*ra.Stride+k0 : i*ra.Stride+k1] {
							if v != 0 {
								kk := (k0 + k) * n
								blas64.Axpy(v, blas64.Vector{N: j1 - j0, Inc: 1, Data: at[kk+j0 : kk+j1]}, y)
							}
						}
					}
				}
			}
		}
	})
	mirrorUpper(g)
	return g
}

// zeroFraction is the share of exactly zero entries of a.
func zeroFraction(a *mat.Dense) float64 {
	n, d := a.Dims()
	z := 0
	for i := 0; i < n; i++ {
		for _, v := range a.RawRowView(i) {
			if v == 0 {
				z++
			}
		}
	}
	return float64(z) / float64(n*d)
}

// blockStart returns the first index of the t-th of the ceil(n/bs) blocks
// of bs items in the order ParallelRange's contiguous chunks should take
// them: 0, last, 1, last−1, ... so that every chunk gets a balanced mix of
// long and short rows of a triangular workload (the upper triangle of a
// Gram matrix), where the natural order would give the first chunk 3/4 of
// the work on two goroutines.
func blockStart(t, n, bs int) int {
	nb := (n + bs - 1) / bs
	if t%2 == 0 {
		return bs * (t / 2)
	}
	return bs * (nb - 1 - t/2)
}

// mirrorUpper copies the upper triangle of the square g into its lower
// one, by 64 x 64 tiles (cache-friendly transposed reads) over row blocks
// in parallel.
func mirrorUpper(g *mat.Dense) {
	n, _ := g.Dims()
	rg := g.RawMatrix()
	const bs = 64
	ParallelRange((n+bs-1)/bs, 1, func(lo, hi int) {
		for t := lo; t < hi; t++ {
			i0 := blockStart(t, n, bs)
			i1 := min(i0+bs, n)
			for j0 := 0; j0 < i1; j0 += bs {
				for i := i0; i < i1; i++ {
					for j := j0; j < min(j0+bs, i); j++ {
						rg.Data[i*rg.Stride+j] = rg.Data[j*rg.Stride+i]
					}
				}
			}
		}
	})
}
