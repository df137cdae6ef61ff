package graph

import (
	"errors"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"codeberg.org/sbinet/npyio/npz"
)

func sameCSR(a, b *CSR) bool {
	return a.N == b.N && slices.Equal(a.RowPtr, b.RowPtr) && slices.Equal(a.Col, b.Col) && slices.Equal(a.Val, b.Val)
}

func writeFile(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestEdgeFileRoundTrip(t *testing.T) {
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(21, 22))
	g := randomGraph(t, rng, 40, 0.15)
	g = isolate(t, g, 39) // the last vertex has no edge: n must be passed
	for _, name := range []string{"g.csv", "g.npz"} {
		p := filepath.Join(dir, name)
		if err := WriteEdgeFile(p, g); err != nil {
			t.Fatal(err)
		}
		back, info, err := ReadEdgeFile(p, g.N)
		if err != nil {
			t.Fatal(err)
		}
		if !sameCSR(back, g) {
			t.Errorf("%s: round trip differs", name)
		}
		if info.N != g.N || info.Edges != g.NumEdges() || info.Isolated < 1 {
			t.Errorf("%s: info %+v", name, info)
		}
		// Inferred n stops at the largest index.
		inf, _, err := ReadEdgeFile(p, 0)
		if err != nil {
			t.Fatal(err)
		}
		if inf.N != 39 {
			t.Errorf("%s: inferred N = %d; want 39", name, inf.N)
		}
		left, _ := filepath.Glob(filepath.Join(dir, ".*tmp*"))
		if len(left) != 0 {
			t.Errorf("temporary files left: %v", left)
		}
	}
}

func TestEdgeFileCSVVariants(t *testing.T) {
	dir := t.TempDir()
	want, _, err := FromEdges(4, [][2]int{{0, 1}, {1, 2}, {2, 3}}, []float64{1, 2.5, 1})
	if err != nil {
		t.Fatal(err)
	}
	bodies := map[string]string{
		"header.csv":   "i,j,w\n0,1,1\n1,2,2.5\n\n2,3,1\n",
		"noheader.csv": "0,1\n# comment\n1, 2, 2.5\n2,3\n",
		"bothdirs.csv": "src,dst\n0,1\n1,0\n1,2,2.5\n2,1,2.5\n3,2\n",
		"crlf.csv":     "0,1,1\r\n2,1,2.5\r\n3,2,1\r\n",
	}
	for name, body := range bodies {
		g, _, err := ReadEdgeFile(writeFile(t, dir, name, body), 0)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if !sameCSR(g, want) {
			t.Errorf("%s: got %+v; want %+v", name, g, want)
		}
	}
	bad := []struct {
		name, body string
		want       error
		line       string
	}{
		{"conflict.csv", "0,1,1\n1,2\n1,0,2\n", ErrDuplicate, ":3"},
		{"word.csv", "0,1\nx,2\n", ErrFormat, ":2"},
		{"fields.csv", "0,1,2,3\n", ErrFormat, ":1"},
		{"weight.csv", "0,1\n1,2,abc\n", ErrFormat, ":2"},
		{"nanweight.csv", "0,1\n1,2,NaN\n", ErrNaN, ":2"},
		{"negweight.csv", "0,1,-1\n", ErrNegativeWeight, ":1"},
		{"negindex.csv", "0,1\n-1,2\n", ErrIndex, ":2"},
		{"self.csv", "0,1\n\n2,2\n", ErrSelfLoop, ":3"},
		{"empty.csv", "\n# nothing\n", ErrEmpty, ""},
	}
	for _, b := range bad {
		_, _, err := ReadEdgeFile(writeFile(t, dir, b.name, b.body), 0)
		if !errors.Is(err, b.want) || !strings.Contains(err.Error(), b.name+b.line) {
			t.Errorf("%s: got %v; want %v naming %s%s", b.name, err, b.want, b.name, b.line)
		}
	}
	// n smaller than an index.
	if _, _, err := ReadEdgeFile(filepath.Join(dir, "header.csv"), 3); !errors.Is(err, ErrIndex) || !strings.Contains(err.Error(), "header.csv:5") {
		t.Errorf("n too small: %v", err)
	}
	if _, _, err := ReadEdgeFile(filepath.Join(dir, "missing.csv"), 0); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

func TestEdgeFileNPZVariants(t *testing.T) {
	dir := t.TempDir()
	want, _, _ := FromEdges(4, [][2]int{{0, 1}, {1, 2}, {2, 3}}, nil)
	p := filepath.Join(dir, "int32.npz")
	if err := npz.Write(p, map[string]any{"row.npy": []int32{0, 2, 3}, "col.npy": []int32{1, 1, 2}}); err != nil {
		t.Fatal(err)
	}
	g, _, err := ReadEdgeFile(p, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !sameCSR(g, want) {
		t.Errorf("int32 npz without weights: got %+v", g)
	}
	p = filepath.Join(dir, "float.npz")
	if err := npz.Write(p, map[string]any{"row.npy": []float64{0, 1, 2}, "col.npy": []float64{1, 2, 3}, "weight.npy": []float64{1, 1, 1}}); err != nil {
		t.Fatal(err)
	}
	if g, _, err := ReadEdgeFile(p, 0); err != nil || !sameCSR(g, want) {
		t.Errorf("float npz: %v", err)
	}
	bad := map[string]map[string]any{
		"nocol.npz":    {"row.npy": []int64{0}},
		"len.npz":      {"row.npy": []int64{0, 1}, "col.npy": []int64{1}},
		"frac.npz":     {"row.npy": []float64{0.5}, "col.npy": []float64{1}},
		"conflict.npz": {"row.npy": []int64{0, 1}, "col.npy": []int64{1, 0}, "weight.npy": []float64{1, 3}},
	}
	for name, arrs := range bad {
		p := filepath.Join(dir, name)
		if err := npz.Write(p, arrs); err != nil {
			t.Fatal(err)
		}
		want := ErrFormat
		if name == "conflict.npz" {
			want = ErrDuplicate
		}
		if _, _, err := ReadEdgeFile(p, 0); !errors.Is(err, want) || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: got %v; want %v", name, err, want)
		}
	}
	notzip := writeFile(t, dir, "text.npz", "0,1\n")
	if _, _, err := ReadEdgeFile(notzip, 0); !errors.Is(err, ErrFormat) {
		t.Errorf("non-zip npz: %v", err)
	}
}

// Issue 12: a byte order mark does not hide the first edge, a numeric first
// line is an edge, and an index out of range names the limit and its source.
func TestReadEdgeFileBOMAndHeaderRule(t *testing.T) {
	dir := t.TempDir()
	for name, text := range map[string]string{
		"bom.csv":     "\ufeff0,1\n1,2\n",
		"float.csv":   "0.0,1,1\n1,2,1\n",
		"bomhead.csv": "\ufeffi,j\n0,1\n1,2\n",
	} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		g, _, err := ReadEdgeFile(p, 3)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if g.At(0, 1) != 1 || g.At(1, 2) != 1 {
			t.Errorf("%s: edges (0,1) and (1,2) not both read", name)
		}
	}
	p := filepath.Join(dir, "range.csv")
	if err := os.WriteFile(p, []byte("0,1\n1,60\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err := ReadEdgeFile(p, 60)
	if !errors.Is(err, ErrIndex) || !strings.Contains(err.Error(), "range.csv:2") ||
		!strings.Contains(err.Error(), "outside 0..59") || !strings.Contains(err.Error(), "one per row of the data") {
		t.Errorf("index 60 of 60 vertices: %v; want ErrIndex naming the line, the limit and its source", err)
	}
}

// A vertex count inferred from a huge index is checked against the memory
// budget before the row pointers are allocated.
func TestReadEdgeFileHugeIndex(t *testing.T) {
	p := filepath.Join(t.TempDir(), "huge.csv")
	if err := os.WriteFile(p, []byte("0,1\n1,100000000000000\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err := ReadEdgeFile(p, 0)
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "100000000000001 vertices") {
		t.Errorf("index 1e14 with inferred N: %v; want ErrTooLarge naming the size", err)
	}
}
