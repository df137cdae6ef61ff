package nn

import (
	"math"
	"math/rand/v2"

	"github.com/eigenssl/eigenssl/linalg"
	"gonum.org/v1/gonum/mat"
)

// RandomFourierFeatures maps x (1×in) to m random features whose inner
// products approximate the RBF kernel exp(−γ‖x − y‖²) (Rahimi & Recht 2007):
//
//	z(x) = √(2/m) · cos(x W + b),  W ~ N(0, 2γ) entries (in×m),  b ~ U(0, 2π) (1×m)
//
// so E[z(x)·z(y)] = exp(−γ‖x − y‖²). W and b are fixed (never trained) and
// are serialised with the encoder. Follow it with a trainable Linear.
//
// Cost: 2·N·in·m flops plus N·m cosines.
type RandomFourierFeatures struct {
	W, B  *Param // buffers: in×m and 1×m
	Gamma float64

	u *mat.Dense // cached x W + b
}

// NewRandomFourierFeatures draws W (row-major) then b from rng. It panics if
// in or m is not positive or gamma ≤ 0.
func NewRandomFourierFeatures(in, m int, gamma float64, rng *rand.Rand) *RandomFourierFeatures {
	if in <= 0 || m <= 0 || !(gamma > 0) {
		panic("nn: NewRandomFourierFeatures: bad size or gamma")
	}
	r := &RandomFourierFeatures{
		W:     &Param{Name: "rff_w", Value: mat.NewDense(in, m, nil)},
		B:     &Param{Name: "rff_b", Value: mat.NewDense(1, m, nil), Vector: true},
		Gamma: gamma,
	}
	sd := math.Sqrt(2 * gamma)
	w := r.W.Value.RawMatrix().Data
	for i := range w {
		w[i] = sd * rng.NormFloat64()
	}
	uniform(r.B.Value.RawMatrix().Data, 0, 2*math.Pi, rng)
	return r
}

// Forward returns √(2/m)·cos(x W + b).
func (r *RandomFourierFeatures) Forward(x *mat.Dense, train bool) *mat.Dense {
	in, m := r.W.Value.Dims()
	mustCols("RandomFourierFeatures.Forward", x, in)
	n, _ := x.Dims()
	u := mat.NewDense(n, m, nil)
	linalg.GemmDense(false, false, 1, x, r.W.Value, 0, u)
	z := mat.NewDense(n, m, nil)
	b := r.B.Value.RawMatrix().Data
	s := math.Sqrt(2 / float64(m))
	ur, zr := u.RawMatrix(), z.RawMatrix()
	linalg.ParallelRange(n, grainFor(m*16), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			us := ur.Data[i*ur.Stride : i*ur.Stride+m]
			zs := zr.Data[i*zr.Stride : i*zr.Stride+m]
			for j := range us {
				us[j] += b[j]
				zs[j] = s * math.Cos(us[j])
			}
		}
	})
	r.u = u
	return z
}

// Backward returns (−√(2/m)·sin(x W + b) ∘ g) Wᵀ. There are no parameters.
func (r *RandomFourierFeatures) Backward(g *mat.Dense) *mat.Dense {
	if r.u == nil {
		panic("nn: RandomFourierFeatures.Backward: " + ErrNoForward.Error())
	}
	in, m := r.W.Value.Dims()
	n, _ := g.Dims()
	s := -math.Sqrt(2 / float64(m))
	gu := mat.NewDense(n, m, nil)
	ur, gr, hr := r.u.RawMatrix(), g.RawMatrix(), gu.RawMatrix()
	linalg.ParallelRange(n, grainFor(m*16), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			us := ur.Data[i*ur.Stride : i*ur.Stride+m]
			gs := gr.Data[i*gr.Stride : i*gr.Stride+m]
			hs := hr.Data[i*hr.Stride : i*hr.Stride+m]
			for j, v := range us {
				hs[j] = s * math.Sin(v) * gs[j]
			}
		}
	})
	dx := mat.NewDense(n, in, nil)
	linalg.GemmDense(false, true, 1, gu, r.W.Value, 0, dx)
	return dx
}

// backwardParams does nothing: the features have no trainable parameters.
func (r *RandomFourierFeatures) backwardParams(*mat.Dense) {}

// Params returns nil: W and b are fixed.
func (r *RandomFourierFeatures) Params() []*Param { return nil }

func (r *RandomFourierFeatures) buffers() []*Param { return []*Param{r.W, r.B} }

// OutDim is the number of features m.
func (r *RandomFourierFeatures) OutDim() int { _, m := r.W.Value.Dims(); return m }

// Kernel is the exact kernel-regime encoder of THEORY.md §1,
//
//	Z = K(X, T) A,   K(x, t) = exp(−γ‖x − t‖²) ("rbf") or xᵀt ("linear"),
//
// with T (Nₜ×in) the stored training inputs and A (Nₜ×out) trainable. A
// forward pass on new inputs evaluates the kernel against T, so it is the
// out-of-sample extension. SetTrainingInputs must be called before Forward.
//
// Cost: O(N·Nₜ·(in + out)) time and an N×Nₜ kernel block per forward:
// inherently quadratic when X = T, so meant for small N.
type Kernel struct {
	// Fn is the kernel function (linalg.Kernel, the module's one kernel
	// type): linalg.KernelRBF with Fn.Gamma = γ, or linalg.KernelLinear.
	Fn linalg.Kernel
	T  *Param // buffer: training inputs, Nₜ×in; nil until SetTrainingInputs
	A  *Param // Nₜ×out; nil until SetTrainingInputs

	in, out  int
	initSeed uint64
	x, k     *mat.Dense
}

// NewKernel returns a kernel encoder for in input columns and out outputs.
// A is drawn at SetTrainingInputs from a PCG generator seeded with seed. It
// panics if kind is not "rbf" or "linear", gamma ≤ 0 for rbf, or a size is
// not positive.
func NewKernel(kind string, gamma float64, in, out int, seed uint64) *Kernel {
	fn := linalg.Kernel{Kind: linalg.KernelLinear}
	if kind == "rbf" {
		fn = linalg.Kernel{Kind: linalg.KernelRBF, Gamma: gamma}
	}
	if (kind != "rbf" && kind != "linear") || fn.Validate() != nil || in <= 0 || out <= 0 {
		panic("nn: NewKernel: bad kind, gamma or size")
	}
	return &Kernel{Fn: fn, in: in, out: out, initSeed: seed}
}

// SetTrainingInputs stores a copy of t (Nₜ×in) as the kernel anchors and
// initialises A (Nₜ×out) with entries U(−1/√Nₜ, 1/√Nₜ), seeded. It panics on
// a wrong column count or an empty t; Encoder.SetTrainingInputs checks first.
func (k *Kernel) SetTrainingInputs(t *mat.Dense) {
	nt, c := t.Dims()
	if c != k.in || nt == 0 {
		panic("nn: Kernel.SetTrainingInputs: " + ErrShape.Error())
	}
	k.T = &Param{Name: "train_inputs", Value: mat.DenseCopyOf(t)}
	k.A = newParam("A", nt, k.out, false)
	rng := rand.New(rand.NewPCG(k.initSeed, 0x6b65726e656c))
	bound := 1 / math.Sqrt(float64(nt))
	uniform(k.A.Value.RawMatrix().Data, -bound, bound, rng)
}

// gram returns K(x, T), N×Nₜ.
func (k *Kernel) gram(x *mat.Dense) *mat.Dense { return k.Fn.Matrix(x, k.T.Value) }

// Forward returns K(x, T) A.
func (k *Kernel) Forward(x *mat.Dense, train bool) *mat.Dense {
	if k.T == nil {
		panic("nn: Kernel.Forward: " + ErrNotFitted.Error())
	}
	mustCols("Kernel.Forward", x, k.in)
	kx := k.gram(x)
	n, _ := x.Dims()
	y := mat.NewDense(n, k.out, nil)
	linalg.GemmDense(false, false, 1, kx, k.A.Value, 0, y)
	k.x, k.k = x, kx
	return y
}

// Backward adds K(x, T)ᵀ g to ∂A and returns ∂L/∂x: with M = (g Aᵀ) ∘ K,
// ∂x = (g Aᵀ) T for the linear kernel and −2γ (diag(M 1) x − M T) for rbf.
func (k *Kernel) Backward(g *mat.Dense) *mat.Dense {
	k.backwardParams(g)
	n, _ := g.Dims()
	nt, _ := k.T.Value.Dims()
	gk := mat.NewDense(n, nt, nil)
	linalg.GemmDense(false, true, 1, g, k.A.Value, 0, gk)
	dx := mat.NewDense(n, k.in, nil)
	if k.Fn.Kind == linalg.KernelLinear {
		linalg.GemmDense(false, false, 1, gk, k.T.Value, 0, dx)
		return dx
	}
	gr, kr := gk.RawMatrix(), k.k.RawMatrix()
	rs := make([]float64, n)
	for i := 0; i < n; i++ {
		gs := gr.Data[i*gr.Stride : i*gr.Stride+nt]
		for j, kv := range kr.Data[i*kr.Stride : i*kr.Stride+nt] {
			gs[j] *= kv
			rs[i] += gs[j]
		}
	}
	linalg.GemmDense(false, false, 2*k.Fn.Gamma, gk, k.T.Value, 0, dx)
	xr, dr := k.x.RawMatrix(), dx.RawMatrix()
	for i := 0; i < n; i++ {
		xs := xr.Data[i*xr.Stride : i*xr.Stride+k.in]
		for j, v := range xs {
			dr.Data[i*dr.Stride+j] -= 2 * k.Fn.Gamma * rs[i] * v
		}
	}
	return dx
}

func (k *Kernel) backwardParams(g *mat.Dense) {
	if k.k == nil {
		panic("nn: Kernel.Backward: " + ErrNoForward.Error())
	}
	linalg.GemmDense(true, false, 1, k.k, g, 1, k.A.Grad)
}

// Params returns A (nil before SetTrainingInputs).
func (k *Kernel) Params() []*Param {
	if k.A == nil {
		return nil
	}
	return []*Param{k.A}
}

func (k *Kernel) buffers() []*Param {
	if k.T == nil {
		return nil
	}
	return []*Param{k.T}
}

// OutDim is the number of output columns.
func (k *Kernel) OutDim() int { return k.out }
