package spectral

import (
	"fmt"
	"log/slog"
	"math"

	"github.com/eigenssl/eigenssl/data"
	"github.com/eigenssl/eigenssl/graph"
	"github.com/eigenssl/eigenssl/linalg"
	"gonum.org/v1/gonum/mat"
)

// LaplacianEigenmaps is Laplacian Eigenmaps (Belkin & Niyogi 2003),
// scikit-learn's spectral_embedding / SpectralEmbedding with drop_first:
//
//	minimise Tr(Zᵀ L Z)  s.t.  Zᵀ D Z = I,  Zᵀ D 1 = 0,   L = D − G,
//
// i.e. the generalised eigenvectors L v = λ D v of the 2nd … (K+1)-th
// smallest eigenvalues. They are computed from the symmetric normalised
// Laplacian L_sym = I − D^{-1/2} G D^{-1/2} (L_sym u = λ u, v = D^{-1/2} u):
//
//   - default (scikit-learn's norm_laplacian=True): Embedding holds
//     v = u / sqrt(deg), so vᵀDv = 1 (NOT unit vectors), and Eigenvalues the
//     eigenvalues λ of L_sym;
//   - UnitVectors: Embedding holds the unit eigenvectors u of L_sym instead;
//   - Unnormalized (norm_laplacian=False): the unit eigenvectors of L = D − G
//     for its eigenvalues 2 … K+1 (the Zᵀ Z = I variant).
//
// The diagonal of the affinity is ignored (as scipy's csgraph.laplacian
// does), the first (constant, λ ≈ 0) vector is dropped, columns are in
// ascending eigenvalue order and each column gets the sign rule (entry of
// largest |value| positive) after the division by sqrt(deg).
//
// Fit builds scikit-learn's 'nearest_neighbors' affinity (kNN including the
// point itself, G = (A + Aᵀ)/2: weight 1 for mutual neighbours, 0.5 for
// one-sided ones), or the rbf or precomputed nearest-neighbour affinity of
// the Affinity field; with Precomputed it receives the N x N affinity;
// FitGraph takes a relation graph. A disconnected graph is handled as scikit-learn
// does by default: a warning is logged (log/slog) and the fit continues (the
// null space then has one vector per component and only the first is
// dropped); with Strict it is refused with ErrDisconnected. Isolated
// vertices are refused in normalised mode (their degree is 0; a kNN graph
// has none). Data whose rows are all identical are refused with ErrParam:
// their kNN graph is an arbitrary tie-break (scikit-learn returns an
// embedding of that tie-break).
//
// Solver: dense eigendecomposition of the N x N Laplacian up to
// linalg.DenseAutoMaxN points; above, linalg.Eigs (block Lanczos) on the sparse
// normalised adjacency D^{-1/2} G D^{-1/2} (its K+1 largest eigenpairs are the
// K+1 smallest of L_sym), O(NNZ) per product, never an N x N matrix.
//
// Transform is the Nyström extension (Bengio et al. 2004) of the eigen
// equation: with w(x) the affinity row of a new point to the training
// points and d(x) = Σ_j w_j(x),
//
//	v(x) = Σ_j w_j(x) v_j / ((1 − λ) d(x))      (normalised),
//	v(x) = Σ_j w_j(x) v_j / (d(x) − λ)          (unnormalised),
//
// which reproduces the training embedding exactly when w(x_i) is row i of
// G (up to the eigensolver's residual). For the kNN affinity a new point's
// row is: 0.5 for each of its k−1 nearest training points (a training point
// at distance 0 plays the role of "itself" and is skipped), plus 0.5 for each
// training point j whose own k−1 nearest neighbours it would join (distance
// <= the distance from x_j to its (k−1)-th neighbour). TransformAffinity
// takes explicit affinity rows (Precomputed and FitGraph models).
type LaplacianEigenmaps struct {
	// Components is K (default 2), 1 <= K < N.
	Components int
	// Neighbors is the k of the kNN affinity, self included (default
	// max(N/10, 2), scikit-learn's rule with a floor of 2).
	Neighbors int
	// Search configures the neighbour search of the kNN affinity Fit
	// builds: Approx (with its Seed) selects graph's approximate search
	// (NN-descent, used from 2048 rows on; see graph.KNNOptions.Approx),
	// Workers caps its goroutines. Any other field set is an ErrParam (the
	// estimator fixes the affinity's metric and weights). Zero: exact.
	Search graph.KNNOptions
	// Precomputed says that Fit receives the N x N affinity matrix
	// (symmetric, non-negative; its diagonal is ignored) and Transform
	// M x N affinity rows.
	Precomputed bool
	// Unnormalized uses L = D − G and returns unit eigenvectors.
	Unnormalized bool
	// UnitVectors returns the unit eigenvectors u of L_sym instead of
	// scikit-learn's u / sqrt(deg) (normalised mode only).
	UnitVectors bool
	// Strict refuses a disconnected graph with ErrDisconnected instead of
	// logging a warning and continuing (scikit-learn's behaviour).
	Strict bool
	// Affinity selects how Fit builds G, scikit-learn's affinity:
	// "nearest_neighbors" (default: the kNN connectivity above), "rbf"
	// (dense G_ij = exp(−Gamma ‖x_i − x_j‖²), diagonal ignored; O(N²)
	// memory, refused above MaxQuadraticN unless Force), "precomputed"
	// (same as Precomputed) or "precomputed_nearest_neighbors" (x is an
	// N x N matrix of neighbour distances, 0 meaning no stored entry: each
	// row keeps its Neighbors smallest stored entries as connectivity 1,
	// G = (A + Aᵀ)/2; every row needs Neighbors stored entries).
	Affinity string
	// Gamma is the rbf affinity's γ (default 1/D).
	Gamma float64
	// Force lifts the MaxQuadraticN limit of the rbf affinity.
	Force bool
	// KeepFirst keeps the first (constant, λ = 0) eigenvector as column 0
	// (scikit-learn's spectral_embedding with drop_first=False): the K
	// columns are then the 1st … K-th instead of the 2nd … (K+1)-th.
	KeepFirst bool
	// Solver, Tol, MaxIter and Seed configure the eigensolver.
	Solver  Solver
	Tol     float64
	MaxIter int
	Seed    uint64

	g      *graph.CSR
	deg    []float64
	vals   []float64
	z      *mat.Dense
	aff    *knnAffinity // nil unless fitted from data
	fitted bool
}

// knnAffinity remembers the training kNN affinity for the Nyström rows.
type knnAffinity struct {
	train  *mat.Dense
	gamma  float64   // > 0: the rbf affinity exp(−gamma d²) instead of kNN
	k      int       // neighbours, self included
	radius []float64 // distance from x_j to its (k−1)-th nearest other point
}

// Fit computes the embedding of the rows of x (N x D) with the kNN affinity,
// or of the affinity matrix x (N x N) when Precomputed is set.
func (le *LaplacianEigenmaps) Fit(x *mat.Dense) error {
	const op = "le.fit"
	le.fitted = false
	var g *graph.CSR
	var aff *knnAffinity
	var err error
	if le.Precomputed && le.Affinity != "" && le.Affinity != "precomputed" {
		return errorf(op, "Affinity", le.Affinity, ErrParam, "Precomputed is affinity \"precomputed\"; set one of them")
	}
	switch le.Affinity {
	case "", "nearest_neighbors", "precomputed":
		g, aff, err = fitAffinity(op, x, le.Precomputed || le.Affinity == "precomputed", le.Neighbors, le.Search)
	case "rbf":
		g, aff, err = rbfAffinityGraph(op, x, le.Gamma, le.Force)
	case "precomputed_nearest_neighbors":
		g, err = precomputedNeighborGraph(op, x, le.Neighbors)
	default:
		err = errorf(op, "Affinity", le.Affinity, ErrParam, "valid: nearest_neighbors, rbf, precomputed, precomputed_nearest_neighbors")
	}
	if err != nil {
		return err
	}
	return le.fitGraph(op, g, aff)
}

// rbfAffinityGraph builds scikit-learn's affinity='rbf': the dense
// G_ij = exp(−γ ‖x_i − x_j‖²) (γ default 1/D), diagonal ignored, and the
// data of its Nyström rows.
func rbfAffinityGraph(op string, x *mat.Dense, gamma float64, force bool) (*graph.CSR, *knnAffinity, error) {
	xd, err := checkData(op, "x", x)
	if err != nil {
		return nil, nil, err
	}
	if err := checkDistinctRows(op, xd); err != nil {
		return nil, nil, err
	}
	n, d := xd.Dims()
	if err := checkQuadratic(op, n, force, "the rbf affinity is a dense N x N matrix; use the nearest_neighbors affinity"); err != nil {
		return nil, nil, err
	}
	if gamma == 0 {
		gamma = 1 / float64(d)
	}
	k := linalg.Kernel{Kind: linalg.KernelRBF, Gamma: gamma}
	if err := k.Validate(); err != nil {
		return nil, nil, errorf(op, "Gamma", gamma, ErrParam, "need a finite Gamma > 0")
	}
	g, err := graph.FromDense(k.SelfMatrix(xd))
	if err != nil {
		return nil, nil, wrapGraph(op, err)
	}
	return g.WithoutDiagonal(), &knnAffinity{train: xd, gamma: gamma}, nil
}

// precomputedNeighborGraph builds scikit-learn's
// affinity='precomputed_nearest_neighbors' from an N x N matrix of stored
// neighbour distances (0 = not stored, diagonal ignored): each row's k
// smallest stored entries (ties by index) get connectivity 1, G = (A + Aᵀ)/2
// (sparseNeighborGraph on the non-zero entries).
func precomputedNeighborGraph(op string, x *mat.Dense, neighbors int) (*graph.CSR, error) {
	xd, err := checkData(op, "x", x)
	if err != nil {
		return nil, err
	}
	n, c := xd.Dims()
	if n != c {
		return nil, errorf(op, "x", fmt.Sprintf("%d x %d", n, c), ErrShape, "a precomputed neighbour graph is N x N")
	}
	sp := &data.CSRMatrix{Rows: n, Cols: n, Indptr: make([]int, n+1)}
	for i := 0; i < n; i++ {
		for j, v := range xd.RawRowView(i) {
			if v != 0 {
				sp.Indices, sp.Data = append(sp.Indices, j), append(sp.Data, v)
			}
		}
		sp.Indptr[i+1] = len(sp.Data)
	}
	return sparseNeighborGraph(op, sp, neighbors)
}

// fitAffinity is the shared Fit preamble of LaplacianEigenmaps and
// SpectralContrastive: it validates x and returns the relation graph, the
// N x N affinity x itself when precomputed (see affinityGraph), else the kNN
// connectivity affinity of knnGraph and the data of its Nyström rows.
func fitAffinity(op string, x *mat.Dense, precomputed bool, neighbors int, search graph.KNNOptions) (*graph.CSR, *knnAffinity, error) {
	xd, err := checkData(op, "x", x)
	if err != nil {
		return nil, nil, err
	}
	if precomputed {
		if err := checkSearch(op, search); err != nil {
			return nil, nil, err
		}
		g, err := affinityGraph(op, xd)
		return g, nil, err
	}
	return knnGraph(op, xd, neighbors, search)
}

// knnGraph builds scikit-learn's kNN connectivity affinity on the checked
// data x (as graph.KNN with SklearnConnectivity: each point joined to its
// k−1 nearest others, G = (A + Aᵀ)/2) with neighbors k (default
// max(N/10, 2), self included), from one neighbour search configured by
// search (checkSearch), and the data of its Nyström rows. It is the default
// affinity of every estimator that builds one. Data whose rows are all
// identical are refused (every kNN graph on them is an arbitrary
// tie-break, so no embedding is meaningful).
func knnGraph(op string, x *mat.Dense, neighbors int, search graph.KNNOptions) (*graph.CSR, *knnAffinity, error) {
	if err := checkSearch(op, search); err != nil {
		return nil, nil, err
	}
	if err := checkDistinctRows(op, x); err != nil {
		return nil, nil, err
	}
	n, _ := x.Dims()
	k := neighbors
	if k == 0 {
		k = max(n/10, 2)
	}
	if k < 2 || k > n {
		return nil, nil, errorf(op, "Neighbors", k, ErrParam, fmt.Sprintf("need 2 <= Neighbors <= N = %d (the point itself counts)", n))
	}
	kk := k - 1 // 1 <= kk < N
	idx, _, err := selfNeighbors(op, x, kk, search)
	if err != nil {
		return nil, nil, err
	}
	aff := &knnAffinity{train: x, k: k, radius: make([]float64, n)}
	rows := make([]int, len(idx))
	for i := 0; i < n; i++ {
		// Recomputed with exactDist so that the Nyström rows compare
		// like with like.
		aff.radius[i] = exactDist(x.RawRowView(i), x.RawRowView(idx[i*kk+kk-1]))
		for t := 0; t < kk; t++ {
			rows[i*kk+t] = i
		}
	}
	g, err := graph.FromTriplets(n, rows, idx, nil, graph.TripletOptions{Sym: graph.SymAvg})
	if err != nil {
		return nil, nil, wrapGraph(op, err)
	}
	return g, aff, nil
}

// FitGraph computes the embedding of the vertices of the relation graph g
// (symmetric, non-negative, zero diagonal: g.Validate must pass). LE uses
// the graph only: x may be nil; when given, it must have one row per vertex.
func (le *LaplacianEigenmaps) FitGraph(x *mat.Dense, g *graph.CSR) error {
	const op = "le.fitgraph"
	le.fitted = false
	if err := checkGraphRows(op, g, x); err != nil {
		return err
	}
	return le.fitGraph(op, g, nil)
}

// affinityGraph turns a dense affinity into a relation graph, dropping the
// diagonal (scikit-learn ignores it). An affinity that is symmetric only up
// to rounding, |A_ij − A_ji| <= 1e-10 max(max|A|, 1) (scikit-learn's own
// rbf_kernel output differs from its transpose by ~1e-17), is accepted and
// symmetrised, (A + Aᵀ)/2; a larger asymmetry is refused with ErrShape
// (scikit-learn warns and symmetrises any asymmetry: a deliberate
// difference, since a directed relation is then silently averaged).
func affinityGraph(op string, a *mat.Dense) (*graph.CSR, error) {
	if err := checkSquareSym(op, "x", a); err != nil {
		return nil, err
	}
	as := mat.DenseCopyOf(a)
	symmetrise(as)
	g, err := graph.FromDense(as)
	if err != nil {
		return nil, wrapGraph(op, err)
	}
	g = g.WithoutDiagonal()
	if err := g.Validate(); err != nil {
		return nil, wrapGraph(op, err)
	}
	return g, nil
}

// checkGraphRows validates the relation graph g of a FitGraph and, when x
// is given (it must be for the methods that project data), that x has one
// row per vertex.
func checkGraphRows(op string, g *graph.CSR, x *mat.Dense) error {
	if g == nil || g.N == 0 {
		return errorf(op, "g", nil, ErrEmpty, "")
	}
	if x != nil {
		if n, _ := x.Dims(); n != g.N {
			return errorf(op, "g", fmt.Sprintf("%d vertices", g.N), ErrShape, fmt.Sprintf("want one vertex per row of x (%d)", n))
		}
	}
	if err := g.Validate(); err != nil {
		return wrapGraph(op, err)
	}
	return nil
}

func (le *LaplacianEigenmaps) fitGraph(op string, g *graph.CSR, aff *knnAffinity) error {
	n := g.N
	k, err := components(op, le.Components, n-1)
	if err != nil {
		return err
	}
	if err := checkConnected(op, g, le.Strict, !le.Unnormalized); err != nil {
		return err
	}
	kind := graphSmallestSym
	if le.Unnormalized {
		kind = graphSmallestUnnorm
	}
	skip := 1
	if le.KeepFirst {
		skip = 0
	}
	vals, u, deg, err := graphEigen(op, g, k+skip, kind, le.Solver, le.Tol, le.MaxIter, le.Seed)
	if err != nil {
		return err
	}
	// Drop the first (constant) pair unless KeepFirst.
	vals = vals[skip:]
	z := mat.DenseCopyOf(u.Slice(0, n, skip, k+skip))
	if !le.Unnormalized && !le.UnitVectors {
		for i := 0; i < n; i++ {
			s := 1 / math.Sqrt(deg[i])
			row := z.RawRowView(i)
			for j := range row {
				row[j] *= s
			}
		}
	}
	linalg.SignFlip(z)
	le.g, le.deg, le.vals, le.z, le.aff, le.fitted = g, deg, vals, z, aff, true
	return nil
}

// checkConnected handles a disconnected graph: an error wrapping
// ErrDisconnected when strict, else a slog warning (scikit-learn's
// "Graph is not fully connected, spectral embedding may not work as
// expected"). Isolated vertices are refused when the normalisation divides
// by the degree.
func checkConnected(op string, g *graph.CSR, strict, normalised bool) error {
	_, c := graph.Components(g)
	if c == 1 {
		return nil
	}
	if normalised {
		deg := g.Degree(nil)
		for i, d := range deg {
			if d == 0 {
				return errorf(op, fmt.Sprintf("vertex %d", i), "isolated", ErrDisconnected, "every vertex needs an edge for the normalised Laplacian")
			}
		}
	}
	if strict {
		return errorf(op, "G", fmt.Sprintf("%d components", c), ErrDisconnected, "connect the graph (more neighbours) or unset Strict")
	}
	slog.Warn("spectral: graph is not fully connected; the embedding may not work as expected", "op", op, "components", c)
	return nil
}

// graphKind selects the eigenproblem of graphEigen.
type graphKind int

const (
	graphSmallestSym    graphKind = iota // smallest of L_sym, ascending
	graphSmallestUnnorm                  // smallest of L = D − G, ascending
	graphLargestAdj                      // largest of D^{-1/2} G D^{-1/2}, descending
)

// graphEigen is the shared graph eigen path of LE and the spectral
// contrastive closed form: k eigenpairs (unit vectors, sign rule) of the
// Laplacian or normalised adjacency of g, dense for small N, Lanczos on the
// sparse operator above.
func graphEigen(op string, g *graph.CSR, k int, kind graphKind, solver Solver, tol float64, maxIter int, seed uint64) ([]float64, *mat.Dense, []float64, error) {
	n := g.N
	deg := g.Degree(nil)
	if useDense(solver, n) || k+24 >= n {
		var l *mat.SymDense
		if kind == graphSmallestUnnorm {
			l = graph.LaplacianDense(g, graph.Unnormalized)
		} else {
			l = graph.LaplacianDense(g, graph.SymNormalized)
		}
		// The k smallest of L (for graphLargestAdj: of L_sym, whose
		// smallest are the largest of A = I − L_sym).
		vals, vecs, err := linalg.EigSymRange(l, 0, k)
		if err != nil {
			return nil, nil, nil, wrapLinalg(op, err)
		}
		if kind == graphLargestAdj {
			for i := range vals {
				vals[i] = 1 - vals[i]
			}
		}
		return vals, vecs, deg, nil
	}
	var opr linalg.SymOperator
	which := linalg.Largest
	switch kind {
	case graphSmallestUnnorm:
		l, err := graph.Laplacian(g, graph.Unnormalized)
		if err != nil {
			return nil, nil, nil, wrapGraph(op, err)
		}
		opr, which = l, linalg.Smallest
	default:
		a, err := graph.NormalizedAdjacency(g)
		if err != nil {
			return nil, nil, nil, wrapGraph(op, err)
		}
		opr = a
	}
	res, err := linalg.Eigs(opr, linalg.EigsSettings{K: k, Which: which, Tol: tol, MaxIter: maxIter, Seed: seed})
	if err != nil {
		return nil, nil, nil, wrapLinalg(op, err)
	}
	vals, vecs := res.Values, res.Vectors
	switch kind {
	case graphSmallestSym:
		// Largest of A ascending = smallest of L_sym descending: reverse.
		vals, vecs, _ = reverse(vals, vecs)
		for i := range vals {
			vals[i] = 1 - vals[i]
		}
	case graphLargestAdj:
		vals, vecs, _ = reverse(vals, vecs)
	}
	return vals, vecs, deg, nil
}

// Embedding returns a copy of the N x K embedding (nil before Fit).
func (le *LaplacianEigenmaps) Embedding() *mat.Dense {
	if !le.fitted {
		return nil
	}
	return copyOrNil(le.z)
}

// Eigenvalues returns the K eigenvalues (of L_sym, or of L when
// Unnormalized) of the returned columns, ascending (nil before Fit).
func (le *LaplacianEigenmaps) Eigenvalues() []float64 {
	if !le.fitted {
		return nil
	}
	return append([]float64(nil), le.vals...)
}

// Degree returns a copy of the degrees d_i = Σ_j G_ij of the training graph
// (diagonal ignored), nil before Fit.
func (le *LaplacianEigenmaps) Degree() []float64 {
	if !le.fitted {
		return nil
	}
	return append([]float64(nil), le.deg...)
}

// Graph returns the training relation graph (shared, do not modify).
func (le *LaplacianEigenmaps) Graph() *graph.CSR { return le.g }

// Transform embeds new points with the Nyström extension: the rows of x
// (M x D) for a model fitted on data, or M x N affinity rows for a
// Precomputed model (FitGraph models need TransformAffinity).
func (le *LaplacianEigenmaps) Transform(x mat.Matrix) (*mat.Dense, error) {
	const op = "le.transform"
	if !le.fitted {
		return nil, notFitted(op)
	}
	w, err := newAffinityRows(op, le.aff, le.Precomputed, le.g.N, x)
	if err != nil {
		return nil, err
	}
	return le.nystrom(op, w)
}

// TransformAffinity embeds new points given their affinities w (M x N,
// non-negative) to the training points.
func (le *LaplacianEigenmaps) TransformAffinity(w mat.Matrix) (*mat.Dense, error) {
	const op = "le.transformaffinity"
	if !le.fitted {
		return nil, notFitted(op)
	}
	wd, err := checkAffinityRows(op, w, le.g.N)
	if err != nil {
		return nil, err
	}
	return le.nystrom(op, wd)
}

// nystrom applies the Nyström formula of the type's documentation.
func (le *LaplacianEigenmaps) nystrom(op string, w *mat.Dense) (*mat.Dense, error) {
	// The generalised vectors v = D^{-1/2} u drive the formula in every mode.
	v := le.z
	if !le.Unnormalized && le.UnitVectors {
		v = scaledByInvSqrtDegree(le.z, le.deg)
	}
	return nystromRows(op, w, v, func(x, d float64, j int) float64 {
		switch {
		case le.Unnormalized:
			return x / (d - le.vals[j])
		case le.UnitVectors:
			return x * (math.Sqrt(d) / ((1 - le.vals[j]) * d))
		default:
			return x / ((1 - le.vals[j]) * d)
		}
	})
}

// rows returns the kNN affinity rows (M x N) of new points (see the
// LaplacianEigenmaps documentation).
func (a *knnAffinity) rows(op string, q *mat.Dense) (*mat.Dense, error) {
	n, dim := a.train.Dims()
	if err := checkCols(op, q, dim); err != nil {
		return nil, err
	}
	m, _ := q.Dims()
	w := mat.NewDense(m, n, nil)
	if a.gamma > 0 {
		// rbf: exp(−γ d²), a training point at distance 0 being "itself"
		// (the diagonal the training graph ignores).
		k := linalg.Kernel{Kind: linalg.KernelRBF, Gamma: a.gamma}
		forEachDistRow(a.train, q, func(i int, d []float64) {
			row := w.RawRowView(i)
			for j, v := range d {
				if v != 0 {
					row[j] = k.OfSqDist(v * v)
				}
			}
		})
		return w, nil
	}
	// The point itself (distance 0) may take one of the k slots.
	kq := min(a.k, n)
	nbs, nds, err := knnQuery(op, a.train, q, kq)
	if err != nil {
		return nil, err
	}
	forEachDistRow(a.train, q, func(i int, d []float64) {
		xi := q.RawRowView(i)
		nb, nd := nbs[i*kq:(i+1)*kq], nds[i*kq:(i+1)*kq]
		self := -1
		fw := nb
		if nd[0] == 0 {
			self, fw = nb[0], nb[1:]
		} else if len(fw) > a.k-1 {
			fw = fw[:a.k-1]
		}
		row := w.RawRowView(i)
		for _, j := range fw {
			row[j] += 0.5
		}
		for j := range row {
			if j == self {
				continue
			}
			dj := d[j]
			if math.Abs(dj-a.radius[j]) <= 1e-6*a.radius[j]+1e-9 {
				dj = exactDist(xi, a.train.RawRowView(j))
			}
			if dj <= a.radius[j] {
				row[j] += 0.5
			}
		}
	})
	return w, nil
}
