package main

import (
	"encoding/json"
	"fmt"

	"github.com/eigenssl/eigenssl/data"
	"github.com/eigenssl/eigenssl/train"
	"github.com/spf13/cobra"
	"gonum.org/v1/gonum/mat"
)

func init() { verbs = append(verbs, NewCmdEmbedWith) }

// embedWithOptions are the flags of the "embed-with" verb.
type embedWithOptions struct {
	Run       string
	Input     string
	Out       string
	Projector bool
}

// NewCmdEmbedWith returns the "embed-with" verb: apply a trained encoder to
// new data.
func NewCmdEmbedWith(s *Streams) *cobra.Command {
	opts := &embedWithOptions{}
	cmd := &cobra.Command{
		Use:   "embed-with RUN_DIR --input X.npy -o Z.npy [--projector]",
		Short: "Embed data with the encoder of a training run",
		Long: `Apply the encoder saved in a training run directory (its newest readable
checkpoint: the trained model once the run has completed) to the rows of
--input and write the representations to -o (.npy, .npz or .csv).

By default the output is the backbone representation (what probes use;
batch-norm layers in eval mode). --projector returns the projector output
instead, the space the loss was computed in. Prints one JSON line
{"rows", "dim", "out"}.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Run = args[0]
			return embedWithRun(opts, s)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Input, "input", "", "matrix to embed (.npy/.npz/.csv), one sample per row")
	f.StringVarP(&opts.Out, "output", "o", "", "output file for the representations")
	f.BoolVar(&opts.Projector, "projector", false, "output the projector head instead of the backbone")
	return cmd
}

func embedWithRun(opts *embedWithOptions, s *Streams) error {
	if opts.Input == "" {
		return usagef("embed-with: --input is required")
	}
	if opts.Out == "" {
		return usagef("embed-with: -o is required")
	}
	if err := data.CheckOutputs(data.Output{Flag: "--input", Path: opts.Input, Input: true}, data.Output{Flag: "-o", Path: opts.Out}); err != nil {
		return usageError{fmt.Errorf("embed-with: %w", err)}
	}
	enc, err := train.LoadEncoder(opts.Run)
	if err != nil {
		return err
	}
	x, err := data.ReadMatrix(opts.Input)
	if err != nil {
		return err
	}
	var z *mat.Dense
	if opts.Projector {
		z, err = enc.Forward(x, false)
	} else {
		z, err = enc.Embed(x)
	}
	if err != nil {
		return err
	}
	if err := data.WriteMatrix(opts.Out, z); err != nil {
		return err
	}
	r, c := z.Dims()
	b, err := json.Marshal(struct {
		Rows int    `json:"rows"`
		Dim  int    `json:"dim"`
		Out  string `json:"out"`
	}{r, c, opts.Out})
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(s.Out, "%s\n", b)
	return err
}
