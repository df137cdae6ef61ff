package spectral

import (
	"fmt"
	"math"
	"sort"

	"github.com/eigenssl/eigenssl/graph"
	"github.com/eigenssl/eigenssl/linalg"
	"gonum.org/v1/gonum/mat"
)

// isoMetric is a resolved Isomap metric.
type isoMetric struct {
	name        string
	p           float64
	precomputed bool
}

// euclidean reports whether the fast Euclidean neighbour search applies.
func (d isoMetric) euclidean() bool { return d.name == "euclidean" }

// eval returns the distance between two rows.
func (d isoMetric) eval(a, b []float64) float64 {
	switch d.name {
	case "euclidean":
		return exactDist(a, b)
	case "cosine":
		var ab, aa, bb float64
		for i, v := range a {
			ab += v * b[i]
			aa += v * v
			bb += b[i] * b[i]
		}
		if aa == 0 || bb == 0 {
			return 1
		}
		return math.Min(math.Max(1-ab/math.Sqrt(aa*bb), 0), 2)
	}
	s := 0.0
	if d.p == 1 {
		for i, v := range a {
			s += math.Abs(v - b[i])
		}
		return s
	}
	for i, v := range a {
		s += math.Pow(math.Abs(v-b[i]), d.p)
	}
	return math.Pow(s, 1/d.p)
}

// between returns the distance between training rows i and j of x (the
// data, or the distance matrix when precomputed).
func (d isoMetric) between(x *mat.Dense, i, j int) float64 {
	if d.precomputed {
		return x.At(i, j)
	}
	return d.eval(x.RawRowView(i), x.RawRowView(j))
}

// metric resolves Metric and P.
func (m *Isomap) metric(op string) (isoMetric, error) {
	p := m.P
	if p == 0 {
		p = 2
	}
	if !(p >= 1) || math.IsInf(p, 0) {
		return isoMetric{}, errorf(op, "P", m.P, ErrParam, "need a finite Minkowski exponent P >= 1")
	}
	switch m.Metric {
	case "", "euclidean":
		return isoMetric{name: "euclidean", p: 2}, nil
	case "minkowski":
		if p == 2 {
			return isoMetric{name: "euclidean", p: 2}, nil
		}
		return isoMetric{name: "minkowski", p: p}, nil
	case "manhattan":
		return isoMetric{name: "minkowski", p: 1}, nil
	case "cosine":
		return isoMetric{name: "cosine"}, nil
	case "precomputed":
		return isoMetric{name: "precomputed", precomputed: true}, nil
	}
	return isoMetric{}, errorf(op, "Metric", m.Metric, ErrParam, "valid: euclidean, minkowski, manhattan, cosine, precomputed")
}

// neighbors resolves the neighbourhood: k (default 5) or 0 with Radius.
func (m *Isomap) neighbors(op string, n int) (int, error) {
	if m.Radius != 0 {
		if !(m.Radius > 0) || math.IsInf(m.Radius, 0) {
			return 0, errorf(op, "Radius", m.Radius, ErrParam, "need a finite Radius > 0")
		}
		if m.Neighbors != 0 {
			return 0, errorf(op, "Neighbors", m.Neighbors, ErrParam, fmt.Sprintf("both Neighbors and Radius = %g are set; use one", m.Radius))
		}
		return 0, nil
	}
	k := m.Neighbors
	if k == 0 {
		k = 5
	}
	if k < 1 || k >= n {
		return 0, errorf(op, "Neighbors", k, ErrParam, fmt.Sprintf("need 1 <= Neighbors < N = %d", n))
	}
	return k, nil
}

// neighbourhood describes the neighbourhood for messages.
func (m *Isomap) neighbourhood(k int) string {
	if k == 0 {
		return fmt.Sprintf("radius %g", m.Radius)
	}
	return fmt.Sprintf("%d-NN", k)
}

// fitNeighbors returns the directed neighbour triplets (i, j, d(i, j)) of
// every training point, itself excluded: its k nearest others (ties by the
// smaller index) or every other point within Radius.
func (m *Isomap) fitNeighbors(op string, x *mat.Dense, dist isoMetric, k int) (rows, cols []int, w []float64, err error) {
	n, _ := x.Dims()
	if k > 0 && dist.euclidean() {
		idx, d, err := selfNeighbors(op, x, k, graph.KNNOptions{})
		if err != nil {
			return nil, nil, nil, err
		}
		rows = make([]int, len(idx))
		for i := range rows {
			rows[i] = i / k
		}
		return rows, idx, d, nil
	}
	lists := make([][]nbr, n)
	linalg.ParallelRange(n, 8, func(lo, hi int) {
		row := make([]float64, n)
		for i := lo; i < hi; i++ {
			for j := range row {
				row[j] = dist.between(x, i, j)
			}
			lists[i] = m.pick(row, i, k)
		}
	})
	for i, l := range lists {
		for _, e := range l {
			rows, cols, w = append(rows, i), append(cols, e.j), append(w, e.d)
		}
	}
	return rows, cols, w, nil
}

// queryNeighbors returns the neighbours of new rows among the training
// points as CSR-like lists (ptr, idx, dist); a row without any (Radius too
// small) is ErrDisconnected.
func (m *Isomap) queryNeighbors(op string, q *mat.Dense, dist isoMetric) (ptr, idx []int, nd []float64, err error) {
	mq, _ := q.Dims()
	if m.k > 0 && dist.euclidean() {
		idx, nd, err := knnQuery(op, m.train, q, m.k)
		if err != nil {
			return nil, nil, nil, err
		}
		ptr = make([]int, mq+1)
		for i := range ptr {
			ptr[i] = i * m.k
		}
		return ptr, idx, nd, nil
	}
	lists := make([][]nbr, mq)
	linalg.ParallelRange(mq, 8, func(lo, hi int) {
		row := make([]float64, m.n)
		for i := lo; i < hi; i++ {
			if dist.precomputed {
				copy(row, q.RawRowView(i))
			} else {
				for j := range row {
					row[j] = dist.eval(q.RawRowView(i), m.train.RawRowView(j))
				}
			}
			lists[i] = m.pick(row, -1, m.k)
		}
	})
	ptr = make([]int, mq+1)
	for i, l := range lists {
		if len(l) == 0 {
			return nil, nil, nil, errorf(op, fmt.Sprintf("row %d (1-based)", i+1), "no training point within Radius", ErrDisconnected, "increase Radius")
		}
		for _, e := range l {
			idx, nd = append(idx, e.j), append(nd, e.d)
		}
		ptr[i+1] = len(idx)
	}
	return ptr, idx, nd, nil
}

// nbr is one neighbour: index and distance.
type nbr struct {
	j int
	d float64
}

// pick selects, from the distances row to the training points (skipping
// index self), the k nearest (ascending, ties by the smaller index) or, for
// k = 0, all within Radius (in index order).
func (m *Isomap) pick(row []float64, self, k int) []nbr {
	var out []nbr
	if k == 0 {
		for j, d := range row {
			if j != self && d <= m.Radius {
				out = append(out, nbr{j, d})
			}
		}
		return out
	}
	out = make([]nbr, 0, len(row))
	for j, d := range row {
		if j != self {
			out = append(out, nbr{j, d})
		}
	}
	sort.Slice(out, func(a, b int) bool {
		if out[a].d != out[b].d {
			return out[a].d < out[b].d
		}
		return out[a].j < out[b].j
	})
	return out[:min(k, len(out))]
}
