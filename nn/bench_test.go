package nn_test

import (
	"math/rand/v2"
	"testing"

	"github.com/eigenssl/eigenssl/loss"
	"github.com/eigenssl/eigenssl/nn"
	"gonum.org/v1/gonum/mat"
)

// BenchmarkMLPStep times one VICReg training step of the 784-512-128 MLP
// (Linear, ReLU, Linear) on a batch of 256 pairs: forward of both views
// stacked (512×784), the official VICReg loss and its gradient, backward
// (parameters only) and an Adam step. Compare with bench/mlp_torch.py.
func BenchmarkMLPStep(b *testing.B) {
	for _, c := range []struct {
		name, spec string
		in, batch  int
	}{
		{"784-512-128/B=256", "mlp:512,128", 784, 256},
		{"784-rff2048-128/B=256", "rff:2048,gamma=0.01|linear:128", 784, 256},
	} {
		b.Run(c.name, func(b *testing.B) {
			enc, err := nn.ParseEncoder(c.spec, c.in, 1)
			if err != nil {
				b.Fatal(err)
			}
			lf, err := loss.New(loss.NameVICRegOfficial, nil)
			if err != nil {
				b.Fatal(err)
			}
			rng := rand.New(rand.NewPCG(1, 2))
			x := mat.NewDense(2*c.batch, c.in, nil)
			for i := 0; i < c.batch; i++ {
				for j := 0; j < c.in; j++ {
					v := rng.Float64()
					x.Set(i, j, v)
					x.Set(c.batch+i, j, min(1, max(0, v+0.1*rng.NormFloat64())))
				}
			}
			opt := nn.NewAdam(0)
			out := enc.OutDim()
			grad := mat.NewDense(2*c.batch, out, nil)
			b.ResetTimer()
			for range b.N {
				enc.ZeroGrad()
				z, err := enc.Forward(x, true)
				if err != nil {
					b.Fatal(err)
				}
				res, err := lf.Eval(loss.Inputs{
					Z1: z.Slice(0, c.batch, 0, out).(*mat.Dense),
					Z2: z.Slice(c.batch, 2*c.batch, 0, out).(*mat.Dense),
				}, true)
				if err != nil {
					b.Fatal(err)
				}
				grad.Slice(0, c.batch, 0, out).(*mat.Dense).Copy(res.Grad[loss.KeyZ1])
				grad.Slice(c.batch, 2*c.batch, 0, out).(*mat.Dense).Copy(res.Grad[loss.KeyZ2])
				if err := enc.BackwardParams(grad); err != nil {
					b.Fatal(err)
				}
				if err := opt.Step(enc.Params(), 1e-3); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "steps/s")
		})
	}
}
