package main

import (
	"archive/zip"
	"encoding/json"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/eigenssl/eigenssl/data"
	"github.com/eigenssl/eigenssl/graph"
	"github.com/eigenssl/eigenssl/internal/oracle"
	"gonum.org/v1/gonum/mat"
)

// readNPZAll returns every array of a .npz archive by name (entries are
// extracted to .npy files and read back with data.ReadMatrix).
func readNPZAll(t *testing.T, path string) map[string]*mat.Dense {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	out := map[string]*mat.Dense{}
	dir := t.TempDir()
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, f.Name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		m, err := data.ReadMatrix(p)
		if err != nil {
			t.Fatal(err)
		}
		out[strings.TrimSuffix(f.Name, ".npy")] = m
	}
	return out
}

// TestLossVerbOracle runs the verb end to end on every oracle case (the
// graph, if any, as --relation when it is an augmentation graph, else as an
// edge file) and compares the printed value and parts and the written gradients with the
// oracle.
func TestLossVerbOracle(t *testing.T) {
	ran, viaFile := 0, 0
	for _, c := range oracle.Load(t, "losses.json") {
		dir := t.TempDir()
		args := []string{"loss", "--loss", strings.ReplaceAll(c.Loss, "_", "-"), "--grad-out", filepath.Join(dir, "g.npz")}
		for k, v := range c.Params {
			switch k {
			case "sim_coeff", "std_coeff", "cov_coeff", "lambd", "tau", "mu", "alpha", "beta", "gamma":
				args = append(args, "--param", k+"="+strconv.FormatFloat(v.(float64), 'g', -1, 64))
			}
		}
		gradName := map[string]string{}
		for name := range c.Inputs {
			m := c.Input(t, name)
			switch name {
			case "G":
				// An augmentation graph goes through --relation, any other
				// through an edge file.
				v := 0
				if c.HasParam("V") {
					v = int(c.Param(t, "V"))
				}
				if g, _, err := graph.Views(m.RawMatrix().Rows/max(v, 1), v); v >= 2 && err == nil && mat.Equal(g.Dense(), m) {
					args = append(args, "--relation", "views:V="+strconv.Itoa(v))
					continue
				}
				g, err := graph.FromDense(m)
				if err != nil {
					t.Fatal(err)
				}
				p := filepath.Join(dir, "edges.csv")
				if err := graph.WriteEdgeFile(p, g); err != nil {
					t.Fatal(err)
				}
				args = append(args, "--graph-file", p)
				viaFile++
				continue
			case "x", "z1", "Z":
				args = append(args, "--z1", filepath.Join(dir, name+".npy"))
				gradName[map[string]string{"x": "z1", "z1": "z1", "Z": "Z"}[name]] = name
			case "y", "z2":
				args = append(args, "--z2", filepath.Join(dir, name+".npy"))
				gradName["z2"] = name
			}
			if err := data.WriteMatrix(filepath.Join(dir, name+".npy"), m); err != nil {
				t.Fatal(err)
			}
		}
		ran++
		code, out, stderr := runArgs(args...)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", c.Name, code, stderr)
		}
		var got struct {
			Loss  string
			Value float64
			Parts map[string]float64
		}
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatalf("%s: output %q: %v", c.Name, out, err)
		}
		if got.Loss != c.Loss || math.Abs(got.Value-c.Value) > 1e-10*math.Max(1, math.Abs(c.Value)) {
			t.Errorf("%s: got %s = %.17g; want %.17g", c.Name, got.Loss, got.Value, c.Value)
		}
		for k, want := range c.Parts {
			if math.Abs(got.Parts[k]-want) > 1e-10*math.Max(1, math.Abs(want)) {
				t.Errorf("%s: part %s = %.17g; want %.17g", c.Name, k, got.Parts[k], want)
			}
		}
		grads := readNPZAll(t, filepath.Join(dir, "g.npz"))
		if len(grads) != len(gradName) {
			t.Errorf("%s: %d gradients written; want %d", c.Name, len(grads), len(gradName))
		}
		for key, name := range gradName {
			want := oracle.Dense(t, c.Grad[name])
			g, ok := grads[key]
			if !ok {
				t.Fatalf("%s: no gradient %q in the archive", c.Name, key)
			}
			if d := oracle.MaxAbsDiff(g, want); d > 1e-9*oracle.Scale(want) {
				t.Errorf("%s: gradient %s: max diff %.3g", c.Name, key, d)
			}
		}
	}
	if ran == 0 {
		t.Fatal("no oracle case could be run through the verb")
	}
	t.Logf("%d oracle cases run through the verb, %d with --graph-file", ran, viaFile)
}

func TestLossVerbUsage(t *testing.T) {
	dir := t.TempDir()
	z := filepath.Join(dir, "z.npy")
	if err := data.WriteMatrix(z, mat.NewDense(4, 2, []float64{1, 2, 3, 4, 5, 6, 7, 9})); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"loss", "--z1", z}, 2, "--loss is required"},
		{[]string{"loss", "--loss", "nope", "--z1", z}, 2, "vicreg_official"},
		{[]string{"loss", "--loss", "ntxent", "--z1", z}, 2, "--z2 is required"},
		{[]string{"loss", "--loss", "ntxent", "--z1", z, "--z2", z, "--param", "temp=1"}, 2, "valid keys: tau"},
		{[]string{"loss", "--loss", "ntxent", "--z1", z, "--z2", z, "--param", "tau"}, 2, "key=value"},
		{[]string{"loss", "--loss", "vicreg_gform", "--z1", z}, 2, "--graph-file"},
		{[]string{"loss", "--loss", "vicreg_gform", "--z1", z, "--relation", "views:V=2", "--graph-file", z}, 2, "exactly one"},
		{[]string{"loss", "--loss", "vicreg_gform", "--z1", z, "--graph-file", filepath.Join(dir, "none.csv")}, 1, "none.csv"},
		{[]string{"loss", "--loss", "ntxent", "--z1", z, "--z2", z, "--relation", "views:V=2"}, 2, "takes no graph"},
		{[]string{"loss", "--loss", "vicreg_gform", "--z1", z, "--relation", "views:V=3"}, 1, "multiple"},
		{[]string{"loss", "--loss", "ntxent", "--z1", z, "--z2", filepath.Join(dir, "missing.npy")}, 1, "missing.npy"},
		// Issue 12: the format of --grad-out follows its extension, or is refused.
		{[]string{"loss", "--loss", "ntxent", "--z1", z, "--z2", z, "--grad-out", filepath.Join(dir, "g.npy")}, 2, "two gradients"},
		{[]string{"loss", "--loss", "ntxent", "--z1", z, "--z2", z, "--grad-out", filepath.Join(dir, "g.txt")}, 2, "want a .npz file"},
		{[]string{"loss", "--loss", "ntxent", "--z1", z, "--z2", z, "--grad-out", filepath.Join(dir, "no", "g.npz")}, 2, "does not exist"},
		{[]string{"loss", "--loss", "ntxent", "--z1", z, "--z2", z, "--grad-out", dir + "/"}, 2, ""},
	} {
		code, _, stderr := runArgs(tc.args...)
		if code != tc.code || !strings.Contains(stderr, tc.msg) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d mentioning %q", tc.args, code, stderr, tc.code, tc.msg)
		}
	}
	code, out, stderr := runArgs("loss", "--loss", "ntxent", "--z1", z, "--z2", z)
	if code != 0 || !strings.Contains(out, `"value":`) || !strings.Contains(out, `"parts":{}`) {
		t.Errorf("ntxent: exit %d, out %q, stderr %q", code, out, stderr)
	}
	// A G-form loss's one gradient as a real .npy (it was a zip before).
	g := filepath.Join(dir, "g.npy")
	if code, _, stderr := runArgs("loss", "--loss", "vicreg_gform", "--z1", z, "--relation", "views:V=2", "--grad-out", g); code != 0 {
		t.Fatalf("vicreg_gform --grad-out g.npy: exit %d: %s", code, stderr)
	}
	if m, err := data.ReadMatrix(g); err != nil {
		t.Errorf("g.npy is not a .npy matrix: %v", err)
	} else if r, c := m.Dims(); r != 4 || c != 2 {
		t.Errorf("g.npy is %d x %d; want 4 x 2", r, c)
	}
}

// The verb asks the loss which inputs it reads (Loss.Form), not its name:
// vicreg_smooth is a G-form loss without the _gform suffix (the suffix
// rule refused it with "--z2 is required").
func TestLossVerbFormFromLoss(t *testing.T) {
	z := filepath.Join(t.TempDir(), "z.npy")
	if err := data.WriteMatrix(z, mat.NewDense(4, 2, []float64{1, 2, 3, 4, 5, 6, 7, 9})); err != nil {
		t.Fatal(err)
	}
	code, out, stderr := runArgs("loss", "--loss", "vicreg_smooth", "--z1", z, "--relation", "views:V=2")
	if code != 0 || !strings.Contains(out, `"value":`) {
		t.Errorf("vicreg_smooth --relation: exit %d, out %q, stderr %q; want a value", code, out, stderr)
	}
	if code, _, stderr := runArgs("loss", "--loss", "vicreg_smooth", "--z1", z, "--z2", z); code != 2 || !strings.Contains(stderr, "G-form") {
		t.Errorf("vicreg_smooth --z2: exit %d, stderr %q; want exit 2 naming the G-form", code, stderr)
	}
}

// A non-finite loss value is printed as null (data.JSONFloat), not refused
// by encoding/json.
func TestLossVerbNonFiniteValueIsNull(t *testing.T) {
	z := filepath.Join(t.TempDir(), "z.csv")
	if err := os.WriteFile(z, []byte("1e200,0\n-1e200,1\n3,0\n0,1e200\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, stderr := runArgs("loss", "--loss", "vicreg_official", "--z1", z, "--z2", z)
	if code != 0 || !strings.Contains(out, `"value":null`) || !strings.Contains(out, `"cov_loss":null`) {
		t.Errorf("exit %d, out %q, stderr %q; want value and cov_loss null", code, out, stderr)
	}
}
