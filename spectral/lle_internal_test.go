package spectral

import (
	"errors"
	"math"
	"slices"
	"testing"

	"github.com/eigenssl/eigenssl/data"
	"github.com/eigenssl/eigenssl/graph"
	"github.com/eigenssl/eigenssl/linalg"
	"gonum.org/v1/gonum/mat"
)

// The shift-invert path (envelope L D Lᵀ of M + εI after RCM, Lanczos on
// the projected inverse) returns the bottom of M above the constant, as the
// dense eigendecomposition of M does, for every LLE method.
func TestLLEShiftInvertMatchesDense(t *testing.T) {
	ds, err := data.SwissRoll(500, 4, 0.05, 7)
	if err != nil {
		t.Fatal(err)
	}
	x := ds.X
	n, _ := x.Dims()
	const k, kc = 10, 2
	idx, w, ops := lleOps(t, x, k, kc)
	dense := map[string]func() *mat.SymDense{
		"standard": func() *mat.SymDense { return refLLEMatrix(n, k, idx, w) },
		"ltsa":     ops["ltsa"].(*ltsaOp).refDense,
		"hessian":  ops["hessian"].(*factorOp).refDense,
		"modified": ops["modified"].(*factorOp).refDense,
	}
	for name, o := range ops {
		// The assembled sparse M and denseBlockSum's M equal the
		// reference dense one, formed from each method's own formula.
		m, blocks := assemblePattern(o, n)
		blocks.fill(o, m)
		md := dense[name]()
		if d := maxAbsDiff(denseBlockSum(o, n), md); d > 1e-12 {
			t.Fatalf("%s: denseBlockSum differs from the reference M by %g", name, d)
		}
		for r := 0; r < n; r++ {
			row := make([]float64, n)
			for q := m.ptr[r]; q < m.ptr[r+1]; q++ {
				row[m.col[q]] = m.val[q]
			}
			for c, v := range row {
				if d := v - md.At(r, c); d > 1e-12 || d < -1e-12 {
					t.Fatalf("%s: M[%d,%d] = %g; dense %g", name, r, c, v, md.At(r, c))
				}
			}
		}
		vals, vecs, ok := shiftInvertBottom(o, n, kc, 0, 0, 1)
		if !ok {
			t.Fatalf("%s: shift-invert declined or failed", name)
		}
		dv, dvec, err := linalg.EigSymRange(md, 0, kc+1)
		if err != nil {
			t.Fatal(err)
		}
		ang, err := linalg.PrincipalAngles(vecs, dvec.Slice(0, n, 1, kc+1))
		if err != nil {
			t.Fatal(err)
		}
		for i, a := range ang {
			if a > 1e-6 {
				t.Fatalf("%s: principal angle %d = %g", name, i, a)
			}
		}
		// The dense reference is itself accurate to about N·eps·‖M‖
		// (~1e-13 here) in absolute terms.
		for i, v := range vals {
			if d := math.Abs(v - dv[i+1]); d > 1e-6*dv[i+1]+1e-12 {
				t.Fatalf("%s: eigenvalue %d = %g; dense %g", name, i, v, dv[i+1])
			}
		}
	}
}

// lleMethodOp is the operator M of an LLE method, as Fit builds it.
type lleMethodOp interface {
	blockSum
	linalg.SymOperator
}

// lleOps returns the neighbour lists and standard LLE weights of x (k
// neighbours, Reg 1e-3) and the operator M of every method for kc
// components.
func lleOps(t *testing.T, x *mat.Dense, k, kc int) (idx []int, w []float64, ops map[string]lleMethodOp) {
	t.Helper()
	n, _ := x.Dims()
	idx, _, err := selfNeighbors("test", x, k, graph.KNNOptions{})
	if err != nil {
		t.Fatal(err)
	}
	w = make([]float64, n*k)
	for i := 0; i < n; i++ {
		barycenter(x.RawRowView(i), x, idx[i*k:(i+1)*k], 1e-3, w[i*k:(i+1)*k], nil)
	}
	g, err := ltsaBases(x, idx, k, kc)
	if err != nil {
		t.Fatal(err)
	}
	ho, err := hessianOp(x, idx, k, kc)
	if err != nil {
		t.Fatal(err)
	}
	return idx, w, map[string]lleMethodOp{
		"standard": newLLEOp(n, k, idx, w),
		"ltsa":     &ltsaOp{n: n, k: k, c: kc + 1, idx: idx, g: g},
		"hessian":  ho,
		"modified": modifiedOp(x, idx, k, kc),
	}
}

// refLLEMatrix forms M = (I − W)ᵀ(I − W) of standard LLE entry by entry.
func refLLEMatrix(n, k int, idx []int, w []float64) *mat.SymDense {
	m := mat.NewDense(n, n, nil)
	for i := 0; i < n; i++ {
		m.Set(i, i, m.At(i, i)+1)
		for a := 0; a < k; a++ {
			ja, wa := idx[i*k+a], w[i*k+a]
			m.Set(i, ja, m.At(i, ja)-wa)
			m.Set(ja, i, m.At(ja, i)-wa)
			for b := 0; b < k; b++ {
				jb := idx[i*k+b]
				m.Set(ja, jb, m.At(ja, jb)+wa*w[i*k+b])
			}
		}
	}
	return mat.NewSymDense(n, m.RawMatrix().Data)
}

// refDense forms LTSA's M = Σ_i S_i (I − G_i G_iᵀ) S_iᵀ entry by entry.
func (o *ltsaOp) refDense() *mat.SymDense {
	m := mat.NewDense(o.n, o.n, nil)
	for i := 0; i < o.n; i++ {
		nb := o.idx[i*o.k : (i+1)*o.k]
		gi := o.g[i*o.k*o.c : (i+1)*o.k*o.c]
		for a, va := range nb {
			m.Set(va, va, m.At(va, va)+1)
			for b, vb := range nb {
				s := 0.0
				for j := 0; j < o.c; j++ {
					s += gi[a*o.c+j] * gi[b*o.c+j]
				}
				m.Set(va, vb, m.At(va, vb)-s)
			}
		}
	}
	return mat.NewSymDense(o.n, m.RawMatrix().Data)
}

// refDense forms M = Σ_i S_i F_i F_iᵀ S_iᵀ (modified and Hessian LLE)
// entry by entry.
func (o *factorOp) refDense() *mat.SymDense {
	m := mat.NewDense(o.n, o.n, nil)
	for i := 0; i+1 < len(o.ptr); i++ {
		nb := o.idx[o.ptr[i]:o.ptr[i+1]]
		r := o.rank[i]
		fi := o.f[o.fptr[i] : o.fptr[i]+len(nb)*r]
		for a, va := range nb {
			for b, vb := range nb {
				s := 0.0
				for c := 0; c < r; c++ {
					s += fi[a*r+c] * fi[b*r+c]
				}
				m.Set(va, vb, m.At(va, vb)+s)
			}
		}
	}
	return mat.NewSymDense(o.n, m.RawMatrix().Data)
}

func maxAbsDiff(a, b *mat.SymDense) float64 {
	n := a.SymmetricDim()
	d := 0.0
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			d = math.Max(d, math.Abs(a.At(i, j)-b.At(i, j)))
		}
	}
	return d
}

// When neither shift-invert nor the filtered solver applies (both forced
// off here), SolverAuto runs Lanczos on M and falls back to the dense
// solver when it does not converge; SolverIterative reports
// ErrNoConvergence instead.
func TestLLEAutoFallback(t *testing.T) {
	defer func(v float64, f bool) { maxShiftInvertFlops, useFilter = v, f }(maxShiftInvertFlops, useFilter)
	maxShiftInvertFlops, useFilter = 0, false
	ds, err := data.SwissRoll(400, 4, 0.05, 4)
	if err != nil {
		t.Fatal(err)
	}
	dense := &LLE{Components: 2, Neighbors: 10, Solver: SolverDense}
	auto := &LLE{Components: 2, Neighbors: 10, MaxIter: 2}
	for _, m := range []*LLE{dense, auto} {
		if err := m.Fit(ds.X); err != nil {
			t.Fatal(err)
		}
	}
	ang, err := linalg.PrincipalAngles(auto.Embedding(), dense.Embedding())
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range ang {
		if a > 1e-9 {
			t.Fatalf("auto fallback differs from dense by %g rad", a)
		}
	}
	strict := &LLE{Components: 2, Neighbors: 10, MaxIter: 2, Solver: SolverIterative}
	if err := strict.Fit(ds.X); !errors.Is(err, ErrNoConvergence) {
		t.Fatalf("iterative LLE with 2 restarts: %v; want ErrNoConvergence", err)
	}
}

// pathSym is the sparse pattern (unit entries, diagonal included) of the
// undirected paths listed in paths over n vertices.
func pathSym(n int, paths [][]int) *sparseSym {
	adj := make([][]int, n)
	for r := range adj {
		adj[r] = []int{r}
	}
	for _, p := range paths {
		for v := 0; v+1 < len(p); v++ {
			adj[p[v]] = append(adj[p[v]], p[v+1])
			adj[p[v+1]] = append(adj[p[v+1]], p[v])
		}
	}
	m := &sparseSym{n: n, ptr: make([]int, n+1)}
	for r, row := range adj {
		slices.Sort(row)
		for _, c := range row {
			m.col, m.val = append(m.col, c), append(m.val, 1)
		}
		m.ptr[r+1] = len(m.col)
	}
	return m
}

// rcm orders each component contiguously and, on paths listed in a
// scrambled order, recovers a bandwidth-1 ordering; many components (each
// with its own trial searches for a start) share one marker array.
func TestRCMComponents(t *testing.T) {
	const paths, length = 50, 7
	n := paths * length
	// Vertex v of path p is old index scramble(p*length+v).
	scramble := func(i int) int { return (i * 37) % n } // 37 is prime to n = 350
	ps := make([][]int, paths)
	for p := range ps {
		for v := 0; v < length; v++ {
			ps[p] = append(ps[p], scramble(p*length+v))
		}
	}
	m := pathSym(n, ps)
	perm := m.rcm()
	inv := make([]int, n)
	for i := range inv {
		inv[i] = -1
	}
	for i, old := range perm {
		if old < 0 || old >= n || inv[old] >= 0 {
			t.Fatalf("perm is not a permutation: %v", perm)
		}
		inv[old] = i
	}
	for _, p := range ps {
		for v := 0; v+1 < len(p); v++ {
			if d := inv[p[v]] - inv[p[v+1]]; d != 1 && d != -1 {
				t.Fatalf("edge (%d, %d) at positions %d, %d; want adjacent", p[v], p[v+1], inv[p[v]], inv[p[v+1]])
			}
		}
	}
	// George–Liu start, worked by hand: on the path 5-3-0-1-2-4-6 the
	// search from 0 ends at 6 (depth 4), the one from 6 at 5 (depth 6,
	// deeper), the one from 5 at 6 (not deeper): the start is 5, so the
	// Cuthill–McKee order 5 3 0 1 2 4 6, reversed. The second path is the
	// same shape shifted by 7 and comes first in the reversed order.
	m = pathSym(14, [][]int{{5, 3, 0, 1, 2, 4, 6}, {12, 10, 7, 8, 9, 11, 13}})
	want := []int{13, 11, 9, 8, 7, 10, 12, 6, 4, 2, 1, 0, 3, 5}
	if got := m.rcm(); !slices.Equal(got, want) {
		t.Fatalf("rcm = %v; want %v", got, want)
	}
}
