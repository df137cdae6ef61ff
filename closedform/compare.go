package closedform

import (
	"math"

	"github.com/eigenssl/eigenssl/linalg"
	"gonum.org/v1/gonum/mat"
)

// Comparison reports the distance of a representation to a Solution.
type Comparison struct {
	// Loss is the loss of the representation; LossGap = Loss − PredictedLoss
	// (>= 0 up to rounding for an exact solution) and RelativeGap =
	// LossGap / max(1, |PredictedLoss|).
	Loss, LossGap, RelativeGap float64
	// Angles are the principal angles (radians, ascending) between the
	// column space of the representation (centred for the VICReg losses,
	// rows normalised for SimCLR) and sol.Subspace (or col(sol.Z) when the
	// subspace is not pinned); MaxAngle is the largest.
	Angles   []float64
	MaxAngle float64
	// SingularValues of the (centred) representation, descending, and the
	// largest |σ_i − σ_i*| / σ_1*; NaN when the loss does not pin them.
	SingularValues     []float64
	SingularValueError float64
	// Rank is the numerical rank of the (centred) representation.
	Rank int
}

// Compare measures how far z (N x K, trained or computed) is from sol: loss
// gap, principal angles between column spaces and singular-value error. Only
// the left factor and the singular values are compared (the right factor is
// free). When sol.Subspace has more columns than rank(z) (degenerate
// spectrum), the angles measure containment of col(z) in it.
func Compare(sol *Solution, z *mat.Dense) (Comparison, error) {
	var c Comparison
	if sol == nil || sol.Z == nil {
		return c, newErr("compare", "sol", nil, ErrEmpty)
	}
	v, err := Evaluate(sol.prob, z)
	if err != nil {
		return c, err
	}
	c.Loss = v
	c.LossGap = v - sol.PredictedLoss
	c.RelativeGap = c.LossGap / math.Max(1, math.Abs(sol.PredictedLoss))
	zz := canonicalZ(sol.prob.Loss, z)
	n, _ := zz.Dims()
	c.SingularValues = singularValues(zz)
	c.Rank = numRank(c.SingularValues, n)
	c.SingularValueError = math.NaN()
	if sol.SingularValuesPinned && len(sol.SingularValues) > 0 && sol.SingularValues[0] > 0 {
		var e float64
		for i := range c.SingularValues {
			if i < len(sol.SingularValues) {
				e = math.Max(e, math.Abs(c.SingularValues[i]-sol.SingularValues[i]))
			}
		}
		c.SingularValueError = e / sol.SingularValues[0]
	}
	ref := sol.Subspace
	if ref == nil {
		ref = sol.Z
		if sol.prob.Loss == SimCLR {
			ref = rowNormalised(sol.Z)
		}
	}
	if c.Rank == 0 {
		return c, nil
	}
	ang, err := linalg.PrincipalAngles(zz, ref)
	if err != nil {
		return c, newErr("compare", "Z", nil, wrap2(ErrShape, err))
	}
	c.Angles = ang
	if len(ang) > 0 {
		c.MaxAngle = ang[len(ang)-1]
	}
	return c, nil
}

// rowNormalised returns z with unit rows (SimCLR's view of Z); a row of norm
// <= 1e-12 (a collapsed view, no direction) is kept as it is.
func rowNormalised(z *mat.Dense) *mat.Dense { return linalg.NormalizeRows(z, 1e-12) }

// canonicalZ removes what the loss cannot see: the column means for the
// VICReg losses, the row norms for SimCLR.
func canonicalZ(l string, z *mat.Dense) *mat.Dense {
	switch l {
	case VICReg, VICRegHard, VICRegHinge:
		return linalg.CenterColumns(z)
	case SimCLR:
		return rowNormalised(z)
	}
	return z
}
