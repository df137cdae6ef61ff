package spectral

import (
	"math"

	"github.com/eigenssl/eigenssl/graph"
	"github.com/eigenssl/eigenssl/linalg"
	"gonum.org/v1/gonum/mat"
)

// KernelLPP is kernel Locality Preserving Projections: LPP in the feature
// space of a kernel, Z = Kc α with Kc = H K H the centred kernel,
//
//	Kc L Kc α = λ Kc D Kc α,   L = D − G,   the K smallest, ascending.
//
// Kc is singular (rank <= N−1, and <= D for the linear kernel), so the
// problem is solved in its range: with Kc = U S Uᵀ restricted to the r
// eigenvalues above RankTol·max, Z = U_r b where
//
//	U_rᵀ L U_r b = λ U_rᵀ D U_r b,   bᵀ U_rᵀ D U_r b = 1,
//
// so ZᵀDZ = I (the LE normalisation) and α = U_r S_r^{-1} b. Centring
// removes the constant function (zero Laplacian energy, the trivial LE
// solution) from the search space. Columns get the sign rule.
//
// Transform is the kernel formula z(x) = kc(x) α with the new kernel rows
// centred by the training statistics; it reproduces Embedding on the
// training points (to rounding amplified by 1/RankTol at worst). For the
// linear kernel it is linear LPP on centred data.
//
// The method is inherently O(N²) memory and O(N³) time (eigendecomposition of
// Kc); N above MaxQuadraticN is refused unless Force is set.
type KernelLPP struct {
	// Components is K (default 2), 1 <= K <= r.
	Components int
	// Neighbors is the k of the kNN affinity in Fit, self included
	// (default max(N/10, 2)).
	Neighbors int
	// Search configures the neighbour search of the kNN affinity Fit
	// builds: Approx (with its Seed) selects graph's approximate search
	// (NN-descent, used from 2048 rows on; see graph.KNNOptions.Approx),
	// Workers caps its goroutines. Any other field set is an ErrParam (the
	// estimator fixes the affinity's metric and weights). Zero: exact.
	Search graph.KNNOptions
	// Kernel, Gamma, Degree and Coef0 are as in KernelPCA (default
	// linear; KernelPrecomputed needs FitGraph).
	Kernel Kernel
	Gamma  float64
	Degree int
	Coef0  float64
	// RankTol is the relative eigenvalue threshold defining the range of Kc
	// (default 1e-8).
	RankTol float64
	// Force lifts the MaxQuadraticN limit.
	Force bool

	spec    kernelSpec
	colMean []float64
	grand   float64
	alpha   *mat.Dense
	z       *mat.Dense
	vals    []float64
	n, dim  int
	fitted  bool
}

// Fit computes the embedding of the rows of x (N x D) with the kNN affinity.
func (m *KernelLPP) Fit(x *mat.Dense) error {
	const op = "klpp.fit"
	m.fitted = false
	if m.Kernel == KernelPrecomputed {
		return errorf(op, "Kernel", "precomputed", ErrParam, "a precomputed kernel needs the graph: use FitGraph")
	}
	xd, err := checkData(op, "x", x)
	if err != nil {
		return err
	}
	n, _ := xd.Dims()
	if err := checkQuadratic(op, n, m.Force, "kernel LPP needs the N x N kernel; subsample the training set"); err != nil {
		return err
	}
	g, _, err := knnGraph(op, xd, m.Neighbors, m.Search)
	if err != nil {
		return err
	}
	return m.fit(op, xd, g)
}

// FitGraph computes the embedding of x (N x D data, or the N x N kernel when
// Kernel is KernelPrecomputed) with the relation graph g on its rows.
func (m *KernelLPP) FitGraph(x *mat.Dense, g *graph.CSR) error {
	const op = "klpp.fitgraph"
	m.fitted = false
	xd, err := checkData(op, "x", x)
	if err != nil {
		return err
	}
	if err := checkGraphRows(op, g, xd); err != nil {
		return err
	}
	n, _ := xd.Dims()
	if err := checkQuadratic(op, n, m.Force, "kernel LPP needs the N x N kernel; subsample the training set"); err != nil {
		return err
	}
	return m.fit(op, xd, g)
}

func (m *KernelLPP) fit(op string, x *mat.Dense, g *graph.CSR) error {
	n, d := x.Dims()
	spec, err := newKernelSpec(op, m.Kernel, m.Gamma, m.Degree, m.Coef0, d)
	if err != nil {
		return err
	}
	tol := m.RankTol
	if tol == 0 {
		tol = 1e-8
	}
	if tol < 0 || tol >= 1 || math.IsNaN(tol) {
		return errorf(op, "RankTol", tol, ErrParam, "need 0 < RankTol < 1")
	}
	var km *mat.Dense
	if spec.kind() == KernelPrecomputed {
		if err := checkSquareSym(op, "x", x); err != nil {
			return err
		}
		km = mat.DenseCopyOf(x)
		spec.precomputedN = n
	} else {
		spec.train = x
		km = spec.selfMatrix(x)
	}
	colMean, grand := centreKernel(km)
	s, u, err := linalg.EigSym(mat.NewSymDense(n, km.RawMatrix().Data))
	if err != nil {
		return wrapLinalg(op, err)
	}
	smax := math.Max(math.Abs(s[0]), math.Abs(s[n-1]))
	var keep []int
	for i := n - 1; i >= 0; i-- {
		if s[i] > tol*smax {
			keep = append(keep, i)
		}
	}
	r := len(keep)
	if r == 0 {
		return errorf(op, "x", "centred kernel of rank 0", ErrSingular, "the points are identical in feature space (all rows equal?), so no embedding is defined")
	}
	k, err := components(op, m.Components, min(r, n-1))
	if err != nil {
		return err
	}
	ur := mat.NewDense(n, r, nil)
	for c, i := range keep {
		for q := 0; q < n; q++ {
			ur.Set(q, c, u.At(q, i))
		}
	}
	a, b := rangeQuadratics(ur, g)
	vals, bv, err := genEig(op, a, b, 0, k, 0)
	if err != nil {
		return err
	}
	z := mat.NewDense(n, k, nil)
	z.Mul(ur, bv)
	linalg.SignFlip(z)
	// α = U_r S_r^{-1} b with b re-derived from the sign-fixed z = U_r b.
	var bs mat.Dense
	bs.Mul(ur.T(), z)
	for c, i := range keep {
		row := bs.RawRowView(c)
		for j := range row {
			row[j] /= s[i]
		}
	}
	alpha := mat.NewDense(n, k, nil)
	alpha.Mul(ur, &bs)
	m.spec, m.colMean, m.grand, m.alpha, m.z, m.vals, m.n, m.dim, m.fitted = spec, colMean, grand, alpha, z, vals, n, d, true
	return nil
}

// rangeQuadratics returns Uᵀ L U and Uᵀ D U for the graph g (N vertices) and
// the N x r basis u, from sparse products.
func rangeQuadratics(u *mat.Dense, g *graph.CSR) (a, b *mat.SymDense) {
	n, r := u.Dims()
	gu := mat.NewDense(n, r, nil)
	g.MulMatTo(gu, u)
	deg := g.Degree(nil)
	du := mat.DenseCopyOf(u)
	for i := 0; i < n; i++ {
		row := du.RawRowView(i)
		for j := range row {
			row[j] *= deg[i]
		}
	}
	var bd, gd mat.Dense
	bd.Mul(u.T(), du)
	gd.Mul(u.T(), gu)
	a = mat.NewSymDense(r, nil)
	b = mat.NewSymDense(r, nil)
	for i := 0; i < r; i++ {
		for j := i; j < r; j++ {
			bij := 0.5 * (bd.At(i, j) + bd.At(j, i))
			b.SetSym(i, j, bij)
			a.SetSym(i, j, bij-0.5*(gd.At(i, j)+gd.At(j, i)))
		}
	}
	return a, b
}

// Embedding returns a copy of the N x K embedding Kc α (ZᵀDZ = I).
func (m *KernelLPP) Embedding() *mat.Dense {
	if !m.fitted {
		return nil
	}
	return copyOrNil(m.z)
}

// Coefficients returns a copy of α (N x K): z(x) = kc(x) α.
func (m *KernelLPP) Coefficients() *mat.Dense {
	if !m.fitted {
		return nil
	}
	return copyOrNil(m.alpha)
}

// Eigenvalues returns the K smallest generalised eigenvalues, ascending.
func (m *KernelLPP) Eigenvalues() []float64 {
	if !m.fitted {
		return nil
	}
	return append([]float64(nil), m.vals...)
}

// Transform returns kc(x) α for the rows of x (M x D), or for M x N kernel
// rows when Kernel is KernelPrecomputed.
func (m *KernelLPP) Transform(x mat.Matrix) (*mat.Dense, error) {
	const op = "klpp.transform"
	if !m.fitted {
		return nil, notFitted(op)
	}
	xd, err := checkData(op, "x", x)
	if err != nil {
		return nil, err
	}
	var kx *mat.Dense
	if m.spec.kind() == KernelPrecomputed {
		if err := checkCols(op, xd, m.n); err != nil {
			return nil, err
		}
		kx = xd
	} else {
		if err := checkCols(op, xd, m.dim); err != nil {
			return nil, err
		}
		kx = m.spec.matrix(xd, m.spec.train)
	}
	centreRows(kx, m.colMean, m.grand)
	r, _ := kx.Dims()
	_, k := m.alpha.Dims()
	z := mat.NewDense(r, k, nil)
	z.Mul(kx, m.alpha)
	return z, nil
}
