package closedform

import (
	"github.com/eigenssl/eigenssl/linalg"
	"github.com/eigenssl/eigenssl/loss"
	"gonum.org/v1/gonum/mat"
)

// SmoothVICReg is the smooth VICReg surrogate of THEORY.md section 4 on one
// stacked Z (N x K) and the relation graph G:
//
//	C     = Zᵀ H Z / N                                  (biased 1/N covariance)
//	value = ‖C − I‖_F² + (γ/N) Σ_ij G_ij ‖z_i − z_j‖²   (ordered pairs)
//	      = ‖C − I‖_F² + (2γ/N) Tr(Zᵀ L Z)
//	∇_Z   = (4/N) H Z (C − I) + (4γ/N) L Z
//
// Parts: "cov" = ‖C − I‖_F², "inv" = (1/N) Σ_ij G_ij ‖z_i − z_j‖². With the
// unbiased 1/(N−1) covariance the optimum is the same with γ replaced by
// γ(N−1)/N. The zero value of Gamma means DefaultGamma. It implements
// loss.Loss; cost O(N K² + nnz(G) K).
type SmoothVICReg struct {
	Gamma float64
}

// Name returns "vicreg_smooth".
func (SmoothVICReg) Name() string { return "vicreg_smooth" }

// Form returns loss.GForm.
func (SmoothVICReg) Form() loss.Form { return loss.GForm }

// Eval evaluates the loss (and its gradient under loss.KeyZ when wantGrad).
func (l SmoothVICReg) Eval(in loss.Inputs, wantGrad bool) (loss.Result, error) {
	gamma := l.Gamma
	if gamma == 0 {
		gamma = DefaultGamma
	}
	z, g := in.Z, in.G
	if z == nil || g == nil {
		return loss.Result{}, newErr("vicreg_smooth", "Z", nil, ErrEmpty)
	}
	n, k := z.Dims()
	if n != g.N {
		return loss.Result{}, newErr("vicreg_smooth", "Z", n, wrap2(ErrShape, errRowsG))
	}
	if err := checkMatrix("vicreg_smooth", "Z", z); err != nil {
		return loss.Result{}, err
	}
	zc := linalg.CenterColumns(z)
	var c mat.Dense
	c.Mul(zc.T(), zc)
	c.Scale(1/float64(n), &c)
	for i := 0; i < k; i++ {
		c.Set(i, i, c.At(i, i)-1)
	}
	cov := mat.Norm(&c, 2)
	cov *= cov
	d := degrees(g)
	lz := lapMul(g, d, z)
	inv := 2 * frobDot(z, lz) / float64(n)
	res := loss.Result{Value: cov + gamma*inv, Parts: map[string]float64{"cov": cov, "inv": inv}}
	if wantGrad {
		gr := mat.NewDense(n, k, nil)
		gr.Mul(zc, &c)
		gr.Scale(4/float64(n), gr)
		lz.Scale(4*gamma/float64(n), lz)
		gr.Add(gr, lz)
		res.Grad = map[string]*mat.Dense{loss.KeyZ: gr}
	}
	return res, nil
}

var _ loss.Loss = SmoothVICReg{}

// frobDot returns Σ_ij a_ij b_ij.
func frobDot(a, b *mat.Dense) float64 {
	r, _ := a.Dims()
	var s float64
	for i := 0; i < r; i++ {
		br := b.RawRowView(i)
		for j, v := range a.RawRowView(i) {
			s += v * br[j]
		}
	}
	return s
}
