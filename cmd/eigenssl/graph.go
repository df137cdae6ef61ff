package main

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/eigenssl/eigenssl/data"
	"github.com/eigenssl/eigenssl/graph"
)

func init() { verbs = append(verbs, NewCmdGraph) }

// graphOptions are the flags of the "graph" verb.
type graphOptions struct {
	Input, Graph, Out string
	Seed              uint64
}

// NewCmdGraph returns the "graph" verb: build a relation graph of the
// grammar of graph.ParseRelation on the rows of a matrix and write it as an
// edge list.
func NewCmdGraph(s *Streams) *cobra.Command {
	opts := &graphOptions{}
	cmd := &cobra.Command{
		Use:   "graph --input X.npy --graph SPEC -o EDGES.npz|EDGES.csv",
		Short: "Build a relation graph and write it as an edge list",
		Long: `Build the relation graph SPEC on the rows of --input and write its undirected
edges (i < j) with their weights to -o: CSV "row,col,weight" or .npz (int64
row, col, float64 weight; graph.WriteEdgeFile), atomically. One JSON line on
stdout reports the canonical spec, N, the edge count, the build time in
seconds, the number of connected components, isolated vertices, and the
neighbour-count and weighted-degree statistics (graph.Report). The graph is built by data.BuildRelation.

SPEC (graph.RelationForms):
  knn:k=K[,OPTS][,approx]   k-nearest-neighbour graph (exact; approx: NN-descent,
                            seeded by --seed); OPTS metric=euclidean|cosine,
                            sym=union|mutual, weight=binary|gaussian|distance,
                            sigma=S
  epsilon:eps=E[,OPTS]      pairs within distance E (OPTS as knn, no sym)
  views:V=v                 rows are v stacked views (row v*N'+n)
  views:V=v,augment=SPEC    v augmented views of every row are made (seed
                            --seed; data.ParseAugment); the edges index the
                            stacked views
  labels:FILE               G = Y Y^T - I from the integer labels in FILE
  edges:FILE                an existing edge list (re-written, e.g. CSV to .npz)

Example: eigenssl graph --input X.npy --graph knn:k=15,approx -o edges.npz`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return graphRun(opts, s) },
	}
	f := cmd.Flags()
	f.StringVar(&opts.Input, "input", "", "input matrix X (.npy, .npz or .csv), one sample per row")
	f.StringVar(&opts.Graph, "graph", "", "relation graph spec (see above)")
	f.StringVarP(&opts.Out, "out", "o", "", "output edge list (.csv or .npz)")
	f.Uint64Var(&opts.Seed, "seed", 0, "seed of the approximate kNN search (knn:...,approx) and of augmented views")
	return cmd
}

func graphRun(opts *graphOptions, s *Streams) error {
	switch {
	case opts.Input == "":
		return usagef("graph: --input is required")
	case opts.Graph == "":
		return usagef("graph: --graph is required (%s)", graph.RelationForms)
	case opts.Out == "":
		return usagef("graph: -o is required (.csv or .npz)")
	}
	if ext := strings.ToLower(filepath.Ext(opts.Out)); ext != ".csv" && ext != ".npz" {
		return usagef("graph: -o %q: the edge list must end in .csv or .npz", opts.Out)
	}
	if err := data.CheckOutputs(data.Output{Flag: "--input", Path: opts.Input, Input: true}, data.Output{Flag: "-o", Path: opts.Out}); err != nil {
		return fmt.Errorf("graph: %w", err)
	}
	r, err := graph.ParseRelation(opts.Graph)
	if err != nil {
		return usageError{fmt.Errorf("graph: --graph: %w", err)}
	}
	r.Options.Seed = opts.Seed
	x, err := data.ReadMatrix(opts.Input)
	if err != nil {
		return fmt.Errorf("graph: --input: %w", err)
	}
	t := time.Now()
	rel, err := data.BuildRelation(r, data.RelationInput{X: x, Seed: opts.Seed})
	if err != nil {
		return fmt.Errorf("graph: --graph %s: %w", opts.Graph, err)
	}
	g := rel.G
	rep := graph.NewReport(r, g, rel.Info, time.Since(t))
	if err := graph.WriteEdgeFile(opts.Out, g); err != nil {
		return fmt.Errorf("graph: -o: %w", err)
	}
	b, err := json.Marshal(struct {
		graph.Report
		Output string `json:"output"`
	}{rep, opts.Out})
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(s.Out, "%s\n", b)
	return err
}
