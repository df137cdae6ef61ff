package graph

import (
	"math"
	"sync"
	"sync/atomic"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"

	"github.com/eigenssl/eigenssl/linalg"
)

// symTile is the tile size of the symmetric float32 screening of knnLists.
const symTile = 256

// tileAxpy chooses the screening product of newScreen32 (see there); a
// variable so that tests run both routes.
var tileAxpy = func() bool { return !linalg.BlockedGemm() }

// screen32 is the float32 screening of knnLists: augmented rows a_i, b_j
// (in the spatial order of the lists) whose dot product is a scaled lower
// bound on the squared distance, the per-tile maxima entering the rounding
// bound, and the tile product.
//
// The screening value of a pair is one float32 dot product of augmented
// rows built from features f_i with f_i . f_j >= c_i . c_j and
// |f_i|^2 = |c_i|^2 (see screenFeatures): a_i = [f_i/s, |c_i|^2/s^2, 1]
// and b_j = [-2 f_j/s, 1, |c_j|^2/s^2], a_i . b_j = (|c_i|^2 + |c_j|^2 -
// 2 f_i.f_j)/s^2 <= ||c_i - c_j||^2/s^2, so that the Gemm output is a
// lower bound (equality when f = c) compared with the thresholds
// directly. s, the largest |feature|, keeps float32 away from overflow
// and most underflow.
type screen32 struct {
	n, da  int
	a, b   []float32 // n x da each, rows in list order
	bt     []float32 // transposed data tiles for the native product, or nil
	sq     []float64 // |c_i|^2 in list order
	nrm    []float64 // |c_i| in list order
	tileSq []float64 // maxima of sq and nrm over each tile of symTile rows
	tileNr []float64
	inv2   float64 // 1/s^2
	rel32  float64 // relative float32 error bound, see thr
	abs32  float64 // absolute (underflow) error bound, see thr
	d      int     // data dimension, for the float64 centring bound
	off    float64 // p.off
}

func newScreen32(p *points, perm []int, feat []float64, fd int) *screen32 {
	n := p.n
	scale := 0.0
	for _, v := range feat {
		scale = max(scale, math.Abs(v))
	}
	if scale == 0 {
		scale = 1
	}
	da := fd + 2
	s := &screen32{n: n, da: da, a: make([]float32, n*da), b: make([]float32, n*da),
		sq: make([]float64, n), nrm: make([]float64, n), d: p.d, off: p.off}
	// Row by row, in parallel (each row its own; 64 rows a chunk).
	linalg.ParallelRange(n, 64, func(lo, hi int) {
		for pos := lo; pos < hi; pos++ {
			i := perm[pos]
			s.sq[pos], s.nrm[pos] = p.sq[i], p.nrm[i]
			ra, rb := s.a[pos*da:(pos+1)*da], s.b[pos*da:(pos+1)*da]
			for t, v := range feat[i*fd : (i+1)*fd] {
				v /= scale
				ra[t] = float32(v)
				rb[t] = float32(-2 * v)
			}
			q := s.sq[pos] / (scale * scale)
			ra[fd], ra[fd+1] = float32(q), 1
			rb[fd], rb[fd+1] = 1, float32(q)
		}
	})
	// Without a blocked Sgemm (gonum's own, on CPUs without AVX2/FMA) the
	// tile product is a sum of long axpys over a transposed copy of each
	// data tile, bt (tile t holds rows k = 0..D+1 of symTile entries):
	// about 3 times faster than gonum's Sgemm for small D, which makes one
	// short dot call per entry. With the blocked one (linalg.BlockedGemm)
	// the Sgemm is faster (LE at N = 10,000 x 784, pure-Go build: kNN CPU
	// 2.26-2.42 -> 1.98-2.08 s).
	if tileAxpy() {
		s.bt = make([]float32, ((n+symTile-1)/symTile)*symTile*da)
		for pos := 0; pos < n; pos++ {
			t, jj := pos/symTile, pos%symTile
			blk := s.bt[t*symTile*da : (t+1)*symTile*da]
			for k, v := range s.b[pos*da : (pos+1)*da] {
				blk[k*symTile+jj] = v
			}
		}
	}
	s.inv2 = 1 / (scale * scale)
	// Error of the float32 value (times s^2) against |c_i|^2 + |c_j|^2 -
	// 2 c_i.c_j: the dot product of D+2 terms (gamma_{D+2}, Higham's bound
	// for any summation order, FMA or not) plus the rounding of the inputs,
	// relative to the sum of |terms| <= 2 (|c_i|^2 + |c_j|^2), plus an
	// absolute term for gradual underflow. u = 2^-24.
	const u32 = 1.0 / (1 << 24)
	s.rel32 = 2.02 * (float64(da) + 6) * u32
	s.abs32 = scale * scale * (float64(da) + 6) * 0x1p-149 * 4
	nt := (n + symTile - 1) / symTile
	s.tileNr, s.tileSq = make([]float64, nt), make([]float64, nt)
	for i := 0; i < n; i++ {
		s.tileNr[i/symTile] = max(s.tileNr[i/symTile], s.nrm[i])
		s.tileSq[i/symTile] = max(s.tileSq[i/symTile], s.sq[i])
	}
	return s
}

// thr is the float32 screening threshold of row i (list order) against the
// rows of tile t, for a current k-th exact squared distance kth: kth plus
// the float64 bound of tileSlack (screenSlack) and the float32 part, scaled and
// rounded up. A pair whose screened value exceeds thr has an exact squared
// distance above kth, so no true neighbour is ever screened out.
func (s *screen32) thr(i, t int, kth float64) float32 {
	sl := screenSlack(s.d, s.sq[i]+s.tileSq[t], s.nrm[i]+s.tileNr[t], s.off) +
		s.rel32*(s.sq[i]+s.tileSq[t]) + s.abs32
	v := (kth + sl) * s.inv2 * (1 + 1e-12)
	return math.Nextafter32(float32(v), float32(math.Inf(1)))
}

// product sets out (qn x cn, row-major) to the screening values of the rows
// of tile ti against those of tile tj.
func (s *screen32) product(ti, tj int, out []float32) blas32.General {
	i0, j0 := ti*symTile, tj*symTile
	qn, cn := min(symTile, s.n-i0), min(symTile, s.n-j0)
	da := s.da
	q := blas32.General{Rows: qn, Cols: da, Stride: da, Data: s.a[i0*da : (i0+qn)*da]}
	sm := blas32.General{Rows: qn, Cols: cn, Stride: cn, Data: out[:qn*cn]}
	if s.bt != nil {
		tileProductNative(q, s.bt[tj*symTile*da:(tj+1)*symTile*da], sm)
		return sm
	}
	c := blas32.General{Rows: cn, Cols: da, Stride: da, Data: s.b[j0*da : (j0+cn)*da]}
	blas32.Gemm(blas.NoTrans, blas.Trans, 1, q, c, 0, sm)
	return sm
}

// tilePair is a work item of knnLists: the tile pair (ti, tj), tj >= ti.
type tilePair struct{ ti, tj int }

// tilePairs lists the pairs (I, J), J >= I, of nt tiles by diagonal bands
// J - I = 0, 1, 2, ...: nearby tiles first, and consecutive items share a
// tile (and its lock) only within the band J - I = 1.
func tilePairs(nt int) []tilePair {
	out := make([]tilePair, 0, nt*(nt+1)/2)
	for off := 0; off < nt; off++ {
		for ti := 0; ti+off < nt; ti++ {
			out = append(out, tilePair{ti, ti + off})
		}
	}
	return out
}

// knnLists returns, row-major n x k, the k nearest other points of every
// point and their exact squared distances, ascending, ties broken by the
// smaller index. It reorders p.x in place and releases p.c: p is spent.
// Up to kdMaxD dimensions the search is kdLists (a k-d tree), with the same
// lists.
//
// The screening distances are computed once per unordered pair: only the
// tile pairs (I, J) with J >= I are multiplied, in float32 (sgemm runs about
// twice as fast as dgemm and moves half the bytes), and each entry feeds the
// candidate lists of both i and j. The float32 error is bounded in
// newScreen32 and screen32.thr, so screening only discards pairs whose exact
// distance exceeds a row's current k-th distance; every kept candidate is
// decided on its directly computed float64 distance. The k smallest under
// the total order (distance, index) do not depend on the visiting order
// (neighborHeaps), so the result is deterministic whatever the scheduling.
//
// Memory: the N x D rows once (reordered in place), N x (min(D, 129)+2)
// float32 screening rows (twice), N k lists, and one symTile^2 float32 tile
// per worker.
func (p *points) knnLists(k, workers int) (idx []int, d2 []float64) {
	if p.d <= kdMaxD {
		return p.kdLists(k, workers)
	}
	n, d := p.n, p.d
	// Rows are processed in a spatially coherent order (perm[pos] is the
	// original index at position pos): the tile pairs on the diagonal, done
	// first, then give every row a threshold close to its final k-th
	// distance, and far fewer candidates reach the exact distance. Lists are
	// indexed by position and hold original indices.
	feat, fd := p.screenFeatures()
	perm := spatialOrder(feat, n, fd)
	sc := newScreen32(p, perm, feat, fd)
	p.c = nil
	permuteRows(p.x, d, perm)
	xp := p.x
	h := newNeighborHeaps(n, k, false)
	nt := (n + symTile - 1) / symTile
	locks := make([]sync.Mutex, nt)
	pairs := tilePairs(nt)
	var cursor atomic.Int64
	workers = min(workerCount(workers), len(pairs))
	// One item per worker; each worker takes tile pairs from the shared
	// cursor until none is left (dynamic scheduling: the candidate work per
	// tile pair varies).
	linalg.ParallelRange(workers, 1, func(lo, hi int) {
		buf := make([]float32, symTile*symTile)
		thrJ := make([]float32, symTile)
		seen := make([]uint64, symTile*symTile/64)
		var sel []tileCand
		for range hi - lo {
			for {
				t := int(cursor.Add(1)) - 1
				if t >= len(pairs) {
					break
				}
				pr := pairs[t]
				i0, j0 := pr.ti*symTile, pr.tj*symTile
				sm := sc.product(pr.ti, pr.tj, buf)
				qn, cn := sm.Rows, sm.Cols
				diag := pr.ti == pr.tj
				locks[pr.ti].Lock()
				if !diag {
					locks[pr.tj].Lock()
				}
				if diag {
					clear(seen)
					sel = seedDiagonal(sm, i0, k, d, xp, perm, h, seen, sel)
				}
				// mJ bounds every column threshold (they only decrease), so
				// the common case, v above both thresholds, costs one compare.
				var mJ float32
				for b := 0; b < cn; b++ {
					thrJ[b] = sc.thr(j0+b, pr.ti, h.kth[j0+b])
					mJ = max(mJ, thrJ[b])
				}
				for a := 0; a < qn; a++ {
					i := i0 + a
					row := sm.Data[a*cn : (a+1)*cn]
					thrI := sc.thr(i, pr.tj, h.kth[i])
					b0 := 0
					if diag {
						b0 = a + 1
					}
					// thrJ may be stale (too large) within this row: only
					// more candidates, never fewer.
					tj := thrJ[:len(row)]
					cut := max(thrI, mJ)
					for b := b0; b < len(row); b++ {
						v := row[b]
						if v > cut {
							continue
						}
						inI := v <= thrI
						if !inI && !(v <= tj[b]) {
							continue
						}
						if diag && seen[(a*symTile+b)/64]&(1<<((a*symTile+b)%64)) != 0 {
							continue // offered to both rows by seedDiagonal
						}
						j := j0 + b
						e := sqDist(xp[i*d:(i+1)*d], xp[j*d:(j+1)*d])
						needI, needJ := inI && e <= h.kth[i], e <= h.kth[j]
						if needI {
							h.push(i, perm[j], e)
							thrI = sc.thr(i, pr.tj, h.kth[i])
							cut = max(thrI, mJ)
						}
						if needJ {
							h.push(j, perm[i], e)
							tj[b] = sc.thr(j, pr.ti, h.kth[j])
						}
					}
				}
				if !diag {
					locks[pr.tj].Unlock()
				}
				locks[pr.ti].Unlock()
			}
		}
	})
	p.x = nil
	return h.sorted(perm)
}

// tileCand is a candidate of seedDiagonal: a column b of the tile and its
// screening value v.
type tileCand struct {
	v float32
	b int
}

// seedDiagonal offers every row a of a diagonal tile (rows i0.., screening
// values sm) the min(k, rows−1) other rows of the tile with the smallest
// screening values, with their exact distances, to the lists of both rows,
// and marks each such pair (a, b) and (b, a) in seen (bit a·symTile+b), which
// the screening loop then skips. The tiles on the diagonal come first, when
// the lists are empty and no threshold screens anything out; seeded, every
// row starts the tile with full lists and a k-th distance close to its final
// one. Screening values may be loose lower bounds (projection screening):
// the seeds only tighten thresholds sooner; every pair is still offered or
// screened out on a proven bound, so the lists do not change. sel is
// scratch, returned for reuse.
func seedDiagonal(sm blas32.General, i0, k, d int, xp []float64, perm []int, h *neighborHeaps, seen []uint64, sel []tileCand) []tileCand {
	n := sm.Rows
	kk := min(k, n-1)
	for a := 0; a < n; a++ {
		// The kk smallest (v, b), b != a, by a max-heap on v.
		sel = sel[:0]
		for b, v := range sm.Data[a*sm.Stride : a*sm.Stride+n] {
			if b == a {
				continue
			}
			if len(sel) < kk {
				sel = append(sel, tileCand{v, b})
				for c := len(sel) - 1; c > 0; {
					par := (c - 1) / 2
					if sel[par].v >= sel[c].v {
						break
					}
					sel[par], sel[c] = sel[c], sel[par]
					c = par
				}
				continue
			}
			if v >= sel[0].v {
				continue
			}
			sel[0] = tileCand{v, b}
			for c := 0; ; {
				l, m := 2*c+1, c
				if l < kk && sel[l].v > sel[m].v {
					m = l
				}
				if l+1 < kk && sel[l+1].v > sel[m].v {
					m = l + 1
				}
				if m == c {
					break
				}
				sel[c], sel[m] = sel[m], sel[c]
				c = m
			}
		}
		i := i0 + a
		for _, c := range sel {
			ab, ba := a*symTile+c.b, c.b*symTile+a
			if seen[ab/64]&(1<<(ab%64)) != 0 {
				continue // seeded from row b
			}
			seen[ab/64] |= 1 << (ab % 64)
			seen[ba/64] |= 1 << (ba % 64)
			j := i0 + c.b
			e := sqDist(xp[i*d:(i+1)*d], xp[j*d:(j+1)*d])
			if e <= h.kth[i] {
				h.push(i, perm[j], e)
			}
			if e <= h.kth[j] {
				h.push(j, perm[i], e)
			}
		}
	}
	return sel
}

// permuteRows reorders the rows (length d) of x in place so that row pos
// becomes the former row perm[pos], following the cycles of perm with one
// row of scratch.
func permuteRows[T float32 | float64, I int | int32](x []T, d int, perm []I) {
	done := make([]bool, len(perm))
	tmp := make([]T, d)
	for s := range perm {
		if done[s] || int(perm[s]) == s {
			done[s] = true
			continue
		}
		copy(tmp, x[s*d:(s+1)*d])
		pos := s
		for {
			done[pos] = true
			src := int(perm[pos])
			if src == s {
				copy(x[pos*d:(pos+1)*d], tmp)
				break
			}
			copy(x[pos*d:(pos+1)*d], x[src*d:(src+1)*d])
			pos = src
		}
	}
}
