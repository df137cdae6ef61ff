package closedform

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/eigenssl/eigenssl/graph"
	"github.com/eigenssl/eigenssl/loss"
	"gonum.org/v1/gonum/mat"
)

// Loss names accepted by Solve (hyphens are accepted for underscores).
const (
	// VICReg is the smooth surrogate
	//
	//	f(Z) = ‖Cov(Z) − I‖_F² + (γ/N) Σ_ij G_ij ‖z_i − z_j‖²,  Cov(Z) = Zᵀ H Z / N,
	//
	// (biased 1/N covariance; loss.VICRegSmooth).
	VICReg = "vicreg"
	// VICRegHard is the hard-constraint limit: minimise the invariance term
	// (1/N) Σ_ij G_ij ‖z_i − z_j‖² = 2 Tr(ZᵀLZ)/N subject to Cov(Z) = I
	// (1/N covariance).
	VICRegHard = "vicreg_hard"
	// VICRegHinge is the paper's exact VICReg, loss.VICRegGForm (hinge on
	// the unbiased variances, parameters Alpha, Beta, Gamma).
	VICRegHinge = "vicreg_hinge"
	// SimCLR is loss.SimCLRGForm (temperature Tau).
	SimCLR = "simclr"
	// BarlowTwins is loss.BarlowTwinsGForm (off-diagonal weight Alpha).
	BarlowTwins = "barlowtwins"
	// SpectralContrastive is loss.SpectralContrastiveGForm,
	// ‖D^{-1/2} G D^{-1/2} − Z Zᵀ‖_F².
	SpectralContrastive = "spectral_contrastive"
)

// Regimes accepted by Solve.
const (
	// Feature is the free representation Z (N x K).
	Feature = "feature"
	// Linear is Z = X W (+ 1 bᵀ for the centred VICReg losses), W D x K.
	Linear = "linear"
	// Kernel is Z = K_X A (+ 1 bᵀ for the VICReg losses), A N x K: the
	// linear regime with the kernel matrix as design. Inherently O(N²)
	// memory and O(N³) time.
	Kernel = "kernel"
)

// Defaults of Problem; the zero value of a field means its default. The
// losses themselves are built by loss.New (see lossOf), and every default
// is loss's except one:
//
// DefaultAlpha is 1 for BarlowTwins, where loss.DefaultBarlowGAlpha is
// 0.0051 (the official code's λ). The closed forms of BarlowTwins are
// stated and proven for the unweighted ‖C − I‖_F², α = 1: the minimum K − c
// in feature space, the linear bound K − r₊ and their exactness tests
// (docs/THEORY.md section 4). For α ≠ 1 only the bounds min(1, α)(·) hold
// and Solve returns Exact = false; pass Alpha = loss.DefaultBarlowGAlpha to
// study the official weighting. For VICRegHinge, α = 1 is loss's default.
const (
	DefaultGamma = loss.DefaultGamma        // VICReg invariance weight γ
	DefaultAlpha = loss.DefaultVICRegGAlpha // 1: VICRegHinge variance weight; BarlowTwins off-diagonal weight (see above)
	DefaultBeta  = loss.DefaultBeta         // VICRegHinge covariance weight
	DefaultTau   = loss.DefaultTau          // SimCLR temperature
)

// MaxKernelN bounds N in the kernel regime: the N x N kernel matrix takes
// 8N² bytes (3.2 GB at 20,000).
const MaxKernelN = 20000

// checkKernelN refuses a kernel regime on more than MaxKernelN samples.
func checkKernelN(op string, n int) error {
	if n > MaxKernelN {
		return newErr(op, "N", n, fmt.Errorf("%w: the kernel regime holds an N x N matrix; N exceeds MaxKernelN = %d (use the linear regime or subsample)", ErrParam, MaxKernelN))
	}
	return nil
}

// Losses returns the loss names accepted by Solve.
func Losses() []string {
	return []string{VICReg, VICRegHard, VICRegHinge, SimCLR, BarlowTwins, SpectralContrastive}
}

// Regimes returns the regime names accepted by Solve.
func Regimes() []string { return []string{Feature, Linear, Kernel} }

// Problem describes one closed-form problem: a loss, a regime, the relation
// graph G of positive pairs (N x N, symmetric, non-negative, zero diagonal)
// and the embedding dimension K.
type Problem struct {
	Loss, Regime string
	// G is the relation graph; its rows are the samples.
	G *graph.CSR
	// X is the N x D design of the linear regime (rows aligned with G).
	X *mat.Dense
	// KernelMatrix is the N x N symmetric kernel K_X of the kernel regime
	// (see RBFKernel).
	KernelMatrix *mat.Dense
	// K is the number of output dimensions.
	K int
	// Gamma is γ of VICReg, VICRegHinge (0: DefaultGamma).
	Gamma float64
	// Alpha is the off-diagonal weight of BarlowTwins or the variance
	// weight of VICRegHinge (0: DefaultAlpha); Beta the covariance weight
	// of VICRegHinge (0: DefaultBeta).
	Alpha, Beta float64
	// Tau is the SimCLR temperature (0: DefaultTau).
	Tau float64
	// Seed fixes every random choice (starting points of solvers).
	Seed uint64
}

func canonical(s string) string {
	return strings.ReplaceAll(strings.ToLower(strings.TrimSpace(s)), "-", "_")
}

// withDefaults returns p with canonical names and defaults filled in.
func (p Problem) withDefaults() Problem {
	p.Loss = canonical(p.Loss)
	p.Regime = cmp.Or(canonical(p.Regime), Feature)
	p.Gamma = cmp.Or(p.Gamma, DefaultGamma)
	p.Alpha = cmp.Or(p.Alpha, DefaultAlpha)
	p.Beta = cmp.Or(p.Beta, DefaultBeta)
	p.Tau = cmp.Or(p.Tau, DefaultTau)
	return p
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

func checkMatrix(op, name string, m *mat.Dense) error {
	r, c := m.Dims()
	if r == 0 || c == 0 {
		return newErr(op, name, nil, ErrEmpty)
	}
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			if !finite(m.At(i, j)) {
				return newErr(op, name, nil, ErrNaN)
			}
		}
	}
	return nil
}

// checkParams checks K >= 1 and that γ, α, β, τ are finite and >= 0.
func (p Problem) checkParams(op string) error {
	if p.K < 1 {
		return newErr(op, "K", p.K, ErrParam)
	}
	for _, kv := range []struct {
		name string
		v    float64
	}{{"gamma", p.Gamma}, {"alpha", p.Alpha}, {"beta", p.Beta}, {"tau", p.Tau}} {
		if !finite(kv.v) || kv.v < 0 {
			return newErr(op, kv.name, kv.v, ErrParam)
		}
	}
	return nil
}

// validate checks p (after withDefaults) and returns the number of samples.
func (p Problem) validate(op string) (int, error) {
	if !slices.Contains(Losses(), p.Loss) {
		return 0, newErr(op, "loss", p.Loss, errUnknownList(ErrUnknown, Losses()))
	}
	if p.Regime != Feature && p.Regime != Linear && p.Regime != Kernel {
		return 0, newErr(op, "regime", p.Regime, errUnknownList(ErrUnknown, Regimes()))
	}
	if p.G == nil || p.G.N == 0 {
		return 0, newErr(op, "G", nil, ErrEmpty)
	}
	if err := p.G.Validate(); err != nil {
		return 0, newErr(op, "G", nil, wrap2(ErrGraph, err))
	}
	for _, v := range p.G.Val {
		if v < 0 {
			return 0, newErr(op, "G", v, wrap2(ErrGraph, errNegative))
		}
	}
	for i := 0; i < p.G.N; i++ {
		for t := p.G.RowPtr[i]; t < p.G.RowPtr[i+1]; t++ {
			if p.G.Col[t] == i && p.G.Val[t] != 0 {
				return 0, newErr(op, "G", nil, wrap2(ErrGraph, errDiagonal))
			}
		}
	}
	if p.G.NNZ() == 0 {
		return 0, newErr(op, "G", "no edges", ErrGraph)
	}
	n := p.G.N
	if err := p.checkParams(op); err != nil {
		return 0, err
	}
	switch p.Regime {
	case Linear:
		if p.X == nil {
			return 0, newErr(op, "X", nil, ErrEmpty)
		}
		if err := checkMatrix(op, "X", p.X); err != nil {
			return 0, err
		}
		if r, _ := p.X.Dims(); r != n {
			return 0, newErr(op, "X", r, wrap2(ErrShape, errRowsG))
		}
	case Kernel:
		if p.KernelMatrix == nil {
			return 0, newErr(op, "KernelMatrix", nil, ErrEmpty)
		}
		if err := checkMatrix(op, "KernelMatrix", p.KernelMatrix); err != nil {
			return 0, err
		}
		r, c := p.KernelMatrix.Dims()
		if r != n || c != n {
			return 0, newErr(op, "KernelMatrix", [2]int{r, c}, wrap2(ErrShape, errRowsG))
		}
	}
	return n, nil
}

// design returns the design matrix of the linear or kernel regime.
func (p Problem) design() *mat.Dense {
	switch p.Regime {
	case Feature:
		return nil
	case Kernel:
		return p.KernelMatrix
	}
	return p.X
}

// Bounds brackets the optimal loss when no closed form is known.
type Bounds struct {
	// Lower and Upper bracket the minimum of the loss (Upper is the loss of
	// an explicit point, usually Solution.Z).
	Lower float64 `json:"lower"`
	Upper float64 `json:"upper"`
	// Note says where each bound comes from.
	Note string `json:"note"`
}

// Solution is the closed-form (or best known) optimum of a Problem. Its
// JSON form (encoding/json) holds every scalar and spectrum field; the
// matrices Z, W, A, Bias and Subspace are written separately by callers.
//
// Only the left singular vectors and singular values of Z* are pinned by
// the losses; the right factor R (Z* = U S Rᵀ) is free. Compare therefore
// measures subspaces and singular values, never coordinates.
type Solution struct {
	Loss   string `json:"loss"`
	Regime string `json:"regime"`
	// Exact is true when Z* is a proven global minimiser of the loss and
	// PredictedLoss its minimum. When false, Z is the best known
	// characterisation, PredictedLoss its loss, and Bounds brackets the
	// minimum; Refine improves it numerically.
	Exact bool `json:"exact"`
	// Z is the N x K representation. W (linear, D x K) and A (kernel, N x K)
	// give Z = X W + 1 Biasᵀ or Z = K_X A + 1 Biasᵀ.
	Z, W, A *mat.Dense `json:"-"`
	// Bias is the row added to X W (or K_X A); nil when the loss takes no
	// bias. For the VICReg losses it centres Z (they are invariant to it).
	Bias []float64 `json:"-"`
	// PredictedLoss is the loss value at Z (the minimum when Exact).
	PredictedLoss float64 `json:"predicted_loss"`
	// Rank is the predicted rank of Z* (of the centred Z* for VICReg, of
	// the row-normalised Z* for SimCLR).
	Rank int `json:"rank"`
	// SingularValues of Z (descending, K values; of the centred Z for
	// VICReg, of the row-normalised Z for SimCLR). SingularValuesPinned reports whether the loss fixes them (it
	// does not for BarlowTwins' free column scales or SimCLR's row scales).
	SingularValues       []float64 `json:"singular_values"`
	SingularValuesPinned bool      `json:"singular_values_pinned"`
	// Operator names the matrix whose eigenvectors span Z*, Spectrum holds
	// the eigenvalues used (K of them plus the next one when known, in the
	// order stated by Operator).
	Operator string    `json:"operator"`
	Spectrum []float64 `json:"spectrum"`
	// Subspace is an orthonormal basis of the subspace that contains the
	// column space of every optimal Z (of the centred Z for VICReg). It has
	// Rank columns when the optimum is unique up to R, more when the
	// spectrum is degenerate at the K-th eigenvalue; nil when not pinned.
	Subspace *mat.Dense `json:"-"`
	// EquivalentMethod names the spectral method with the same solution.
	EquivalentMethod string `json:"equivalent_method"`
	// FreeRightFactorDim is the dimension of the group of free right
	// factors: K(K−1)/2 for a free rotation R of the K columns (restricted
	// to the non-zero part when Z* is rank deficient).
	FreeRightFactorDim int `json:"free_right_factor_dim"`
	// Components is c, the number of connected components of G (isolated
	// vertices included): dim null(L) = c, and the collapsed ranks are c−1
	// (VICReg, SimCLR) or c (BarlowTwins).
	Components int `json:"components"`
	// RankThresholds (smooth VICReg) lists the γ at which rank(Z*) drops:
	// column k vanishes for γ >= 1/λ_k (λ_k > 0, k <= K), ascending. For
	// the augmentation graph of V views every threshold is 1/V.
	RankThresholds []float64 `json:"rank_thresholds,omitempty"`
	// Bounds brackets the minimum when Exact is false (nil otherwise).
	Bounds *Bounds `json:"bounds,omitempty"`
	// Convergence records how Z was reached: set by Optimum (StatusExact
	// for closed forms) and Refine; nil from Solve.
	Convergence *Convergence `json:"convergence,omitempty"`
	// Note explains approximations, conventions and degeneracies.
	Note string `json:"note"`

	prob Problem
}

// Problem returns the (defaulted) problem the solution was computed for.
func (s *Solution) Problem() Problem { return s.prob }
