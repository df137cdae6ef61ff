package graph

import (
	"cmp"
	"slices"

	"github.com/eigenssl/eigenssl/linalg"
)

// kdMaxD is the largest dimension for which the exact search (knnLists) uses
// a k-d tree instead of the screened tile products. In low dimension the
// tree visits a few leaves per point where the tiles look at every pair
// (Swiss roll, 5,000 x 3, k = 10, best of 10: 11.5 ms against 18.0-18.2 ms
// for the tiles); its pruning fades as the intrinsic dimension grows. Measured at N =
// 10,000, k = 10, openblas (best of 3): Gaussian data in 2 / 4 / 5 / 6 / 8
// dimensions 23 / 43 / 104 / 158 / 325 ms for the tree against 61 / 71 / 91
// / 78 / 122 ms for the tiles; data on a plane embedded in 8-16
// dimensions 44-59 ms against 69-75 ms. So the tree up to 4 dimensions,
// where it wins whatever the intrinsic dimension. A variable so that tests
// can compare both searches.
var kdMaxD = 4

// kdLeaf is the largest number of points in a leaf of the tree.
const kdLeaf = 16

// kdTree is a k-d tree over the rows of x (n x d): every node holds a
// contiguous range of order and the bounding box of its rows; an inner node
// splits its range at the median along its box's widest coordinate.
type kdTree struct {
	d      int
	x      []float64
	order  []int
	nodes  []kdNode
	lo, hi []float64 // len(nodes) x d
}

type kdNode struct {
	start, end  int // rows order[start:end]
	left, right int // children, -1 for a leaf
}

func newKDTree(x []float64, n, d int) *kdTree {
	t := &kdTree{d: d, x: x, order: make([]int, n)}
	for i := range t.order {
		t.order[i] = i
	}
	t.build(0, n)
	return t
}

// build adds the node of order[start:end] (and its subtree) and returns its
// index. The median split sorts by (coordinate, index): deterministic.
func (t *kdTree) build(start, end int) int {
	d := t.d
	id := len(t.nodes)
	t.nodes = append(t.nodes, kdNode{start: start, end: end, left: -1, right: -1})
	lo := append([]float64(nil), t.x[t.order[start]*d:(t.order[start]+1)*d]...)
	hi := append([]float64(nil), lo...)
	for _, i := range t.order[start+1 : end] {
		for c, v := range t.x[i*d : (i+1)*d] {
			lo[c], hi[c] = min(lo[c], v), max(hi[c], v)
		}
	}
	t.lo, t.hi = append(t.lo, lo...), append(t.hi, hi...)
	split, width := 0, hi[0]-lo[0]
	for c := 1; c < d; c++ {
		if w := hi[c] - lo[c]; w > width {
			split, width = c, w
		}
	}
	if end-start <= kdLeaf || !(width > 0) {
		return id // small, or all rows equal
	}
	slices.SortFunc(t.order[start:end], func(a, b int) int {
		if c := cmp.Compare(t.x[a*d+split], t.x[b*d+split]); c != 0 {
			return c
		}
		return a - b
	})
	mid := (start + end) / 2
	left := t.build(start, mid)
	right := t.build(mid, end)
	t.nodes[id].left, t.nodes[id].right = left, right
	return id
}

// boxBound returns a lower bound of sqDist(q, y) for every row y in node
// v's box: Σ_c g_c², g_c the distance from q_c to the box's interval along
// c. The gaps are differences of data values, so the sum bounds the exact
// squared distance in real arithmetic; it is reduced by 1e-12 relative to
// cover the rounding of the gaps, their squares and sum, and of sqDist's
// own sum (each below (d+8)·2⁻⁵³ relative for the d <= 8 the tests use).
func (t *kdTree) boxBound(q []float64, v int) float64 {
	d := t.d
	lo, hi := t.lo[v*d:(v+1)*d], t.hi[v*d:(v+1)*d]
	s := 0.0
	for c, x := range q {
		g := max(lo[c]-x, x-hi[c], 0)
		s += g * g
	}
	return s * (1 - 1e-12)
}

// kdLists is knnLists by the k-d tree: for every point, a depth-first
// search (nearer child first) that skips a node whose box bound exceeds the
// row's current k-th distance, and offers every other row of a visited leaf
// with its sqDist. The bound is strict (a pair at the k-th distance may
// still enter on its index), so the lists are the k smallest (distance,
// index) pairs, the same as the tile search gives. Points run in parallel;
// each writes only its own row of the heaps.
func (p *points) kdLists(k, workers int) (idx []int, d2 []float64) {
	n, d := p.n, p.d
	t := newKDTree(p.x, n, d)
	h := newNeighborHeaps(n, k, false)
	// A stack entry is a node and its box bound, computed once when the
	// node is pushed and compared with the row's k-th distance when popped.
	type entry struct {
		v  int
		lb float64
	}
	linalg.ParallelRange(n, max(tileGrain(n, workers), 64), func(lo, hi int) {
		var stack []entry
		for i := lo; i < hi; i++ {
			q := p.x[i*d : (i+1)*d]
			stack = append(stack[:0], entry{0, t.boxBound(q, 0)})
			for len(stack) > 0 {
				e := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				if e.lb > h.kth[i] {
					continue
				}
				nd := t.nodes[e.v]
				if nd.left < 0 {
					for _, j := range t.order[nd.start:nd.end] {
						if j != i {
							h.push(i, j, sqDist(q, p.x[j*d:(j+1)*d]))
						}
					}
					continue
				}
				// Nearer child last on the stack, so it is searched first.
				a := entry{nd.left, t.boxBound(q, nd.left)}
				b := entry{nd.right, t.boxBound(q, nd.right)}
				if a.lb > b.lb {
					a, b = b, a
				}
				stack = append(stack, b, a)
			}
		}
	})
	return h.sorted(nil)
}
