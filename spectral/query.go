package spectral

import (
	"math"
	"sort"

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

func exactDist(a, b []float64) float64 {
	s := 0.0
	for t := range a {
		d := a[t] - b[t]
		s += d * d
	}
	return math.Sqrt(s)
}

// nearest returns the indices of the k smallest entries of d, ascending by
// value, ties broken by the smaller index.
func nearest(d []float64, k int) []int {
	idx := make([]int, len(d))
	for j := range idx {
		idx[j] = j
	}
	// Partial selection would be O(N); a full sort keeps the tie rule simple
	// and costs O(N log N), small next to the O(N D) distances.
	sort.SliceStable(idx, func(a, b int) bool { return d[idx[a]] < d[idx[b]] })
	return idx[:k]
}

// nearestExact returns the k nearest training rows to xi (ascending, ties by
// index) with their exact distances: candidates are screened with the Gemm
// distances d and every candidate within a small slack of the k-th is
// recomputed directly, so the order matches graph.Neighbors.
func nearestExact(xi []float64, train *mat.Dense, d []float64, k int) ([]int, []float64) {
	nb := nearest(d, k)
	thr := d[nb[k-1]]*(1+1e-6) + 1e-9
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
