package graph

import (
	"fmt"

	"gonum.org/v1/gonum/mat"

	"github.com/eigenssl/eigenssl/linalg"
)

// LaplacianKind selects a graph Laplacian. With D = diag(G 1):
//
//	Unnormalized   L     = D - G
//	SymNormalized  L_sym = I - D^{-1/2} G D^{-1/2}
//	RandomWalk     L_rw  = I - D^{-1} G
//
// Isolated vertices (d_i = 0) follow scipy.sparse.csgraph.laplacian (which
// scikit-learn uses): D^{-1/2} and D^{-1} are taken as 0 there and the
// diagonal entry of the normalised forms is 0, so an isolated vertex's row
// and column of L_sym and L_rw are zero. Every component, isolated vertices
// included, then contributes one null vector, as for L.
type LaplacianKind int

const (
	Unnormalized LaplacianKind = iota
	SymNormalized
	RandomWalk
)

func (k LaplacianKind) String() string {
	switch k {
	case Unnormalized:
		return "unnormalized"
	case SymNormalized:
		return "symnormalized"
	case RandomWalk:
		return "randomwalk"
	}
	return fmt.Sprintf("LaplacianKind(%d)", int(k))
}

// LaplacianOp applies a Laplacian of g, or the normalised adjacency, without
// forming it: each product costs O(NNZ + N) (times the block width). The
// Unnormalized and SymNormalized forms and NormalizedAdjacency are symmetric
// and suit linalg.Eigs. The RandomWalk form is NOT symmetric: it satisfies the
// interface only to expose MulVecTo/MulMatTo (dst = x - D^{-1} G x); eigen
// solvers must use SymNormalized instead and map eigenvectors back with
// v = D^{-1/2} u (same eigenvalues, L_rw v = lambda v).
type LaplacianOp struct {
	g      *CSR
	kind   LaplacianKind
	adj    bool      // normalised adjacency D^{-1/2} G D^{-1/2} (+ 1 on isolated diagonal)
	deg    []float64 // d_i
	scale  []float64 // D^{-1/2} (sym, adj) or D^{-1} (rw), 0 for isolated
	diag   []float64 // diagonal term multiplying x_i
	rscale []float64 // scale applied to the row result
	cscale []float64 // scale applied to x before G (nil: none)
	// sval holds Val[p] * cscale[Col[p]] (nil when cscale is nil): the block
	// product then reads one array fewer per stored entry.
	sval []float64
}

var (
	_ linalg.SymOperator   = (*LaplacianOp)(nil)
	_ linalg.BlockOperator = (*LaplacianOp)(nil)
)

func newOp(op string, g *CSR) (*LaplacianOp, error) {
	if g == nil || g.N == 0 {
		return nil, newErr(op, "g", "0 vertices", ErrEmpty)
	}
	if err := g.Validate(); err != nil {
		return nil, err
	}
	return &LaplacianOp{g: g, deg: g.Degree(nil)}, nil
}

// Laplacian returns the Laplacian of kind kind of g as an operator. g must
// pass g.Validate (its error is returned); ErrEmpty for N = 0 and ErrParam
// for an unknown kind. Isolated vertices follow the convention of
// LaplacianKind.
func Laplacian(g *CSR, kind LaplacianKind) (*LaplacianOp, error) {
	if kind < Unnormalized || kind > RandomWalk {
		return nil, newErr("laplacian", "kind", int(kind), ErrParam)
	}
	l, err := newOp("laplacian", g)
	if err != nil {
		return nil, err
	}
	l.kind = kind
	n := g.N
	l.diag = make([]float64, n)
	l.rscale = make([]float64, n)
	switch kind {
	case Unnormalized:
		// (L x)_i = d_i x_i - (G x)_i
		copy(l.diag, l.deg)
		for i := range l.rscale {
			l.rscale[i] = -1
		}
	case SymNormalized:
		l.cscale = DegreeInvSqrt(l.deg)
		for i, s := range l.cscale {
			if s != 0 {
				l.diag[i] = 1
			}
			l.rscale[i] = -s
		}
	case RandomWalk:
		for i, d := range l.deg {
			if d > 0 {
				l.diag[i] = 1
				l.rscale[i] = -1 / d
			}
		}
	}
	l.scaleVals()
	return l, nil
}

// NormalizedAdjacency returns the operator A = D^{-1/2} G D^{-1/2}, with
// A_ii = 1 for isolated vertices so that A = I - L_sym exactly (an isolated
// vertex is a component with eigenvalue 1 of A, 0 of L_sym). Its largest
// eigenpairs are the smallest of L_sym. Errors as for Laplacian.
func NormalizedAdjacency(g *CSR) (*LaplacianOp, error) {
	l, err := newOp("normalizedadjacency", g)
	if err != nil {
		return nil, err
	}
	l.adj = true
	l.kind = SymNormalized
	l.cscale = DegreeInvSqrt(l.deg)
	l.diag = make([]float64, g.N)
	l.rscale = make([]float64, g.N)
	for i, s := range l.cscale {
		if s == 0 {
			l.diag[i] = 1
		}
		l.rscale[i] = s
	}
	l.scaleVals()
	return l, nil
}

// scaleVals precomputes sval from cscale.
func (l *LaplacianOp) scaleVals() {
	if l.cscale == nil {
		return
	}
	g := l.g
	l.sval = make([]float64, len(g.Val))
	for p, j := range g.Col {
		l.sval[p] = g.Val[p] * l.cscale[j]
	}
}

// Size returns N.
func (l *LaplacianOp) Size() int { return l.g.N }

// Kind returns the Laplacian kind (SymNormalized for NormalizedAdjacency).
func (l *LaplacianOp) Kind() LaplacianKind { return l.kind }

// Graph returns the underlying graph.
func (l *LaplacianOp) Graph() *CSR { return l.g }

// Degree returns a copy of the degrees d_i = sum_j G_ij.
func (l *LaplacianOp) Degree() []float64 { return append([]float64(nil), l.deg...) }

// InvSqrtDegree returns d_i^{-1/2} (0 for isolated vertices), the factor that
// maps L_sym eigenvectors u to random-walk / generalised eigenvectors
// v = D^{-1/2} u.
func (l *LaplacianOp) InvSqrtDegree() []float64 { return DegreeInvSqrt(l.deg) }

// MulVecTo sets dst = L x (or A x). It panics on a length mismatch.
func (l *LaplacianOp) MulVecTo(dst, x []float64) {
	n := l.g.N
	if len(dst) != n || len(x) != n {
		panic(fmt.Sprintf("graph: LaplacianOp.MulVecTo lengths %d, %d for N = %d", len(dst), len(x), n))
	}
	g := l.g
	g.rowBlocks(g.NNZ(), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			s := 0.0
			if l.cscale != nil {
				for p := g.RowPtr[i]; p < g.RowPtr[i+1]; p++ {
					j := g.Col[p]
					s += g.Val[p] * l.cscale[j] * x[j]
				}
			} else {
				for p := g.RowPtr[i]; p < g.RowPtr[i+1]; p++ {
					s += g.Val[p] * x[g.Col[p]]
				}
			}
			dst[i] = l.diag[i]*x[i] + l.rscale[i]*s
		}
	})
}

// MulMatTo sets dst = L X (or A X) for an N x b matrix X; an empty dst is
// resized, otherwise it must be N x b and not alias x. It panics on a
// dimension mismatch.
func (l *LaplacianOp) MulMatTo(dst *mat.Dense, x mat.Matrix) {
	g := l.g
	r, b := x.Dims()
	if r != g.N {
		panic(fmt.Sprintf("graph: LaplacianOp.MulMatTo x has %d rows; want %d", r, g.N))
	}
	prepDst(dst, g.N, b, "LaplacianOp.MulMatTo")
	xd, xs := denseRaw(x)
	raw := dst.RawMatrix()
	val := g.Val
	if l.sval != nil {
		val = l.sval
	}
	g.rowBlocks(g.NNZ()*b, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			out := raw.Data[i*raw.Stride : i*raw.Stride+b]
			if b == 2 {
				// The default Lanczos block width: accumulate in registers.
				var s0, s1 float64
				for p := g.RowPtr[i]; p < g.RowPtr[i+1]; p++ {
					j, w := g.Col[p]*xs, val[p]
					s0 += w * xd[j]
					s1 += w * xd[j+1]
				}
				out[0], out[1] = s0, s1
			} else {
				clear(out)
				for p := g.RowPtr[i]; p < g.RowPtr[i+1]; p++ {
					j, w := g.Col[p], val[p]
					for t, v := range xd[j*xs : j*xs+b] {
						out[t] += w * v
					}
				}
			}
			xi := xd[i*xs : i*xs+b]
			di, ri := l.diag[i], l.rscale[i]
			for t := range out {
				out[t] = di*xi[t] + ri*out[t]
			}
		}
	})
}

// Dense returns the operator as a dense N x N matrix (inherently O(N^2): for
// small graphs and tests). It is symmetric except for RandomWalk.
func (l *LaplacianOp) Dense() *mat.Dense {
	n := l.g.N
	d := mat.NewDense(n, n, nil)
	for i := 0; i < n; i++ {
		d.Set(i, i, l.diag[i])
		for p := l.g.RowPtr[i]; p < l.g.RowPtr[i+1]; p++ {
			j := l.g.Col[p]
			w := l.g.Val[p]
			if l.cscale != nil {
				w *= l.cscale[j]
			}
			d.Set(i, j, d.At(i, j)+l.rscale[i]*w)
		}
	}
	return d
}

// LaplacianDense returns the Unnormalized or SymNormalized Laplacian of g as a
// dense symmetric matrix (inherently O(N^2): small N only). It assumes g is a
// valid relation graph and panics for RandomWalk (not symmetric; use
// Laplacian(g, RandomWalk) and its Dense method) or an unknown kind.
func LaplacianDense(g *CSR, kind LaplacianKind) *mat.SymDense {
	if kind != Unnormalized && kind != SymNormalized {
		panic(fmt.Sprintf("graph: LaplacianDense: %v is not a symmetric kind", kind))
	}
	n := g.N
	deg := g.Degree(nil)
	s := DegreeInvSqrt(deg)
	l := mat.NewSymDense(n, nil)
	for i := 0; i < n; i++ {
		if kind == Unnormalized {
			l.SetSym(i, i, deg[i])
		} else if deg[i] > 0 {
			l.SetSym(i, i, 1)
		}
		for p := g.RowPtr[i]; p < g.RowPtr[i+1]; p++ {
			j := g.Col[p]
			if j <= i {
				continue
			}
			w := g.Val[p]
			if kind == SymNormalized {
				w *= s[i] * s[j]
			}
			l.SetSym(i, j, -w)
		}
	}
	return l
}
