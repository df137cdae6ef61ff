package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eigenssl/eigenssl/data"
)

// adviseFixture writes a small latent data set and its labels.
func adviseFixture(t *testing.T) (dir, x, y string) {
	t.Helper()
	dir = t.TempDir()
	ds, err := data.Latent(120, data.LatentConfig{AmbientDim: 10, Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	x, y = filepath.Join(dir, "X.npy"), filepath.Join(dir, "y.npy")
	if err := data.WriteMatrix(x, ds.X); err != nil {
		t.Fatal(err)
	}
	if err := data.WriteLabels(y, ds.Y); err != nil {
		t.Fatal(err)
	}
	return dir, x, y
}

// TestAdviseVerb runs the verb end to end and checks the table, the JSON
// and the HTML page.
func TestAdviseVerb(t *testing.T) {
	dir, x, y := adviseFixture(t)
	js, page := filepath.Join(dir, "a.json"), filepath.Join(dir, "a.html")
	var out, errb bytes.Buffer
	code := run([]string{"advise", "--input", x, "--relation", "views:V=2,augment=noise:0.3", "--labels", y,
		"--labels-per-class", "6", "-k", "4", "--refine", "20", "--resamples", "5", "--json", js, "--html", page},
		&Streams{Out: &out, Err: &errb})
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if !strings.Contains(out.String(), "recommendation: ") || !strings.Contains(out.String(), "G–kNN agreement") {
		t.Fatalf("table lacks the recommendation or diagnostics:\n%s", out.String())
	}
	b, err := os.ReadFile(js)
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		K         int `json:"k"`
		Labelled  int `json:"labelled"`
		Resamples int `json:"resamples"`
		Results   []struct {
			Loss string `json:"loss"`
		} `json:"results"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if m.K != 4 || m.Labelled != 24 || m.Resamples != 5 || len(m.Results) == 0 {
		t.Fatalf("JSON: k %d, labelled %d, resamples %d, %d results", m.K, m.Labelled, m.Resamples, len(m.Results))
	}
	h, err := os.ReadFile(page)
	if err != nil || !strings.Contains(string(h), "data:image/png;base64,") {
		t.Fatalf("HTML page missing or without inline figures (%v)", err)
	}
}

// TestAdviseVerbLandmarks: --regime kernel --landmarks M runs the Nyström
// kernel regime and says so in the table's header and the JSON.
func TestAdviseVerbLandmarks(t *testing.T) {
	dir, x, y := adviseFixture(t)
	js := filepath.Join(dir, "a.json")
	var out, errb bytes.Buffer
	code := run([]string{"advise", "--input", x, "--relation", "views:V=2,augment=noise:0.3", "--labels", y, "--labels-per-class", "6",
		"-k", "4", "--refine", "20", "--resamples", "5", "--regime", "kernel", "--landmarks", "30", "--json", js}, &Streams{Out: &out, Err: &errb})
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if !strings.Contains(out.String(), "kernel regime (Nyström: 30 landmarks") {
		t.Fatalf("header does not name the Nyström regime:\n%s", out.String())
	}
	b, err := os.ReadFile(js)
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Regime    string `json:"regime"`
		Landmarks int    `json:"landmarks"`
		Features  int    `json:"features"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if m.Regime != "kernel" || m.Landmarks != 30 || m.Features < 4 || m.Features > 30 {
		t.Fatalf("JSON: regime %q landmarks %d features %d", m.Regime, m.Landmarks, m.Features)
	}
}

// TestAdviseVerbErrors: usage errors exit 2, bad files exit 1, each with a
// message naming the flag.
func TestAdviseVerbErrors(t *testing.T) {
	dir, x, y := adviseFixture(t)
	short := filepath.Join(dir, "short.npy")
	if err := data.WriteLabels(short, []int{0, 1, 0}); err != nil {
		t.Fatal(err)
	}
	rel := "views:V=2,augment=noise:0.3"
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"advise", "--relation", rel}, 2, "--input is required"},
		{[]string{"advise", "--input", x}, 2, "--relation is required"},
		{[]string{"advise", "--input", x, "--relation", rel, "--regime", "feature"}, 2, "--regime"},
		{[]string{"advise", "--input", x, "--relation", rel, "-k", "0"}, 2, "-k must be positive"},
		{[]string{"advise", "--input", x, "--relation", rel, "--labels-per-class", "3"}, 2, "--labels-per-class needs --labels"},
		{[]string{"advise", "--input", x, "--relation", rel, "--resamples", "0"}, 2, "--resamples"},
		{[]string{"advise", "--input", x, "--relation", rel, "--image-shape", "3"}, 2, "--image-shape"},
		{[]string{"advise", "--input", filepath.Join(dir, "missing.npy"), "--relation", rel}, 1, "--input"},
		{[]string{"advise", "--input", x, "--relation", rel, "--labels", short}, 1, "has 3 labels"},
		{[]string{"advise", "--input", x, "--relation", "views"}, 1, "V"},
		{[]string{"advise", "--input", x, "--relation", rel, "--labels", y, "--labels-per-class", "1000"}, 1, "labels per class"},
		{[]string{"advise", "--input", x, "--relation", rel, "--probe", "svm"}, 1, "probe"},
		{[]string{"advise", "--input", x, "--relation", rel, "--landmarks", "20"}, 2, "--landmarks needs --regime kernel"},
		{[]string{"advise", "--input", x, "--relation", rel, "--regime", "kernel", "--landmarks", "1"}, 2, "--landmarks must be"},
		{[]string{"advise", "--input", x, "--relation", rel, "--regime", "kernel", "--landmarks", "100000"}, 1, "landmarks"},
	} {
		var out, errb bytes.Buffer
		code := run(c.args, &Streams{Out: &out, Err: &errb})
		if code != c.code || !strings.Contains(errb.String(), c.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d mentioning %q", c.args[1:], code, errb.String(), c.code, c.want)
		}
	}
}
