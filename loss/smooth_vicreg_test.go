package loss_test

import (
	"math"
	"testing"

	"github.com/eigenssl/eigenssl/graph"
	"github.com/eigenssl/eigenssl/loss"
	"gonum.org/v1/gonum/mat"
)

// TestVICRegSmoothClosedForm: on the V = 2 augmentation graph of N' = 4
// samples, L restricted to 1⊥ has eigenvalues 0 (x3) and 2 (x4). With K = 4
// and γ = 0.2 the minimiser is √N U diag(√s) with s = (1, 1, 1, 1 − 2γ):
// three view-constant columns and one view-antisymmetric column, loss
// Σ_k [(s_k − 1)² + 2γ s_k λ_k] = 0.16 + 0.48 = 0.64, gradient zero.
// A wrong covariance normalisation, invariance factor or gradient fails it.
func TestVICRegSmoothClosedForm(t *testing.T) {
	const nOrig, gamma = 4, 0.2
	g, _, err := graph.Views(nOrig, 2)
	if err != nil {
		t.Fatal(err)
	}
	n := 2 * nOrig
	z := mat.NewDense(n, 4, nil)
	// Centred, view-constant, orthogonal: Helmert-like patterns on the originals.
	pat := [][]float64{{1, -1, 0, 0}, {1, 1, -2, 0}, {1, 1, 1, -3}}
	for k, p := range pat {
		var nn float64
		for _, v := range p {
			nn += 2 * v * v
		}
		for i := 0; i < n; i++ {
			z.Set(i, k, p[i%nOrig]/math.Sqrt(nn)*math.Sqrt(float64(n)))
		}
	}
	s := 1 - 2*gamma
	for i := 0; i < n; i++ {
		sign := 1.0
		if i >= nOrig {
			sign = -1
		}
		v := 0.0
		if i%nOrig == 0 {
			v = sign / math.Sqrt2
		}
		z.Set(i, 3, v*math.Sqrt(float64(n)*s))
	}
	l, err := loss.New(loss.NameVICRegSmooth, map[string]float64{loss.ParamGamma: gamma})
	if err != nil {
		t.Fatal(err)
	}
	r, err := l.Eval(loss.Inputs{Z: z, G: g}, true)
	if err != nil {
		t.Fatal(err)
	}
	if want := (s-1)*(s-1) + 2*gamma*s*2; math.Abs(r.Value-want) > 1e-12 {
		t.Errorf("loss %.15g; want %.15g", r.Value, want)
	}
	if gn := mat.Norm(r.Grad[loss.KeyZ], 2); gn > 1e-12 {
		t.Errorf("gradient norm %.3g at the closed form; want 0", gn)
	}
	if _, err := loss.New(loss.NameVICRegSmooth, map[string]float64{loss.ParamGamma: -1}); err == nil {
		t.Errorf("gamma = -1 accepted")
	}
}
