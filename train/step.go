package train

import (
	"errors"
	"fmt"
	"math"

	"github.com/eigenssl/eigenssl/data"
	"github.com/eigenssl/eigenssl/loss"
	"github.com/eigenssl/eigenssl/nn"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/mat"
)

// doStep takes one optimiser step and advances the position in the epoch:
// nextBatch, assemble, gradients, the divergence scan of the loss and the
// gradient, the optimiser step, the scan of the parameters, advance.
func (t *trainer) doStep() (Metric, error) {
	idx := t.nextBatch()
	xb := t.assemble(idx, t.step)
	r, err := t.gradients(idx, xb)
	if err != nil {
		return Metric{}, err
	}
	params := t.enc.Params()
	gnorm := gradNorm(params)
	if err := t.watch.check(r.Value, gnorm); err != nil {
		return Metric{}, err
	}
	lr := t.sched.LR(t.step)
	if err := t.opt.Step(params, lr); err != nil {
		return Metric{}, err
	}
	if err := scanParams(params); err != nil {
		return Metric{}, err
	}
	t.watch.accept(r.Value)
	m := Metric{Step: t.step + 1, Epoch: t.epoch, LR: lr, Loss: r.Value, GradNorm: gnorm, Parts: map[string]data.JSONFloat{}}
	for k, v := range r.Parts {
		m.Parts[k] = data.JSONFloat(v) // non-finite: null
	}
	t.advance()
	return m, nil
}

// nextBatch returns the originals of the next batch (nil: every sample in
// data order, full batch), drawing the epoch's permutation at its start.
func (t *trainer) nextBatch() []int {
	if t.full {
		return nil
	}
	if t.batchIdx == 0 && t.perm == nil {
		t.perm = t.rng.Perm(t.n)
	}
	return t.perm[t.batchIdx*t.batch : (t.batchIdx+1)*t.batch]
}

// gradients runs the encoder forward on the batch xb, evaluates the loss on
// the inputs its Form asks for (two-branch: Z1, Z2 the first two blocks of
// rows; G-form: the stacked Z, scaled by loss.RowScale, and the batch graph)
// and back-propagates into the parameter gradients. A NaN representation or
// loss wraps ErrDiverged.
func (t *trainer) gradients(idx []int, xb *mat.Dense) (loss.Result, error) {
	t.enc.ZeroGrad()
	if l, ok := t.lossFn.(loss.Float32); ok && t.dtype == nn.Float32 && t.form == loss.TwoBranch {
		return t.gradients32(l, xb)
	}
	z, err := t.forward(xb)
	if err != nil {
		return loss.Result{}, err
	}
	rows, k := z.Dims()
	var in loss.Inputs
	c := 1.0
	switch t.form {
	case loss.TwoBranch:
		// Row views, not copies: losses read through the stride and leave
		// their inputs untouched (losstest.CheckInputsUnchanged).
		b := t.batch
		in.Z1, in.Z2 = z.Slice(0, b, 0, k).(*mat.Dense), z.Slice(b, 2*b, 0, k).(*mat.Dense)
	case loss.GForm:
		if c = loss.RowScale(t.scaleOf, rows); c != 1 {
			zs := mat.NewDense(rows, k, nil) // z may be cached by the last layer
			zs.Scale(c, z)
			z = zs
		}
		in.Z = z
		if in.G, err = t.batchGraph(idx, xb); err != nil {
			return loss.Result{}, err
		}
	default:
		return loss.Result{}, fmt.Errorf("loss %s has an unknown form %v", t.lossFn.Name(), t.form)
	}
	r, err := t.lossFn.Eval(in, true)
	if err := checkLoss(r.Value, err); err != nil {
		return loss.Result{}, err
	}
	var dz *mat.Dense
	if t.form == loss.TwoBranch {
		g1, g2 := r.Grad[loss.KeyZ1], r.Grad[loss.KeyZ2]
		if g1 == nil || g2 == nil {
			return loss.Result{}, fmt.Errorf("loss %s returned no gradient for z1 and z2", t.lossFn.Name())
		}
		dz = new(mat.Dense)
		dz.Stack(g1, g2)
	} else if dz = r.Grad[loss.KeyZ]; dz == nil {
		return loss.Result{}, fmt.Errorf("loss %s returned no gradient for Z", t.lossFn.Name())
	}
	if c != 1 {
		dz.Scale(c, dz) // ∂l(cZ)/∂Z = c ∇l(cZ)
	}
	return r, t.backwardParams(dz)
}

// checkLoss wraps a loss error reporting NaN, and a non-finite value, in
// ErrDiverged.
func checkLoss(value float64, err error) error {
	if err != nil {
		if errors.Is(err, loss.ErrNaN) {
			return fmt.Errorf("%w: %w", ErrDiverged, err)
		}
		return err
	}
	if !finite(value) {
		return fmt.Errorf("%w: loss = %v", ErrDiverged, value)
	}
	return nil
}

// gradients32 is gradients for a two-branch loss with a float32 path in a
// float32 run: Z, the loss gradient and back-propagation stay float32 (the
// branches are row views of Z, not copies).
func (t *trainer) gradients32(l loss.Float32, xb *mat.Dense) (loss.Result, error) {
	z, err := t.enc.Forward32(nn.ToFloat32(xb), true)
	if err != nil {
		return loss.Result{}, err
	}
	b, k := t.batch, z.Cols
	branch := func(v int) blas32.General {
		return blas32.General{Rows: b, Cols: k, Stride: z.Stride, Data: z.Data[v*b*z.Stride:]}
	}
	r, err := l.Eval32(loss.Inputs32{Z1: branch(0), Z2: branch(1)}, true)
	if err := checkLoss(r.Value, err); err != nil {
		return loss.Result{}, err
	}
	dz := blas32.General{Rows: 2 * b, Cols: k, Stride: k, Data: make([]float32, 2*b*k)}
	for v, g := range []blas32.General{r.Grad1, r.Grad2} {
		if g.Rows != b || g.Cols != k {
			return loss.Result{}, fmt.Errorf("loss %s returned a %dx%d gradient for a %dx%d branch", l.Name(), g.Rows, g.Cols, b, k)
		}
		for i := range b {
			copy(dz.Data[(v*b+i)*k:(v*b+i+1)*k], g.Data[i*g.Stride:i*g.Stride+k])
		}
	}
	return loss.Result{Value: r.Value, Parts: r.Parts}, t.enc.BackwardParams32(dz)
}

// forward runs the encoder in training mode in the run's dtype. In float32
// the batch is rounded to float32 and the float32 representation is
// returned converted (exactly) to float64 for the loss.
func (t *trainer) forward(xb *mat.Dense) (*mat.Dense, error) {
	if t.dtype != nn.Float32 {
		return t.enc.Forward(xb, true)
	}
	z, err := t.enc.Forward32(nn.ToFloat32(xb), true)
	if err != nil {
		return nil, err
	}
	return nn.FromFloat32(z), nil
}

// backwardParams back-propagates dz in the run's dtype (rounded to float32
// in float32).
func (t *trainer) backwardParams(dz *mat.Dense) error {
	if t.dtype != nn.Float32 {
		return t.enc.BackwardParams(dz)
	}
	return t.enc.BackwardParams32(nn.ToFloat32(dz))
}

// gradNorm returns the Euclidean norm of every parameter gradient together.
func gradNorm(params []*nn.Param) float64 {
	var s float64
	for _, p := range params {
		g := p.Grad.RawMatrix()
		for i := range g.Rows {
			for _, v := range g.Data[i*g.Stride : i*g.Stride+g.Cols] {
				s += v * v
			}
		}
	}
	return math.Sqrt(s)
}

// scanParams returns an error wrapping ErrDiverged when a parameter is NaN
// or infinite.
func scanParams(params []*nn.Param) error {
	for _, p := range params {
		for i := range p.Value.RawMatrix().Rows {
			for _, v := range p.Value.RawRowView(i) {
				if !finite(v) {
					return fmt.Errorf("%w: parameter %s became %v", ErrDiverged, p.Name, v)
				}
			}
		}
	}
	return nil
}

// advance moves to the next batch, closing the epoch after its last one.
func (t *trainer) advance() {
	t.step++
	t.batchIdx++
	if t.batchIdx == t.perEpoch {
		t.epoch++
		t.batchIdx, t.perm = 0, nil
	}
}
