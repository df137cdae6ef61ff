package graph

import (
	"cmp"
	"math"
	"slices"

	"github.com/eigenssl/eigenssl/linalg"
)

// neighborHeaps keeps, for each of n rows, the k smallest (squared distance,
// index) pairs offered so far under the total order (distance, then index):
// one bounded max-heap of k entries per row, stored flat (row i in
// d[i*k:(i+1)*k], idx[i*k:(i+1)*k], heap order, the largest at the root).
// Because the order is total, the pairs kept do not depend on the order in
// which they were offered, so concurrent builders that offer the same pairs
// in any interleaving (one goroutine per row at a time) end with the same
// lists. Optional per-entry flags (fresh, for NN-descent's "new" marks) move
// with their entries.
type neighborHeaps struct {
	k    int
	d    []float64
	idx  []int
	size []int
	// kth[i] is the largest listed distance of a full row i (the one a new
	// pair must beat), +Inf until the row holds k pairs.
	kth []float64
	// fresh[i*k+t] marks entry t of row i as inserted since the flags were
	// last cleared; nil unless newNeighborHeaps was asked for flags.
	fresh []bool
}

func newNeighborHeaps(n, k int, flags bool) *neighborHeaps {
	h := &neighborHeaps{k: k, d: make([]float64, n*k), idx: make([]int, n*k), size: make([]int, n), kth: make([]float64, n)}
	for i := range h.kth {
		h.kth[i] = math.Inf(1)
	}
	if flags {
		h.fresh = make([]bool, n*k)
	}
	return h
}

// greater reports whether entry a is after entry b in the (distance, index)
// order; a and b are flat positions.
func (h *neighborHeaps) greater(a, b int) bool {
	return h.d[a] > h.d[b] || (h.d[a] == h.d[b] && h.idx[a] > h.idx[b])
}

func (h *neighborHeaps) swap(a, b int) {
	h.d[a], h.d[b] = h.d[b], h.d[a]
	h.idx[a], h.idx[b] = h.idx[b], h.idx[a]
	if h.fresh != nil {
		h.fresh[a], h.fresh[b] = h.fresh[b], h.fresh[a]
	}
}

// push offers the pair (e, j) to row i and reports whether it was kept. The
// caller guarantees that j is not already listed in row i (see pushUnique).
func (h *neighborHeaps) push(i, j int, e float64) bool {
	k, base := h.k, i*h.k
	m := h.size[i]
	if m < k {
		c := base + m
		h.d[c], h.idx[c] = e, j
		if h.fresh != nil {
			h.fresh[c] = true
		}
		for c > base {
			par := base + (c-base-1)/2
			if !h.greater(c, par) {
				break
			}
			h.swap(c, par)
			c = par
		}
		h.size[i] = m + 1
		if m+1 == k {
			h.kth[i] = h.d[base]
		}
		return true
	}
	if !(e < h.d[base] || (e == h.d[base] && j < h.idx[base])) {
		return false
	}
	h.d[base], h.idx[base] = e, j
	if h.fresh != nil {
		h.fresh[base] = true
	}
	a := 0
	for {
		l := 2*a + 1
		if l >= k {
			break
		}
		c := l
		if r := l + 1; r < k && h.greater(base+r, base+l) {
			c = r
		}
		if !h.greater(base+c, base+a) {
			break
		}
		h.swap(base+c, base+a)
		a = c
	}
	h.kth[i] = h.d[base]
	return true
}

// pushUnique is push for a j that may already be listed in row i (then the
// row is unchanged and it reports false).
func (h *neighborHeaps) pushUnique(i, j int, e float64) bool {
	if e > h.kth[i] {
		return false
	}
	if slices.Contains(h.idx[i*h.k:i*h.k+h.size[i]], j) {
		return false
	}
	return h.push(i, j, e)
}

// sorted writes the lists ascending by (distance, index) into row-major
// n x k outputs, row pos of the heaps going to row perm[pos] (perm nil: the
// identity). Rows with fewer than k pairs are not allowed.
func (h *neighborHeaps) sorted(perm []int) (idx []int, d2 []float64) {
	n, k := len(h.size), h.k
	idx = make([]int, n*k)
	d2 = make([]float64, n*k)
	type pair struct {
		d float64
		j int
	}
	linalg.ParallelRange(n, 512, func(lo, hi int) {
		ps := make([]pair, k)
		for pos := lo; pos < hi; pos++ {
			for t := range ps {
				ps[t] = pair{h.d[pos*k+t], h.idx[pos*k+t]}
			}
			slices.SortFunc(ps, func(x, y pair) int {
				if c := cmp.Compare(x.d, y.d); c != 0 {
					return c
				}
				return cmp.Compare(x.j, y.j)
			})
			i := pos
			if perm != nil {
				i = perm[pos]
			}
			for t, q := range ps {
				d2[i*k+t], idx[i*k+t] = q.d, q.j
			}
		}
	})
	return idx, d2
}
