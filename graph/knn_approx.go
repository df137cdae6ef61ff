package graph

import (
	"math"
	"math/rand/v2"
	"slices"
	"sync"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/gonum"

	"github.com/eigenssl/eigenssl/linalg"
)

// Approximate k-nearest neighbours by NN-descent (Dong, Moses & Li, WWW
// 2011) as pynndescent runs it: a forest of random-projection trees gives
// the initial lists, then each iteration joins, for every point u, its
// sampled new neighbours (forward and reverse) with each other and with its
// old ones, offering every pair (p, q) to the lists of p and q.
//
// NN-descent rather than a graph index such as HNSW: it builds the kNN graph
// of the data themselves (what the relation needs), not an index for later
// queries, needs no second pass of N searches, and its reference
// implementation (pynndescent) is what the benchmark compares with.
//
// Determinism: every random choice comes from generators seeded by (Seed,
// tree) or by a hash of (Seed, iteration, pair); the pairs of an iteration
// are generated from the lists as they were at its start, with the
// thresholds of its start, by goroutines that each own a contiguous range of
// points, and are then applied in point order, each destination row by one
// goroutine. So the graph depends on Seed only, not on GOMAXPROCS or the
// scheduling (within one build: the pure-Go and openblas builds round some
// float32 distances differently, see localJoin).
const (
	approxMinN    = 2048  // below this many points the exact search is used
	approxTrees   = 4     // random-projection trees of the initial lists
	approxLeafMin = 32    // leaf size (at least 2(k+1))
	approxMaxIter = 12    // NN-descent iterations at most
	approxDelta   = 0.001 // stop when fewer than delta N k list entries change
	approxMaxCand = 60    // candidates sampled per point: min(2k, approxMaxCand) new and old each
)

// approxUpdate is a pair (p, q) at screening distance e offered to both
// lists.
type approxUpdate struct {
	p, q int32
	e    float32
}

// approxData holds the centred rows in float32 and their squared norms: the
// NN-descent distances are |c_p|^2 + |c_q|^2 - 2 c_p.c_q in float32 (one
// assembly dot product per pair, or one Gemm per local join when blas32 is
// not gonum's native implementation, see localJoin); the final lists are
// re-ranked on exact float64 distances.
type approxData struct {
	n, d int
	x    []float32
	sq   []float32
}

func (a *approxData) row(i int) []float32 { return a.x[i*a.d : (i+1)*a.d] }

func (a *approxData) dist(i, j int) float32 {
	v := a.sq[i] + a.sq[j] - 2*gonum.Implementation{}.Sdot(a.d, a.row(i), 1, a.row(j), 1)
	return max(v, 0)
}

// mix is a 64-bit hash (splitmix64's finaliser) of its arguments, for the
// pair priorities of the candidate sampling.
func mix(vals ...uint64) uint64 {
	h := uint64(0x9e3779b97f4a7c15)
	for _, v := range vals {
		h ^= v + 0x9e3779b97f4a7c15 + (h << 6) + (h >> 2)
		h ^= h >> 30
		h *= 0xbf58476d1ce4e5b9
		h ^= h >> 27
		h *= 0x94d049bb133111eb
		h ^= h >> 31
	}
	return h
}

// approxLists returns, row-major n x k, approximate k nearest other points
// of every point with their float64 squared distances (sqDist), ascending,
// ties broken by the smaller index. Below approxMinN points it is
// knnLists (exact).
func (p *points) approxLists(k int, seed uint64) (idx []int, d2 []float64) {
	n := p.n
	if n < approxMinN || k+1 >= n/4 {
		return p.knnLists(k, 0)
	}
	a := newApproxData(p)
	h := newNeighborHeaps(n, k, true)
	leaf := max(approxLeafMin, 2*(k+1))
	// The first tree also orders the rows: NN-descent then works on
	// positions in leaf order (order[pos] is the original index), so that a
	// point's candidates lie close to each other in memory, which makes the
	// row gathers of localJoin mostly cache hits.
	forest := make([][][]int32, approxTrees)
	forest[0] = a.rpTree(leaf, mix(seed, 0))
	order := slices.Concat(forest[0]...)
	a.permute(order)
	pos := 0
	for t, l := range forest[0] {
		for q := range l {
			l[q] = int32(pos + q)
		}
		pos += len(l)
		forest[0][t] = l
	}
	linalg.ParallelRange(approxTrees-1, 1, func(lo, hi int) {
		for t := lo + 1; t < hi+1; t++ {
			forest[t] = a.rpTree(leaf, mix(seed, uint64(t)))
		}
	})
	for _, leaves := range forest {
		a.apply(h, a.leafPairs(h, leaves))
	}
	forest = nil
	a.fillRandom(h, seed)
	// Twice pynndescent's default min(k, 60) candidates: on Fashion-MNIST
	// (70,000 x 784, k = 15) recall@15 rises from 0.983 to 0.992 for about
	// the same time (fewer iterations to converge; bench/README.md).
	cand := newCandidateLists(n, k, min(2*k, approxMaxCand))
	var ups [][]approxUpdate // reused by every iteration's join
	for it := 0; it < approxMaxIter; it++ {
		a.candidates(h, cand, mix(seed, 0xc0ffee, uint64(it)))
		ups = a.localJoin(h, cand.newC, cand.oldC, cand.maxCand, ups)
		if c := a.apply(h, ups); float64(c) <= approxDelta*float64(n*k) {
			break
		}
	}
	// Back to original indices, and re-ranking: the listed pairs get their
	// float64 distances (sqDist, as every exact distance here).
	linalg.ParallelRange(n, 256, func(lo, hi int) {
		for ps := lo; ps < hi; ps++ {
			i := int(order[ps])
			for t := ps * k; t < (ps+1)*k; t++ {
				j := int(order[h.idx[t]])
				h.idx[t] = j
				h.d[t] = sqDist(p.row(i), p.row(j))
			}
		}
	})
	orig := make([]int, n)
	for ps, i := range order {
		orig[ps] = int(i)
	}
	return h.sorted(orig)
}

// permute reorders the rows so that row pos becomes the former row
// order[pos] (in place: no second copy of the rows).
func (a *approxData) permute(order []int32) {
	permuteRows(a.x, a.d, order)
	permuteRows(a.sq, 1, order)
}

// listLen is the number of entries of a candidate list before its first
// negative (empty) slot.
func listLen(l []int32) int {
	for t, v := range l {
		if v < 0 {
			return t
		}
	}
	return len(l)
}

// newApproxData converts the centred rows of p to float32 (centring each
// row on the fly: no float64 centred copy).
func newApproxData(p *points) *approxData {
	n, d := p.n, p.d
	a := &approxData{n: n, d: d, x: make([]float32, n*d), sq: make([]float32, n)}
	linalg.ParallelRange(n, 256, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			r := a.row(i)
			s := float32(0)
			for t, v := range p.x[i*d : (i+1)*d] {
				r[t] = float32(v - p.mean[t])
				s += r[t] * r[t]
			}
			a.sq[i] = s
		}
	})
	return a
}

// rpTree splits the points recursively by random hyperplanes (the
// perpendicular bisector of two random points of the node; points on it go
// to a random side) into leaves of at most leaf points, and returns the
// leaves. A split that leaves one side empty is replaced by a random halving.
func (a *approxData) rpTree(leaf int, seed uint64) [][]int32 {
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	all := make([]int32, a.n)
	for i := range all {
		all[i] = int32(i)
	}
	var leaves [][]int32
	normal := make([]float32, a.d)
	// Scratch of a split, free again once it has copied its sides back
	// into s (before recursing), so shared by all the splits.
	sideBuf := make([]int8, a.n)
	leftBuf, rightBuf := make([]int32, 0, a.n), make([]int32, 0, a.n)
	var split func(s []int32)
	split = func(s []int32) {
		if len(s) <= leaf {
			leaves = append(leaves, s)
			return
		}
		ia := s[rng.IntN(len(s))]
		ib := s[rng.IntN(len(s))]
		ra, rb := a.row(int(ia)), a.row(int(ib))
		off := float32(0)
		for t := range normal {
			normal[t] = ra[t] - rb[t]
			off += normal[t] * (ra[t] + rb[t]) / 2
		}
		// Partition in place: left side first.
		l, r := 0, len(s)
		side := sideBuf[:len(s)]
		for q, i := range s {
			m := gonum.Implementation{}.Sdot(a.d, normal, 1, a.row(int(i)), 1) - off
			switch {
			case m < 0:
				side[q] = -1
			case m > 0:
				side[q] = 1
			default:
				side[q] = int8(2*rng.IntN(2) - 1)
			}
		}
		left, right := leftBuf[:0], rightBuf[:0]
		for q, i := range s {
			if side[q] < 0 {
				left = append(left, i)
			} else {
				right = append(right, i)
			}
		}
		if len(left) == 0 || len(right) == 0 {
			perm := rng.Perm(len(s))
			left, right = left[:0], right[:0]
			for q, pi := range perm {
				if q < len(s)/2 {
					left = append(left, s[pi])
				} else {
					right = append(right, s[pi])
				}
			}
		}
		l = copy(s, left)
		copy(s[l:r], right)
		split(s[:l])
		split(s[l:])
	}
	split(all)
	return leaves
}

// leafPairs returns the pairs of points sharing a leaf that can enter the
// list of either point (against the thresholds of h before the tree), with
// their distances, leaves in order (one slice per block of leaves, the
// blocks in order), computed in parallel over blocks of leaves.
func (a *approxData) leafPairs(h *neighborHeaps, leaves [][]int32) [][]approxUpdate {
	thr := thresholds(h)
	const blk = 64
	nb := (len(leaves) + blk - 1) / blk
	bufs := make([][]approxUpdate, nb)
	linalg.ParallelRange(nb, 1, func(lo, hi int) {
		for s := lo; s < hi; s++ {
			var out []approxUpdate
			for _, l := range leaves[s*blk : min((s+1)*blk, len(leaves))] {
				for x, i := range l {
					for _, j := range l[x+1:] {
						if e := a.dist(int(i), int(j)); e <= thr[i] || e <= thr[j] {
							out = append(out, approxUpdate{i, j, e})
						}
					}
				}
			}
			bufs[s] = out
		}
	})
	return bufs
}

// thresholds returns the current k-th list distance of every row in
// float32 (+Inf, as MaxFloat32, for rows not yet full).
func thresholds(h *neighborHeaps) []float32 {
	thr := make([]float32, len(h.kth))
	for i, v := range h.kth {
		thr[i] = float32(math.Min(v, math.MaxFloat32))
	}
	return thr
}

// apply offers every update (p, q, e) to the lists of p and q, in the order
// of ups (its slices in order, each in order), and returns the number of
// list insertions. Destination rows are split over goroutines, each
// scanning all updates, so every row sees its offers in the order of ups
// whatever the number of goroutines.
func (a *approxData) apply(h *neighborHeaps, ups [][]approxUpdate) int {
	var mu sync.Mutex
	total := 0
	linalg.ParallelRange(a.n, 1024, func(lo, hi int) {
		r0, r1 := int32(lo), int32(hi)
		c := 0
		for _, blk := range ups {
			for _, u := range blk {
				if u.p >= r0 && u.p < r1 && h.pushUnique(int(u.p), int(u.q), float64(u.e)) {
					c++
				}
				if u.q >= r0 && u.q < r1 && h.pushUnique(int(u.q), int(u.p), float64(u.e)) {
					c++
				}
			}
		}
		mu.Lock()
		total += c
		mu.Unlock()
	})
	return total
}

// fillRandom completes rows that the trees left short (a point in a tiny
// leaf) with random other points, from a generator seeded by (seed, row).
func (a *approxData) fillRandom(h *neighborHeaps, seed uint64) {
	for i := 0; i < a.n; i++ {
		if h.size[i] == h.k {
			continue
		}
		rng := rand.New(rand.NewPCG(seed, uint64(i)))
		for h.size[i] < h.k {
			j := rng.IntN(a.n)
			if j != i {
				h.pushUnique(i, j, float64(a.dist(i, j)))
			}
		}
	}
}

// candidateLists are the candidates an NN-descent iteration samples, n x
// maxCand each (-1 for empty slots), with the scratch of their sampling:
// allocated once per search, refilled by every iteration.
type candidateLists struct {
	maxCand    int
	newC, oldC []int32
	npr, opr   []uint64 // the priorities of the listed candidates
	nsz, osz   []int    // the number of candidates listed per row
	fresh      []bool   // the fresh flags at the start of the iteration
}

func newCandidateLists(n, k, maxCand int) *candidateLists {
	return &candidateLists{
		maxCand: maxCand,
		newC:    make([]int32, n*maxCand), oldC: make([]int32, n*maxCand),
		npr: make([]uint64, n*maxCand), opr: make([]uint64, n*maxCand),
		nsz: make([]int, n), osz: make([]int, n),
		fresh: make([]bool, n*k),
	}
}

// candidates samples into c, for every point, at most c.maxCand new and
// c.maxCand old candidates among its listed neighbours and the points that
// list it (forward and reverse), keeping those of smallest pseudo-random
// priority hash(seed, min, max) of the pair, and clears the fresh flag of
// every forward entry sampled as new. Each destination row is filled by one
// goroutine scanning all lists in row order, so the samples do not depend
// on the number of goroutines.
func (a *approxData) candidates(h *neighborHeaps, c *candidateLists, seed uint64) {
	n, k, maxCand := a.n, h.k, c.maxCand
	newC, oldC := c.newC, c.oldC
	for i := range newC {
		newC[i], oldC[i] = -1, -1
	}
	clear(c.nsz)
	clear(c.osz)
	prio := func(i, j int) uint64 { return mix(seed, uint64(min(i, j)), uint64(max(i, j))) }
	// The flags as they were: the goroutines clear those of their own rows.
	fresh := c.fresh
	copy(fresh, h.fresh)
	linalg.ParallelRange(n, 1024, func(r0, r1 int) {
		// Bounded lists of (priority, point) per destination row, kept
		// sorted ascending (maxCand is small); only the first nsz/osz
		// entries of a row are read, so the buffers need no clearing.
		offer := func(dst, j int, fresh bool) {
			pr := prio(dst, j)
			list, pl, sz := newC, c.npr, c.nsz
			if !fresh {
				list, pl, sz = oldC, c.opr, c.osz
			}
			list = list[dst*maxCand : (dst+1)*maxCand]
			pri := pl[dst*maxCand : (dst+1)*maxCand]
			m := sz[dst]
			if slices.Contains(list[:m], int32(j)) {
				return
			}
			if m == maxCand && !(pr < pri[m-1] || (pr == pri[m-1] && int32(j) < list[m-1])) {
				return
			}
			if m < maxCand {
				m++
				sz[dst] = m
			}
			q := m - 1
			for q > 0 && (pri[q-1] > pr || (pri[q-1] == pr && list[q-1] > int32(j))) {
				pri[q], list[q] = pri[q-1], list[q-1]
				q--
			}
			pri[q], list[q] = pr, int32(j)
		}
		for i := 0; i < n; i++ {
			for t := i * k; t < (i+1)*k; t++ {
				j, f := h.idx[t], fresh[t]
				if i >= r0 && i < r1 {
					offer(i, j, f)
				}
				if j >= r0 && j < r1 {
					offer(j, i, f)
				}
			}
		}
		// Forward entries sampled as new are no longer fresh.
		for i := r0; i < r1; i++ {
			list := newC[i*maxCand : i*maxCand+c.nsz[i]]
			for t := i * k; t < (i+1)*k; t++ {
				if h.fresh[t] && slices.Contains(list, int32(h.idx[t])) {
					h.fresh[t] = false
				}
			}
		}
	})
}

// localJoin returns the pairs (p, q) of new x new and new x old candidates
// of every point whose distance beats the k-th distance of p or of q as it
// was at the start of the iteration, in point order: one slice per block of
// points, written over the slices of prev (the previous iteration's result,
// or nil) so that their memory is reused rather than grown again.
//
// With a BLAS other than gonum's native one (OpenBLAS in the openblas
// build) the dot products of a point's join come from one Gemm of its new
// candidates' rows against all its candidates' rows (gathered into a
// buffer), which is several times faster than one short assembly dot per
// pair; the pure-Go build keeps the dots (gonum's Sgemm is dot-based). Both
// are deterministic, but the two builds may round a few distances
// differently and so give slightly different approximate graphs.
func (a *approxData) localJoin(h *neighborHeaps, newC, oldC []int32, maxCand int, prev [][]approxUpdate) [][]approxUpdate {
	n, d := a.n, a.d
	thr := thresholds(h)
	native := linalg.Backend() == "gonum"
	// Fixed blocks of points, each with its own output, concatenated in
	// block order: the pairs come out in point order whatever the
	// scheduling.
	const blk = 512
	nb := (n + blk - 1) / blk
	bufs := prev
	if len(bufs) != nb {
		bufs = make([][]approxUpdate, nb)
	}
	linalg.ParallelRange(nb, 1, func(lo, hi int) {
		var rows, gram []float32
		cand := make([]int32, 0, 2*maxCand)
		if !native {
			rows = make([]float32, 2*maxCand*d)
			gram = make([]float32, maxCand*2*maxCand)
		}
		for s := lo; s < hi; s++ {
			// Room for every pair the block can emit, so that out does not
			// grow by copies (in the first iteration, with loose thresholds,
			// that copying was an eighth of the search's CPU time).
			bound := 0
			for u := s * blk; u < min((s+1)*blk, n); u++ {
				nn, m := listLen(newC[u*maxCand:(u+1)*maxCand]), 0
				if nn > 0 {
					m = nn + listLen(oldC[u*maxCand:(u+1)*maxCand])
				}
				bound += nn*(m-1) - nn*(nn-1)/2
			}
			out := bufs[s][:0]
			if cap(out) < bound {
				out = make([]approxUpdate, 0, bound)
			}
			for u := s * blk; u < min((s+1)*blk, n); u++ {
				cand = cand[:0]
				for _, v := range newC[u*maxCand : (u+1)*maxCand] {
					if v < 0 {
						break
					}
					cand = append(cand, v)
				}
				nn := len(cand)
				if nn == 0 {
					continue
				}
				for _, v := range oldC[u*maxCand : (u+1)*maxCand] {
					if v < 0 {
						break
					}
					cand = append(cand, v)
				}
				m := len(cand)
				var dist func(x, y int) float32
				if native {
					dist = func(x, y int) float32 { return a.dist(int(cand[x]), int(cand[y])) }
				} else {
					for t, v := range cand {
						copy(rows[t*d:(t+1)*d], a.row(int(v)))
					}
					g := blas32.General{Rows: nn, Cols: m, Stride: m, Data: gram[:nn*m]}
					blas32.Gemm(blas.NoTrans, blas.Trans, 1,
						blas32.General{Rows: nn, Cols: d, Stride: d, Data: rows[:nn*d]},
						blas32.General{Rows: m, Cols: d, Stride: d, Data: rows[:m*d]}, 0, g)
					dist = func(x, y int) float32 {
						return max(0, a.sq[cand[x]]+a.sq[cand[y]]-2*g.Data[x*m+y])
					}
				}
				for x := 0; x < nn; x++ {
					pp := cand[x]
					for y := x + 1; y < m; y++ {
						qq := cand[y]
						if qq == pp {
							continue
						}
						if e := dist(x, y); e <= thr[pp] || e <= thr[qq] {
							out = append(out, approxUpdate{pp, qq, e})
						}
					}
				}
			}
			bufs[s] = out
		}
	})
	return bufs
}
