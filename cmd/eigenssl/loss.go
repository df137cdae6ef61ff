package main

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/eigenssl/eigenssl/data"
	"github.com/eigenssl/eigenssl/graph"
	"github.com/eigenssl/eigenssl/loss"
	"github.com/spf13/cobra"
	"gonum.org/v1/gonum/mat"
)

func init() { verbs = append(verbs, NewCmdLoss) }

// lossOptions are the flags of the "loss" verb.
type lossOptions struct {
	Loss      string
	Params    []string
	Z1, Z2    string
	GraphFile string
	Relation  string
	GradOut   string
}

// NewCmdLoss returns the "loss" verb: evaluate one loss (and optionally its
// gradient) on arrays read from files.
func NewCmdLoss(s *Streams) *cobra.Command {
	opts := &lossOptions{}
	cmd := &cobra.Command{
		Use:   "loss --loss NAME --z1 a.npy [--z2 b.npy] [--graph-file edges.csv | --relation views:V=2] [--param key=value ...] [--grad-out g.npz]",
		Short: "Evaluate an SSL loss and its gradient on given arrays",
		Long: `Evaluate one self-supervised loss on matrices read from .npy/.npz/.csv files and
print one JSON object {"loss", "value", "parts"}: the value and its unweighted
parts, named as in the reference code (a NaN or infinite value is null). Use it to check a PyTorch pipeline's
conventions against eigenssl's on the same arrays.

Two-branch losses (official conventions) read --z1 and --z2 (N x K each):
  vicreg_official       (sim_coeff=25, std_coeff=25, cov_coeff=1)
  barlowtwins_official  (lambd=0.0051)
  ntxent                (tau=0.1)
  spectral_contrastive  (mu=1)
  wmse                  (w_eps=0; W-MSE, Cholesky whitening per branch)
G-form losses read the stacked Z from --z1 and the relation graph G from
--graph-file (edge list) or --relation views:V=v (row v*N'+n is view v of
sample n):
  vicreg_gform (alpha=1, beta=1, gamma=1), simclr_gform (tau=0.1),
  barlowtwins_gform (alpha=0.0051), spectral_contrastive_gform,
  vicreg_smooth (gamma=1).
Names may use hyphens. --grad-out writes the gradient of the value with
respect to each input: to a .npz archive under z1 and z2, or Z; or, for a
G-form loss, Z's gradient alone to a .npy file. Other extensions are refused.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return lossRun(opts, s) },
	}
	f := cmd.Flags()
	f.StringVar(&opts.Loss, "loss", "", "loss name (see above)")
	f.StringArrayVar(&opts.Params, "param", nil, "hyper-parameter key=value (repeatable)")
	f.StringVar(&opts.Z1, "z1", "", "first branch, or the stacked Z of a G-form loss (.npy/.npz/.csv)")
	f.StringVar(&opts.Z2, "z2", "", "second branch of a two-branch loss")
	f.StringVar(&opts.GraphFile, "graph-file", "", "relation graph G as an edge-list file (G-form losses)")
	f.StringVar(&opts.Relation, "relation", "", "relation graph G built in, e.g. views:V=2 (G-form losses)")
	f.StringVar(&opts.GradOut, "grad-out", "", "write the gradients to this .npz file")
	return cmd
}

func lossRun(opts *lossOptions, s *Streams) error {
	if opts.Loss == "" {
		return usagef("loss: --loss is required (one of %s)", strings.Join(loss.Names(), ", "))
	}
	if opts.Z1 == "" {
		return usagef("loss: --z1 is required")
	}
	if opts.GradOut != "" {
		if ext := strings.ToLower(filepath.Ext(opts.GradOut)); ext != ".npz" && ext != ".npy" {
			return usagef("loss: --grad-out %q: want a .npz file (all gradients) or a .npy file (a G-form loss's one gradient)", opts.GradOut)
		}
		if err := data.CheckOutputs(data.Output{Flag: "--grad-out", Path: opts.GradOut}); err != nil {
			return usageError{fmt.Errorf("loss: %w", err)}
		}
	}
	params, err := parseParams("loss", opts.Params)
	if err != nil {
		return err
	}
	l, err := loss.New(opts.Loss, params)
	if err != nil {
		return usageError{err}
	}
	name := l.Name()
	gform := l.Form() == loss.GForm
	switch {
	case gform && opts.Z2 != "":
		return usagef("loss: %s is a G-form loss: give the stacked Z as --z1, no --z2", name)
	case gform && (opts.GraphFile == "") == (opts.Relation == ""):
		return usagef("loss: %s needs exactly one of --graph-file and --relation", name)
	case !gform && opts.Z2 == "":
		return usagef("loss: %s is a two-branch loss: --z2 is required", name)
	case !gform && (opts.GraphFile != "" || opts.Relation != ""):
		return usagef("loss: %s is a two-branch loss and takes no graph", name)
	case !gform && strings.EqualFold(filepath.Ext(opts.GradOut), ".npy"):
		return usagef("loss: --grad-out %q: %s has two gradients (z1, z2); write them to a .npz file", opts.GradOut, name)
	}
	z1, err := data.ReadMatrix(opts.Z1)
	if err != nil {
		return err
	}
	var in loss.Inputs
	if gform {
		n, _ := z1.Dims()
		var g *graph.CSR
		if opts.GraphFile != "" {
			g, _, err = graph.ReadEdgeFile(opts.GraphFile, n)
		} else {
			g, err = relationGraph(opts.Relation, z1)
		}
		if err != nil {
			return err
		}
		in = loss.Inputs{Z: z1, G: g}
	} else {
		z2, err := data.ReadMatrix(opts.Z2)
		if err != nil {
			return err
		}
		in = loss.Inputs{Z1: z1, Z2: z2}
	}
	res, err := l.Eval(in, opts.GradOut != "")
	if err != nil {
		return err
	}
	if opts.GradOut != "" {
		arrays := map[string]mat.Matrix{}
		for k, g := range res.Grad {
			arrays[k] = g
		}
		if isNPZ(opts.GradOut) {
			err = data.WriteNPZ(opts.GradOut, arrays)
		} else {
			err = data.WriteMatrix(opts.GradOut, res.Grad[loss.KeyZ])
		}
		if err != nil {
			return err
		}
	}
	parts := make(map[string]data.JSONFloat, len(res.Parts))
	for k, v := range res.Parts {
		parts[k] = data.JSONFloat(v)
	}
	out, err := json.Marshal(struct {
		Loss  string                    `json:"loss"`
		Value data.JSONFloat            `json:"value"`
		Parts map[string]data.JSONFloat `json:"parts"`
	}{name, data.JSONFloat(res.Value), parts})
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(s.Out, "%s\n", out)
	return err
}

// relationGraph builds the graph of a --relation spec (graph.ParseRelation)
// on the rows of z. Only "views:V=v" (z has v N' rows) is supported: the
// other relations need the data, not the representations.
func relationGraph(spec string, z mat.Matrix) (*graph.CSR, error) {
	r, err := graph.ParseRelation(spec)
	if err != nil {
		return nil, usageError{fmt.Errorf("loss: --relation: %w", err)}
	}
	if r.Kind != graph.ViewsRelation || r.V == 0 || r.Augment != "" {
		return nil, usagef("loss: --relation %q: want views:V=v with an integer v >= 2 (other graphs: --graph-file)", spec)
	}
	g, _, err := r.Build(z, nil)
	if err != nil {
		return nil, fmt.Errorf("loss: --relation %s: %w", spec, err)
	}
	return g, nil
}
