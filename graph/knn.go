package graph

import (
	"cmp"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/blas/gonum"
	"gonum.org/v1/gonum/mat"

	"github.com/eigenssl/eigenssl/linalg"
)

// Metric is the dissimilarity used by the neighbour builders.
type Metric int

const (
	// Euclidean: d(x, y) = ||x - y||.
	Euclidean Metric = iota
	// Cosine: d(x, y) = 1 - cos(x, y), computed as ||x̂ - ŷ||^2 / 2 on the
	// L2-normalised rows. Zero rows have no direction and are refused.
	Cosine
)

func (m Metric) String() string {
	switch m {
	case Euclidean:
		return "euclidean"
	case Cosine:
		return "cosine"
	}
	return fmt.Sprintf("Metric(%d)", int(m))
}

// KNNSym says how the directed k-nearest-neighbour relation is made
// undirected.
type KNNSym int

const (
	// Union: i ~ j iff j is among the k nearest of i or i among those of j.
	Union KNNSym = iota
	// Mutual: i ~ j iff each is among the k nearest of the other.
	Mutual
)

func (s KNNSym) String() string {
	switch s {
	case Union:
		return "union"
	case Mutual:
		return "mutual"
	}
	return fmt.Sprintf("KNNSym(%d)", int(s))
}

// Weighting gives the weight of an edge (i, j) at distance d = d(x_i, x_j).
// Every weighting is a symmetric function of the pair, so the union and
// mutual graphs are exactly symmetric.
type Weighting int

const (
	// Binary: w = 1.
	Binary Weighting = iota
	// Gaussian: w = exp(-d^2 / (2 Sigma^2)) when Sigma > 0. With Sigma = 0,
	// KNN uses the self-tuning kernel of Zelnik-Manor & Perona (2004),
	// w = exp(-d^2 / (sigma_i sigma_j)) with sigma_i the distance from x_i to
	// its k-th nearest neighbour (a sigma_i of 0, from k duplicates, is
	// replaced by the smallest positive sigma, or 1 if there is none);
	// EpsilonBall uses Sigma = eps.
	Gaussian
	// Distance: w = d, the edge length (for geodesics, as in ISOMAP). A
	// duplicate point gives a stored entry of weight 0, which Components and
	// Geodesics treat as an edge of length 0.
	Distance
)

func (w Weighting) String() string {
	switch w {
	case Binary:
		return "binary"
	case Gaussian:
		return "gaussian"
	case Distance:
		return "distance"
	}
	return fmt.Sprintf("Weighting(%d)", int(w))
}

// KNNOptions configures KNN, Neighbors and EpsilonBall. The zero value means
// Euclidean distances, union symmetrisation, binary weights and GOMAXPROCS
// workers.
type KNNOptions struct {
	Metric Metric
	Sym    KNNSym
	Weight Weighting
	// Sigma is the Gaussian bandwidth; 0 selects the rule documented at
	// Gaussian.
	Sigma float64
	// SklearnConnectivity reproduces scikit-learn's
	// SpectralEmbedding(affinity='nearest_neighbors'):
	// A = kneighbors_graph(X, k, include_self=True), so each row holds the
	// point itself and its k-1 nearest others, then G = (A + A^T)/2: weight
	// 1 for mutual neighbours, 0.5 for one-sided ones. The diagonal (the self
	// entries) is dropped because G has a zero diagonal, which is also what
	// scikit-learn's Laplacian does with it. Sym, Weight and Sigma are
	// ignored; k may range over [2, N]. Among points at distance 0 the
	// point itself always takes the self slot (scikit-learn's tree search may
	// list a duplicate first instead).
	SklearnConnectivity bool
	// Workers is the number of goroutines; <= 0 means GOMAXPROCS.
	Workers int
}

// Tile sizes of the blocked distance computation: a tile of tileQ query rows
// is compared with tiles of tileC data rows through one Gemm.
const (
	tileQ = 256
	tileC = 1024
)

// points is the validated, contiguous (and for Cosine normalised) data.
type points struct {
	n, d int
	x    []float64 // row-major n x d
	c    []float64 // x with centred columns, for the Gemm screening
	sq   []float64 // squared row norms of c
	nrm  []float64 // row norms of c
	off  float64   // bound on the centring rounding, see tileSlack
	// Maxima of sq and nrm over each data tile of tileC rows.
	tileSq, tileNrm []float64
}

func (p *points) row(i int) []float64 { return p.x[i*p.d : (i+1)*p.d] }

// dist2 is the directly computed squared distance, symmetric in (i, j)
// bit for bit (see sqDist).
func (p *points) dist2(i, j int) float64 { return sqDist(p.row(i), p.row(j)) }

// sqDist is sum_t (a_t - b_t)^2, summed in order t = 0, 1, ... (the
// brute-force convention, so that near-ties resolve as a plain distance row
// would), and symmetric in (a, b) bit for bit since (a-b)^2 == (b-a)^2.
func sqDist(a, b []float64) float64 {
	b = b[:len(a)]
	s := 0.0
	for t, v := range a {
		e := v - b[t]
		s += e * e
	}
	return s
}

// sqDist4 is sum_t (a_t - b_t)^2 with four partial sums (faster; differs
// from sqDist by at most 2 gamma_D relative, the terms being non-negative).
func sqDist4(a, b []float64) float64 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float64
	t := 0
	for ; t+4 <= len(a); t += 4 {
		e0, e1, e2, e3 := a[t]-b[t], a[t+1]-b[t+1], a[t+2]-b[t+2], a[t+3]-b[t+3]
		s0 += e0 * e0
		s1 += e1 * e1
		s2 += e2 * e2
		s3 += e3 * e3
	}
	for ; t < len(a); t++ {
		e := a[t] - b[t]
		s0 += e * e
	}
	return (s0 + s1) + (s2 + s3)
}

// tileSlack bounds the rounding error of the screening distance
// ||c_i||^2 + ||c_j||^2 - 2 c_i.c_j (Gemm on the centred rows) for every j in
// the data tile starting at j0, so that the tile distances only pre-filter
// candidates against one per-row threshold and every decision is taken on
// directly computed distances. The second term covers the rounding of the
// centring itself, which is relative to the uncentred magnitudes.
func (p *points) tileSlack(i, j0 int) float64 {
	t := j0 / tileC
	sq, nrm := p.tileSq[t], p.tileNrm[t]
	return (1e-9+1e-13*float64(p.d))*(p.sq[i]+sq) + p.off*(p.nrm[i]+nrm)
}

func newPoints(op string, X mat.Matrix, metric Metric) (*points, error) {
	if X == nil {
		return nil, newErr(op, "X", "nil", ErrEmpty)
	}
	n, d := X.Dims()
	if n == 0 || d == 0 {
		return nil, newErr(op, "X", fmt.Sprintf("%dx%d", n, d), ErrEmpty)
	}
	if metric != Euclidean && metric != Cosine {
		return nil, newErr(op, "Metric", int(metric), ErrParam)
	}
	p := &points{n: n, d: d, x: make([]float64, n*d), sq: make([]float64, n), nrm: make([]float64, n)}
	for i := 0; i < n; i++ {
		r := mat.Row(p.row(i), i, X)
		s := 0.0
		for j, v := range r {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, newErr(op, fmt.Sprintf("X[%d,%d]", i, j), v, ErrNaN)
			}
			s += v * v
		}
		if metric == Cosine {
			if s == 0 {
				return nil, newErr(op, fmt.Sprintf("X[%d]", i), "zero row with cosine metric", ErrParam)
			}
			nr := math.Sqrt(s)
			for j := range r {
				r[j] /= nr
			}
		}
	}
	// The tiles work on centred rows: distances are translation invariant and
	// centring keeps ||x||^2 + ||y||^2 - 2 x.y accurate for data far from the
	// origin. The exact distances use the uncentred rows.
	p.c = slices.Clone(p.x)
	mean := make([]float64, d)
	for i := 0; i < n; i++ {
		for j, v := range p.row(i) {
			mean[j] += v
		}
	}
	for j := range mean {
		mean[j] /= float64(n)
	}
	for i := 0; i < n; i++ {
		r := p.c[i*d : (i+1)*d]
		s := 0.0
		for j := range r {
			r[j] -= mean[j]
			s += r[j] * r[j]
		}
		p.sq[i] = s
		p.nrm[i] = math.Sqrt(s)
	}
	nt := (n + tileC - 1) / tileC
	p.tileSq, p.tileNrm = make([]float64, nt), make([]float64, nt)
	for j := 0; j < n; j++ {
		p.tileSq[j/tileC] = max(p.tileSq[j/tileC], p.sq[j])
		p.tileNrm[j/tileC] = max(p.tileNrm[j/tileC], p.nrm[j])
	}
	maxAbs := 0.0
	for _, v := range p.x {
		maxAbs = max(maxAbs, math.Abs(v))
	}
	p.off = 1e-14 * maxAbs * math.Sqrt(float64(d))
	return p, nil
}

func workerCount(w int) int {
	if w <= 0 {
		return runtime.GOMAXPROCS(0)
	}
	return w
}

// scanTiles computes, for every query tile [i0, i0+qn) and data tile
// [j0, j0+cn), the approximate squared distances ||x_i||^2 + ||x_j||^2 -
// 2 x_i.x_j (clamped at 0) into s (qn x cn, row-major) and calls visit. Query
// tiles are spread over workers; visit is called for one query tile by one
// goroutine at a time, data tiles in increasing order. Memory per worker:
// tileQ*tileC floats.
func (p *points) scanTiles(workers int, visit func(i0, qn, j0, cn int, s []float64)) {
	nt := (p.n + tileQ - 1) / tileQ
	workers = min(workerCount(workers), nt)
	next := make(chan int, nt)
	for t := 0; t < nt; t++ {
		next <- t * tileQ
	}
	close(next)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]float64, tileQ*min(tileC, p.n))
			for i0 := range next {
				qn := min(tileQ, p.n-i0)
				q := blas64.General{Rows: qn, Cols: p.d, Stride: p.d, Data: p.c[i0*p.d : (i0+qn)*p.d]}
				for j0 := 0; j0 < p.n; j0 += tileC {
					cn := min(tileC, p.n-j0)
					c := blas64.General{Rows: cn, Cols: p.d, Stride: p.d, Data: p.c[j0*p.d : (j0+cn)*p.d]}
					s := blas64.General{Rows: qn, Cols: cn, Stride: cn, Data: buf[:qn*cn]}
					blas64.Gemm(blas.NoTrans, blas.Trans, -2, q, c, 0, s)
					for a := 0; a < qn; a++ {
						row := s.Data[a*cn : (a+1)*cn]
						si := p.sq[i0+a]
						for b := range row {
							row[b] = max(0, row[b]+si+p.sq[j0+b])
						}
					}
					visit(i0, qn, j0, cn, s.Data)
				}
			}
		}()
	}
	wg.Wait()
}

// symTile is the tile size of the symmetric float32 screening of knnLists.
const symTile = 256

// knnLists returns, row-major n x k, the k nearest other points of every
// point and their exact squared distances, ascending, ties broken by the
// smaller index.
//
// The screening distances are computed once per unordered pair: only the
// tile pairs (I, J) with J >= I are multiplied, in float32 (sgemm runs about
// twice as fast as dgemm and moves half the bytes), and each entry feeds the
// candidate lists of both i and j. The float32 error is bounded in
// screenSlack32, so screening still only discards pairs whose exact distance
// exceeds a row's current k-th distance; every kept candidate is decided on
// its directly computed float64 distance. The k smallest under the total
// order (distance, index) do not depend on the visiting order, so the result
// is deterministic whatever the scheduling.
func (p *points) knnLists(k, workers int) (idx []int, d2 []float64) {
	n, d := p.n, p.d
	// Rows are processed in a spatially coherent order (perm[pos] is the
	// original index at position pos): the tile pairs on the diagonal, done
	// first, then give every row a threshold close to its final k-th
	// distance, and far fewer candidates reach the exact distance. Lists
	// (hd, hi) are indexed by position and hold original indices.
	perm := p.spatialOrder()
	xp := make([]float64, n*d)
	sqp := make([]float64, n)
	nrmp := make([]float64, n)
	for pos, i := range perm {
		copy(xp[pos*d:(pos+1)*d], p.row(i))
		sqp[pos], nrmp[pos] = p.sq[i], p.nrm[i]
	}
	hi := make([]int, n*k)
	hd := make([]float64, n*k)
	size := make([]int, n)
	kth := make([]float64, n) // current k-th exact squared distance, +Inf until full
	for i := range kth {
		kth[i] = math.Inf(1)
	}
	// The screening value of a pair is one float32 dot product of augmented
	// rows built from features f_i with f_i . f_j >= c_i . c_j and
	// |f_i|^2 = |c_i|^2 (see screenFeatures): a_i = [f_i/s, |c_i|^2/s^2, 1]
	// and b_j = [-2 f_j/s, 1, |c_j|^2/s^2], a_i . b_j = (|c_i|^2 + |c_j|^2 -
	// 2 f_i.f_j)/s^2 <= ||c_i - c_j||^2/s^2, so that the Gemm output is a
	// lower bound (equality when f = c) compared with the thresholds
	// directly. s, the largest |feature|, keeps float32 away from overflow
	// and most underflow.
	feat, fd := p.screenFeatures()
	scale := 0.0
	for _, v := range feat {
		scale = max(scale, math.Abs(v))
	}
	if scale == 0 {
		scale = 1
	}
	da := fd + 2
	a32 := make([]float32, n*da)
	b32 := make([]float32, n*da)
	for pos, i := range perm {
		ra, rb := a32[pos*da:(pos+1)*da], b32[pos*da:(pos+1)*da]
		for t, v := range feat[i*fd : (i+1)*fd] {
			v /= scale
			ra[t] = float32(v)
			rb[t] = float32(-2 * v)
		}
		q := sqp[pos] / (scale * scale)
		ra[fd], ra[fd+1] = float32(q), 1
		rb[fd], rb[fd+1] = 1, float32(q)
	}
	// With gonum's native BLAS (the pure-Go build) the tile product is a
	// sum of long axpys over a transposed copy of each data tile, bt32
	// (tile t holds rows k = 0..D+1 of symTile entries): about 3 times
	// faster than gonum's Sgemm for small D, which makes one short dot call
	// per entry.
	var bt32 []float32
	if _, native := blas32.Implementation().(gonum.Implementation); native {
		bt32 = make([]float32, ((n+symTile-1)/symTile)*symTile*da)
		for pos := 0; pos < n; pos++ {
			t, jj := pos/symTile, pos%symTile
			blk := bt32[t*symTile*da : (t+1)*symTile*da]
			for k, v := range b32[pos*da : (pos+1)*da] {
				blk[k*symTile+jj] = v
			}
		}
	}
	inv2 := 1 / (scale * scale)
	// Error of the float32 value (times s^2) against |c_i|^2 + |c_j|^2 -
	// 2 c_i.c_j: the dot product of D+2 terms (gamma_{D+2}, Higham's bound
	// for any summation order, FMA or not) plus the rounding of the inputs,
	// relative to the sum of |terms| <= 2 (|c_i|^2 + |c_j|^2), plus an
	// absolute term for gradual underflow. u = 2^-24.
	const u32 = 1.0 / (1 << 24)
	rel32 := 2.02 * (float64(da) + 6) * u32
	abs32 := scale * scale * (float64(da) + 6) * 0x1p-149 * 4

	nt := (n + symTile - 1) / symTile
	tileNrm := make([]float64, nt)
	tileSq := make([]float64, nt)
	for i := 0; i < n; i++ {
		tileNrm[i/symTile] = max(tileNrm[i/symTile], nrmp[i])
		tileSq[i/symTile] = max(tileSq[i/symTile], sqp[i])
	}
	// thr32(i, J) is the float32 screening threshold of row i against the
	// rows of tile J: its current k-th exact squared distance plus the
	// float64 bound of tileSlack and the float32 part, scaled and rounded up.
	thr32 := func(i, t int) float32 {
		sl := (1e-9+1e-13*float64(d))*(sqp[i]+tileSq[t]) + p.off*(nrmp[i]+tileNrm[t]) +
			rel32*(sqp[i]+tileSq[t]) + abs32
		v := (kth[i] + sl) * inv2 * (1 + 1e-12)
		return math.Nextafter32(float32(v), float32(math.Inf(1)))
	}
	locks := make([]sync.Mutex, nt)
	sumTol := 4*float64(d)*0x1p-53 + 1e-15

	greater := func(hd []float64, hi []int, a, b int) bool {
		return hd[a] > hd[b] || (hd[a] == hd[b] && hi[a] > hi[b])
	}
	// push offers (e, j) to the list at position i (its lock held); j is an
	// original index, so ties are broken as documented.
	push := func(i, j int, e float64) {
		hd, hi := hd[i*k:(i+1)*k], hi[i*k:(i+1)*k]
		m := size[i]
		if m < k {
			c := m
			hd[c], hi[c] = e, j
			for c > 0 {
				par := (c - 1) / 2
				if !greater(hd, hi, c, par) {
					break
				}
				hd[c], hd[par] = hd[par], hd[c]
				hi[c], hi[par] = hi[par], hi[c]
				c = par
			}
			size[i] = m + 1
			if m+1 == k {
				kth[i] = hd[0]
			}
			return
		}
		if !(e < hd[0] || (e == hd[0] && j < hi[0])) {
			return
		}
		hd[0], hi[0] = e, j
		a := 0
		for {
			l := 2*a + 1
			if l >= k {
				break
			}
			c := l
			if r := l + 1; r < k && greater(hd, hi, r, l) {
				c = r
			}
			if !greater(hd, hi, c, a) {
				break
			}
			hd[a], hd[c] = hd[c], hd[a]
			hi[a], hi[c] = hi[c], hi[a]
			a = c
		}
		kth[i] = hd[0]
	}

	// Work items: tile pairs (I, J), J >= I, by diagonal bands J - I = 0,
	// 1, 2, ...: nearby tiles first, and consecutive items share a tile (and
	// its lock) only within the band J - I = 1.
	type pair struct{ ti, tj int }
	next := make(chan pair, 256)
	go func() {
		for off := 0; off < nt; off++ {
			for ti := 0; ti+off < nt; ti++ {
				next <- pair{ti, ti + off}
			}
		}
		close(next)
	}()
	workers = min(workerCount(workers), nt*(nt+1)/2)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]float32, symTile*symTile)
			thrJ := make([]float32, symTile)
			for pr := range next {
				i0, j0 := pr.ti*symTile, pr.tj*symTile
				qn, cn := min(symTile, n-i0), min(symTile, n-j0)
				q := blas32.General{Rows: qn, Cols: da, Stride: da, Data: a32[i0*da : (i0+qn)*da]}
				c := blas32.General{Rows: cn, Cols: da, Stride: da, Data: b32[j0*da : (j0+cn)*da]}
				sm := blas32.General{Rows: qn, Cols: cn, Stride: cn, Data: buf[:qn*cn]}
				if bt32 != nil {
					tileProductNative(q, bt32[pr.tj*symTile*da:(pr.tj+1)*symTile*da], sm)
				} else {
					blas32.Gemm(blas.NoTrans, blas.Trans, 1, q, c, 0, sm)
				}
				diag := pr.ti == pr.tj
				locks[pr.ti].Lock()
				if !diag {
					locks[pr.tj].Lock()
				}
				// mJ bounds every column threshold (they only decrease), so
				// the common case, v above both thresholds, costs one compare.
				var mJ float32
				for b := 0; b < cn; b++ {
					thrJ[b] = thr32(j0+b, pr.ti)
					mJ = max(mJ, thrJ[b])
				}
				for a := 0; a < qn; a++ {
					i := i0 + a
					row := sm.Data[a*cn : (a+1)*cn]
					thrI := thr32(i, pr.tj)
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
						j := j0 + b
						xi, xj := xp[i*d:(i+1)*d], xp[j*d:(j+1)*d]
						// The fast 4-way sum decides most rejections; the
						// sequential sum, which is the value kept, is
						// within 2 gamma_D of it (non-negative terms).
						lo := sqDist4(xi, xj) * (1 - sumTol)
						needI, needJ := inI && lo <= kth[i], lo <= kth[j]
						if !needI && !needJ {
							continue
						}
						e := sqDist(xi, xj)
						if needI {
							push(i, perm[j], e)
							thrI = thr32(i, pr.tj)
							cut = max(thrI, mJ)
						}
						if needJ {
							push(j, perm[i], e)
							tj[b] = thr32(j, pr.ti)
						}
					}
				}
				if !diag {
					locks[pr.tj].Unlock()
				}
				locks[pr.ti].Unlock()
			}
		}()
	}
	wg.Wait()

	// Sort every list ascending by (distance, index), into the rows of the
	// original indices.
	idx = make([]int, n*k)
	d2 = make([]float64, n*k)
	parallelFor(n, workerCount(workers), func(pos int) {
		type pr struct {
			d float64
			j int
		}
		ld, li := hd[pos*k:(pos+1)*k], hi[pos*k:(pos+1)*k]
		ps := make([]pr, k)
		for t := range ps {
			ps[t] = pr{ld[t], li[t]}
		}
		slices.SortFunc(ps, func(x, y pr) int {
			if c := cmp.Compare(x.d, y.d); c != 0 {
				return c
			}
			return cmp.Compare(x.j, y.j)
		})
		i := perm[pos]
		for t, q := range ps {
			d2[i*k+t], idx[i*k+t] = q.d, q.j
		}
	})
	return idx, d2
}

// Projection screening: above projMinD dimensions (and projMinN points) the
// screening works on projRank principal directions plus the residual norm.
const (
	projMinD   = 256
	projMinN   = 4 * symTile
	projRank   = 128
	projSample = 4096
)

// screenFeatures returns row-major features f_i (n x fd) of the centred rows
// with |f_i|^2 = |c_i|^2 and f_i . f_j >= c_i . c_j, so that
// |c_i|^2 + |c_j|^2 - 2 f_i . f_j is a lower bound on the squared distance.
// For small D, f = c (exact). For large D, f_i = [Vᵀc_i, rho_i] with V (D x
// projRank) orthonormal and rho_i = |c_i - V Vᵀ c_i| (rounded up): then
// f_i . f_j - c_i . c_j = rho_i rho_j - r_i . r_j >= 0 for the residuals r
// (Cauchy–Schwarz), and the screening Gemm costs projRank+3 instead of D+2
// per pair. V spans the top principal directions of an evenly spaced sample
// of at most projSample rows (any orthonormal V keeps the bound valid; a good
// one keeps it tight). The rounding of V's orthonormality and of the
// projections is far below the 1e-9 relative slack of the thresholds.
func (p *points) screenFeatures() ([]float64, int) {
	n, d := p.n, p.d
	if d < projMinD || n < projMinN {
		return p.c, d
	}
	m := min(n, projSample)
	sub := mat.NewDense(m, d, nil)
	for t := 0; t < m; t++ {
		i := t * n / m
		sub.SetRow(t, p.c[i*d:(i+1)*d])
	}
	var cov mat.SymDense
	cov.SymOuterK(1, sub.T())
	_, vecs, err := linalg.EigSymRange(&cov, d-projRank, d)
	if err != nil {
		return p.c, d
	}
	v, err := linalg.Orthonormalize(vecs)
	if err != nil {
		return p.c, d
	}
	_, r := v.Dims()
	cm := mat.NewDense(n, d, p.c)
	proj := mat.NewDense(n, r, nil)
	proj.Mul(cm, v)
	fd := r + 1
	feat := make([]float64, n*fd)
	for i := 0; i < n; i++ {
		f := feat[i*fd : (i+1)*fd]
		pn := 0.0
		for t, x := range proj.RawRowView(i) {
			f[t] = x
			pn += x * x
		}
		// rho^2 = |c|^2 - |Vᵀc|^2, plus a bound on its rounding so that
		// rho is never underestimated.
		rho2 := max(0, p.sq[i]-pn) + 1e-12*p.sq[i]
		f[r] = math.Sqrt(rho2)
	}
	return feat, fd
}

// spatialOrder returns a permutation of the points that keeps nearby points
// in the same tiles of symTile rows: a random-projection-style tree splits
// each range along the direction joining two far-apart points of it (a from
// the first point, b from a), at a multiple of symTile, down to single
// tiles. Deterministic; O(N D log(N/symTile)) time, top levels in parallel.
// Any order gives the same exact lists; this one only makes the screening
// thresholds tight early.
func (p *points) spatialOrder() []int {
	n, d := p.n, p.d
	perm := make([]int, n)
	for i := range perm {
		perm[i] = i
	}
	crow := func(i int) []float64 { return p.c[i*d : (i+1)*d] }
	farthest := func(seg []int, from int) int {
		best, bd := from, -1.0
		for _, j := range seg {
			if e := sqDist(crow(from), crow(j)); e > bd {
				best, bd = j, e
			}
		}
		return best
	}
	var split func(seg []int, depth int)
	split = func(seg []int, depth int) {
		m := len(seg)
		if m <= symTile {
			return
		}
		a := farthest(seg, seg[0])
		b := farthest(seg, a)
		if a == b || sqDist(crow(a), crow(b)) == 0 {
			return // all points equal
		}
		dir := make([]float64, d)
		for t := range dir {
			dir[t] = p.c[b*d+t] - p.c[a*d+t]
		}
		type pt struct {
			t float64
			i int
		}
		ps := make([]pt, m)
		for q, i := range seg {
			ps[q] = pt{blas64.Dot(blas64.Vector{N: d, Inc: 1, Data: crow(i)}, blas64.Vector{N: d, Inc: 1, Data: dir}), i}
		}
		slices.SortFunc(ps, func(x, y pt) int {
			if c := cmp.Compare(x.t, y.t); c != 0 {
				return c
			}
			return cmp.Compare(x.i, y.i)
		})
		for q := range ps {
			seg[q] = ps[q].i
		}
		left := symTile * max(1, ((m+symTile-1)/symTile)/2)
		if depth < 3 {
			var wg sync.WaitGroup
			wg.Add(1)
			go func() {
				defer wg.Done()
				split(seg[:left], depth+1)
			}()
			split(seg[left:], depth+1)
			wg.Wait()
			return
		}
		split(seg[:left], depth+1)
		split(seg[left:], depth+1)
	}
	split(perm, 0)
	return perm
}

// tileProductNative sets s = q cᵀ from bt, the transposed data tile (row k
// of bt holds column k of c, stride symTile), as s[a,:] = sum_k q[a,k] bt[k,:]
// with gonum's assembly Saxpy. Zero q entries are skipped (exact: the data
// are finite).
func tileProductNative(q blas32.General, bt []float32, s blas32.General) {
	impl := gonum.Implementation{}
	cn := s.Cols
	for a := 0; a < q.Rows; a++ {
		out := s.Data[a*s.Stride : a*s.Stride+cn]
		clear(out)
		for k, v := range q.Data[a*q.Stride : a*q.Stride+q.Cols] {
			if v != 0 {
				impl.Saxpy(cn, v, bt[k*symTile:k*symTile+cn], 1, out, 1)
			}
		}
	}
}

// parallelFor calls fn(i) for i in [0, n) over the given number of
// goroutines, in contiguous chunks.
func parallelFor(n, workers int, fn func(i int)) {
	workers = max(1, min(workers, n))
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		lo, hi := w*n/workers, (w+1)*n/workers
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := lo; i < hi; i++ {
				fn(i)
			}
		}()
	}
	wg.Wait()
}

func (p *points) distance(metric Metric, d2 float64) float64 {
	if metric == Cosine {
		return d2 / 2
	}
	return math.Sqrt(d2)
}

// Neighbors returns the k nearest neighbours of every row of X, excluding the
// point itself (by index: a duplicate at distance 0 is still a neighbour), as
// row-major N x k lists: idx[i*k+t] is the t-th nearest neighbour of i and
// dist[i*k+t] its distance, ascending, ties broken by the smaller index (the
// order of a stable sort of a brute-force distance row). The search is exact:
// distances are screened on tiles with ||x||^2 + ||y||^2 - 2 x.y, one float32
// Gemm per unordered pair of tiles (in parallel over tile pairs), against each
// row's current k-th distance plus a proven bound on the screening error, and
// every candidate's distance is then recomputed directly in float64 as
// sqrt(sum_t (x_t - y_t)^2), which is the value returned. For D >= 256 (and
// N >= 1024) the screened quantity is a lower bound instead, from the 128
// leading principal directions of a row sample plus the residual norms, so
// the Gemm is 128+3 wide. Only opt.Metric and opt.Workers are used.
//
// Cost: O(N^2 min(D, 131) / 2) time (float32 Gemm; OpenBLAS in the openblas
// build), plus O(N D log(N)) for the spatial ordering of the tiles and
// O(N D 128) for the projection; O(N k + N D) memory plus tile buffers. Errors (*Error):
// ErrEmpty, ErrNaN (NaN/Inf in X), ErrNeighbors (k < 1 or k >= N), ErrParam
// (unknown metric, zero row with Cosine).
func Neighbors(X mat.Matrix, k int, opt KNNOptions) (idx []int, dist []float64, err error) {
	const op = "neighbors"
	p, err := newPoints(op, X, opt.Metric)
	if err != nil {
		return nil, nil, err
	}
	if k < 1 || k >= p.n {
		return nil, nil, newErr(op, "k", k, fmt.Errorf("%w: need 1 <= k < N = %d", ErrNeighbors, p.n))
	}
	idx, d2 := p.knnLists(k, opt.Workers)
	for t, v := range d2 {
		d2[t] = p.distance(opt.Metric, v)
	}
	return idx, d2, nil
}

func checkWeight(op string, opt KNNOptions) error {
	if opt.Sym != Union && opt.Sym != Mutual {
		return newErr(op, "Sym", int(opt.Sym), ErrParam)
	}
	if opt.Weight < Binary || opt.Weight > Distance {
		return newErr(op, "Weight", int(opt.Weight), ErrParam)
	}
	if !(opt.Sigma >= 0) || math.IsInf(opt.Sigma, 0) {
		return newErr(op, "Sigma", opt.Sigma, ErrParam)
	}
	return nil
}

// KNN returns the k-nearest-neighbour graph of the rows of X (see Neighbors
// for the exact search, tie rule and cost), made undirected by opt.Sym and
// weighted by opt.Weight, or scikit-learn's connectivity affinity when
// opt.SklearnConnectivity is set. Errors as for Neighbors, plus ErrParam for
// an invalid Sym, Weight or Sigma; with SklearnConnectivity, ErrNeighbors
// unless 2 <= k <= N.
func KNN(X mat.Matrix, k int, opt KNNOptions) (*CSR, Info, error) {
	const op = "knn"
	p, err := newPoints(op, X, opt.Metric)
	if err != nil {
		return nil, Info{}, err
	}
	if opt.SklearnConnectivity {
		if k < 2 || k > p.n {
			return nil, Info{}, newErr(op, "k", k, fmt.Errorf("%w: need 2 <= k <= N = %d (self included)", ErrNeighbors, p.n))
		}
		kk := k - 1
		idx, _ := p.knnLists(kk, opt.Workers)
		rows := make([]int, len(idx))
		for i := 0; i < p.n; i++ {
			for t := 0; t < kk; t++ {
				rows[i*kk+t] = i
			}
		}
		g, err := FromTriplets(p.n, rows, idx, nil, TripletOptions{Sym: SymAvg})
		if err != nil {
			return nil, Info{}, err
		}
		return g, describe(g, fmt.Sprintf("knn(k=%d,%v,sklearn-connectivity)", k, opt.Metric)), nil
	}
	if k < 1 || k >= p.n {
		return nil, Info{}, newErr(op, "k", k, fmt.Errorf("%w: need 1 <= k < N = %d", ErrNeighbors, p.n))
	}
	if err := checkWeight(op, opt); err != nil {
		return nil, Info{}, err
	}
	idx, d2 := p.knnLists(k, opt.Workers)
	var sigma []float64
	if opt.Weight == Gaussian && opt.Sigma == 0 {
		sigma = make([]float64, p.n)
		minPos := math.Inf(1)
		for i := range sigma {
			sigma[i] = p.distance(opt.Metric, d2[i*k+k-1])
			if sigma[i] > 0 {
				minPos = min(minPos, sigma[i])
			}
		}
		if math.IsInf(minPos, 1) {
			minPos = 1
		}
		for i, s := range sigma {
			if s == 0 {
				sigma[i] = minPos
			}
		}
	}
	rows := make([]int, len(idx))
	vals := make([]float64, len(idx))
	for i := 0; i < p.n; i++ {
		for t := 0; t < k; t++ {
			q := i*k + t
			rows[q] = i
			vals[q] = edgeWeight(opt, p.distance(opt.Metric, d2[q]), sigma, i, idx[q])
		}
	}
	sym := SymMax
	if opt.Sym == Mutual {
		sym = SymMin
	}
	g, err := FromTriplets(p.n, rows, idx, vals, TripletOptions{Sym: sym})
	if err != nil {
		return nil, Info{}, err
	}
	src := fmt.Sprintf("knn(k=%d,%v,%v,%v)", k, opt.Metric, opt.Sym, opt.Weight)
	return g, describe(g, src), nil
}

// edgeWeight is the symmetric weight of the pair (i, j) at distance d.
func edgeWeight(opt KNNOptions, d float64, sigma []float64, i, j int) float64 {
	switch opt.Weight {
	case Gaussian:
		if sigma != nil {
			return math.Exp(-d * d / (sigma[i] * sigma[j]))
		}
		return math.Exp(-d * d / (2 * opt.Sigma * opt.Sigma))
	case Distance:
		return d
	}
	return 1
}

// EpsilonBall returns the graph joining every pair i != j with
// d(x_i, x_j) <= eps (opt.Metric), weighted by opt.Weight (Gaussian with
// Sigma = 0 uses Sigma = eps); opt.Sym and SklearnConnectivity are ignored.
// The same tiled, exact search as Neighbors decides membership on directly
// computed distances, so G is exactly symmetric. Cost O(N^2 D) time,
// O(NNZ + N D) memory. Errors: ErrEmpty, ErrNaN, ErrParam (eps not finite
// and positive, invalid Weight/Sigma, zero row with Cosine).
func EpsilonBall(X mat.Matrix, eps float64, opt KNNOptions) (*CSR, Info, error) {
	const op = "epsilonball"
	if !(eps > 0) || math.IsInf(eps, 0) {
		return nil, Info{}, newErr(op, "eps", eps, ErrParam)
	}
	opt.Sym = Union
	if err := checkWeight(op, opt); err != nil {
		return nil, Info{}, err
	}
	p, err := newPoints(op, X, opt.Metric)
	if err != nil {
		return nil, Info{}, err
	}
	if opt.Weight == Gaussian && opt.Sigma == 0 {
		opt.Sigma = eps
	}
	// Threshold on the squared Euclidean distance of the (normalised) rows.
	lim := eps * eps
	if opt.Metric == Cosine {
		lim = 2 * eps
	}
	cols := make([][]int, p.n)
	vals := make([][]float64, p.n)
	p.scanTiles(opt.Workers, func(i0, qn, j0, cn int, s []float64) {
		for a := 0; a < qn; a++ {
			i := i0 + a
			thr := lim + p.tileSlack(i, j0)
			for b, approx := range s[a*cn : (a+1)*cn] {
				j := j0 + b
				if j == i || approx > thr {
					continue
				}
				e := p.dist2(i, j)
				if e <= lim {
					cols[i] = append(cols[i], j)
					vals[i] = append(vals[i], edgeWeight(opt, p.distance(opt.Metric, e), nil, i, j))
				}
			}
		}
	})
	g := &CSR{N: p.n, RowPtr: make([]int, p.n+1)}
	for i := range cols {
		g.RowPtr[i+1] = g.RowPtr[i] + len(cols[i])
	}
	g.Col = make([]int, 0, g.RowPtr[p.n])
	g.Val = make([]float64, 0, g.RowPtr[p.n])
	for i := range cols {
		g.Col = append(g.Col, cols[i]...)
		g.Val = append(g.Val, vals[i]...)
	}
	return g, describe(g, fmt.Sprintf("epsilonball(eps=%g,%v,%v)", eps, opt.Metric, opt.Weight)), nil
}
