package graph

import (
	"fmt"
	"math"
	"math/bits"
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
// with a radix heap on the keys' bit patterns, one run per source, rows
// written in place, spread over workers goroutines; workers <= 0 means
// GOMAXPROCS). Unreachable vertices get +Inf. Cost O(S (NNZ + N) B) time,
// B <= 64 the bucket moves per heap entry (a few in practice), and O(S N)
// memory for the result.
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
			h := &radixHeap{}
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

// radixHeap is a monotone radix heap on the IEEE bit patterns of
// non-negative float64 keys (which order like the keys): bucket b > 0
// holds the keys whose highest bit differing from the last popped key is
// bit b-1, bucket 0 the keys equal to it. Dijkstra pops keys in
// non-decreasing order, as the structure requires; decrease-key is lazy
// (a vertex is pushed again and its stale entries are skipped on pop).
type radixHeap struct {
	b    [65][]radixEntry
	full uint64 // bit b-1 set when bucket b > 0 is non-empty
	last uint64
}

type radixEntry struct {
	k uint64
	v int32
}

func (h *radixHeap) push(k uint64, v int) {
	b := 0
	if k != h.last {
		b = 64 - bits.LeadingZeros64(k^h.last)
		h.full |= 1 << (b - 1)
	}
	h.b[b] = append(h.b[b], radixEntry{k, int32(v)})
}

// pop removes an entry of least key, ok false when the heap is empty.
// Refilling bucket 0 drops the stale entries of the bucket it empties (key
// above the vertex's current dist), so they are never moved again.
func (h *radixHeap) pop(dist []float64) (k uint64, v int, ok bool) {
	for len(h.b[0]) == 0 {
		if h.full == 0 {
			return 0, 0, false
		}
		i := bits.TrailingZeros64(h.full) + 1
		h.full &^= 1 << (i - 1)
		src := h.b[i]
		h.b[i] = src[:0]
		live, m := src[:0], uint64(math.MaxUint64)
		for _, e := range src {
			if e.k == math.Float64bits(dist[e.v]) {
				live = append(live, e)
				m = min(m, e.k)
			}
		}
		if len(live) == 0 {
			continue
		}
		// Every live entry goes to a bucket below i: no write into src.
		h.last = m
		for _, e := range live {
			b := 0
			if e.k != m {
				b = 64 - bits.LeadingZeros64(e.k^m)
				h.full |= 1 << (b - 1)
			}
			h.b[b] = append(h.b[b], e)
		}
	}
	n := len(h.b[0]) - 1
	e := h.b[0][n]
	h.b[0] = h.b[0][:n]
	return e.k, int(e.v), true
}

// dijkstra fills dist (length N) with the distances from s; h is empty
// on entry and on return, so one heap per worker serves every source.
func dijkstra(g *CSR, s int, dist []float64, h *radixHeap) {
	inf := math.Inf(1)
	for i := range dist {
		dist[i] = inf
	}
	dist[s] = 0
	h.last = 0
	h.push(0, s)
	rp, col, val := g.RowPtr, g.Col, g.Val
	for {
		k, u, ok := h.pop(dist)
		if !ok {
			return
		}
		if k != math.Float64bits(dist[u]) {
			continue
		}
		du := dist[u]
		for p := rp[u]; p < rp[u+1]; p++ {
			v := col[p]
			if nd := du + val[p]; nd < dist[v] {
				dist[v] = nd
				h.push(math.Float64bits(nd), v)
			}
		}
	}
}
