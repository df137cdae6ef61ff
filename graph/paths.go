package graph

import (
	"fmt"
	"math"
	"runtime"
	"sync"

	"gonum.org/v1/gonum/mat"
)

// Components labels the connected components of g by breadth-first search
// over the stored entries (an explicit zero entry counts as an edge). Labels
// are 0..count-1, numbered in order of their smallest vertex. Isolated
// vertices are components of their own. Cost O(N + NNZ).
func Components(g *CSR) (labels []int, count int) {
	labels = make([]int, g.N)
	for i := range labels {
		labels[i] = -1
	}
	queue := make([]int, 0, 64)
	for s := 0; s < g.N; s++ {
		if labels[s] >= 0 {
			continue
		}
		labels[s] = count
		queue = append(queue[:0], s)
		for len(queue) > 0 {
			u := queue[0]
			queue = queue[1:]
			for p := g.RowPtr[u]; p < g.RowPtr[u+1]; p++ {
				if v := g.Col[p]; labels[v] < 0 {
					labels[v] = count
					queue = append(queue, v)
				}
			}
		}
		count++
	}
	return labels, count
}

// MaxAllPairsN is the largest N for which AllPairsGeodesics runs without
// force: its N x N float64 result takes 8 N^2 bytes (800 MB at N = 10000).
const MaxAllPairsN = 10000

// Geodesics returns the len(sources) x N matrix of shortest-path distances
// from each source, the edge weights of g being the edge lengths (Dijkstra
// with an indexed 4-ary heap, one run per source, spread over workers goroutines;
// workers <= 0 means GOMAXPROCS). Unreachable vertices get +Inf. Cost
// O(S (NNZ + N) log N) time, O(S N) memory for the result.
//
// g must be a valid relation graph (non-negative weights); it returns an
// *Error wrapping ErrEmpty (no vertices or no sources), ErrIndex (bad
// source), or any error of g.Validate.
func Geodesics(g *CSR, sources []int, workers int) (*mat.Dense, error) {
	const op = "geodesics"
	if g.N == 0 {
		return nil, newErr(op, "g", "0 vertices", ErrEmpty)
	}
	if len(sources) == 0 {
		return nil, newErr(op, "sources", "[]", ErrEmpty)
	}
	for t, s := range sources {
		if s < 0 || s >= g.N {
			return nil, newErr(op, fmt.Sprintf("sources[%d]", t), s, ErrIndex)
		}
	}
	if err := g.Validate(); err != nil {
		return nil, err
	}
	out := mat.NewDense(len(sources), g.N, nil)
	raw := out.RawMatrix()
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, len(sources))
	var wg sync.WaitGroup
	next := make(chan int, len(sources))
	for t := range sources {
		next <- t
	}
	close(next)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h := newDistHeap(g.N)
			for t := range next {
				dijkstra(g, sources[t], raw.Data[t*raw.Stride:t*raw.Stride+g.N], h)
			}
		}()
	}
	wg.Wait()
	return out, nil
}

// AllPairsGeodesics returns the N x N shortest-path distance matrix
// (Geodesics with every vertex as a source). It is inherently O(N^2) in
// memory; above MaxAllPairsN vertices it returns ErrTooLarge unless force is
// set.
func AllPairsGeodesics(g *CSR, workers int, force bool) (*mat.Dense, error) {
	if g.N > MaxAllPairsN && !force {
		return nil, newErr("allpairsgeodesics", "N", g.N, ErrTooLarge)
	}
	src := make([]int, g.N)
	for i := range src {
		src[i] = i
	}
	return Geodesics(g, src, workers)
}

// distHeap is an indexed 4-ary min-heap of vertices keyed by tentative
// distance, supporting decrease-key. Keys are stored next to the vertices
// (no indirection in the sift loops) and pos is -1 for every vertex between
// runs, since a Dijkstra run pops everything it pushes: one heap per worker
// serves every source without clearing or allocation.
type distHeap struct {
	e   []heapEntry
	pos []int32 // position of a vertex in e, -1 when absent
}

type heapEntry struct {
	d float64
	v int32
}

func newDistHeap(n int) *distHeap {
	h := &distHeap{e: make([]heapEntry, 0, 64), pos: make([]int32, n)}
	for i := range h.pos {
		h.pos[i] = -1
	}
	return h
}

// up moves x, to be stored at slot i, towards the root.
func (h *distHeap) up(i int, x heapEntry) {
	for i > 0 {
		p := (i - 1) >> 2
		pe := h.e[p]
		if !(x.d < pe.d) {
			break
		}
		h.e[i] = pe
		h.pos[pe.v] = int32(i)
		i = p
	}
	h.e[i] = x
	h.pos[x.v] = int32(i)
}

// pushOrDecrease inserts u with key d, or lowers its key to d.
func (h *distHeap) pushOrDecrease(u int, d float64) {
	i := int(h.pos[u])
	if i < 0 {
		h.e = append(h.e, heapEntry{})
		i = len(h.e) - 1
	}
	h.up(i, heapEntry{d: d, v: int32(u)})
}

// pop removes and returns the vertex of least key. It sifts bottom-up
// (Floyd): the hole left at the root follows the smaller children down to a
// leaf without comparing against the moved last entry, which then rises
// from there; the last entry usually belongs near the bottom, so this saves
// most of the unpredictable comparisons.
func (h *distHeap) pop() int {
	e := h.e
	u := e[0].v
	h.pos[u] = -1
	last := len(e) - 1
	x := e[last]
	e = e[:last]
	h.e = e
	if last == 0 {
		return int(u)
	}
	i := 0
	for {
		c := 4*i + 1
		if c+3 < last {
			m, md := c, e[c].d
			if d := e[c+1].d; d < md {
				m, md = c+1, d
			}
			if d := e[c+2].d; d < md {
				m, md = c+2, d
			}
			if d := e[c+3].d; d < md {
				m = c + 3
			}
			e[i] = e[m]
			h.pos[e[i].v] = int32(i)
			i = m
			continue
		}
		if c >= last {
			break
		}
		m, md := c, e[c].d
		for q := c + 1; q < last; q++ {
			if e[q].d < md {
				m, md = q, e[q].d
			}
		}
		e[i] = e[m]
		h.pos[e[i].v] = int32(i)
		i = m
	}
	h.up(i, x)
	return int(u)
}

// dijkstra fills dist (length N) with the distances from s.
func dijkstra(g *CSR, s int, dist []float64, h *distHeap) {
	inf := math.Inf(1)
	for i := range dist {
		dist[i] = inf
	}
	dist[s] = 0
	h.pushOrDecrease(s, 0)
	rp, col, val := g.RowPtr, g.Col, g.Val
	for len(h.e) > 0 {
		u := h.pop()
		du := dist[u]
		for p := rp[u]; p < rp[u+1]; p++ {
			v := col[p]
			if nd := du + val[p]; nd < dist[v] {
				dist[v] = nd
				h.pushOrDecrease(v, nd)
			}
		}
	}
}
