//go:build !openblas

package linalg

import (
	"sync"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// pureBLAS is the BLAS of the pure-Go build: gonum's Implementation with
// Sgemm and Dgemm replaced by a packed, cache-blocked product (gemmBlocked)
// whose inner tile (6 x 16 in float32, 6 x 8 in float64) is an AVX2/FMA
// assembly kernel. On CPUs without AVX2 and FMA, and on architectures other
// than amd64, both are gonum's. The build registers it with blas32 and
// blas64 (backend_gonum.go).
type pureBLAS struct {
	gonum.Implementation
}

// Sgemm computes
//
//	C = alpha * op(A) * op(B) + beta * C
//
// with op(X) = X or Xᵀ, op(A) m x k, op(B) k x n and C m x n, all row-major
// with leading dimensions lda, ldb, ldc. beta == 0 means C is not read.
// Bad arguments panic with gonum's messages (gonum validates them).
func (impl pureBLAS) Sgemm(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	// alpha = 0, beta = 1 makes gonum check every argument and return
	// without touching c.
	impl.Implementation.Sgemm(tA, tB, m, n, k, 0, a, lda, b, ldb, 1, c, ldc)
	if !hasGemmKernel || m == 0 || n == 0 || k == 0 || alpha == 0 {
		impl.Implementation.Sgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	gemmBlocked(&sgemmSpec, tA != blas.NoTrans, tB != blas.NoTrans, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// Dgemm is Sgemm in float64.
func (impl pureBLAS) Dgemm(tA, tB blas.Transpose, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	impl.Implementation.Dgemm(tA, tB, m, n, k, 0, a, lda, b, ldb, 1, c, ldc)
	if !hasGemmKernel || m == 0 || n == 0 || k == 0 || alpha == 0 {
		impl.Implementation.Dgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	gemmBlocked(&dgemmSpec, tA != blas.NoTrans, tB != blas.NoTrans, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// Register tile rows and cache blocks of gemmBlocked: the kernel computes a
// gemmMR x nr tile of C over at most gemmKC terms from packed panels; a
// goroutine packs gemmMC x kc of A (L2) and kc x gemmNC of B.
const (
	gemmMR = 6
	gemmKC = 256
	gemmMC = 144
	gemmNC = 1024
)

// gemmSpec is the precision-specific part of gemmBlocked: the tile width
// nr, the kernel kern (c[i ldc + j] += sum_p a[p gemmMR + i] b[p nr + j]
// for i < gemmMR, j < nr, accumulated from zero in order p = 0..k-1) and a
// pool of packing buffers.
type gemmSpec[T float32 | float64] struct {
	nr   int
	kern func(k int, a, b, c *T, ldc int)
	pool sync.Pool
}

var (
	sgemmSpec = gemmSpec[float32]{nr: 16, kern: sgemmKernel6x16}
	dgemmSpec = gemmSpec[float64]{nr: 8, kern: dgemmKernel6x8}
)

// gemmBlocked computes C = alpha op(A) op(B) + beta C (arguments already
// validated, m, n, k > 0) in the GotoBLAS scheme: C is first scaled by beta
// (set to 0 if beta == 0), then for each block of kc terms in order, panels
// of alpha op(A) (gemmMR rows) and op(B) (nr columns) are packed,
// zero-padded, and each gemmMR x nr tile of C gets the kernel's sum
// (accumulated from zero in term order) added to it. Rows of C are shared
// among goroutines by linalg.ParallelRange; each entry is computed by one
// goroutine in an order that does not depend on the row split, so results
// are bit-identical for any GOMAXPROCS.
func gemmBlocked[T float32 | float64](s *gemmSpec[T], aTrans, bTrans bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	nr := s.nr
	panels := (m + gemmMR - 1) / gemmMR
	grain := 1 + (1<<20)/(2*gemmMR*n*k)
	// Equal term blocks of at most gemmKC (a short last block would cost a
	// pass over C for few terms).
	nk := (k + gemmKC - 1) / gemmKC
	kc := (k + nk - 1) / nk
	ParallelRange(panels, grain, func(lo, hi int) {
		r0, r1 := lo*gemmMR, min(hi*gemmMR, m)
		scaleRows(c[r0*ldc:], r1-r0, n, ldc, beta)
		bufp, _ := s.pool.Get().(*[]T)
		if bufp == nil {
			buf := make([]T, gemmMC*gemmKC+gemmKC*gemmNC+gemmMR*nr)
			bufp = &buf
		}
		buf := *bufp
		pa := buf[:gemmMC*gemmKC]
		pb := buf[gemmMC*gemmKC : gemmMC*gemmKC+gemmKC*gemmNC]
		tile := buf[gemmMC*gemmKC+gemmKC*gemmNC:]
		for jc := 0; jc < n; jc += gemmNC {
			nb := min(gemmNC, n-jc)
			for pc := 0; pc < k; pc += kc {
				kb := min(kc, k-pc)
				packB(pb, nr, bTrans, b, ldb, pc, kb, jc, nb)
				for ic := r0; ic < r1; ic += gemmMC {
					mb := min(gemmMC, r1-ic)
					packA(pa, aTrans, a, lda, alpha, ic, mb, pc, kb)
					for jr := 0; jr < nb; jr += nr {
						nj := min(nr, nb-jr)
						for ir := 0; ir < mb; ir += gemmMR {
							mi := min(gemmMR, mb-ir)
							cij := c[(ic+ir)*ldc+jc+jr:]
							if mi == gemmMR && nj == nr {
								s.kern(kb, &pa[ir*kb], &pb[jr*kb], &cij[0], ldc)
								continue
							}
							clear(tile)
							s.kern(kb, &pa[ir*kb], &pb[jr*kb], &tile[0], nr)
							for i := range mi {
								row := cij[i*ldc : i*ldc+nj]
								for j, v := range tile[i*nr : i*nr+nj] {
									row[j] += v
								}
							}
						}
					}
				}
			}
		}
		s.pool.Put(bufp)
	})
}

// scaleRows sets the rows x n block of c (stride ldc) to beta times itself,
// or to zero if beta == 0 (so that NaNs in c do not propagate).
func scaleRows[T float32 | float64](c []T, rows, n, ldc int, beta T) {
	if beta == 1 {
		return
	}
	for i := range rows {
		row := c[i*ldc : i*ldc+n]
		if beta == 0 {
			clear(row)
			continue
		}
		for j := range row {
			row[j] *= beta
		}
	}
}

// packA packs rows ic..ic+mb-1, columns pc..pc+kb-1 of alpha op(A) into
// panels of gemmMR rows: panel r holds, for each term p, the gemmMR values
// alpha op(A)[ic+r gemmMR+i, pc+p] at dst[r gemmMR kb + p gemmMR + i], rows
// beyond mb being zero.
func packA[T float32 | float64](dst []T, trans bool, a []T, lda int, alpha T, ic, mb, pc, kb int) {
	for r := 0; r < mb; r += gemmMR {
		mr := min(gemmMR, mb-r)
		pan := dst[r*kb : (r+gemmMR)*kb]
		if trans {
			// op(A)[i, p] = a[p lda + i]: rows of a are contiguous in i.
			for p := range kb {
				src := a[(pc+p)*lda+ic+r:]
				d := pan[p*gemmMR : p*gemmMR+gemmMR]
				for i := range mr {
					d[i] = alpha * src[i]
				}
				clear(d[mr:])
			}
			continue
		}
		if mr == gemmMR {
			// Six row streams, contiguous writes.
			o := (ic+r)*lda + pc
			r0, r1, r2 := a[o:o+kb], a[o+lda:o+lda+kb], a[o+2*lda:o+2*lda+kb]
			r3, r4, r5 := a[o+3*lda:o+3*lda+kb], a[o+4*lda:o+4*lda+kb], a[o+5*lda:o+5*lda+kb]
			for p := range kb {
				d := pan[p*gemmMR : p*gemmMR+gemmMR : p*gemmMR+gemmMR]
				d[0], d[1], d[2] = alpha*r0[p], alpha*r1[p], alpha*r2[p]
				d[3], d[4], d[5] = alpha*r3[p], alpha*r4[p], alpha*r5[p]
			}
			continue
		}
		for i := range mr {
			src := a[(ic+r+i)*lda+pc : (ic+r+i)*lda+pc+kb]
			for p, v := range src {
				pan[p*gemmMR+i] = alpha * v
			}
		}
		for p := range kb {
			clear(pan[p*gemmMR+mr : p*gemmMR+gemmMR])
		}
	}
}

// packB packs rows pc..pc+kb-1, columns jc..jc+nb-1 of op(B) into panels of
// nr columns: panel s holds op(B)[pc+p, jc+s nr+j] at dst[s nr kb + p nr + j],
// columns beyond nb being zero.
func packB[T float32 | float64](dst []T, nr int, trans bool, b []T, ldb int, pc, kb, jc, nb int) {
	for s := 0; s < nb; s += nr {
		nj := min(nr, nb-s)
		pan := dst[s*kb : (s+nr)*kb]
		if !trans {
			for p := range kb {
				src := b[(pc+p)*ldb+jc+s : (pc+p)*ldb+jc+s+nj]
				d := pan[p*nr : p*nr+nr]
				copy(d, src)
				clear(d[nj:])
			}
			continue
		}
		// op(B)[p, j] = b[j ldb + p]: nj row streams of b, contiguous
		// writes.
		var rows [16][]T
		for j := range nj {
			rows[j] = b[(jc+s+j)*ldb+pc : (jc+s+j)*ldb+pc+kb]
		}
		for p := range kb {
			d := pan[p*nr : p*nr+nr]
			for j := range nj {
				d[j] = rows[j][p]
			}
			clear(d[nj:])
		}
	}
}

// gemmKernelGo is the portable form of the micro-kernel for tiles gemmMR x
// nr: for a packed gemmMR x k panel a (a[p gemmMR + i]) and k x nr panel b
// (b[p nr + j]) it adds t[i][j] = sum_p a[p gemmMR+i] b[p nr+j],
// accumulated from zero in order p = 0..k-1, to c[i ldc + j].
func gemmKernelGo[T float32 | float64](nr, k int, a, b, c []T, ldc int) {
	t := make([]T, gemmMR*nr)
	for p := range k {
		ap := a[p*gemmMR : p*gemmMR+gemmMR]
		bp := b[p*nr : p*nr+nr]
		for i, av := range ap {
			ti := t[i*nr : i*nr+nr]
			for j, bv := range bp {
				ti[j] += av * bv
			}
		}
	}
	for i := range gemmMR {
		row := c[i*ldc : i*ldc+nr]
		for j := range row {
			row[j] += t[i*nr+j]
		}
	}
}
