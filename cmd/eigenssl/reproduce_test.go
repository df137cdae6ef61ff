package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eigenssl/eigenssl/experiment"
)

func TestReproduceUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"reproduce", "--dataset", "cifar"},
		{"reproduce", "--only", "E9"},
		{"reproduce", "-o", ""},
		{"reproduce", "extra"},
	} {
		if code, _, _ := runArgs(args...); code != 2 {
			t.Errorf("%v: exit %d; want 2", args, code)
		}
	}
}

// TestReproduceOnlyE5Resumes runs the cheapest experiment through the verb
// and checks the outputs and that a rerun reuses every cell.
func TestReproduceOnlyE5Resumes(t *testing.T) {
	dir := t.TempDir()
	code, out, errOut := runArgs("reproduce", "--only", "E5", "-o", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, f := range []string{"report.html", "results.json", "figures/e5-local-global.png", "figures/e5-local-global.svg"} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
	// One cell per E5 replicate.
	n := experiment.Presets(experiment.Options{}).E5.Seeds
	if !strings.Contains(out, "report: "+filepath.Join(dir, "report.html")) || !strings.Contains(out, fmt.Sprintf(" %d cells computed", n)) {
		t.Errorf("first run output %q", out)
	}
	code, out, errOut = runArgs("reproduce", "--only", "E5", "-o", dir)
	if code != 0 || !strings.Contains(out, fmt.Sprintf("0 cells computed, %d reused", n)) {
		t.Errorf("rerun: exit %d, out %q, err %q; want every cell reused", code, out, errOut)
	}
}
