package main

import (
	"fmt"
	"math"

	"github.com/eigenssl/eigenssl/experiment"
	"github.com/spf13/cobra"
)

func init() { verbs = append(verbs, NewCmdDemo) }

var nan = math.NaN()

// NewCmdDemo returns the "demo" verb: a quick E1-E4 on the embedded digits.
func NewCmdDemo(s *Streams) *cobra.Command {
	var out, readme string
	cmd := &cobra.Command{
		Use:   "demo [-o DIR] [--readme README.md]",
		Short: "Run small versions of experiments E1-E7 on the embedded digits and write a report",
		Long: `demo runs small versions of the equivalence (E1), dimensional-collapse (E2),
alignment (E3), verdict (E4) experiments on the paper's claims, the local/global
(E5), real-encoder (E6) and adviser-validation (E7) experiments on the embedded
8x8 digits and small latent-factor data (under two minutes on two unloaded
cores), prints a summary table and writes a
self-contained HTML report, results.json and PNG/SVG figures to DIR.
Finished cells are cached under DIR/cells, so a second run is immediate.
--readme FILE regenerates the demo block of FILE (between its demo-output
markers) from this run, so that the README's numbers are never typed.`,
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
			cpu := cpuSeconds()
			if readme != "" {
				if err := experiment.UpdateReadme(readme, rep, cpu); err != nil {
					return err
				}
			}
			_, err = fmt.Fprintf(s.Out, "%s\nreport: %s (%.1f s, %.1f s of CPU, %d cells computed, %d reused)\n", rep.Summary, rep.Path, rep.Seconds, cpu, rep.CellsComputed, rep.CellsReused)
			return err
		},
	}
	cmd.Flags().StringVarP(&out, "out", "o", "eigenssl-out", "output directory")
	cmd.Flags().StringVar(&readme, "readme", "", "README file whose generated demo block is rewritten from this run")
	return cmd
}
