package nn_test

import (
	"math/rand/v2"
	"testing"

	"github.com/eigenssl/eigenssl/loss"
	"github.com/eigenssl/eigenssl/nn"
	"gonum.org/v1/gonum/blas/blas32"
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
			x := benchViews(c.batch, c.in)
			opt := nn.NewAdam(0)
			out := enc.OutDim()
			grad := mat.NewDense(2*c.batch, out, nil)
			b.ResetTimer()
			cpu0 := cpuSeconds()
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
			b.ReportMetric(1e3*(cpuSeconds()-cpu0)/float64(b.N), "cpu-ms/step")
		})
	}
}

// benchViews returns two stacked views of batch uniform [0, 1) inputs: view
// 2 is view 1 plus N(0, 0.01) noise, clipped to [0, 1].
func benchViews(batch, in int) *mat.Dense {
	rng := rand.New(rand.NewPCG(1, 2))
	x := mat.NewDense(2*batch, in, nil)
	for i := 0; i < batch; i++ {
		for j := 0; j < in; j++ {
			v := rng.Float64()
			x.Set(i, j, v)
			x.Set(batch+i, j, min(1, max(0, v+0.1*rng.NormFloat64())))
		}
	}
	return x
}

// BenchmarkMLPStep32 is BenchmarkMLPStep for the 784-512-128 MLP in
// float32 (Encoder.SetDtype(Float32), Forward32, VICRegOfficial.Eval32 on
// row views, BackwardParams32, Adam in float32).
func BenchmarkMLPStep32(b *testing.B) {
	const in, batch = 784, 256
	enc, err := nn.ParseEncoder("mlp:512,128", in, 1)
	if err != nil {
		b.Fatal(err)
	}
	if err := enc.SetDtype(nn.Float32); err != nil {
		b.Fatal(err)
	}
	var lf loss.VICRegOfficial
	x32 := nn.ToFloat32(benchViews(batch, in))
	opt := nn.NewAdam(0)
	out := enc.OutDim()
	grad := blas32.General{Rows: 2 * batch, Cols: out, Stride: out, Data: make([]float32, 2*batch*out)}
	b.Run("784-512-128/B=256", func(b *testing.B) {
		cpu0 := cpuSeconds()
		for range b.N {
			enc.ZeroGrad()
			z, err := enc.Forward32(x32, true)
			if err != nil {
				b.Fatal(err)
			}
			res, err := lf.Eval32(loss.Inputs32{
				Z1: blas32.General{Rows: batch, Cols: out, Stride: z.Stride, Data: z.Data},
				Z2: blas32.General{Rows: batch, Cols: out, Stride: z.Stride, Data: z.Data[batch*z.Stride:]},
			}, true)
			if err != nil {
				b.Fatal(err)
			}
			copy(grad.Data, res.Grad1.Data[:batch*out])
			copy(grad.Data[batch*out:], res.Grad2.Data[:batch*out])
			if err := enc.BackwardParams32(grad); err != nil {
				b.Fatal(err)
			}
			if err := opt.Step(enc.Params(), 1e-3); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "steps/s")
		b.ReportMetric(1e3*(cpuSeconds()-cpu0)/float64(b.N), "cpu-ms/step")
	})
}
