package graph

import (
	"fmt"
	"math"
	"runtime"
	"slices"
	"sort"
	"sync"

	"gonum.org/v1/gonum/mat"

	"github.com/eigenssl/eigenssl/linalg"
)

// CSR is a sparse n x n matrix in compressed sparse row form. Row i holds the
// entries Val[RowPtr[i]:RowPtr[i+1]] in the columns Col[RowPtr[i]:RowPtr[i+1]],
// columns strictly increasing within a row. A relation graph G is a CSR that is
// symmetric, non-negative and has a zero diagonal (no stored diagonal entries).
//
// The zero value is the empty 0 x 0 matrix. The methods that take vectors or
// matrices (MulVecTo, MulMatTo, DirichletEnergy) are low-level kernels: they
// panic on a dimension mismatch (programmer misuse) and assume the structure
// is valid (see Validate).
type CSR struct {
	N      int
	RowPtr []int     // length N+1
	Col    []int     // length NNZ
	Val    []float64 // length NNZ
}

var (
	_ linalg.SymOperator   = (*CSR)(nil)
	_ linalg.BlockOperator = (*CSR)(nil)
)

// parallelNNZ is the number of stored entries above which products are split
// over goroutines; below it the goroutine overhead dominates.
const parallelNNZ = 1 << 15

// Size returns N.
func (g *CSR) Size() int { return g.N }

// NNZ returns the number of stored entries (twice the number of undirected
// edges for a relation graph).
func (g *CSR) NNZ() int {
	if g.N == 0 {
		return 0
	}
	return g.RowPtr[g.N]
}

// At returns the entry (i, j), 0 when it is not stored. It binary-searches row
// i: O(log deg_i). It panics when i or j is out of range.
func (g *CSR) At(i, j int) float64 {
	if uint(i) >= uint(g.N) || uint(j) >= uint(g.N) {
		panic(fmt.Sprintf("graph: At(%d, %d) out of range for N = %d", i, j, g.N))
	}
	lo, hi := g.RowPtr[i], g.RowPtr[i+1]
	cols := g.Col[lo:hi]
	k := sort.SearchInts(cols, j)
	if k < len(cols) && cols[k] == j {
		return g.Val[lo+k]
	}
	return 0
}

// rowBlocks calls fn(lo, hi) on contiguous row ranges covering 0..N-1, in
// parallel (balanced by stored entries) when the matrix is large enough.
func (g *CSR) rowBlocks(work int, fn func(lo, hi int)) {
	p := runtime.GOMAXPROCS(0)
	if p == 1 || work < parallelNNZ || g.N < 2*p {
		fn(0, g.N)
		return
	}
	nnz := g.NNZ()
	var wg sync.WaitGroup
	lo := 0
	for b := 1; b <= p && lo < g.N; b++ {
		hi := g.N
		if b < p {
			// First row whose prefix reaches b/p of the entries.
			target := nnz * b / p
			hi = sort.SearchInts(g.RowPtr[lo:g.N+1], target) + lo
			hi = max(hi, lo+1)
			hi = min(hi, g.N)
		}
		wg.Add(1)
		go func(lo, hi int) {
			defer wg.Done()
			fn(lo, hi)
		}(lo, hi)
		lo = hi
	}
	wg.Wait()
}

// MulVecTo sets dst = G x. It runs over row blocks in parallel when G has
// more than 2^15 stored entries. It panics if len(dst) or len(x) != N.
func (g *CSR) MulVecTo(dst, x []float64) {
	if len(dst) != g.N || len(x) != g.N {
		panic(fmt.Sprintf("graph: MulVecTo lengths %d, %d for N = %d", len(dst), len(x), g.N))
	}
	g.rowBlocks(g.NNZ(), func(lo, hi int) { g.mulVecRows(dst, x, lo, hi) })
}

func (g *CSR) mulVecRows(dst, x []float64, lo, hi int) {
	for i := lo; i < hi; i++ {
		s := 0.0
		for p := g.RowPtr[i]; p < g.RowPtr[i+1]; p++ {
			s += g.Val[p] * x[g.Col[p]]
		}
		dst[i] = s
	}
}

// denseRaw returns x as a row-major slice with stride, copying only when x is
// not a *mat.Dense.
func denseRaw(x mat.Matrix) (data []float64, stride int) {
	if d, ok := x.(*mat.Dense); ok && !d.IsEmpty() {
		raw := d.RawMatrix()
		return raw.Data, raw.Stride
	}
	var d mat.Dense
	d.CloneFrom(x)
	raw := d.RawMatrix()
	return raw.Data, raw.Stride
}

// prepDst checks or sizes dst as an r x c matrix (an empty dst is resized).
func prepDst(dst *mat.Dense, r, c int, op string) {
	if dst.IsEmpty() {
		dst.ReuseAs(r, c)
		return
	}
	dr, dc := dst.Dims()
	if dr != r || dc != c {
		panic(fmt.Sprintf("graph: %s dst is %dx%d; want %dx%d", op, dr, dc, r, c))
	}
}

// MulMatTo sets dst = G X for an N x b matrix X, in parallel over row blocks
// when the work (NNZ * b) exceeds 2^15. An empty dst is resized; otherwise it
// must be N x b and must not alias x. It panics on a dimension mismatch.
func (g *CSR) MulMatTo(dst *mat.Dense, x mat.Matrix) {
	r, b := x.Dims()
	if r != g.N {
		panic(fmt.Sprintf("graph: MulMatTo x has %d rows; want %d", r, g.N))
	}
	prepDst(dst, g.N, b, "MulMatTo")
	xd, xs := denseRaw(x)
	raw := dst.RawMatrix()
	g.rowBlocks(g.NNZ()*b, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			out := raw.Data[i*raw.Stride : i*raw.Stride+b]
			clear(out)
			for p := g.RowPtr[i]; p < g.RowPtr[i+1]; p++ {
				w := g.Val[p]
				row := xd[g.Col[p]*xs : g.Col[p]*xs+b]
				for t, v := range row {
					out[t] += w * v
				}
			}
		}
	})
}

// Degree returns the row sums d_i = sum_j G_ij in dst (allocated when nil; it
// panics when len(dst) != N otherwise).
func (g *CSR) Degree(dst []float64) []float64 {
	if dst == nil {
		dst = make([]float64, g.N)
	}
	if len(dst) != g.N {
		panic(fmt.Sprintf("graph: Degree dst length %d; want %d", len(dst), g.N))
	}
	for i := 0; i < g.N; i++ {
		s := 0.0
		for p := g.RowPtr[i]; p < g.RowPtr[i+1]; p++ {
			s += g.Val[p]
		}
		dst[i] = s
	}
	return dst
}

// Dense returns G as a dense N x N matrix. It is inherently O(N^2) in memory:
// use it for small graphs and tests only.
func (g *CSR) Dense() *mat.Dense {
	if g.N == 0 {
		return &mat.Dense{}
	}
	d := mat.NewDense(g.N, g.N, nil)
	for i := 0; i < g.N; i++ {
		for p := g.RowPtr[i]; p < g.RowPtr[i+1]; p++ {
			d.Set(i, g.Col[p], g.Val[p])
		}
	}
	return d
}

// FromDense returns the nonzero entries of the square matrix a as a CSR,
// diagonal included (use WithoutDiagonal for a relation graph built from an
// affinity whose diagonal is to be ignored, as scikit-learn does). It returns
// an *Error wrapping ErrEmpty, ErrShape (not square) or ErrNaN. The result is
// not validated as a relation graph; call Validate.
func FromDense(a mat.Matrix) (*CSR, error) {
	r, c := a.Dims()
	if r == 0 || c == 0 {
		return nil, newErr("fromdense", "a", fmt.Sprintf("%dx%d", r, c), ErrEmpty)
	}
	if r != c {
		return nil, newErr("fromdense", "a", fmt.Sprintf("%dx%d", r, c), ErrShape)
	}
	g := &CSR{N: r, RowPtr: make([]int, r+1)}
	for i := 0; i < r; i++ {
		for j := 0; j < r; j++ {
			v := a.At(i, j)
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, newErr("fromdense", fmt.Sprintf("a[%d,%d]", i, j), v, ErrNaN)
			}
			if v != 0 {
				g.Col = append(g.Col, j)
				g.Val = append(g.Val, v)
			}
		}
		g.RowPtr[i+1] = len(g.Col)
	}
	return g, nil
}

// WithoutDiagonal returns a copy of g with the stored diagonal entries
// removed.
func (g *CSR) WithoutDiagonal() *CSR {
	out := &CSR{N: g.N, RowPtr: make([]int, g.N+1)}
	out.Col = make([]int, 0, g.NNZ())
	out.Val = make([]float64, 0, g.NNZ())
	for i := 0; i < g.N; i++ {
		for p := g.RowPtr[i]; p < g.RowPtr[i+1]; p++ {
			if g.Col[p] != i {
				out.Col = append(out.Col, g.Col[p])
				out.Val = append(out.Val, g.Val[p])
			}
		}
		out.RowPtr[i+1] = len(out.Col)
	}
	return out
}

// Edges calls fn(i, j, w) for every stored entry with i < j (the upper
// triangle: each undirected edge of a symmetric G once), in row-major order.
func (g *CSR) Edges(fn func(i, j int, w float64)) {
	for i := 0; i < g.N; i++ {
		for p := g.RowPtr[i]; p < g.RowPtr[i+1]; p++ {
			if g.Col[p] > i {
				fn(i, g.Col[p], g.Val[p])
			}
		}
	}
}

// NumEdges returns the number of stored entries with i < j (the number of
// undirected edges of a symmetric G).
func (g *CSR) NumEdges() int {
	n := 0
	g.Edges(func(int, int, float64) { n++ })
	return n
}

// IsSymmetric reports whether |G_ij - G_ji| <= tol for every stored entry
// (an entry missing on one side counts as 0). Cost O(NNZ log maxdeg).
func (g *CSR) IsSymmetric(tol float64) bool {
	_, _, ok := g.firstAsymmetric(tol)
	return ok
}

func (g *CSR) firstAsymmetric(tol float64) (int, int, bool) {
	for i := 0; i < g.N; i++ {
		for p := g.RowPtr[i]; p < g.RowPtr[i+1]; p++ {
			j := g.Col[p]
			if !(math.Abs(g.Val[p]-g.At(j, i)) <= tol) {
				return i, j, false
			}
		}
	}
	return 0, 0, true
}

// firstAsymmetricSorted is firstAsymmetric(0) in O(NNZ + N) for rows with
// strictly increasing columns: rows are visited in order, so the lookups
// of row j (for G_ji) come with increasing i and one cursor per row finds
// them by a merge instead of a binary search.
func (g *CSR) firstAsymmetricSorted() (int, int, bool) {
	cur := slices.Clone(g.RowPtr[:g.N])
	for i := 0; i < g.N; i++ {
		for p := g.RowPtr[i]; p < g.RowPtr[i+1]; p++ {
			j := g.Col[p]
			q, end := cur[j], g.RowPtr[j+1]
			for q < end && g.Col[q] < i {
				q++
			}
			cur[j] = q
			wji := 0.0
			if q < end && g.Col[q] == i {
				wji = g.Val[q]
			}
			if g.Val[p] != wji {
				return i, j, false
			}
		}
	}
	return 0, 0, true
}

// Validate checks that g is a well-formed relation graph: RowPtr of length
// N+1, non-decreasing from 0 to len(Col) == len(Val), columns in range and
// strictly increasing per row, no diagonal entries, finite non-negative
// weights, and exact symmetry G_ij == G_ji. It returns nil or an *Error
// naming the first offending entry, wrapping ErrStructure, ErrIndex,
// ErrSelfLoop, ErrNaN, ErrNegativeWeight or ErrAsymmetric.
func (g *CSR) Validate() error {
	const op = "validate"
	if g.N < 0 {
		return newErr(op, "N", g.N, ErrStructure)
	}
	if g.N == 0 && len(g.RowPtr) <= 1 && len(g.Col) == 0 && len(g.Val) == 0 {
		return nil
	}
	if len(g.RowPtr) != g.N+1 {
		return newErr(op, "len(RowPtr)", len(g.RowPtr), ErrStructure)
	}
	if g.RowPtr[0] != 0 {
		return newErr(op, "RowPtr[0]", g.RowPtr[0], ErrStructure)
	}
	if len(g.Col) != len(g.Val) || g.RowPtr[g.N] != len(g.Col) {
		return newErr(op, "RowPtr[N], len(Col), len(Val)",
			fmt.Sprint(g.RowPtr[g.N], len(g.Col), len(g.Val)), ErrStructure)
	}
	for i := 0; i < g.N; i++ {
		if g.RowPtr[i+1] < g.RowPtr[i] {
			return newErr(op, fmt.Sprintf("RowPtr[%d]", i+1), g.RowPtr[i+1], ErrStructure)
		}
		prev := -1
		for p := g.RowPtr[i]; p < g.RowPtr[i+1]; p++ {
			j, w := g.Col[p], g.Val[p]
			// The entry name is formatted only on failure: this loop runs
			// over every stored entry.
			name := func() string { return fmt.Sprintf("G[%d,%d]", i, j) }
			switch {
			case j < 0 || j >= g.N:
				return newErr(op, name(), j, ErrIndex)
			case j <= prev:
				return newErr(op, fmt.Sprintf("row %d column %d", i, j), "not strictly increasing", ErrStructure)
			case j == i:
				return newErr(op, name(), w, ErrSelfLoop)
			case math.IsNaN(w) || math.IsInf(w, 0):
				return newErr(op, name(), w, ErrNaN)
			case w < 0:
				return newErr(op, name(), w, ErrNegativeWeight)
			}
			prev = j
		}
	}
	if i, j, ok := g.firstAsymmetricSorted(); !ok {
		return newErr(op, fmt.Sprintf("G[%d,%d] != G[%d,%d]", i, j, j, i),
			fmt.Sprint(g.At(i, j), " vs ", g.At(j, i)), ErrAsymmetric)
	}
	return nil
}

// DirichletEnergy returns sum_{i,j} G_ij ||z_i - z_j||^2 over ordered pairs
// (each undirected edge counted twice) for the N x K matrix z, computed from
// the stored entries in O(NNZ K). For a symmetric G it equals
// 2 Tr(Z^T L Z) with L = D - G. It panics when z does not have N rows.
func (g *CSR) DirichletEnergy(z mat.Matrix) float64 {
	r, k := z.Dims()
	if r != g.N {
		panic(fmt.Sprintf("graph: DirichletEnergy z has %d rows; want %d", r, g.N))
	}
	zd, zs := denseRaw(z)
	var total float64
	for i := 0; i < g.N; i++ {
		zi := zd[i*zs : i*zs+k]
		for p := g.RowPtr[i]; p < g.RowPtr[i+1]; p++ {
			zj := zd[g.Col[p]*zs : g.Col[p]*zs+k]
			s := 0.0
			for t, v := range zi {
				d := v - zj[t]
				s += d * d
			}
			total += g.Val[p] * s
		}
	}
	return total
}
