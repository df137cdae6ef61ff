package spectral

import (
	"math"
	"sort"

	"github.com/eigenssl/eigenssl/graph"

	"gonum.org/v1/gonum/mat"
)

// TODO(graph): graph.Neighbors has no query-versus-training form; this
// brute-force search duplicates its idea (tiles of ‖a‖²+‖b‖²−2abᵀ with Gemm,
// then exact distances) for out-of-sample points. Move it to graph when
// graph grows a Query function.

// queryChunk is the number of query rows per Gemm tile.
const queryChunk = 256

// forEachDistRow calls fn(i, d) for every row i of q with d the exact
// Euclidean distances from q_i to every row of train (d is reused after fn
// returns). Calls run in parallel over rows. Cost O(M N D) time, O(chunk N)
// memory.
func forEachDistRow(train, q *mat.Dense, fn func(i int, d []float64)) {
	m, dim := q.Dims()
	for s := 0; s < m; s += queryChunk {
		e := min(s+queryChunk, m)
		qs := q.Slice(s, e, 0, dim).(*mat.Dense)
		d2 := sqDist(qs, train)
		parallelRows(e-s, func(r int) {
			row := d2.RawRowView(r)
			for j := range row {
				row[j] = math.Sqrt(row[j])
			}
			// Recompute near-zero distances directly: the Gemm form loses
			// them to cancellation, and a training point must find itself
			// at distance exactly 0.
			xi := q.RawRowView(s + r)
			for j, v := range row {
				if v < 1e-6*(1+math.Sqrt(dotSelf(xi))) {
					row[j] = exactDist(xi, train.RawRowView(j))
				}
			}
			fn(s+r, row)
		})
	}
}

func dotSelf(a []float64) float64 {
	s := 0.0
	for _, v := range a {
		s += v * v
	}
	return s
}

// exactDist is sqrt(sum_t (a_t - b_t)^2) with the summation order of
// graph.Neighbors (four partial sums), so that distances recomputed here
// agree bit for bit with the ones it returns (the Nyström rules compare them
// with equality at the neighbourhood radius). It is symmetric in (a, b).
func exactDist(a, b []float64) float64 {
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
	return math.Sqrt((s0 + s1) + (s2 + s3))
}

// nearestExact returns the k nearest training rows to xi (ascending, ties by
// index) with their exact distances: candidates are screened with the Gemm
// distances d and every candidate within a small slack of the k-th is
// recomputed directly, so the order matches graph.Neighbors.
func nearestExact(xi []float64, train *mat.Dense, d []float64, k int) ([]int, []float64) {
	thr := kthSmallest(d, k)*(1+1e-6) + 1e-9
	var cand []int
	for j, v := range d {
		if v <= thr {
			cand = append(cand, j)
		}
	}
	ex := make([]float64, len(cand))
	for a, j := range cand {
		ex[a] = exactDist(xi, train.RawRowView(j))
	}
	order := make([]int, len(cand))
	for a := range order {
		order[a] = a
	}
	sort.SliceStable(order, func(a, b int) bool {
		if ex[order[a]] != ex[order[b]] {
			return ex[order[a]] < ex[order[b]]
		}
		return cand[order[a]] < cand[order[b]]
	})
	idx := make([]int, k)
	dist := make([]float64, k)
	for t := 0; t < k; t++ {
		idx[t] = cand[order[t]]
		dist[t] = ex[order[t]]
	}
	return idx, dist
}

// knnQuery returns, for every row of q, its k nearest rows of train
// (idx and exact distances, row-major M x k, ascending, ties by index).
func knnQuery(train, q *mat.Dense, k int) (idx []int, dist []float64) {
	m, _ := q.Dims()
	idx = make([]int, m*k)
	dist = make([]float64, m*k)
	forEachDistRow(train, q, func(i int, d []float64) {
		nb, nd := nearestExact(q.RawRowView(i), train, d, k)
		copy(idx[i*k:], nb)
		copy(dist[i*k:], nd)
	})
	return idx, dist
}

// selfNeighbors returns the k nearest other rows of every row of x
// (graph.Neighbors: row-major N x k, ascending, exact distances, ties by the
// smaller index), with errors mapped to this package's sentinels.
func selfNeighbors(op string, x *mat.Dense, k int) ([]int, []float64, error) {
	idx, dist, err := graph.Neighbors(x, k, graph.KNNOptions{})
	if err != nil {
		return nil, nil, wrapGraph(op, err)
	}
	return idx, dist, nil
}

// kthSmallest returns the k-th smallest value of d (1 <= k <= len(d)) with a
// bounded max-heap: O(N log k).
func kthSmallest(d []float64, k int) float64 {
	h := make([]float64, 0, k)
	for _, v := range d {
		if len(h) < k {
			h = append(h, v)
			for c := len(h) - 1; c > 0; {
				p := (c - 1) / 2
				if h[p] >= h[c] {
					break
				}
				h[p], h[c] = h[c], h[p]
				c = p
			}
			continue
		}
		if v >= h[0] {
			continue
		}
		h[0] = v
		for a := 0; ; {
			l, c := 2*a+1, a
			if l < k && h[l] > h[c] {
				c = l
			}
			if r := l + 1; r < k && h[r] > h[c] {
				c = r
			}
			if c == a {
				break
			}
			h[a], h[c] = h[c], h[a]
			a = c
		}
	}
	return h[0]
}
