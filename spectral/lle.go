package spectral

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
	"sync"

	"github.com/eigenssl/eigenssl/graph"
	"github.com/eigenssl/eigenssl/internal/asm"
	"github.com/eigenssl/eigenssl/linalg"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// LLE is Locally Linear Embedding (Roweis & Saul 2000), as scikit-learn's
// LocallyLinearEmbedding(method='standard'), or LTSA with Method "ltsa"
// (see the Method field):
//
//  1. the k nearest neighbours of each point, self excluded;
//  2. barycentric weights: C = X[nbrs(i)] − x_i (k x D), G = C Cᵀ,
//     G += R·I with R = Reg·trace(G) (Reg when the trace is 0), solve
//     G w = 1 and set w ← w / Σw;
//  3. M = (I − W)ᵀ(I − W); Embedding holds the unit-norm eigenvectors of M
//     for its 2nd … (K+1)-th smallest eigenvalues (the constant vector,
//     eigenvalue 0, is dropped), not scaled. Eigenvalues are those K
//     eigenvalues, ascending (tiny: ~1e-6); their sum is scikit-learn's
//     reconstruction_error_.
//
// Data whose rows all coincide are refused with ErrParam (singular weights:
// scikit-learn fails there too, in its null-space solver); a point that
// coincides with all its k neighbours gets the regularised (uniform)
// weights, as in scikit-learn.
//
// scikit-learn applies no sign rule to LLE; this implementation applies the
// usual one (entry of largest |value| positive), so compare up to sign.
//
// Transform reconstructs a new point from its k nearest training points with
// the same regularised barycentric weights and returns Σ w_j y_j
// (scikit-learn's LocallyLinearEmbedding.transform). A point that coincides
// with a training point (distance 0) is reconstructed exactly by that point
// alone (the unregularised optimum), so Transform reproduces Embedding on the
// training set.
//
// Solver: dense eigendecomposition of the N x N matrix M up to
// linalg.DenseAutoMaxN points; above, iterative solvers on the sparse M
// with the constant vector deflated, tried in turn: shift-invert (Lanczos
// on (M + εI)⁻¹ with an envelope factorisation, when the envelope is small:
// data on a low-dimensional manifold); else Lanczos on a Chebyshev filter
// of M (lle_filter.go: data of high intrinsic dimension, accepted only when
// its vectors pass a residual check with M); else Lanczos on M itself,
// O(N k) per product. The wanted eigenvalues are tiny and clustered, so
// Lanczos on M may need many restarts: with SolverAuto it gets 300 restarts
// (unless MaxIter is set) and then falls back to the dense solver (N <=
// MaxQuadraticN); with SolverIterative a failure returns ErrNoConvergence.
type LLE struct {
	// Components is K (default 2), 1 <= K < N−1.
	Components int
	// Neighbors is k (default 5), 1 <= k < N.
	Neighbors int
	// Reg is the regularisation of the local Gram matrices (default 1e-3;
	// standard LLE and Transform).
	Reg float64
	// Method is "standard" (default), "modified" (Zhang & Wang 2007, as
	// scikit-learn's method='modified': several weight vectors per
	// neighbourhood from its almost-null space; needs Neighbors >=
	// Components; Reg does not apply, scikit-learn fixes 1e-3), "hessian"
	// (Hessian eigenmaps, Donoho & Grimes 2003, as method='hessian'; needs
	// Neighbors > Components (Components + 3) / 2 and D >= Components) or
	// "ltsa" (local tangent space alignment, Zhang & Zha 2004, as
	// method='ltsa': for each neighbourhood the centred neighbours' top-K
	// left singular vectors V_i and G_i = [1/sqrt(k), V_i] add I − G_i G_iᵀ
	// to M on its index block). In every method the embedding is the bottom
	// of M, constant vector dropped; Transform uses the standard barycentric
	// weights (scikit-learn's transform, whatever the method).
	Method string
	// Solver, Tol, MaxIter and Seed configure the eigensolver.
	Solver  Solver
	Tol     float64
	MaxIter int
	Seed    uint64

	train  *mat.Dense
	k      int
	reg    float64
	z      *mat.Dense
	vals   []float64
	fitted bool
}

// Fit computes the embedding of the rows of x (N x D).
func (l *LLE) Fit(x *mat.Dense) error {
	const op = "lle.fit"
	l.fitted = false
	xd, err := checkData(op, "x", x)
	if err != nil {
		return err
	}
	if err := checkDistinctRows(op, xd); err != nil {
		n, _ := xd.Dims()
		return errorf(op, "x", fmt.Sprintf("%d identical rows", n), ErrSingular, "all points coincide: every local Gram matrix is zero, so the barycentric weights are singular (set only by Reg) and no embedding is defined")
	}
	n, _ := xd.Dims()
	k := l.Neighbors
	if k == 0 {
		k = 5
	}
	if k < 1 || k >= n {
		return errorf(op, "Neighbors", k, ErrParam, fmt.Sprintf("need 1 <= Neighbors < N = %d", n))
	}
	if n*k > maxLLEEntries {
		return errorf(op, "Neighbors", k, ErrParam, fmt.Sprintf("N·Neighbors = %d is above the limit %d (the weights are indexed by int32)", n*k, maxLLEEntries))
	}
	kc, err := components(op, l.Components, n-2)
	if err != nil {
		return err
	}
	reg := l.Reg
	if reg == 0 {
		reg = 1e-3
	}
	if reg < 0 || math.IsNaN(reg) || math.IsInf(reg, 0) {
		return errorf(op, "Reg", reg, ErrParam, "need Reg > 0")
	}
	idx, _, err := selfNeighbors(op, xd, k, graph.KNNOptions{})
	if err != nil {
		return err
	}
	// M as a sum of neighbourhood blocks: applied by products (Lanczos),
	// assembled sparse (shift-invert) or dense (small N).
	var opr interface {
		linalg.SymOperator
		blockSum
	}
	switch l.Method {
	case "", "standard":
		w := make([]float64, n*k)
		linalg.ParallelRange(n, 32, func(lo, hi int) {
			var c []float64
			for i := lo; i < hi; i++ {
				c = barycenter(xd.RawRowView(i), xd, idx[i*k:(i+1)*k], reg, w[i*k:(i+1)*k], c)
			}
		})
		opr = newLLEOp(n, k, idx, w)
	case "ltsa":
		if kc >= k {
			return errorf(op, "Components", kc, ErrParam, fmt.Sprintf("LTSA needs Components < Neighbors = %d", k))
		}
		g, err := ltsaBases(xd, idx, k, kc)
		if err != nil {
			return errorf(op, "x", nil, ErrNoConvergence, "local SVD failed")
		}
		opr = &ltsaOp{n: n, k: k, c: kc + 1, idx: idx, g: g}
	case "hessian":
		if need := kc * (kc + 3) / 2; k <= need {
			return errorf(op, "Neighbors", k, ErrParam, fmt.Sprintf("hessian LLE needs Neighbors > Components (Components + 3) / 2 = %d", need))
		}
		ho, err := hessianOp(xd, idx, k, kc)
		if err != nil {
			return errorf(op, "Components", kc, ErrParam, err.Error())
		}
		opr = ho
	case "modified":
		if k < kc {
			return errorf(op, "Neighbors", k, ErrParam, fmt.Sprintf("modified LLE needs Neighbors >= Components = %d", kc))
		}
		opr = modifiedOp(xd, idx, k, kc)
	default:
		return errorf(op, "Method", l.Method, ErrParam, "valid: standard, modified, hessian, ltsa")
	}
	var vals []float64
	var vecs *mat.Dense
	dense := useDense(l.Solver, n) || kc+1+24 >= n
	shifted := false
	if !dense {
		vals, vecs, shifted = shiftInvertBottom(opr, n, kc, l.Tol, l.MaxIter, l.Seed)
	}
	// The constant null vector of M, deflated by both Lanczos paths.
	ones := constantColumn(n)
	filtered := false
	if !dense && !shifted && useFilter {
		vals, vecs, filtered = filteredBottom(opr, ones, kc, l.Tol, l.MaxIter, l.Seed)
	}
	if !dense && !shifted && !filtered {
		maxIter := l.MaxIter
		if maxIter == 0 && l.Solver == SolverAuto {
			maxIter = 300
		}
		// A wide Krylov basis: the wanted eigenvalues are tiny and
		// clustered (relative gaps ~1e-6), and 100 vectors converge where
		// the default basis stalls (Fashion-MNIST, N = 5000: 60 restarts).
		ncv := min(max(100, 4*(kc+1)), n-2)
		res, err := linalg.Eigs(opr, linalg.EigsSettings{K: kc, Which: linalg.Smallest, Tol: l.Tol, MaxIter: maxIter, Seed: l.Seed, Deflate: ones, NCV: ncv})
		switch {
		case err == nil:
			vals, vecs = res.Values, res.Vectors
		case l.Solver == SolverAuto && errors.Is(err, linalg.ErrNoConvergence) && n <= MaxQuadraticN:
			// Tiny, clustered eigenvalues (low-dimensional manifolds with
			// k > D): fall back to the dense solver.
			slog.Debug("spectral: lle: Lanczos did not converge; using the dense solver", "n", n)
			dense = true
		default:
			return wrapLinalg(op, err)
		}
	}
	if dense {
		vals, vecs, err = linalg.EigSymRange(denseBlockSum(opr, n), 0, kc+1)
		if err != nil {
			return wrapLinalg(op, err)
		}
		vals = vals[1:]
		vecs = mat.DenseCopyOf(vecs.Slice(0, n, 1, kc+1))
	}
	linalg.SignFlip(vecs)
	l.train, l.k, l.reg, l.z, l.vals, l.fitted = xd, k, reg, vecs, vals, true
	return nil
}

// constantColumn returns the n x 1 matrix of ones.
func constantColumn(n int) *mat.Dense {
	c := mat.NewDense(n, 1, nil)
	for i := 0; i < n; i++ {
		c.Set(i, 0, 1)
	}
	return c
}

// barycenter writes the regularised barycentric weights of x on the rows
// nb of data into w: G = C Cᵀ with C the neighbours minus x, G += R·I
// (R = reg·trace(G), or reg when the trace is 0), G v = 1 by Cholesky,
// w = v / Σv (scikit-learn's barycenter_weights). Small k x k work in
// place; an indefinite G (impossible with R > 0 up to rounding) falls back
// to an LU solve. c is scratch for the k x D differences and the k x k
// Gram matrix (reallocated when too short), returned for reuse: allocating
// and zeroing it per point was a fifth of an LLE fit on 784-d data.
func barycenter(x []float64, data *mat.Dense, nb []int, reg float64, w, c []float64) []float64 {
	k := len(nb)
	_, d := data.Dims()
	if cap(c) < k*d+k*k {
		c = make([]float64, k*d+k*k)
	}
	c, g := c[:k*d], c[k*d:k*d+k*k]
	x = x[:d]
	for t, j := range nb {
		// gonum's vectorised loop: the same single rounding of each
		// difference, 5x faster than a Go loop at D = 784.
		floats.SubTo(c[t*d:(t+1)*d], data.RawRowView(j)[:d], x)
	}
	// G = C Cᵀ by one linalg.SyrkUpper (the BLAS's vectorised kernels: as
	// k(k+1)/2 scalar dot products of length D this was a quarter of an LLE
	// fit on 784-d data).
	linalg.SyrkUpper(false, 1, linalg.General[float64]{Rows: k, Cols: d, Stride: d, Data: c},
		linalg.General[float64]{Rows: k, Cols: k, Stride: k, Data: g})
	tr := 0.0
	for a := 0; a < k; a++ {
		for b := 0; b < a; b++ {
			g[a*k+b] = g[b*k+a]
		}
		tr += g[a*k+a]
	}
	r := reg
	if tr > 0 {
		r = reg * tr
	}
	for a := 0; a < k; a++ {
		g[a*k+a] += r
	}
	if !cholSolveOnes(g, k, w) {
		gm := mat.NewDense(k, k, g)
		ones := mat.NewVecDense(k, nil)
		for t := 0; t < k; t++ {
			ones.SetVec(t, 1)
		}
		var sol mat.VecDense
		_ = sol.SolveVec(gm, ones)
		for t := 0; t < k; t++ {
			w[t] = sol.AtVec(t)
		}
	}
	s := 0.0
	for t := 0; t < k; t++ {
		s += w[t]
	}
	for t := 0; t < k; t++ {
		w[t] /= s
	}
	return c
}

// cholSolveOnes solves G v = 1 for the symmetric k x k g (row-major,
// overwritten by its Cholesky factor) into v; false if g is not positive
// definite.
func cholSolveOnes(g []float64, k int, v []float64) bool {
	for j := 0; j < k; j++ {
		s := g[j*k+j]
		for q := 0; q < j; q++ {
			s -= g[j*k+q] * g[j*k+q]
		}
		if !(s > 0) {
			return false
		}
		ljj := math.Sqrt(s)
		g[j*k+j] = ljj
		for i := j + 1; i < k; i++ {
			t := g[i*k+j]
			for q := 0; q < j; q++ {
				t -= g[i*k+q] * g[j*k+q]
			}
			g[i*k+j] = t / ljj
		}
	}
	for i := 0; i < k; i++ {
		t := 1.0
		for q := 0; q < i; q++ {
			t -= g[i*k+q] * v[q]
		}
		v[i] = t / g[i*k+i]
	}
	for i := k - 1; i >= 0; i-- {
		t := v[i]
		for q := i + 1; q < k; q++ {
			t -= g[q*k+i] * v[q]
		}
		v[i] = t / g[i*k+i]
	}
	return true
}

// lleOp applies M = (I − W)ᵀ(I − W) from the neighbour lists, as two
// passes r = (I − W) x and y = (I − W)ᵀ r over sparse rows (CSR with int32
// offsets and indices: W by rows, and Wᵀ by rows, for each j the points i
// that have j as a neighbour, i ascending). Each pass is rowGather: every
// entry is a sum over its own row, so the passes run in parallel over
// row chunks and the bits do not depend on the chunking. Not safe for
// concurrent products (r is the operator's buffer).
type lleOp struct {
	n, k int
	w    []float64
	ptr  []int32 // W's rows: ptr[i] = i·k (derivable; kept so that both passes are one CSR kernel)
	idx  []int32 // neighbour lists, n x k
	tptr []int32 // Wᵀ's rows
	tsrc []int32
	tw   []float64
	r    []float64
}

// maxLLEEntries bounds N·k for LLE: the operator's offsets are int32.
const maxLLEEntries = math.MaxInt32

// newLLEOp returns the operator of the weights w (n x k, row i on the
// neighbours idx[i*k:(i+1)*k]); n·k <= maxLLEEntries.
func newLLEOp(n, k int, idx []int, w []float64) *lleOp {
	o := &lleOp{n: n, k: k, w: w, ptr: make([]int32, n+1), idx: make([]int32, n*k),
		tptr: make([]int32, n+1), tsrc: make([]int32, n*k), tw: make([]float64, n*k), r: make([]float64, n)}
	for i := 0; i <= n; i++ {
		o.ptr[i] = int32(i * k)
	}
	for t, j := range idx {
		o.idx[t] = int32(j)
		o.tptr[j+1]++
	}
	for j := 0; j < n; j++ {
		o.tptr[j+1] += o.tptr[j]
	}
	fill := append([]int32(nil), o.tptr[:n]...)
	for i := 0; i < n; i++ {
		for a, j := range idx[i*k : (i+1)*k] {
			o.tsrc[fill[j]], o.tw[fill[j]] = int32(i), w[i*k+a]
			fill[j]++
		}
	}
	return o
}

func (o *lleOp) Size() int { return o.n }

// lleGrain is the row chunk of a product's passes: a goroutine per 4,096
// rows (some 40,000 multiply-adds at k = 10). Below 8,192 rows a pass runs
// on the calling goroutine: starting goroutines costs more than such a
// pass (N = 2,000, Go loop: 35 µs a product on one goroutine, 55 µs on
// two).
const lleGrain = 4096

func (o *lleOp) MulVecTo(dst, x []float64) {
	// r = (I − W) x, then dst = (I − W)ᵀ r.
	r := o.r
	linalg.ParallelRange(o.n, lleGrain, func(lo, hi int) {
		rowGather(lo, hi, r, x, o.ptr, o.idx, o.w, x)
	})
	linalg.ParallelRange(o.n, lleGrain, func(lo, hi int) {
		rowGather(lo, hi, dst, r, o.tptr, o.tsrc, o.tw, r)
	})
}

// useGatherAsm selects asm.SubGatherDot for rowGather (a variable so that
// the tests run both paths).
var useGatherAsm = asm.HasAVX2

// rowGather sets dst[i] = d[i] − Σ_{t = ptr[i]}^{ptr[i+1]−1} w[t]·x[idx[t]]
// for lo <= i < hi, the sum in asm.SubGatherDot's order (four lanes, then
// (lane0 + lane2) + (lane1 + lane3), then the tail terms) on either path,
// so the kernel and this loop give the same bits (a product of M at
// Fashion-MNIST 2,000, k = 10: 22-23 µs with the kernel, 37-40 µs without).
func rowGather(lo, hi int, dst, d []float64, ptr, idx []int32, w, x []float64) {
	if lo >= hi || ptr[lo] == ptr[hi] {
		for i := lo; i < hi; i++ {
			dst[i] = d[i]
		}
		return
	}
	if useGatherAsm {
		asm.SubGatherDot(hi-lo, &dst[lo], &d[lo], &ptr[lo], &idx[0], &w[0], &x[0])
		return
	}
	for i := lo; i < hi; i++ {
		t, q := int(ptr[i]), int(ptr[i+1])
		var l0, l1, l2, l3 float64
		for ; t+4 <= q; t += 4 {
			l0 += float64(w[t] * x[idx[t]])
			l1 += float64(w[t+1] * x[idx[t+1]])
			l2 += float64(w[t+2] * x[idx[t+2]])
			l3 += float64(w[t+3] * x[idx[t+3]])
		}
		s := (l0 + l2) + (l1 + l3)
		for ; t < q; t++ {
			s += float64(w[t] * x[idx[t]])
		}
		dst[i] = d[i] - s
	}
}

// Embedding returns a copy of the N x K embedding (unit columns).
func (l *LLE) Embedding() *mat.Dense {
	if !l.fitted {
		return nil
	}
	return copyOrNil(l.z)
}

// Eigenvalues returns the K eigenvalues of M of the returned columns,
// ascending.
func (l *LLE) Eigenvalues() []float64 {
	if !l.fitted {
		return nil
	}
	return append([]float64(nil), l.vals...)
}

// ReconstructionError returns the sum of Eigenvalues (scikit-learn's
// reconstruction_error_).
func (l *LLE) ReconstructionError() float64 {
	s := 0.0
	for _, v := range l.vals {
		s += v
	}
	return s
}

// Transform embeds the rows of x (M x D) by barycentric reconstruction from
// their k nearest training points.
func (l *LLE) Transform(x mat.Matrix) (*mat.Dense, error) {
	const op = "lle.transform"
	if !l.fitted {
		return nil, notFitted(op)
	}
	xd, err := checkData(op, "x", x)
	if err != nil {
		return nil, err
	}
	_, dim := l.train.Dims()
	if err := checkCols(op, xd, dim); err != nil {
		return nil, err
	}
	idx, dist, err := knnQuery(op, l.train, xd, l.k)
	if err != nil {
		return nil, err
	}
	m, _ := xd.Dims()
	_, kc := l.z.Dims()
	out := mat.NewDense(m, kc, nil)
	linalg.ParallelRange(m, 32, func(lo, hi int) {
		var c []float64
		for i := lo; i < hi; i++ {
			nb := idx[i*l.k : (i+1)*l.k]
			w := make([]float64, l.k)
			if dist[i*l.k] == 0 {
				w[0] = 1
			} else {
				c = barycenter(xd.RawRowView(i), l.train, nb, l.reg, w, c)
			}
			row := out.RawRowView(i)
			for t, j := range nb {
				zr := l.z.RawRowView(j)
				for c := range row {
					row[c] += w[t] * zr[c]
				}
			}
		}
	})
	return out, nil
}

// ltsaBases returns, for every point, G_i = [1/sqrt(k), V_i] (k x (K+1),
// row-major, concatenated) with V_i the top-K left singular vectors of its
// centred neighbours.
func ltsaBases(x *mat.Dense, idx []int, k, kc int) ([]float64, error) {
	n, d := x.Dims()
	c := kc + 1
	g := make([]float64, n*k*c)
	var fail error
	var mu sync.Mutex
	linalg.ParallelRange(n, 32, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			xi := mat.NewDense(k, d, nil)
			for t := 0; t < k; t++ {
				xi.SetRow(t, x.RawRowView(idx[i*k+t]))
			}
			linalg.CenterColumnsInPlace(xi)
			var svd mat.SVD
			if !svd.Factorize(xi, mat.SVDFullU) {
				mu.Lock()
				fail = errors.New("svd")
				mu.Unlock()
				continue
			}
			var u mat.Dense
			svd.UTo(&u)
			gi := g[i*k*c : (i+1)*k*c]
			for t := 0; t < k; t++ {
				gi[t*c] = 1 / math.Sqrt(float64(k))
				for j := 0; j < kc; j++ {
					gi[t*c+1+j] = u.At(t, j)
				}
			}
		}
	})
	return g, fail
}

// ltsaOp applies M = Σ_i S_i (I − G_i G_iᵀ) S_iᵀ (S_i selects the
// neighbours of i): O(N k (K+1)) per product.
type ltsaOp struct {
	n, k, c int
	idx     []int
	g       []float64
}

func (o *ltsaOp) Size() int { return o.n }

func (o *ltsaOp) MulVecTo(dst, x []float64) {
	for i := range dst {
		dst[i] = 0
	}
	h := make([]float64, o.c)
	for i := 0; i < o.n; i++ {
		nb := o.idx[i*o.k : (i+1)*o.k]
		gi := o.g[i*o.k*o.c : (i+1)*o.k*o.c]
		for j := range h {
			h[j] = 0
		}
		for t, v := range nb {
			xv := x[v]
			for j := 0; j < o.c; j++ {
				h[j] += gi[t*o.c+j] * xv
			}
		}
		for t, v := range nb {
			s := x[v]
			for j := 0; j < o.c; j++ {
				s -= gi[t*o.c+j] * h[j]
			}
			dst[v] += s
		}
	}
}
