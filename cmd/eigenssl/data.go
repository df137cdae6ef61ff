package main

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/eigenssl/eigenssl/data"
	"github.com/eigenssl/eigenssl/graph"
	"github.com/spf13/cobra"
	"gonum.org/v1/gonum/mat"
)

func init() { verbs = append(verbs, NewCmdData) }

// dataFlags are the options selecting a data set, shared by every verb that
// takes data (default: the embedded digits).
type dataFlags struct {
	Dataset string
	data.LoadOptions
}

func (d *dataFlags) register(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&d.Dataset, "dataset", "digits", "data set name (eigenssl data list)")
	f.IntVar(&d.N, "n", 0, "number of samples: class-balanced subsample of stored sets, size of generated ones (0 = all / 1000)")
	f.Uint64Var(&d.Seed, "data-seed", 0, "seed of the subsample or generator")
	f.StringVar(&d.Path, "data-path", "", "directory holding the MNIST/Fashion-MNIST IDX files")
	f.StringVar(&d.Split, "data-split", "", "train (default), test or all for MNIST and Fashion-MNIST")
	f.Float64Var(&d.Noise, "noise", 0, "noise of the generators (0 = default, negative = none)")
	f.IntVar(&d.Classes, "classes", 0, "classes (blobs, latent) or position bins (swiss-roll, s-curve)")
	f.IntVar(&d.Dim, "dim", 0, "ambient dimension of blobs and latent")
}

func (d *dataFlags) load() (*data.Dataset, error) {
	if d.N < 0 {
		return nil, usagef("--n must be >= 0, got %d", d.N)
	}
	ds, err := data.Load(d.Dataset, d.LoadOptions)
	if err != nil && d.Dataset != "" && data.Describe(d.Dataset) == "" {
		return nil, usageError{err}
	}
	if errors.Is(err, data.ErrTooLarge) {
		flags := fmt.Sprintf("--n %d", d.N)
		if d.N == 0 {
			flags = "--n 0 (default size)"
		}
		if d.Dim != 0 {
			flags += fmt.Sprintf(" --dim %d", d.Dim)
		}
		return nil, usageError{fmt.Errorf("%s: %w", flags, err)}
	}
	return ds, err
}

// NewCmdData returns the "data" verb with its "list" and "export" subcommands.
func NewCmdData(s *Streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "data",
		Short: "List and export data sets",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return usagef("data: want a subcommand (list, export)") },
	}
	cmd.AddCommand(newCmdDataList(s), newCmdDataExport(s))
	return cmd
}

func newCmdDataList(s *Streams) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List the available data sets",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			w := tabwriter.NewWriter(s.Out, 0, 4, 2, ' ', 0)
			for _, n := range data.Names() {
				fmt.Fprintf(w, "%s\t%s\n", n, data.Describe(n))
			}
			return w.Flush()
		},
	}
}

// exportOptions are the flags of "data export".
type exportOptions struct {
	data      dataFlags
	Out       string
	LabelsOut string
	Views     int
	Augment   string
	ViewSeed  uint64
	GraphOut  string
}

func newCmdDataExport(s *Streams) *cobra.Command {
	opts := &exportOptions{}
	cmd := &cobra.Command{
		Use:   "export [--dataset digits] -o X.npy [--labels-out y.npy] [--views V --augment SPEC]",
		Short: "Write a data set (optionally augmented views) to .npy/.npz/.csv",
		Long: `Write the samples of a data set to a file for other tools: .npy (float64),
.npz (arrays "X" and, without --labels-out, "y" as a column) or .csv.
--labels-out writes the integer labels (.npy int64 or .csv).

With --views V the output stacks V augmented views of every sample, row
v*N+n being view v of sample n (the augmentation graph of eigenssl), and the
labels are repeated per view; --graph-out writes that augmentation graph as an
edge list (.csv "row,col,weight" or .npz). --augment composes operations with '+':
` + data.AugmentOps,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return exportRun(opts, s) },
	}
	opts.data.register(cmd)
	f := cmd.Flags()
	f.StringVarP(&opts.Out, "output", "o", "", "output file for the samples (.npy, .npz or .csv)")
	f.StringVar(&opts.LabelsOut, "labels-out", "", "output file for the labels (.npy or .csv)")
	f.IntVar(&opts.Views, "views", 0, "number of augmented views per sample (0 = the samples themselves)")
	f.StringVar(&opts.Augment, "augment", "", "augmentation spec for --views, e.g. shift:1+noise:0.05")
	f.Uint64Var(&opts.ViewSeed, "seed", 0, "seed of the augmentations")
	f.StringVar(&opts.GraphOut, "graph-out", "", "write the views graph as an edge list (.csv or .npz; needs --views)")
	return cmd
}

func exportRun(opts *exportOptions, s *Streams) error {
	if opts.Out == "" {
		return usagef("data export: -o/--output is required")
	}
	if opts.Views == 1 || opts.Views < 0 {
		return usagef("data export: --views must be 0 or at least 2, got %d", opts.Views)
	}
	if (opts.Augment != "" || opts.GraphOut != "") && opts.Views == 0 {
		return usagef("data export: --augment and --graph-out need --views")
	}
	if err := data.CheckOutputs(data.Output{Flag: "-o/--output", Path: opts.Out},
		data.Output{Flag: "--labels-out", Path: opts.LabelsOut}, data.Output{Flag: "--graph-out", Path: opts.GraphOut}); err != nil {
		return usageError{fmt.Errorf("data export: %w", err)}
	}
	ds, err := opts.data.load()
	if err != nil {
		return err
	}
	x, y := ds.X, ds.Y
	if opts.Views >= 2 {
		aug, err := data.ParseAugmentFor(opts.Augment, ds)
		if err != nil {
			return usageError{err}
		}
		var g *graph.CSR
		x, g, err = data.MakeViews(ds.X, opts.Views, aug, opts.ViewSeed)
		if err != nil {
			return err
		}
		if opts.GraphOut != "" {
			if err := graph.WriteEdgeFile(opts.GraphOut, g); err != nil {
				return err
			}
		}
		y = make([]int, 0, opts.Views*len(ds.Y))
		for range opts.Views {
			y = append(y, ds.Y...)
		}
	}
	if isNPZ(opts.Out) && opts.LabelsOut == "" {
		yc := mat.NewDense(len(y), 1, nil)
		for i, v := range y {
			yc.Set(i, 0, float64(v))
		}
		err = data.WriteNPZ(opts.Out, map[string]mat.Matrix{"X": x, "y": yc})
	} else {
		err = data.WriteMatrix(opts.Out, x)
	}
	if err != nil {
		return err
	}
	if opts.LabelsOut != "" {
		if err := data.WriteLabels(opts.LabelsOut, y); err != nil {
			return err
		}
	}
	r, c := x.Dims()
	_, err = fmt.Fprintf(s.Err, "wrote %s: %d x %d (%s, %d classes)\n", opts.Out, r, c, ds.Name, ds.Classes)
	return err
}

// isNPZ reports whether path names a .npz archive (any letter case, as
// data's readers and writers take it).
func isNPZ(path string) bool { return strings.EqualFold(filepath.Ext(path), ".npz") }
