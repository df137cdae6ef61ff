package spectral

import (
	"fmt"
	"log/slog"
	"math"

	"github.com/eigenssl/eigenssl/graph"
	"github.com/eigenssl/eigenssl/linalg"
	"gonum.org/v1/gonum/mat"
)

// Isomap is ISOMAP (Tenenbaum, de Silva & Langford 2000), classical MDS on
// graph geodesics, as scikit-learn's Isomap(eigen_solver='dense'):
//
//  1. the k-nearest-neighbour graph of the rows of x, self excluded, made
//     undirected (edge if j ∈ kNN(i) or i ∈ kNN(j)), weighted by the
//     Euclidean edge lengths;
//  2. the all-pairs shortest-path distances Δ (Dijkstra);
//  3. kernel PCA of −½Δ²: Z = U_K Λ_K^{1/2} from the top eigenpairs of
//     −½ H Δ² H, Eigenvalues not divided by N, sign rule per column, and
//     scikit-learn's PSD check (see KernelPCA: significant negative
//     eigenvalues fail with ErrNotPSD, tiny ones become exactly 0).
//
// A disconnected kNN graph is handled as scikit-learn 1.2 does: a warning is
// logged (log/slog) and, for every pair of components, the closest pair of
// points between them (Euclidean; the first in row-major order on ties) is
// joined by an edge of that length, so every geodesic is finite. With
// Strict it is refused with ErrDisconnected instead (increase Neighbors).
//
// Transform follows scikit-learn: a new point's geodesic distance to
// training point j is min over its k nearest training points i of
// ‖x − x_i‖ + Δ_ij, then the kernel PCA transform of −½δ². A training point
// finds itself at distance 0, so Transform reproduces Embedding exactly.
//
// Cost: O(N² D) for the graph, O(N² log N · k) for the geodesics and O(N²)
// memory, so N above MaxQuadraticN is refused unless Force is set. With
// Landmarks = m > 0 it is landmark ISOMAP (de Silva & Tenenbaum 2003):
// geodesics only from m seeded random landmarks (m x N), MDS on the m x m
// landmark block and the Gower placement of every point, O(N m) memory.
type Isomap struct {
	// Components is K (default 2), 1 <= K < N.
	Components int
	// Neighbors is k (default 5, scikit-learn's), 1 <= k < N.
	Neighbors int
	// Landmarks, when > 0, selects landmark ISOMAP.
	Landmarks int
	// Solver, Tol, MaxIter and Seed configure the eigensolver; Seed also
	// draws the landmarks.
	Solver  Solver
	Tol     float64
	MaxIter int
	Seed    uint64
	// Force lifts the MaxQuadraticN limit.
	Force bool
	// Strict refuses a disconnected kNN graph with ErrDisconnected instead
	// of joining its components (scikit-learn's behaviour).
	Strict bool

	train  *mat.Dense
	geo    *mat.Dense // N x N geodesics, or m x N from the landmarks
	k      int
	mds    ClassicalMDS
	fitted bool
}

// Fit computes the embedding of the rows of x (N x D).
func (m *Isomap) Fit(x *mat.Dense) error {
	const op = "isomap.fit"
	m.fitted = false
	xd, err := checkData(op, "x", x)
	if err != nil {
		return err
	}
	if err := checkDistinctRows(op, xd); err != nil {
		return err
	}
	n, _ := xd.Dims()
	k := m.Neighbors
	if k == 0 {
		k = 5
	}
	if k < 1 || k >= n {
		return errorf(op, "Neighbors", k, ErrParam, fmt.Sprintf("need 1 <= Neighbors < N = %d", n))
	}
	lm, kc, err := quadraticPlan(op, n, m.Landmarks, m.Components, m.Seed, m.Force, "use Landmarks for landmark ISOMAP")
	if err != nil {
		return err
	}
	// The union kNN graph weighted by edge lengths (graph.KNN with
	// Weight: Distance), from one neighbour search.
	idx, dist, err := selfNeighbors(op, xd, k)
	if err != nil {
		return err
	}
	rows := make([]int, len(idx))
	for i := range rows {
		rows[i] = i / k
	}
	g, err := graph.FromTriplets(n, rows, idx, dist, graph.TripletOptions{Sym: graph.SymMax})
	if err != nil {
		return wrapGraph(op, err)
	}
	if labels, c := graph.Components(g); c > 1 {
		if m.Strict {
			return errorf(op, "Neighbors", k, ErrDisconnected, fmt.Sprintf("the %d-NN graph has %d components; increase Neighbors or unset Strict", k, c))
		}
		slog.Warn("spectral: isomap: the neighbour graph is not connected; joining its components by their closest pairs", "op", op, "components", c, "neighbors", k)
		rows, idx, dist = joinComponents(xd, labels, c, rows, idx, dist)
		if g, err = graph.FromTriplets(n, rows, idx, dist, graph.TripletOptions{Sym: graph.SymMax}); err != nil {
			return wrapGraph(op, err)
		}
	}
	var geo *mat.Dense
	if lm == nil {
		geo, err = graph.AllPairsGeodesics(g, 0, true)
	} else {
		geo, err = graph.Geodesics(g, lm, 0)
	}
	if err != nil {
		return wrapGraph(op, err)
	}
	b := negHalfSquare(geo, lm == nil)
	m.mds = ClassicalMDS{Solver: m.Solver, Tol: m.Tol, MaxIter: m.MaxIter, Seed: m.Seed, psd: true}
	if err := m.mds.fitKernel(op, b, lm, kc); err != nil {
		return err
	}
	m.train, m.geo, m.k, m.fitted = xd, geo, k, true
	return nil
}

// Embedding returns a copy of the N x K embedding (nil before Fit).
func (m *Isomap) Embedding() *mat.Dense {
	if !m.fitted {
		return nil
	}
	return copyOrNil(m.mds.z)
}

// Eigenvalues returns the top K eigenvalues of −½HΔ²H (of the landmark
// block with Landmarks), descending, not divided by N (nil before Fit).
func (m *Isomap) Eigenvalues() []float64 {
	if !m.fitted {
		return nil
	}
	return append([]float64(nil), m.mds.eig.vals...)
}

// Geodesics returns a copy of the geodesic distances: N x N (scikit-learn's
// dist_matrix_), or m x N from the landmarks (nil before Fit).
func (m *Isomap) Geodesics() *mat.Dense {
	if !m.fitted {
		return nil
	}
	return copyOrNil(m.geo)
}

// Transform places the rows of x (M x D) through their k nearest training
// points (see the type's documentation).
func (m *Isomap) Transform(x mat.Matrix) (*mat.Dense, error) {
	const op = "isomap.transform"
	if !m.fitted {
		return nil, notFitted(op)
	}
	xd, err := checkData(op, "x", x)
	if err != nil {
		return nil, err
	}
	_, dim := m.train.Dims()
	if err := checkCols(op, xd, dim); err != nil {
		return nil, err
	}
	idx, dist, err := knnQuery(op, m.train, xd, m.k)
	if err != nil {
		return nil, err
	}
	mq, _ := xd.Dims()
	r, _ := m.geo.Dims() // columns of the kernel: every point or the landmarks
	b := mat.NewDense(mq, r, nil)
	linalg.ParallelRange(mq, 32, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			row := b.RawRowView(i)
			for l := range row {
				best := math.Inf(1)
				for t := 0; t < m.k; t++ {
					j := idx[i*m.k+t]
					if v := dist[i*m.k+t] + m.geo.At(l, j); v < best {
						best = v
					}
				}
				row[l] = -0.5 * best * best
			}
		}
	})
	return m.mds.eig.transform(b), nil
}

// negHalfSquare returns −½Δ² entrywise; with sym (square Δ) the two
// triangles are averaged, as symmetrise does, in one parallel pass.
func negHalfSquare(geo *mat.Dense, sym bool) *mat.Dense {
	r, c := geo.Dims()
	b := mat.NewDense(r, c, nil)
	rg, rb := geo.RawMatrix(), b.RawMatrix()
	linalg.ParallelRange(r, 32, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			gi := rg.Data[i*rg.Stride : i*rg.Stride+c]
			bi := rb.Data[i*rb.Stride : i*rb.Stride+c]
			if !sym {
				for j, v := range gi {
					bi[j] = -0.5 * v * v
				}
				continue
			}
			// Row i owns the pairs (i, j >= i) and writes both entries.
			for j := i; j < c; j++ {
				v, w := gi[j], rg.Data[j*rg.Stride+i]
				x := 0.5 * (-0.5*v*v + -0.5*w*w)
				bi[j] = x
				rb.Data[j*rb.Stride+i] = x
			}
		}
	})
	return b
}

// joinComponents appends to the triplets (rows, cols, w) of a distance graph
// with c components (labels) one edge per pair of components, between their
// closest points (Euclidean; the first pair in row-major order on ties), as
// scikit-learn's _fix_connected_components. O(N² D) time, O(N) memory.
func joinComponents(x *mat.Dense, labels []int, c int, rows, cols []int, w []float64) ([]int, []int, []float64) {
	members := make([][]int, c)
	for i, l := range labels {
		members[l] = append(members[l], i)
	}
	for a := 0; a < c; a++ {
		for b := 0; b < a; b++ {
			bi, bj, bd := -1, -1, math.Inf(1)
			for _, i := range members[a] {
				xi := x.RawRowView(i)
				for _, j := range members[b] {
					if d := graph.SqDist(xi, x.RawRowView(j)); d < bd {
						bi, bj, bd = i, j, d
					}
				}
			}
			d := math.Sqrt(bd)
			rows = append(rows, bi, bj)
			cols = append(cols, bj, bi)
			w = append(w, d, d)
		}
	}
	return rows, cols, w
}
