package experiment

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestUpdateReadme checks that the README block is regenerated from the
// report between the markers only, idempotently, and that a file without
// the markers is an error.
func TestUpdateReadme(t *testing.T) {
	rep := tinyRun(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "README.md")
	before, after := "# title\n\ntext before\n\n", "\n\ntext after\n"
	if err := os.WriteFile(path, []byte(before+ReadmeBegin+"\nstale numbers 0.925\n"+ReadmeEnd+after), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := UpdateReadme(path, rep, 12.6); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	s := string(got)
	if !strings.HasPrefix(s, before+ReadmeBegin) || !strings.HasSuffix(s, ReadmeEnd+after) || strings.Contains(s, "stale numbers") {
		t.Errorf("block not replaced in place:\n%s", s)
	}
	if !strings.Contains(s, strings.TrimRight(rep.Summary, "\n")) || !strings.Contains(s, "13 s of CPU") {
		t.Error("block lacks the summary or the CPU time")
	}
	for _, v := range rep.E4.Verdicts {
		if !strings.Contains(s, v.Meaning) {
			t.Errorf("block lacks the meaning of %q", v.Claim)
		}
	}
	if err := UpdateReadme(path, rep, 12.6); err != nil {
		t.Fatal(err)
	}
	if again, _ := os.ReadFile(path); string(again) != s {
		t.Error("second update changed the file")
	}
	bad := filepath.Join(dir, "bad.md")
	os.WriteFile(bad, []byte("no markers"), 0o644)
	if err := UpdateReadme(bad, rep, 1); !errors.Is(err, ErrParam) {
		t.Errorf("no markers: %v; want ErrParam", err)
	}
}
