package spectral

import (
	"fmt"
	"math/rand/v2"
	"sort"

	"github.com/eigenssl/eigenssl/linalg"
	"gonum.org/v1/gonum/mat"
)

// ClassicalMDS is Torgerson's classical multidimensional scaling:
//
//	B = −½ H Δ² H,  H = I − 11ᵀ/N,  B = U Λ Uᵀ,
//	Z = U_K Λ_K^{1/2}  (top K, descending),
//
// with Δ the Euclidean distances of the rows of x, or the N x N distance
// matrix x itself when Precomputed is set. It is kernel PCA of −½Δ²
// (scikit-learn's KernelPCA(kernel='precomputed')), so Eigenvalues are those
// of B, not divided by N, and the columns follow the sign rule (largest
// |entry| positive). Negative eigenvalues (non-Euclidean Δ) give zero
// columns (no PSD check: unlike KernelPCA and Isomap, which fail on
// significant negative eigenvalues as scikit-learn does, classical MDS of a
// non-Euclidean Δ keeps its positive part). 1 <= K <= N. For Euclidean distances Z reproduces the configuration up to an
// orthogonal transformation and a translation.
//
// Transform is the Nyström / Gower out-of-sample formula: the new rows
// −½δ² of squared distances to the training points are centred with the
// training statistics and projected, z = bc(x) U Λ^{-1/2}; for the training
// points it reproduces Embedding exactly.
//
// The method is inherently O(N²); above MaxQuadraticN it refuses unless Force
// is set. With Landmarks = m > 0 it is landmark MDS (de Silva & Tenenbaum
// 2004): the eigenproblem is solved on m seeded random landmarks (m x m) and
// every point is placed by the same Gower formula, O(N m) memory; its
// Eigenvalues are those of the landmark matrix (they scale with m, not N).
type ClassicalMDS struct {
	// Components is K (default 2), 1 <= K <= N (K <= m with Landmarks).
	Components int
	// Precomputed says that Fit receives an N x N distance matrix and
	// Transform M x N distances to the training points.
	Precomputed bool
	// Landmarks, when > 0, selects landmark MDS with that many landmarks.
	Landmarks int
	// Solver, Tol, MaxIter and Seed configure the eigensolver; Seed also
	// draws the landmarks.
	Solver  Solver
	Tol     float64
	MaxIter int
	Seed    uint64
	// Force lifts the MaxQuadraticN limit.
	Force bool

	psd       bool       // scikit-learn's PSD check (set by Isomap, not by MDS)
	train     *mat.Dense // training data (not precomputed)
	landmarks []int
	eig       *centredEig
	z         *mat.Dense
	n, dim    int
	fitted    bool
}

// Fit computes the embedding of the rows of x (N x D), or of the distance
// matrix x (N x N, symmetric, non-negative) when Precomputed is set.
func (m *ClassicalMDS) Fit(x *mat.Dense) error {
	const op = "mds.fit"
	m.fitted = false
	xd, err := distanceInput(op, x, m.Precomputed)
	if err != nil {
		return err
	}
	n, d := xd.Dims()
	lm, k, err := quadraticPlan(op, n, m.Landmarks, m.Components, m.Seed, m.Force, "use Landmarks for landmark MDS")
	if err != nil {
		return err
	}
	// b holds −½Δ² between the landmarks (or all points) and all points.
	var b *mat.Dense
	switch {
	case m.Precomputed && lm == nil:
		b = mat.DenseCopyOf(xd)
		b.Apply(func(_, _ int, v float64) float64 { return -0.5 * v * v }, b)
	case m.Precomputed:
		b = mat.NewDense(len(lm), n, nil)
		for a, i := range lm {
			for j := 0; j < n; j++ {
				v := xd.At(i, j)
				b.Set(a, j, -0.5*v*v)
			}
		}
	case lm == nil:
		b = linalg.SqDistSelf(xd)
		b.Scale(-0.5, b)
	default:
		b = linalg.SqDist(linalg.SelectRows(xd, lm), xd)
		b.Scale(-0.5, b)
	}
	if err := m.fitKernel(op, b, lm, k); err != nil {
		return err
	}
	if !m.Precomputed {
		m.train = xd
	}
	m.n, m.dim, m.fitted = n, d, true
	return nil
}

// fitKernel solves the (landmark) eigenproblem on b = −½Δ² (N x N, or
// m x N from the landmarks) and places every point.
func (m *ClassicalMDS) fitKernel(op string, b *mat.Dense, lm []int, k int) error {
	m.landmarks = lm
	co := centredOptions{solver: m.Solver, tol: m.Tol, maxIter: m.MaxIter, seed: m.Seed, checkPSD: m.psd}
	if lm == nil {
		eig, err := fitCentred(op, b, k, co)
		if err != nil {
			return err
		}
		m.eig, m.z = eig, eig.embedding()
		return nil
	}
	eig, z, err := landmarkFit(op, b, lm, k, co)
	if err != nil {
		return err
	}
	m.eig, m.z = eig, z
	return nil
}

// landmarkFit solves MDS on the landmark block of b (m x N, −½Δ² from the
// landmarks) and places all N points with the Gower formula.
func landmarkFit(op string, b *mat.Dense, lm []int, k int, co centredOptions) (*centredEig, *mat.Dense, error) {
	mm := len(lm)
	kl := mat.NewDense(mm, mm, nil)
	for a := 0; a < mm; a++ {
		for c, j := range lm {
			kl.Set(a, c, b.At(a, j))
		}
	}
	symmetrise(kl)
	eig, err := fitCentred(op, kl, k, co)
	if err != nil {
		return nil, nil, err
	}
	// Every point's row of −½Δ² to the landmarks is a column of b.
	rows := mat.DenseCopyOf(b.T())
	return eig, eig.transform(rows), nil
}

// quadraticPlan validates the size of an O(N^2) global method (MDS, ISOMAP,
// kernel PCA): it draws the landmarks (nil without Landmarks), resolves the
// number of components against the landmark count, and refuses N above
// MaxQuadraticN without landmarks unless forced (hint names the variant).
func quadraticPlan(op string, n, landmarks, comps int, seed uint64, force bool, hint string) (lm []int, k int, err error) {
	if lm, err = pickLandmarks(op, landmarks, n, seed); err != nil {
		return nil, 0, err
	}
	size := n
	if lm != nil {
		size = len(lm)
	}
	if k, err = components(op, comps, size); err != nil {
		return nil, 0, err
	}
	if lm == nil {
		if err = checkQuadratic(op, n, force, hint); err != nil {
			return nil, 0, err
		}
	}
	return lm, k, nil
}

// pickLandmarks draws m distinct indices of [0, n) (sorted), or nil for m = 0.
func pickLandmarks(op string, m, n int, seed uint64) ([]int, error) {
	if m == 0 {
		return nil, nil
	}
	if m < 2 || m > n {
		return nil, errorf(op, "Landmarks", m, ErrParam, fmt.Sprintf("need 2 <= Landmarks <= N = %d", n))
	}
	r := rand.New(rand.NewPCG(seed, 0x6c616e646d61726b))
	p := r.Perm(n)[:m]
	sort.Ints(p)
	return p, nil
}

// distanceInput is the Fit preamble shared by ClassicalMDS and Isomap: a
// private copy of x, checked as an N x N distance matrix (checkDistances)
// when precomputed.
func distanceInput(op string, x *mat.Dense, precomputed bool) (*mat.Dense, error) {
	xd, err := checkData(op, "x", x)
	if err != nil {
		return nil, err
	}
	if precomputed {
		if err := checkDistances(op, xd, true); err != nil {
			return nil, err
		}
	}
	return xd, nil
}

// checkDistances checks a precomputed distance matrix: non-negative entries,
// and when square also symmetric with a zero diagonal.
func checkDistances(op string, d *mat.Dense, square bool) error {
	r, c := d.Dims()
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			if d.At(i, j) < 0 {
				return errorf(op, fmt.Sprintf("x[%d,%d]", i, j), d.At(i, j), ErrNegative, "distances must be non-negative")
			}
		}
	}
	if !square {
		return nil
	}
	if err := checkSquareSym(op, "x", d); err != nil {
		return err
	}
	for i := 0; i < r; i++ {
		if d.At(i, i) != 0 {
			return errorf(op, fmt.Sprintf("x[%d,%d]", i, i), d.At(i, i), ErrParam, "a distance matrix has a zero diagonal")
		}
	}
	return nil
}

// Embedding returns a copy of the N x K embedding (nil before Fit).
func (m *ClassicalMDS) Embedding() *mat.Dense {
	if !m.fitted {
		return nil
	}
	return copyOrNil(m.z)
}

// Eigenvalues returns the top K eigenvalues of B (of the landmark B with
// Landmarks), descending, not divided by N (nil before Fit).
func (m *ClassicalMDS) Eigenvalues() []float64 {
	if !m.fitted {
		return nil
	}
	return append([]float64(nil), m.eig.vals...)
}

// Transform places new points: the rows of x (M x D), or M x N distances to
// the training points when Precomputed.
func (m *ClassicalMDS) Transform(x mat.Matrix) (*mat.Dense, error) {
	const op = "mds.transform"
	if !m.fitted {
		return nil, notFitted(op)
	}
	xd, err := checkData(op, "x", x)
	if err != nil {
		return nil, err
	}
	var b *mat.Dense
	if m.Precomputed {
		if err := checkCols(op, xd, m.n); err != nil {
			return nil, err
		}
		if err := checkDistances(op, xd, false); err != nil {
			return nil, err
		}
		if m.landmarks != nil {
			xd = colsOf(xd, m.landmarks)
		}
		b = xd
		b.Apply(func(_, _ int, v float64) float64 { return -0.5 * v * v }, b)
	} else {
		if err := checkCols(op, xd, m.dim); err != nil {
			return nil, err
		}
		ref := m.train
		if m.landmarks != nil {
			ref = linalg.SelectRows(m.train, m.landmarks)
		}
		b = linalg.SqDist(xd, ref)
		b.Scale(-0.5, b)
	}
	return m.eig.transform(b), nil
}

func colsOf(x *mat.Dense, idx []int) *mat.Dense {
	r, _ := x.Dims()
	out := mat.NewDense(r, len(idx), nil)
	for i := 0; i < r; i++ {
		for a, j := range idx {
			out.Set(i, a, x.At(i, j))
		}
	}
	return out
}
