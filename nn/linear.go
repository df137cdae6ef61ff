package nn

import (
	"math"
	"math/rand/v2"

	"github.com/eigenssl/eigenssl/linalg"
	"gonum.org/v1/gonum/mat"
)

// Linear is the affine map y = x W + 1 bᵀ with W in×out and optional bias b
// (1×out).
//
// Initialisation follows PyTorch's nn.Linear (kaiming_uniform with a = √5):
// every entry of W and b is drawn from U(−1/√in, 1/√in), W row-major first,
// then b, from the given generator.
//
// Cost: forward 2·N·in·out flops; backward twice that (once without ∂L/∂x).
type Linear struct {
	W *Param // in×out
	B *Param // 1×out, nil without bias

	x *mat.Dense // cached input

	// Float32 path (forward32): the cached input, W rounded to float32 at
	// each forward32, and scratch for xᵀg.
	x32       linalg.General[float32]
	w32, dw32 []float32
}

// NewLinear returns a Linear layer initialised from rng. It panics if in or
// out is not positive.
func NewLinear(in, out int, bias bool, rng *rand.Rand) *Linear {
	if in <= 0 || out <= 0 {
		panic("nn: NewLinear: non-positive size")
	}
	l := &Linear{W: newParam("weight", in, out, false)}
	bound := 1 / math.Sqrt(float64(in))
	uniform(l.W.Value.RawMatrix().Data, -bound, bound, rng)
	if bias {
		l.B = newParam("bias", 1, out, true)
		uniform(l.B.Value.RawMatrix().Data, -bound, bound, rng)
	}
	return l
}

func uniform(dst []float64, lo, hi float64, rng *rand.Rand) {
	for i := range dst {
		dst[i] = lo + (hi-lo)*rng.Float64()
	}
}

// Forward returns x W + 1 bᵀ.
func (l *Linear) Forward(x *mat.Dense, train bool) *mat.Dense {
	in, out := l.W.Value.Dims()
	mustCols("Linear.Forward", x, in)
	n, _ := x.Dims()
	y := mat.NewDense(n, out, nil)
	linalg.GemmDense(false, false, 1, x, l.W.Value, 0, y)
	if l.B != nil {
		addBias(linalg.GeneralOf(y), l.B.Value.RawMatrix().Data)
	}
	l.x = x
	return y
}

// Backward adds xᵀ g to ∂W and the column sums of g to ∂b, and returns g Wᵀ.
func (l *Linear) Backward(g *mat.Dense) *mat.Dense {
	l.backwardParams(g)
	n, _ := g.Dims()
	in, _ := l.W.Value.Dims()
	dx := mat.NewDense(n, in, nil)
	linalg.GemmDense(false, true, 1, g, l.W.Value, 0, dx)
	return dx
}

func (l *Linear) backwardParams(g *mat.Dense) {
	if l.x == nil {
		panic("nn: Linear.Backward: " + ErrNoForward.Error())
	}
	linalg.GemmDense(true, false, 1, l.x, g, 1, l.W.Grad)
	if l.B != nil {
		addColSums(l.B.Grad.RawMatrix().Data, linalg.GeneralOf(g))
	}
}

// forward32 is Forward in float32: y = x W₃₂ + 1 bᵀ with W₃₂ the float32
// rounding of W (exact when the encoder is in Float32 mode) and one Sgemm.
func (l *Linear) forward32(x linalg.General[float32], train bool) linalg.General[float32] {
	in, out := l.W.Value.Dims()
	if x.Cols != in {
		panic("nn: Linear.forward32: " + ErrShape.Error())
	}
	if len(l.w32) != in*out {
		l.w32, l.dw32 = make([]float32, in*out), make([]float32, in*out)
	}
	toT(l.w32, l.W.Value.RawMatrix().Data)
	y := linalg.NewGeneral[float32](x.Rows, out)
	linalg.Gemm(false, false, 1, x, linalg.General[float32]{Rows: in, Cols: out, Stride: out, Data: l.w32}, 0, y)
	if l.B != nil {
		addBias(y, l.B.Value.RawMatrix().Data)
	}
	l.x32 = x
	return y
}

// backward32 adds the float32 product xᵀg to ∂W (accumulated in float64)
// and the column sums of g to ∂b, and returns g W₃₂ᵀ when needInput.
func (l *Linear) backward32(g linalg.General[float32], needInput bool) linalg.General[float32] {
	if l.x32.Data == nil {
		panic("nn: Linear.backward32: " + ErrNoForward.Error())
	}
	in, out := l.W.Value.Dims()
	linalg.Gemm(true, false, 1, l.x32, g, 0, linalg.General[float32]{Rows: in, Cols: out, Stride: out, Data: l.dw32})
	dw := l.W.Grad.RawMatrix().Data
	for i, v := range l.dw32 {
		dw[i] += float64(v)
	}
	if l.B != nil {
		addColSums(l.B.Grad.RawMatrix().Data, g)
	}
	if !needInput {
		return linalg.General[float32]{}
	}
	dx := linalg.NewGeneral[float32](g.Rows, in)
	linalg.Gemm(false, true, 1, g, linalg.General[float32]{Rows: in, Cols: out, Stride: out, Data: l.w32}, 0, dx)
	return dx
}

// Params returns W and, with bias, b.
func (l *Linear) Params() []*Param {
	if l.B == nil {
		return []*Param{l.W}
	}
	return []*Param{l.W, l.B}
}

// OutDim is the number of columns of W.
func (l *Linear) OutDim() int { _, c := l.W.Value.Dims(); return c }

// ReLU is the element-wise max(x, 0). Its derivative at 0 is taken as 0, as
// in PyTorch.
type ReLU struct {
	dim int
	y   *mat.Dense
	y32 linalg.General[float32]
}

// NewReLU returns a ReLU acting on dim columns.
func NewReLU(dim int) *ReLU { return &ReLU{dim: dim} }

// Forward returns max(x, 0).
func (r *ReLU) Forward(x *mat.Dense, train bool) *mat.Dense {
	mustCols("ReLU.Forward", x, r.dim)
	y := reluForward(linalg.GeneralOf(x))
	r.y = y.Dense()
	return r.y
}

// Backward returns g ∘ 1[y > 0].
func (r *ReLU) Backward(g *mat.Dense) *mat.Dense {
	if r.y == nil {
		panic("nn: ReLU.Backward: " + ErrNoForward.Error())
	}
	return reluBackward(linalg.GeneralOf(g), linalg.GeneralOf(r.y)).Dense()
}

func (r *ReLU) forward32(x linalg.General[float32], train bool) linalg.General[float32] {
	if x.Cols != r.dim {
		panic("nn: ReLU.forward32: " + ErrShape.Error())
	}
	r.y32 = reluForward(x)
	return r.y32
}

func (r *ReLU) backward32(g linalg.General[float32], needInput bool) linalg.General[float32] {
	if r.y32.Data == nil {
		panic("nn: ReLU.backward32: " + ErrNoForward.Error())
	}
	return reluBackward(g, r.y32)
}

func reluForward[T linalg.Float](x linalg.General[T]) linalg.General[T] {
	y := linalg.NewGeneral[T](x.Rows, x.Cols)
	for i := 0; i < x.Rows; i++ {
		ys := y.Row(i)
		for j, v := range x.Row(i) {
			if v > 0 {
				ys[j] = v
			}
		}
	}
	return y
}

func reluBackward[T linalg.Float](g, y linalg.General[T]) linalg.General[T] {
	dx := linalg.NewGeneral[T](g.Rows, g.Cols)
	for i := 0; i < g.Rows; i++ {
		gs, ds := g.Row(i), dx.Row(i)
		for j, v := range y.Row(i) {
			if v > 0 {
				ds[j] = gs[j]
			}
		}
	}
	return dx
}

// Params returns nil: ReLU has no parameters.
func (r *ReLU) Params() []*Param { return nil }

// OutDim is the input width.
func (r *ReLU) OutDim() int { return r.dim }
