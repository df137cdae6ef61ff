package experiment

import (
	"fmt"
	"math/rand/v2"

	"github.com/eigenssl/eigenssl/closedform"
	"github.com/eigenssl/eigenssl/eval"
	"github.com/eigenssl/eigenssl/spectral"
	"gonum.org/v1/gonum/mat"
)

// MethodSpec is one SSL method of the downstream experiments: a loss of
// package closedform with its hyper-parameter, or "supervised" (the probe on
// the inputs themselves).
type MethodSpec struct {
	Name  string  `json:"name"`
	Loss  string  `json:"loss"`
	Gamma float64 `json:"gamma,omitempty"`
}

// Supervised is the Loss of the supervised baseline: the linear probe trained
// on the inputs X with the same labelled samples.
const Supervised = "supervised"

// vicreg returns the smooth-VICReg method with invariance weight gamma.
func vicreg(gamma float64) MethodSpec {
	return MethodSpec{Name: fmt.Sprintf("VICReg γ=%g", gamma), Loss: closedform.VICReg, Gamma: gamma}
}

// defaultMethods returns VICReg at each gamma, SimCLR, BarlowTwins, spectral
// contrastive and the supervised baseline.
func defaultMethods(gammas []float64) []MethodSpec {
	var m []MethodSpec
	for _, g := range gammas {
		m = append(m, vicreg(g))
	}
	return append(m,
		MethodSpec{Name: "SimCLR", Loss: closedform.SimCLR},
		MethodSpec{Name: "BarlowTwins", Loss: closedform.BarlowTwins},
		MethodSpec{Name: "SpectralCL", Loss: closedform.SpectralContrastive},
		MethodSpec{Name: "Supervised", Loss: Supervised},
	)
}

// embedding is the representation a method gives the data set's rows.
type embedding struct {
	Z *mat.Dense
	// Exact reports a proven closed-form optimum; Refined that the
	// characterisation was improved by numerical training (L-BFGS on the
	// loss, closedform.Refine) for RefineIter iterations.
	Exact, Refined bool
	Rank           int
	Loss           float64
	Note           string
}

// embed solves method m on graph b in the given regime ("feature" or
// "linear") with K output dimensions and returns the representation of the
// N' original samples. Losses without an exact closed form are refined by
// refineIter L-BFGS iterations on the loss when refineIter > 0 (a trained
// encoder of the regime: a free Z or a linear map W).
func embed(b *builtGraph, m MethodSpec, regime string, k, refineIter int, seed uint64) (*embedding, error) {
	p := closedform.Problem{Loss: m.Loss, Regime: regime, G: b.G, K: k, Gamma: m.Gamma, Seed: seed}
	if regime == closedform.Linear {
		p.X = b.X
	}
	var sol *closedform.Solution
	var err error
	if m.Loss == closedform.BarlowTwins && regime == closedform.Linear {
		// closedform.Solve also analyses G's N x N spectrum for the bounds
		// (dense, O(N³)); the linear characterisation itself is graph CCA,
		// O(nnz D + D³), which is all that is needed here.
		sol, err = graphCCASolution(p)
	} else {
		sol, err = closedform.Solve(p)
	}
	if err != nil {
		return nil, errorf("embed", m.Name, regime, err)
	}
	e := &embedding{Exact: sol.Exact, Rank: sol.Rank, Loss: sol.PredictedLoss}
	if !sol.Exact && refineIter > 0 {
		start := sol.W
		if regime == closedform.Feature {
			start = sol.Z
		}
		if m.Loss == closedform.SimCLR {
			// The SimCLR characterisation collapses a connected G to one
			// point, where the cosine gradient is unbounded; training starts
			// instead from its second-order expansion (MDS with target ∝ G,
			// the spectral-contrastive optimum).
			q := p
			q.Loss = closedform.SpectralContrastive
			sc, err := closedform.Solve(q)
			if err != nil {
				return nil, errorf("embed", m.Name, regime, err)
			}
			start = sc.W
			if regime == closedform.Feature {
				start = sc.Z
			}
		}
		param, z, rr, err := closedform.Minimize(p, start, closedform.RefineSettings{MaxIter: refineIter})
		if err != nil {
			return nil, errorf("embed", m.Name, regime, err)
		}
		if m.Loss == closedform.BarlowTwins && sol.Rank < k {
			// A rank-deficient BarlowTwins characterisation (feature space,
			// connected graphs) can be a stationary point far from the
			// minimum; a seeded random start is also trained and the lower
			// loss kept.
			r0, _ := start.Dims()
			rng := rand.New(rand.NewPCG(seed, 0x6274))
			s2 := mat.NewDense(r0, k, nil)
			for i := range s2.RawMatrix().Data {
				s2.RawMatrix().Data[i] = rng.NormFloat64()
			}
			p2, z2, rr2, err := closedform.Minimize(p, s2, closedform.RefineSettings{MaxIter: refineIter})
			if err == nil && rr2.Final < rr.Final {
				param, z, rr = p2, z2, rr2
			}
		}
		sol.Z = z
		sol.W = nil
		if regime == closedform.Linear {
			sol.W = param
		}
		e.Refined = true
		e.Loss = rr.Final
		e.Rank = numRank(z, 1e-6)
	}
	n := b.Orig.RawMatrix().Rows
	switch {
	case b.X == b.Orig:
		e.Z = sol.Z
	case regime == closedform.Linear && sol.W != nil:
		// The learned map applied to the original (un-augmented) samples.
		e.Z = mat.NewDense(n, k, nil)
		e.Z.Mul(b.Orig, sol.W)
		if sol.Bias != nil {
			for i := 0; i < n; i++ {
				row := e.Z.RawRowView(i)
				for j := range row {
					row[j] += sol.Bias[j]
				}
			}
		}
	default:
		// Feature space: the representation of view 0 of each sample.
		e.Z = mat.DenseCopyOf(sol.Z.Slice(0, n, 0, k))
	}
	e.Note = sol.Note
	return e, nil
}

// centred returns z with column means removed.
func centred(z mat.Matrix) *mat.Dense {
	n, k := z.Dims()
	c := mat.DenseCopyOf(z)
	for j := 0; j < k; j++ {
		var m float64
		for i := 0; i < n; i++ {
			m += c.At(i, j)
		}
		m /= float64(n)
		for i := 0; i < n; i++ {
			c.Set(i, j, c.At(i, j)-m)
		}
	}
	return c
}

// maxSV returns the largest singular value of the centred z (1 if zero).
func maxSV(z mat.Matrix) float64 {
	sv, err := eval.SingularValues(centred(z))
	if err != nil || len(sv) == 0 || sv[0] == 0 {
		return 1
	}
	return sv[0]
}

// numRank is the rank of the centred z with relative tolerance tol·σ₁.
func numRank(z mat.Matrix, tol float64) int {
	sv, err := eval.SingularValues(centred(z))
	if err != nil || len(sv) == 0 {
		return 0
	}
	r := 0
	for _, s := range sv {
		if s > tol*sv[0] {
			r++
		}
	}
	return r
}

// graphCCASolution is the linear-regime BarlowTwins characterisation of
// closedform (shared-weight CCA on the pairs of G, THEORY §4) computed with
// spectral.GraphCCA, without closedform's O(N³) bound analysis. It is marked
// not exact (the loss is only minimised when every canonical correlation is
// 1).
func graphCCASolution(p closedform.Problem) (*closedform.Solution, error) {
	c := &spectral.GraphCCA{Components: p.K, Reg: 1e-10}
	if err := c.FitGraph(p.X, p.G); err != nil {
		return nil, err
	}
	z := c.Embedding()
	v, err := closedform.Evaluate(p, z)
	if err != nil {
		return nil, err
	}
	return &closedform.Solution{Loss: p.Loss, Regime: p.Regime, Z: z, W: c.Weights(), PredictedLoss: v,
		Rank: numRank(z, 1e-9), EquivalentMethod: "graph CCA", Note: "shared-weight CCA characterisation (spectral.GraphCCA)"}, nil
}
