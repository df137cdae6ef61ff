// Command eigenssl builds pairwise-relation graphs, computes spectral
// embeddings, evaluates self-supervised losses and their closed forms, trains
// encoders and reproduces the claims of Balestriero & LeCun (NeurIPS 2022).
//
// The command only parses flags and calls the library packages; every verb is
// one NewCmdX constructor registered in init, following the gh/cobra layout.
// Exit codes: 0 success, 1 failure, 2 usage error.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
)

// version is overridden at link time with -ldflags "-X main.version=...".
var version = "0.1.0-dev"

// Streams are the standard streams a verb writes to; tests inject buffers.
type Streams struct {
	In       io.Reader
	Out, Err io.Writer
}

// verbs holds the constructors of every subcommand; each verb's file appends
// to it in an init function so that verbs can be added without editing root.
var verbs []func(s *Streams) *cobra.Command

// usageError marks a failure caused by bad flags or arguments (exit code 2).
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// usagef returns an error that makes the command exit with status 2.
func usagef(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

// NewCmdRoot returns the root command with every registered verb.
func NewCmdRoot(s *Streams) *cobra.Command {
	root := &cobra.Command{
		Use:   "eigenssl",
		Short: "Self-supervised learning losses as spectral embedding methods",
		Long: `eigenssl turns one result into software: SSL losses are spectral embedding
methods applied to the graph G of positive pairs (VICReg = Laplacian Eigenmaps,
SimCLR = MDS/ISOMAP, BarlowTwins = CCA; Balestriero & LeCun, NeurIPS 2022).`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetIn(s.In)
	root.SetOut(s.Out)
	root.SetErr(s.Err)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	for _, v := range verbs {
		root.AddCommand(v(s))
	}
	return root
}

// internalError opens the message of a panic recovered by run: a bug, which
// reaches the user as one line and exit code 1, not as a goroutine dump.
const internalError = "eigenssl: internal error (a bug; please report it with the command line):"

// run executes the command line args and returns the process exit code. A
// panic of the verb's goroutine is recovered and reported as an internal
// error (exit 1).
func run(args []string, s *Streams) (code int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintln(s.Err, internalError, r)
			code = 1
		}
	}()
	root := NewCmdRoot(s)
	root.SetArgs(args)
	err := root.Execute()
	if err == nil {
		return 0
	}
	fmt.Fprintln(s.Err, "eigenssl:", err)
	var ue usageError
	if errors.As(err, &ue) || isCobraUsage(err) {
		return 2
	}
	return 1
}

// isCobraUsage reports errors cobra raises for unknown verbs or bad arity.
func isCobraUsage(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "accepts ", "requires at least", "invalid argument"} {
		if strings.Contains(msg, p) {
			return true
		}
	}
	return false
}

func main() {
	os.Exit(run(os.Args[1:], &Streams{In: os.Stdin, Out: os.Stdout, Err: os.Stderr}))
}
