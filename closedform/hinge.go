package closedform

import (
	"fmt"
	"math"

	"github.com/eigenssl/eigenssl/linalg"
	"github.com/eigenssl/eigenssl/loss"
	"gonum.org/v1/gonum/mat"
)

// solveHinge handles the paper's exact VICReg (loss.VICRegGForm: hinge on
// the unbiased standard deviations, covariance and invariance terms).
//
// With z₀ the dimension of null(L) ∩ 1⊥ reachable in the regime (c − 1 in
// feature space for c components; the number of zero eigenvalues of M in the
// linear regime):
//   - K <= z₀: loss 0 at Z = √(N−1) U_{1:K} (unbiased Cov = I, LZ = 0); exact.
//   - K > z₀: no closed form. Two candidates are evaluated exactly: the
//     full-rank spectral solution √(N−1) U_{1:K} (loss γ 2(N−1)/N Σ_k λ_k)
//     and the collapse onto the z₀ null directions (columns repeated
//     cyclically; rank z₀, loss β·#{k≠l sharing a direction}); every rank-z₀
//     solution with zero invariance costs at least β(K²/z₀ − K). Bounds holds
//     [0, best candidate]; Refine runs gradient descent from the best one.
func solveHinge(p Problem, n int) (*Solution, error) {
	ph := p
	ph.Loss = VICRegHard
	hs, err := solveVICRegFamily(ph, n, nil)
	if err != nil {
		return nil, err
	}
	scale := math.Sqrt(float64(n-1) / float64(n))
	hl, err := lossOf(p)
	if err != nil {
		return nil, err
	}
	eval := func(z *mat.Dense) (float64, error) {
		r, err := hl.Eval(loss.Inputs{Z: z, G: p.G}, false)
		return r.Value, err
	}
	var maxAbs float64
	for _, v := range hs.Spectrum {
		maxAbs = math.Max(maxAbs, math.Abs(v))
	}
	z0 := 0
	for _, v := range hs.Spectrum {
		if v <= 1e-9*math.Max(1, maxAbs) {
			z0++
		}
	}
	z0 = min(z0, p.K) // Spectrum holds K+1 values: z0 == K+1 means >= K+1
	full := scaled(hs, scale)
	vFull, err := eval(full.Z)
	if err != nil {
		return nil, err
	}
	sol := full
	sol.Loss = p.Loss
	sol.prob = p
	sol.PredictedLoss = vFull
	sol.SingularValuesPinned = false
	sol.EquivalentMethod = hs.EquivalentMethod
	if p.K <= z0 {
		sol.Exact = true
		sol.Note = "K <= dim(null(L) ∩ 1⊥) in the regime: loss 0 at √(N−1) × null-space eigenvectors (unbiased Cov = I); any Z in that null space with diagonal Cov >= 1 is optimal"
		return sol, nil
	}
	sol.Exact = false
	note := fmt.Sprintf("approximate: K = %d > %d null directions; upper bound from the best of the full-rank spectral solution (loss %.6g)", p.K, z0, vFull)
	if z0 >= 1 {
		pn := ph
		pn.K = z0
		ns, err := solveVICRegFamily(pn, n, nil)
		if err != nil {
			return nil, err
		}
		ns = scaled(ns, scale)
		col := cyclic(ns, p.K, z0)
		vCol, err := eval(col.Z)
		if err != nil {
			return nil, err
		}
		note += fmt.Sprintf(" and the rank-%d collapse (loss %.6g; any rank-%d zero-invariance solution costs >= β(K²/%d − K) = %.6g)",
			z0, vCol, z0, z0, p.Beta*(float64(p.K*p.K)/float64(z0)-float64(p.K)))
		if vCol < vFull {
			col.Loss, col.prob, col.PredictedLoss = p.Loss, p, vCol
			col.Rank, col.EquivalentMethod, col.Operator = z0, hs.EquivalentMethod, hs.Operator
			col.Spectrum = hs.Spectrum
			col.Subspace = ns.Subspace
			col.FreeRightFactorDim = 0
			sol = col
		}
	}
	sol.Exact = false
	sol.SingularValuesPinned = false
	sol.Bounds = &Bounds{Lower: 0, Upper: sol.PredictedLoss, Note: "lower: trivial; upper: best explicit candidate"}
	sol.Note = note
	return sol, nil
}

// scaled returns a copy of s with Z, W, A and Bias multiplied by f.
func scaled(s *Solution, f float64) *Solution {
	c := *s
	mul := func(m *mat.Dense) *mat.Dense {
		if m == nil {
			return nil
		}
		r := mat.DenseCopyOf(m)
		r.Scale(f, r)
		return r
	}
	c.Z, c.W, c.A = mul(s.Z), mul(s.W), mul(s.A)
	if s.Bias != nil {
		c.Bias = make([]float64, len(s.Bias))
		for i, v := range s.Bias {
			c.Bias[i] = v * f
		}
	}
	c.SingularValues = singularValues(linalg.CenterColumns(c.Z))
	return &c
}

// cyclic returns a solution whose K columns repeat the z0 columns of s.
func cyclic(s *Solution, k, z0 int) *Solution {
	c := *s
	rep := func(m *mat.Dense) *mat.Dense {
		if m == nil {
			return nil
		}
		r, _ := m.Dims()
		out := mat.NewDense(r, k, nil)
		for j := 0; j < k; j++ {
			out.SetCol(j, mat.Col(nil, j%z0, m))
		}
		return out
	}
	c.Z, c.W, c.A = rep(s.Z), rep(s.W), rep(s.A)
	if s.Bias != nil {
		c.Bias = make([]float64, k)
		for j := range c.Bias {
			c.Bias[j] = s.Bias[j%z0]
		}
	}
	c.SingularValues = singularValues(linalg.CenterColumns(c.Z))
	return &c
}
