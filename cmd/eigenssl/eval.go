package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"

	"github.com/eigenssl/eigenssl/data"
	"github.com/eigenssl/eigenssl/eval"
	"github.com/spf13/cobra"
	"gonum.org/v1/gonum/mat"
)

func init() { verbs = append(verbs, NewCmdEval) }

// evalOptions are the flags of the "eval" verb.
type evalOptions struct {
	data           dataFlags
	Embedding      string
	Labels         string
	TrainIdx       string
	Split          float64
	LabelsPerClass int
	Probe          string
	Seeds          int
	Seed           uint64
	Lambda         float64
	K              int
	Metric         string
	JSON           string
}

// NewCmdEval returns the "eval" verb: downstream accuracy of a representation.
func NewCmdEval(s *Streams) *cobra.Command {
	opts := &evalOptions{}
	cmd := &cobra.Command{
		Use:   "eval [--embedding Z.npy --labels y.npy | --dataset NAME] [--train-idx i.npy | --split 0.78] [--labels-per-class M] [--probe logistic|ridge|knn] [--seeds 5] [--json out.json]",
		Short: "Linear-probe / kNN accuracy of a representation with a confidence interval",
		Long: `Fit a probe on the training rows of a representation and report its test
accuracy: mean and Student-t confidence interval over --seeds repetitions.

The representation is --embedding (.npy/.npz/.csv, one row per sample) with
--labels; without --embedding the raw features of --dataset (default digits)
are evaluated. The split is stratified and redrawn for every seed (--split:
training fraction in (0,1) or training size), or fixed by --train-idx (a file
of row indices). --labels-per-class M trains on M labelled samples per class
(the low-data regime). Probes: logistic (multinomial, L2 --lambda, standardised
features), ridge (closed form, one-hot targets), knn (--k, --metric euclidean
or cosine).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if cmd.Flags().Changed("split") && opts.TrainIdx != "" {
				return usagef("eval: --split and --train-idx are mutually exclusive")
			}
			if opts.Embedding != "" && cmd.Flags().Changed("dataset") {
				return usagef("eval: give --embedding or --dataset, not both")
			}
			if cmd.Flags().Changed("lambda") && !(opts.Lambda > 0) {
				return usagef("eval: --lambda must be > 0, got %g (omit it for the default 1)", opts.Lambda)
			}
			return evalRun(opts, s)
		},
	}
	opts.data.register(cmd)
	f := cmd.Flags()
	f.StringVar(&opts.Embedding, "embedding", "", "representation Z, one row per sample")
	f.StringVar(&opts.Labels, "labels", "", "labels of the rows of Z (.npy/.csv)")
	f.StringVar(&opts.TrainIdx, "train-idx", "", "file of training row indices (the rest is the test set)")
	f.Float64Var(&opts.Split, "split", 0.8, "training fraction in (0,1) or training size of the stratified split")
	f.IntVar(&opts.LabelsPerClass, "labels-per-class", 0, "train on this many labels per class (0 = all)")
	f.StringVar(&opts.Probe, "probe", "logistic", "probe: logistic, ridge or knn")
	f.IntVar(&opts.Seeds, "seeds", 5, "number of seeds (splits / labelled subsets)")
	f.Uint64Var(&opts.Seed, "seed", 0, "first seed")
	f.Float64Var(&opts.Lambda, "lambda", 0, "L2 penalty of logistic/ridge (0 = default 1)")
	f.IntVar(&opts.K, "k", 5, "neighbours of the knn probe")
	f.StringVar(&opts.Metric, "metric", "euclidean", "knn metric: euclidean or cosine")
	f.StringVar(&opts.JSON, "json", "", "also write the result as JSON to this file")
	return cmd
}

func evalRun(opts *evalOptions, s *Streams) error {
	validProbe := false
	for _, p := range eval.Probes {
		validProbe = validProbe || p == opts.Probe
	}
	switch {
	case !validProbe:
		return usagef("eval: unknown --probe %q (valid: logistic, ridge, knn)", opts.Probe)
	case opts.Seeds < 1:
		return usagef("eval: --seeds must be >= 1, got %d", opts.Seeds)
	case opts.K < 1:
		return usagef("eval: --k must be >= 1, got %d", opts.K)
	case !(opts.Split > 0) || math.IsInf(opts.Split, 0):
		return usagef("eval: --split must be a training fraction in (0, 1) or a training size >= 2, got %g", opts.Split)
	case opts.Split == 1:
		return usagef("eval: --split 1 is read as a training-set size of 1 sample; give a fraction in (0, 1) such as 0.8, or a size >= 2")
	case opts.Split > 1 && opts.Split != math.Trunc(opts.Split):
		return usagef("eval: --split %g: a value >= 1 is a training-set size and must be an integer", opts.Split)
	case opts.LabelsPerClass < 0:
		return usagef("eval: --labels-per-class must be >= 0")
	case opts.Metric != "euclidean" && opts.Metric != "cosine":
		return usagef("eval: unknown --metric %q (valid: euclidean, cosine)", opts.Metric)
	case opts.Embedding == "" && opts.Labels != "":
		return usagef("eval: --labels needs --embedding")
	case opts.Embedding != "" && opts.Labels == "":
		return usagef("eval: --embedding needs --labels")
	}
	if err := data.CheckOutputs(data.Output{Flag: "--json", Path: opts.JSON}); err != nil {
		return usageError{fmt.Errorf("eval: %w", err)}
	}
	var z mat.Matrix
	var y []int
	if opts.Embedding != "" {
		zd, err := data.ReadMatrix(opts.Embedding)
		if err != nil {
			return err
		}
		if y, err = data.ReadLabels(opts.Labels); err != nil {
			return err
		}
		z = zd
	} else {
		ds, err := opts.data.load()
		if err != nil {
			return err
		}
		z, y = ds.X, ds.Y
	}
	p := eval.Protocol{Probe: opts.Probe, Lambda: opts.Lambda, K: opts.K, Metric: eval.Metric(opts.Metric),
		Split: opts.Split, LabelsPerClass: opts.LabelsPerClass, Seeds: opts.Seeds, Seed: opts.Seed}
	if opts.TrainIdx != "" {
		idx, err := data.ReadLabels(opts.TrainIdx)
		if err != nil {
			return err
		}
		p.TrainIdx = idx
	}
	res, err := eval.Evaluate(z, y, p)
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintln(s.Out, res.String()); err != nil {
		return err
	}
	if opts.JSON != "" {
		return data.WriteAtomic(opts.JSON, func(w io.Writer) error {
			enc := json.NewEncoder(w)
			enc.SetIndent("", "  ")
			return enc.Encode(res)
		})
	}
	return nil
}
