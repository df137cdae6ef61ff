package main

import (
	"fmt"
	"log/slog"

	"github.com/eigenssl/eigenssl/advise"
	"github.com/eigenssl/eigenssl/closedform"
	"github.com/eigenssl/eigenssl/data"
	"github.com/spf13/cobra"
)

func init() { verbs = append(verbs, NewCmdAdvise) }

// adviseOptions are the flags of the "advise" verb.
type adviseOptions struct {
	Input, Relation, ImageShape string
	Labels                      string
	LabelsPerClass              int
	Regime                      string
	K                           int
	Sigma                       float64
	Landmarks                   int
	Resamples                   int
	Probe                       string
	RefineIter                  int
	Seed                        uint64
	JSON, HTML                  string
}

// NewCmdAdvise returns the "advise" verb: which SSL loss and which
// hyper-parameters suit these data and this relation (package advise).
func NewCmdAdvise(s *Streams) *cobra.Command {
	opts := &adviseOptions{}
	cmd := &cobra.Command{
		Use:   "advise --input X.npy --relation SPEC [--labels y.npy --labels-per-class M] [--regime linear|kernel [--landmarks M]] [-k K] [--json out.json] [--html out.html]",
		Short: "Recommend an SSL loss and its hyper-parameters from the closed-form optima",
		Long: `For every candidate loss (VICReg over a γ grid with a value on both sides of
every rank threshold, SimCLR over τ, BarlowTwins over its off-diagonal weight,
spectral contrastive), compute the optimal representation in closed form on
the relation graph G (exact where closedform is exact, the characterisation
refined numerically otherwise, with its convergence recorded).

With --labels (one integer per sample; negative = unlabelled) the probe is
cross-validated on the labelled samples only (--labels-per-class M keeps M of
each class) and the candidates are ranked by predicted accuracy; the labels
never enter G (unless --relation is itself labels:FILE). Without labels only
the diagnostics are reported: spectrum of G's Laplacian and the γ thresholds,
predicted rank and collapse per candidate, agreement of G with the kNN
structure of X, effective number of components.

--regime kernel solves the closed forms on the N x N Gaussian kernel of the
rows (N <= 4000); with --landmarks M on the Nyström features of M seeded
landmark rows instead (any N, O(N M) memory).

--relation is a graph relation spec as for "closedform", typically
views:V=2,augment=SPEC (rows of --input are the samples; V augmented views of
each are made). The ranked table goes to standard output; --json and --html
write the report for scripts and a self-contained page with the figures.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return adviseRun(opts, s) },
	}
	f := cmd.Flags()
	f.StringVar(&opts.Input, "input", "", "input matrix X (.npy, .npz or .csv), one sample per row")
	f.StringVar(&opts.Relation, "relation", "", "relation graph spec, e.g. views:V=2,augment=noise:0.1")
	f.StringVar(&opts.ImageShape, "image-shape", "", "HxW of image rows, for image augmentations")
	f.StringVar(&opts.Labels, "labels", "", "labels of the samples (.npy/.csv integers; negative = unlabelled)")
	f.IntVar(&opts.LabelsPerClass, "labels-per-class", 0, "use only M labelled samples per class (0: every label given)")
	f.StringVar(&opts.Regime, "regime", closedform.Linear, "linear or kernel")
	f.IntVarP(&opts.K, "components", "k", advise.DefaultK, "representation dimension K")
	f.Float64Var(&opts.Sigma, "sigma", 0, "RBF bandwidth of the kernel regime (0: median heuristic)")
	f.IntVar(&opts.Landmarks, "landmarks", 0, "kernel regime on the Nyström features of M landmark rows (0: exact N x N kernel)")
	f.IntVar(&opts.Resamples, "resamples", advise.DefaultResamples, "stratified half splits of the labelled samples")
	f.StringVar(&opts.Probe, "probe", advise.DefaultProbe, "probe: logistic, ridge or knn")
	f.IntVar(&opts.RefineIter, "refine", advise.DefaultRefineIter, "L-BFGS iterations refining approximate optima (0: none)")
	f.Uint64Var(&opts.Seed, "seed", 0, "random seed (augmentations, subsamples, splits)")
	f.StringVar(&opts.JSON, "json", "", "write the report as JSON to this file")
	f.StringVar(&opts.HTML, "html", "", "write a self-contained HTML report to this file")
	return cmd
}

func adviseRun(opts *adviseOptions, s *Streams) error {
	switch {
	case opts.Input == "":
		return usagef("advise: --input is required")
	case opts.Relation == "":
		return usagef("advise: --relation is required (e.g. views:V=2,augment=noise:0.1)")
	case opts.Regime != closedform.Linear && opts.Regime != closedform.Kernel:
		return usagef("advise: --regime %q: want linear or kernel", opts.Regime)
	case opts.K < 1:
		return usagef("advise: -k must be positive, got %d", opts.K)
	case opts.LabelsPerClass < 0:
		return usagef("advise: --labels-per-class must be >= 0, got %d", opts.LabelsPerClass)
	case opts.LabelsPerClass > 0 && opts.Labels == "":
		return usagef("advise: --labels-per-class needs --labels")
	case opts.Resamples < 1:
		return usagef("advise: --resamples must be positive, got %d", opts.Resamples)
	case opts.RefineIter < 0:
		return usagef("advise: --refine must be >= 0, got %d", opts.RefineIter)
	case opts.Sigma < 0:
		return usagef("advise: --sigma must be >= 0, got %g", opts.Sigma)
	case opts.Landmarks < 0 || opts.Landmarks == 1:
		return usagef("advise: --landmarks must be 0 (exact kernel) or at least 2, got %d", opts.Landmarks)
	case opts.Landmarks > 0 && opts.Regime != closedform.Kernel:
		return usagef("advise: --landmarks needs --regime kernel (got --regime %s)", opts.Regime)
	}
	if err := data.CheckOutputs(data.Output{Flag: "--json", Path: opts.JSON}, data.Output{Flag: "--html", Path: opts.HTML}); err != nil {
		return fmt.Errorf("advise: %w", err)
	}
	var shape [2]int
	if opts.ImageShape != "" {
		var err error
		if shape, err = parseShape("advise", opts.ImageShape); err != nil {
			return err
		}
	}
	x, err := data.ReadMatrix(opts.Input)
	if err != nil {
		return fmt.Errorf("advise: --input: %w", err)
	}
	var y []int
	if opts.Labels != "" {
		if y, err = data.ReadLabels(opts.Labels); err != nil {
			return fmt.Errorf("advise: --labels: %w", err)
		}
		if n, _ := x.Dims(); len(y) != n {
			return fmt.Errorf("advise: --labels %s has %d labels; --input has %d rows", opts.Labels, len(y), n)
		}
	}
	// The probe's labels are not passed to BuildInput: only a labels:FILE
	// relation reads labels, from its own file.
	in, err := advise.BuildInput(x, opts.Relation, shape, nil, opts.Seed)
	if err != nil {
		return fmt.Errorf("advise: --relation: %w", err)
	}
	refine := opts.RefineIter
	if refine == 0 {
		refine = -1
	}
	rep, err := advise.Advise(in, y, advise.Settings{
		Regime: opts.Regime, Sigma: opts.Sigma, Landmarks: opts.Landmarks, K: opts.K, LabelsPerClass: opts.LabelsPerClass,
		Resamples: opts.Resamples, Probe: opts.Probe, RefineIter: refine, Seed: opts.Seed,
		Progress: s.Err, Logger: slog.Default(),
	})
	if err != nil {
		return err
	}
	if err := rep.WriteText(s.Out); err != nil {
		return err
	}
	if opts.JSON != "" {
		if err := rep.WriteJSON(opts.JSON); err != nil {
			return err
		}
	}
	if opts.HTML != "" {
		if err := rep.WriteHTML(opts.HTML); err != nil {
			return err
		}
	}
	return nil
}
