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
	// Components is K (default 2), 1 <= K <= N (K <= m with Landmarks).
	Components int
	// Neighbors is k (default 5, scikit-learn's), 1 <= k < N; 0 with
	// Radius set.
	Neighbors int
	// Radius, when > 0, joins every pair of points at distance <= Radius
	// instead of k nearest neighbours (scikit-learn's radius; setting both
	// Radius and Neighbors is ErrParam, as there).
	Radius float64
	// Metric is the distance of the neighbourhoods and edge lengths:
	// "euclidean" (default; scikit-learn's minkowski with p = 2),
	// "minkowski" (with P), "manhattan", "cosine" (1 − cos), or
	// "precomputed": Fit receives the N x N distance matrix (symmetric,
	// zero diagonal) and Transform M x N distances to the training points.
	Metric string
	// P is the Minkowski exponent (default 2), P >= 1.
	P float64
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

	train  *mat.Dense // nil when precomputed
	geo    *mat.Dense // N x N geodesics, or m x N from the landmarks
	k      int
	n      int
	mds    ClassicalMDS
	fitted bool
}

// Fit computes the embedding of the rows of x (N x D), or of the N x N
// distance matrix x when Metric is "precomputed".
func (m *Isomap) Fit(x *mat.Dense) error {
	const op = "isomap.fit"
	m.fitted = false
	dist, err := m.metric(op)
	if err != nil {
		return err
	}
	xd, err := distanceInput(op, x, dist.precomputed)
	if err != nil {
		return err
	}
	n, _ := xd.Dims()
	if !dist.precomputed {
		if err := checkDistinctRows(op, xd); err != nil {
			return err
		}
	}
	k, err := m.neighbors(op, n)
	if err != nil {
		return err
	}
	lm, kc, err := quadraticPlan(op, n, m.Landmarks, m.Components, m.Seed, m.Force, "use Landmarks for landmark ISOMAP")
	if err != nil {
		return err
	}
	// The union neighbour graph weighted by edge lengths, from one
	// neighbour search.
	rows, idx, w, err := m.fitNeighbors(op, xd, dist, k)
	if err != nil {
		return err
	}
	g, err := graph.FromTriplets(n, rows, idx, w, graph.TripletOptions{Sym: graph.SymMax})
	if err != nil {
		return wrapGraph(op, err)
	}
	if labels, c := graph.Components(g); c > 1 {
		if m.Strict {
			return errorf(op, "neighbourhood", m.neighbourhood(k), ErrDisconnected, fmt.Sprintf("the neighbour graph has %d components; increase Neighbors (or Radius) or unset Strict", c))
		}
		slog.Warn("spectral: isomap: the neighbour graph is not connected; joining its components by their closest pairs", "op", op, "components", c, "neighbourhood", m.neighbourhood(k))
		rows, idx, w = joinComponents(labels, c, rows, idx, w, func(i, j int) float64 { return dist.between(xd, i, j) })
		if g, err = graph.FromTriplets(n, rows, idx, w, graph.TripletOptions{Sym: graph.SymMax}); err != nil {
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
	m.train = xd
	if dist.precomputed {
		m.train = nil
	}
	m.geo, m.k, m.n, m.fitted = geo, k, n, true
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

// Transform places the rows of x (M x D; M x N distances to the training
// points when Metric is "precomputed") through their neighbours among the
// training points (see the type's documentation).
func (m *Isomap) Transform(x mat.Matrix) (*mat.Dense, error) {
	const op = "isomap.transform"
	if !m.fitted {
		return nil, notFitted(op)
	}
	xd, err := checkData(op, "x", x)
	if err != nil {
		return nil, err
	}
	dist, err := m.metric(op)
	if err != nil {
		return nil, err
	}
	want := m.n
	if !dist.precomputed {
		_, want = m.train.Dims()
	}
	if err := checkCols(op, xd, want); err != nil {
		return nil, err
	}
	if dist.precomputed {
		if err := checkDistances(op, xd, false); err != nil {
			return nil, err
		}
	}
	ptr, idx, nd, err := m.queryNeighbors(op, xd, dist)
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
				for t := ptr[i]; t < ptr[i+1]; t++ {
					if v := nd[t] + m.geo.At(l, idx[t]); v < best {
						best = v
					}
				}
				row[l] = -0.5 * best * best
			}
		}
	})
	return m.mds.eig.transform(b), nil
}

// ReconstructionError is scikit-learn's Isomap.reconstruction_error():
//
//	sqrt(‖H(−½Δ²)H‖²_F − Σ_k λ_k²) / N
//
// with Δ the geodesics and λ the K eigenvalues kept. It needs the N x N
// geodesics: a landmark model returns ErrParam, an unfitted one
// ErrNotFitted.
func (m *Isomap) ReconstructionError() (float64, error) {
	const op = "isomap.reconstructionerror"
	if !m.fitted {
		return 0, notFitted(op)
	}
	if m.Landmarks > 0 {
		return 0, errorf(op, "Landmarks", m.Landmarks, ErrParam, "needs the N x N geodesics of exact ISOMAP")
	}
	g := negHalfSquare(m.geo, true)
	centreKernel(g)
	s := 0.0
	for i := 0; i < m.n; i++ {
		for _, v := range g.RawRowView(i) {
			s += v * v
		}
	}
	for _, l := range m.mds.eig.vals {
		s -= l * l
	}
	return math.Sqrt(math.Max(s, 0)) / float64(m.n), nil
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
// closest points under dist (the first pair in row-major order on ties), as
// scikit-learn's _fix_connected_components. O(N²) distance evaluations, O(N)
// memory.
func joinComponents(labels []int, c int, rows, cols []int, w []float64, dist func(i, j int) float64) ([]int, []int, []float64) {
	members := make([][]int, c)
	for i, l := range labels {
		members[l] = append(members[l], i)
	}
	for a := 0; a < c; a++ {
		for b := 0; b < a; b++ {
			bi, bj, bd := -1, -1, math.Inf(1)
			for _, i := range members[a] {
				for _, j := range members[b] {
					if d := dist(i, j); d < bd {
						bi, bj, bd = i, j, d
					}
				}
			}
			rows = append(rows, bi, bj)
			cols = append(cols, bj, bi)
			w = append(w, bd, bd)
		}
	}
	return rows, cols, w
}
