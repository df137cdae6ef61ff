package graph

import (
	"cmp"
	"fmt"
	"log/slog"
	"math"
	"slices"
)

// Info summarises a relation graph. Builders return it so that isolated
// vertices and several connected components are reported rather than silently
// ignored (a spectral method sees one null vector of L per component).
type Info struct {
	// Source describes how the graph was built, e.g. "views(N'=100,V=2)",
	// "knn(k=10,euclidean,union,binary)" or "file(edges.csv)".
	Source string
	// N is the number of vertices.
	N int
	// Edges is the number of undirected edges (stored entries with i < j).
	Edges int
	// Components is the number of connected components (isolated vertices
	// count as components).
	Components int
	// Isolated is the number of vertices without any edge.
	Isolated int
	// MinDegree, MaxDegree and MeanDegree are taken over the weighted
	// degrees d_i = sum_j G_ij.
	MinDegree, MaxDegree, MeanDegree float64
}

// Describe computes the Info of g, labelled with source. Cost O(N + NNZ).
func Describe(g *CSR, source string) Info {
	in := Info{Source: source, N: g.N, Edges: g.NumEdges()}
	_, in.Components = Components(g)
	if g.N == 0 {
		return in
	}
	deg := g.Degree(nil)
	in.MinDegree, in.MaxDegree = math.Inf(1), math.Inf(-1)
	sum := 0.0
	for i, d := range deg {
		in.MinDegree = min(in.MinDegree, d)
		in.MaxDegree = max(in.MaxDegree, d)
		sum += d
		if g.RowPtr[i+1] == g.RowPtr[i] {
			in.Isolated++
		}
	}
	in.MeanDegree = sum / float64(g.N)
	return in
}

// describe is Describe plus a Debug-level slog record for disconnected
// graphs, used by the builders whose connectivity depends on the data (KNN,
// EpsilonBall, FromEdges, ReadEdgeFile). It is not a warning: builders run
// once per batch in training loops, and the returned Info (Components,
// Isolated) is the documented way to react to a disconnected graph.
func describe(g *CSR, source string) Info {
	in := Describe(g, source)
	if in.Components > 1 {
		slog.Debug("graph: relation graph is disconnected", "source", source,
			"n", in.N, "components", in.Components, "isolated", in.Isolated)
	}
	return in
}

// Symmetrize says how FromTriplets turns the directed input A into a
// symmetric G. Missing entries count as 0.
type Symmetrize int

const (
	// SymNone requires A to be symmetric already (exactly); otherwise
	// FromTriplets returns ErrAsymmetric naming the first asymmetric pair.
	SymNone Symmetrize = iota
	// SymMax: G_ij = max(A_ij, A_ji) (union of edges).
	SymMax
	// SymAvg: G = (A + A^T) / 2 (scikit-learn's symmetrisation).
	SymAvg
	// SymSum: G = A + A^T.
	SymSum
	// SymMin: G_ij = min(A_ij, A_ji) (mutual edges only: a one-sided entry
	// disappears).
	SymMin
)

func (s Symmetrize) String() string {
	switch s {
	case SymNone:
		return "none"
	case SymMax:
		return "max"
	case SymAvg:
		return "avg"
	case SymSum:
		return "sum"
	case SymMin:
		return "min"
	}
	return fmt.Sprintf("Symmetrize(%d)", int(s))
}

// TripletOptions configures FromTriplets. The zero value requires symmetric
// input and refuses self loops.
type TripletOptions struct {
	Sym Symmetrize
	// DropSelfLoops drops entries with row == col instead of returning
	// ErrSelfLoop.
	DropSelfLoops bool
}

// FromTriplets builds an n x n relation graph from the entries
// (rows[t], cols[t], vals[t]); vals nil means all weights 1. Duplicate
// (row, col) entries are summed, then the result is symmetrised according to
// opt.Sym. Listed entries are stored even when their value is 0 (the
// structure is what was given); SymMin removes one-sided entries.
//
// It returns an *Error wrapping ErrEmpty (n <= 0), ErrShape (length
// mismatch), ErrIndex (index outside [0, n)), ErrNaN, ErrNegativeWeight,
// ErrSelfLoop (unless dropped), ErrParam (unknown Sym) or ErrAsymmetric
// (SymNone and A != A^T). Cost O(nnz log nnz).
func FromTriplets(n int, rows, cols []int, vals []float64, opt TripletOptions) (*CSR, error) {
	const op = "fromtriplets"
	if n <= 0 {
		return nil, newErr(op, "n", n, ErrEmpty)
	}
	if len(rows) != len(cols) || (vals != nil && len(vals) != len(rows)) {
		return nil, newErr(op, "len(rows), len(cols), len(vals)",
			fmt.Sprint(len(rows), len(cols), len(vals)), ErrShape)
	}
	if opt.Sym < SymNone || opt.Sym > SymMin {
		return nil, newErr(op, "Sym", int(opt.Sym), ErrParam)
	}
	type ent struct {
		i, j int
		w    float64
	}
	es := make([]ent, 0, len(rows))
	for t := range rows {
		i, j, w := rows[t], cols[t], 1.0
		if vals != nil {
			w = vals[t]
		}
		switch {
		case i < 0 || i >= n:
			return nil, newErr(op, fmt.Sprintf("rows[%d]", t), i, ErrIndex)
		case j < 0 || j >= n:
			return nil, newErr(op, fmt.Sprintf("cols[%d]", t), j, ErrIndex)
		case math.IsNaN(w) || math.IsInf(w, 0):
			return nil, newErr(op, fmt.Sprintf("vals[%d]", t), w, ErrNaN)
		case w < 0:
			return nil, newErr(op, fmt.Sprintf("vals[%d]", t), w, ErrNegativeWeight)
		case i == j:
			if opt.DropSelfLoops {
				continue
			}
			return nil, newErr(op, fmt.Sprintf("(rows[%d], cols[%d])", t, t), fmt.Sprintf("(%d, %d)", i, j), ErrSelfLoop)
		}
		es = append(es, ent{i, j, w})
	}
	slices.SortStableFunc(es, func(a, b ent) int {
		if c := cmp.Compare(a.i, b.i); c != 0 {
			return c
		}
		return cmp.Compare(a.j, b.j)
	})
	// A: directed, duplicates summed (in input order, for determinism).
	a := &CSR{N: n, RowPtr: make([]int, n+1)}
	for t := 0; t < len(es); t++ {
		e := es[t]
		if k := len(a.Col); k > 0 && a.Col[k-1] == e.j && t > 0 && es[t-1].i == e.i {
			a.Val[k-1] += e.w
			continue
		}
		a.Col = append(a.Col, e.j)
		a.Val = append(a.Val, e.w)
		a.RowPtr[e.i+1]++
	}
	for i := 0; i < n; i++ {
		a.RowPtr[i+1] += a.RowPtr[i]
	}
	if opt.Sym == SymNone {
		if i, j, ok := a.firstAsymmetric(0); !ok {
			return nil, newErr(op, fmt.Sprintf("A[%d,%d] != A[%d,%d]", i, j, j, i),
				fmt.Sprint(a.At(i, j), " vs ", a.At(j, i)), ErrAsymmetric)
		}
		return a, nil
	}
	return symmetrize(a, opt.Sym), nil
}

// transpose returns A^T (columns sorted per row by construction).
func transpose(a *CSR) *CSR {
	n, nnz := a.N, a.NNZ()
	t := &CSR{N: n, RowPtr: make([]int, n+1), Col: make([]int, nnz), Val: make([]float64, nnz)}
	for _, j := range a.Col {
		t.RowPtr[j+1]++
	}
	for i := 0; i < n; i++ {
		t.RowPtr[i+1] += t.RowPtr[i]
	}
	next := slices.Clone(t.RowPtr[:n])
	for i := 0; i < n; i++ {
		for p := a.RowPtr[i]; p < a.RowPtr[i+1]; p++ {
			q := next[a.Col[p]]
			t.Col[q] = i
			t.Val[q] = a.Val[p]
			next[a.Col[p]]++
		}
	}
	return t
}

// symmetrize merges the rows of A and A^T entry by entry.
func symmetrize(a *CSR, s Symmetrize) *CSR {
	t := transpose(a)
	n := a.N
	g := &CSR{N: n, RowPtr: make([]int, n+1)}
	g.Col = make([]int, 0, a.NNZ()+t.NNZ())
	g.Val = make([]float64, 0, a.NNZ()+t.NNZ())
	emit := func(j int, x float64, hasX bool, y float64, hasY bool) {
		var w float64
		switch s {
		case SymMax:
			w = max(x, y)
		case SymAvg:
			w = 0.5 * (x + y)
		case SymSum:
			w = x + y
		case SymMin:
			if !hasX || !hasY {
				return
			}
			w = min(x, y)
		}
		g.Col = append(g.Col, j)
		g.Val = append(g.Val, w)
	}
	for i := 0; i < n; i++ {
		p, pe := a.RowPtr[i], a.RowPtr[i+1]
		q, qe := t.RowPtr[i], t.RowPtr[i+1]
		for p < pe || q < qe {
			switch {
			case q >= qe || (p < pe && a.Col[p] < t.Col[q]):
				emit(a.Col[p], a.Val[p], true, 0, false)
				p++
			case p >= pe || t.Col[q] < a.Col[p]:
				emit(t.Col[q], 0, false, t.Val[q], true)
				q++
			default:
				emit(a.Col[p], a.Val[p], true, t.Val[q], true)
				p++
				q++
			}
		}
		g.RowPtr[i+1] = len(g.Col)
	}
	return g
}

// Views returns the augmentation graph of V views of nOrig originals, with
// the rows stacked view by view: vertex i = v*nOrig + n is view v of sample
// n, and G_ij = 1 iff i != j and i = j (mod nOrig), i.e.
//
//	G = (J_V - I_V) ⊗ I_{nOrig},
//
// nOrig disjoint V-cliques. Its spectrum is V-1 (multiplicity nOrig) and -1
// (multiplicity nOrig(V-1)); L = (V-1) I - G. It returns ErrEmpty when
// nOrig < 1 and ErrParam when V < 2 (a single view has no positive pairs).
func Views(nOrig, V int) (*CSR, Info, error) {
	const op = "views"
	if nOrig < 1 {
		return nil, Info{}, newErr(op, "nOrig", nOrig, ErrEmpty)
	}
	if V < 2 {
		return nil, Info{}, newErr(op, "V", V, ErrParam)
	}
	n := nOrig * V
	g := &CSR{N: n, RowPtr: make([]int, n+1), Col: make([]int, 0, n*(V-1)), Val: make([]float64, 0, n*(V-1))}
	for v := 0; v < V; v++ {
		for s := 0; s < nOrig; s++ {
			for u := 0; u < V; u++ {
				if u != v {
					g.Col = append(g.Col, u*nOrig+s)
					g.Val = append(g.Val, 1)
				}
			}
			g.RowPtr[v*nOrig+s+1] = len(g.Col)
		}
	}
	// Disconnected by construction (nOrig components): no warning.
	return g, Describe(g, fmt.Sprintf("views(N'=%d,V=%d)", nOrig, V)), nil
}

// Labels returns the supervised relation G_ij = 1 iff y_i == y_j and i != j,
// i.e. G = Y Y^T - I for the one-hot label matrix Y: one clique per class. A
// negative label marks an unlabelled vertex, which gets no edges (and is
// reported as isolated). The graph stores sum_c n_c (n_c - 1) entries, which
// is O(N^2 / C) for balanced classes. It returns ErrEmpty for an empty y.
func Labels(y []int) (*CSR, Info, error) {
	const op = "labels"
	if len(y) == 0 {
		return nil, Info{}, newErr(op, "y", "[]", ErrEmpty)
	}
	members := map[int][]int{}
	for i, c := range y {
		if c >= 0 {
			members[c] = append(members[c], i)
		}
	}
	n := len(y)
	g := &CSR{N: n, RowPtr: make([]int, n+1)}
	nnz := 0
	for _, m := range members {
		nnz += len(m) * (len(m) - 1)
	}
	g.Col = make([]int, 0, nnz)
	g.Val = make([]float64, 0, nnz)
	for i, c := range y {
		if c >= 0 {
			for _, j := range members[c] {
				if j != i {
					g.Col = append(g.Col, j)
					g.Val = append(g.Val, 1)
				}
			}
		}
		g.RowPtr[i+1] = len(g.Col)
	}
	// One component per class by construction: no warning.
	return g, Describe(g, fmt.Sprintf("labels(classes=%d)", len(members))), nil
}

// FromEdges builds the undirected graph on n vertices with the edges
// {edges[t][0], edges[t][1]} and weights weights[t] (nil: all 1). A pair may
// be listed several times, in either direction, if the weight is the same
// each time (it is one edge); different weights for one pair give
// ErrDuplicate naming the pair. Other errors: ErrEmpty (n <= 0), ErrShape
// (len(weights) != len(edges)), ErrIndex, ErrSelfLoop, ErrNaN,
// ErrNegativeWeight. A zero weight is stored as an explicit zero entry.
func FromEdges(n int, edges [][2]int, weights []float64) (*CSR, Info, error) {
	g, err := fromEdges("fromedges", n, edges, weights, func(t int) string { return fmt.Sprintf("edges[%d]", t) })
	if err != nil {
		return nil, Info{}, err
	}
	return g, describe(g, fmt.Sprintf("edges(n=%d,m=%d)", n, g.NumEdges())), nil
}

// fromEdges is FromEdges with a caller-chosen name for entry t (file:line).
func fromEdges(op string, n int, edges [][2]int, weights []float64, name func(t int) string) (*CSR, error) {
	if n <= 0 {
		return nil, newErr(op, "n", n, ErrEmpty)
	}
	if weights != nil && len(weights) != len(edges) {
		return nil, newErr(op, "len(weights)", len(weights), ErrShape)
	}
	type ent struct {
		i, j, t int
		w       float64
	}
	es := make([]ent, len(edges))
	for t, e := range edges {
		i, j, w := e[0], e[1], 1.0
		if weights != nil {
			w = weights[t]
		}
		switch {
		case i < 0 || i >= n:
			return nil, newErr(op, name(t), i, ErrIndex)
		case j < 0 || j >= n:
			return nil, newErr(op, name(t), j, ErrIndex)
		case i == j:
			return nil, newErr(op, name(t), fmt.Sprintf("(%d, %d)", i, j), ErrSelfLoop)
		case math.IsNaN(w) || math.IsInf(w, 0):
			return nil, newErr(op, name(t), w, ErrNaN)
		case w < 0:
			return nil, newErr(op, name(t), w, ErrNegativeWeight)
		}
		es[t] = ent{min(i, j), max(i, j), t, w}
	}
	slices.SortStableFunc(es, func(a, b ent) int {
		if c := cmp.Compare(a.i, b.i); c != 0 {
			return c
		}
		return cmp.Compare(a.j, b.j)
	})
	rows := make([]int, 0, 2*len(es))
	cols := make([]int, 0, 2*len(es))
	vals := make([]float64, 0, 2*len(es))
	for t, e := range es {
		if t > 0 && es[t-1].i == e.i && es[t-1].j == e.j {
			if es[t-1].w != e.w {
				return nil, newErr(op, name(e.t)+fmt.Sprintf(" pair (%d, %d)", e.i, e.j),
					fmt.Sprint(es[t-1].w, " vs ", e.w), ErrDuplicate)
			}
			continue
		}
		rows = append(rows, e.i, e.j)
		cols = append(cols, e.j, e.i)
		vals = append(vals, e.w, e.w)
	}
	return FromTriplets(n, rows, cols, vals, TripletOptions{})
}
