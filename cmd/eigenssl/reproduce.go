package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/eigenssl/eigenssl/experiment"
	"github.com/spf13/cobra"
)

func init() { verbs = append(verbs, NewCmdReproduce) }

// NewCmdReproduce returns the "reproduce" verb: the full study.
func NewCmdReproduce(s *Streams) *cobra.Command {
	var opt experiment.Options
	var only []string
	var readme string
	cmd := &cobra.Command{
		Use:   "reproduce -o DIR [--quick] [--dataset NAME] [--only E3,...]",
		Short: "Run the full study (E1-E7) and write the report; resumable",
		Long: `reproduce runs experiments E1-E7 (equivalence, dimensional collapse,
alignment of G with the labels, verdicts on the paper's claims, local vs
global, encoders trained by package train, and the adviser of "eigenssl
advise" against trained encoders) on the chosen data set and writes
DIR/report.html (self-contained), DIR/results.json and
DIR/figures/*.{png,svg}. Every finished cell is stored under DIR/cells;
rerunning after an interruption recomputes only the missing cells (E7 is
not cached: it reruns). --only E4 also runs E3, whose numbers it judges (and
E5's verdict when E5 runs too). The full preset is heavy: SimCLR's loss costs
O(N^2 K) per evaluation and is minimised to a stated tolerance from several
starts; --quick is the small version. --readme FILE regenerates FILE's
block for the data set (between its study markers) from this run.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opt.Out == "" {
				return usagef("reproduce: -o needs a directory")
			}
			if !slices.Contains(experiment.Datasets, opt.Dataset) {
				return usagef("reproduce: unknown --dataset %q (valid: %s)", opt.Dataset, strings.Join(experiment.Datasets, ", "))
			}
			if cmd.Flags().Changed("only") && len(only) == 0 {
				return usagef("reproduce: --only is empty; name experiments (valid: %s) or omit it to run all", strings.Join(experiment.Experiments, ", "))
			}
			for _, e := range only {
				if !slices.Contains(experiment.Experiments, strings.ToUpper(strings.TrimSpace(e))) {
					return usagef("reproduce: unknown experiment %q in --only (valid: %s)", e, strings.Join(experiment.Experiments, ", "))
				}
			}
			opt.Only = only
			experiment.Version = version
			if readme != "" {
				if len(only) > 0 {
					return usagef("reproduce: --readme describes a run of every experiment; drop --only")
				}
				// Fail before hours of work when the markers are missing.
				if err := experiment.CheckStudyMarkers(readme, opt.Dataset); err != nil {
					return err
				}
			}
			rep, err := experiment.Run(cmd.Context(), opt)
			if err != nil {
				return err
			}
			cpu := cpuSeconds()
			if readme != "" {
				if err := experiment.UpdateReadmeStudy(readme, rep, cpu); err != nil {
					return err
				}
			}
			_, err = fmt.Fprintf(s.Out, "%s\nreport: %s (%.1f s, %.1f s of CPU, %d cells computed, %d reused)\n", rep.Summary, rep.Path, rep.Seconds, cpu, rep.CellsComputed, rep.CellsReused)
			return err
		},
	}
	cmd.Flags().StringVarP(&opt.Out, "out", "o", "eigenssl-out", "output directory")
	cmd.Flags().BoolVar(&opt.Quick, "quick", false, "smaller configurations (minutes instead of tens of minutes)")
	cmd.Flags().StringVar(&opt.Dataset, "dataset", "digits", "data set: "+strings.Join(experiment.Datasets, "|"))
	cmd.Flags().StringSliceVar(&only, "only", nil, "run only these experiments (E1..E7, comma separated)")
	cmd.Flags().Uint64Var(&opt.Seed, "seed", 0, "seed of every random choice")
	cmd.Flags().StringVar(&readme, "readme", "", "README file whose generated block for this data set is rewritten from this run")
	return cmd
}
