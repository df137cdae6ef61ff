package main

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eigenssl/eigenssl/data"
	"gonum.org/v1/gonum/mat"
)

// errorCase is one command line that must fail cleanly.
type errorCase struct {
	args []string
	// msg is a substring the error message must contain ("" for any
	// non-empty message).
	msg string
}

// errorPathFixtures writes the inputs of the error-path table into dir.
func errorPathFixtures(t *testing.T, dir string) map[string]string {
	t.Helper()
	f := map[string]string{}
	put := func(name, text string) {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		f[name] = p
	}
	// A 60-row ring in the plane and its 60-vertex ring edge file.
	x := mat.NewDense(60, 2, nil)
	var ring strings.Builder
	for i := range 60 {
		a := 2 * math.Pi * float64(i) / 60
		x.Set(i, 0, math.Cos(a))
		x.Set(i, 1, math.Sin(a))
		fmt.Fprintf(&ring, "%d,%d\n", i, (i+1)%60)
	}
	f["x.npy"] = filepath.Join(dir, "x.npy")
	if err := data.WriteMatrix(f["x.npy"], x); err != nil {
		t.Fatal(err)
	}
	same := mat.NewDense(40, 2, nil) // 40 identical points
	for i := range 40 {
		same.Set(i, 0, 1)
		same.Set(i, 1, 2)
	}
	f["same.npy"] = filepath.Join(dir, "same.npy")
	if err := data.WriteMatrix(f["same.npy"], same); err != nil {
		t.Fatal(err)
	}
	put("ring.csv", ring.String())
	put("empty.csv", "")
	put("short.csv", "0,1\n1,2\n2,0\n")            // covers 3 of 60 vertices
	put("range.csv", "0,1\n1,60\n")                // vertex 60 of 60
	put("nan.csv", "1,2\n3,NaN\n")                 // NaN at row 2 column 2
	put("ragged.csv", "1,2\n3\n")                  // ragged
	put("quoted.csv", "\"a,b\",c\n1,2\n3,\"x\"\n") // bad field on line 3
	put("y60.csv", strings.Repeat("0\n1\n", 30))
	put("y3.csv", "0\n1\n0\n")
	put("yneg.csv", strings.Repeat("-1\n", 60))
	put("idx.csv", "0\n1\n99\n")
	put("notadir", "")
	for _, name := range []string{"zero.csv", "zero.npz", "zero.npy"} {
		f[name] = filepath.Join(dir, name)
		if err := os.Symlink("/dev/zero", f[name]); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// TestEveryVerbErrorPaths drives every verb through its error paths: each
// command line must exit non-zero with a message naming the problem, and
// no panic (recovered or not) or goroutine dump may reach the user
// (issue 12).
func TestEveryVerbErrorPaths(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Fatal("these cases need /dev/zero")
	}
	t.Setenv("EIGENSSL_MEMORY_LIMIT", "256M") // /dev/zero is refused within 32 MiB of text
	dir := t.TempDir()
	f := errorPathFixtures(t, dir)
	out := func(name string) string { return filepath.Join(dir, "out", name) } // a missing directory
	o := func(name string) string { return filepath.Join(dir, name) }
	x := f["x.npy"]
	cases := map[string][]errorCase{
		"version": {
			{args: []string{"version", "extra"}, msg: "unknown command"},
		},
		"data": {
			{args: []string{"data"}, msg: "want a subcommand"},
			{args: []string{"data", "list", "extra"}},
			{args: []string{"data", "export"}, msg: "-o/--output is required"},
			{args: []string{"data", "export", "-o", o("d.npy"), "--labels-out", o("d.npy")}, msg: "same file as -o/--output"},
			{args: []string{"data", "export", "-o", o("s.npz"), "--views", "2", "--graph-out", o("s.npz")}, msg: "same file as -o/--output"},
			{args: []string{"data", "export", "-o", out("d.npy")}, msg: "does not exist"},
			{args: []string{"data", "export", "-o", dir}, msg: "is a directory"},
			{args: []string{"data", "export", "-o", filepath.Join(f["notadir"], "d.npy")}, msg: "is not a directory"},
			{args: []string{"data", "export", "--dataset", "blobs", "--n", "1000000000", "-o", o("d.npy")}, msg: "--n 1000000000"},
			{args: []string{"data", "export", "--dataset", "blobs", "--dim", "100000000", "-o", o("d.npy")}, msg: "--dim 100000000"},
			{args: []string{"data", "export", "--n", "-1", "-o", o("d.npy")}, msg: "--n must be >= 0"},
			{args: []string{"data", "export", "--views", "2", "--augment", "shift:x", "-o", o("d.npy")}, msg: "not a number"},
			{args: []string{"data", "export", "--dataset", "nope", "-o", o("d.npy")}, msg: "valid names"},
		},
		"eval": {
			{args: []string{"eval", "--split", "0"}, msg: "--split"},
			{args: []string{"eval", "--split", "1"}, msg: "training-set size"},
			{args: []string{"eval", "--k", "0", "--probe", "knn"}, msg: "--k must be >= 1"},
			{args: []string{"eval", "--seeds", "0"}, msg: "--seeds"},
			{args: []string{"eval", "--embedding", f["zero.csv"], "--labels", f["y60.csv"]}, msg: "zero.csv"},
			{args: []string{"eval", "--embedding", f["zero.npz"], "--labels", f["y60.csv"]}, msg: "not a regular file"},
			{args: []string{"eval", "--embedding", f["nan.csv"], "--labels", f["y3.csv"]}, msg: "row 2 column 2"},
			{args: []string{"eval", "--embedding", x, "--labels", f["y3.csv"]}, msg: "3 labels for 60 rows"},
			{args: []string{"eval", "--embedding", x, "--labels", f["yneg.csv"]}, msg: "labelled"},
			{args: []string{"eval", "--embedding", x, "--labels", f["y60.csv"], "--train-idx", f["idx.csv"]}, msg: "99"},
			{args: []string{"eval", "--embedding", x, "--labels", f["y60.csv"], "--json", out("r.json")}, msg: "does not exist"},
			{args: []string{"eval", "--embedding", f["quoted.csv"], "--labels", f["y3.csv"]}, msg: "line 3"},
		},
		"loss": {
			{args: []string{"loss", "--loss", "ntxent", "--z1", x, "--z2", x, "--grad-out", o("g.npy")}, msg: "two gradients"},
			{args: []string{"loss", "--loss", "vicreg_gform", "--z1", x, "--graph-file", f["range.csv"]}, msg: "outside 0..59"},
			{args: []string{"loss", "--loss", "vicreg_gform", "--z1", x, "--graph-file", f["empty.csv"]}},
			{args: []string{"loss", "--loss", "ntxent", "--z1", f["zero.npz"], "--z2", x}, msg: "not a regular file"},
			{args: []string{"loss", "--loss", "ntxent", "--z1", f["ragged.csv"], "--z2", x}, msg: "line 2"},
			{args: []string{"loss", "--loss", "vicreg_gform", "--z1", x, "--relation", "knn:k=3"}, msg: "views:V=v"},
			{args: []string{"loss", "--loss", "ntxent", "--z1", x, "--z2", x, "--param", "tau=NaN"}, msg: "finite"},
		},
		"embed": {
			{args: []string{"embed", "--method", "le", "--input", x, "-o", x}, msg: "same file as the input --input"},
			// The fit fails (k > N) after reading a graph file: the shadowed
			// error of issue 12 (a nil-pointer panic before h-spectral's fix).
			{args: []string{"embed", "--method", "le", "--input", x, "--graph-file", f["ring.csv"], "-k", "100", "-o", o("z.npy")}},
			{args: []string{"embed", "--method", "le", "--input", x, "--graph-file", f["empty.csv"], "-o", o("z.npy")}},
			{args: []string{"embed", "--method", "le", "--input", x, "--graph-file", f["short.csv"], "-o", o("z.npy")}},
			{args: []string{"embed", "--method", "klpp", "--kernel", "rbf", "--input", f["same.npy"], "--graph", "knn:k=5", "-o", o("z.npy")}},
			{args: []string{"embed", "--method", "le", "--input", x, "--graph-file", f["range.csv"], "-o", o("z.npy")}, msg: "outside 0..59"},
			{args: []string{"embed", "--method", "bogus", "--input", x, "-o", o("z.npy")}},
			{args: []string{"embed", "--method", "le", "--input", x, "--graph", "knn:k=5", "-o", o("a.npy"), "--transform", x, "--transform-out", o("a.npy")}},
			{args: []string{"embed", "--method", "le", "--input", f["zero.csv"], "-o", o("z.npy")}, msg: "zero.csv"},
			{args: []string{"embed", "--method", "le", "--input", x, "--graph-file", f["zero.csv"], "-o", o("z.npy")}, msg: "not an edge list"},
			{args: []string{"embed", "--method", "le", "--input", x, "--graph-file", f["zero.npz"], "-o", o("z.npy")}, msg: "zero.npz"},
			{args: []string{"embed", "--method", "le", "--input", x, "--graph", "knn:k=x", "-o", o("z.npy")}, msg: "valid forms"},
		},
		"closedform": {
			{args: []string{"closedform", "--loss", "bogus", "--input", x, "--relation", "knn:k=5", "-k", "2", "-o", o("cf")}},
			{args: []string{"closedform", "--loss", "vicreg", "--input", x, "--relation", "knn:k=0", "-k", "2", "-o", o("cf")}, msg: "valid forms"},
			{args: []string{"closedform", "--loss", "vicreg", "--input", x, "--relation", "edges:" + f["range.csv"], "-k", "2", "-o", o("cf")}, msg: "outside 0..59"},
			{args: []string{"closedform", "--loss", "vicreg", "--input", f["zero.npz"], "--relation", "knn:k=5", "-k", "2", "-o", o("cf")}, msg: "not a regular file"},
			{args: []string{"closedform", "--loss", "vicreg", "--input", x, "--relation", "views:V=2,augment=shift:1", "-k", "2", "-o", o("cf")}, msg: "image"},
		},
		"train": {
			{args: []string{"train", "--loss", "bogus", "--input", x, "--encoder", "linear:2", "--out", o("run1")}},
			{args: []string{"train", "--loss", "vicreg_gform", "--input", f["zero.csv"], "--encoder", "linear:2", "--out", o("run2")}, msg: "zero.csv"},
			{args: []string{"train", "--loss", "vicreg_gform", "--input", x, "--encoder", "mlp:x", "--out", o("run3")}},
			{args: []string{"train", "--resume", o("no-such-run")}},
			{args: []string{"train", "--loss", "vicreg_gform", "--input", x, "--encoder", "linear:2", "--lr", "-1", "--out", o("run4")}, msg: "lr = -1: invalid configuration: want a finite value > 0"},
			{args: []string{"train", "--loss", "vicreg_gform", "--input", x, "--encoder", "linear:2", "--final-lr", "-1", "--out", o("run5")}, msg: "want a finite value ≥ 0"},
		},
		"transform": {
			{args: []string{"transform", "--model", o("no-such-model"), "--input", x, "-o", o("t.npy")}, msg: "no-such-model"},
			{args: []string{"transform", "--input", x, "-o", o("t.npy")}},
			{args: []string{"transform", "--model", dir, "--input", x, "-o", x}, msg: "same file as the input --input"},
			{args: []string{"transform", "--model", dir, "--input", f["zero.csv"], "-o", o("t.npy")}},
		},
		"graph": {
			{args: []string{"graph", "--graph", "knn:k=5", "-o", o("e.csv")}, msg: "--input is required"},
			{args: []string{"graph", "--input", x, "--graph", "knn:k=5", "-o", o("e.txt")}, msg: ".csv or .npz"},
			{args: []string{"graph", "--input", f["zero.csv"], "--graph", "knn:k=5", "-o", f["zero.csv"]}, msg: "same file as the input --input"},
			{args: []string{"graph", "--input", x, "--graph", "knn:k=0", "-o", o("e.csv")}, msg: "valid forms"},
			{args: []string{"graph", "--input", f["zero.csv"], "--graph", "knn:k=5", "-o", o("e.csv")}, msg: "zero.csv"},
			{args: []string{"graph", "--input", x, "--graph", "knn:k=5", "-o", out("e.csv")}, msg: "does not exist"},
			{args: []string{"graph", "--input", x, "--graph", "knn:k=100", "-o", o("e.csv")}},
		},
		"advise": {
			{args: []string{"advise", "--relation", "knn:k=5"}, msg: "--input is required"},
			{args: []string{"advise", "--input", x, "--relation", "knn:k=5", "--regime", "bogus"}, msg: "--regime"},
			{args: []string{"advise", "--input", x, "--relation", "knn:k=5", "-k", "0"}, msg: "-k"},
			{args: []string{"advise", "--input", x, "--relation", "knn:k=5", "--labels", f["y3.csv"]}, msg: "3 labels"},
			{args: []string{"advise", "--input", f["zero.csv"], "--relation", "knn:k=5"}, msg: "zero.csv"},
			{args: []string{"advise", "--input", f["zero.npz"], "--relation", "knn:k=5"}, msg: "not a regular file"},
			{args: []string{"advise", "--input", x, "--relation", "knn:k=x"}, msg: "valid forms"},
			{args: []string{"advise", "--input", x, "--relation", "bogus"}, msg: "valid forms"},
			{args: []string{"advise", "--input", x, "--relation", "edges:" + f["range.csv"]}, msg: "outside 0..59"},
			{args: []string{"advise", "--input", x, "--relation", "knn:k=5", "--json", o("a.json"), "--html", o("a.json")}, msg: "same file"},
			{args: []string{"advise", "--input", x, "--relation", "knn:k=5", "--html", out("a.html")}, msg: "does not exist"},
			{args: []string{"advise", "--input", x, "--relation", "views:V=2,augment=shift:1"}, msg: "image"},
			{args: []string{"advise", "--input", f["same.npy"], "--relation", "knn:k=3"}},
		},
		"apply": {
			{args: []string{"apply", "--input", x, "-o", o("z")}, msg: "--weights is required"},
			{args: []string{"apply", "--weights", o("no-such-dir"), "--input", x, "-o", o("z")}, msg: "no-such-dir"},
			{args: []string{"apply", "--weights", dir, "--input", o("none-*.npy"), "-o", o("z")}},
		},
		"embed-with": {
			{args: []string{"embed-with", o("no-such-run"), "--input", x, "-o", o("e.npy")}},
			{args: []string{"embed-with", o("no-such-run"), "--input", x, "-o", x}, msg: "same file as the input --input"},
		},
		"reproduce": {
			{args: []string{"reproduce", "--only", "E9", "-o", o("rep")}},
			{args: []string{"reproduce", "--only", "", "-o", o("rep")}, msg: "--only is empty"},
			{args: []string{"reproduce", "--dataset", "bogus", "-o", o("rep")}},
			{args: []string{"reproduce", "--quick", "--readme", x, "-o", o("rep")}, msg: "want the markers"},
			{args: []string{"reproduce", "--quick", "--only", "E5", "--readme", x, "-o", o("rep")}, msg: "drop --only"},
		},
		"demo": {
			{args: []string{"demo", "-o", filepath.Join(f["notadir"], "demo")}},
		},
	}
	// Every verb has cases.
	for _, v := range NewCmdRoot(&Streams{}).Commands() {
		if name := v.Name(); name != "help" && name != "completion" && len(cases[name]) == 0 {
			t.Errorf("verb %q has no error-path case", name)
		}
	}
	for verb, cs := range cases {
		for _, c := range cs {
			code, stdout, stderr := runArgs(c.args...)
			both := stdout + stderr
			where := fmt.Sprintf("%s %q", verb, c.args[1:])
			if code == 0 {
				t.Errorf("%s: exit 0; want a failure", where)
				continue
			}
			if !strings.HasPrefix(stderr, "eigenssl:") || len(strings.TrimSpace(stderr)) < len("eigenssl: x") {
				t.Errorf("%s: exit %d with no message (stderr %q)", where, code, stderr)
			}
			if strings.Contains(both, "panic:") || strings.Contains(both, "goroutine ") {
				t.Errorf("%s: a panic reached the user: %s", where, both)
			}
			if strings.Contains(stderr, internalError) {
				t.Errorf("%s: recovered panic: %s", where, stderr)
				continue
			}
			if c.msg != "" && !strings.Contains(stderr, c.msg) {
				t.Errorf("%s: message %q does not mention %q", where, strings.TrimSpace(stderr), c.msg)
			}
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "d.npy")); err == nil {
		t.Error("a refused data export wrote d.npy")
	}
}
