package data

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eigenssl/eigenssl/internal/memlimit"
	"gonum.org/v1/gonum/mat"
)

// Issue 12: a UTF-8 byte order mark must not turn the first row into a
// header, a numeric first line is data, and RFC 4180 quoting is honoured
// with 1-based line numbers.
func TestReadCSVBOMHeaderQuotes(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		want       *mat.Dense
	}{
		{"bom", "\ufeff1,2\n3,4\n", mat.NewDense(2, 2, []float64{1, 2, 3, 4})},
		{"bom header", "\ufeffa,b\n1,2\n", mat.NewDense(1, 2, []float64{1, 2})},
		{"numeric first line", "0.0,1,1\n2,3,4\n", mat.NewDense(2, 3, []float64{0, 1, 1, 2, 3, 4})},
		{"quoted header with comma", "\"x, mm\",y\n1,2\n", mat.NewDense(1, 2, []float64{1, 2})},
		{"quoted numbers", "\"1\",\"2\"\n\"3\",4\n", mat.NewDense(2, 2, []float64{1, 2, 3, 4})},
		{"multi-line quoted header", "\"a\nb\",c\n1,2\n", mat.NewDense(1, 2, []float64{1, 2})},
	} {
		got, err := ReadMatrix(writeFile(t, "x.csv", tc.text))
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		mustEqual(t, tc.name, got, tc.want)
	}
	for _, tc := range []struct{ name, text, msg string }{
		// The bad row is on line 4 of the text: the header spans lines 1-2.
		{"line after multi-line header", "\"a\nb\",c\n1,2\n3,x\n", "line 4 field 2"},
		{"ragged after quoted comma", "\"x, mm\",y\n1,2\n3\n", "line 3: got 1 fields, want 2"},
		{"bare quote", "1,2\n3,4\"5\n", "line 2 column"},
	} {
		_, err := ReadMatrix(writeFile(t, "x.csv", tc.text))
		if err == nil || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%s: error %v; want one mentioning %q", tc.name, err, tc.msg)
		}
	}
}

// Issue 12: inputs that would exhaust memory are refused with a message
// naming the size and the limit.
func TestReadRefusesHugeInputs(t *testing.T) {
	// /dev/zero is the unbounded input of the issue; every supported
	// system (Linux, the CI machine) has it, so its absence is a failure.
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Fatalf("this test needs /dev/zero: %v", err)
	}
	dir := t.TempDir()
	for _, name := range []string{"z.csv", "z.npz"} {
		p := filepath.Join(dir, name)
		if err := os.Symlink("/dev/zero", p); err != nil {
			t.Fatal(err)
		}
		_, err := ReadMatrix(p)
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s -> /dev/zero: error %v; want one naming the file", name, err)
		}
	}
	// A real file above a small budget.
	t.Setenv(memlimit.EnvVar, "4K")
	x := mat.NewDense(100, 10, nil)
	for _, name := range []string{"big.npy", "big.csv", "big.npz"} {
		p := filepath.Join(dir, name)
		if err := WriteMatrix(p, x); err != nil {
			t.Fatal(err)
		}
		_, err := ReadMatrix(p)
		if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "memory limit 4.0 KiB") {
			t.Errorf("%s above a 4K budget: %v; want ErrTooLarge naming the limit", name, err)
		}
	}
}

func TestLoadRefusesHugeRequests(t *testing.T) {
	// A fixed budget: the requests (about 336 GB and 1.6 TB) must not
	// depend on this machine's memory or the caller's environment.
	t.Setenv(memlimit.EnvVar, "64G")
	for _, tc := range []struct {
		opt   LoadOptions
		param string
	}{
		{LoadOptions{N: 1_000_000_000}, "N = 1000000000"},
		{LoadOptions{Dim: 100_000_000}, "N, Dim = 1000, 100000000"},
	} {
		_, err := Load("blobs", tc.opt)
		if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), tc.param) || !strings.Contains(err.Error(), "memory limit") {
			t.Errorf("blobs %+v: %v; want ErrTooLarge naming %q and the limit", tc.opt, err, tc.param)
		}
	}
}

// Issue 12: outputs that share a path, a directory as output, and an output
// in a missing directory are refused before anything is written.
func TestCheckOutputs(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.npy"), filepath.Join(dir, "b.npy")
	if err := CheckOutputs(Output{Flag: "-o", Path: a}, Output{Flag: "--labels-out", Path: b}, Output{Flag: "--graph-out", Path: ""}); err != nil {
		t.Errorf("distinct outputs: %v", err)
	}
	// Inputs are read, not written: a missing or shared input is not an
	// output error.
	if err := CheckOutputs(Output{Flag: "--input", Path: filepath.Join(dir, "missing", "x.npy"), Input: true},
		Output{Flag: "--labels", Path: filepath.Join(dir, "missing", "x.npy"), Input: true}, Output{Flag: "-o", Path: a}); err != nil {
		t.Errorf("inputs apart from the output: %v", err)
	}
	for _, tc := range []struct {
		outs []Output
		msg  string
	}{
		{[]Output{{Flag: "-o", Path: a}, {Flag: "--labels-out", Path: a}}, "--labels-out = \"" + a + "\": same file as -o"},
		{[]Output{{Flag: "-o", Path: a}, {Flag: "--graph-out", Path: filepath.Join(dir, ".", "x", "..", "a.npy")}}, "same file as -o"},
		{[]Output{{Flag: "-o", Path: dir}}, "is a directory"},
		{[]Output{{Flag: "--input", Path: a, Input: true}, {Flag: "-o", Path: a}}, "-o = \"" + a + "\": same file as the input --input"},
		{[]Output{{Flag: "-o", Path: a}, {Flag: "--input", Path: a, Input: true}}, "-o = \"" + a + "\": same file as the input --input"},
		{[]Output{{Flag: "-o", Path: filepath.Join(dir, "missing", "a.npy")}}, "missing does not exist"},
	} {
		err := CheckOutputs(tc.outs...)
		if err == nil || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%v: %v; want an error mentioning %q", tc.outs, err, tc.msg)
		}
	}
	// An output directory may exist but not share a path.
	if err := CheckOutputs(Output{Flag: "-o", Path: a}, Output{Flag: "--model-out", Path: dir, Dir: true}); err != nil {
		t.Errorf("existing model directory: %v", err)
	}
	if err := CheckOutputs(Output{Flag: "-o", Path: a}, Output{Flag: "--model-out", Path: a, Dir: true}); err == nil {
		t.Error("model directory on the -o file: no error")
	}
	// A link to the same file.
	if err := os.WriteFile(a, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	l := filepath.Join(dir, "link.npy")
	if err := os.Symlink(a, l); err != nil {
		t.Fatal(err)
	}
	if err := CheckOutputs(Output{Flag: "-o", Path: a}, Output{Flag: "--labels-out", Path: l}); err == nil {
		t.Error("a link to the same file: no error")
	}
	// WriteMatrix itself names the problem, not a hidden temporary file.
	sub := filepath.Join(dir, "out.npy")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	err := WriteMatrix(sub, mat.NewDense(1, 1, nil))
	if err == nil || !strings.Contains(err.Error(), "is a directory") || strings.Contains(err.Error(), ".tmp") {
		t.Errorf("WriteMatrix to a directory: %v", err)
	}
}
