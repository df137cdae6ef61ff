package main

import (
	"fmt"

	"github.com/eigenssl/eigenssl/experiment"
	"github.com/spf13/cobra"
)

func init() { verbs = append(verbs, NewCmdDemo) }

// NewCmdDemo returns the "demo" verb: a quick E1-E4 on the embedded digits.
func NewCmdDemo(s *Streams) *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "demo [-o DIR]",
		Short: "Run a quick version of experiments E1-E4 on the embedded digits and write a report",
		Long: `demo runs small versions of the equivalence (E1), dimensional-collapse (E2),
alignment (E3) and guidance-verdict (E4) experiments on the embedded 8x8 digits
(under two minutes on two cores), prints a summary table and writes a
self-contained HTML report, results.json and PNG/SVG figures to DIR.
Finished cells are cached under DIR/cells, so a second run is immediate.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out == "" {
				return usagef("demo: -o needs a directory")
			}
			experiment.Version = version
			rep, err := experiment.Demo(cmd.Context(), out)
			if err != nil {
				return err
			}
			_, err = fmt.Fprintf(s.Out, "%s\nreport: %s (%.1f s, %d cells computed, %d reused)\n", rep.Summary, rep.Path, rep.Seconds, rep.CellsComputed, rep.CellsReused)
			return err
		},
	}
	cmd.Flags().StringVarP(&out, "out", "o", "eigenssl-out", "output directory")
	return cmd
}
