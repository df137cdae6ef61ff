package spectral

import (
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/eigenssl/eigenssl/graph"
	"github.com/eigenssl/eigenssl/linalg"
)

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
		d2 := linalg.SqDist(qs, train)
		linalg.ParallelRange(e-s, 32, func(lo, hi int) {
			for r := lo; r < hi; r++ {
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
			}
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

// exactDist is sqrt(linalg.RowSqDist(a, b)): the Euclidean distance with the
// summation of graph.Neighbors and graph.QueryNeighbors, so that distances
// recomputed here agree bit for bit with theirs (the Nyström rules compare
// them with equality at the neighbourhood radius). It is symmetric in (a, b).
func exactDist(a, b []float64) float64 { return math.Sqrt(linalg.RowSqDist(a, b)) }

// knnQuery returns, for every row of q, its k nearest rows of train
// (graph.QueryNeighbors: idx and exact distances, row-major M x k,
// ascending, ties by index), with errors mapped to this package's sentinels.
func knnQuery(op string, train, q *mat.Dense, k int) (idx []int, dist []float64, err error) {
	idx, dist, err = graph.QueryNeighbors(train, q, k, graph.KNNOptions{})
	if err != nil {
		return nil, nil, wrapGraph(op, err)
	}
	return idx, dist, nil
}

// selfNeighbors returns the k nearest other rows of every row of x
// (graph.Neighbors: row-major N x k, ascending, exact distances, ties by the
// smaller index; approximate with search.Approx, see checkSearch), with
// errors mapped to this package's sentinels.
func selfNeighbors(op string, x *mat.Dense, k int, search graph.KNNOptions) ([]int, []float64, error) {
	idx, dist, err := graph.Neighbors(x, k, search)
	if err != nil {
		return nil, nil, wrapGraph(op, err)
	}
	return idx, dist, nil
}
