package linalg

import (
	"fmt"
	"math"
	"sort"

	"gonum.org/v1/gonum/mat"
)

// KernelKind names a kernel function of Kernel.
type KernelKind int

const (
	// KernelLinear: k(x, y) = xᵀy.
	KernelLinear KernelKind = iota
	// KernelRBF: k(x, y) = exp(−Gamma ‖x − y‖²).
	KernelRBF
	// KernelPoly: k(x, y) = (Gamma xᵀy + Coef0)^Degree.
	KernelPoly
	// KernelPrecomputed: the caller supplies kernel values (the methods of
	// Kernel panic on it).
	KernelPrecomputed
)

// String returns "linear", "rbf", "poly" or "precomputed".
func (k KernelKind) String() string {
	switch k {
	case KernelLinear:
		return "linear"
	case KernelRBF:
		return "rbf"
	case KernelPoly:
		return "poly"
	case KernelPrecomputed:
		return "precomputed"
	}
	return fmt.Sprintf("KernelKind(%d)", int(k))
}

// ParseKernelKind parses "linear", "rbf", "poly" or "precomputed" (the
// empty string is linear). An unknown name is an *Error wrapping ErrParam
// listing the valid ones.
func ParseKernelKind(s string) (KernelKind, error) {
	if s == "" {
		return KernelLinear, nil
	}
	for _, k := range []KernelKind{KernelLinear, KernelRBF, KernelPoly, KernelPrecomputed} {
		if s == k.String() {
			return k, nil
		}
	}
	return 0, newErr("parsekernelkind", "kernel", fmt.Sprintf("%q (valid: linear, rbf, poly, precomputed)", s), ErrParam)
}

// Kernel is THE kernel function of the module (spectral's kernel PCA and
// kernel LPP, closedform's RBF kernel, nn's kernel encoder all use it), in
// scikit-learn's convention (sklearn.metrics.pairwise):
//
//	linear:  k(x, y) = xᵀy
//	rbf:     k(x, y) = exp(−γ ‖x − y‖²)
//	poly:    k(x, y) = (γ xᵀy + c₀)^d
//
// with γ = Gamma, c₀ = Coef0, d = Degree. The Gaussian kernel of a
// bandwidth σ, exp(−‖x − y‖² / (2σ²)), is γ = 1/(2σ²) (GammaFromSigma;
// SigmaFromGamma inverts it). Defaults (γ = 1/D, d = 3, ...) belong to the
// caller: a Kernel holds resolved values, and Validate checks them.
type Kernel struct {
	Kind   KernelKind
	Gamma  float64
	Degree int
	Coef0  float64
}

// GammaFromSigma returns γ = 1/(2σ²), the Kernel.Gamma of the Gaussian
// kernel exp(−‖x − y‖² / (2σ²)).
func GammaFromSigma(sigma float64) float64 { return 1 / (2 * sigma * sigma) }

// SigmaFromGamma returns σ = 1/sqrt(2γ), the bandwidth of the RBF kernel
// with Gamma γ.
func SigmaFromGamma(gamma float64) float64 { return 1 / math.Sqrt(2*gamma) }

// Validate checks the parameters the kind uses: Gamma finite and > 0 (rbf,
// poly), Degree >= 1 and Coef0 finite (poly). It returns an *Error wrapping
// ErrParam naming the field.
func (k Kernel) Validate() error {
	const op = "kernel"
	switch k.Kind {
	case KernelLinear, KernelPrecomputed:
		return nil
	case KernelRBF, KernelPoly:
		if !(k.Gamma > 0) || math.IsInf(k.Gamma, 0) {
			return newErr(op, "Gamma", k.Gamma, ErrParam)
		}
		if k.Kind == KernelPoly {
			if k.Degree < 1 {
				return newErr(op, "Degree", k.Degree, ErrParam)
			}
			if math.IsNaN(k.Coef0) || math.IsInf(k.Coef0, 0) {
				return newErr(op, "Coef0", k.Coef0, ErrParam)
			}
		}
		return nil
	}
	return newErr(op, "Kind", int(k.Kind), ErrParam)
}

// Eval returns k(x, y) for two vectors of equal length.
func (k Kernel) Eval(x, y []float64) float64 {
	switch k.Kind {
	case KernelRBF:
		s := 0.0
		for i, v := range x {
			d := v - y[i]
			s += d * d
		}
		return k.OfSqDist(s)
	default:
		s := 0.0
		for i, v := range x {
			s += v * y[i]
		}
		return k.fromDot(s)
	}
}

// OfSqDist returns the rbf kernel value exp(−Gamma d2) of two points at
// squared distance d2 (for callers that already hold distances). It
// panics on another kind (misuse).
func (k Kernel) OfSqDist(d2 float64) float64 {
	if k.Kind != KernelRBF {
		panic("linalg: Kernel.OfSqDist: kind " + k.Kind.String() + " is not rbf")
	}
	return math.Exp(-k.Gamma * d2)
}

func (k Kernel) fromDot(s float64) float64 {
	if k.Kind == KernelPoly {
		return math.Pow(k.Gamma*s+k.Coef0, float64(k.Degree))
	}
	return s
}

// Matrix returns the M x N kernel matrix k(a_i, b_j) of the rows of a
// (M x D) and b (N x D): one Gemm (squared distances through SqDist for
// rbf), the elementwise map in parallel. It panics on KernelPrecomputed or
// mismatched widths (misuse).
func (k Kernel) Matrix(a, b *mat.Dense) *mat.Dense {
	k.mustEvaluate("Matrix")
	if k.Kind == KernelRBF {
		d := SqDist(a, b)
		mapEntries(d, k.OfSqDist)
		return d
	}
	m, _ := a.Dims()
	n, _ := b.Dims()
	out := mat.NewDense(m, n, nil)
	out.Mul(a, b.T())
	if k.Kind == KernelPoly {
		mapEntries(out, k.fromDot)
	}
	return out
}

// mapEntries replaces every entry v of m by f(v), rows in parallel.
func mapEntries(m *mat.Dense, f func(float64) float64) {
	r, _ := m.Dims()
	ParallelRange(r, 32, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			row := m.RawRowView(i)
			for j, v := range row {
				row[j] = f(v)
			}
		}
	})
}

// SelfMatrix returns the N x N kernel matrix k(x_i, x_j) of the rows of x,
// exactly symmetric (the upper triangle through GramSelf, half the flops
// and, for rbf, half the exponentials, then mirrored) with an exact rbf
// diagonal of 1. It panics on KernelPrecomputed (misuse).
func (k Kernel) SelfMatrix(x *mat.Dense) *mat.Dense {
	k.mustEvaluate("SelfMatrix")
	g := GramSelf(x)
	n, _ := g.Dims()
	switch k.Kind {
	case KernelRBF:
		na := rowSqNorms(x)
		const bs = 64
		ParallelRange((n+bs-1)/bs, 1, func(lo, hi int) {
			for t := lo; t < hi; t++ {
				i0 := blockStart(t, n, bs)
				for i := i0; i < min(i0+bs, n); i++ {
					row := g.RawRowView(i)
					row[i] = 1
					for j := i + 1; j < n; j++ {
						row[j] = k.OfSqDist(max(na[i]+na[j]-2*row[j], 0))
					}
				}
			}
		})
		mirrorUpper(g)
	case KernelPoly:
		mapEntries(g, k.fromDot)
	}
	return g
}

func (k Kernel) mustEvaluate(op string) {
	if k.Kind == KernelPrecomputed || k.Kind < KernelLinear || k.Kind > KernelPrecomputed {
		panic("linalg: Kernel." + op + ": kind " + k.Kind.String() + " cannot be evaluated")
	}
}

// MedianSigma is the median heuristic for the Gaussian kernel's bandwidth:
// σ = sqrt(m) with m the median (the upper one for an even count) of the
// squared distances ‖x_i − x_j‖², i < j, of the rows of x (SqDistSelf), or
// 1 when that median is 0 or x has fewer than two rows. It costs O(N² D)
// time and O(N²) memory: callers subsample large inputs.
func MedianSigma(x *mat.Dense) float64 {
	d2 := SqDistSelf(x)
	n, _ := d2.Dims()
	ds := make([]float64, 0, n*(n-1)/2)
	for i := 0; i < n; i++ {
		ds = append(ds, d2.RawRowView(i)[i+1:]...)
	}
	sort.Float64s(ds)
	if len(ds) == 0 || !(ds[len(ds)/2] > 0) {
		return 1
	}
	return math.Sqrt(ds[len(ds)/2])
}
