package closedform

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/eigenssl/eigenssl/linalg"
	"github.com/eigenssl/eigenssl/loss"
	"gonum.org/v1/gonum/mat"
)

// SimCLRLowerBound returns the Gibbs lower bound of the SimCLR G-form loss,
//
//	Σ_i Σ_j −G_ij log(G_ij / d_i),
//
// since Σ_{j≠i} Ĝ_ij = 1 and the cross-entropy of G_i. against any
// distribution is at least d_i times the entropy of G_i./d_i. It is 0 for
// the V = 2 augmentation graph and (V−1) log(V−1) per anchor for V views.
func SimCLRLowerBound(p Problem) float64 {
	if p.G == nil {
		return 0
	}
	d := degrees(p.G)
	var lb float64
	p.G.Edges(func(i, j int, w float64) {
		if w > 0 {
			lb += -w*math.Log(w/d[i]) - w*math.Log(w/d[j])
		}
	})
	return lb
}

// simplex returns c unit vectors in R^k (c <= k+1) forming a regular simplex
// (pairwise cosine −1/(c−1)).
func simplex(c, k int) *mat.Dense {
	m := mat.NewDense(c, k, nil)
	if c == 1 {
		m.Set(0, 0, 1)
		return m
	}
	// Centred standard basis of R^c, expressed in an orthonormal basis of
	// 1⊥ (Helmert rows), then normalised.
	for i := 0; i < c; i++ {
		for j := 1; j < c && j-1 < k; j++ {
			// Helmert vector h_j = (1,...,1,−j,0,...)/√(j(j+1)), j = 1..c−1.
			var v float64
			switch {
			case i < j:
				v = 1
			case i == j:
				v = -float64(j)
			}
			m.Set(i, j-1, v/math.Sqrt(float64(j*(j+1))))
		}
	}
	linalg.NormalizeRowsInPlace(m, 0)
	return m
}

// solveSimCLR returns the characterisation of docs/THEORY.md section 4
// (SimCLR -> MDS/ISOMAP): all views of a component coincide, and the c
// component centres spread on the unit sphere, a regular simplex when
// c <= K+1 (seeded random unit vectors otherwise, to be refined). There is no
// closed form at finite τ, so Exact is false; Bounds holds the Gibbs lower
// bound and the loss of the characterisation. In the linear and kernel
// regimes the characterisation is pulled back by least squares, W = X⁺ Z*.
// That pull-back spans P_X Y_c on an aligned graph by construction, but the
// linear SimCLR optimum does not: it ends below the minimum restricted to
// that span, about 0.34 rad away, and its infimum drives some rows x_i W to
// zero where the cosine is not differentiable, so Optimum reports
// iteration_limit or failed there (docs/THEORY.md section 5);
// LimitStationarity tests the limit point such a run approaches.
func solveSimCLR(p Problem, n int) (*Solution, error) {
	ci := components(p.G)
	c := ci.count
	var centres *mat.Dense
	if c <= p.K+1 {
		centres = simplex(c, p.K)
	} else {
		rng := rand.New(rand.NewPCG(p.Seed, 0x5eed51))
		centres = mat.NewDense(c, p.K, nil)
		for i := 0; i < c; i++ {
			row := centres.RawRowView(i)
			var nr float64
			for j := range row {
				row[j] = rng.NormFloat64()
				nr += row[j] * row[j]
			}
			nr = math.Sqrt(nr)
			for j := range row {
				row[j] /= nr
			}
		}
	}
	z := mat.NewDense(n, p.K, nil)
	for i, l := range ci.labels {
		z.SetRow(i, centres.RawRowView(l))
	}
	sol := &Solution{Loss: p.Loss, Regime: p.Regime, prob: p}
	if p.Regime == Feature {
		sol.Z = z
		sol.Subspace = ci.indicators()
		// c simplex vertices span c−1 dimensions (one point spans one).
		sol.Rank = max(1, min(p.K, c-1))
		if c > p.K+1 {
			sol.Rank = numRank(singularValues(z), n)
		}
	} else {
		w, err := pullBack(p.design(), z)
		if err != nil {
			return nil, err
		}
		sol.Z = mat.NewDense(n, p.K, nil)
		sol.Z.Mul(p.design(), w)
		if p.Regime == Kernel {
			sol.A = w
		} else {
			sol.W = w
		}
		sol.Rank = numRank(singularValues(rowNormalised(sol.Z)), n)
	}
	l, err := lossOf(p)
	if err != nil {
		return nil, err
	}
	r, err := l.Eval(loss.Inputs{Z: sol.Z, G: p.G}, false)
	if err != nil {
		return nil, err
	}
	sol.PredictedLoss = r.Value
	sol.Bounds = &Bounds{Lower: SimCLRLowerBound(p), Upper: r.Value,
		Note: "lower: Gibbs bound Σ −G_ij log(G_ij/d_i); upper: loss of the characterisation (collapsed views, simplex centres)"}
	sol.SingularValues = singularValues(rowNormalised(sol.Z)) // the loss sees unit rows
	sol.Operator = "none at finite τ: second-order expansion = classical MDS of a target similarity ∝ G"
	sol.EquivalentMethod = "classical MDS / ISOMAP with target similarity proportional to G (global spectral method)"
	sol.Note = fmt.Sprintf("approximate: no closed form at finite τ = %g; %d components; views collapse onto component centres; rows have free scales (cosine similarity)", p.Tau, c)
	if p.Regime != Feature {
		sol.Note += "; linear/kernel: least-squares pull-back W = X⁺ Z* of the feature characterisation"
	}
	return sol, nil
}

// pullBack returns the minimum-norm least-squares W = X⁺ Z (D x K), using
// the eigendecomposition of Xᵀ X (D x D; no N x N matrix).
func pullBack(x, z *mat.Dense) (*mat.Dense, error) {
	n, _ := x.Dims()
	xx := gram(x, nil, nil, 0, ones(n))
	b, err := whitener(xx) // Bᵀ XᵀX B = I: X⁺ = B Bᵀ Xᵀ
	if err != nil {
		return nil, err
	}
	var xz, t mat.Dense
	xz.Mul(x.T(), z)
	t.Mul(b.T(), &xz)
	_, k := z.Dims()
	w := mat.NewDense(b.RawMatrix().Rows, k, nil)
	w.Mul(b, &t)
	return w, nil
}
