package closedform

import (
	"fmt"
	"math"

	"github.com/eigenssl/eigenssl/graph"
	"gonum.org/v1/gonum/mat"
)

// pinnedDesc is pinned for descending eigenvalues.
func pinnedDesc(vals []float64, kk, r int) (int, bool) {
	neg := make([]float64, len(vals))
	for i, v := range vals {
		neg[i] = -v
	}
	return pinned(neg, kk, r)
}

// solveSpectralContrastive implements docs/THEORY.md section 4 for
// ‖Gt − Z Zᵀ‖_F², Gt = D^{-1/2} G D^{-1/2}:
//
//	feature: Z* = U_K diag(√max(λ_k, 0)),  λ_k the K largest eigenvalues of Gt,
//	linear:  X = U_x S_x V_xᵀ,  M* = E_K diag(√max(μ_k, 0)) from the top
//	         eigenpairs of U_xᵀ Gt U_x,  W* = V_x S_x^{-1} M*,
//	minimum  ‖Gt‖_F² − Σ_{k<=K, λ_k>0} λ_k².
//
// The linear regime uses Xᵀ X and Xᵀ Gt X (D x D, accumulated from the
// sparse G) and never an N x N matrix; X is used as given (no bias: append
// a column of ones to X for one).
//
// The linear and kernel regimes take the sums ls (nil: computed from p).
func solveSpectralContrastive(p Problem, n int, ls *linearSums) (*Solution, error) {
	var f2 float64
	sol := &Solution{Loss: p.Loss, Regime: p.Regime, Exact: true, SingularValuesPinned: true, prob: p}
	var vals []float64
	var vecs *mat.Dense // feature: N x m; linear: r x m (whitened coordinates)
	var b, x *mat.Dense
	var err error
	if p.Regime == Feature {
		s := graph.DegreeInvSqrt(degrees(p.G))
		f2 = gtFrob2(p.G, s)
		m := n
		if n > denseLimit {
			m = min(n, p.K+1)
		}
		vals, vecs, err = gtTop(p.G, s, m)
		if err != nil {
			return nil, newErr("solve", "G", nil, wrap2(ErrNoConvergence, err))
		}
		sol.Operator = "eigenvectors of D^{-1/2} G D^{-1/2}, descending"
		sol.EquivalentMethod = "top eigenvectors of the normalised adjacency D^{-1/2} G D^{-1/2} (bottom of L_sym), scaled by √λ"
	} else {
		x = p.design()
		if ls == nil {
			ls = p.linearSums(n, needXX|needXGt)
		}
		f2 = ls.gt2
		b, err = whitener(ls.xx)
		if err != nil {
			return nil, err
		}
		va, ve, err := eigAsc(sandwich(b, ls.xgt))
		if err != nil {
			return nil, err
		}
		vals, vecs, _ = reverseCols(va, ve)
		sol.Operator = "U_xᵀ Gt U_x descending (generalised Xᵀ Gt X a = μ Xᵀ X a), Gt = D^{-1/2} G D^{-1/2}"
		sol.EquivalentMethod = "generalised eigenvectors Xᵀ D^{-1/2} G D^{-1/2} X a = μ Xᵀ X a, largest (linear spectral embedding of the normalised adjacency)"
		if p.Regime == Kernel {
			sol.Operator = "U_kᵀ Gt U_k descending (generalised K Gt K a = μ K K a), Gt = D^{-1/2} G D^{-1/2}"
			sol.EquivalentMethod = "kernel spectral embedding: K Gt K a = μ K² a, largest"
		}
	}
	rows, m := vecs.Dims()
	kk := min(p.K, m)
	r := 0
	value := f2
	coef := mat.NewDense(rows, p.K, nil)
	for k := 0; k < kk; k++ {
		if vals[k] <= 0 {
			continue
		}
		r++
		value -= vals[k] * vals[k]
		f := math.Sqrt(vals[k])
		for i := 0; i < rows; i++ {
			coef.Set(i, k, vecs.At(i, k)*f)
		}
	}
	sol.PredictedLoss, sol.Rank = value, r
	sol.Spectrum = append([]float64(nil), vals[:min(m, p.K+1)]...)
	np, degenerate := pinnedDesc(vals, kk, r)
	if degenerate && np >= len(vals) && p.Regime == Feature && n > denseLimit {
		// The tie may extend past the eigenpairs computed (iterative path):
		// the admissible subspace is unknown.
		np = 0
	}
	if p.Regime == Feature {
		sol.Z = coef
		if np > 0 && np <= m {
			sol.Subspace = basis(vecs, np)
		}
	} else {
		w := mat.NewDense(b.RawMatrix().Rows, p.K, nil)
		w.Mul(b, coef)
		if x != nil {
			sol.Z = mat.NewDense(n, p.K, nil)
			sol.Z.Mul(x, w)
		} else {
			sol.SingularValues = ls.singularValues(w, false)
		}
		if p.Regime == Kernel {
			sol.A = w
		} else {
			sol.W = w
		}
		if np > 0 && np <= m && x != nil {
			sol.Subspace = mappedBasis(x, b, vecs, np)
		}
	}
	if sol.Z != nil {
		sol.SingularValues = singularValues(sol.Z)
	}
	if r > 0 {
		sol.FreeRightFactorDim = r * (r - 1) / 2
	}
	sol.Note = "Gt = D^{-1/2} G D^{-1/2} (isolated rows zero); Z Zᵀ is pinned, Z only up to a right rotation"
	if r < kk {
		sol.Note += fmt.Sprintf("; only %d of the top %d eigenvalues are positive: the other columns are zero", r, kk)
	}
	if degenerate {
		sol.Note += fmt.Sprintf("; the K-th eigenvalue is tied (Subspace has %d columns)", np)
	}
	return sol, nil
}
