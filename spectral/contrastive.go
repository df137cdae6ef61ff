package spectral

import (
	"math"

	"github.com/eigenssl/eigenssl/graph"
	"github.com/eigenssl/eigenssl/linalg"
	"gonum.org/v1/gonum/mat"
)

// SpectralContrastive is the closed-form optimum of the spectral contrastive
// loss (HaoChen et al. 2021; THEORY §4), ‖Gt − Z Zᵀ‖²_F with the
// symmetrised Gt = D^{-1/2} G D^{-1/2}:
//
//	feature space:  Z = U_K diag(sqrt(max(μ_k, 0))),
//
// the top K eigenpairs (μ descending, the top one μ = 1, u ∝ sqrt(deg),
// included) of Gt; the optimal loss is ‖Gt‖²_F − Σ_{k, μ_k > 0} μ_k².
//
//	linear regime (Linear):  X = U_x S_x V_xᵀ (thin SVD, rank r),
//	M* = E_K Λ_K^{1/2} from the top K eigenpairs of U_xᵀ Gt U_x,
//	W* = V_x S_x^{-1} M*,  Z = X W* = U_x M*.
//
// Only the left singular vectors and values of Z are pinned (any Z R with R
// orthogonal is optimal); columns here are the eigenvectors, sign rule
// applied. X is used as given (not centred).
//
// Fit builds the kNN affinity of LaplacianEigenmaps (or reads the N x N
// affinity with Precomputed, feature space only); FitGraph takes a relation
// graph (x may be nil in feature space). Transform is exact (x W*) in the
// linear regime and the Nyström extension in feature space,
// u_k(x) = Σ_j w_j(x) u_jk / (μ_k sqrt(d(x) d_j)), z = sqrt(μ) u, which
// reproduces the training rows. The feature-space eigenproblem uses the
// dense solver up to linalg.DenseAutoMaxN points and Lanczos on the sparse Gt
// above.
type SpectralContrastive struct {
	// Components is K (default 2), 1 <= K < N (K <= rank X when Linear).
	Components int
	// Neighbors is the k of the kNN affinity in Fit, self included
	// (default max(N/10, 2)).
	Neighbors int
	// Search configures the neighbour search of the kNN affinity Fit
	// builds: Approx (with its Seed) selects graph's approximate search
	// (NN-descent, used from 2048 rows on; see graph.KNNOptions.Approx),
	// Workers caps its goroutines. Any other field set is an ErrParam (the
	// estimator fixes the affinity's metric and weights). Zero: exact.
	Search graph.KNNOptions
	// Precomputed says that Fit receives the N x N affinity (diagonal
	// ignored) and Transform M x N affinity rows.
	Precomputed bool
	// Linear selects the linear regime Z = X W.
	Linear bool
	// Solver, Tol, MaxIter and Seed configure the eigensolver.
	Solver  Solver
	Tol     float64
	MaxIter int
	Seed    uint64

	g      *graph.CSR
	deg    []float64
	vals   []float64
	u      *mat.Dense // feature space: unit eigenvectors
	z      *mat.Dense
	w      *mat.Dense // linear regime: D x K
	aff    *knnAffinity
	fitted bool
}

// Fit computes the optimum for the rows of x (N x D) and their kNN
// affinity, or for the affinity x (N x N) when Precomputed.
func (s *SpectralContrastive) Fit(x *mat.Dense) error {
	const op = "contrastive.fit"
	s.fitted = false
	if s.Linear {
		if s.Precomputed {
			return errorf(op, "Linear", true, ErrParam, "the linear regime needs the data: use FitGraph(x, g)")
		}
		xd, err := checkData(op, "x", x)
		if err != nil {
			return err
		}
		g, _, err := knnGraph(op, xd, s.Neighbors, s.Search)
		if err != nil {
			return err
		}
		return s.fitLinear(op, xd, g)
	}
	g, aff, err := fitAffinity(op, x, s.Precomputed, s.Neighbors, s.Search)
	if err != nil {
		return err
	}
	return s.fitFeature(op, g, aff)
}

// FitGraph computes the optimum for the relation graph g; x (N x D) is
// required in the linear regime and ignored (may be nil) otherwise.
func (s *SpectralContrastive) FitGraph(x *mat.Dense, g *graph.CSR) error {
	const op = "contrastive.fitgraph"
	s.fitted = false
	if !s.Linear {
		if err := checkGraphRows(op, g, x); err != nil {
			return err
		}
		return s.fitFeature(op, g, nil)
	}
	xd, err := checkData(op, "x", x)
	if err != nil {
		return err
	}
	if err := checkGraphRows(op, g, xd); err != nil {
		return err
	}
	return s.fitLinear(op, xd, g)
}

func (s *SpectralContrastive) fitFeature(op string, g *graph.CSR, aff *knnAffinity) error {
	n := g.N
	k, err := components(op, s.Components, n-1)
	if err != nil {
		return err
	}
	vals, u, deg, err := graphEigen(op, g, k, graphLargestAdj, s.Solver, s.Tol, s.MaxIter, s.Seed)
	if err != nil {
		return err
	}
	z := sqrtScaled(u, vals)
	s.g, s.deg, s.vals, s.u, s.z, s.w, s.aff, s.fitted = g, deg, vals, u, z, nil, aff, true
	return nil
}

func (s *SpectralContrastive) fitLinear(op string, x *mat.Dense, g *graph.CSR) error {
	n, d := x.Dims()
	var svd mat.SVD
	if !svd.Factorize(x, mat.SVDThin) {
		return errorf(op, "x", nil, ErrNoConvergence, "SVD of x failed")
	}
	sv := svd.Values(nil)
	var ux, vx mat.Dense
	svd.UTo(&ux)
	svd.VTo(&vx)
	r := 0
	for _, v := range sv {
		if v > float64(max(n, d))*1e-15*sv[0] {
			r++
		}
	}
	k, err := components(op, s.Components, min(r, n-1))
	if err != nil {
		return err
	}
	ur := mat.DenseCopyOf(ux.Slice(0, n, 0, r))
	an, err := graph.NormalizedAdjacency(g)
	if err != nil {
		return wrapGraph(op, err)
	}
	au := mat.NewDense(n, r, nil)
	an.MulMatTo(au, ur)
	var md mat.Dense
	md.Mul(ur.T(), au)
	ms := linalg.SymmetricPart(&md)
	vals, e, err := linalg.EigSymRange(ms, r-k, r)
	if err != nil {
		return wrapLinalg(op, err)
	}
	vals, e, _ = reverse(vals, e)
	// W = V_x S_x^{-1} M*, M* = E_K Λ_K^{1/2}.
	sm := sqrtScaled(e, vals)
	for i := 0; i < r; i++ {
		row := sm.RawRowView(i)
		for j := range row {
			row[j] /= sv[i]
		}
	}
	w := mat.NewDense(d, k, nil)
	w.Mul(vx.Slice(0, d, 0, r), sm)
	z := mat.NewDense(n, k, nil)
	z.Mul(x, w)
	s.g, s.deg, s.vals, s.u, s.z, s.w, s.aff, s.fitted = g, g.Degree(nil), vals, nil, z, w, nil, true
	return nil
}

// Embedding returns a copy of the N x K optimum Z.
func (s *SpectralContrastive) Embedding() *mat.Dense {
	if !s.fitted {
		return nil
	}
	return copyOrNil(s.z)
}

// Eigenvalues returns the K eigenvalues μ (of Gt, or of U_xᵀ Gt U_x when
// Linear), descending.
func (s *SpectralContrastive) Eigenvalues() []float64 {
	if !s.fitted {
		return nil
	}
	return append([]float64(nil), s.vals...)
}

// Weights returns a copy of W* (D x K) in the linear regime, nil otherwise.
func (s *SpectralContrastive) Weights() *mat.Dense {
	if !s.fitted {
		return nil
	}
	return copyOrNil(s.w)
}

// Transform embeds new points: x W* (Linear), else the Nyström extension of
// the rows of x (data fitted with Fit) or of M x N affinity rows
// (Precomputed).
func (s *SpectralContrastive) Transform(x mat.Matrix) (*mat.Dense, error) {
	const op = "contrastive.transform"
	if !s.fitted {
		return nil, notFitted(op)
	}
	if s.w != nil {
		return linearTransform(op, true, s.w, x)
	}
	w, err := newAffinityRows(op, s.aff, s.Precomputed, s.g.N, x)
	if err != nil {
		return nil, err
	}
	return s.nystrom(op, w)
}

// TransformAffinity embeds new points from their affinity rows w (M x N) to
// the training points (feature space only).
func (s *SpectralContrastive) TransformAffinity(w mat.Matrix) (*mat.Dense, error) {
	const op = "contrastive.transformaffinity"
	if !s.fitted {
		return nil, notFitted(op)
	}
	if s.w != nil {
		return nil, errorf(op, "Linear", true, ErrParam, "the linear regime transforms data: use Transform")
	}
	wd, err := checkAffinityRows(op, w, s.g.N)
	if err != nil {
		return nil, err
	}
	return s.nystrom(op, wd)
}

func (s *SpectralContrastive) nystrom(op string, w *mat.Dense) (*mat.Dense, error) {
	return nystromRows(op, w, scaledByInvSqrtDegree(s.u, s.deg), func(x, d float64, j int) float64 {
		if s.vals[j] <= 0 {
			return 0
		}
		// z = sqrt(μ) u(x), u(x) = (w v) / (μ sqrt(d)).
		return x * (1 / (math.Sqrt(s.vals[j]) * math.Sqrt(d)))
	})
}
