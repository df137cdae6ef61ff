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
// with a binary heap, one run per source, spread over workers goroutines;
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
			h := &distHeap{pos: make([]int, g.N)}
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

// distHeap is an indexed binary min-heap of vertices keyed by tentative
// distance, supporting decrease-key.
type distHeap struct {
	v   []int
	pos []int // position of a vertex in v, -1 when absent
	d   []float64
}

func (h *distHeap) less(a, b int) bool { return h.d[h.v[a]] < h.d[h.v[b]] }

func (h *distHeap) swap(a, b int) {
	h.v[a], h.v[b] = h.v[b], h.v[a]
	h.pos[h.v[a]] = a
	h.pos[h.v[b]] = b
}

func (h *distHeap) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if !h.less(i, p) {
			return
		}
		h.swap(i, p)
		i = p
	}
}

func (h *distHeap) down(i int) {
	n := len(h.v)
	for {
		l := 2*i + 1
		if l >= n {
			return
		}
		m := l
		if r := l + 1; r < n && h.less(r, l) {
			m = r
		}
		if !h.less(m, i) {
			return
		}
		h.swap(i, m)
		i = m
	}
}

func (h *distHeap) pushOrDecrease(u int) {
	if h.pos[u] < 0 {
		h.v = append(h.v, u)
		h.pos[u] = len(h.v) - 1
	}
	h.up(h.pos[u])
}

func (h *distHeap) pop() int {
	u := h.v[0]
	last := len(h.v) - 1
	h.swap(0, last)
	h.v = h.v[:last]
	h.pos[u] = -1
	if last > 0 {
		h.down(0)
	}
	return u
}

// dijkstra fills dist (length N) with the distances from s.
func dijkstra(g *CSR, s int, dist []float64, h *distHeap) {
	for i := range dist {
		dist[i] = math.Inf(1)
	}
	for i := range h.pos {
		h.pos[i] = -1
	}
	h.v = h.v[:0]
	h.d = dist
	dist[s] = 0
	h.pushOrDecrease(s)
	for len(h.v) > 0 {
		u := h.pop()
		du := dist[u]
		for p := g.RowPtr[u]; p < g.RowPtr[u+1]; p++ {
			v := g.Col[p]
			if nd := du + g.Val[p]; nd < dist[v] {
				dist[v] = nd
				h.pushOrDecrease(v)
			}
		}
	}
}
