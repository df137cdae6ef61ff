package main

import (
	"fmt"
	"runtime"

	"github.com/eigenssl/eigenssl/linalg"
	"github.com/spf13/cobra"
)

func init() { verbs = append(verbs, NewCmdVersion) }

// NewCmdVersion returns the "version" verb.
func NewCmdVersion(s *Streams) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the eigenssl version and linear-algebra backend",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprintf(s.Out, "eigenssl %s (%s, %s/%s, backend %s)\n",
				version, runtime.Version(), runtime.GOOS, runtime.GOARCH, linalg.Backend())
			return err
		},
	}
}
