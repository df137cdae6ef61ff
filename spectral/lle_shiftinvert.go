package spectral

import (
	"math"
	"slices"

	"github.com/eigenssl/eigenssl/linalg"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// LLE's alignment matrix M is sparse (each neighbourhood adds a dense block)
// and its wanted eigenvalues are tiny and clustered, where Lanczos on M
// itself needs hundreds of restarts. scikit-learn's ARPACK path is
// shift-invert at σ = 0 with a sparse LU of M. The same here: M + εI is
// factored as L D Lᵀ in its envelope after a reverse Cuthill–McKee ordering
// (small for data on a low-dimensional manifold), and Lanczos runs on
// (M + εI)⁻¹, whose largest eigenvalues 1/(λ + ε) are the smallest λ of M,
// well separated. The eigenvalues are then recomputed as Rayleigh
// quotients vᵀMv. When the envelope would be too large (data of high
// intrinsic dimension) the caller falls back to Lanczos on M.

// blockSum describes M = Σ_b S_b B_b S_bᵀ: block b has index set S_b and a
// symmetric |S_b| x |S_b| matrix B_b given entrywise.
type blockSum interface {
	numBlocks() int
	block(b int) []int
	entry(b, s, t int) float64
}

// standard LLE: block i on [i, nbrs(i)], B = v vᵀ with v = (1, −w).
func (o *lleOp) numBlocks() int { return o.n }
func (o *lleOp) block(b int) []int {
	s := make([]int, 1, o.k+1)
	s[0] = b
	for _, j := range o.idx[b*o.k : (b+1)*o.k] {
		s = append(s, int(j))
	}
	return s
}
func (o *lleOp) entry(b, s, t int) float64 { return o.coef(b, s) * o.coef(b, t) }
func (o *lleOp) coef(b, s int) float64 {
	if s == 0 {
		return 1
	}
	return -o.w[b*o.k+s-1]
}

// LTSA: block i on nbrs(i), B = I − G Gᵀ.
func (o *ltsaOp) numBlocks() int    { return o.n }
func (o *ltsaOp) block(b int) []int { return o.idx[b*o.k : (b+1)*o.k] }
func (o *ltsaOp) entry(b, s, t int) float64 {
	gi := o.g[b*o.k*o.c : (b+1)*o.k*o.c]
	v := 0.0
	if s == t {
		v = 1
	}
	for c := 0; c < o.c; c++ {
		v -= gi[s*o.c+c] * gi[t*o.c+c]
	}
	return v
}

// modified and Hessian LLE: B = F Fᵀ.
func (o *factorOp) numBlocks() int    { return len(o.rank) }
func (o *factorOp) block(b int) []int { return o.idx[o.ptr[b]:o.ptr[b+1]] }
func (o *factorOp) entry(b, s, t int) float64 {
	r := o.rank[b]
	f := o.f[o.fptr[b]:]
	v := 0.0
	for c := 0; c < r; c++ {
		v += f[s*r+c] * f[t*r+c]
	}
	return v
}

// denseBlockSum forms M = Σ_b S_b B_b S_bᵀ densely (inherently O(N²)
// memory: the small-N and fallback path of LLE).
func denseBlockSum(bs blockSum, n int) *mat.SymDense {
	m := make([]float64, n*n)
	for b := 0; b < bs.numBlocks(); b++ {
		s := bs.block(b)
		for p, r := range s {
			row := m[r*n : (r+1)*n]
			for q, c := range s {
				row[c] += bs.entry(b, p, q)
			}
		}
	}
	return mat.NewSymDense(n, m)
}

// sparseSym is a symmetric matrix in CSR with both triangles stored; the
// columns of a row are in any order (assemblePattern's: as first met).
type sparseSym struct {
	n    int
	ptr  []int
	col  []int
	val  []float64
	diag []float64
}

// blockIndex lists, for every row r, the (block, position) pairs of the
// blocks that contain r (CSR: entries cnt[r] … cnt[r+1]−1 of ob, op).
type blockIndex struct {
	blocks [][]int
	cnt    []int
	ob, op []int
}

// assemblePattern returns M's pattern (ptr and col; no values): row r is
// the union of the blocks that contain r, in the order first met (blocks
// by index, then their entries), O(Σ_b |S_b|²) work with a marker array. The pattern alone decides whether shift-invert
// applies (the ordering and the envelope depend on it only), so the values
// are computed (fill) only when it does.
func assemblePattern(bs blockSum, n int) (*sparseSym, *blockIndex) {
	nb := bs.numBlocks()
	a := &blockIndex{blocks: make([][]int, nb), cnt: make([]int, n+1)}
	for b := 0; b < nb; b++ {
		a.blocks[b] = bs.block(b)
		for _, r := range a.blocks[b] {
			a.cnt[r+1]++
		}
	}
	for r := 0; r < n; r++ {
		a.cnt[r+1] += a.cnt[r]
	}
	a.ob, a.op = make([]int, a.cnt[n]), make([]int, a.cnt[n])
	fill := append([]int(nil), a.cnt[:n]...)
	for b, s := range a.blocks {
		for p, r := range s {
			a.ob[fill[r]], a.op[fill[r]] = b, p
			fill[r]++
		}
	}
	// Σ_b |S_b|² bounds the entries (each block adds at most its square).
	bound := 0
	for _, s := range a.blocks {
		bound += len(s) * len(s)
	}
	m := &sparseSym{n: n, ptr: make([]int, n+1), col: make([]int, 0, bound)}
	seen := make([]bool, n)
	for r := 0; r < n; r++ {
		start := len(m.col)
		for q := a.cnt[r]; q < a.cnt[r+1]; q++ {
			for _, c := range a.blocks[a.ob[q]] {
				if !seen[c] {
					seen[c] = true
					m.col = append(m.col, c)
				}
			}
		}
		for _, c := range m.col[start:] {
			seen[c] = false
		}
		m.ptr[r+1] = len(m.col)
	}
	return m, a
}

// fill sets the values (val, diag) of m, the pattern of bs.
func (a *blockIndex) fill(bs blockSum, m *sparseSym) {
	nb, n := len(a.blocks), m.n
	// Every block's dense B_b, once (in parallel), so that the row pass
	// below is plain array reads.
	bptr := make([]int, nb+1)
	for b, s := range a.blocks {
		bptr[b+1] = bptr[b] + len(s)*len(s)
	}
	bval := make([]float64, bptr[nb])
	linalg.ParallelRange(nb, 64, func(lo, hi int) {
		for b := lo; b < hi; b++ {
			sz := len(a.blocks[b])
			v := bval[bptr[b]:bptr[b+1]]
			for s := 0; s < sz; s++ {
				for t := s; t < sz; t++ {
					e := bs.entry(b, s, t)
					v[s*sz+t], v[t*sz+s] = e, e
				}
			}
		}
	})
	m.val, m.diag = make([]float64, len(m.col)), make([]float64, n)
	acc := make([]float64, n)
	for r := 0; r < n; r++ {
		for q := a.cnt[r]; q < a.cnt[r+1]; q++ {
			b, s := a.ob[q], a.op[q]
			sz := len(a.blocks[b])
			row := bval[bptr[b]+s*sz : bptr[b]+(s+1)*sz]
			for t, c := range a.blocks[b] {
				acc[c] += row[t]
			}
		}
		for q := m.ptr[r]; q < m.ptr[r+1]; q++ {
			c := m.col[q]
			m.val[q] = acc[c]
			if c == r {
				m.diag[r] = acc[c]
			}
			acc[c] = 0
		}
	}
}

// mulVec sets dst = M x.
func (m *sparseSym) mulVec(dst, x []float64) {
	for r := 0; r < m.n; r++ {
		s := 0.0
		for q := m.ptr[r]; q < m.ptr[r+1]; q++ {
			s += m.val[q] * x[m.col[q]]
		}
		dst[r] = s
	}
}

// rcm returns a reverse Cuthill–McKee ordering (perm[new] = old): BFS from
// a pseudo-peripheral vertex of each component, neighbours by increasing
// degree (ties by index), reversed. O(nnz log) in all: the trial searches
// for the start only touch (and then unmark) their own component.
func (m *sparseSym) rcm() []int {
	n := m.n
	deg := func(v int) int { return m.ptr[v+1] - m.ptr[v] }
	visited := make([]bool, n)
	order := make([]int, 0, n)
	level := make([]int, n)
	var q, nb []int
	// bfs appends the component of start, in Cuthill–McKee order, to q[:0]
	// and marks it in mark; it returns the last vertex and its depth.
	bfs := func(start int, mark []bool) (last int, depth int) {
		q = append(q[:0], start)
		mark[start] = true
		level[start] = 0
		for h := 0; h < len(q); h++ {
			v := q[h]
			nb = nb[:0]
			for p := m.ptr[v]; p < m.ptr[v+1]; p++ {
				if u := m.col[p]; !mark[u] {
					mark[u] = true
					level[u] = level[v] + 1
					nb = append(nb, u)
				}
			}
			slices.SortFunc(nb, func(a, b int) int {
				if da, db := deg(a), deg(b); da != db {
					return da - db
				}
				return a - b
			})
			q = append(q, nb...)
		}
		return q[len(q)-1], level[q[len(q)-1]]
	}
	// trial marks the trial searches; it is false outside them, and a
	// search never leaves the (unvisited) component of its start.
	trial := make([]bool, n)
	for s := 0; s < n; s++ {
		if visited[s] {
			continue
		}
		// Pseudo-peripheral start: repeat BFS from the farthest vertex
		// while the depth grows (George–Liu).
		start, depth := s, -1
		for it := 0; it < 8; it++ {
			last, d := bfs(start, trial)
			for _, v := range q {
				trial[v] = false
			}
			if d <= depth {
				break
			}
			start, depth = last, d
		}
		bfs(start, visited)
		order = append(order, q...)
	}
	for i, j := 0, n-1; i < j; i, j = i+1, j-1 {
		order[i], order[j] = order[j], order[i]
	}
	return order
}

// envelopeLDL is L D Lᵀ of a permuted symmetric matrix, L stored by rows
// within the envelope: row i holds columns first[i] … i−1.
type envelopeLDL struct {
	n     int
	perm  []int // perm[new] = old
	first []int
	off   []int
	l     []float64
	d     []float64
}

// envelopeFlops estimates the factorisation cost Σ_i (i − first_i)²/2 of m
// in the ordering perm, and returns the envelope size.
func envelopeSize(m *sparseSym, perm, inv []int) (size int, flops float64, first []int) {
	first = make([]int, m.n)
	for i, old := range perm {
		f := i
		for p := m.ptr[old]; p < m.ptr[old+1]; p++ {
			if j := inv[m.col[p]]; j < f {
				f = j
			}
		}
		first[i] = f
		w := i - f
		size += w
		flops += 0.5 * float64(w) * float64(w)
	}
	return size, flops, first
}

// factorEnvelope factors m + shift·I in the ordering perm. It reports false
// on a zero pivot.
func factorEnvelope(m *sparseSym, perm, inv, first []int, size int, shift float64) (*envelopeLDL, bool) {
	n := m.n
	f := &envelopeLDL{n: n, perm: perm, first: first, off: make([]int, n+1), l: make([]float64, size), d: make([]float64, n)}
	for i := 0; i < n; i++ {
		f.off[i+1] = f.off[i] + i - first[i]
	}
	for i, old := range perm {
		for p := m.ptr[old]; p < m.ptr[old+1]; p++ {
			j := inv[m.col[p]]
			switch {
			case j < i:
				f.l[f.off[i]+j-first[i]] = m.val[p]
			case j == i:
				f.d[i] = m.val[p] + shift
			}
		}
	}
	for i := 0; i < n; i++ {
		fi := first[i]
		row := f.l[f.off[i]:f.off[i+1]] // row[j−fi] = a_ij, becomes u_j = l_ij d_j
		for j := fi; j < i; j++ {
			lo := max(fi, first[j])
			rj := f.l[f.off[j]+lo-first[j] : f.off[j]+j-first[j]]
			// The envelope's inner products by gonum's vectorised Dot
			// (Swiss roll, N = 5,000, k = 10: the factorisation was 40% of
			// shift-invert's CPU as a scalar loop).
			row[j-fi] -= floats.Dot(row[lo-fi:j-fi], rj)
		}
		di := f.d[i]
		for j := fi; j < i; j++ {
			u := row[j-fi]
			lij := u / f.d[j]
			di -= u * lij
			row[j-fi] = lij
		}
		if di == 0 || math.IsNaN(di) {
			return nil, false
		}
		f.d[i] = di
	}
	return f, true
}

// solve sets x = (L D Lᵀ)⁻¹ b in the original ordering (work has length n).
func (f *envelopeLDL) solve(x, b, work []float64) {
	y := work
	for i, old := range f.perm {
		y[i] = b[old]
	}
	// Row i of L spans columns first[i] … i−1: a dot product forward, an
	// axpy backward (gonum's vectorised loops).
	for i := 0; i < f.n; i++ {
		y[i] -= floats.Dot(f.l[f.off[i]:f.off[i+1]], y[f.first[i]:i])
	}
	for i := range y {
		y[i] /= f.d[i]
	}
	for i := f.n - 1; i >= 0; i-- {
		floats.AddScaled(y[f.first[i]:i], -y[i], f.l[f.off[i]:f.off[i+1]])
	}
	for i, old := range f.perm {
		x[old] = y[i]
	}
}

// invOp is the operator x ↦ P (M + εI)⁻¹ P x for linalg.Eigs, with
// P = I − 11ᵀ/N the projector off the constant null vector of M: the
// constant gets eigenvalue 0 instead of the huge 1/ε, and the rounding the
// nearly singular solve puts along it is removed, so no deflation check
// can fail on it. P (M + εI)⁻¹ P is symmetric by construction.
type invOp struct {
	f       *envelopeLDL
	px, sol []float64
	work    []float64
}

func (o *invOp) Size() int { return o.f.n }
func (o *invOp) MulVecTo(dst, x []float64) {
	centreInto(o.px, x)
	o.f.solve(o.sol, o.px, o.work)
	centreInto(dst, o.sol)
}

// centreInto sets dst = x − mean(x).
func centreInto(dst, x []float64) {
	s := 0.0
	for _, v := range x {
		s += v
	}
	s /= float64(len(x))
	for i, v := range x {
		dst[i] = v - s
	}
}

// maxShiftInvertFlops bounds the envelope factorisation cost (flops) for
// which shift-invert is used; above it (high intrinsic dimension, where
// the ordering cannot keep the envelope small) Lanczos on M is cheaper. A
// variable so that tests can force the Lanczos path.
var maxShiftInvertFlops = 4e8

// maxShiftInvertRatio bounds the factorisation cost relative to nnz(M), the
// cost of one product with M: measured (N = 1000 to 5000, k = 10) the
// envelope costs about 50 nnz on a Swiss roll, where shift-invert is 10-100x
// faster than Lanczos on M, and 1200-1500 nnz on 50-d Gaussian data and
// Fashion-MNIST, where Lanczos on M is as fast or faster.
const maxShiftInvertRatio = 200

// shiftInvertBottom returns the kc smallest eigenpairs of M above the
// constant null vector (eigenvalues ascending, unit vectors) by Lanczos on
// (M + εI)⁻¹, or ok = false when the envelope is too large or the
// factorisation or Lanczos fails.
func shiftInvertBottom(bs blockSum, n, kc int, tol float64, maxIter int, seed uint64) (vals []float64, vecs *mat.Dense, ok bool) {
	m, blocks := assemblePattern(bs, n)
	perm := m.rcm()
	inv := make([]int, n)
	for i, old := range perm {
		inv[old] = i
	}
	size, flops, first := envelopeSize(m, perm, inv)
	if flops > maxShiftInvertFlops || flops > maxShiftInvertRatio*float64(len(m.col)) {
		return nil, nil, false
	}
	blocks.fill(bs, m)
	scale := 0.0
	for _, v := range m.diag {
		scale = math.Max(scale, math.Abs(v))
	}
	f, okf := factorEnvelope(m, perm, inv, first, size, 1e-12*scale)
	if !okf {
		return nil, nil, false
	}
	op := &invOp{f: f, px: make([]float64, n), sol: make([]float64, n), work: make([]float64, n)}
	// The inverse's wanted eigenvalues are well separated: a small basis
	// converges in one or two restarts (N = 5000 roll, K = 2: 18 solves
	// with 12 vectors, 40 with the default basis).
	ncv := min(max(2*kc+10, 14), n-2)
	res, err := linalg.Eigs(op, linalg.EigsSettings{K: kc, Which: linalg.Largest, Tol: tol, MaxIter: maxIter, Seed: seed, NCV: ncv})
	if err != nil {
		return nil, nil, false
	}
	// Largest of the inverse (ascending) = smallest of M (descending).
	vals, vecs, _ = reverse(res.Values, res.Vectors)
	mv := make([]float64, n)
	col := make([]float64, n)
	for j := range vals {
		mat.Col(col, j, vecs)
		m.mulVec(mv, col)
		s := 0.0
		for i, v := range col {
			s += v * mv[i]
		}
		vals[j] = s
	}
	return vals, vecs, true
}
