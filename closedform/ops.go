package closedform

import (
	"errors"
	"math"

	"github.com/eigenssl/eigenssl/graph"
	"github.com/eigenssl/eigenssl/linalg"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// denseLimit is the largest N for which feature-space problems use a dense
// N x N eigendecomposition (exact multiplicities): linalg.DenseExactMaxN;
// beyond it they use the block Lanczos solver linalg.Eigs on the sparse
// operator. A variable so that tests can exercise the iterative path.
var denseLimit = linalg.DenseExactMaxN

// chunkRows is the row-block size of the accumulations X^T S G S X.
const chunkRows = 2048

func degrees(g *graph.CSR) []float64 { return g.Degree(nil) }

// lapMul sets dst = L z with L = D − G (O(nnz K)).
func lapMul(g *graph.CSR, d []float64, z *mat.Dense) *mat.Dense {
	n, k := z.Dims()
	dst := mat.NewDense(n, k, nil)
	g.MulMatTo(dst, z)
	for i := 0; i < n; i++ {
		row := dst.RawRowView(i)
		zr := z.RawRowView(i)
		for j := range row {
			row[j] = d[i]*zr[j] - row[j]
		}
	}
	return dst
}

// gtOp applies Gt = D^{-1/2} G D^{-1/2} (zero rows for isolated vertices).
type gtOp struct {
	g *graph.CSR
	s []float64
}

func (o gtOp) Size() int { return o.g.N }
func (o gtOp) MulVecTo(dst, x []float64) {
	t := make([]float64, len(x))
	for i := range x {
		t[i] = o.s[i] * x[i]
	}
	o.g.MulVecTo(dst, t)
	for i := range dst {
		dst[i] *= o.s[i]
	}
}

// gtFrob2 returns ‖D^{-1/2} G D^{-1/2}‖_F².
func gtFrob2(g *graph.CSR, s []float64) float64 {
	var f float64
	g.Edges(func(i, j int, w float64) {
		v := w * s[i] * s[j]
		f += 2 * v * v
	})
	return f
}

// denseGt returns D^{-1/2} G D^{-1/2} as a dense symmetric matrix (O(N²)).
func denseGt(g *graph.CSR, s []float64) *mat.SymDense {
	n := g.N
	a := mat.NewSymDense(n, nil)
	for i := 0; i < n; i++ {
		for t := g.RowPtr[i]; t < g.RowPtr[i+1]; t++ {
			j := g.Col[t]
			if j >= i {
				a.SetSym(i, j, g.Val[t]*s[i]*s[j])
			}
		}
	}
	return a
}

// lapOnPerp returns the eigenpairs of L restricted to 1⊥ (ascending), the
// first m of them (m <= N−1). Dense for N <= denseLimit (all pairs are
// computed and the first m kept), block Lanczos with 1 deflated otherwise.
func lapOnPerp(g *graph.CSR, d []float64, m int) ([]float64, *mat.Dense, error) {
	n := g.N
	if n <= denseLimit {
		l := graph.LaplacianDense(g, graph.Unnormalized)
		// Move the constant vector to the top: L + σ 11ᵀ/N keeps the
		// eigenvectors orthogonal to 1 and gives 1 the eigenvalue σ.
		var maxd float64
		for _, v := range d {
			maxd = math.Max(maxd, v)
		}
		shift := 2*maxd + 1
		for i := 0; i < n; i++ {
			for j := i; j < n; j++ {
				l.SetSym(i, j, l.At(i, j)+shift/float64(n))
			}
		}
		vals, vecs, err := linalg.EigSym(l)
		if err != nil {
			return nil, nil, err
		}
		return vals[:m], mat.DenseCopyOf(vecs.Slice(0, n, 0, m)), nil
	}
	op, err := graph.Laplacian(g, graph.Unnormalized)
	if err != nil {
		return nil, nil, err
	}
	ones := mat.NewDense(n, 1, nil)
	for i := 0; i < n; i++ {
		ones.Set(i, 0, 1)
	}
	res, err := linalg.Eigs(op, linalg.EigsSettings{K: m, Which: linalg.Smallest, Deflate: ones, Tol: 1e-10})
	if err != nil {
		return nil, nil, err
	}
	return res.Values, res.Vectors, nil
}

// gtTop returns the m largest eigenpairs of Gt in descending order.
func gtTop(g *graph.CSR, s []float64, m int) ([]float64, *mat.Dense, error) {
	n := g.N
	var vals []float64
	var vecs *mat.Dense
	if n <= denseLimit {
		v, u, err := linalg.EigSym(denseGt(g, s))
		if err != nil {
			return nil, nil, err
		}
		vals, vecs = v[n-m:], mat.DenseCopyOf(u.Slice(0, n, n-m, n))
	} else {
		res, err := linalg.Eigs(gtOp{g, s}, linalg.EigsSettings{K: m, Which: linalg.Largest, Tol: 1e-10})
		if err != nil {
			return nil, nil, err
		}
		vals, vecs = res.Values, res.Vectors
	}
	return reverseCols(vals, vecs)
}

// reverseCols turns ascending eigenpairs into descending ones.
func reverseCols(vals []float64, vecs *mat.Dense) ([]float64, *mat.Dense, error) {
	r, m := vecs.Dims()
	out := make([]float64, m)
	dst := mat.NewDense(r, m, nil)
	for j := 0; j < m; j++ {
		out[j] = vals[m-1-j]
		dst.SetCol(j, mat.Col(nil, m-1-j, vecs))
	}
	return out, dst, nil
}

// gram returns Xᵀ (diag(w) + gs·diag(a) G diag(a)) X (w == nil: no
// diagonal term; gs == 0 or g == nil: no graph term; a == nil: identity),
// the sum of the block contributions of gramBlocks. O(nnz(G) D + N D²)
// time, O(chunk·D + D²) extra memory.
func gram(x *mat.Dense, g *graph.CSR, a []float64, gs float64, w []float64) *mat.Dense {
	_, dd := x.Dims()
	out := mat.NewDense(dd, dd, nil)
	gramBlocks(x, g, a, gs, w, func(c []float64) { floats.Add(out.RawMatrix().Data, c) })
	symmetrize(out)
	return out
}

// gramBlocks calls add with the contribution Xᵀ_b R_b (D x D, row major, a
// buffer reused between calls) of each block b of at most chunkRows rows,
// where R = diag(w) X + gs·diag(a) G diag(a) X (arguments as for gram): each
// block of rows of R is formed from the sparse G and multiplied by the block
// of X with one Gemm. Stats adds the blocks with compensation.
func gramBlocks(x *mat.Dense, g *graph.CSR, a []float64, gs float64, w []float64, add func(c []float64)) {
	n, dd := x.Dims()
	c := blas64.General{Rows: dd, Cols: dd, Stride: dd, Data: make([]float64, dd*dd)}
	xr := x.RawMatrix()
	buf := make([]float64, min(n, chunkRows)*dd)
	for lo := 0; lo < n; lo += chunkRows {
		hi := min(n, lo+chunkRows)
		b := hi - lo
		rc := buf[:b*dd]
		for i := lo; i < hi; i++ {
			row := rc[(i-lo)*dd : (i-lo+1)*dd]
			xi := xr.Data[i*xr.Stride : i*xr.Stride+dd]
			if w != nil {
				for t, v := range xi {
					row[t] = w[i] * v
				}
			} else {
				clear(row)
			}
			if g == nil || gs == 0 {
				continue
			}
			for t := g.RowPtr[i]; t < g.RowPtr[i+1]; t++ {
				j := g.Col[t]
				v := gs * g.Val[t]
				if a != nil {
					v *= a[i] * a[j]
				}
				if v == 0 {
					continue
				}
				blas64.Axpy(v, blas64.Vector{N: dd, Inc: 1, Data: xr.Data[j*xr.Stride:]}, blas64.Vector{N: dd, Inc: 1, Data: row})
			}
		}
		xc := blas64.General{Rows: b, Cols: dd, Stride: xr.Stride, Data: xr.Data[lo*xr.Stride:]}
		blas64.Gemm(blas.Trans, blas.NoTrans, 1, xc, blas64.General{Rows: b, Cols: dd, Stride: dd, Data: rc}, 0, c)
		add(c.Data)
	}
}

func symmetrize(m *mat.Dense) {
	n, _ := m.Dims()
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			v := (m.At(i, j) + m.At(j, i)) / 2
			m.Set(i, j, v)
			m.Set(j, i, v)
		}
	}
}

func toSym(m *mat.Dense) *mat.SymDense { return linalg.SymmetricPart(m) }

func ones(n int) []float64 {
	o := make([]float64, n)
	for i := range o {
		o[i] = 1
	}
	return o
}

// whitener returns B (D x r) with Bᵀ S B = I_r spanning the range of the PSD
// matrix S (linalg.Whitener with its default cut-off).
func whitener(s *mat.Dense) (*mat.Dense, error) {
	b, err := linalg.Whitener(toSym(s), 0)
	if errors.Is(err, linalg.ErrNotPositiveDefinite) {
		return nil, newErr("solve", "X", "zero covariance", ErrParam)
	}
	return b, err
}

// sandwich returns Bᵀ A B as a symmetric matrix.
func sandwich(b, a *mat.Dense) *mat.SymDense {
	var t, r mat.Dense
	t.Mul(a, b)
	r.Mul(b.T(), &t)
	return toSym(&r)
}

// singularValues returns the K singular values of z, descending
// (linalg.SingularValues; nil when it fails).
func singularValues(z mat.Matrix) []float64 {
	v, err := linalg.SingularValues(z)
	if err != nil {
		return nil
	}
	return v
}

// numRank counts singular values above max(n·ε, 1e-9)·σ₁ (linalg.RankOf).
func numRank(sv []float64, n int) int {
	return linalg.RankOf(sv, math.Max(linalg.DefaultRankTol(n, 1), 1e-9))
}

// mappedBasis returns X B V[:, :np], the sample-space image of the first np
// eigenvectors V of a problem whitened by B (parameters W = B V, Z = X W).
func mappedBasis(x, b, vecs *mat.Dense, np int) *mat.Dense {
	r, _ := vecs.Dims()
	var bv mat.Dense
	bv.Mul(b, vecs.Slice(0, r, 0, np))
	n, _ := x.Dims()
	sub := mat.NewDense(n, np, nil)
	sub.Mul(x, &bv)
	return sub
}

// basis returns an orthonormal basis of the first m columns of u, or nil when m == 0.
func basis(u *mat.Dense, m int) *mat.Dense {
	if m == 0 {
		return nil
	}
	r, _ := u.Dims()
	return mat.DenseCopyOf(u.Slice(0, r, 0, m))
}

// tieTol is the gap below which an eigenvalue near scale counts as tied
// with it (pinned): 1e-9·max(1, |scale|).
func tieTol(scale float64) float64 { return 1e-9 * math.Max(1, math.Abs(scale)) }
