package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eigenssl/eigenssl/data"
	"github.com/eigenssl/eigenssl/graph"
	"github.com/eigenssl/eigenssl/linalg"
	"github.com/eigenssl/eigenssl/spectral"
	"gonum.org/v1/gonum/mat"
)

func embedData(t *testing.T) (dir, xPath string, x *mat.Dense) {
	t.Helper()
	ds, err := data.SwissRoll(120, 4, 0.05, 1)
	if err != nil {
		t.Fatal(err)
	}
	dir = t.TempDir()
	xPath = filepath.Join(dir, "x.npy")
	if err := data.WriteMatrix(xPath, ds.X); err != nil {
		t.Fatal(err)
	}
	return dir, xPath, ds.X
}

// The CLI writes exactly what the package computes, for every method.
func TestEmbedMatchesPackage(t *testing.T) {
	dir, xPath, x := embedData(t)
	for _, method := range spectral.Methods() {
		t.Run(method, func(t *testing.T) {
			out := filepath.Join(dir, method+".npy")
			k := 2
			if method == "cca" {
				k = 1 // the three columns split into views of 1 and 2
			}
			args := []string{"embed", "--method", method, "--input", xPath, "-k", fmt.Sprint(k), "-o", out}
			if method != "mds" && method != "kpca" && method != "cca" {
				args = append(args, "--graph", "knn:k=10")
			}
			code, stdout, stderr := runArgs(args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			var res struct {
				Method      string
				N, K        int
				Eigenvalues []float64
			}
			if err := json.Unmarshal([]byte(stdout), &res); err != nil {
				t.Fatalf("stdout %q: %v", stdout, err)
			}
			got, err := data.ReadMatrix(out)
			if err != nil {
				t.Fatal(err)
			}
			m, _ := spectral.New(method)
			opts := &embedOptions{Method: method, Components: k, Solver: "auto"}
			nb := 0
			if method != "mds" && method != "kpca" && method != "cca" {
				nb = 10
			}
			if err := embedConfigure(m, opts, nb, graph.KNNOptions{}); err != nil {
				t.Fatal(err)
			}
			if err := m.Fit(x); err != nil {
				t.Fatal(err)
			}
			if !mat.EqualApprox(got, m.Embedding(), 1e-12) {
				t.Fatalf("CLI embedding differs from the package's")
			}
			if res.N != 120 || res.K != k || len(res.Eigenvalues) != k || res.Eigenvalues[0] != m.Eigenvalues()[0] {
				t.Fatalf("summary %+v", res)
			}
		})
	}
}

func TestEmbedTransformAndCSV(t *testing.T) {
	dir, _, x := embedData(t)
	// CSV input with a header row.
	var b strings.Builder
	b.WriteString("a,b,c\n")
	n, _ := x.Dims()
	for i := 0; i < n; i++ {
		r := x.RawRowView(i)
		b.WriteString(strings.Join([]string{ftoa(r[0]), ftoa(r[1]), ftoa(r[2])}, ",") + "\n")
	}
	csvPath := filepath.Join(dir, "x.csv")
	if err := os.WriteFile(csvPath, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	out, tout := filepath.Join(dir, "z.csv"), filepath.Join(dir, "zt.npy")
	code, _, stderr := runArgs("embed", "--method", "le", "--input", csvPath, "--graph", "knn:k=12", "-k", "3",
		"-o", out, "--transform", csvPath, "--transform-out", tout)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	z, err := data.ReadMatrix(out)
	if err != nil {
		t.Fatal(err)
	}
	zt, err := data.ReadMatrix(tout)
	if err != nil {
		t.Fatal(err)
	}
	if r, c := z.Dims(); r != n || c != 3 {
		t.Fatalf("embedding %d x %d", r, c)
	}
	// Nyström of the training rows reproduces the embedding.
	if !mat.EqualApprox(z, zt, 1e-7) {
		t.Fatalf("transform of the training rows differs from the embedding")
	}
}

func ftoa(v float64) string { return strings.TrimRight(strings.TrimRight(fmtG(v), "0"), ".") }

func fmtG(v float64) string { b, _ := json.Marshal(v); return string(b) }

func TestEmbedErrors(t *testing.T) {
	dir, xPath, x := embedData(t)
	out := filepath.Join(dir, "z.npy")
	write := func(name string, m *mat.Dense) string {
		p := filepath.Join(dir, name)
		if err := data.WriteMatrix(p, m); err != nil {
			t.Fatal(err)
		}
		return p
	}
	xn := mat.DenseCopyOf(x)
	xn.Set(3, 1, math.NaN())
	nanPath := write("nan.npy", xn)
	edges := filepath.Join(dir, "neg.csv")
	if err := os.WriteFile(edges, []byte("0,1,1\n1,2,-1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	far := mat.NewDense(20, 2, nil)
	for i := 0; i < 20; i++ {
		far.Set(i, 0, float64(i%2)*1000+float64(i)*0.01)
	}
	farPath := write("far.npy", far)
	empty := filepath.Join(dir, "empty.csv")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"no method", []string{"--input", xPath, "-o", out}, 2, "--method"},
		{"unknown method", []string{"--method", "tsne", "--input", xPath, "-o", out}, 2, "valid"},
		{"no output", []string{"--method", "le", "--input", xPath}, 2, "-o"},
		{"bad graph spec", []string{"--method", "le", "--input", xPath, "-o", out, "--graph", "eps:0.1"}, 2, "knn"},
		{"graph weights set", []string{"--method", "le", "--input", xPath, "-o", out, "--graph", "knn:k=5,metric=cosine"}, 2, "only k and approx"},
		{"approx on lle", []string{"--method", "lle", "--input", xPath, "-o", out, "--graph", "knn:k=5,approx"}, 2, "takes no approx"},
		{"flag not taken", []string{"--method", "mds", "--input", xPath, "-o", out, "--graph", "knn:k=5"}, 2, "does not take"},
		{"lle method not taken", []string{"--method", "le", "--input", xPath, "-o", out, "--lle-method", "ltsa"}, 2, "does not take"},
		{"unknown lle method", []string{"--method", "lle", "--input", xPath, "-o", out, "--lle-method", "isomap"}, 1, "hessian"},
		{"reg zero", []string{"--method", "lle", "--input", xPath, "-o", out, "--reg", "0"}, 2, "--reg"},
		{"reg not taken", []string{"--method", "le", "--input", xPath, "-o", out, "--reg", "0.1"}, 2, "does not take"},
		{"transform without out", []string{"--method", "le", "--input", xPath, "-o", out, "--transform", xPath}, 2, "transform"},
		{"unreadable file", []string{"--method", "le", "--input", filepath.Join(dir, "missing.npy"), "-o", out}, 1, "missing.npy"},
		{"empty file", []string{"--method", "le", "--input", empty, "-o", out}, 1, "empty"},
		{"NaN", []string{"--method", "mds", "--input", nanPath, "-o", out}, 1, "NaN"},
		{"K > N", []string{"--method", "kpca", "--input", xPath, "-o", out, "-k", "500"}, 1, "Components"},
		{"disconnected strict", []string{"--method", "le", "--input", farPath, "-o", out, "--graph", "knn:k=3", "--strict"}, 1, "disconnected"},
		{"strict not taken", []string{"--method", "mds", "--input", farPath, "-o", out, "--strict"}, 2, "does not take"},
		{"negative weight", []string{"--method", "le", "--input", xPath, "-o", out, "--graph-file", edges}, 1, "negative"},
		{"transform shape", []string{"--method", "lpp", "--input", xPath, "-o", out, "--transform", farPath, "--transform-out", filepath.Join(dir, "t.npy")}, 1, "columns"},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, _, stderr := runArgs(append([]string{"embed"}, c.args...)...)
			if code != c.code || !strings.Contains(stderr, c.msg) {
				t.Fatalf("exit %d, stderr %q; want exit %d mentioning %q", code, stderr, c.code, c.msg)
			}
		})
	}
}

// --graph-file feeds FitGraph; --precomputed feeds a distance matrix.
func TestEmbedGraphFileAndPrecomputed(t *testing.T) {
	dir, xPath, x := embedData(t)
	n, _ := x.Dims()
	// A ring graph over the rows.
	var b strings.Builder
	for i := 0; i < n; i++ {
		b.WriteString(fmt.Sprintf("%d,%d\n", i, (i+1)%n))
	}
	edges := filepath.Join(dir, "ring.csv")
	if err := os.WriteFile(edges, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "ring.npy")
	code, _, stderr := runArgs("embed", "--method", "le", "--input", xPath, "--graph-file", edges, "-k", "2", "-o", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	z, err := data.ReadMatrix(out)
	if err != nil {
		t.Fatal(err)
	}
	g, _, err := graph.ReadEdgeFile(edges, n)
	if err != nil {
		t.Fatal(err)
	}
	le := &spectral.LaplacianEigenmaps{Components: 2}
	if err := le.FitGraph(nil, g); err != nil {
		t.Fatal(err)
	}
	if !mat.EqualApprox(z, le.Embedding(), 1e-12) {
		t.Fatal("--graph-file embedding differs from FitGraph")
	}
	// A graph-fitted LE cannot transform raw rows: exit 1 naming the remedy.
	code, _, stderr = runArgs("embed", "--method", "le", "--input", xPath, "--graph-file", edges, "-o", out,
		"--transform", xPath, "--transform-out", filepath.Join(dir, "t.npy"))
	if code != 1 || !strings.Contains(stderr, "TransformAffinity") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	// MDS on a precomputed distance matrix equals MDS on the data.
	dist := mat.NewDense(n, n, nil)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			s := 0.0
			for q := 0; q < 3; q++ {
				v := x.At(i, q) - x.At(j, q)
				s += v * v
			}
			dist.Set(i, j, math.Sqrt(s))
		}
	}
	dPath := filepath.Join(dir, "dist.npy")
	if err := data.WriteMatrix(dPath, dist); err != nil {
		t.Fatal(err)
	}
	o1, o2 := filepath.Join(dir, "m1.npy"), filepath.Join(dir, "m2.npy")
	if code, _, stderr := runArgs("embed", "--method", "mds", "--input", dPath, "--precomputed", "-o", o1); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if code, _, stderr := runArgs("embed", "--method", "mds", "--input", xPath, "-o", o2); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	z1, _ := data.ReadMatrix(o1)
	z2, _ := data.ReadMatrix(o2)
	if !mat.EqualApprox(z1, z2, 1e-8) {
		t.Fatal("precomputed MDS differs from MDS on the data")
	}
}

// Issue 12: a failing FitGraph behind --graph-file used to panic (nil
// pointer: the fit error was shadowed). Every failure now exits 1 with a
// message naming the edge file, and no panic.
func TestEmbedGraphFileFitErrors(t *testing.T) {
	dir := t.TempDir()
	r := mat.NewDense(60, 3, nil)
	for i := 0; i < 60; i++ {
		for j := 0; j < 3; j++ {
			r.Set(i, j, math.Sin(float64(7*i+3*j+1)))
		}
	}
	same := mat.NewDense(40, 3, nil)
	same.Apply(func(_, _ int, _ float64) float64 { return 1 }, same)
	x60, x40 := filepath.Join(dir, "x60.npy"), filepath.Join(dir, "same40.npy")
	if err := data.WriteMatrix(x60, r); err != nil {
		t.Fatal(err)
	}
	if err := data.WriteMatrix(x40, same); err != nil {
		t.Fatal(err)
	}
	ring := func(name string, n, m int) string {
		var b strings.Builder
		for i := 0; i < m; i++ {
			fmt.Fprintf(&b, "%d,%d\n", i, (i+1)%m)
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	ring60, ring30, ring40 := ring("ring60.csv", 60, 60), ring("ring30.csv", 60, 30), ring("ring40.csv", 40, 40)
	empty := filepath.Join(dir, "empty.csv")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "z.npy")
	for _, c := range []struct {
		name string
		args []string
		msg  string
	}{
		{"k above N", []string{"--method", "le", "--input", x60, "--graph-file", ring60, "-k", "100"}, "Components"},
		{"empty edge file", []string{"--method", "le", "--input", x60, "--graph-file", empty}, "empty.csv"},
		{"edges cover fewer vertices", []string{"--method", "le", "--input", x60, "--graph-file", ring30}, "isolated"},
		{"klpp on identical points", []string{"--method", "klpp", "--input", x40, "--graph-file", ring40}, "identical"},
		{"spectral k above N", []string{"--method", "spectral", "--input", x60, "--graph-file", ring60, "-k", "100"}, "Components"},
		{"lpp k above D", []string{"--method", "lpp", "--input", x60, "--graph-file", ring60, "-k", "4"}, "Components"},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, stdout, stderr := runArgs(append([]string{"embed", "-o", out}, c.args...)...)
			if code != 1 || !strings.Contains(stderr, c.msg) {
				t.Fatalf("exit %d, stderr %q; want exit 1 mentioning %q", code, stderr, c.msg)
			}
			if strings.Contains(stderr+stdout, "panic") || strings.Contains(stderr+stdout, "goroutine") {
				t.Fatalf("panic in output: %s", stderr)
			}
		})
	}
}

// Issue 12: -o and --transform-out naming one file are refused (the second
// write used to replace the first silently).
func TestEmbedRefusesSharedOutputs(t *testing.T) {
	dir, xPath, _ := embedData(t)
	a := filepath.Join(dir, "a.npy")
	for _, second := range []string{a, filepath.Join(dir, ".", "a.npy"), filepath.Join(dir, "sub", "..", "a.npy")} {
		code, _, stderr := runArgs("embed", "--method", "le", "--input", xPath, "-o", a, "--transform", xPath, "--transform-out", second)
		if code != 2 || !strings.Contains(stderr, "same file") {
			t.Fatalf("--transform-out %s: exit %d, stderr %q; want exit 2 naming the collision", second, code, stderr)
		}
		if _, err := os.Stat(a); !os.IsNotExist(err) {
			t.Fatalf("%s was written despite the refusal", a)
		}
	}
}

// embed --model-out then transform --model reproduces embed --transform
// exactly, for every method.
func TestEmbedModelOutAndTransform(t *testing.T) {
	dir, xPath, x := embedData(t)
	_, d := x.Dims()
	xn := mat.DenseCopyOf(x.Slice(0, 9, 0, d))
	xn.Apply(func(i, j int, v float64) float64 { return v + 0.02*float64(i-j) }, xn)
	newPath := filepath.Join(dir, "new.npy")
	if err := data.WriteMatrix(newPath, xn); err != nil {
		t.Fatal(err)
	}
	for _, method := range spectral.Methods() {
		t.Run(method, func(t *testing.T) {
			k := "2"
			if method == "cca" {
				k = "1"
			}
			model := filepath.Join(dir, method+"-model")
			want := filepath.Join(dir, method+"-want.npy")
			args := []string{"embed", "--method", method, "--input", xPath, "-k", k, "-o", filepath.Join(dir, method+".npy"),
				"--transform", newPath, "--transform-out", want, "--model-out", model}
			if method != "mds" && method != "kpca" && method != "cca" {
				args = append(args, "--graph", "knn:k=10")
			}
			if code, _, stderr := runArgs(args...); code != 0 {
				t.Fatalf("embed: exit %d: %s", code, stderr)
			}
			got := filepath.Join(dir, method+"-got.npy")
			code, stdout, stderr := runArgs("transform", "--model", model, "--input", newPath, "-o", got)
			if code != 0 {
				t.Fatalf("transform: exit %d: %s", code, stderr)
			}
			if !strings.Contains(stdout, `"method":"`+method+`"`) {
				t.Fatalf("stdout %q", stdout)
			}
			a, err := data.ReadMatrix(want)
			if err != nil {
				t.Fatal(err)
			}
			b, err := data.ReadMatrix(got)
			if err != nil {
				t.Fatal(err)
			}
			if !mat.Equal(a, b) {
				t.Fatal("transform --model differs from embed --transform")
			}
		})
	}
	code, _, stderr := runArgs("transform", "--model", filepath.Join(dir, "nope"), "--input", newPath, "-o", filepath.Join(dir, "z.npy"))
	if code != 1 || !strings.Contains(stderr, "nope") {
		t.Fatalf("missing model: exit %d, stderr %q", code, stderr)
	}
	code, _, stderr = runArgs("embed", "--method", "le", "--input", xPath, "-o", filepath.Join(dir, "m"), "--model-out", filepath.Join(dir, "m"))
	if code != 2 || !strings.Contains(stderr, "--model-out") {
		t.Fatalf("model dir = output: exit %d, stderr %q", code, stderr)
	}
}

// ISOMAP options reach the package: --radius, --metric, --geodesics-out
// (scikit-learn's dist_matrix_) and reconstruction_error in the summary.
func TestEmbedIsomapOptions(t *testing.T) {
	dir, xPath, x := embedData(t)
	geoPath := filepath.Join(dir, "geo.npy")
	code, stdout, stderr := runArgs("embed", "--method", "isomap", "--input", xPath, "-o", filepath.Join(dir, "z.npy"),
		"--metric", "cosine", "--radius", "0.05", "--geodesics-out", geoPath)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "reconstruction_error") {
		t.Fatalf("summary %q lacks reconstruction_error", stdout)
	}
	geo, err := data.ReadMatrix(geoPath)
	if err != nil {
		t.Fatal(err)
	}
	m := &spectral.Isomap{Components: 2, Metric: "cosine", Radius: 0.05}
	if err := m.Fit(x); err != nil {
		t.Fatal(err)
	}
	if !mat.Equal(geo, m.Geodesics()) {
		t.Fatal("--geodesics-out differs from Isomap.Geodesics")
	}
	code, _, stderr = runArgs("embed", "--method", "isomap", "--input", xPath, "-o", filepath.Join(dir, "z.npy"), "--graph", "knn:k=5", "--radius", "1")
	if code != 1 || !strings.Contains(stderr, "Radius") {
		t.Fatalf("--graph and --radius: exit %d, stderr %q", code, stderr)
	}
	code, _, stderr = runArgs("embed", "--method", "le", "--input", xPath, "-o", filepath.Join(dir, "z.npy"), "--geodesics-out", geoPath)
	if code != 2 || !strings.Contains(stderr, "does not take") {
		t.Fatalf("le --geodesics-out: exit %d, stderr %q", code, stderr)
	}
}

// kpca --fit-inverse and transform --inverse: the pre-images written by the
// CLI equal KernelPCA.InverseTransform.
func TestEmbedKernelPCAInverse(t *testing.T) {
	dir, xPath, x := embedData(t)
	model, zPath, back := filepath.Join(dir, "m"), filepath.Join(dir, "z.npy"), filepath.Join(dir, "back.npy")
	code, _, stderr := runArgs("embed", "--method", "kpca", "--kernel", "rbf", "--gamma", "0.5", "-k", "3", "--input", xPath, "-o", zPath,
		"--fit-inverse", "--alpha", "0.01", "--model-out", model)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if code, _, stderr = runArgs("transform", "--model", model, "--input", zPath, "--inverse", "-o", back); code != 0 {
		t.Fatalf("transform --inverse: exit %d: %s", code, stderr)
	}
	p := &spectral.KernelPCA{Components: 3, Kernel: spectral.KernelRBF, Gamma: 0.5, FitInverse: true, Alpha: 0.01}
	if err := p.Fit(x); err != nil {
		t.Fatal(err)
	}
	want, err := p.InverseTransform(p.Embedding())
	if err != nil {
		t.Fatal(err)
	}
	got, err := data.ReadMatrix(back)
	if err != nil {
		t.Fatal(err)
	}
	if !mat.EqualApprox(got, want, 1e-12) {
		t.Fatal("transform --inverse differs from InverseTransform")
	}
	code, _, stderr = runArgs("embed", "--method", "kpca", "--input", xPath, "-o", zPath, "--alpha", "0")
	if code != 2 || !strings.Contains(stderr, "--alpha") {
		t.Fatalf("--alpha 0: exit %d, stderr %q", code, stderr)
	}
}

// le --affinity rbf --gamma and --keep-first reach the package.
func TestEmbedLEAffinity(t *testing.T) {
	dir, xPath, x := embedData(t)
	out := filepath.Join(dir, "z.npy")
	code, _, stderr := runArgs("embed", "--method", "le", "--input", xPath, "-o", out, "--affinity", "rbf", "--gamma", "0.2", "--keep-first", "-k", "3")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	got, err := data.ReadMatrix(out)
	if err != nil {
		t.Fatal(err)
	}
	le := &spectral.LaplacianEigenmaps{Components: 3, Affinity: "rbf", Gamma: 0.2, KeepFirst: true}
	if err := le.Fit(x); err != nil {
		t.Fatal(err)
	}
	if !mat.Equal(got, le.Embedding()) {
		t.Fatal("CLI rbf embedding differs from the package's")
	}
	code, _, stderr = runArgs("embed", "--method", "mds", "--input", xPath, "-o", out, "--gamma", "0.2")
	if code != 2 || !strings.Contains(stderr, "--gamma") {
		t.Fatalf("mds --gamma: exit %d, stderr %q", code, stderr)
	}
}

// scipy save_npz CSR inputs: a sparse neighbour graph goes to FitSparse
// (never densified); a sparse kernel is densified for kpca. Both equal the
// package on the dense forms.
func TestEmbedSparseInput(t *testing.T) {
	dir := t.TempDir()
	knn, rbf := "../../spectral/testdata/swiss_knn8.npz", "../../spectral/testdata/swiss_rbf.npz"
	out := filepath.Join(dir, "z.npy")
	code, _, stderr := runArgs("embed", "--method", "le", "--affinity", "precomputed_nearest_neighbors", "--graph", "knn:k=8", "--input", knn, "-o", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	sp, err := data.ReadNPZCSR(knn)
	if err != nil {
		t.Fatal(err)
	}
	le := &spectral.LaplacianEigenmaps{Components: 2, Affinity: "precomputed_nearest_neighbors", Neighbors: 8}
	if err := le.FitSparse(sp); err != nil {
		t.Fatal(err)
	}
	got, err := data.ReadMatrix(out)
	if err != nil {
		t.Fatal(err)
	}
	if !mat.Equal(got, le.Embedding()) {
		t.Fatal("CLI sparse LE differs from FitSparse")
	}
	code, _, stderr = runArgs("embed", "--method", "kpca", "--precomputed", "--input", rbf, "-o", out)
	if code != 0 {
		t.Fatalf("kpca: exit %d: %s", code, stderr)
	}
	k, err := data.ReadNPZCSR(rbf)
	if err != nil {
		t.Fatal(err)
	}
	p := &spectral.KernelPCA{Components: 2, Kernel: spectral.KernelPrecomputed}
	if err := p.Fit(k.Dense()); err != nil {
		t.Fatal(err)
	}
	if got, err = data.ReadMatrix(out); err != nil {
		t.Fatal(err)
	}
	if !mat.Equal(got, p.Embedding()) {
		t.Fatal("CLI sparse kpca differs from the dense fit")
	}
}

// TestEmbedGraphApprox runs embed --method le with --graph knn:k=10,approx on
// 2500 x 8 overlapping blobs (above the 2048 rows from which the search is
// approximate): the output is the package's fit with Search{Approx, Seed:
// --seed}, and its subspace is within 0.15 rad (largest principal angle) of
// the exact one, the measured bound of spectral's TestLESearchApprox on the
// same data (0.047-0.055 rad over three seeds).
func TestEmbedGraphApprox(t *testing.T) {
	ds, err := data.Blobs(2500, 4, 8, 6, 7)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	xPath := filepath.Join(dir, "x.npy")
	if err := data.WriteMatrix(xPath, ds.X); err != nil {
		t.Fatal(err)
	}
	run := func(spec, out string) *mat.Dense {
		code, _, stderr := runArgs("embed", "--method", "le", "--input", xPath, "-k", "3", "--seed", "2", "--graph", spec, "-o", out)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", spec, code, stderr)
		}
		z, err := data.ReadMatrix(out)
		if err != nil {
			t.Fatal(err)
		}
		return z
	}
	za := run("knn:k=10,approx", filepath.Join(dir, "za.npy"))
	ze := run("knn:k=10", filepath.Join(dir, "ze.npy"))
	le := &spectral.LaplacianEigenmaps{Components: 3, Neighbors: 10, Seed: 2, Search: graph.KNNOptions{Approx: true, Seed: 2}}
	if err := le.Fit(ds.X); err != nil {
		t.Fatal(err)
	}
	if !mat.EqualApprox(za, le.Embedding(), 1e-12) {
		t.Fatal("CLI approx embedding differs from the package's fit with Search{Approx: true, Seed: 2}")
	}
	ang, err := linalg.PrincipalAngles(za, ze)
	if err != nil {
		t.Fatal(err)
	}
	if top := ang[len(ang)-1]; top > 0.15 || top < 1e-8 {
		t.Errorf("largest principal angle approx vs exact = %.4g rad, want in (1e-8, 0.15]", top)
	}
}
