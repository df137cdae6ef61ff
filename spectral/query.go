package spectral

import (
	"math"
	"runtime"
	"sort"
	"sync"

	"github.com/eigenssl/eigenssl/linalg"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"

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

func exactDist(a, b []float64) float64 {
	s := 0.0
	for t := range a {
		d := a[t] - b[t]
		s += d * d
	}
	return math.Sqrt(s)
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

// gramKNNMaxN is the largest N for which selfNeighbors uses one symmetric
// Gram matrix (N² transient floats: 144 MB in float32, 288 MB in float64 at
// 6000); above it the tiled search of graph.Neighbors is used.
const gramKNNMaxN = 6000

// selfNeighbors returns the k nearest other rows of every row of x (row-major
// N x k, ascending, exact distances, ties by the smaller index): the same
// lists as graph.Neighbors. For N <= gramKNNMaxN the squared distances are
// screened from one Syrk Gram matrix of the centred data (half the flops of
// the general product), then every candidate is recomputed exactly.
//
// TODO(graph): graph.Neighbors could take this symmetric shortcut itself;
// this duplicates its contract for speed until it does.
func selfNeighbors(op string, x *mat.Dense, k int) ([]int, []float64, error) {
	n, d := x.Dims()
	if n > gramKNNMaxN || k < 1 || k >= n {
		idx, dist, err := graph.Neighbors(x, k, graph.KNNOptions{})
		if err != nil {
			return nil, nil, wrapGraph(op, err)
		}
		return idx, dist, nil
	}
	xc := mat.DenseCopyOf(x)
	centre(xc)
	idx := make([]int, n*k)
	dist := make([]float64, n*k)
	if linalg.Backend() == "gonum" {
		// Pure Go: screen in float32 (twice the SIMD width), with a
		// rigorous slack, then recompute candidates exactly.
		g32, sq := gramSelf32(xc)
		smax := 0.0
		for _, v := range sq {
			smax = math.Max(smax, v)
		}
		u := 6e-8 * float64(d+4)
		parallelRows(n, func(i int) {
			row := make([]float64, n)
			gr := g32[i*n : (i+1)*n]
			for j := range row {
				row[j] = math.Max(0, sq[i]+sq[j]-2*float64(gr[j]))
			}
			row[i] = math.Inf(1)
			slack := 6 * u * (sq[i] + smax)
			thr := kthSmallest(row, k) + 2*slack
			nb, nd := exactCandidates(x.RawRowView(i), x, row, thr, k, i)
			copy(idx[i*k:], nb)
			copy(dist[i*k:], nd)
		})
		return idx, dist, nil
	}
	g := gramSelf(xc)
	sq := make([]float64, n)
	for i := range sq {
		sq[i] = g.At(i, i)
	}
	parallelRows(n, func(i int) {
		row := g.RawRowView(i)
		for j := range row {
			row[j] = math.Sqrt(math.Max(0, sq[i]+sq[j]-2*row[j]))
		}
		row[i] = math.Inf(1) // not its own neighbour
		xi := x.RawRowView(i)
		nb, nd := nearestExactSkip(xi, x, row, k, i)
		copy(idx[i*k:], nb)
		copy(dist[i*k:], nd)
	})
	return idx, dist, nil
}

// gramSelf32 returns the upper triangle (row-major n x n, float32) of
// x xᵀ computed in float32 by parallel row blocks, and the float64 squared
// row norms.
func gramSelf32(x *mat.Dense) ([]float32, []float64) {
	n, d := x.Dims()
	x32 := make([]float32, n*d)
	sq := make([]float64, n)
	for i := 0; i < n; i++ {
		row := x.RawRowView(i)
		s := 0.0
		for j, v := range row {
			x32[i*d+j] = float32(v)
			s += v * v
		}
		sq[i] = s
	}
	g := make([]float32, n*n)
	const bs = 128
	nb := (n + bs - 1) / bs
	next := make(chan int, nb)
	for b := 0; b < nb; b++ {
		next <- b * bs
	}
	close(next)
	var wg sync.WaitGroup
	for w := 0; w < min(runtime.GOMAXPROCS(0), nb); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i0 := range next {
				i1 := min(i0+bs, n)
				ai := blas32.General{Rows: i1 - i0, Cols: d, Stride: d, Data: x32[i0*d:]}
				aj := blas32.General{Rows: n - i0, Cols: d, Stride: d, Data: x32[i0*d:]}
				gi := blas32.General{Rows: i1 - i0, Cols: n - i0, Stride: n, Data: g[i0*n+i0:]}
				blas32.Gemm(blas.NoTrans, blas.Trans, 1, ai, aj, 0, gi)
			}
		}()
	}
	wg.Wait()
	for i := 0; i < n; i++ {
		for j := 0; j < i; j++ {
			g[i*n+j] = g[j*n+i]
		}
	}
	return g, sq
}

// exactCandidates recomputes the exact distance to every j != skip whose
// screened squared distance is <= thr2 and returns the k nearest (ascending,
// ties by index).
func exactCandidates(xi []float64, train *mat.Dense, d2 []float64, thr2 float64, k, skip int) ([]int, []float64) {
	var cand []int
	for j, v := range d2 {
		if v <= thr2 && j != skip {
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

// nearestExactSkip is nearestExact that never returns index skip.
func nearestExactSkip(xi []float64, train *mat.Dense, d []float64, k, skip int) ([]int, []float64) {
	thr := kthSmallest(d, k)*(1+1e-6) + 1e-9
	var cand []int
	for j, v := range d {
		if v <= thr && j != skip {
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
