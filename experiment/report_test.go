package experiment

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

func TestFormatTableAlignment(t *testing.T) {
	got := formatTable(Table{Title: "T", Head: []string{"a", "claim", "n"}, Rows: [][]string{{"xx", "long claim", "1"}, {"y", "c", "22"}}, Left: 2})
	want := "T\na   claim        n\nxx  long claim   1\ny   c           22\n"
	if got != want {
		t.Errorf("got\n%q; want\n%q", got, want)
	}
}

// TestReportHTMLTables checks the report's summary: HTML tables (no
// monospaced dump), every verdict colour-coded and linked to its evidence
// anchor, a "what this means" column, and figure references relative to
// the report (the old caption printed the SVG's absolute path).
func TestReportHTMLTables(t *testing.T) {
	rep := tinyRun(t)
	b, err := os.ReadFile(rep.Path)
	if err != nil {
		t.Fatal(err)
	}
	html := string(b)
	sum := html[strings.Index(html, `id="summary"`):strings.Index(html, `id="e1"`)]
	if strings.Contains(sum, "<pre>") || !strings.Contains(sum, "<table>") {
		t.Error("summary is not an HTML table")
	}
	if !strings.Contains(sum, "what this means") {
		t.Error("summary lacks the what-this-means column")
	}
	for i, v := range rep.E4.Verdicts {
		cls := verdictWords[v.Verdict]
		want := fmt.Sprintf(`<td class="%s"><a href="#v%d">%s</a></td>`, cls, i, v.Verdict)
		if cls == "" || !strings.Contains(sum, want) {
			t.Errorf("verdict %d (%s): no colour-coded linked cell %q", i, v.Verdict, want)
		}
		if !strings.Contains(html, fmt.Sprintf(`id="v%d"`, i)) {
			t.Errorf("verdict %d: no evidence anchor", i)
		}
	}
	if strings.Contains(html, tinyDir) {
		t.Errorf("report contains the absolute output path %s", tinyDir)
	}
	if !strings.Contains(html, `href="figures/`) {
		t.Error("no relative link to an SVG figure")
	}
}
