package loss

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/eigenssl/eigenssl/graph"
	"gonum.org/v1/gonum/mat"
)

// Inputs are the arrays a loss is evaluated on. Two-branch losses
// (vicreg_official, barlowtwins_official, ntxent, spectral_contrastive,
// wmse) read
// Z1 and Z2, two N x K matrices whose row i is the pair (view 1, view 2) of
// sample i. G-form losses read the stacked representation Z (N x K) and the
// relation graph G (N x N, symmetric, non-negative, zero diagonal).
// Inputs are never modified.
type Inputs struct {
	Z1, Z2 *mat.Dense
	Z      *mat.Dense
	G      *graph.CSR
}

// Gradient keys of Result.Grad.
const (
	KeyZ1 = "z1"
	KeyZ2 = "z2"
	KeyZ  = "Z"
)

// Result is the outcome of one evaluation. Parts holds the unweighted
// sub-terms named as in the reference code (an empty, non-nil map when the
// loss has none). Grad holds d Value / d input for each input, keyed
// KeyZ1 and KeyZ2 (two-branch losses) or KeyZ (G-form losses), with the
// shape of the input; it is nil when the gradient was not requested.
type Result struct {
	Value float64
	Parts map[string]float64
	Grad  map[string]*mat.Dense
}

// Form says which Inputs a loss reads.
type Form int

const (
	// TwoBranch losses read Z1 and Z2 (row i of each: the two views of
	// sample i) and return gradients under KeyZ1 and KeyZ2.
	TwoBranch Form = iota + 1
	// GForm losses read the stacked representation Z and the relation
	// graph G and return the gradient under KeyZ.
	GForm
)

// String returns "two-branch" or "g-form".
func (f Form) String() string {
	switch f {
	case TwoBranch:
		return "two-branch"
	case GForm:
		return "g-form"
	}
	return fmt.Sprintf("Form(%d)", int(f))
}

// Loss is a self-supervised loss with its hand-derived gradient.
//
// Form says which inputs Eval reads (TwoBranch: Z1, Z2; GForm: Z, G).
// Eval returns the loss value and parts for in, and the gradient with
// respect to every representation input when wantGrad is true. Bad inputs
// (shape, NaN/Inf, empty, invalid graph) return an *Error; Eval never panics
// on user data. Eval is safe for concurrent use.
type Loss interface {
	Name() string
	Form() Form
	Eval(in Inputs, wantGrad bool) (Result, error)
}

// FormOf returns the Form of the loss called name (a name of Names or an
// alias), or an *Error wrapping ErrUnknown.
func FormOf(name string) (Form, error) {
	e, ok := registry[Canonical(name)]
	if !ok {
		return 0, errorf("form", "name", ErrUnknown, "%q (valid: %s)", name, strings.Join(Names(), ", "))
	}
	return e.build(defaults[Canonical(name)]).Form(), nil
}

// RowScaler is implemented by G-form losses whose minimiser grows with the
// number n of rows of Z, so that a trained encoder would have to shrink its
// outputs as the batch grows. RowScale(n) is the factor c(n) at which the
// loss is evaluated in training (see RowScale).
type RowScaler interface {
	RowScale(n int) float64
}

// RowScale returns the natural scale c(n) of l on n rows: training
// evaluates l at c(n)·Z, with gradient c(n)·∇l(c(n)·Z), so that the
// encoder's outputs have rows of order 1 whatever the batch size. Scaling Z
// by a constant keeps the column space of every minimiser (what the closed
// forms pin), so the trained subspace is the one of l itself. It is
// 1/sqrt(n) for SpectralContrastiveGForm and 1 for every other loss (their
// minimisers are already O(1) per row: covariances and cosine similarities
// are means over rows).
func RowScale(l Loss, n int) float64 {
	if s, ok := l.(RowScaler); ok && n > 0 {
		return s.RowScale(n)
	}
	return 1
}

// Loss names, as in the oracle files of ../shared/oracles.
const (
	NameVICRegOfficial           = "vicreg_official"
	NameBarlowTwinsOfficial      = "barlowtwins_official"
	NameNTXent                   = "ntxent"
	NameSpectralContrastive      = "spectral_contrastive"
	NameVICRegGForm              = "vicreg_gform"
	NameSimCLRGForm              = "simclr_gform"
	NameBarlowTwinsGForm         = "barlowtwins_gform"
	NameSpectralContrastiveGForm = "spectral_contrastive_gform"
	NameWMSE                     = "wmse"
)

// Hyper-parameter keys accepted by New.
const (
	ParamSimCoeff = "sim_coeff" // vicreg_official, default DefaultSimCoeff
	ParamStdCoeff = "std_coeff" // vicreg_official, default DefaultStdCoeff
	ParamCovCoeff = "cov_coeff" // vicreg_official, default DefaultCovCoeff
	ParamLambd    = "lambd"     // barlowtwins_official, default DefaultLambd
	ParamTau      = "tau"       // ntxent and simclr_gform, default DefaultTau
	ParamMu       = "mu"        // spectral_contrastive, default DefaultMu
	ParamAlpha    = "alpha"     // vicreg_gform (variance) and barlowtwins_gform (redundancy)
	ParamBeta     = "beta"      // vicreg_gform covariance weight, default DefaultBeta
	ParamGamma    = "gamma"     // vicreg_gform invariance weight, default DefaultGamma
	ParamWEps     = "w_eps"     // wmse covariance shrinkage, default 0
)

// Defaults of the hyper-parameters (the official code bases' defaults where
// they exist).
const (
	DefaultSimCoeff     = 25.0   // VICReg official
	DefaultStdCoeff     = 25.0   // VICReg official
	DefaultCovCoeff     = 1.0    // VICReg official
	DefaultLambd        = 0.0051 // BarlowTwins official
	DefaultTau          = 0.1    // SimCLR official temperature
	DefaultMu           = 1.0    // HaoChen et al. official
	DefaultVICRegGAlpha = 1.0
	DefaultBeta         = 1.0
	DefaultGamma        = 1.0
	DefaultBarlowGAlpha = 0.0051
)

// Fixed constants of the reference conventions. New accepts them as
// parameter keys only at exactly these values (the oracle files list them
// in their params).
const (
	VICRegStdEps   = 1e-4  // eps inside the sqrt of the official VICReg std
	BatchNormEps   = 1e-5  // eps inside the sqrt of BarlowTwins' BatchNorm1d
	NormalizeEps   = 1e-12 // F.normalize eps of ntxent, spectral_contrastive, simclr_gform
	BarlowGFormEps = 1e-6  // F.normalize(dim=0) eps of barlowtwins_gform
	VarClampMin    = 1e-6  // lower clamp of the variance in vicreg_gform
	VarClampMax    = 1.0   // upper clamp of the variance in vicreg_gform
)

type entry struct {
	keys  []string
	fixed map[string]float64
	build func(p map[string]float64) Loss
}

var registry = map[string]entry{
	NameVICRegOfficial: {
		keys:  []string{ParamSimCoeff, ParamStdCoeff, ParamCovCoeff},
		fixed: map[string]float64{"std_eps": VICRegStdEps},
		build: func(p map[string]float64) Loss {
			return VICRegOfficial{SimCoeff: p[ParamSimCoeff], StdCoeff: p[ParamStdCoeff], CovCoeff: p[ParamCovCoeff]}
		},
	},
	NameBarlowTwinsOfficial: {
		keys:  []string{ParamLambd},
		fixed: map[string]float64{"bn_eps": BatchNormEps},
		build: func(p map[string]float64) Loss { return BarlowTwinsOfficial{Lambd: p[ParamLambd]} },
	},
	NameNTXent: {
		keys:  []string{ParamTau},
		fixed: map[string]float64{"normalize_eps": NormalizeEps},
		build: func(p map[string]float64) Loss { return NTXent{Tau: p[ParamTau]} },
	},
	NameSpectralContrastive: {
		keys:  []string{ParamMu},
		fixed: map[string]float64{"normalize_eps": NormalizeEps},
		build: func(p map[string]float64) Loss { return SpectralContrastive{Mu: p[ParamMu]} },
	},
	NameVICRegGForm: {
		keys:  []string{ParamAlpha, ParamBeta, ParamGamma},
		fixed: map[string]float64{"var_clamp_min": VarClampMin, "var_clamp_max": VarClampMax},
		build: func(p map[string]float64) Loss {
			return VICRegGForm{Alpha: p[ParamAlpha], Beta: p[ParamBeta], Gamma: p[ParamGamma]}
		},
	},
	NameSimCLRGForm: {
		keys:  []string{ParamTau},
		fixed: map[string]float64{"normalize_eps": NormalizeEps},
		build: func(p map[string]float64) Loss { return SimCLRGForm{Tau: p[ParamTau]} },
	},
	NameBarlowTwinsGForm: {
		keys:  []string{ParamAlpha},
		fixed: map[string]float64{"normalize_eps": BarlowGFormEps},
		build: func(p map[string]float64) Loss { return BarlowTwinsGForm{Alpha: p[ParamAlpha]} },
	},
	NameSpectralContrastiveGForm: {
		build: func(map[string]float64) Loss { return SpectralContrastiveGForm{} },
	},
	NameWMSE: {
		keys:  []string{ParamWEps},
		fixed: map[string]float64{"normalize_eps": NormalizeEps},
		build: func(p map[string]float64) Loss { return WMSE{Eps: p[ParamWEps]} },
	},
}

// defaults fills in the documented default of every key missing from p.
var defaults = map[string]map[string]float64{
	NameVICRegOfficial:      {ParamSimCoeff: DefaultSimCoeff, ParamStdCoeff: DefaultStdCoeff, ParamCovCoeff: DefaultCovCoeff},
	NameBarlowTwinsOfficial: {ParamLambd: DefaultLambd},
	NameNTXent:              {ParamTau: DefaultTau},
	NameSpectralContrastive: {ParamMu: DefaultMu},
	NameVICRegGForm:         {ParamAlpha: DefaultVICRegGAlpha, ParamBeta: DefaultBeta, ParamGamma: DefaultGamma},
	NameSimCLRGForm:         {ParamTau: DefaultTau},
	NameBarlowTwinsGForm:    {ParamAlpha: DefaultBarlowGAlpha},
}

// Names returns the canonical loss names accepted by New, sorted.
func Names() []string {
	ns := make([]string, 0, len(registry))
	for n := range registry {
		ns = append(ns, n)
	}
	sort.Strings(ns)
	return ns
}

// Canonical returns the canonical form of a loss name or alias: lower case,
// hyphens replaced by underscores ("VICReg-Official" -> "vicreg_official",
// "nt-xent" -> "ntxent").
func Canonical(name string) string {
	n := strings.ReplaceAll(strings.ToLower(strings.TrimSpace(name)), "-", "_")
	if n == "nt_xent" {
		n = NameNTXent
	}
	return n
}

// ParamKeys returns the hyper-parameter keys a loss accepts (without the
// fixed constants), or nil for an unknown name.
func ParamKeys(name string) []string {
	return slices.Clone(registry[Canonical(name)].keys)
}

// New returns the loss called name (a name of Names or an alias, see
// Canonical) with the given hyper-parameters; missing keys take their
// documented defaults. Keys are those of the oracle files (ParamSimCoeff,
// ...); the fixed constants of the convention (std_eps, bn_eps,
// normalize_eps, var_clamp_min, var_clamp_max) are accepted only at their
// fixed value. An unknown name or key is an *Error wrapping ErrUnknown that
// lists the valid ones; a non-finite or out-of-range value (tau, mu, lambd
// or the BarlowTwins G-form alpha <= 0, a negative weight, w_eps outside
// [0, 1), all three VICReg weights zero) wraps ErrNaN or ErrParam.
func New(name string, params map[string]float64) (Loss, error) {
	n := Canonical(name)
	e, ok := registry[n]
	if !ok {
		return nil, errorf("new", "name", ErrUnknown, "%q (valid: %s)", name, strings.Join(Names(), ", "))
	}
	p := map[string]float64{}
	for k, v := range defaults[n] {
		p[k] = v
	}
	for k, v := range params {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, errorf(n, k, ErrNaN, "%v", v)
		}
		if fv, ok := e.fixed[k]; ok {
			if v != fv {
				return nil, errorf(n, k, ErrParam, "%v (fixed by the convention at %v)", v, fv)
			}
			continue
		}
		if !slices.Contains(e.keys, k) {
			valid := "none"
			if len(e.keys) > 0 {
				valid = strings.Join(e.keys, ", ")
			}
			return nil, errorf(n, k, ErrUnknown, "%v (valid keys: %s)", v, valid)
		}
		p[k] = v
	}
	for _, k := range e.keys {
		if err := checkParam(n, k, p[k]); err != nil {
			return nil, err
		}
	}
	if len(e.keys) == 3 && p[e.keys[0]] == 0 && p[e.keys[1]] == 0 && p[e.keys[2]] == 0 {
		// The all-zero struct means the defaults; an all-zero loss is no loss.
		return nil, errorf(n, strings.Join(e.keys, ","), ErrParam, "all zero")
	}
	return e.build(p), nil
}

// checkParam rejects values that the concrete structs would silently
// replace by their default (zero) or that make no sense (negative).
func checkParam(op, k string, v float64) error {
	switch k {
	case ParamWEps:
		if v < 0 || v >= 1 {
			return errorf(op, k, ErrParam, "%v (must be in [0, 1))", v)
		}
	case ParamTau, ParamMu:
		if v <= 0 {
			return errorf(op, k, ErrParam, "%v (must be > 0)", v)
		}
	case ParamLambd:
		if v <= 0 {
			return errorf(op, k, ErrParam, "%v (must be > 0)", v)
		}
	case ParamAlpha:
		if op == NameBarlowTwinsGForm && v <= 0 {
			return errorf(op, k, ErrParam, "%v (must be > 0)", v)
		}
		if v < 0 {
			return errorf(op, k, ErrParam, "%v (must be >= 0)", v)
		}
	default:
		if v < 0 {
			return errorf(op, k, ErrParam, "%v (must be >= 0)", v)
		}
	}
	return nil
}

func fmtShape(m *mat.Dense) string {
	r, c := m.Dims()
	return fmt.Sprintf("%dx%d", r, c)
}

var (
	_ Loss = VICRegOfficial{}
	_ Loss = BarlowTwinsOfficial{}
	_ Loss = NTXent{}
	_ Loss = SpectralContrastive{}
	_ Loss = WMSE{}
	_ Loss = VICRegGForm{}
	_ Loss = SimCLRGForm{}
	_ Loss = BarlowTwinsGForm{}
	_ Loss = SpectralContrastiveGForm{}
)
