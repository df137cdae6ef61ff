package nn_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/eigenssl/eigenssl/nn"
	"gonum.org/v1/gonum/mat"
)

// A training loop: least squares regression of a linear target with Adam and
// a cosine schedule, checkpointed half-way through.
func Example_training() {
	rng := rand.New(rand.NewPCG(1, 2))
	x := mat.NewDense(64, 3, nil)
	for i := range 64 {
		for j := range 3 {
			x.Set(i, j, rng.NormFloat64())
		}
	}
	var target mat.Dense
	target.Mul(x, mat.NewDense(3, 2, []float64{1, -2, 0.5, 0, 3, 1}))

	enc, _ := nn.ParseEncoder("linear:2", 3, 7)
	opt, _ := nn.ParseOptimizer("adam")
	sched := nn.CosineWarmup{BaseLR: 0.1, WarmupSteps: 10, TotalSteps: 300, FinalLR: 0.001}
	loss := func(z *mat.Dense) (float64, *mat.Dense) { // ½‖z − target‖²/N
		var g mat.Dense
		g.Sub(z, &target)
		l := mat.Norm(&g, 2)
		g.Scale(1/64.0, &g)
		return l * l / 128, &g
	}
	var first, last float64
	var ckEnc, ckOpt []byte
	for step := range 300 {
		enc.ZeroGrad()
		z, _ := enc.Forward(x, true)
		l, g := loss(z)
		if step == 0 {
			first = l
		}
		last = l
		_ = enc.BackwardParams(g)
		_ = opt.Step(enc.Params(), sched.LR(step))
		if step == 149 {
			ckEnc, _ = enc.MarshalBinary()
			ckOpt, _ = opt.MarshalBinary()
		}
	}
	// Resume from the checkpoint and finish: bit-identical to the full run.
	var resumed nn.Encoder
	_ = resumed.UnmarshalBinary(ckEnc)
	ropt, _ := nn.UnmarshalOptimizer(ckOpt)
	for step := ropt.Steps(); step < 300; step++ {
		resumed.ZeroGrad()
		z, _ := resumed.Forward(x, true)
		_, g := loss(z)
		_ = resumed.BackwardParams(g)
		_ = ropt.Step(resumed.Params(), sched.LR(step))
	}
	a, _ := enc.MarshalBinary()
	b, _ := resumed.MarshalBinary()
	fmt.Printf("loss %.2f -> below 1e-6: %v\n", first, last < 1e-6)
	fmt.Println("resumed run identical:", string(a) == string(b))
	// Output:
	// loss 8.45 -> below 1e-6: true
	// resumed run identical: true
}

// The float32 path: the same least-squares fit with activations, products
// and Adam updates in float32; the parameters stay float32 values.
func ExampleEncoder_SetDtype() {
	rng := rand.New(rand.NewPCG(1, 2))
	x := mat.NewDense(64, 3, nil)
	for i := range 64 {
		for j := range 3 {
			x.Set(i, j, rng.NormFloat64())
		}
	}
	var target mat.Dense
	target.Mul(x, mat.NewDense(3, 2, []float64{1, -2, 0.5, 0, 3, 1}))
	x32, t32 := nn.ToFloat32(x), nn.ToFloat32(&target)

	enc, _ := nn.ParseEncoder("linear:2", 3, 7)
	if err := enc.SetDtype(nn.Float32); err != nil {
		fmt.Println(err)
		return
	}
	opt := nn.NewAdam(0)
	var l float64
	for step := range 300 {
		enc.ZeroGrad()
		z, _ := enc.Forward32(x32, true)
		l = 0
		for i, v := range z.Data { // ½‖z − target‖²/N, gradient (z − target)/N
			d := v - t32.Data[i]
			l += float64(d) * float64(d) / (2 * 64)
			z.Data[i] = d / 64
		}
		_ = enc.BackwardParams32(z)
		_ = opt.Step(enc.Params(), 0.1*(1-float64(step)/300))
	}
	w := enc.Params()[0].Value
	fmt.Printf("dtype %v, loss < 1e-9: %v, W[0,0] = %.3f (a float32: %v)\n",
		enc.Dtype(), l < 1e-9, w.At(0, 0), float64(float32(w.At(0, 0))) == w.At(0, 0))
	// Output:
	// dtype float32, loss < 1e-9: true, W[0,0] = 1.000 (a float32: true)
}
