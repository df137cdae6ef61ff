package spectral

import (
	"fmt"
	"math"

	"github.com/eigenssl/eigenssl/graph"
	"github.com/eigenssl/eigenssl/linalg"
	"gonum.org/v1/gonum/mat"
)

// LPP is Locality Preserving Projections (He & Niyogi 2003), the linear
// version of Laplacian Eigenmaps: with Z = X P,
//
//	minimise Tr(Pᵀ Xᵀ L X P)  s.t.  Pᵀ Xᵀ D X P = I,   L = D − G,
//
// i.e. the generalised eigenproblem Xᵀ L X a = λ Xᵀ D X a, the K smallest
// eigenvalues, ascending. X is used as given (NOT centred), the columns of
// Projection are B-orthonormal (aᵀ Xᵀ D X a = 1, scipy.linalg.eigh's
// convention) with the sign rule (entry of largest |value| positive).
// Embedding is X P and Transform(x) = x P exactly.
//
// Fit builds the same kNN affinity as LaplacianEigenmaps (scikit-learn's
// connectivity, Neighbors self included); FitGraph takes any relation graph.
// Xᵀ L X and Xᵀ D X are formed from the sparse graph in O(NNZ D + N D²), so
// LPP scales to large N; the D x D eigenproblem costs O(D³). A disconnected
// graph is fine (LPP on a graph whose components are the classes separates
// them). If Xᵀ D X is singular (D > N, collinear features) Fit returns
// ErrSingular; set Reg to add Reg·tr(B)/D·I to it.
type LPP struct {
	// Components is K (default 2), 1 <= K <= D, K < N.
	Components int
	// Neighbors is the k of the kNN affinity, self included (default
	// max(N/10, 2)).
	Neighbors int
	// Search configures the neighbour search of the kNN affinity Fit
	// builds: Approx (with its Seed) selects graph's approximate search
	// (NN-descent, used from 2048 rows on; see graph.KNNOptions.Approx),
	// Workers caps its goroutines. Any other field set is an ErrParam (the
	// estimator fixes the affinity's metric and weights). Zero: exact.
	Search graph.KNNOptions
	// Reg is a relative ridge on B = Xᵀ D X (default 0).
	Reg float64

	p      *mat.Dense // D x K projection
	z      *mat.Dense
	vals   []float64
	fitted bool
}

// Fit computes the projection from the rows of x (N x D) and their kNN
// affinity.
func (l *LPP) Fit(x *mat.Dense) error {
	const op = "lpp.fit"
	l.fitted = false
	xd, err := checkData(op, "x", x)
	if err != nil {
		return err
	}
	g, _, err := knnGraph(op, xd, l.Neighbors, l.Search)
	if err != nil {
		return err
	}
	return l.fit(op, xd, g)
}

// FitGraph computes the projection from x (N x D) and the relation graph g
// on its rows.
func (l *LPP) FitGraph(x *mat.Dense, g *graph.CSR) error {
	const op = "lpp.fitgraph"
	l.fitted = false
	xd, err := checkData(op, "x", x)
	if err != nil {
		return err
	}
	if err := checkGraphRows(op, g, xd); err != nil {
		return err
	}
	return l.fit(op, xd, g)
}

// checkSearch validates the Search field of an estimator that builds a kNN
// affinity: only Approx (graph's approximate search, used from 2048 rows
// on), Seed (its random choices) and Workers may be set, since the
// estimator fixes the affinity's metric and weights.
func checkSearch(op string, search graph.KNNOptions) error {
	if search != (graph.KNNOptions{Approx: search.Approx, Seed: search.Seed, Workers: search.Workers}) {
		return errorf(op, "Search", fmt.Sprintf("%+v", search), ErrParam, "only Approx, Seed and Workers may be set: the estimator fixes the affinity's metric and weights")
	}
	return nil
}

// graphQuadratics returns A = Xᵀ G X and B = Xᵀ D X from the sparse graph.
func graphQuadratics(x *mat.Dense, g *graph.CSR) (a, b *mat.SymDense) {
	n, d := x.Dims()
	gx := mat.NewDense(n, d, nil)
	g.MulMatTo(gx, x)
	deg := g.Degree(nil)
	dx := mat.DenseCopyOf(x)
	for i := 0; i < n; i++ {
		s := math.Sqrt(deg[i])
		row := dx.RawRowView(i)
		for j := range row {
			row[j] *= s
		}
	}
	b = mat.NewSymDense(d, nil)
	b.SymOuterK(1, dx.T())
	var ad mat.Dense
	ad.Mul(x.T(), gx)
	return linalg.SymmetricPart(&ad), b
}

// genEig is the shared generalised eigen path of LPP, kernel LPP and the
// graph CCA: pairs lo..hi-1 (ascending) of A v = λ B v, B-orthonormal, sign
// rule applied. ridge adds ridge·tr(B)/n·I to B.
func genEig(op string, a, b *mat.SymDense, lo, hi int, ridge float64) ([]float64, *mat.Dense, error) {
	if ridge > 0 {
		n := b.SymmetricDim()
		tr := 0.0
		for i := 0; i < n; i++ {
			tr += b.At(i, i)
		}
		r := ridge * tr / float64(n)
		for i := 0; i < n; i++ {
			b.SetSym(i, i, b.At(i, i)+r)
		}
	}
	vals, vecs, err := linalg.GenEigSymRange(a, b, lo, hi)
	if err != nil {
		e := wrapLinalg(op, err).(*Error)
		if e.Err == ErrSingular {
			e.Hint = "the constraint matrix is singular (collinear features or D > N); set Reg > 0"
		}
		return nil, nil, e
	}
	return vals, vecs, nil
}

func (l *LPP) fit(op string, x *mat.Dense, g *graph.CSR) error {
	n, d := x.Dims()
	k, err := components(op, l.Components, min(d, n-1))
	if err != nil {
		return err
	}
	if l.Reg < 0 || math.IsNaN(l.Reg) {
		return errorf(op, "Reg", l.Reg, ErrParam, "need Reg >= 0")
	}
	gq, b := graphQuadratics(x, g)
	// A = Xᵀ L X = Xᵀ D X − Xᵀ G X.
	a := mat.NewSymDense(d, nil)
	for i := 0; i < d; i++ {
		for j := i; j < d; j++ {
			a.SetSym(i, j, b.At(i, j)-gq.At(i, j))
		}
	}
	vals, p, err := genEig(op, a, b, 0, k, l.Reg)
	if err != nil {
		return err
	}
	z := mat.NewDense(n, k, nil)
	z.Mul(x, p)
	l.p, l.z, l.vals, l.fitted = p, z, vals, true
	return nil
}

// Embedding returns a copy of X P (nil before Fit).
func (l *LPP) Embedding() *mat.Dense {
	if !l.fitted {
		return nil
	}
	return copyOrNil(l.z)
}

// Projection returns a copy of the D x K projection P (nil before Fit).
func (l *LPP) Projection() *mat.Dense {
	if !l.fitted {
		return nil
	}
	return copyOrNil(l.p)
}

// Eigenvalues returns the K smallest generalised eigenvalues, ascending.
func (l *LPP) Eigenvalues() []float64 {
	if !l.fitted {
		return nil
	}
	return append([]float64(nil), l.vals...)
}

// Transform returns x P (exact).
func (l *LPP) Transform(x mat.Matrix) (*mat.Dense, error) {
	return linearTransform("lpp.transform", l.fitted, l.p, x)
}

func linearTransform(op string, fitted bool, p *mat.Dense, x mat.Matrix) (*mat.Dense, error) {
	if !fitted {
		return nil, notFitted(op)
	}
	xd, err := checkData(op, "x", x)
	if err != nil {
		return nil, err
	}
	d, k := p.Dims()
	if err := checkCols(op, xd, d); err != nil {
		return nil, err
	}
	m, _ := xd.Dims()
	z := mat.NewDense(m, k, nil)
	z.Mul(xd, p)
	return z, nil
}
