package nn

import (
	"math"

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
	n, d := x.Dims()
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
	xr := x.RawMatrix()
	if train {
		v := make([]float64, g*d)
		rm, rv := b.RunningMean.Value.RawMatrix().Data, b.RunningVar.Value.RawMatrix().Data
		m := b.Momentum
		for q := 0; q < g; q++ {
			mq, vq, iq := mean[q*d:(q+1)*d], v[q*d:(q+1)*d], invStd[q*d:(q+1)*d]
			for i := q * nb; i < (q+1)*nb; i++ {
				for j, xv := range xr.Data[i*xr.Stride : i*xr.Stride+d] {
					mq[j] += xv
				}
			}
			for j := range mq {
				mq[j] /= float64(nb)
			}
			for i := q * nb; i < (q+1)*nb; i++ {
				for j, xv := range xr.Data[i*xr.Stride : i*xr.Stride+d] {
					c := xv - mq[j]
					vq[j] += c * c
				}
			}
			for j := range vq {
				vq[j] /= float64(nb)
				iq[j] = 1 / math.Sqrt(vq[j]+b.Eps)
				rm[j] = (1-m)*rm[j] + m*mq[j]
				rv[j] = (1-m)*rv[j] + m*vq[j]*float64(nb)/float64(nb-1)
			}
		}
	} else {
		nb = n
		copy(mean, b.RunningMean.Value.RawMatrix().Data)
		for j, v := range b.RunningVar.Value.RawMatrix().Data {
			invStd[j] = 1 / math.Sqrt(v+b.Eps)
		}
	}
	xhat := mat.NewDense(n, d, nil)
	y := mat.NewDense(n, d, nil)
	hr, yr := xhat.RawMatrix(), y.RawMatrix()
	for i := 0; i < n; i++ {
		q := i / nb
		mq, iq := mean[q*d:(q+1)*d], invStd[q*d:(q+1)*d]
		xs := xr.Data[i*xr.Stride : i*xr.Stride+d]
		hs := hr.Data[i*hr.Stride : i*hr.Stride+d]
		ys := yr.Data[i*yr.Stride : i*yr.Stride+d]
		for j, xv := range xs {
			hs[j] = (xv - mq[j]) * iq[j]
		}
		if b.Gamma != nil {
			ga, be := b.Gamma.Value.RawMatrix().Data, b.Beta.Value.RawMatrix().Data
			for j, h := range hs {
				ys[j] = ga[j]*h + be[j]
			}
		} else {
			copy(ys, hs)
		}
	}
	b.xhat, b.invStd, b.train, b.groupRows = xhat, invStd, train, nb
	return y
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
	n, d := g.Dims()
	gr, hr := g.RawMatrix(), b.xhat.RawMatrix()
	var gamma []float64
	if b.Gamma != nil {
		gamma = b.Gamma.Value.RawMatrix().Data
		dg, db := b.Gamma.Grad.RawMatrix().Data, b.Beta.Grad.RawMatrix().Data
		for i := 0; i < n; i++ {
			gs := gr.Data[i*gr.Stride : i*gr.Stride+d]
			hs := hr.Data[i*hr.Stride : i*hr.Stride+d]
			for j, gv := range gs {
				dg[j] += gv * hs[j]
				db[j] += gv
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
	dx := mat.NewDense(n, d, nil)
	dr := dx.RawMatrix()
	if !b.train {
		for i := 0; i < n; i++ {
			gs := gr.Data[i*gr.Stride : i*gr.Stride+d]
			ds := dr.Data[i*dr.Stride : i*dr.Stride+d]
			for j, gv := range gs {
				ds[j] = scale[j] * gv
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
			gs := gr.Data[i*gr.Stride : i*gr.Stride+d]
			hs := hr.Data[i*hr.Stride : i*hr.Stride+d]
			for j, gv := range gs {
				sumG[j] += gv
				sumGH[j] += gv * hs[j]
			}
		}
		sq := scale[q*d : (q+1)*d]
		for i := q * nb; i < (q+1)*nb; i++ {
			gs := gr.Data[i*gr.Stride : i*gr.Stride+d]
			hs := hr.Data[i*hr.Stride : i*hr.Stride+d]
			ds := dr.Data[i*dr.Stride : i*dr.Stride+d]
			for j, gv := range gs {
				ds[j] = sq[j] / fn * (fn*gv - sumG[j] - hs[j]*sumGH[j])
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
