package graph

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// Neighbors returns the k nearest neighbours of every row of X, excluding the
// point itself (by index: a duplicate at distance 0 is still a neighbour), as
// row-major N x k lists: idx[i*k+t] is the t-th nearest neighbour of i and
// dist[i*k+t] its distance, ascending, ties broken by the smaller index (the
// order of a stable sort of a brute-force distance row). The search is exact:
// distances are screened on tiles with ||x||^2 + ||y||^2 - 2 x.y, one float32
// Gemm per unordered pair of tiles (in parallel over tile pairs), against each
// row's current k-th distance plus a proven bound on the screening error, and
// every candidate's distance is then recomputed directly in float64 as
// sqrt(sum_t (x_t - y_t)^2), which is the value returned. For D >= 256 (and
// N >= 8,192) the screened quantity is a lower bound instead, from the 128
// leading principal directions of a row sample plus the residual norms, so
// the Gemm is 128+3 wide. With opt.Approx the lists are approximate
// (NN-descent, see KNNOptions.Approx) and their distances float64 ones.
// Only opt.Metric, opt.Workers, opt.Approx and opt.Seed are used.
//
// Cost: up to 4 dimensions a k-d tree (a few leaves of 16 points visited
// per point on low-dimensional data); above, O(N^2 min(D, 131) / 2) time
// (float32 Gemm; OpenBLAS in the openblas build), plus O(N D log(N)) for the spatial ordering of the tiles and
// O(N D 128) for the projection. Memory: two float64 copies of X (the rows,
// reordered in place, and their centred copy, released before the
// screening), 2 N (min(D, 129) + 2) float32 screening rows, the N k lists
// and one 256 x 256 float32 tile per goroutine; never N x N. Errors (*Error):
// ErrEmpty, ErrNaN (NaN/Inf in X), ErrNeighbors (k < 1 or k >= N), ErrParam
// (unknown metric, zero row with Cosine).
func Neighbors(X mat.Matrix, k int, opt KNNOptions) (idx []int, dist []float64, err error) {
	const op = "neighbors"
	p, err := newPoints(op, X, opt.Metric)
	if err != nil {
		return nil, nil, err
	}
	if k < 1 || k >= p.n {
		return nil, nil, newErr(op, "k", k, fmt.Errorf("%w: need 1 <= k < N = %d", ErrNeighbors, p.n))
	}
	idx, d2 := p.lists(k, opt)
	for t, v := range d2 {
		d2[t] = p.distance(opt.Metric, v)
	}
	return idx, d2, nil
}

// KNN returns the k-nearest-neighbour graph of the rows of X (see Neighbors
// for the exact search, tie rule and cost), made undirected by opt.Sym and
// weighted by opt.Weight, or scikit-learn's connectivity affinity when
// opt.SklearnConnectivity is set. Errors as for Neighbors, plus ErrParam for
// an invalid Sym, Weight or Sigma; with SklearnConnectivity, ErrNeighbors
// unless 2 <= k <= N.
func KNN(X mat.Matrix, k int, opt KNNOptions) (*CSR, Info, error) {
	const op = "knn"
	p, err := newPoints(op, X, opt.Metric)
	if err != nil {
		return nil, Info{}, err
	}
	if opt.SklearnConnectivity {
		if k < 2 || k > p.n {
			return nil, Info{}, newErr(op, "k", k, fmt.Errorf("%w: need 2 <= k <= N = %d (self included)", ErrNeighbors, p.n))
		}
		kk := k - 1
		idx, _ := p.lists(kk, opt)
		rows := make([]int, len(idx))
		for i := 0; i < p.n; i++ {
			for t := 0; t < kk; t++ {
				rows[i*kk+t] = i
			}
		}
		g, err := FromTriplets(p.n, rows, idx, nil, TripletOptions{Sym: SymAvg})
		if err != nil {
			return nil, Info{}, err
		}
		return g, describe(g, fmt.Sprintf("knn(k=%d,%v,sklearn-connectivity%s)", k, opt.Metric, approxTag(opt))), nil
	}
	if k < 1 || k >= p.n {
		return nil, Info{}, newErr(op, "k", k, fmt.Errorf("%w: need 1 <= k < N = %d", ErrNeighbors, p.n))
	}
	if err := checkWeight(op, opt); err != nil {
		return nil, Info{}, err
	}
	idx, d2 := p.lists(k, opt)
	var sigma []float64
	if opt.Weight == Gaussian && opt.Sigma == 0 {
		sigma = make([]float64, p.n)
		minPos := math.Inf(1)
		for i := range sigma {
			sigma[i] = p.distance(opt.Metric, d2[i*k+k-1])
			if sigma[i] > 0 {
				minPos = min(minPos, sigma[i])
			}
		}
		if math.IsInf(minPos, 1) {
			minPos = 1
		}
		for i, s := range sigma {
			if s == 0 {
				sigma[i] = minPos
			}
		}
	}
	rows := make([]int, len(idx))
	vals := make([]float64, len(idx))
	for i := 0; i < p.n; i++ {
		for t := 0; t < k; t++ {
			q := i*k + t
			rows[q] = i
			vals[q] = edgeWeight(opt, p.distance(opt.Metric, d2[q]), sigma, i, idx[q])
		}
	}
	sym := SymMax
	if opt.Sym == Mutual {
		sym = SymMin
	}
	g, err := FromTriplets(p.n, rows, idx, vals, TripletOptions{Sym: sym})
	if err != nil {
		return nil, Info{}, err
	}
	src := fmt.Sprintf("knn(k=%d,%v,%v,%v%s)", k, opt.Metric, opt.Sym, opt.Weight, approxTag(opt))
	return g, describe(g, src), nil
}

// EpsilonBall returns the graph joining every pair i != j with
// d(x_i, x_j) <= eps (opt.Metric), weighted by opt.Weight (Gaussian with
// Sigma = 0 uses Sigma = eps); opt.Sym and SklearnConnectivity are ignored.
// The same tiled, exact search as Neighbors decides membership on directly
// computed distances, so G is exactly symmetric. Cost O(N^2 D) time,
// O(NNZ + N D) memory. Errors: ErrEmpty, ErrNaN, ErrParam (eps not finite
// and positive, invalid Weight/Sigma, zero row with Cosine).
func EpsilonBall(X mat.Matrix, eps float64, opt KNNOptions) (*CSR, Info, error) {
	const op = "epsilonball"
	if !(eps > 0) || math.IsInf(eps, 0) {
		return nil, Info{}, newErr(op, "eps", eps, ErrParam)
	}
	opt.Sym = Union
	if err := checkWeight(op, opt); err != nil {
		return nil, Info{}, err
	}
	p, err := newPoints(op, X, opt.Metric)
	if err != nil {
		return nil, Info{}, err
	}
	if opt.Weight == Gaussian && opt.Sigma == 0 {
		opt.Sigma = eps
	}
	// Threshold on the squared Euclidean distance of the (normalised) rows.
	lim := eps * eps
	if opt.Metric == Cosine {
		lim = 2 * eps
	}
	cols := make([][]int, p.n)
	vals := make([][]float64, p.n)
	p.scanTiles(opt.Workers, func(i0, qn, j0, cn int, s []float64) {
		for a := 0; a < qn; a++ {
			i := i0 + a
			thr := lim + p.tileSlack(i, j0)
			for b, approx := range s[a*cn : (a+1)*cn] {
				j := j0 + b
				if j == i || approx > thr {
					continue
				}
				e := p.dist2(i, j)
				if e <= lim {
					cols[i] = append(cols[i], j)
					vals[i] = append(vals[i], edgeWeight(opt, p.distance(opt.Metric, e), nil, i, j))
				}
			}
		}
	})
	g := &CSR{N: p.n, RowPtr: make([]int, p.n+1)}
	for i := range cols {
		g.RowPtr[i+1] = g.RowPtr[i] + len(cols[i])
	}
	g.Col = make([]int, 0, g.RowPtr[p.n])
	g.Val = make([]float64, 0, g.RowPtr[p.n])
	for i := range cols {
		g.Col = append(g.Col, cols[i]...)
		g.Val = append(g.Val, vals[i]...)
	}
	return g, describe(g, fmt.Sprintf("epsilonball(eps=%g,%v,%v)", eps, opt.Metric, opt.Weight)), nil
}

// approxTag is the Info.Source suffix of an approximate kNN graph.
func approxTag(opt KNNOptions) string {
	if opt.Approx {
		return ",approx"
	}
	return ""
}
