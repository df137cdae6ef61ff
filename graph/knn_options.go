package graph

import (
	"fmt"
	"math"
)

// Metric is the dissimilarity used by the neighbour builders.
type Metric int

const (
	// Euclidean: d(x, y) = ||x - y||.
	Euclidean Metric = iota
	// Cosine: d(x, y) = 1 - cos(x, y), computed as ||x̂ - ŷ||^2 / 2 on the
	// L2-normalised rows. Zero rows have no direction and are refused.
	Cosine
)

var metricNames = []string{Euclidean: "euclidean", Cosine: "cosine"}

func (m Metric) String() string { return enumName(metricNames, "Metric", int(m)) }

// KNNSym says how the directed k-nearest-neighbour relation is made
// undirected.
type KNNSym int

const (
	// Union: i ~ j iff j is among the k nearest of i or i among those of j.
	Union KNNSym = iota
	// Mutual: i ~ j iff each is among the k nearest of the other.
	Mutual
)

var symNames = []string{Union: "union", Mutual: "mutual"}

func (s KNNSym) String() string { return enumName(symNames, "KNNSym", int(s)) }

// Weighting gives the weight of an edge (i, j) at distance d = d(x_i, x_j).
// Every weighting is a symmetric function of the pair, so the union and
// mutual graphs are exactly symmetric.
type Weighting int

const (
	// Binary: w = 1.
	Binary Weighting = iota
	// Gaussian: w = exp(-d^2 / (2 Sigma^2)) when Sigma > 0. With Sigma = 0,
	// KNN uses the self-tuning kernel of Zelnik-Manor & Perona (2004),
	// w = exp(-d^2 / (sigma_i sigma_j)) with sigma_i the distance from x_i to
	// its k-th nearest neighbour (a sigma_i of 0, from k duplicates, is
	// replaced by the smallest positive sigma, or 1 if there is none);
	// EpsilonBall uses Sigma = eps.
	Gaussian
	// Distance: w = d, the edge length (for geodesics, as in ISOMAP). A
	// duplicate point gives a stored entry of weight 0, which Components and
	// Geodesics treat as an edge of length 0.
	Distance
)

var weightNames = []string{Binary: "binary", Gaussian: "gaussian", Distance: "distance"}

func (w Weighting) String() string { return enumName(weightNames, "Weighting", int(w)) }

// enumName is the name of the value v of an enum type typ whose names are
// names (indexed by value), or "typ(v)" for a value out of range.
func enumName(names []string, typ string, v int) string {
	if v >= 0 && v < len(names) {
		return names[v]
	}
	return fmt.Sprintf("%s(%d)", typ, v)
}

// KNNOptions configures KNN, Neighbors and EpsilonBall. The zero value means
// Euclidean distances, union symmetrisation, binary weights and GOMAXPROCS
// workers.
type KNNOptions struct {
	Metric Metric
	Sym    KNNSym
	Weight Weighting
	// Sigma is the Gaussian bandwidth; 0 selects the rule documented at
	// Gaussian.
	Sigma float64
	// SklearnConnectivity reproduces scikit-learn's
	// SpectralEmbedding(affinity='nearest_neighbors'):
	// A = kneighbors_graph(X, k, include_self=True), so each row holds the
	// point itself and its k-1 nearest others, then G = (A + A^T)/2: weight
	// 1 for mutual neighbours, 0.5 for one-sided ones. The diagonal (the self
	// entries) is dropped because G has a zero diagonal, which is also what
	// scikit-learn's Laplacian does with it. Sym, Weight and Sigma are
	// ignored; k may range over [2, N]. Among points at distance 0 the
	// point itself always takes the self slot (scikit-learn's tree search may
	// list a duplicate first instead).
	SklearnConnectivity bool
	// Workers caps the number of goroutines (at most GOMAXPROCS are used);
	// <= 0 means GOMAXPROCS.
	Workers int
	// Approx makes Neighbors and KNN approximate: NN-descent (as
	// pynndescent, see approxLists) from a forest of random-projection
	// trees, on float32 distances, with the listed pairs re-ranked on their
	// float64 distances (linalg.RowSqDist, the summation of the exact
	// lists). Expected cost O(N D (trees log N + iterations
	// k^2)) instead of O(N^2 D); recall@k against the exact lists is
	// measured in the tests and in bench/. Below 2048 points the exact search
	// is used. EpsilonBall and QueryNeighbors ignore it.
	Approx bool
	// Seed fixes every random choice of the approximate search: the same
	// data and Seed give the same graph whatever GOMAXPROCS or Workers
	// (within one build, pure Go or openblas).
	Seed uint64
}

// lists returns the k-nearest-neighbour lists of p (squared distances),
// exact or, with opt.Approx, approximate.
func (p *points) lists(k int, opt KNNOptions) ([]int, []float64) {
	if opt.Approx {
		return p.approxLists(k, opt.Seed)
	}
	return p.knnLists(k, opt.Workers)
}

func checkWeight(op string, opt KNNOptions) error {
	if opt.Sym < 0 || int(opt.Sym) >= len(symNames) {
		return newErr(op, "Sym", int(opt.Sym), ErrParam)
	}
	if opt.Weight < 0 || int(opt.Weight) >= len(weightNames) {
		return newErr(op, "Weight", int(opt.Weight), ErrParam)
	}
	if !(opt.Sigma >= 0) || math.IsInf(opt.Sigma, 0) {
		return newErr(op, "Sigma", opt.Sigma, ErrParam)
	}
	return nil
}

// edgeWeight is the symmetric weight of the pair (i, j) at distance d.
func edgeWeight(opt KNNOptions, d float64, sigma []float64, i, j int) float64 {
	switch opt.Weight {
	case Gaussian:
		if sigma != nil {
			return math.Exp(-d * d / (sigma[i] * sigma[j]))
		}
		return math.Exp(-d * d / (2 * opt.Sigma * opt.Sigma))
	case Distance:
		return d
	}
	return 1
}
