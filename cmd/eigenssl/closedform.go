package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
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
	Draws        int
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
bandwidth --sigma > 0, 0: median heuristic; O(N^2) memory, N <= 20000).

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
Approximate solutions (hinge VICReg with K > c-1, SimCLR, BarlowTwins without
a closed form) are optimised numerically from several starts with at most
--refine iterations each (default 2000; 0 disables); summary.json then holds
"convergence" (status converged / infimum / iteration_limit / failed, final loss,
gradient norm, iterations, restarts, subspace agreement across starts).

Streaming (--regime linear; vicreg, vicreg_hard, spectral_contrastive,
barlowtwins): with a glob as --input ('shards/*.npy', quoted) or with --draws,
the rows are read shard by shard into D x D sufficient statistics
(closedform.Stats; memory one shard plus O(D^2)) and DIR/W.npy, DIR/bias.npy and
DIR/summary.json are written (no Z: use "eigenssl apply"). Relations:
views:V=v[,augment=SPEC] (views made where each sample is read, seeded per
sample as train seeds them), labels:GLOB and edges:GLOB (one file per shard,
edge indices local to the shard). --draws M averages the statistics over M
independent draws of the augmented views (the expected-graph closed form).`,
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
	f.Float64Var(&opts.Sigma, "sigma", 0, "RBF bandwidth of the kernel regime, > 0 (0: median heuristic)")
	f.IntVar(&opts.Refine, "refine", 2000, "L-BFGS iterations per start for approximate solutions (0: none)")
	f.BoolVar(&opts.Check, "check-equivalent", false, "also run the equivalent spectral method and report the principal angles")
	f.Uint64Var(&opts.Seed, "seed", 0, "random seed (augmentations, solver starts)")
	f.StringVarP(&opts.Out, "out", "o", "", "output directory")
	f.IntVar(&opts.Draws, "draws", 0, "independent draws of the augmented views whose statistics are averaged (linear regime, streamed; 0: one draw, in memory unless --input is a glob)")
	return cmd
}

// closedformRelation builds G (and possibly the stacked views of x) from a
// graph.ParseRelation spec with data.BuildRelation; bad specs and relations
// that cannot be built for lack of V, labels or an image shape are usage
// errors.
func closedformRelation(spec string, x *mat.Dense, imageShape [2]int, seed uint64) (*graph.CSR, *mat.Dense, error) {
	r, err := graph.ParseRelation(spec)
	if err != nil {
		return nil, nil, usageError{fmt.Errorf("closedform: --relation: %w", err)}
	}
	if r.Kind == graph.LabelsRelation && r.Path == "" {
		return nil, nil, usagef("closedform: --relation labels:FILE needs a file")
	}
	rel, err := data.BuildRelation(r, data.RelationInput{X: x, ImageShape: imageShape, Seed: seed})
	if errors.Is(err, data.ErrParam) {
		return nil, nil, usageError{fmt.Errorf("closedform: --relation %s: %w", spec, err)}
	}
	if err != nil {
		return nil, nil, fmt.Errorf("closedform: --relation %s: %w", spec, err)
	}
	return rel.G, rel.X, nil
}

// closedformSummary is the content of summary.json: the Solution's own
// JSON form plus the sizes, the equivalence check and the files written.
type closedformSummary struct {
	*closedform.Solution
	N           int               `json:"n"`
	K           int               `json:"k"`
	Equivalence *closedformEquiv  `json:"equivalence,omitempty"`
	Files       map[string]string `json:"files"`
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
	var shape [2]int
	if opts.ImageShape != "" {
		var err error
		if shape, err = parseShape("closedform", opts.ImageShape); err != nil {
			return err
		}
	}
	if streamed(opts) {
		return closedformStreamRun(opts, shape, s)
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
		km, err := closedform.RBFKernel(x, opts.Sigma)
		if err != nil {
			return closedformUsage(fmt.Errorf("closedform: --sigma / --regime kernel: %w", err))
		}
		p.KernelMatrix = km
	}
	var sol *closedform.Solution
	if opts.Refine > 0 {
		sol, err = closedform.Optimum(p, closedform.RefineSettings{MaxIter: opts.Refine})
	} else {
		sol, err = closedform.Solve(p)
	}
	if err != nil {
		return closedformUsage(err)
	}
	var equiv *closedformEquiv
	if opts.Check {
		eq, err := closedform.CheckEquivalent(sol)
		if err != nil {
			return err
		}
		equiv = &closedformEquiv{eq.Method, eq.MaxAngle, eq.Note}
	}
	files, err := writeSolution(opts.Out, sol)
	if err != nil {
		return err
	}
	n, _ := sol.Z.Dims()
	sum := closedformSummary{Solution: sol, N: n, K: opts.K, Equivalence: equiv, Files: files}
	return writeSummary(filepath.Join(opts.Out, "summary.json"), sum, s.Out)
}

// writeSolution creates dir and writes the matrices of sol that are set
// (Z, W, A, and bias as 1 x K) to dir/NAME.npy, atomically; it returns
// their paths by name (the "files" of summary.json).
func writeSolution(dir string, sol *closedform.Solution) (map[string]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var bias *mat.Dense
	if sol.Bias != nil {
		bias = mat.NewDense(1, len(sol.Bias), sol.Bias)
	}
	files := map[string]string{}
	for _, m := range []struct {
		name string
		m    *mat.Dense
	}{{"Z", sol.Z}, {"W", sol.W}, {"A", sol.A}, {"bias", bias}} {
		if m.m == nil {
			continue
		}
		files[m.name] = filepath.Join(dir, m.name+".npy")
		if err := data.WriteMatrix(files[m.name], m.m); err != nil {
			return nil, err
		}
	}
	return files, nil
}

// closedformUsage marks closedform's input errors (bad parameter or name)
// as usage errors, by sentinel.
func closedformUsage(err error) error {
	if errors.Is(err, closedform.ErrParam) || errors.Is(err, closedform.ErrUnknown) {
		return usageError{err}
	}
	return err
}

// writeSummary writes v as indented JSON to path (atomically) and to out.
func writeSummary(path string, v any, out io.Writer) error {
	buf, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	if err := data.WriteAtomic(path, func(w io.Writer) error {
		_, err := w.Write(append(buf, '\n'))
		return err
	}); err != nil {
		return err
	}
	_, err = fmt.Fprintf(out, "%s\n", buf)
	return err
}
