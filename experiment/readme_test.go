package experiment

import (
	"errors"
	"fmt"
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

// TestUpdateReadmeStudy checks the reproduce block: it is written between
// its data set's markers only (another data set's block is left alone),
// carries the verdict table, the meanings and the run's cost from the
// report, and a README without the markers is refused before a run.
func TestUpdateReadmeStudy(t *testing.T) {
	shared := *tinyRun(t) // a copy: tinyRun's report is shared with other tests
	rep := &shared
	rep.Options.Dataset = "digits"
	rep.Seconds, rep.CellsComputed, rep.CellsReused = 754, 321, 7
	dir := t.TempDir()
	path := filepath.Join(dir, "README.md")
	db, de := StudyMarkers("digits")
	fb, fe := StudyMarkers("fashion-mnist")
	text := "intro\n" + db + "\nold digits 0.925\n" + de + "\nmiddle\n" + fb + "\nold fashion 0.5\n" + fe + "\nend\n"
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := CheckStudyMarkers(path, "digits"); err != nil {
		t.Fatal(err)
	}
	if err := UpdateReadmeStudy(path, rep, 1500.4); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	s := string(got)
	if strings.Contains(s, "old digits") || !strings.Contains(s, "old fashion 0.5") || !strings.HasPrefix(s, "intro\n"+db) || !strings.HasSuffix(s, fe+"\nend\n") {
		t.Errorf("wrong block replaced:\n%s", s)
	}
	table, _, _ := strings.Cut(rep.Summary, "\n\n")
	for _, want := range []string{table, "12 min 34 s wall-clock", "25 min 0 s of CPU", "321 cells computed, 7 reused",
		fmt.Sprintf("%d replicates", rep.E3.Config.Seeds)} {
		if !strings.Contains(s, want) {
			t.Errorf("block lacks %q:\n%s", want, s)
		}
	}
	for _, v := range rep.E4.Verdicts {
		if !strings.Contains(s, v.Meaning) {
			t.Errorf("block lacks the meaning of %q", v.Claim)
		}
	}
	// E7's concordance clause: shown when the run counted separable pairs,
	// left out for results that predate the count.
	e7 := *rep.E7
	e7.Separable, e7.Concordant = 5, 4
	withE7 := *rep
	withE7.E7 = &e7
	if blk := StudyBlock(&withE7, 1); !strings.Contains(blk, "the adviser orders 4 of 5 as training does") {
		t.Errorf("E7 line lacks the concordance:\n%s", blk)
	}
	e7.Separable, e7.Concordant = 0, 0
	if blk := StudyBlock(&withE7, 1); strings.Contains(blk, "as training does") {
		t.Errorf("E7 line shows a concordance without separable pairs:\n%s", blk)
	}
	bad := filepath.Join(dir, "bad.md")
	os.WriteFile(bad, []byte(db+"\n"), 0o644)
	if err := CheckStudyMarkers(bad, "digits"); !errors.Is(err, ErrParam) {
		t.Errorf("end marker missing: %v; want ErrParam", err)
	}
	if err := UpdateReadmeStudy(bad, rep, 1); !errors.Is(err, ErrParam) {
		t.Errorf("end marker missing: %v; want ErrParam", err)
	}
}
