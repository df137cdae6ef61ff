package spectral

import (
	"fmt"
	"math"

	"github.com/eigenssl/eigenssl/linalg"
	"gonum.org/v1/gonum/mat"
)

// centredEig is the shared eigen path of kernel PCA, classical MDS and
// ISOMAP: the top-K eigenpairs of the double-centred kernel
//
//	Kc = H K H,  H = I − 11ᵀ/N,
//
// eigenvalues descending and not divided by N (scikit-learn's
// KernelPCA.eigenvalues_), vectors unit-norm with the sign rule, and the
// training statistics needed to centre new kernel rows (KernelCenterer).
type centredEig struct {
	colMean []float64 // column means of the training kernel
	grand   float64   // mean of all training kernel entries
	vals    []float64 // top-K eigenvalues of Kc, descending
	vecs    *mat.Dense
}

// centredOptions configure fitCentred: the eigensolver, whether k may be
// non-symmetric (then it is centred with its own row and column means and
// its lower triangle used, as scipy's eigh does in scikit-learn's
// KernelPCA), and whether the eigenvalues get scikit-learn's PSD check
// (checkPSD).
type centredOptions struct {
	solver   Solver
	tol      float64
	maxIter  int
	seed     uint64
	lower    bool
	checkPSD bool
}

// fitCentred centres k (N x N, overwritten) in place and solves for its top
// K eigenpairs.
func fitCentred(op string, k *mat.Dense, K int, o centredOptions) (*centredEig, error) {
	c := &centredEig{}
	if o.lower {
		c.colMean, c.grand = centreKernelLower(k)
	} else {
		c.colMean, c.grand = centreKernel(k)
	}
	vals, vecs, err := topEig(op, k, K, o.solver, o.tol, o.maxIter, o.seed)
	if err != nil {
		return nil, err
	}
	if o.checkPSD {
		if err := checkPSD(op, vals); err != nil {
			return nil, err
		}
	}
	c.vals, c.vecs = vals, vecs
	return c, nil
}

// Thresholds of checkPSD (scikit-learn's _check_psd_eigenvalues, float64).
const (
	psdNegRatio   = 1e-5
	psdNegValue   = 1e-10
	psdSmallRatio = 1e-12
)

// checkPSD is scikit-learn's _check_psd_eigenvalues on the computed
// eigenvalues vals (in place): with λmax their largest, an error wrapping
// ErrNotPSD when λmax < 0 or when some λ < −1e-5 λmax and λ < −1e-10
// ("significant negative eigenvalues"); otherwise negative eigenvalues and
// those below 1e-12 λmax become exactly 0, so that their columns of the
// embedding and of Transform are exactly zero.
func checkPSD(op string, vals []float64) error {
	if len(vals) == 0 {
		return nil
	}
	mx, mn := vals[0], vals[0]
	for _, v := range vals {
		mx, mn = math.Max(mx, v), math.Min(mn, v)
	}
	if mx < 0 {
		return errorf(op, "eigenvalues", fmt.Sprintf("all negative (maximum %g)", mx), ErrNotPSD, "the kernel is not positive semi-definite")
	}
	if mn < -psdNegRatio*mx && mn < -psdNegValue {
		return errorf(op, "eigenvalues", fmt.Sprintf("significant negative eigenvalue %g (%g of the maximum positive)", mn, -mn/mx), ErrNotPSD, "the kernel is not positive semi-definite")
	}
	for i, v := range vals {
		if v < psdSmallRatio*mx {
			vals[i] = 0
		}
	}
	return nil
}

// embedding returns U diag(sqrt(max(λ, 0))).
func (c *centredEig) embedding() *mat.Dense { return sqrtScaled(c.vecs, c.vals) }

// sqrtScaled returns u diag(sqrt(max(λ_j, 0))) (a new matrix) for the
// columns u_j of u and vals λ (at least as many as u has columns): the
// embedding of an eigendecomposition whose eigenvalues are squared scales.
func sqrtScaled(u *mat.Dense, vals []float64) *mat.Dense {
	n, k := u.Dims()
	z := mat.NewDense(n, k, nil)
	for j := 0; j < k; j++ {
		s := math.Sqrt(math.Max(vals[j], 0))
		for i := 0; i < n; i++ {
			z.Set(i, j, s*u.At(i, j))
		}
	}
	return z
}

// transform centres the kernel rows kx (M x N, overwritten) with the
// training statistics,
//
//	kc(x)_j = k(x)_j − colMean_j − mean(k(x)) + grand,
//
// and projects them: z = kc(x) U diag(1/sqrt(λ)) (0 for λ <= 0). For a
// training point this reproduces U diag(sqrt(λ)) exactly.
func (c *centredEig) transform(kx *mat.Dense) *mat.Dense {
	m, _ := kx.Dims()
	centreRows(kx, c.colMean, c.grand)
	_, k := c.vecs.Dims()
	z := mat.NewDense(m, k, nil)
	z.Mul(kx, c.vecs)
	for j := 0; j < k; j++ {
		s := 0.0
		if c.vals[j] > 0 {
			s = 1 / math.Sqrt(c.vals[j])
		}
		for i := 0; i < m; i++ {
			z.Set(i, j, s*z.At(i, j))
		}
	}
	return z
}

// centreKernel double-centres the symmetric kernel k in place (Kc = HKH)
// and returns its column means and grand mean (scikit-learn's
// KernelCenterer.fit).
func centreKernel(k *mat.Dense) ([]float64, float64) {
	n, _ := k.Dims()
	colMean := make([]float64, n)
	// Column strips in parallel, each summed over i in order (the same
	// sums as a serial pass).
	const strip = 256
	linalg.ParallelRange((n+strip-1)/strip, 1, func(lo, hi int) {
		for t := lo; t < hi; t++ {
			j0 := t * strip
			j1 := min(j0+strip, n)
			cm := colMean[j0:j1]
			for i := 0; i < n; i++ {
				for j, v := range k.RawRowView(i)[j0:j1] {
					cm[j] += v
				}
			}
		}
	})
	grand := 0.0
	for j := range colMean {
		colMean[j] /= float64(n)
		grand += colMean[j]
	}
	grand /= float64(n)
	// K is symmetric, so the row means equal the column means.
	linalg.ParallelRange(n, 32, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			row := k.RawRowView(i)
			ri := colMean[i]
			for j := range row {
				row[j] += grand - ri - colMean[j]
			}
		}
	})
	return colMean, grand
}

// centreKernelLower centres a square kernel that need not be symmetric as
// scikit-learn's KernelCenterer does,
//
//	Kc_ij = K_ij − colMean_j − rowMean_i + grand,
//
// then keeps its lower triangle (i >= j) and mirrors it, the triangle
// scipy's eigh reads in scikit-learn's KernelPCA. It returns the column means
// (used to centre new rows) and the grand mean.
func centreKernelLower(k *mat.Dense) ([]float64, float64) {
	n, _ := k.Dims()
	colMean := make([]float64, n)
	rowMean := make([]float64, n)
	for i := 0; i < n; i++ {
		for j, v := range k.RawRowView(i) {
			colMean[j] += v
			rowMean[i] += v
		}
	}
	grand := 0.0
	for j := range colMean {
		colMean[j] /= float64(n)
		rowMean[j] /= float64(n)
		grand += colMean[j]
	}
	grand /= float64(n)
	for i := 0; i < n; i++ {
		row := k.RawRowView(i)
		for j := 0; j <= i; j++ {
			row[j] += grand - rowMean[i] - colMean[j]
		}
	}
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			k.Set(i, j, k.At(j, i))
		}
	}
	return colMean, grand
}

// centreRows centres new kernel rows kx (M x N) in place with the training
// statistics: kc(x)_j = k(x)_j − colMean_j − mean(k(x)) + grand
// (KernelCenterer.transform).
func centreRows(kx *mat.Dense, colMean []float64, grand float64) {
	m, n := kx.Dims()
	linalg.ParallelRange(m, 32, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			row := kx.RawRowView(i)
			s := 0.0
			for _, v := range row {
				s += v
			}
			s /= float64(n)
			for j := range row {
				row[j] += grand - s - colMean[j]
			}
		}
	})
}
