package nn

import (
	"math"
	"math/rand/v2"

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
	gemm(false, false, 1, x, l.W.Value, 0, y)
	if l.B != nil {
		b := l.B.Value.RawMatrix().Data
		raw := y.RawMatrix()
		for i := 0; i < n; i++ {
			row := raw.Data[i*raw.Stride : i*raw.Stride+out]
			for j := range row {
				row[j] += b[j]
			}
		}
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
	gemm(false, true, 1, g, l.W.Value, 0, dx)
	return dx
}

func (l *Linear) backwardParams(g *mat.Dense) {
	if l.x == nil {
		panic("nn: Linear.Backward: " + ErrNoForward.Error())
	}
	gemm(true, false, 1, l.x, g, 1, l.W.Grad)
	if l.B != nil {
		db := l.B.Grad.RawMatrix().Data
		raw := g.RawMatrix()
		n, out := g.Dims()
		for i := 0; i < n; i++ {
			for j, v := range raw.Data[i*raw.Stride : i*raw.Stride+out] {
				db[j] += v
			}
		}
	}
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
}

// NewReLU returns a ReLU acting on dim columns.
func NewReLU(dim int) *ReLU { return &ReLU{dim: dim} }

// Forward returns max(x, 0).
func (r *ReLU) Forward(x *mat.Dense, train bool) *mat.Dense {
	mustCols("ReLU.Forward", x, r.dim)
	n, d := x.Dims()
	y := mat.NewDense(n, d, nil)
	xr, yr := x.RawMatrix(), y.RawMatrix()
	for i := 0; i < n; i++ {
		xs := xr.Data[i*xr.Stride : i*xr.Stride+d]
		ys := yr.Data[i*yr.Stride : i*yr.Stride+d]
		for j, v := range xs {
			if v > 0 {
				ys[j] = v
			}
		}
	}
	r.y = y
	return y
}

// Backward returns g ∘ 1[y > 0].
func (r *ReLU) Backward(g *mat.Dense) *mat.Dense {
	if r.y == nil {
		panic("nn: ReLU.Backward: " + ErrNoForward.Error())
	}
	n, d := g.Dims()
	dx := mat.NewDense(n, d, nil)
	gr, yr, dr := g.RawMatrix(), r.y.RawMatrix(), dx.RawMatrix()
	for i := 0; i < n; i++ {
		gs := gr.Data[i*gr.Stride : i*gr.Stride+d]
		ys := yr.Data[i*yr.Stride : i*yr.Stride+d]
		ds := dr.Data[i*dr.Stride : i*dr.Stride+d]
		for j, v := range ys {
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
