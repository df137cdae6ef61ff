package experiment

import "testing"

func TestFormatTableAlignment(t *testing.T) {
	got := formatTable(Table{Title: "T", Head: []string{"a", "claim", "n"}, Rows: [][]string{{"xx", "long claim", "1"}, {"y", "c", "22"}}, Left: 2})
	want := "T\na   claim        n\nxx  long claim   1\ny   c           22\n"
	if got != want {
		t.Errorf("got\n%q; want\n%q", got, want)
	}
}
