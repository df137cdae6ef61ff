package train

import (
	"context"
	"math"
	"path/filepath"
	"testing"

	"github.com/eigenssl/eigenssl/graph"
	"github.com/eigenssl/eigenssl/loss"
	"gonum.org/v1/gonum/mat"
)

// spectralContrastiveLinearOptimum is the minimum over W of
// ||Gt - X W Wᵀ Xᵀ||_F², Gt = D^{-1/2} G D^{-1/2}, computed independently of
// package loss: with U an orthonormal basis of col(X) and C = Uᵀ Gt U,
//
//	||Gt - U B Uᵀ||² = ||Gt||² - ||C||² + ||C - B||²,  B = M Mᵀ ⪰ 0, rank ≤ K,
//
// so the minimum is ||Gt||² - Σ_{k ≤ K, λ_k(C) > 0} λ_k(C)² (THEORY.md §4).
func spectralContrastiveLinearOptimum(t *testing.T, x *mat.Dense, g *graph.CSR, k int) float64 {
	t.Helper()
	n, _ := x.Dims()
	gd := g.Dense()
	deg := g.Degree(nil)
	gt := mat.NewDense(n, n, nil)
	gt.Apply(func(i, j int, v float64) float64 {
		if v == 0 {
			return 0
		}
		return v / math.Sqrt(deg[i]*deg[j])
	}, gd)
	var svd mat.SVD
	if !svd.Factorize(x, mat.SVDThin) {
		t.Fatal("SVD failed")
	}
	var u mat.Dense
	svd.UTo(&u)
	s := svd.Values(nil)
	r := 0
	for _, v := range s {
		if v > 1e-10*s[0] {
			r++
		}
	}
	ur := u.Slice(0, n, 0, r)
	var c mat.Dense
	c.Product(ur.T(), gt, ur)
	sym := mat.NewSymDense(r, nil)
	for i := range r {
		for j := i; j < r; j++ {
			sym.SetSym(i, j, (c.At(i, j)+c.At(j, i))/2)
		}
	}
	var eig mat.EigenSym
	if !eig.Factorize(sym, false) {
		t.Fatal("EigenSym failed")
	}
	vals := eig.Values(nil) // ascending
	opt := mat.Norm(gt, 2) * mat.Norm(gt, 2)
	for i := 0; i < k && i < r; i++ {
		if l := vals[r-1-i]; l > 0 {
			opt -= l * l
		}
	}
	return opt
}

// TestFullBatchReachesOptimum trains a linear encoder (no bias) full batch
// on the spectral contrastive G-form loss and checks that it reaches the
// independently computed minimum over W. Two set-ups: the label relation on
// X itself (V = 1), and V = 2 fixed noisy views with the views graph, where
// the optimum is taken over the stacked views X̃ that training saw.
func TestFullBatchReachesOptimum(t *testing.T) {
	x, y := blobs(45, 6, 3, 11)
	x.Scale(0.2, x) // better conditioned: entries of order 1
	const k = 2
	// Tolerance: Adam (lr 0.05, cosine decay to 1e-4) over 2000 full-batch
	// steps ends about 1e-11 above the minimum here; 1000 steps still miss
	// it by 3e-3, and a wrong gradient, batch or graph by far more.
	const tol = 1e-9
	cases := map[string]Config{
		"labels/V=1":            {Relation: "labels", Views: 1},
		"views/V=2/fixed noise": {Relation: "views", Views: 2, Augment: "noise:0.5", FixedViews: true},
	}
	for name, cfg := range cases {
		t.Run(name, func(t *testing.T) {
			cfg.Loss, cfg.Encoder = loss.NameSpectralContrastiveGForm, "linear:2,nobias"
			cfg.Optimizer, cfg.LR, cfg.Schedule, cfg.FinalLR = "adam", 0.05, "cosine", 1e-4
			cfg.Epochs, cfg.Seed = 2000, 1
			res, err := Run(context.Background(), cfg, x, y, filepath.Join(t.TempDir(), "run"), opts())
			if err != nil {
				t.Fatal(err)
			}
			xb, g := fullBatch(t, cfg, x, y)
			z, err := res.Encoder.Forward(xb, false)
			if err != nil {
				t.Fatal(err)
			}
			// Training evaluates the loss at loss.RowScale·Z.
			l, _ := loss.New(cfg.Loss, nil)
			z.Scale(loss.RowScale(l, xb.RawMatrix().Rows), z)
			r, err := loss.SpectralContrastiveGForm{}.Eval(loss.Inputs{Z: z, G: g}, false)
			if err != nil {
				t.Fatal(err)
			}
			opt := spectralContrastiveLinearOptimum(t, xb, g, k)
			t.Logf("trained loss %.12g, optimum %.12g, gap %.3g", r.Value, opt, r.Value-opt)
			if r.Value < opt-tol*(1+math.Abs(opt)) {
				t.Fatalf("trained loss %.12g below the minimum %.12g: the optimum is wrong", r.Value, opt)
			}
			if r.Value-opt > tol*(1+math.Abs(opt)) {
				t.Fatalf("trained loss %.12g; want the minimum %.12g within %g relative", r.Value, opt, tol)
			}
		})
	}
}

// fullBatch returns the fixed full-batch problem (X, G) that a run of cfg on
// (x, y) optimises.
func fullBatch(t *testing.T, cfg Config, x *mat.Dense, y []int) (*mat.Dense, *graph.CSR) {
	t.Helper()
	tr, err := newTrainer("test", cfg, x, y, "", opts())
	if err != nil {
		t.Fatal(err)
	}
	xb := tr.assemble(nil, 0)
	g, err := tr.batchGraph(nil, xb)
	if err != nil {
		t.Fatal(err)
	}
	return xb, g
}

// TestRowScaleGradient backs loss.RowScale's claim about training: a G-form
// step evaluates l at c·Z (c = 1/√n for the spectral contrastive G-form)
// and back-propagates c·∇l(c·Z), the gradient of W ↦ l(c·Z(W)), checked
// against central differences.
func TestRowScaleGradient(t *testing.T) {
	x, y := blobs(30, 4, 3, 5)
	cfg := Config{Loss: loss.NameSpectralContrastiveGForm, Encoder: "linear:2,nobias", Relation: "views", Views: 2,
		Augment: "noise:0.5", FixedViews: true, Seed: 3}
	tr, err := newTrainer("test", cfg, x, y, "", opts())
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.initModel("test"); err != nil {
		t.Fatal(err)
	}
	xb := tr.assemble(nil, 0)
	g, err := tr.batchGraph(nil, xb)
	if err != nil {
		t.Fatal(err)
	}
	c := 1 / math.Sqrt(60)
	if s := loss.RowScale(tr.lossFn, 60); s != c {
		t.Fatalf("RowScale = %v; want 1/sqrt(60)", s)
	}
	f := func() float64 {
		z, err := tr.enc.Forward(xb, false)
		if err != nil {
			t.Fatal(err)
		}
		z.Scale(c, z)
		r, err := loss.SpectralContrastiveGForm{}.Eval(loss.Inputs{Z: z, G: g}, false)
		if err != nil {
			t.Fatal(err)
		}
		return r.Value
	}
	r, err := tr.gradients(nil, xb)
	if err != nil {
		t.Fatal(err)
	}
	if v := f(); math.Abs(r.Value-v) > 1e-12*(1+math.Abs(v)) {
		t.Errorf("step loss %.15g; want l(c·Z) = %.15g", r.Value, v)
	}
	w := tr.enc.Params()[0]
	grad := mat.DenseCopyOf(w.Grad)
	const h = 1e-6
	rows, cols := w.Value.Dims()
	for i := range rows {
		for j := range cols {
			v0 := w.Value.At(i, j)
			w.Value.Set(i, j, v0+h)
			fp := f()
			w.Value.Set(i, j, v0-h)
			fm := f()
			w.Value.Set(i, j, v0)
			fd := (fp - fm) / (2 * h)
			if math.Abs(grad.At(i, j)-fd) > 1e-6*(1+math.Abs(fd)) {
				t.Errorf("dL/dW[%d,%d] = %.10g; central difference %.10g", i, j, grad.At(i, j), fd)
			}
		}
	}
}
