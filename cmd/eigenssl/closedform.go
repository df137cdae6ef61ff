package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/eigenssl/eigenssl/closedform"
	"github.com/eigenssl/eigenssl/data"
	"github.com/eigenssl/eigenssl/graph"
	"github.com/spf13/cobra"
	"gonum.org/v1/gonum/mat"
)

func init() { verbs = append(verbs, NewCmdClosedform) }

// maxKernelN bounds N in the kernel regime (N² doubles: 3.2 GB at 20,000).
const maxKernelN = 20000

// closedformOptions are the flags of the "closedform" verb.
type closedformOptions struct {
	Loss, Regime string
	Input        string
	Relation     string
	ImageShape   string
	K            int
	Gamma        float64
	Alpha, Beta  float64
	Tau          float64
	Sigma        float64
	Refine       int
	Check        bool
	Seed         uint64
	Out          string
}

// NewCmdClosedform returns the "closedform" verb: the optimal representation
// of an SSL loss in closed form (or its best characterisation).
func NewCmdClosedform(s *Streams) *cobra.Command {
	opts := &closedformOptions{}
	cmd := &cobra.Command{
		Use:   "closedform --loss NAME [--regime feature|linear|kernel] --input X.npy --relation SPEC -k K -o DIR",
		Short: "Closed-form optimum of an SSL loss on a relation graph",
		Long: `Compute the optimal representation Z* of a self-supervised loss on the relation
graph G of positive pairs (Balestriero & LeCun 2022; see "go doc closedform"),
and write DIR/Z.npy, DIR/W.npy (linear regime) or DIR/A.npy (kernel regime) and
DIR/summary.json (predicted loss, rank, singular values, operator and spectrum,
equivalent spectral method, exact/approximate flag, bounds).

Losses: vicreg (smooth surrogate, --gamma), vicreg_hard (Cov(Z) = I),
vicreg_hinge (paper's VICReg, --alpha --beta --gamma), simclr (--tau),
barlowtwins (--alpha), spectral_contrastive.
Regimes: feature (free Z), linear (Z = X W), kernel (Z = K_X A, RBF kernel of
bandwidth --sigma, 0: median heuristic; O(N^2) memory).

--relation builds G on the rows of --input:
  views:V=v                  rows are already v stacked views (row v*N'+n)
  views:V=v,augment=SPEC     rows are originals; v augmented views are made
                             (SPEC as in data.ParseAugment, e.g. noise:0.1;
                             image operations need --image-shape HxW)
  labels:FILE                G = Y Y^T - I from integer labels
  knn:k=K[,OPTS]             k-nearest-neighbour graph of the rows (default
                             binary, union; OPTS metric=euclidean|cosine,
                             sym=union|mutual, weight=binary|gaussian|distance,
                             sigma=S)
  epsilon:eps=E[,OPTS]       pairs within distance E (OPTS as knn, no sym)
  edges:FILE                 edge list (CSV i,j[,w] or .npz row/col/weight)
Approximate solutions (hinge VICReg with K > c-1, SimCLR, linear BarlowTwins)
are refined numerically with --refine iterations (default 2000; 0 disables).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return closedformRun(opts, s) },
	}
	f := cmd.Flags()
	f.StringVar(&opts.Loss, "loss", "", "loss name")
	f.StringVar(&opts.Regime, "regime", closedform.Feature, "feature, linear or kernel")
	f.StringVar(&opts.Input, "input", "", "input matrix X (.npy, .npz or .csv), one sample per row")
	f.StringVar(&opts.Relation, "relation", "", "relation graph spec (see above)")
	f.StringVar(&opts.ImageShape, "image-shape", "", "HxW of image rows, for image augmentations")
	f.IntVarP(&opts.K, "components", "k", 2, "number of output dimensions K")
	f.Float64Var(&opts.Gamma, "gamma", 0, "VICReg invariance weight γ (0: 1)")
	f.Float64Var(&opts.Alpha, "alpha", 0, "BarlowTwins off-diagonal weight / hinge VICReg variance weight (0: 1)")
	f.Float64Var(&opts.Beta, "beta", 0, "hinge VICReg covariance weight (0: 1)")
	f.Float64Var(&opts.Tau, "tau", 0, "SimCLR temperature (0: 0.1)")
	f.Float64Var(&opts.Sigma, "sigma", 0, "RBF bandwidth of the kernel regime (0: median heuristic)")
	f.IntVar(&opts.Refine, "refine", 2000, "L-BFGS iterations refining approximate solutions (0: none)")
	f.BoolVar(&opts.Check, "check-equivalent", false, "also run the equivalent spectral method and report the principal angles")
	f.Uint64Var(&opts.Seed, "seed", 0, "random seed (augmentations, solver starts)")
	f.StringVarP(&opts.Out, "out", "o", "", "output directory")
	return cmd
}

// closedformRelation builds G (and possibly the stacked views of x) from a
// graph.ParseRelation spec; V is required for views and labels need a file.
func closedformRelation(spec string, x *mat.Dense, imageShape [2]int, seed uint64) (*graph.CSR, *mat.Dense, error) {
	r, err := graph.ParseRelation(spec)
	if err != nil {
		return nil, nil, usageError{fmt.Errorf("closedform: --relation: %w", err)}
	}
	var y []int
	switch {
	case r.Kind == graph.ViewsRelation && r.V == 0:
		return nil, nil, usagef("closedform: --relation %q: V is required (views:V=v[,augment=SPEC])", spec)
	case r.Kind == graph.ViewsRelation && r.Augment != "":
		p, err := data.ParseAugment(r.Augment, imageShape)
		if err != nil {
			return nil, nil, usageError{err}
		}
		xv, g, err := data.MakeViews(x, r.V, p, seed)
		return g, xv, err
	case r.Kind == graph.LabelsRelation:
		if r.Path == "" {
			return nil, nil, usagef("closedform: --relation labels:FILE needs a file")
		}
		if y, err = data.ReadLabels(r.Path); err != nil {
			return nil, nil, err
		}
		if n, _ := x.Dims(); len(y) != n {
			return nil, nil, fmt.Errorf("closedform: %s has %d labels; the input has %d rows", r.Path, len(y), n)
		}
	}
	g, _, err := r.Build(x, y)
	if err != nil {
		return nil, nil, fmt.Errorf("closedform: --relation %s: %w", spec, err)
	}
	return g, x, nil
}

// closedformSummary is the content of summary.json.
type closedformSummary struct {
	Loss                 string             `json:"loss"`
	Regime               string             `json:"regime"`
	N                    int                `json:"n"`
	K                    int                `json:"k"`
	Exact                bool               `json:"exact"`
	PredictedLoss        float64            `json:"predicted_loss"`
	Rank                 int                `json:"rank"`
	Components           int                `json:"components"`
	SingularValues       []float64          `json:"singular_values"`
	SingularValuesPinned bool               `json:"singular_values_pinned"`
	Operator             string             `json:"operator"`
	Spectrum             []float64          `json:"spectrum"`
	EquivalentMethod     string             `json:"equivalent_method"`
	FreeRightFactorDim   int                `json:"free_right_factor_dim"`
	RankThresholds       []float64          `json:"rank_thresholds,omitempty"`
	Bounds               *closedform.Bounds `json:"bounds,omitempty"`
	Refined              *closedformRefined `json:"refined,omitempty"`
	Equivalence          *closedformEquiv   `json:"equivalence,omitempty"`
	Note                 string             `json:"note"`
	Files                map[string]string  `json:"files"`
}

type closedformRefined struct {
	Initial    float64 `json:"initial"`
	Final      float64 `json:"final"`
	Gap        float64 `json:"gap"`
	Iterations int     `json:"iterations"`
	Converged  bool    `json:"converged"`
}

type closedformEquiv struct {
	Method   string  `json:"method"`
	MaxAngle float64 `json:"max_angle_rad"`
	Note     string  `json:"note,omitempty"`
}

func closedformRun(opts *closedformOptions, s *Streams) error {
	switch {
	case opts.Loss == "":
		return usagef("closedform: --loss is required (one of %s)", strings.Join(closedform.Losses(), ", "))
	case opts.Input == "":
		return usagef("closedform: --input is required")
	case opts.Relation == "":
		return usagef("closedform: --relation is required")
	case opts.Out == "":
		return usagef("closedform: -o is required")
	case opts.K < 1:
		return usagef("closedform: -k must be positive, got %d", opts.K)
	case opts.Refine < 0:
		return usagef("closedform: --refine must be >= 0, got %d", opts.Refine)
	}
	known := false
	for _, l := range closedform.Losses() {
		known = known || l == strings.ReplaceAll(strings.ToLower(opts.Loss), "-", "_")
	}
	if !known {
		return usagef("closedform: --loss %q: want one of %s", opts.Loss, strings.Join(closedform.Losses(), ", "))
	}
	var shape [2]int
	if opts.ImageShape != "" {
		var err error
		if shape, err = parseShape("closedform", opts.ImageShape); err != nil {
			return err
		}
	}
	x, err := data.ReadMatrix(opts.Input)
	if err != nil {
		return err
	}
	g, x, err := closedformRelation(opts.Relation, x, shape, opts.Seed)
	if err != nil {
		return err
	}
	p := closedform.Problem{Loss: opts.Loss, Regime: opts.Regime, G: g, K: opts.K,
		Gamma: opts.Gamma, Alpha: opts.Alpha, Beta: opts.Beta, Tau: opts.Tau, Seed: opts.Seed}
	switch strings.ToLower(opts.Regime) {
	case closedform.Linear:
		p.X = x
	case closedform.Kernel:
		if n, _ := x.Dims(); n > maxKernelN {
			return fmt.Errorf("closedform: the kernel regime holds an N x N matrix; N = %d exceeds %d (use --regime linear or subsample)", n, maxKernelN)
		}
		km, err := closedform.RBFKernel(x, opts.Sigma)
		if err != nil {
			return err
		}
		p.KernelMatrix = km
	case closedform.Feature:
	default:
		return usagef("closedform: --regime %q: want one of %s", opts.Regime, strings.Join(closedform.Regimes(), ", "))
	}
	sol, err := closedform.Solve(p)
	if err != nil {
		return err
	}
	var refined *closedformRefined
	if !sol.Exact && opts.Refine > 0 {
		ref, res, err := closedform.Refine(sol, closedform.RefineSettings{MaxIter: opts.Refine})
		if err != nil {
			return err
		}
		refined = &closedformRefined{res.Initial, res.Final, res.Gap, res.Iterations, res.Converged()}
		sol = ref
	}
	var equiv *closedformEquiv
	if opts.Check {
		eq, err := closedform.CheckEquivalent(sol)
		if err != nil {
			return err
		}
		equiv = &closedformEquiv{eq.Method, eq.MaxAngle, eq.Note}
	}
	if err := os.MkdirAll(opts.Out, 0o755); err != nil {
		return err
	}
	files := map[string]string{"Z": filepath.Join(opts.Out, "Z.npy")}
	if err := data.WriteMatrix(files["Z"], sol.Z); err != nil {
		return err
	}
	if sol.W != nil {
		files["W"] = filepath.Join(opts.Out, "W.npy")
		if err := data.WriteMatrix(files["W"], sol.W); err != nil {
			return err
		}
	}
	if sol.A != nil {
		files["A"] = filepath.Join(opts.Out, "A.npy")
		if err := data.WriteMatrix(files["A"], sol.A); err != nil {
			return err
		}
	}
	if sol.Bias != nil {
		files["bias"] = filepath.Join(opts.Out, "bias.npy")
		if err := data.WriteMatrix(files["bias"], mat.NewDense(1, len(sol.Bias), sol.Bias)); err != nil {
			return err
		}
	}
	n, _ := sol.Z.Dims()
	sum := closedformSummary{
		Loss: sol.Loss, Regime: sol.Regime, N: n, K: opts.K, Exact: sol.Exact,
		PredictedLoss: sol.PredictedLoss, Rank: sol.Rank, Components: sol.Components, SingularValues: finiteOrZero(sol.SingularValues),
		SingularValuesPinned: sol.SingularValuesPinned, Operator: sol.Operator, Spectrum: finiteOrZero(sol.Spectrum),
		EquivalentMethod: sol.EquivalentMethod, FreeRightFactorDim: sol.FreeRightFactorDim,
		RankThresholds: sol.RankThresholds, Bounds: sol.Bounds, Refined: refined, Equivalence: equiv,
		Note: sol.Note, Files: files,
	}
	buf, err := json.MarshalIndent(sum, "", "  ")
	if err != nil {
		return err
	}
	summary := filepath.Join(opts.Out, "summary.json")
	if err := data.WriteAtomic(summary, func(w io.Writer) error {
		_, err := w.Write(append(buf, '\n'))
		return err
	}); err != nil {
		return err
	}
	_, err = fmt.Fprintf(s.Out, "%s\n", buf)
	return err
}

// finiteOrZero replaces non-finite values (which JSON cannot hold) by 0.
func finiteOrZero(v []float64) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		if !math.IsNaN(x) && !math.IsInf(x, 0) {
			out[i] = x
		}
	}
	return out
}
