package spectral

import (
	"fmt"
	"math"
	"sort"

	"github.com/eigenssl/eigenssl/data"
	"github.com/eigenssl/eigenssl/graph"
	"gonum.org/v1/gonum/mat"
)

// MaxDenseFromSparse is the largest number of entries (rows x columns) a
// sparse input is densified to for a method that needs dense data (8 bytes
// each: 2 GiB).
const MaxDenseFromSparse = 1 << 28

// SparseEstimator is an Estimator that also fits on a sparse input in
// scipy's CSR layout (data.ReadNPZCSR) without densifying an N x N
// affinity or distance graph.
type SparseEstimator interface {
	Estimator
	FitSparse(a *data.CSRMatrix) error
}

var _ SparseEstimator = (*LaplacianEigenmaps)(nil)

// DenseFromSparse returns the dense form of a sparse input for the methods
// that need dense data, refusing more than MaxDenseFromSparse entries with
// ErrTooLarge.
func DenseFromSparse(op string, a *data.CSRMatrix) (*mat.Dense, error) {
	if a == nil || a.Rows == 0 || a.Cols == 0 {
		return nil, errorf(op, "x", nil, ErrEmpty, "")
	}
	if float64(a.Rows)*float64(a.Cols) > MaxDenseFromSparse {
		return nil, errorf(op, "x", fmt.Sprintf("sparse %d x %d", a.Rows, a.Cols), ErrTooLarge,
			fmt.Sprintf("this input is used densely; limit %d entries (%d MiB)", MaxDenseFromSparse, MaxDenseFromSparse*8>>20))
	}
	return a.Dense(), nil
}

// FitSparse fits on a sparse input (scipy CSR). With Precomputed (or
// Affinity "precomputed") a is the N x N affinity: its diagonal is ignored,
// stored entries must be non-negative and symmetric to a relative 1e-10
// (then symmetrised), as in Fit. With Affinity
// "precomputed_nearest_neighbors" a holds each row's stored neighbour
// distances (a stored 0 is a neighbour at distance 0, as in scikit-learn's
// sparse graphs): each row's Neighbors smallest give connectivity 1,
// G = (A + Aᵀ)/2. Neither is densified. For the data affinities
// (nearest_neighbors, rbf), a is the N x D data matrix, densified up to
// MaxDenseFromSparse entries.
func (le *LaplacianEigenmaps) FitSparse(a *data.CSRMatrix) error {
	const op = "le.fitsparse"
	le.fitted = false
	if a == nil || a.Rows == 0 || a.Cols == 0 {
		return errorf(op, "x", nil, ErrEmpty, "")
	}
	pre := le.Precomputed || le.Affinity == "precomputed"
	ppnn := le.Affinity == "precomputed_nearest_neighbors"
	if !pre && !ppnn {
		x, err := DenseFromSparse(op, a)
		if err != nil {
			return err
		}
		return le.Fit(x)
	}
	if a.Rows != a.Cols {
		return errorf(op, "x", fmt.Sprintf("%d x %d", a.Rows, a.Cols), ErrShape, "a precomputed affinity or neighbour graph is N x N")
	}
	var g *graph.CSR
	var err error
	if ppnn {
		g, err = sparseNeighborGraph(op, a, le.Neighbors)
	} else {
		g, err = sparseAffinityGraph(op, a)
	}
	if err != nil {
		return err
	}
	return le.fitGraph(op, g, nil)
}

// sparseAffinityGraph is affinityGraph for a CSR affinity.
func sparseAffinityGraph(op string, a *data.CSRMatrix) (*graph.CSR, error) {
	n := a.Rows
	var rows, cols []int
	var vals []float64
	scale := 1.0
	for _, v := range a.Data {
		scale = math.Max(scale, math.Abs(v))
	}
	for i := 0; i < n; i++ {
		for p := a.Indptr[i]; p < a.Indptr[i+1]; p++ {
			if j := a.Indices[p]; j != i {
				rows, cols, vals = append(rows, i), append(cols, j), append(vals, a.Data[p])
			}
		}
	}
	// Each row's entries by column, duplicates summed, to compare A with Aᵀ.
	byRow := make([][]nbr, n)
	for t, i := range rows {
		byRow[i] = append(byRow[i], nbr{cols[t], vals[t]})
	}
	for i := range byRow {
		r := byRow[i]
		sort.SliceStable(r, func(a, b int) bool { return r[a].j < r[b].j })
		out := r[:0]
		for _, e := range r {
			if len(out) > 0 && out[len(out)-1].j == e.j {
				out[len(out)-1].d += e.d
				continue
			}
			out = append(out, e)
		}
		byRow[i] = out
	}
	at := func(i, j int) float64 {
		r := byRow[i]
		q := sort.Search(len(r), func(q int) bool { return r[q].j >= j })
		if q < len(r) && r[q].j == j {
			return r[q].d
		}
		return 0
	}
	for i, r := range byRow {
		for _, e := range r {
			if back := at(e.j, i); math.Abs(e.d-back) > 1e-10*scale {
				return nil, errorf(op, fmt.Sprintf("x[%d,%d]", i, e.j), e.d, ErrShape,
					fmt.Sprintf("a precomputed affinity must be symmetric (to a relative 1e-10); x[%d,%d] = %g", e.j, i, back))
			}
		}
	}
	g, err := graph.FromTriplets(n, rows, cols, vals, graph.TripletOptions{Sym: graph.SymAvg})
	if err != nil {
		return nil, wrapGraph(op, err)
	}
	if err := g.Validate(); err != nil {
		return nil, wrapGraph(op, err)
	}
	return g, nil
}

// sparseNeighborGraph is precomputedNeighborGraph for CSR neighbour
// distances.
func sparseNeighborGraph(op string, a *data.CSRMatrix, neighbors int) (*graph.CSR, error) {
	n := a.Rows
	k := neighbors
	if k == 0 {
		k = max(n/10, 1)
	}
	if k < 1 || k >= n {
		return nil, errorf(op, "Neighbors", k, ErrParam, fmt.Sprintf("need 1 <= Neighbors < N = %d", n))
	}
	rows := make([]int, 0, n*k)
	cols := make([]int, 0, n*k)
	for i := 0; i < n; i++ {
		var stored []nbr
		for p := a.Indptr[i]; p < a.Indptr[i+1]; p++ {
			j, v := a.Indices[p], a.Data[p]
			if v < 0 {
				return nil, errorf(op, fmt.Sprintf("x[%d,%d]", i, j), v, ErrNegative, "distances must be non-negative")
			}
			if j != i {
				stored = append(stored, nbr{j, v})
			}
		}
		if len(stored) < k {
			return nil, errorf(op, fmt.Sprintf("row %d", i), fmt.Sprintf("%d stored neighbours", len(stored)), ErrParam, fmt.Sprintf("every row needs Neighbors = %d stored distances", k))
		}
		sort.SliceStable(stored, func(a, b int) bool { return stored[a].d < stored[b].d })
		for _, e := range stored[:k] {
			rows, cols = append(rows, i), append(cols, e.j)
		}
	}
	g, err := graph.FromTriplets(n, rows, cols, nil, graph.TripletOptions{Sym: graph.SymAvg})
	if err != nil {
		return nil, wrapGraph(op, err)
	}
	return g, nil
}
