package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/eigenssl/eigenssl/closedform"
	"github.com/eigenssl/eigenssl/data"
	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"
)

func init() { verbs = append(verbs, NewCmdApply) }

// applyOptions are the flags of the "apply" verb.
type applyOptions struct {
	Weights string
	Input   string
	Out     string
}

// NewCmdApply returns the "apply" verb: Z = X W + bias for every shard of a
// streamed data set, written shard by shard.
func NewCmdApply(s *Streams) *cobra.Command {
	opts := &applyOptions{}
	cmd := &cobra.Command{
		Use:   "apply --weights DIR --input 'shards/*.npy' -o OUTDIR",
		Short: "Apply a linear encoder (W.npy, bias.npy) to data shards, writing Z shard by shard",
		Long: `Read DIR/W.npy (D x K) and, when present, DIR/bias.npy (1 x K), as written by
"eigenssl closedform --regime linear" or the Beam pipeline, and write
OUTDIR/<shard>.npy = X W + bias for every .npy shard matching --input (a glob;
quote it), one shard at a time (memory: one shard), each file atomically.
OUTDIR must differ from the shards' directory.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return applyRun(opts, s) },
	}
	f := cmd.Flags()
	f.StringVar(&opts.Weights, "weights", "", "directory holding W.npy and optionally bias.npy")
	f.StringVar(&opts.Input, "input", "", "glob of .npy shards (rows are samples)")
	f.StringVarP(&opts.Out, "out", "o", "", "output directory for the Z shards")
	return cmd
}

func applyRun(opts *applyOptions, s *Streams) error {
	switch {
	case opts.Weights == "":
		return usagef("apply: --weights is required (a directory with W.npy)")
	case opts.Input == "":
		return usagef("apply: --input is required (a glob of .npy shards)")
	case opts.Out == "":
		return usagef("apply: -o is required")
	}
	w, err := data.ReadMatrix(filepath.Join(opts.Weights, "W.npy"))
	if err != nil {
		return fmt.Errorf("apply: --weights: %w", err)
	}
	var bias []float64
	bp := filepath.Join(opts.Weights, "bias.npy")
	if _, err := os.Stat(bp); err == nil {
		b, err := data.ReadMatrix(bp)
		if err != nil {
			return fmt.Errorf("apply: --weights: %w", err)
		}
		bias = b.RawMatrix().Data
		if r, _ := b.Dims(); r != 1 {
			return fmt.Errorf("apply: %s has %d rows, want 1", bp, r)
		}
	}
	shards, err := closedform.Shards(opts.Input, "", "")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(opts.Out, 0o755); err != nil {
		return err
	}
	bar := newRowBar(s.Err, totalRows(shards), "apply")
	paths, err := closedform.ApplyShards(shards, w, bias, opts.Out, bar.add)
	bar.finish()
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(s.Out, "wrote %d shards to %s\n", len(paths), opts.Out)
	return err
}

func totalRows(shards []closedform.Shard) int64 {
	var n int64
	for _, sh := range shards {
		n += int64(sh.Rows)
	}
	return n
}

// rowBar is a progress bar over rows, drawn only when its writer is a
// terminal (quiet in pipes, logs and tests).
type rowBar struct{ bar *progressbar.ProgressBar }

func newRowBar(w io.Writer, total int64, desc string) *rowBar {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return &rowBar{}
	}
	return &rowBar{progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription(desc),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString("rows"),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish(),
	)}
}

func (b *rowBar) add(rows int) {
	if b.bar != nil {
		_ = b.bar.Add(rows)
	}
}

func (b *rowBar) finish() {
	if b.bar != nil {
		_ = b.bar.Finish()
	}
}

// streamSummary is summary.json of a streamed closed form.
type streamSummary struct {
	closedformSummary
	Rows     int64  `json:"rows"`
	Shards   int    `json:"shards"`
	Draws    int    `json:"draws"`
	Relation string `json:"relation"`
}

// streamed reports whether the closedform flags ask for the streamed
// (sufficient-statistics) path: a glob as --input or --draws.
func streamed(opts *closedformOptions) bool {
	return opts.Draws > 0 || strings.ContainsAny(opts.Input, "*?[")
}

// closedformStreamRun computes the linear-regime closed form from the
// statistics of .npy shards read one at a time (closedform.StreamStats,
// closedform.SolveStats) and writes W.npy, bias.npy and summary.json.
func closedformStreamRun(opts *closedformOptions, shape [2]int, s *Streams) error {
	if !strings.EqualFold(opts.Regime, closedform.Linear) {
		return usagef("closedform: a glob --input or --draws streams the data and needs --regime linear (got %q)", opts.Regime)
	}
	if opts.Check {
		return usagef("closedform: --check-equivalent needs the data in memory; not with a glob --input or --draws")
	}
	if opts.Draws < 0 {
		return usagef("closedform: --draws must be >= 0, got %d", opts.Draws)
	}
	rel, labels, edges, err := closedform.ParseStreamRelation(opts.Relation, shape, opts.Seed, opts.Draws)
	if err != nil {
		return usageError{fmt.Errorf("closedform: --relation: %w", err)}
	}
	shards, err := closedform.Shards(opts.Input, labels, edges)
	if err != nil {
		return err
	}
	total := totalRows(shards)
	bar := newRowBar(s.Err, total, "closedform")
	st, err := closedform.StreamStats(shards, rel, bar.add)
	bar.finish()
	if err != nil {
		return err
	}
	sol, err := closedform.SolveStats(closedform.Problem{Loss: opts.Loss, Regime: closedform.Linear, K: opts.K,
		Gamma: opts.Gamma, Alpha: opts.Alpha, Beta: opts.Beta, Tau: opts.Tau, Seed: opts.Seed}, st)
	if err != nil {
		return err
	}
	files, err := writeSolution(opts.Out, sol)
	if err != nil {
		return err
	}
	if !sol.Exact {
		sol.Note += "; streamed: not refined (refinement needs the rows in memory)"
	}
	sum := streamSummary{
		closedformSummary: closedformSummary{Solution: sol, N: int(st.Rows()), K: opts.K, Files: files},
		Rows:              st.Rows(), Shards: len(shards), Draws: max(1, opts.Draws), Relation: opts.Relation,
	}
	return writeSummary(filepath.Join(opts.Out, "summary.json"), sum, s.Out)
}
