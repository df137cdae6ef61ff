package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

func runArgs(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = run(args, &Streams{In: strings.NewReader(""), Out: &out, Err: &errb})
	return code, out.String(), errb.String()
}

func TestVersion(t *testing.T) {
	code, out, _ := runArgs("version")
	if code != 0 || !strings.HasPrefix(out, "eigenssl ") || !strings.Contains(out, "backend") {
		t.Fatalf("version: code %d, out %q", code, out)
	}
}

func TestHelpListsVerbs(t *testing.T) {
	code, out, _ := runArgs("--help")
	if code != 0 || !strings.Contains(out, "version") {
		t.Fatalf("--help: code %d, out %q", code, out)
	}
}

func TestUsageErrorExit2(t *testing.T) {
	if code, _, _ := runArgs("no-such-verb"); code != 2 {
		t.Fatalf("unknown verb: got exit %d; want 2", code)
	}
	if code, _, _ := runArgs("version", "--no-such-flag"); code != 2 {
		t.Fatalf("unknown flag: got exit %d; want 2", code)
	}
}

// A panic inside a verb reaches the user as one internal-error line and
// exit code 1, never as a goroutine dump.
func TestRunRecoversPanic(t *testing.T) {
	saved := verbs
	defer func() { verbs = saved }()
	verbs = append(verbs[:len(verbs):len(verbs)], func(*Streams) *cobra.Command {
		return &cobra.Command{Use: "boom", RunE: func(*cobra.Command, []string) error {
			var m map[string]int
			m["x"] = 1 // a nil-map write: a runtime panic
			return nil
		}}
	})
	code, out, errOut := runArgs("boom")
	if code != 1 || !strings.HasPrefix(errOut, internalError) || !strings.Contains(errOut, "nil map") ||
		strings.Contains(out+errOut, "goroutine") || strings.Count(errOut, "\n") != 1 {
		t.Errorf("exit %d, stdout %q, stderr %q; want exit 1 and one internal-error line", code, out, errOut)
	}
}
