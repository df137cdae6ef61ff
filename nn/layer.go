package nn

import (
	// linalg also registers OpenBLAS as the blas64 implementation under
	// -tags openblas, so every product below goes native in that build.
	"github.com/eigenssl/eigenssl/linalg"
	"gonum.org/v1/gonum/mat"
)

// Layer is one differentiable map acting on a batch x (rows are samples).
//
// Forward returns a new matrix and, when train is true or a Backward will
// follow, caches what Backward needs. Backward takes ∂L/∂y for the y of the
// last Forward, adds ∂L/∂θ to the Grad of every parameter and returns ∂L/∂x.
// Forward may keep a reference to x until the next Forward: do not modify x
// before the matching Backward.
// Layers are not safe for concurrent use; matrix products inside one call run
// in parallel through blas64 (gonum's Dgemm, or OpenBLAS with -tags openblas).
//
// Layer methods panic on programmer misuse (wrong column count, Backward
// before Forward); Encoder validates user data and returns errors instead.
type Layer interface {
	Forward(x *mat.Dense, train bool) *mat.Dense
	Backward(gradOut *mat.Dense) *mat.Dense
	Params() []*Param
	// OutDim is the number of output columns.
	OutDim() int
}

// paramsOnlyBackward is implemented by layers that can skip computing ∂L/∂x
// (the first layer of an encoder, whose input is data).
type paramsOnlyBackward interface {
	backwardParams(gradOut *mat.Dense)
}

// layer32 is implemented by the layers that have a float32 path (Linear,
// ReLU, BatchNorm1d): forward32 and backward32 are Forward and Backward on
// float32 activations; backward32 returns ∂L/∂x only when needInput.
type layer32 interface {
	forward32(x linalg.General[float32], train bool) linalg.General[float32]
	backward32(g linalg.General[float32], needInput bool) linalg.General[float32]
}

// buffered is implemented by layers holding non-trainable state that must be
// serialised (batch-norm running statistics, random features, kernel anchors).
type buffered interface {
	buffers() []*Param
}

// Sequential applies its layers in order.
type Sequential struct {
	Layers []Layer
}

// Forward applies every layer in order. An empty Sequential is the identity.
func (s *Sequential) Forward(x *mat.Dense, train bool) *mat.Dense {
	for _, l := range s.Layers {
		x = l.Forward(x, train)
	}
	return x
}

// Backward back-propagates through the layers in reverse order and returns
// ∂L/∂x.
func (s *Sequential) Backward(gradOut *mat.Dense) *mat.Dense {
	return s.backward(gradOut, true)
}

func (s *Sequential) backward(g *mat.Dense, needInput bool) *mat.Dense {
	for i := len(s.Layers) - 1; i >= 0; i-- {
		if i == 0 && !needInput {
			if p, ok := s.Layers[0].(paramsOnlyBackward); ok {
				p.backwardParams(g)
				return nil
			}
		}
		g = s.Layers[i].Backward(g)
	}
	return g
}

func (s *Sequential) forward32(x linalg.General[float32], train bool) linalg.General[float32] {
	for _, l := range s.Layers {
		x = l.(layer32).forward32(x, train)
	}
	return x
}

func (s *Sequential) backward32(g linalg.General[float32], needInput bool) linalg.General[float32] {
	for i := len(s.Layers) - 1; i >= 0; i-- {
		g = s.Layers[i].(layer32).backward32(g, i > 0 || needInput)
	}
	return g
}

// Params returns the parameters of every layer, in layer order.
func (s *Sequential) Params() []*Param {
	var ps []*Param
	for _, l := range s.Layers {
		ps = append(ps, l.Params()...)
	}
	return ps
}

// OutDim is the output width of the last layer, or -1 for an empty Sequential.
func (s *Sequential) OutDim() int {
	if len(s.Layers) == 0 {
		return -1
	}
	return s.Layers[len(s.Layers)-1].OutDim()
}

// grainFor is the least number of rows per goroutine, for
// linalg.ParallelRange, of element-wise row work costing cost operations per
// row: about 2^14 operations per goroutine, so that goroutines pay for
// themselves.
func grainFor(cost int) int { return max(1, (1<<14)/max(cost, 1)) }

func mustCols(op string, x *mat.Dense, want int) {
	if _, c := x.Dims(); c != want {
		panic("nn: " + op + ": " + ErrShape.Error())
	}
}

var (
	_ Layer              = (*Linear)(nil)
	_ Layer              = (*ReLU)(nil)
	_ Layer              = (*BatchNorm1d)(nil)
	_ Layer              = (*RandomFourierFeatures)(nil)
	_ Layer              = (*Kernel)(nil)
	_ Layer              = (*Sequential)(nil)
	_ paramsOnlyBackward = (*Linear)(nil)
	_ paramsOnlyBackward = (*Kernel)(nil)
	_ buffered           = (*BatchNorm1d)(nil)
	_ layer32            = (*Linear)(nil)
	_ layer32            = (*ReLU)(nil)
	_ layer32            = (*BatchNorm1d)(nil)
	_ Optimizer          = (*SGD)(nil)
	_ Optimizer          = (*Adam)(nil)
	_ Optimizer          = (*LARS)(nil)
)
