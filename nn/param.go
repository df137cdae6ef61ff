package nn

import "gonum.org/v1/gonum/mat"

// Param is one trainable tensor with its gradient accumulator. Value and Grad
// have the same shape. Layers store weights as in×out (so y = x W for row
// samples, the transpose of PyTorch's out×in) and vectors (biases, batch-norm
// scale and shift) as 1×d.
//
// Backward adds to Grad (it never overwrites it), so gradients of several
// backward passes accumulate until ZeroGrad, as in PyTorch.
type Param struct {
	// Name is unique within an encoder, e.g. "backbone.0.weight".
	Name string
	// Value holds the parameter, Grad its accumulated gradient.
	Value, Grad *mat.Dense
	// Vector marks 1-D parameters (biases, batch-norm scale and shift). LARS
	// excludes them from weight decay and trust-ratio adaptation, following
	// exclude_bias_and_norm (p.ndim == 1) in the official VICReg code.
	Vector bool

	// f32 marks a parameter of a Float32 encoder: Value holds float32
	// values and optimisers update it in float32 arithmetic.
	f32 bool
}

func newParam(name string, r, c int, vector bool) *Param {
	return &Param{Name: name, Value: mat.NewDense(r, c, nil), Grad: mat.NewDense(r, c, nil), Vector: vector}
}

// ZeroGrad sets the gradient of every parameter to zero.
func ZeroGrad(params []*Param) {
	for _, p := range params {
		p.Grad.Zero()
	}
}

// NumParams returns the total number of scalar entries in params.
func NumParams(params []*Param) int {
	n := 0
	for _, p := range params {
		r, c := p.Value.Dims()
		n += r * c
	}
	return n
}
