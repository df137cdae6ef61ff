package linalg

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sync"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/lapack/lapack64"
	"gonum.org/v1/gonum/mat"
)

// RSVDSettings configures RandomizedSVD. The zero value means the defaults.
type RSVDSettings struct {
	// Oversample is the number of extra random directions p; the sketch has
	// l = k + p columns. 0 means 10.
	Oversample int
	// PowerIter is the number q of power (subspace) iterations, each one
	// re-orthonormalised by QR. 0 means scikit-learn's "auto": 7 when
	// k < 0.1·min(m, n), else 4. A negative value means none.
	PowerIter int
	// Seed fixes the Gaussian test matrix.
	Seed uint64
}

// RandomizedSVD computes an approximate rank-k truncated SVD of the m x n
// matrix a,
//
//	A ≈ U · diag(sv) · Vᵀ,  UᵀU = VᵀV = I_k,  sv descending,
//
// by the randomized range finder of Halko, Martinsson & Tropp (2011, Alg. 4.4
// and 5.1): Y = (A Aᵀ)^q A Ω with a Gaussian n x (k+p) Ω, Q = qr(Y)
// (re-orthonormalised after every product), then the exact SVD of the small
// matrix QᵀA. The sign rule of SignFlip is applied to the columns of U, and
// the same signs to V (scikit-learn's svd_flip, u-based). u is m x k and v is
// n x k.
//
// The error ‖A − U S Vᵀ‖ is close to σ_{k+1} when the spectrum decays; the
// singular values are accurate to about σ_{k+1}(σ_{k+1}/σ_k)^{2q}. Cost:
// (2q + 2) products of a with an n x (k+p) or m x (k+p) matrix plus
// O((m + n)(k+p)²); a itself is never copied when it is a *mat.Dense.
// k must satisfy 1 <= k <= min(m, n) (ErrParam); an empty a gives ErrEmpty,
// a NaN or Inf entry ErrNaN.
func RandomizedSVD(a mat.Matrix, k int, s RSVDSettings) (u *mat.Dense, sv []float64, v *mat.Dense, err error) {
	const op = "randomizedsvd"
	if err := checkMatrix(op, "a", a); err != nil {
		return nil, nil, nil, err
	}
	d, ok := a.(*mat.Dense)
	if !ok {
		d = mat.DenseCopyOf(a)
	}
	return rsvd(op, denseLinop{d}, k, s)
}

// linop is a linear map given by its products with thin matrices.
type linop interface {
	Dims() (r, c int)
	mulTo(dst, x *mat.Dense)  // dst = A x
	mulTTo(dst, y *mat.Dense) // dst = Aᵀ y
}

type denseLinop struct{ a *mat.Dense }

func (l denseLinop) Dims() (int, int)         { return l.a.Dims() }
func (l denseLinop) mulTo(dst, x *mat.Dense)  { mulRows(dst, l.a, x) }
func (l denseLinop) mulTTo(dst, y *mat.Dense) { mulTRows(dst, l.a, y) }

// mulRows sets dst = A x, splitting the rows of A over goroutines (the
// openblas build runs OpenBLAS single-threaded, see backend_openblas.go).
func mulRows(dst, a, x *mat.Dense) {
	m, _ := a.Dims()
	ParallelRange(m, 2048, func(lo, hi int) {
		d := dst.Slice(lo, hi, 0, dst.RawMatrix().Cols).(*mat.Dense)
		d.Mul(a.Slice(lo, hi, 0, a.RawMatrix().Cols), x)
	})
}

// mulTRows sets dst = Aᵀ y as a sum of row-block products computed
// concurrently.
func mulTRows(dst, a, y *mat.Dense) {
	m, n := a.Dims()
	_, l := y.Dims()
	parts := chunksOf(m, 2048)
	if len(parts) == 1 {
		dst.Mul(a.T(), y)
		return
	}
	partial := make([]*mat.Dense, len(parts))
	ParallelRange(len(parts), 1, func(plo, phi int) {
		for t := plo; t < phi; t++ {
			lo, hi := parts[t][0], parts[t][1]
			p := mat.NewDense(n, l, nil)
			p.Mul(a.Slice(lo, hi, 0, n).T(), y.Slice(lo, hi, 0, l))
			partial[t] = p
		}
	})
	dst.Copy(partial[0])
	for _, p := range partial[1:] {
		dst.Add(dst, p)
	}
}

// centredLinop is A = X − 1 μᵀ, applied without forming it.
type centredLinop struct {
	x  *mat.Dense
	mu []float64
}

func (l centredLinop) Dims() (int, int) { return l.x.Dims() }

// A x = X x − 1 (μᵀ x).
func (l centredLinop) mulTo(dst, x *mat.Dense) {
	mulRows(dst, l.x, x)
	_, c := x.Dims()
	mux := make([]float64, c)
	mv := mat.NewVecDense(len(l.mu), l.mu)
	mat.NewVecDense(c, mux).MulVec(x.T(), mv)
	r, _ := dst.Dims()
	for i := 0; i < r; i++ {
		row := dst.RawRowView(i)
		for j := range row {
			row[j] -= mux[j]
		}
	}
}

// Aᵀ y = Xᵀ y − μ (1ᵀ y).
func (l centredLinop) mulTTo(dst, y *mat.Dense) {
	mulTRows(dst, l.x, y)
	r, c := y.Dims()
	colSum := make([]float64, c)
	for i := 0; i < r; i++ {
		for j, v := range y.RawRowView(i) {
			colSum[j] += v
		}
	}
	for i, m := range l.mu {
		row := dst.RawRowView(i)
		for j := range row {
			row[j] -= m * colSum[j]
		}
	}
}

func rsvd(op string, a linop, k int, s RSVDSettings) (*mat.Dense, []float64, *mat.Dense, error) {
	m, n := a.Dims()
	if k < 1 || k > min(m, n) {
		return nil, nil, nil, newErr(op, "k", fmt.Sprintf("%d (matrix %dx%d)", k, m, n), ErrParam)
	}
	if s.Oversample < 0 {
		return nil, nil, nil, newErr(op, "Oversample", s.Oversample, ErrParam)
	}
	p := s.Oversample
	if p == 0 {
		p = 10
	}
	q := s.PowerIter
	switch {
	case q < 0:
		q = 0
	case q == 0 && float64(k) < 0.1*float64(min(m, n)):
		q = 7
	case q == 0:
		q = 4
	}
	l := min(k+p, min(m, n))
	rng := rand.New(rand.NewPCG(s.Seed, 0x5851f42d4c957f2d))
	omega := mat.NewDense(n, l, nil)
	raw := omega.RawMatrix()
	for i := range raw.Data {
		raw.Data[i] = rng.NormFloat64()
	}
	y := mat.NewDense(m, l, nil)
	z := mat.NewDense(n, l, nil)
	a.mulTo(y, omega)
	thinQ(y)
	for i := 0; i < q; i++ {
		a.mulTTo(z, y)
		thinQ(z)
		a.mulTo(y, z)
		thinQ(y)
	}
	// Bᵀ = Aᵀ Q (n x l) = Ub S Vbᵀ, so A ≈ Q B = (Q Vb) S Ubᵀ.
	a.mulTTo(z, y)
	var svd mat.SVD
	if !svd.Factorize(z, mat.SVDThin) {
		return nil, nil, nil, newErr(op, "a", nil, ErrFailed)
	}
	sv := svd.Values(nil)[:k]
	var ub, vb mat.Dense
	svd.UTo(&ub)
	svd.VTo(&vb)
	u := mat.NewDense(m, k, nil)
	u.Mul(y, vb.Slice(0, l, 0, k))
	v := mat.DenseCopyOf(ub.Slice(0, n, 0, k))
	for _, x := range sv {
		if math.IsNaN(x) {
			return nil, nil, nil, newErr(op, "a", nil, ErrNaN)
		}
	}
	SignFlipPair(u, v)
	return u, sv, v, nil
}

// thinQ replaces the m x l matrix y (m >= l) by the Q factor of its thin QR
// factorisation (Householder, LAPACK dgeqrf + dorgqr).
func thinQ(y *mat.Dense) {
	g := y.RawMatrix()
	tau := make([]float64, g.Cols)
	work := make([]float64, 1)
	lapack64.Geqrf(g, tau, work, -1)
	work = make([]float64, int(work[0]))
	lapack64.Geqrf(g, tau, work, len(work))
	lapack64.Orgqr(g, tau, work, -1)
	if w := int(work[0]); w > len(work) {
		work = make([]float64, w)
	}
	lapack64.Orgqr(g, tau, work, len(work))
}

// TopPCA computes the k leading principal components of the rows of the
// m x n data matrix x. With the column means μ and the centred data
// Xc = X − 1 μᵀ = U S Vᵀ,
//
//	scores = Xc V_k = U_k S_k  (m x k),  components = V_k  (n x k),
//
// columns in decreasing order of explained variance S²/(m−1). The sign rule
// of SignFlip is applied to the columns of components (the largest |loading|
// of each principal axis is positive, as scikit-learn's PCA) and the scores
// follow. The centred matrix is never formed.
//
// Method, as scikit-learn's PCA solver "auto": when n <= 1000 and m >= 10n
// the covariance XcᵀXc (accumulated in row blocks, O(m n²/2)) is
// diagonalised exactly with EigSymRange (O(n³)); otherwise RandomizedSVD
// with its default settings and the given seed is applied to Xc implicitly
// (the result is then an approximation, see RandomizedSVD). For MNIST
// (70,000 x 784, k = 50) the first path costs about 43 Gflop.
// Errors: ErrEmpty, ErrNaN, and ErrParam unless 1 <= k <= min(m, n).
func TopPCA(x mat.Matrix, k int, seed uint64) (scores *mat.Dense, components *mat.Dense, mean []float64, err error) {
	const op = "toppca"
	if err := checkMatrix(op, "x", x); err != nil {
		return nil, nil, nil, err
	}
	d, ok := x.(*mat.Dense)
	if !ok {
		d = mat.DenseCopyOf(x)
	}
	m, n := d.Dims()
	if k < 1 || k > min(m, n) {
		return nil, nil, nil, newErr(op, "k", fmt.Sprintf("%d (data %dx%d)", k, m, n), ErrParam)
	}
	mean = make([]float64, n)
	for i := 0; i < m; i++ {
		for j, v := range d.RawRowView(i) {
			mean[j] += v
		}
	}
	for j := range mean {
		mean[j] /= float64(m)
	}
	if n <= 1000 && m >= 10*n {
		cov := centredGram(d, mean)
		_, vecs, err := EigSymRange(cov, n-k, n)
		if err != nil {
			return nil, nil, nil, err
		}
		// Descending order.
		components = mat.NewDense(n, k, nil)
		for j := 0; j < k; j++ {
			for i := 0; i < n; i++ {
				components.Set(i, j, vecs.At(i, k-1-j))
			}
		}
	} else {
		_, _, v, err := rsvd(op, centredLinop{d, mean}, k, RSVDSettings{Seed: seed})
		if err != nil {
			return nil, nil, nil, err
		}
		components = v
	}
	SignFlip(components)
	scores = mat.NewDense(m, k, nil)
	centredLinop{d, mean}.mulTo(scores, components)
	return scores, components, mean, nil
}

// centredGram returns (X − 1μᵀ)ᵀ(X − 1μᵀ), accumulating centred row blocks
// with dsyrk over GOMAXPROCS goroutines.
func centredGram(x *mat.Dense, mu []float64) *mat.SymDense {
	m, n := x.Dims()
	const block = 256
	nblocks := (m + block - 1) / block
	workers := min(basisThreads(), nblocks)
	parts := make([]blas64.Symmetric, workers)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		parts[w] = blas64.Symmetric{N: n, Stride: n, Uplo: blas.Upper, Data: make([]float64, n*n)}
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			buf := make([]float64, block*n)
			for bi := w; bi < nblocks; bi += workers {
				lo, hi := bi*block, min((bi+1)*block, m)
				for i := lo; i < hi; i++ {
					row := x.RawRowView(i)
					dst := buf[(i-lo)*n : (i-lo+1)*n]
					for j, v := range row {
						dst[j] = v - mu[j]
					}
				}
				g := blas64.General{Rows: hi - lo, Cols: n, Stride: n, Data: buf[:(hi-lo)*n]}
				blas64.Syrk(blas.Trans, 1, g, 1, parts[w])
			}
		}(w)
	}
	wg.Wait()
	out := parts[0].Data
	for w := 1; w < workers; w++ {
		for i, v := range parts[w].Data {
			out[i] += v
		}
	}
	return mat.NewSymDense(n, out)
}
