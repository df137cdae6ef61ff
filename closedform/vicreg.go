package closedform

import (
	"fmt"
	"math"

	"github.com/eigenssl/eigenssl/graph"
	"github.com/eigenssl/eigenssl/linalg"
	"gonum.org/v1/gonum/mat"
)

// VICRegRank returns the rank of the smooth-VICReg optimum predicted from
// the ascending eigenvalues lambda of the operator (L on 1⊥ in feature space,
// M = Σx^{-1/2} Q Σx^{-1/2} in the linear regime) and γ:
//
//	rank = #{k <= min(K, len(lambda)) : 1 − γ λ_k > 1e-10}
//
// (the 1e-10 absorbs rounding in the eigenvalues).
//
// For the augmentation graph of V views (L has eigenvalues 0 and V) this is
// min(K, N−1) for γ < 1/V and min(K, N'−1) for γ >= 1/V.
func VICRegRank(lambda []float64, gamma float64, k int) int {
	r := 0
	for j := 0; j < k && j < len(lambda); j++ {
		if 1-gamma*lambda[j] > rankTol {
			r++
		}
	}
	return r
}

// rankTol is the level below which 1 − γλ counts as zero, so that γ = 1/V
// flips the rank despite rounding in the eigenvalues.
const rankTol = 1e-10

// VICRegWeights returns s_k = max(0, 1 − γ λ_k) for the first min(K,
// len(lambda)) eigenvalues and the smooth-VICReg minimum
//
//	Σ_{k<=K} [(s_k − 1)² + 2γ s_k λ_k]  (+1 for every k beyond len(lambda)).
func VICRegWeights(lambda []float64, gamma float64, k int) (s []float64, value float64) {
	m := min(k, len(lambda))
	s = make([]float64, m)
	for j := 0; j < m; j++ {
		if v := 1 - gamma*lambda[j]; v > rankTol {
			s[j] = v
		}
		value += (s[j]-1)*(s[j]-1) + 2*gamma*s[j]*lambda[j]
	}
	return s, value + float64(k-m)
}

// pinned returns how many leading eigenvectors span the admissible subspace:
// r if fewer than kk columns are used, otherwise kk plus the eigenvalues tied
// with the kk-th (which make the subspace non-unique).
func pinned(vals []float64, kk, r int) (int, bool) {
	if r < kk || kk == 0 {
		return r, false
	}
	t := kk
	for t < len(vals) && vals[t] <= vals[kk-1]+tieTol(vals[kk-1]) {
		t++
	}
	return t, t > kk
}

// spectralVICReg holds the common data of the VICReg solutions: ascending
// eigenvalues and eigenvectors of the operator in sample or whitened space.
type spectralVICReg struct {
	vals []float64
	vecs *mat.Dense // operator eigenvectors (N x m feature, r x m linear)
	// linear regime
	x  *mat.Dense
	b  *mat.Dense // whitener D x r
	mu []float64
	op string
}

// solveVICRegFamily solves vicreg and vicreg_hard; in the linear and kernel
// regimes from the sums ls (nil: computed from p's design and G).
func solveVICRegFamily(p Problem, n int, ls *linearSums) (*Solution, error) {
	var sp spectralVICReg
	var err error
	if p.Regime == Feature {
		d := degrees(p.G)
		m := n - 1
		if n > denseLimit {
			m = min(n-1, p.K+1)
		}
		if m < 1 {
			return nil, newErr("solve", "G", n, ErrEmpty)
		}
		sp.vals, sp.vecs, err = lapOnPerp(p.G, d, m)
		if err != nil {
			return nil, newErr("solve", "G", nil, wrap2(ErrNoConvergence, err))
		}
		sp.op = "eigenvectors of L = D − G on 1⊥, ascending"
	} else {
		if ls == nil {
			ls = p.linearSums(n, needXX|needXLX)
		}
		b, err := whitener(ls.covariance())
		if err != nil {
			return nil, err
		}
		q := mat.NewDense(len(ls.mu), len(ls.mu), nil)
		q.Scale(1/ls.n, ls.xlx) // Xᵀ (D − G) X / N
		vals, vecs, err2 := eigAsc(sandwich(b, q))
		if err2 != nil {
			return nil, err2
		}
		sp.vals, sp.vecs, sp.x, sp.b, sp.mu = vals, vecs, p.design(), b, ls.mu
		sp.op = "M = Σx^{-1/2} (XᵀLX/N) Σx^{-1/2} ascending, Σx = XᵀHX/N (generalised XᵀLX a = m XᵀHX a)"
		if p.Regime == Kernel {
			sp.op = "M = Σk^{-1/2} (K L K/N) Σk^{-1/2} ascending, Σk = K H K/N (kernel LPP with covariance normalisation)"
		}
	}
	avail := n - 1 // directions available: 1⊥ in feature space, rank Σx otherwise
	if p.Regime != Feature {
		_, avail = sp.vecs.Dims()
	}
	kk := min(p.K, avail)
	var s []float64
	var value float64
	hard := p.Loss == VICRegHard
	if hard {
		if p.K > avail {
			return nil, newErr("solve", "K", p.K, fmt.Errorf("%w: Cov(Z) = I needs K <= %d (the dimension of the centred column space)", ErrParam, avail))
		}
		s = make([]float64, kk)
		for j := range s {
			s[j] = 1
			value += 2 * sp.vals[j]
		}
	} else {
		s, value = VICRegWeights(sp.vals, p.Gamma, p.K)
	}
	r := 0
	for _, v := range s {
		if v > 0 {
			r++
		}
	}
	sol := &Solution{Loss: p.Loss, Regime: p.Regime, Exact: true, PredictedLoss: value, Rank: r,
		SingularValuesPinned: true, Operator: sp.op, prob: p}
	sol.Spectrum = append([]float64(nil), sp.vals[:min(len(sp.vals), p.K+1)]...)
	if !hard {
		var top float64
		for _, v := range sp.vals {
			top = math.Max(top, math.Abs(v))
		}
		for j := kk - 1; j >= 0; j-- {
			if sp.vals[j] > 1e-12*math.Max(1, top) { // zero up to rounding: no threshold
				sol.RankThresholds = append(sol.RankThresholds, 1/sp.vals[j])
			}
		}
	}
	// Columns sqrt(N s_k) e_k of the eigenvectors (N x K in feature space,
	// whitened coordinates r x K otherwise).
	rows, _ := sp.vecs.Dims()
	coef := mat.NewDense(rows, p.K, nil)
	for k := 0; k < kk; k++ {
		f := math.Sqrt(s[k]) // whitened coordinates: Cov(X W) = Vᵀ V
		if p.Regime == Feature {
			f = math.Sqrt(float64(n) * s[k])
		}
		for i := 0; i < rows; i++ {
			coef.Set(i, k, sp.vecs.At(i, k)*f)
		}
	}
	np, degenerate := pinned(sp.vals, kk, r)
	if degenerate && np >= len(sp.vals) && p.Regime == Feature && n > denseLimit {
		// The tie may extend past the eigenpairs computed (iterative path):
		// the admissible subspace is unknown.
		np = 0
	}
	if p.Regime == Feature {
		sol.Z = coef
		if np > 0 && np <= len(sp.vals) {
			sol.Subspace = basis(sp.vecs, np)
		}
		sol.EquivalentMethod = "Laplacian Eigenmaps with ZᵀZ = I normalisation (unnormalised L, constant vector dropped)"
	} else {
		x := sp.x
		dd := len(sp.mu)
		w := mat.NewDense(dd, p.K, nil)
		w.Mul(sp.b, coef)
		bias := make([]float64, p.K)
		for k := 0; k < p.K; k++ {
			for i := 0; i < dd; i++ {
				bias[k] -= sp.mu[i] * w.At(i, k)
			}
		}
		sol.Bias = bias
		if x != nil {
			z := mat.NewDense(n, p.K, nil)
			z.Mul(x, w)
			for i := 0; i < n; i++ {
				row := z.RawRowView(i)
				for k := range row {
					row[k] += bias[k]
				}
			}
			sol.Z = z
		} else {
			sol.SingularValues = ls.singularValues(w, true)
		}
		if p.Regime == Kernel {
			sol.A = w
			sol.EquivalentMethod = "kernel LPP with covariance normalisation: K L K a = m K H K a, smallest"
		} else {
			sol.W = w
			sol.EquivalentMethod = "LPP with covariance normalisation: XᵀLX a = m XᵀHX a, smallest (LPP proper uses XᵀDX)"
		}
		if np > 0 && np <= len(sp.vals) && x != nil {
			// Column space of H X B E_np, orthonormal up to the 1/√N scale.
			sol.Subspace = linalg.CenterColumns(mappedBasis(x, sp.b, sp.vecs, np))
			sol.Subspace.Scale(1/math.Sqrt(float64(n)), sol.Subspace)
		}
	}
	if sol.Z != nil {
		sol.SingularValues = singularValues(linalg.CenterColumns(sol.Z))
	}
	if r > 0 {
		sol.FreeRightFactorDim = r * (r - 1) / 2
	}
	note := "covariance Zᵀ H Z / N (biased); Z is centred (the losses are invariant to a constant row)"
	if !hard {
		note += fmt.Sprintf("; s_k = max(0, 1 − γ λ_k) with γ = %g (with the unbiased 1/(N−1) covariance use γ(N−1)/N)", p.Gamma)
	} else {
		note += "; predicted loss is the invariance term (1/N) Σ_ij G_ij ‖z_i − z_j‖² = 2 Σ_k λ_k"
	}
	if degenerate {
		note += fmt.Sprintf("; the K-th eigenvalue is tied (Subspace has %d columns): any K-dimensional subspace of it is optimal", np)
	}
	if p.K > kk {
		note += fmt.Sprintf("; K = %d exceeds the %d available directions: extra columns are zero", p.K, kk)
	}
	sol.Note = note
	return sol, nil
}

// eigAsc returns all eigenpairs of a small symmetric matrix, ascending.
func eigAsc(a *mat.SymDense) ([]float64, *mat.Dense, error) {
	var e mat.EigenSym
	if !e.Factorize(a, true) {
		return nil, nil, newErr("solve", "operator", nil, ErrNoConvergence)
	}
	var v mat.Dense
	e.VectorsTo(&v)
	return e.Values(nil), &v, nil
}

// hardInvariance returns the hard-constraint objective (1/N) Σ G_ij ‖z_i − z_j‖²
// of Z after projecting it onto the constraint Cov(Z) = I (centring and
// whitening its column space); rank-deficient Z is refused.
func hardInvariance(z *mat.Dense, g *graph.CSR) (float64, error) {
	n, _ := z.Dims()
	// V = H Z/√N has VᵀV = Cov(Z); its retraction Y (YᵀY = I) is the
	// whitened Z/√N, whose energy equals (1/N) × that of the whitened Z.
	v := linalg.CenterColumns(z)
	v.Scale(1/math.Sqrt(float64(n)), v)
	y, ok := retract(v)
	if !ok {
		return 0, newErr("evaluate", "Z", "rank deficient", ErrParam)
	}
	return g.DirichletEnergy(y), nil
}
