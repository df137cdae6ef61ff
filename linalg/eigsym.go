package linalg

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"
)

// EigSym computes all eigenpairs of the symmetric matrix a,
//
//	A = V * Λ * Vᵀ,  VᵀV = I,
//
// with the eigenvalues in ascending order and the eigenvectors in the columns
// of vectors (n x n). The sign rule of SignFlip is applied to the columns.
// Only the upper triangle of a is read.
//
// The cost is O(n³) time and O(n²) memory (LAPACK dsyev in pure Go, dsyevr
// under the openblas build). An empty matrix gives an error wrapping ErrEmpty,
// a NaN or Inf entry one wrapping ErrNaN.
func EigSym(a mat.Symmetric) (values []float64, vectors *mat.Dense, err error) {
	if a == nil {
		return nil, nil, newErr("eigsym", "a", nil, ErrEmpty)
	}
	return eigSymRange("eigsym", a, 0, a.SymmetricDim())
}

// EigSymRange computes the eigenpairs of the symmetric matrix a whose indices
// in the ascending order of the eigenvalues are lo, lo+1, ..., hi-1, so
// EigSymRange(a, 0, k) gives the k smallest and EigSymRange(a, n-k, n) the k
// largest. values has length hi-lo (ascending) and vectors is n x (hi-lo),
// sign rule applied. It requires 0 <= lo < hi <= n (ErrParam otherwise).
//
// Under the openblas build it uses the index range of dsyevr (MRRR): O(n³)
// for the tridiagonal reduction, O(n (hi-lo)) beyond it. The pure-Go build,
// when at most half of the pairs are wanted, reduces to tridiagonal form and
// computes the wanted vectors by inverse iteration with re-orthogonalisation
// inside clusters (as LAPACK dsyevx; 4n³/3 + 2n²k flops, 4 s at n = 1500), and
// checks them, falling back to dsyev for all pairs (whose implicit QL sweeps
// are about 10 times slower) when more are wanted or the check fails. For a
// few extremal pairs of a large matrix, Eigs is cheaper still: on a sparse
// operator, or on NewDenseOperator(a) at O(n²) per product (n = 3000,
// k = 10 takes seconds).
func EigSymRange(a mat.Symmetric, lo, hi int) (values []float64, vectors *mat.Dense, err error) {
	if a == nil {
		return nil, nil, newErr("eigsymrange", "a", nil, ErrEmpty)
	}
	return eigSymRange("eigsymrange", a, lo, hi)
}

func eigSymRange(op string, a mat.Symmetric, lo, hi int) ([]float64, *mat.Dense, error) {
	n := a.SymmetricDim()
	if n == 0 {
		return nil, nil, newErr(op, "a", "0x0", ErrEmpty)
	}
	if lo < 0 || hi > n || lo >= hi {
		return nil, nil, newErr(op, "lo,hi", fmt.Sprintf("%d,%d (n = %d)", lo, hi, n), ErrParam)
	}
	data, err := symData(op, "a", a)
	if err != nil {
		return nil, nil, err
	}
	w, z, ok := symEigBackend(n, data, lo, hi)
	if !ok {
		return nil, nil, newErr(op, "a", nil, ErrFailed)
	}
	SignFlip(z)
	return w, z, nil
}

// symData returns a fresh row-major n x n copy of a with both triangles set,
// or an error wrapping ErrNaN naming the first non-finite entry.
func symData(op, name string, a mat.Symmetric) ([]float64, error) {
	n := a.SymmetricDim()
	data := make([]float64, n*n)
	if s, ok := a.(mat.RawSymmetricer); ok {
		raw := s.RawSymmetric()
		if raw.Uplo == blas.Upper {
			for i := 0; i < n; i++ {
				copy(data[i*n+i:i*n+n], raw.Data[i*raw.Stride+i:i*raw.Stride+n])
			}
		} else {
			for i := 0; i < n; i++ {
				for j := 0; j <= i; j++ {
					data[j*n+i] = raw.Data[i*raw.Stride+j]
				}
			}
		}
	} else {
		for i := 0; i < n; i++ {
			for j := i; j < n; j++ {
				data[i*n+j] = a.At(i, j)
			}
		}
	}
	for i := 0; i < n; i++ {
		for j := i; j < n; j++ {
			v := data[i*n+j]
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, newErr(op, fmt.Sprintf("%s[%d,%d]", name, i, j), v, ErrNaN)
			}
			data[j*n+i] = v
		}
	}
	return data, nil
}

// GenEigSym solves the symmetric-definite generalised eigenproblem
//
//	A v = λ B v,  B symmetric positive definite,
//
// for all pairs, eigenvalues ascending. The eigenvectors are the columns of
// vectors and are B-orthonormal, VᵀBV = I (the scipy.linalg.eigh
// convention), with the sign rule of SignFlip applied. With the Cholesky
// factorisation B = UᵀU the problem is reduced to the standard one
//
//	C y = λ y,  C = U⁻ᵀ A U⁻¹,  v = U⁻¹ y,
//
// (LAPACK dsygv, itype 1). The cost is O(n³). If B is not positive definite
// the error wraps ErrNotPositiveDefinite and names b; mismatched sizes give
// ErrShape, NaN or Inf entries ErrNaN.
func GenEigSym(a, b mat.Symmetric) (values []float64, vectors *mat.Dense, err error) {
	if a == nil {
		return nil, nil, newErr("geneigsym", "a", nil, ErrEmpty)
	}
	return genEigSym("geneigsym", a, b, 0, a.SymmetricDim())
}

// GenEigSymRange is GenEigSym restricted to the eigenpairs with ascending
// indices lo, ..., hi-1 (0 <= lo < hi <= n).
func GenEigSymRange(a, b mat.Symmetric, lo, hi int) (values []float64, vectors *mat.Dense, err error) {
	if a == nil {
		return nil, nil, newErr("geneigsymrange", "a", nil, ErrEmpty)
	}
	return genEigSym("geneigsymrange", a, b, lo, hi)
}

func genEigSym(op string, a, b mat.Symmetric, lo, hi int) ([]float64, *mat.Dense, error) {
	n := a.SymmetricDim()
	if n == 0 {
		return nil, nil, newErr(op, "a", "0x0", ErrEmpty)
	}
	if b == nil || b.SymmetricDim() != n {
		nb := 0
		if b != nil {
			nb = b.SymmetricDim()
		}
		return nil, nil, newErr(op, "b", fmt.Sprintf("%dx%d, want %dx%d", nb, nb, n, n), ErrShape)
	}
	if lo < 0 || hi > n || lo >= hi {
		return nil, nil, newErr(op, "lo,hi", fmt.Sprintf("%d,%d (n = %d)", lo, hi, n), ErrParam)
	}
	ad, err := symData(op, "a", a)
	if err != nil {
		return nil, nil, err
	}
	bd, err := symData(op, "b", b)
	if err != nil {
		return nil, nil, err
	}
	var chol mat.Cholesky
	if !chol.Factorize(mat.NewSymDense(n, bd)) {
		return nil, nil, newErr(op, "b", nil, ErrNotPositiveDefinite)
	}
	var u mat.TriDense
	chol.UTo(&u)
	ut := u.RawTriangular()
	f := blas64.General{Rows: n, Cols: n, Stride: n, Data: ad}
	// C = U⁻ᵀ A U⁻¹.
	blas64.Trsm(blas.Left, blas.Trans, 1, ut, f)
	blas64.Trsm(blas.Right, blas.NoTrans, 1, ut, f)
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			v := 0.5 * (ad[i*n+j] + ad[j*n+i])
			ad[i*n+j], ad[j*n+i] = v, v
		}
	}
	w, y, ok := symEigBackend(n, ad, lo, hi)
	if !ok {
		return nil, nil, newErr(op, "a", nil, ErrFailed)
	}
	// v = U⁻¹ y.
	blas64.Trsm(blas.Left, blas.NoTrans, 1, ut, y.RawMatrix())
	SignFlip(y)
	return w, y, nil
}
