package linalg

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// Which selects the end of the spectrum Eigs computes.
type Which int

const (
	// Smallest asks for the algebraically smallest eigenvalues.
	Smallest Which = iota
	// Largest asks for the algebraically largest eigenvalues.
	Largest
)

func (w Which) String() string {
	switch w {
	case Smallest:
		return "smallest"
	case Largest:
		return "largest"
	}
	return fmt.Sprintf("Which(%d)", int(w))
}

// Defaults of EigsSettings; the zero value of a field means its default.
const (
	DefaultEigsTol     = 1e-10 // relative residual ‖A v − λ v‖ / ‖A‖
	DefaultEigsMaxIter = 1000  // restarts
)

// EigsSettings configures Eigs. The zero value of every field except K means
// its documented default.
type EigsSettings struct {
	// K is the number of eigenpairs wanted, 1 <= K <= n − d.
	K int
	// Which selects the smallest (default) or the largest eigenvalues.
	Which Which
	// Tol is the convergence threshold on the relative residual: a pair is
	// converged when ‖A v − λ v‖ <= Tol·‖A‖, with ‖A‖ estimated by the
	// largest |Ritz value| seen. 0 means DefaultEigsTol (1e-10). Eigenvalue
	// errors are then about Tol²‖A‖²/gap, vector angles about Tol‖A‖/gap.
	Tol float64
	// MaxIter bounds the number of restarts (each one extends the basis to
	// NCV vectors). 0 means DefaultEigsMaxIter.
	MaxIter int
	// Deflate, if not nil, is an n x d matrix whose columns span known
	// eigenvectors to exclude (for example the constant vector 1/√n of
	// L = D − G, or D^{1/2}1 for L_sym): the solver works on the orthogonal
	// complement of its column space. The columns need not be orthonormal;
	// they are orthonormalised internally. If they do not span an invariant
	// subspace of A, the residuals ‖A v − λ v‖ stay large and Eigs reports
	// ErrNoConvergence naming Deflate.
	Deflate *mat.Dense
	// Seed fixes the random starting block.
	Seed uint64
	// NCV is the largest basis size used for the Rayleigh–Ritz step; it is
	// raised to at least K + 2·BlockSize. 0 means
	// max(2K + 4·BlockSize, K + 20 + 8·BlockSize).
	NCV int
	// BlockSize is the number of vectors the operator is applied to at once
	// (the block Lanczos width b). A block Krylov method sees min(m, b)
	// directions of an eigenvalue of multiplicity m (exactly repeated
	// eigenvalues: null spaces of disconnected graphs, symmetric graphs such
	// as rings, grids, tori); the others are missed, so b >= m is needed to
	// get all copies. b = 1 is the fastest; b = 2 costs about 1.1–1.4 times
	// its CPU time on kNN Laplacians, b = 4 about 1.3–1.6 times.
	//
	// 0 means automatic: b = min(K, 2), and if the result holds an
	// eigenvalue repeated c >= b times (to 10·Tol·‖A‖), which may hide
	// further copies, solve again with b = 2c (at most 16) until the largest
	// repeat is below b. This finds every multiplicity up to 16 among the
	// wanted pairs, at the price of extra solves for degenerate spectra. A
	// non-zero BlockSize is used as given, with no second solve. Pass known
	// eigenvectors, such as the component indicators of a disconnected
	// graph, in Deflate instead of relying on this.
	BlockSize int
}

// EigsResult holds the output of Eigs.
type EigsResult struct {
	// Values holds the K eigenvalues in ascending order, for Smallest and
	// for Largest alike.
	Values []float64
	// Vectors is n x K with orthonormal columns (matching Values), sign rule
	// of SignFlip applied.
	Vectors *mat.Dense
	// Residuals holds ‖A vᵢ − λᵢ vᵢ‖, recomputed explicitly at the end.
	Residuals []float64
	// Iterations counts restarts; MatVecs counts operator applications to a
	// single vector (a block product of width b counts b). Both include
	// the runs of an automatic block-size increase.
	Iterations, MatVecs int
	// Converged reports whether every pair met the tolerance.
	Converged bool
}

// Eigs computes K extremal eigenpairs of the symmetric operator op,
//
//	A vᵢ = λᵢ vᵢ,  VᵀV = I,  V ⊥ span(Deflate),
//
// the K smallest or largest according to s.Which, returned in ascending order
// in both cases with the sign rule applied. Only products with A are used
// (MulMatTo when op is a BlockOperator), so A may be sparse or implicit.
//
// The method is thick-restart block Lanczos (Wu & Simon 2000; Zhou & Saad
// 2008) with full re-orthogonalisation (classical Gram–Schmidt with the DGKS
// second pass) against the basis and the deflated vectors. Each restart
// keeps the best Ritz vectors and the current residual block, so no
// information is lost. The block width is discussed at
// EigsSettings.BlockSize; by default exactly repeated eigenvalues are
// detected and solved again with a wider block.
//
// Cost: a few hundred operator products for typical graph Laplacians, each
// accompanied by about 4·NCV·n flops of re-orthogonalisation, plus a
// basis rotation of O(n·NCV²) flops per restart; memory O(n·(NCV + b)).
// The basis work is memory bound and split over GOMAXPROCS goroutines (the
// openblas build runs it as OpenBLAS dgemm calls). For a normalised kNN
// Laplacian with n = 70,000 and 2·10⁶ non-zeros, K = 10 takes about 300
// products and 4 s of CPU time, spread over the available cores.
//
// Convergence is governed by the relative gap between the wanted eigenvalues
// and the rest of the spectrum. For the smallest eigenvalues of
// L_sym = I − D^{-1/2} G D^{-1/2}, asking for the Largest of
// A_n = D^{-1/2} G D^{-1/2} is the same problem (λ(L) = 1 − λ(A_n)); both
// have the same gaps, so there is no speed difference for this solver, but
// it lets a caller avoid forming L. Use Deflate for known null vectors.
//
// If some pair has not converged after MaxIter restarts, Eigs returns the
// current best approximation, its explicit residuals and Converged = false,
// together with an error wrapping ErrNoConvergence. Invalid settings give
// ErrParam, a Deflate of the wrong height ErrShape, a NaN from the operator
// ErrNaN.
//
// When NCV + BlockSize reaches n − d (small problems, at most 2000 after
// deflation, or K close to n) Eigs forms the dense projected matrix with n
// products and uses EigSymRange: O(n²) memory and O(n³) time.
func Eigs(op SymOperator, s EigsSettings) (EigsResult, error) {
	const name = "eigs"
	if op == nil || op.Size() == 0 {
		return EigsResult{}, newErr(name, "op", "size 0", ErrEmpty)
	}
	n := op.Size()
	switch {
	case s.Which != Smallest && s.Which != Largest:
		return EigsResult{}, newErr(name, "Which", int(s.Which), ErrParam)
	case s.K < 1:
		return EigsResult{}, newErr(name, "K", s.K, ErrParam)
	case s.Tol < 0 || math.IsNaN(s.Tol) || math.IsInf(s.Tol, 0):
		return EigsResult{}, newErr(name, "Tol", s.Tol, ErrParam)
	case s.MaxIter < 0:
		return EigsResult{}, newErr(name, "MaxIter", s.MaxIter, ErrParam)
	case s.NCV < 0:
		return EigsResult{}, newErr(name, "NCV", s.NCV, ErrParam)
	case s.BlockSize < 0:
		return EigsResult{}, newErr(name, "BlockSize", s.BlockSize, ErrParam)
	}
	var defl []float64 // d x n rows, orthonormal
	d := 0
	if s.Deflate != nil {
		r, c := s.Deflate.Dims()
		if r != n {
			return EigsResult{}, newErr(name, "Deflate", fmt.Sprintf("%dx%d, want %d rows", r, c, n), ErrShape)
		}
		q, err := orthonormalize(name, "Deflate", s.Deflate)
		if err != nil {
			return EigsResult{}, err
		}
		d = q.RawMatrix().Cols
		defl = make([]float64, d*n)
		for i := 0; i < n; i++ {
			for j := 0; j < d; j++ {
				defl[j*n+i] = q.At(i, j)
			}
		}
	}
	if s.K > n-d {
		return EigsResult{}, newErr(name, "K", fmt.Sprintf("%d (n = %d, deflated = %d)", s.K, n, d), ErrParam)
	}
	tol := s.Tol
	if tol == 0 {
		tol = DefaultEigsTol
	}
	maxIter := s.MaxIter
	if maxIter == 0 {
		maxIter = DefaultEigsMaxIter
	}
	auto := s.BlockSize == 0
	b := s.BlockSize
	if auto {
		b = min(s.K, 2)
	}
	var total EigsResult
	for {
		m := s.NCV
		if m == 0 {
			m = max(2*s.K+4*b, s.K+20+8*b)
		}
		if m < s.K+2*b {
			m = s.K + 2*b
		}
		if m+b >= n-d && n-d > DenseFallbackMaxN && s.K+3*b < n-d {
			m = n - d - b - 1 // never go dense on a large problem
		}
		if m+b >= n-d {
			res, err := eigsDense(op, s, defl, d, n)
			res.Iterations += total.Iterations
			res.MatVecs += total.MatVecs
			return res, err
		}
		e := &eigsState{
			op: op, n: n, b: b, m: m, k: s.K, which: s.Which,
			defl: defl, d: d, tol: tol, maxIter: maxIter,
		}
		res, err := e.run(s.Seed)
		res.Iterations += total.Iterations
		res.MatVecs += total.MatVecs
		if err != nil || !auto {
			return res, err
		}
		// A value repeated c >= max(2, b) times may hide further copies that
		// a block of width b cannot see: solve again with a wider block.
		c := maxRepeat(res.Values, 10*tol*e.anorm)
		if c < max(2, b) || b >= maxAutoBlock {
			return res, nil
		}
		total = res
		b = min(2*c, maxAutoBlock)
	}
}

// maxAutoBlock caps the block width chosen automatically.
const maxAutoBlock = 16

// maxRepeat returns the size of the largest group of ascending values whose
// consecutive gaps are at most tol.
func maxRepeat(v []float64, tol float64) int {
	best, run := 1, 1
	for i := 1; i < len(v); i++ {
		if v[i]-v[i-1] <= tol {
			run++
		} else {
			run = 1
		}
		best = max(best, run)
	}
	return best
}

// eigsDense handles problems too small for a Krylov basis: it forms the
// projected matrix Cᵀ A C on an orthonormal basis C of the complement of the
// deflated space with n products and solves it densely.
func eigsDense(op SymOperator, s EigsSettings, defl []float64, d, n int) (EigsResult, error) {
	// Basis of the complement: eigenvectors of I − D Dᵀ for eigenvalue 1.
	var basis *mat.Dense
	if d > 0 {
		p := mat.NewSymDense(n, nil)
		for i := 0; i < n; i++ {
			for j := i; j < n; j++ {
				v := 0.0
				if i == j {
					v = 1
				}
				for l := 0; l < d; l++ {
					v -= defl[l*n+i] * defl[l*n+j]
				}
				p.SetSym(i, j, v)
			}
		}
		_, vecs, err := EigSymRange(p, d, n)
		if err != nil {
			return EigsResult{}, err
		}
		basis = vecs
	}
	nc := n - d
	// A C, column by column.
	ac := mat.NewDense(n, nc, nil)
	x := make([]float64, n)
	y := make([]float64, n)
	for j := 0; j < nc; j++ {
		if basis == nil {
			for i := range x {
				x[i] = 0
			}
			x[j] = 1
		} else {
			mat.Col(x, j, basis)
		}
		op.MulVecTo(y, x)
		ac.SetCol(j, y)
	}
	var c mat.Dense
	if basis == nil {
		c.CloneFrom(ac)
	} else {
		c.Mul(basis.T(), ac)
	}
	cs := mat.NewSymDense(nc, nil)
	for i := 0; i < nc; i++ {
		for j := i; j < nc; j++ {
			v := 0.5 * (c.At(i, j) + c.At(j, i))
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return EigsResult{}, newErr("eigs", "op", "product", ErrNaN)
			}
			cs.SetSym(i, j, v)
		}
	}
	lo, hi := 0, s.K
	if s.Which == Largest {
		lo, hi = nc-s.K, nc
	}
	w, yv, err := EigSymRange(cs, lo, hi)
	if err != nil {
		return EigsResult{}, err
	}
	vec := yv
	if basis != nil {
		vec = &mat.Dense{}
		vec.Mul(basis, yv)
	}
	SignFlip(vec)
	res := make([]float64, s.K)
	for j := 0; j < s.K; j++ {
		mat.Col(x, j, vec)
		op.MulVecTo(y, x)
		var ss float64
		for i := range y {
			r := y[i] - w[j]*x[i]
			ss += r * r
		}
		res[j] = math.Sqrt(ss)
	}
	return EigsResult{Values: w, Vectors: vec, Residuals: res, Iterations: 1, MatVecs: nc + s.K, Converged: true}, nil
}
