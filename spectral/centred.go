package spectral

import (
	"math"

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

// fitCentred centres k (N x N symmetric, overwritten) in place and solves
// for its top K eigenpairs.
func fitCentred(op string, k *mat.Dense, K int, solver Solver, tol float64, maxIter int, seed uint64) (*centredEig, error) {
	c := &centredEig{}
	c.colMean, c.grand = centreKernel(k)
	vals, vecs, err := topEig(op, k, K, solver, tol, maxIter, seed)
	if err != nil {
		return nil, err
	}
	c.vals, c.vecs = vals, vecs
	return c, nil
}

// embedding returns U diag(sqrt(max(λ, 0))).
func (c *centredEig) embedding() *mat.Dense {
	n, k := c.vecs.Dims()
	z := mat.NewDense(n, k, nil)
	for j := 0; j < k; j++ {
		s := math.Sqrt(math.Max(c.vals[j], 0))
		for i := 0; i < n; i++ {
			z.Set(i, j, s*c.vecs.At(i, j))
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
	forBlocks(n, strip, func(j0 int) {
		j1 := min(j0+strip, n)
		cm := colMean[j0:j1]
		for i := 0; i < n; i++ {
			for j, v := range k.RawRowView(i)[j0:j1] {
				cm[j] += v
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
	parallelRows(n, func(i int) {
		row := k.RawRowView(i)
		ri := colMean[i]
		for j := range row {
			row[j] += grand - ri - colMean[j]
		}
	})
	return colMean, grand
}

// centreRows centres new kernel rows kx (M x N) in place with the training
// statistics: kc(x)_j = k(x)_j − colMean_j − mean(k(x)) + grand
// (KernelCenterer.transform).
func centreRows(kx *mat.Dense, colMean []float64, grand float64) {
	m, n := kx.Dims()
	parallelRows(m, func(i int) {
		row := kx.RawRowView(i)
		s := 0.0
		for _, v := range row {
			s += v
		}
		s /= float64(n)
		for j := range row {
			row[j] += grand - s - colMean[j]
		}
	})
}
