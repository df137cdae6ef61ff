package spectral

import (
	"errors"
	"fmt"
	"math"

	"github.com/eigenssl/eigenssl/graph"
	"github.com/eigenssl/eigenssl/linalg"
	"gonum.org/v1/gonum/mat"
)

// CCA is closed-form canonical correlation analysis of two views (Hotelling
// 1936), never NIPALS: with the centred views Xa (N x Da), Xb (N x Db),
//
//	Saa = XacᵀXac/(N−1) + Eps·I,  Sbb = XbcᵀXbc/(N−1) + Eps·I,
//	Sab = XacᵀXbc/(N−1),
//	T = Saa^{-1/2} Sab Sbb^{-1/2} = U S Vᵀ   (symmetric inverse square roots),
//	Wa = Saa^{-1/2} U_K,  Wb = Sbb^{-1/2} V_K,
//
// so that WaᵀSaaWa = WbᵀSbbWb = I and WaᵀSabWb = diag(ρ): the canonical
// variates have unit variance under the N−1 normalisation. Eigenvalues are the
// canonical correlations ρ, descending. Sign: the entry of largest |value|
// of each Wa column is positive and the same sign is applied to the paired Wb
// column.
//
// Fit(x) takes the two views side by side (the first ViewA columns are view
// a); FitViews takes them separately. Embedding is view a's variates
// (Xa − mean_a) Wa, EmbeddingB view b's; Transform is exact. The cost is
// O(N (Da+Db)² + (Da+Db)³).
type CCA struct {
	// Components is K (default min(Da, Db)), K <= min(Da, Db), K < N.
	Components int
	// Eps is the ridge added to both covariances (default 1e-8; negative
	// means none).
	Eps float64
	// ViewA is the number of leading columns of x forming view a in Fit
	// (default D/2).
	ViewA int

	meanA, meanB []float64
	wa, wb       *mat.Dense
	za, zb       *mat.Dense
	rho          []float64
	fitted       bool
}

// Fit splits x (N x D) into views x[:, :ViewA] and x[:, ViewA:] and calls
// FitViews.
func (c *CCA) Fit(x *mat.Dense) error {
	const op = "cca.fit"
	c.fitted = false
	xd, err := checkData(op, "x", x)
	if err != nil {
		return err
	}
	n, d := xd.Dims()
	da := c.ViewA
	if da == 0 {
		da = d / 2
	}
	if da < 1 || da >= d {
		return errorf(op, "ViewA", da, ErrParam, fmt.Sprintf("need 1 <= ViewA < D = %d", d))
	}
	return c.fitViews(op, mat.DenseCopyOf(xd.Slice(0, n, 0, da)), mat.DenseCopyOf(xd.Slice(0, n, da, d)))
}

// FitViews computes the canonical directions of the paired views xa
// (N x Da) and xb (N x Db).
func (c *CCA) FitViews(xa, xb *mat.Dense) error {
	const op = "cca.fitviews"
	c.fitted = false
	a, err := checkData(op, "xa", xa)
	if err != nil {
		return err
	}
	b, err := checkData(op, "xb", xb)
	if err != nil {
		return err
	}
	if na, _ := a.Dims(); na != rowsN(b) {
		return errorf(op, "xb", fmt.Sprintf("%d rows", rowsN(b)), ErrShape, fmt.Sprintf("want %d rows, as xa", na))
	}
	return c.fitViews(op, a, b)
}

func rowsN(m *mat.Dense) int { r, _ := m.Dims(); return r }

func (c *CCA) fitViews(op string, a, b *mat.Dense) error {
	n, da := a.Dims()
	_, db := b.Dims()
	k := c.Components
	if k == 0 {
		k = min(da, db, n-1)
	}
	if k < 1 || k > min(da, db) || k >= n {
		return errorf(op, "Components", k, ErrParam, fmt.Sprintf("need 1 <= Components <= min(Da, Db) = %d and < N = %d", min(da, db), n))
	}
	eps := c.Eps
	if eps == 0 {
		eps = 1e-8
	}
	if eps < 0 {
		eps = 0
	}
	ma, mb := linalg.CenterColumnsInPlace(a), linalg.CenterColumnsInPlace(b)
	saa := covariance(a, a, n, eps)
	sbb := covariance(b, b, n, eps)
	sab := covariance(a, b, n, 0)
	ia, err := invSqrt(op, "Saa", saa)
	if err != nil {
		return err
	}
	ib, err := invSqrt(op, "Sbb", sbb)
	if err != nil {
		return err
	}
	var t, tmp mat.Dense
	tmp.Mul(ia, sab)
	t.Mul(&tmp, ib)
	var svd mat.SVD
	if !svd.Factorize(&t, mat.SVDThin) {
		return errorf(op, "T", nil, ErrNoConvergence, "SVD of the whitened cross-covariance failed")
	}
	var u, v mat.Dense
	svd.UTo(&u)
	svd.VTo(&v)
	s := svd.Values(nil)
	wa := mat.NewDense(da, k, nil)
	wa.Mul(ia, u.Slice(0, da, 0, k))
	wb := mat.NewDense(db, k, nil)
	wb.Mul(ib, v.Slice(0, db, 0, k))
	linalg.SignFlipPair(wa, wb)
	za := mat.NewDense(n, k, nil)
	za.Mul(a, wa)
	zb := mat.NewDense(n, k, nil)
	zb.Mul(b, wb)
	c.meanA, c.meanB, c.wa, c.wb, c.za, c.zb, c.rho, c.fitted = ma, mb, wa, wb, za, zb, s[:k], true
	return nil
}

// covariance returns aᵀb/(N−1) + eps·I (a, b centred).
func covariance(a, b *mat.Dense, n int, eps float64) *mat.Dense {
	var s mat.Dense
	s.Mul(a.T(), b)
	s.Scale(1/float64(n-1), &s)
	if eps != 0 {
		r, _ := s.Dims()
		for i := 0; i < r; i++ {
			s.Set(i, i, s.At(i, i)+eps)
		}
	}
	return &s
}

// invSqrt returns S^{-1/2} of the symmetric part of the covariance s
// (linalg.InvSqrt); a smallest eigenvalue <= 0 is an *Error wrapping
// ErrSingular naming the view's covariance (name) with the smallest
// eigenvalue as Value.
func invSqrt(op, name string, s *mat.Dense) (*mat.Dense, error) {
	out, err := linalg.InvSqrt(linalg.SymmetricPart(s))
	var le *linalg.Error
	if errors.Is(err, linalg.ErrNotPositiveDefinite) && errors.As(err, &le) {
		return nil, &Error{Op: op, Param: name, Value: le.Value, Err: ErrSingular, Hint: "a view has a constant or collinear combination of columns; set Eps > 0"}
	}
	if err != nil {
		return nil, wrapLinalg(op, err)
	}
	return out, nil
}

// Embedding returns a copy of view a's canonical variates (Xa − mean) Wa.
func (c *CCA) Embedding() *mat.Dense {
	if !c.fitted {
		return nil
	}
	return copyOrNil(c.za)
}

// EmbeddingB returns a copy of view b's canonical variates (Xb − mean) Wb.
func (c *CCA) EmbeddingB() *mat.Dense {
	if !c.fitted {
		return nil
	}
	return copyOrNil(c.zb)
}

// Eigenvalues returns the K canonical correlations, descending.
func (c *CCA) Eigenvalues() []float64 {
	if !c.fitted {
		return nil
	}
	return append([]float64(nil), c.rho...)
}

// Weights returns copies of Wa (Da x K) and Wb (Db x K).
func (c *CCA) Weights() (wa, wb *mat.Dense) {
	if !c.fitted {
		return nil, nil
	}
	return copyOrNil(c.wa), copyOrNil(c.wb)
}

// Transform returns view a's variates of new rows x, given side by side as
// in Fit (Da + Db columns; only the first Da are used).
func (c *CCA) Transform(x mat.Matrix) (*mat.Dense, error) {
	const op = "cca.transform"
	if !c.fitted {
		return nil, notFitted(op)
	}
	xd, err := checkData(op, "x", x)
	if err != nil {
		return nil, err
	}
	da, _ := c.wa.Dims()
	db, _ := c.wb.Dims()
	if err := checkCols(op, xd, da+db); err != nil {
		return nil, err
	}
	m, _ := xd.Dims()
	za, _, err := c.TransformViews(xd.Slice(0, m, 0, da), xd.Slice(0, m, da, da+db))
	return za, err
}

// TransformViews returns the canonical variates of new paired rows of both
// views (xa M x Da, xb M x Db): (xa − mean_a) Wa and (xb − mean_b) Wb.
func (c *CCA) TransformViews(xa, xb mat.Matrix) (za, zb *mat.Dense, err error) {
	const op = "cca.transformviews"
	if !c.fitted {
		return nil, nil, notFitted(op)
	}
	za, err = centredProject(op, "xa", xa, c.meanA, c.wa)
	if err != nil {
		return nil, nil, err
	}
	zb, err = centredProject(op, "xb", xb, c.meanB, c.wb)
	if err != nil {
		return nil, nil, err
	}
	return za, zb, nil
}

func centredProject(op, name string, x mat.Matrix, mean []float64, w *mat.Dense) (*mat.Dense, error) {
	xd, err := checkData(op, name, x)
	if err != nil {
		return nil, err
	}
	if err := checkCols(op, xd, len(mean)); err != nil {
		return nil, err
	}
	m, _ := xd.Dims()
	for i := 0; i < m; i++ {
		row := xd.RawRowView(i)
		for j := range row {
			row[j] -= mean[j]
		}
	}
	_, k := w.Dims()
	z := mat.NewDense(m, k, nil)
	z.Mul(xd, w)
	return z, nil
}

// GraphCCA is the shared-weight CCA on the positive pairs of a relation
// graph G, the linear-regime optimum of BarlowTwins (THEORY §4): with
// Z = X W,
//
//	Xᵀ G X w = ρ Xᵀ D X w,   D = diag(G 1),
//
// the K largest ρ, descending; wᵀ Xᵀ D X w = 1 (each column of Z has unit
// norm on the edge list, ‖Zl_k‖² = (ZᵀDZ)_kk), sign rule per column. X is
// used as given (not centred). Fit builds the kNN affinity of
// LaplacianEigenmaps; FitGraph takes any graph. Transform is x W, exact.
// Xᵀ G X is formed from the sparse graph: O(NNZ D + N D² + D³).
type GraphCCA struct {
	// Components is K (default 2), K <= D, K < N.
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
	// Reg is a relative ridge on Xᵀ D X (default 0).
	Reg float64

	w      *mat.Dense
	z      *mat.Dense
	rho    []float64
	fitted bool
}

// Fit computes W from x (N x D) and its kNN affinity.
func (c *GraphCCA) Fit(x *mat.Dense) error {
	const op = "graphcca.fit"
	c.fitted = false
	xd, err := checkData(op, "x", x)
	if err != nil {
		return err
	}
	g, _, err := knnGraph(op, xd, c.Neighbors, c.Search)
	if err != nil {
		return err
	}
	return c.fit(op, xd, g)
}

// FitGraph computes W from x (N x D) and the relation graph g on its rows.
func (c *GraphCCA) FitGraph(x *mat.Dense, g *graph.CSR) error {
	const op = "graphcca.fitgraph"
	c.fitted = false
	xd, err := checkData(op, "x", x)
	if err != nil {
		return err
	}
	if err := checkGraphRows(op, g, xd); err != nil {
		return err
	}
	return c.fit(op, xd, g)
}

func (c *GraphCCA) fit(op string, x *mat.Dense, g *graph.CSR) error {
	n, d := x.Dims()
	k, err := components(op, c.Components, min(d, n-1))
	if err != nil {
		return err
	}
	if c.Reg < 0 || math.IsNaN(c.Reg) {
		return errorf(op, "Reg", c.Reg, ErrParam, "need Reg >= 0")
	}
	a, b := graphQuadratics(x, g)
	vals, w, err := genEig(op, a, b, d-k, d, c.Reg)
	if err != nil {
		return err
	}
	rho, w, _ := reverse(vals, w)
	z := mat.NewDense(n, k, nil)
	z.Mul(x, w)
	c.w, c.z, c.rho, c.fitted = w, z, rho, true
	return nil
}

// Embedding returns a copy of X W.
func (c *GraphCCA) Embedding() *mat.Dense {
	if !c.fitted {
		return nil
	}
	return copyOrNil(c.z)
}

// Weights returns a copy of W (D x K).
func (c *GraphCCA) Weights() *mat.Dense {
	if !c.fitted {
		return nil
	}
	return copyOrNil(c.w)
}

// Eigenvalues returns the K largest ρ, descending.
func (c *GraphCCA) Eigenvalues() []float64 {
	if !c.fitted {
		return nil
	}
	return append([]float64(nil), c.rho...)
}

// Transform returns x W (exact).
func (c *GraphCCA) Transform(x mat.Matrix) (*mat.Dense, error) {
	return linearTransform("graphcca.transform", c.fitted, c.w, x)
}
