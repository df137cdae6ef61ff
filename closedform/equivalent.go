package closedform

import (
	"math"

	"github.com/eigenssl/eigenssl/linalg"
	"github.com/eigenssl/eigenssl/spectral"
	"gonum.org/v1/gonum/mat"
)

// Equivalence is the outcome of CheckEquivalent.
type Equivalence struct {
	// Method names the spectral/ estimator run ("" when none applies).
	Method string
	// Embedding is its N x K output.
	Embedding *mat.Dense
	// Angles are the principal angles (radians, ascending) between the
	// closed form's pinned subspace (sol.Subspace, or the column space of
	// sol.Z) and the estimator's embedding, both centred for the VICReg
	// losses; MaxAngle is the largest. Containment is measured when the
	// dimensions differ.
	Angles   []float64
	MaxAngle float64
	// Note says why no estimator applies, or which convention was matched.
	Note string
}

// CheckEquivalent runs the spectral method of package spectral that has the
// same solution as sol and measures the principal angles between the two
// subspaces:
//
//	vicreg, vicreg_hard, feature:      LaplacianEigenmaps{Unnormalized} (ZᵀZ = I variant)
//	vicreg, vicreg_hard, linear:       LPP, when G is regular and X centred
//	                                   (then Xᵀ D X = d N Σx, the covariance normalisation)
//	spectral_contrastive, feature/linear: SpectralContrastive
//	barlowtwins, linear:               GraphCCA (shared-weight CCA)
//
// Other cases return an Equivalence with an empty Method and a Note.
func CheckEquivalent(sol *Solution) (Equivalence, error) {
	var eq Equivalence
	if sol == nil || sol.Z == nil {
		return eq, newErr("equivalent", "sol", nil, ErrEmpty)
	}
	p := sol.prob
	_, k := sol.Z.Dims()
	vicreg := p.Loss == VICReg || p.Loss == VICRegHard
	var emb *mat.Dense
	switch {
	case vicreg && p.Regime == Feature:
		le := &spectral.LaplacianEigenmaps{Components: k, Unnormalized: true}
		if err := le.FitGraph(nil, p.G); err != nil {
			return eq, newErr("equivalent", "G", nil, wrap2(ErrParam, err))
		}
		eq.Method, emb = "spectral.LaplacianEigenmaps{Unnormalized: true}", linalg.CenterColumns(le.Embedding())
	case vicreg && p.Regime == Linear:
		d := degrees(p.G)
		regular := true
		for _, v := range d {
			regular = regular && math.Abs(v-d[0]) <= 1e-12*math.Max(1, d[0])
		}
		var maxMu float64
		for _, v := range linalg.ColMeans(p.X) {
			maxMu = math.Max(maxMu, math.Abs(v))
		}
		if !regular || maxMu > 1e-10*math.Max(1, mat.Norm(p.X, math.Inf(1))) {
			eq.Note = "LPP normalises by Xᵀ D X; it equals the covariance normalisation Xᵀ H X only for a regular G and centred X (no spectral/ estimator for the general case)"
			return eq, nil
		}
		lpp := &spectral.LPP{Components: k}
		if err := lpp.FitGraph(p.X, p.G); err != nil {
			return eq, newErr("equivalent", "X", nil, wrap2(ErrParam, err))
		}
		eq.Method, emb = "spectral.LPP", linalg.CenterColumns(lpp.Embedding())
	case p.Loss == SpectralContrastive && p.Regime != Kernel:
		sc := &spectral.SpectralContrastive{Components: k, Linear: p.Regime == Linear}
		x := p.X
		if p.Regime == Feature {
			x = nil
		}
		if err := sc.FitGraph(x, p.G); err != nil {
			return eq, newErr("equivalent", "G", nil, wrap2(ErrParam, err))
		}
		eq.Method, emb = "spectral.SpectralContrastive", sc.Embedding()
	case p.Loss == BarlowTwins && p.Regime == Linear:
		cca := &spectral.GraphCCA{Components: k}
		if err := cca.FitGraph(p.X, p.G); err != nil {
			return eq, newErr("equivalent", "X", nil, wrap2(ErrParam, err))
		}
		eq.Method, emb = "spectral.GraphCCA", cca.Embedding()
	default:
		eq.Note = "no spectral/ estimator computes this solution: " + sol.EquivalentMethod
		return eq, nil
	}
	eq.Embedding = emb
	ref := sol.Subspace
	if ref == nil {
		ref = sol.Z
		if vicreg {
			ref = linalg.CenterColumns(sol.Z)
		}
	}
	ang, err := linalg.PrincipalAngles(ref, emb)
	if err != nil {
		return eq, newErr("equivalent", "embedding", nil, wrap2(ErrShape, err))
	}
	eq.Angles = ang
	if len(ang) > 0 {
		eq.MaxAngle = ang[len(ang)-1]
	}
	return eq, nil
}
