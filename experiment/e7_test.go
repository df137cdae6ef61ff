package experiment

import (
	"os"
	"strings"
	"testing"
)

// TestE7InReport: the tiny run includes E7, with one summary row and one
// table per case, and the report page shows its section.
func TestE7InReport(t *testing.T) {
	rep := tinyRun(t)
	if rep.E7 == nil || len(rep.E7.Cases) != 3 {
		t.Fatalf("E7 missing or with the wrong cases: %+v", rep.E7)
	}
	sec := e7Section(rep.E7)
	if len(sec.Tables) != 1+len(rep.E7.Cases) || len(sec.Tables[0].Rows) != len(rep.E7.Cases) {
		t.Fatalf("E7 section: %d tables, %d summary rows", len(sec.Tables), len(sec.Tables[0].Rows))
	}
	for i, c := range rep.E7.Cases {
		if sec.Tables[0].Rows[i][0] != c.Name || len(sec.Tables[i+1].Rows) != len(c.Rows) {
			t.Fatalf("case %d: summary row %v", i, sec.Tables[0].Rows[i])
		}
	}
	page, err := os.ReadFile(rep.Path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(page), "E7 Does the adviser pick the loss training would?") {
		t.Fatal("report page lacks the E7 section")
	}
}
