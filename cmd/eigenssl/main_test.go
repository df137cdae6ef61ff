package main

import (
	"bytes"
	"strings"
	"testing"
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
