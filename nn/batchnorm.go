package nn

import (
	"math"

	"github.com/eigenssl/eigenssl/linalg"
	"gonum.org/v1/gonum/mat"
)

// BatchNorm1d normalises every column over the batch, as PyTorch's
// nn.BatchNorm1d:
//
//	training: μ = mean(x), σ² = mean((x − μ)²) (biased), x̂ = (x − μ)/√(σ² + ε)
//	          running_mean ← (1 − m)·running_mean + m·μ
//	          running_var  ← (1 − m)·running_var  + m·σ²·N/(N − 1) (unbiased)
//	eval:     x̂ = (x − running_mean)/√(running_var + ε)
//	y = γ ∘ x̂ + β   (γ = 1, β = 0 initially; without Affine, y = x̂)
//
// with ε = Eps (1e-5) and m = Momentum (0.1). Training mode needs N ≥ 2
// (per group, see Groups).
// Running statistics start at mean 0, variance 1 and are serialised with the
// encoder.
type BatchNorm1d struct {
	Gamma, Beta *Param // 1×d each; nil when not affine
	// RunningMean and RunningVar are 1×d buffers (not trained).
	RunningMean, RunningVar *Param
	Eps, Momentum           float64
	// Groups > 1 normalises each of Groups equal contiguous row blocks with
	// its own statistics in training mode: the stacked views of a
	// two-branch loss then see the per-branch statistics of the official
	// VICReg and Barlow Twins code, which run each view separately. Set it
	// with Encoder.SetViews.
	Groups int

	dim       int
	xhat      *mat.Dense
	xhat32    linalg.General[float32]
	invStd    []float64 // Groups×d in training mode
	train     bool
	groupRows int
}

// NewBatchNorm1d returns a batch-norm layer over dim columns with ε = 1e-5,
// momentum 0.1, and learnable γ, β when affine.
func NewBatchNorm1d(dim int, affine bool) *BatchNorm1d {
	b := &BatchNorm1d{
		RunningMean: &Param{Name: "running_mean", Value: mat.NewDense(1, dim, nil)},
		RunningVar:  &Param{Name: "running_var", Value: mat.NewDense(1, dim, nil)},
		Eps:         1e-5, Momentum: 0.1, dim: dim,
	}
	for j := 0; j < dim; j++ {
		b.RunningVar.Value.Set(0, j, 1)
	}
	if affine {
		b.Gamma = newParam("weight", 1, dim, true)
		b.Beta = newParam("bias", 1, dim, true)
		for j := 0; j < dim; j++ {
			b.Gamma.Value.Set(0, j, 1)
		}
	}
	return b
}

// Forward normalises x with batch statistics (train) or running ones (eval).
// In training mode with Groups = g > 1 the rows form g equal contiguous
// blocks, each normalised with its own statistics and each updating the
// running statistics in turn, exactly as g separate calls would. It panics in
// training mode when a block has fewer than 2 rows or g does not divide N.
func (b *BatchNorm1d) Forward(x *mat.Dense, train bool) *mat.Dense {
	mustCols("BatchNorm1d.Forward", x, b.dim)
	y, xhat := bnForward(b, linalg.GeneralOf(x), train)
	b.xhat = xhat.Dense()
	return y.Dense()
}

// Backward returns ∂L/∂x. In training mode the batch statistics depend on x;
// within each group of N rows
//
//	∂x = (1/N)·invStd ∘ (N·ĝ − Σᵢĝ − x̂ ∘ Σᵢ(ĝ ∘ x̂)),  ĝ = γ ∘ g
//
// and in eval mode ∂x = γ ∘ invStd ∘ g. ∂γ += Σᵢ g ∘ x̂, ∂β += Σᵢ g.
func (b *BatchNorm1d) Backward(g *mat.Dense) *mat.Dense {
	if b.xhat == nil {
		panic("nn: BatchNorm1d.Backward: " + ErrNoForward.Error())
	}
	return bnBackward(b, linalg.GeneralOf(g), linalg.GeneralOf(b.xhat)).Dense()
}

func (b *BatchNorm1d) forward32(x linalg.General[float32], train bool) linalg.General[float32] {
	if x.Cols != b.dim {
		panic("nn: BatchNorm1d.forward32: " + ErrShape.Error())
	}
	y, xhat := bnForward(b, x, train)
	b.xhat32 = xhat
	return y
}

func (b *BatchNorm1d) backward32(g linalg.General[float32], needInput bool) linalg.General[float32] {
	if b.xhat32.Data == nil {
		panic("nn: BatchNorm1d.backward32: " + ErrNoForward.Error())
	}
	return bnBackward(b, g, b.xhat32)
}

// bnForward is Forward on T: the statistics accumulate in float64 and every
// output element is evaluated in float64 and rounded to T once. It returns y
// and x̂ and sets b.invStd, b.train and b.groupRows. Running statistics are
// rounded to T (a no-op for float64).
func bnForward[T linalg.Float](b *BatchNorm1d, x linalg.General[T], train bool) (y, xhat linalg.General[T]) {
	n, d := x.Rows, x.Cols
	g := 1
	if train && b.Groups > 1 {
		g = b.Groups
	}
	if train && (n%g != 0 || n/g < 2) {
		panic("nn: BatchNorm1d.Forward: training needs at least 2 rows per group")
	}
	nb := n / g
	mean := make([]float64, g*d)
	invStd := make([]float64, g*d)
	if train {
		v := make([]float64, g*d)
		rm, rv := b.RunningMean.Value.RawMatrix().Data, b.RunningVar.Value.RawMatrix().Data
		m := b.Momentum
		for q := 0; q < g; q++ {
			mq, vq, iq := mean[q*d:(q+1)*d], v[q*d:(q+1)*d], invStd[q*d:(q+1)*d]
			for i := q * nb; i < (q+1)*nb; i++ {
				for j, xv := range x.Row(i) {
					mq[j] += float64(xv)
				}
			}
			for j := range mq {
				mq[j] /= float64(nb)
			}
			for i := q * nb; i < (q+1)*nb; i++ {
				for j, xv := range x.Row(i) {
					c := float64(xv) - mq[j]
					vq[j] += c * c
				}
			}
			for j := range vq {
				vq[j] /= float64(nb)
				iq[j] = 1 / math.Sqrt(vq[j]+b.Eps)
				rm[j] = float64(T((1-m)*rm[j] + m*mq[j]))
				rv[j] = float64(T((1-m)*rv[j] + m*vq[j]*float64(nb)/float64(nb-1)))
			}
		}
	} else {
		nb = n
		copy(mean, b.RunningMean.Value.RawMatrix().Data)
		for j, v := range b.RunningVar.Value.RawMatrix().Data {
			invStd[j] = 1 / math.Sqrt(v+b.Eps)
		}
	}
	xhat = linalg.NewGeneral[T](n, d)
	y = linalg.NewGeneral[T](n, d)
	for i := 0; i < n; i++ {
		q := i / nb
		mq, iq := mean[q*d:(q+1)*d], invStd[q*d:(q+1)*d]
		hs, ys := xhat.Row(i), y.Row(i)
		for j, xv := range x.Row(i) {
			hs[j] = T((float64(xv) - mq[j]) * iq[j])
		}
		if b.Gamma != nil {
			ga, be := b.Gamma.Value.RawMatrix().Data, b.Beta.Value.RawMatrix().Data
			for j, h := range hs {
				ys[j] = T(ga[j]*float64(h) + be[j])
			}
		} else {
			copy(ys, hs)
		}
	}
	b.invStd, b.train, b.groupRows = invStd, train, nb
	return y, xhat
}

// bnBackward is Backward on T with float64 sums (see Dtype).
func bnBackward[T linalg.Float](b *BatchNorm1d, g, xhat linalg.General[T]) linalg.General[T] {
	n, d := g.Rows, g.Cols
	var gamma []float64
	if b.Gamma != nil {
		gamma = b.Gamma.Value.RawMatrix().Data
		dg, db := b.Gamma.Grad.RawMatrix().Data, b.Beta.Grad.RawMatrix().Data
		for i := 0; i < n; i++ {
			hs := xhat.Row(i)
			for j, gv := range g.Row(i) {
				dg[j] += float64(gv) * float64(hs[j])
				db[j] += float64(gv)
			}
		}
	}
	nb := b.groupRows
	// scale[q*d+j] = γⱼ·invStd of group q.
	scale := append([]float64(nil), b.invStd...)
	if gamma != nil {
		for k := range scale {
			scale[k] *= gamma[k%d]
		}
	}
	dx := linalg.NewGeneral[T](n, d)
	if !b.train {
		for i := 0; i < n; i++ {
			ds := dx.Row(i)
			for j, gv := range g.Row(i) {
				ds[j] = T(scale[j] * float64(gv))
			}
		}
		return dx
	}
	fn := float64(nb)
	sumG := make([]float64, d)
	sumGH := make([]float64, d)
	for q := 0; q < n/nb; q++ {
		clear(sumG)
		clear(sumGH)
		for i := q * nb; i < (q+1)*nb; i++ {
			hs := xhat.Row(i)
			for j, gv := range g.Row(i) {
				sumG[j] += float64(gv)
				sumGH[j] += float64(gv) * float64(hs[j])
			}
		}
		sq := scale[q*d : (q+1)*d]
		for i := q * nb; i < (q+1)*nb; i++ {
			hs, ds := xhat.Row(i), dx.Row(i)
			for j, gv := range g.Row(i) {
				ds[j] = T(sq[j] / fn * (fn*float64(gv) - sumG[j] - float64(hs[j])*sumGH[j]))
			}
		}
	}
	return dx
}

// Params returns γ and β when affine, else nil.
func (b *BatchNorm1d) Params() []*Param {
	if b.Gamma == nil {
		return nil
	}
	return []*Param{b.Gamma, b.Beta}
}

func (b *BatchNorm1d) buffers() []*Param { return []*Param{b.RunningMean, b.RunningVar} }

// OutDim is the input width.
func (b *BatchNorm1d) OutDim() int { return b.dim }
