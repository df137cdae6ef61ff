package spectral

import (
	"fmt"
	"math"

	"github.com/eigenssl/eigenssl/linalg"
	"gonum.org/v1/gonum/mat"
)

// Kernel selects the kernel of KernelPCA and KernelLPP: an alias of
// linalg.KernelKind, whose linalg.Kernel (k(x, y) = xᵀy, exp(−Gamma‖x −
// y‖²) or (Gamma xᵀy + Coef0)^Degree, scikit-learn's convention) evaluates
// them. KernelPrecomputed: Fit receives the N x N kernel matrix and
// Transform the M x N kernel rows of new points against the training points.
type Kernel = linalg.KernelKind

// The kernels (see linalg.KernelKind).
const (
	KernelLinear      = linalg.KernelLinear
	KernelRBF         = linalg.KernelRBF
	KernelPoly        = linalg.KernelPoly
	KernelPrecomputed = linalg.KernelPrecomputed
)

// ParseKernel parses "linear", "rbf", "poly" or "precomputed" ("" is
// linear).
func ParseKernel(s string) (Kernel, error) {
	k, err := linalg.ParseKernelKind(s)
	if err != nil {
		return 0, errorf("parsekernel", "kernel", s, ErrParam, "valid: linear, rbf, poly, precomputed")
	}
	return k, nil
}

// kernelSpec is a resolved kernel with the training data it is evaluated
// against.
type kernelSpec struct {
	fn           linalg.Kernel
	train        *mat.Dense // training data (nil when precomputed)
	precomputedN int
}

// newKernelSpec resolves scikit-learn's defaults (Gamma = 1/D, Degree = 3)
// and validates the kernel.
func newKernelSpec(op string, kind Kernel, gamma float64, degree int, coef0 float64, dim int) (kernelSpec, error) {
	if kind < KernelLinear || kind > KernelPrecomputed {
		return kernelSpec{}, errorf(op, "Kernel", int(kind), ErrParam, "valid: linear, rbf, poly, precomputed")
	}
	if gamma == 0 {
		gamma = 1 / float64(dim)
	}
	if degree == 0 {
		degree = 3
	}
	if gamma < 0 || math.IsNaN(gamma) || math.IsInf(gamma, 0) {
		return kernelSpec{}, errorf(op, "Gamma", gamma, ErrParam, "need Gamma > 0")
	}
	if degree < 1 {
		return kernelSpec{}, errorf(op, "Degree", degree, ErrParam, "need Degree >= 1")
	}
	if math.IsNaN(coef0) || math.IsInf(coef0, 0) {
		return kernelSpec{}, errorf(op, "Coef0", coef0, ErrNaN, "")
	}
	// The checks above cover linalg.Kernel.Validate's (and name this
	// package's fields and sentinels).
	return kernelSpec{fn: linalg.Kernel{Kind: kind, Gamma: gamma, Degree: degree, Coef0: coef0}}, nil
}

// kind returns the kernel's kind.
func (s kernelSpec) kind() Kernel { return s.fn.Kind }

// matrix returns k(a_i, b_j) (M x N).
func (s kernelSpec) matrix(a, b *mat.Dense) *mat.Dense { return s.fn.Matrix(a, b) }

// selfMatrix returns the symmetric training kernel k(x, x) (exactly
// symmetric, exact RBF diagonal).
func (s kernelSpec) selfMatrix(x *mat.Dense) *mat.Dense { return s.fn.SelfMatrix(x) }

func symmetrise(k *mat.Dense) {
	n, _ := k.Dims()
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			v := 0.5 * (k.At(i, j) + k.At(j, i))
			k.Set(i, j, v)
			k.Set(j, i, v)
		}
	}
}

// checkSquareSym checks a precomputed N x N matrix (square, symmetric to a
// relative 1e-10).
func checkSquareSym(op, name string, k *mat.Dense) error {
	r, c := k.Dims()
	if r != c {
		return errorf(op, name, fmt.Sprintf("%d x %d", r, c), ErrShape, "a precomputed matrix must be square")
	}
	sc := 0.0
	for i := 0; i < r; i++ {
		for j := 0; j < r; j++ {
			sc = math.Max(sc, math.Abs(k.At(i, j)))
		}
	}
	for i := 0; i < r; i++ {
		for j := i + 1; j < r; j++ {
			if math.Abs(k.At(i, j)-k.At(j, i)) > 1e-10*math.Max(sc, 1) {
				return errorf(op, fmt.Sprintf("%s[%d,%d]", name, i, j), k.At(i, j), ErrShape, "a precomputed matrix must be symmetric")
			}
		}
	}
	return nil
}

// KernelPCA is kernel principal component analysis (Schölkopf, Smola &
// Müller 1998), scikit-learn's KernelPCA with eigen_solver='dense':
//
//	Kc = H K H,  H = I − 11ᵀ/N,  Kc = U Λ Uᵀ,
//	Z = U_K Λ_K^{1/2}  (the top K, descending),
//
// so that Eigenvalues are those of the centred N x N kernel, NOT divided by
// N, and Embedding is fit_transform. Columns follow the sign rule (entry of
// largest |value| positive, scikit-learn's svd_flip). 1 <= K <= N (K = N is
// allowed, as in scikit-learn). The K computed eigenvalues get
// scikit-learn's PSD check (_check_psd_eigenvalues): if the largest is
// negative, or some λ < −1e-5 λmax and λ < −1e-10 ("significant negative
// eigenvalues": an indefinite precomputed kernel), Fit fails with ErrNotPSD;
// otherwise negative eigenvalues and those below 1e-12 λmax become exactly
// 0 and their columns of Embedding and Transform are exactly zero.
//
// A precomputed kernel need not be symmetric (scikit-learn accepts it): it
// is centred with its own row and column means (KernelCenterer) and its
// lower triangle is used, as scipy's eigh does; with Landmarks the landmark
// block is averaged with its transpose instead.
//
// Transform centres the new kernel rows with the training statistics
// (scikit-learn's KernelCenterer) and projects them, z = kc(x) U Λ^{-1/2}:
// for the training points it reproduces Embedding exactly, and for the linear
// kernel it is the exact PCA projection of new points.
//
// The method is inherently O(N²) in memory and O(N³) (dense) or O(N² K
// iterations) (iterative) in time; N above MaxQuadraticN is refused unless
// Force is set. With Landmarks = m > 0 it is the Nyström (landmark) kernel
// PCA: the eigenproblem is solved on the m x m centred kernel of m seeded
// random landmarks and every point is placed by the same out-of-sample
// formula from its m kernel values, O(N m) memory and time; Eigenvalues are
// then those of the landmark kernel (they scale with m, not N).
type KernelPCA struct {
	// Components is K (default 2), 1 <= K <= N (K <= m with Landmarks).
	Components int
	// Kernel is the kernel (default linear); Gamma (default 1/D), Degree
	// (default 3) and Coef0 (default 0; scikit-learn's is 1) are its
	// parameters.
	Kernel Kernel
	Gamma  float64
	Degree int
	Coef0  float64
	// Solver, Tol, MaxIter and Seed configure the eigensolver (defaults:
	// auto, linalg.DefaultEigsTol, linalg.DefaultEigsMaxIter, 0).
	Solver  Solver
	Tol     float64
	MaxIter int
	Seed    uint64
	// Force lifts the MaxQuadraticN limit.
	Force bool
	// Landmarks, when > 0, selects the Nyström variant with that many
	// landmarks.
	Landmarks int

	// FitInverse learns the pre-image map of InverseTransform
	// (scikit-learn's fit_inverse_transform) with ridge Alpha (default 1,
	// scikit-learn's; an explicit negative value is ErrParam). Not with a
	// precomputed kernel or Landmarks.
	FitInverse bool
	Alpha      float64

	spec   kernelSpec
	dual   *mat.Dense // N x D dual coefficients of the pre-image map
	lm     []int
	eig    *centredEig
	z      *mat.Dense
	dim    int
	fitted bool
}

// Fit computes the embedding of the rows of x (N x D), or of the N x N
// kernel matrix x when Kernel is KernelPrecomputed.
func (p *KernelPCA) Fit(x *mat.Dense) error {
	const op = "kpca.fit"
	p.fitted = false
	xd, err := checkData(op, "x", x)
	if err != nil {
		return err
	}
	n, d := xd.Dims()
	spec, err := newKernelSpec(op, p.Kernel, p.Gamma, p.Degree, p.Coef0, d)
	if err != nil {
		return err
	}
	lm, k, err := quadraticPlan(op, n, p.Landmarks, p.Components, p.Seed, p.Force, "use Landmarks for the Nyström variant")
	if err != nil {
		return err
	}
	if spec.kind() == KernelPrecomputed {
		if n != d {
			return errorf(op, "x", fmt.Sprintf("%d x %d", n, d), ErrShape, "a precomputed kernel must be square (N x N)")
		}
		spec.precomputedN = n
	}
	co := centredOptions{solver: p.Solver, tol: p.Tol, maxIter: p.MaxIter, seed: p.Seed, lower: spec.kind() == KernelPrecomputed, checkPSD: true}
	var eig *centredEig
	var z *mat.Dense
	switch {
	case lm == nil:
		km := xd
		if spec.kind() != KernelPrecomputed {
			spec.train = xd
			km = spec.selfMatrix(xd)
		}
		eig, err = fitCentred(op, km, k, co)
		if err == nil {
			z = eig.embedding()
		}
	default:
		// Nyström: the landmark kernel, then every point's m kernel values.
		var kmm, knm *mat.Dense
		if spec.kind() == KernelPrecomputed {
			knm = colsOf(xd, lm)
			kmm = linalg.SelectRows(knm, lm)
			symmetrise(kmm)
			co.lower = false
		} else {
			spec.train = linalg.SelectRows(xd, lm)
			kmm = spec.selfMatrix(spec.train)
			knm = spec.matrix(xd, spec.train)
		}
		eig, err = fitCentred(op, kmm, k, co)
		if err == nil {
			z = eig.transform(knm)
		}
	}
	if err != nil {
		return err
	}
	var dual *mat.Dense
	if p.FitInverse {
		if dual, err = p.fitInverse(op, spec, lm, xd, z); err != nil {
			return err
		}
	}
	p.spec, p.lm, p.eig, p.z, p.dim, p.dual, p.fitted = spec, lm, eig, z, d, dual, true
	return nil
}

// Embedding returns a copy of the N x K training embedding U Λ^{1/2}
// (nil before Fit).
func (p *KernelPCA) Embedding() *mat.Dense {
	if !p.fitted {
		return nil
	}
	return copyOrNil(p.z)
}

// Eigenvalues returns the K eigenvalues of the centred kernel, descending,
// not divided by N (nil before Fit).
func (p *KernelPCA) Eigenvalues() []float64 {
	if !p.fitted {
		return nil
	}
	return append([]float64(nil), p.eig.vals...)
}

// Transform embeds new points: the rows of x (M x D), or M x N kernel rows
// against the training points when Kernel is KernelPrecomputed.
func (p *KernelPCA) Transform(x mat.Matrix) (*mat.Dense, error) {
	const op = "kpca.transform"
	if !p.fitted {
		return nil, notFitted(op)
	}
	xd, err := checkData(op, "x", x)
	if err != nil {
		return nil, err
	}
	var kx *mat.Dense
	if p.spec.kind() == KernelPrecomputed {
		if err := checkCols(op, xd, p.spec.precomputedN); err != nil {
			return nil, err
		}
		kx = xd
		if p.lm != nil {
			kx = colsOf(xd, p.lm)
		}
	} else {
		if err := checkCols(op, xd, p.dim); err != nil {
			return nil, err
		}
		kx = p.spec.matrix(xd, p.spec.train)
	}
	return p.eig.transform(kx), nil
}

// fitInverse solves scikit-learn's ridge pre-image problem: with K_z the
// kernel (the model's own kernel and Gamma) between the training
// embeddings, the dual coefficients A = (K_z + Alpha I)⁻¹ X (Cholesky).
func (p *KernelPCA) fitInverse(op string, spec kernelSpec, lm []int, x, z *mat.Dense) (*mat.Dense, error) {
	switch {
	case spec.kind() == KernelPrecomputed:
		return nil, errorf(op, "FitInverse", true, ErrParam, "a precomputed kernel has no input space to map back to")
	case lm != nil:
		return nil, errorf(op, "FitInverse", true, ErrParam, "not with Landmarks (the pre-image map needs the N x N kernel of the embeddings)")
	}
	alpha := p.Alpha
	if alpha == 0 {
		alpha = 1
	}
	if !(alpha > 0) || math.IsInf(alpha, 0) {
		return nil, errorf(op, "Alpha", p.Alpha, ErrParam, "need a finite Alpha > 0")
	}
	kz := spec.selfMatrix(z)
	n, _ := kz.Dims()
	for i := 0; i < n; i++ {
		kz.Set(i, i, kz.At(i, i)+alpha)
	}
	var ch mat.Cholesky
	if !ch.Factorize(mat.NewSymDense(n, kz.RawMatrix().Data)) {
		return nil, errorf(op, "Alpha", alpha, ErrSingular, "the kernel of the embeddings plus Alpha I is not positive definite; increase Alpha")
	}
	var dual mat.Dense
	if err := ch.SolveTo(&dual, x); err != nil {
		return nil, errorf(op, "Alpha", alpha, ErrSingular, err.Error())
	}
	return &dual, nil
}

// InverseTransform maps embeddings z (M x K) back to the input space with
// the pre-image map learnt when FitInverse is set (scikit-learn's
// inverse_transform): x̂ = k(z, Z_train) A, a kernel ridge regression from
// the training embedding Z_train to the training rows. Without FitInverse
// it returns ErrNotFitted.
func (p *KernelPCA) InverseTransform(z mat.Matrix) (*mat.Dense, error) {
	const op = "kpca.inversetransform"
	if !p.fitted || p.dual == nil {
		return nil, errorf(op, "FitInverse", false, ErrNotFitted, "fit with FitInverse set")
	}
	zd, err := checkData(op, "z", z)
	if err != nil {
		return nil, err
	}
	_, k := p.z.Dims()
	if err := checkCols(op, zd, k); err != nil {
		return nil, err
	}
	kz := p.spec.matrix(zd, p.z)
	m, _ := zd.Dims()
	_, d := p.dual.Dims()
	out := mat.NewDense(m, d, nil)
	out.Mul(kz, p.dual)
	return out, nil
}
