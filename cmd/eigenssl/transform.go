package main

import (
	"encoding/json"
	"fmt"

	"github.com/eigenssl/eigenssl/data"
	"github.com/eigenssl/eigenssl/spectral"
	"github.com/spf13/cobra"
	"gonum.org/v1/gonum/mat"
)

func init() { verbs = append(verbs, NewCmdTransform) }

// transformOptions are the flags of the "transform" verb.
type transformOptions struct {
	Model   string
	Input   string
	Out     string
	Inverse bool
}

// NewCmdTransform returns the "transform" verb: embed new rows with a model
// saved by "embed --model-out".
func NewCmdTransform(s *Streams) *cobra.Command {
	opts := &transformOptions{}
	cmd := &cobra.Command{
		Use:   "transform --model DIR --input new.npy -o Z.npy",
		Short: "Embed new rows with a fitted model saved by embed --model-out",
		Long: `Load the model directory written by "eigenssl embed ... --model-out DIR"
(spectral.Save) and embed the rows of --input (.npy, .npz or .csv) out of
sample, exactly as embed --transform would have, without refitting. Writes
the M x k embedding to -o and prints one JSON line {"method", "rows", "k",
"out"}. For a model fitted on precomputed affinities, distances or kernels,
--input holds the M x N values against the training points. --inverse maps
embeddings back to the input space (kpca fitted with --fit-inverse).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return transformRun(opts, s) },
	}
	f := cmd.Flags()
	f.StringVar(&opts.Model, "model", "", "model directory written by embed --model-out")
	f.StringVar(&opts.Input, "input", "", "rows to embed (.npy/.npz/.csv)")
	f.StringVarP(&opts.Out, "output", "o", "", "output file for the embedding (.npy/.npz/.csv)")
	f.BoolVar(&opts.Inverse, "inverse", false, "map embeddings (--input, M x k) back to the input space (kpca fitted with --fit-inverse)")
	return cmd
}

func transformRun(opts *transformOptions, s *Streams) error {
	switch {
	case opts.Model == "":
		return usagef("transform: --model is required")
	case opts.Input == "":
		return usagef("transform: --input is required")
	case opts.Out == "":
		return usagef("transform: -o is required")
	}
	if err := data.CheckOutputs(data.Output{Flag: "--input", Path: opts.Input, Input: true}, data.Output{Flag: "-o", Path: opts.Out}); err != nil {
		return usageError{fmt.Errorf("transform: %w", err)}
	}
	m, err := spectral.Load(opts.Model)
	if err != nil {
		return fmt.Errorf("transform: --model %s: %w", opts.Model, err)
	}
	x, err := readDenseInput("transform", "--input", opts.Input)
	if err != nil {
		return err
	}
	var z *mat.Dense
	if opts.Inverse {
		inv, ok := m.(interface {
			InverseTransform(mat.Matrix) (*mat.Dense, error)
		})
		if !ok {
			return usagef("transform: --inverse: method %s has no inverse map (kpca fitted with --fit-inverse has)", spectral.MethodOf(m))
		}
		z, err = inv.InverseTransform(x)
	} else {
		z, err = m.Transform(x)
	}
	if err != nil {
		return fmt.Errorf("transform: --input %s: %w", opts.Input, err)
	}
	if err := data.WriteMatrix(opts.Out, z); err != nil {
		return err
	}
	rows, k := z.Dims()
	b, err := json.Marshal(map[string]any{"method": spectral.MethodOf(m), "rows": rows, "k": k, "out": opts.Out})
	if err != nil {
		return err
	}
	fmt.Fprintln(s.Out, string(b))
	return nil
}
