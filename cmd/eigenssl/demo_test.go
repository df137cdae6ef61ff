package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDemoUsageAndFailure(t *testing.T) {
	if code, _, _ := runArgs("demo", "extra"); code != 2 {
		t.Errorf("demo extra: exit %d; want 2", code)
	}
	if code, _, _ := runArgs("demo", "-o", ""); code != 2 {
		t.Errorf("demo -o '': exit %d; want 2", code)
	}
	// An output path that is a file cannot hold the report: exit 1.
	f := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(f, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := runArgs("demo", "-o", f)
	if code != 1 || !strings.Contains(errOut, "experiment:") {
		t.Errorf("demo -o FILE: exit %d, stderr %q; want 1 with an experiment error", code, errOut)
	}
	code, out, _ := runArgs("demo", "--help")
	if code != 0 || !strings.Contains(out, "(E4) experiments") {
		t.Errorf("demo --help: exit %d, out %q", code, out)
	}
}
