package closedform

import (
	"github.com/eigenssl/eigenssl/graph"
	"github.com/eigenssl/eigenssl/loss"
	"gonum.org/v1/gonum/mat"
)

// Solve returns the closed-form optimum of p (see the package documentation
// for the formulas), or, where none is known, the best known
// characterisation with Exact = false and Bounds set. Bad input gives an
// *Error wrapping ErrEmpty, ErrNaN, ErrShape, ErrParam, ErrUnknown or
// ErrGraph.
//
// Cost: feature space O(N³) dense for N <= 3000 (exact multiplicities),
// block Lanczos on the sparse operator beyond; linear regime O(nnz(G) D +
// N D² + D³) with only D x D matrices; kernel regime O(N³).
func Solve(p Problem) (*Solution, error) {
	p = p.withDefaults()
	n, err := p.validate("solve")
	if err != nil {
		return nil, err
	}
	var sol *Solution
	switch p.Loss {
	case VICReg, VICRegHard:
		sol, err = solveVICRegFamily(p, n, nil)
	case VICRegHinge:
		sol, err = solveHinge(p, n)
	case SpectralContrastive:
		sol, err = solveSpectralContrastive(p, n, nil)
	case BarlowTwins:
		sol, err = solveBarlowTwins(p, n, nil)
	default:
		sol, err = solveSimCLR(p, n)
	}
	if err != nil {
		return nil, err
	}
	_, sol.Components = graph.Components(p.G)
	return sol, nil
}

// lossOf returns the loss.Loss evaluating p's (defaulted) loss on a
// feature-space Z, built by loss.New from its registry name and p's
// hyper-parameters; VICRegHard, whose objective is hardInvariance on the
// constraint set, has none (ErrParam).
func lossOf(p Problem) (loss.Loss, error) {
	var l loss.Loss
	var err error
	switch p.Loss {
	case VICReg:
		l, err = loss.New(loss.NameVICRegSmooth, map[string]float64{loss.ParamGamma: p.Gamma})
	case VICRegHinge:
		l, err = loss.New(loss.NameVICRegGForm, map[string]float64{loss.ParamAlpha: p.Alpha, loss.ParamBeta: p.Beta, loss.ParamGamma: p.Gamma})
	case SimCLR:
		l, err = loss.New(loss.NameSimCLRGForm, map[string]float64{loss.ParamTau: p.Tau})
	case BarlowTwins:
		l, err = loss.New(loss.NameBarlowTwinsGForm, map[string]float64{loss.ParamAlpha: p.Alpha})
	case SpectralContrastive:
		l, err = loss.New(loss.NameSpectralContrastiveGForm, nil)
	default:
		return nil, newErr("loss", "loss", p.Loss, ErrParam)
	}
	if err != nil {
		return nil, newErr("loss", p.Loss, nil, wrap2(ErrParam, err))
	}
	return l, nil
}

// Evaluate returns p's loss at the N x K representation z. For VICRegHard z
// is first moved onto the constraint (centred and whitened so that
// Cov(Z) = I); a rank-deficient z is refused.
func Evaluate(p Problem, z *mat.Dense) (float64, error) {
	p = p.withDefaults()
	n, err := p.validate("evaluate")
	if err != nil {
		return 0, err
	}
	if z == nil {
		return 0, newErr("evaluate", "Z", nil, ErrEmpty)
	}
	if r, _ := z.Dims(); r != n {
		return 0, newErr("evaluate", "Z", r, wrap2(ErrShape, errRowsG))
	}
	if err := checkMatrix("evaluate", "Z", z); err != nil {
		return 0, err
	}
	if p.Loss == VICRegHard {
		return hardInvariance(z, p.G)
	}
	l, err := lossOf(p)
	if err != nil {
		return 0, err
	}
	r, err := l.Eval(loss.Inputs{Z: z, G: p.G}, false)
	if err != nil {
		return 0, newErr("evaluate", "Z", nil, wrap2(ErrParam, err))
	}
	return r.Value, nil
}
