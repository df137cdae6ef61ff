package data

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// rampA is the matrix numpy wrote into testdata: arange(12).reshape(3,4)*0.5-1.
func rampA() *mat.Dense {
	m := mat.NewDense(3, 4, nil)
	for k := range 12 {
		m.Set(k/4, k%4, float64(k)*0.5-1)
	}
	return m
}

func mustEqual(t *testing.T, what string, got, want mat.Matrix) {
	t.Helper()
	if !mat.Equal(got, want) {
		t.Fatalf("%s: got\n%v\nwant\n%v", what, mat.Formatted(got), mat.Formatted(want))
	}
}

func TestReadNumpyFiles(t *testing.T) {
	a := rampA()
	ints := mat.NewDense(3, 4, nil)
	for k := range 12 {
		ints.Set(k/4, k%4, float64(k-5))
	}
	u1 := mat.NewDense(2, 12, nil)
	for k := range 24 {
		u1.Set(k/12, k%12, float64(k))
	}
	for _, tc := range []struct {
		file string
		want *mat.Dense
	}{
		{"f8_c.npy", a},
		{"f4_fortran.npy", a},
		{"i4_be.npy", ints},
		{"u1_3d.npy", u1},
		{"two.npz", a},
		{"single_compressed.npz", a},
	} {
		got, err := ReadMatrix(filepath.Join("testdata", tc.file))
		if err != nil {
			t.Fatalf("%s: %v", tc.file, err)
		}
		mustEqual(t, tc.file, got, tc.want)
	}
	for _, tc := range []struct {
		file string
		want []int
	}{
		{"i8_labels.npy", []int{3, 1, 4, 1, 5, 9, 2, 6}},
		{"f8_labels.npy", []int{3, 1, 4}},
		{"two.npz", []int{0, 1, 2}},
	} {
		got, err := ReadLabels(filepath.Join("testdata", tc.file))
		if err != nil {
			t.Fatalf("%s: %v", tc.file, err)
		}
		if !slices.Equal(got, tc.want) {
			t.Fatalf("%s: got %v; want %v", tc.file, got, tc.want)
		}
	}
}

func TestMatrixRoundTrip(t *testing.T) {
	dir := t.TempDir()
	m := mat.NewDense(4, 3, []float64{1, -2.5, 3e-300, math.Pi, 0, -0, 1e300, 7, 1.0 / 3, -1, 2, 0.1})
	for _, name := range []string{"m.npy", "m.csv", "m.csv.gz", "m.npz", "m.txt", "m.tsv"} {
		p := filepath.Join(dir, name)
		if err := WriteMatrix(p, m); err != nil {
			t.Fatalf("write %s: %v", name, err)
		}
		got, err := ReadMatrix(p)
		if err != nil {
			t.Fatalf("read %s: %v", name, err)
		}
		mustEqual(t, name, got, m)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "m.tsv")); !strings.HasPrefix(string(b), "1\t-2.5\t") {
		t.Fatalf(".tsv not tab-separated: %q", b[:20])
	}
	// A strided view is written as its logical contents.
	v := m.Slice(1, 3, 1, 3)
	p := filepath.Join(dir, "view.npy")
	if err := WriteMatrix(p, v); err != nil {
		t.Fatal(err)
	}
	got, err := ReadMatrix(p)
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "view", got, v)
	// A failed WriteAtomic leaves the previous file intact.
	p = filepath.Join(dir, "m.npy")
	boom := errors.New("boom")
	if err := WriteAtomic(p, func(w io.Writer) error { w.Write([]byte("partial")); return boom }); !errors.Is(err, boom) {
		t.Fatalf("WriteAtomic: got %v; want the fill error", err)
	}
	if got, err := ReadMatrix(p); err != nil || !mat.Equal(got, m) {
		t.Fatalf("previous file damaged: %v", err)
	}
	// No temporary files are left behind.
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if strings.Contains(e.Name(), ".tmp") {
			t.Fatalf("temporary file %s left behind", e.Name())
		}
	}
}

func TestNPZRoundTrip(t *testing.T) {
	p := filepath.Join(t.TempDir(), "a.npz")
	x := rampA()
	z := mat.NewDense(2, 2, []float64{1, 2, 3, 4})
	if err := WriteNPZ(p, map[string]mat.Matrix{"X": x, "Z": z}); err != nil {
		t.Fatal(err)
	}
	got, err := ReadMatrix(p)
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "X from npz", got, x)
	all, err := ReadNPZ(p)
	if err != nil || len(all) != 2 {
		t.Fatalf("ReadNPZ: %v, %v", all, err)
	}
	mustEqual(t, "ReadNPZ X", all["X"], x)
	mustEqual(t, "ReadNPZ Z", all["Z"], z)
	// Without X or arr_0 the choice is ambiguous and the error lists the keys.
	if err := WriteNPZ(p, map[string]mat.Matrix{"A": x, "B": z}); err != nil {
		t.Fatal(err)
	}
	_, err = ReadMatrix(p)
	if !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), "[A B]") {
		t.Fatalf("ambiguous npz: got %v; want ErrFormat listing [A B]", err)
	}
	if err := WriteNPZ(p, nil); !errors.Is(err, ErrEmpty) {
		t.Fatalf("empty npz: got %v; want ErrEmpty", err)
	}
}

func TestLabelsRoundTrip(t *testing.T) {
	dir := t.TempDir()
	y := []int{0, 9, 3, -1, 1 << 40}
	for _, name := range []string{"y.npy", "y.csv"} {
		p := filepath.Join(dir, name)
		if err := WriteLabels(p, y); err != nil {
			t.Fatal(err)
		}
		got, err := ReadLabels(p)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, y) {
			t.Fatalf("%s: got %v; want %v", name, got, y)
		}
	}
}

func TestIDXRoundTrip(t *testing.T) {
	dir := t.TempDir()
	v := make([]uint8, 2*3*2)
	for i := range v {
		v[i] = uint8(i * 20)
	}
	for _, name := range []string{"t-idx3-ubyte", "t-idx3-ubyte.gz", "t.idx"} {
		p := filepath.Join(dir, name)
		if err := WriteIDX(p, []int{2, 3, 2}, v); err != nil {
			t.Fatal(err)
		}
		got, err := ReadMatrix(p)
		if err != nil {
			t.Fatal(err)
		}
		if r, c := got.Dims(); r != 2 || c != 6 {
			t.Fatalf("%s: dims %dx%d; want 2x6", name, r, c)
		}
		for k := range v {
			if got.At(k/6, k%6) != float64(v[k]) {
				t.Fatalf("%s: element %d = %v; want %d", name, k, got.At(k/6, k%6), v[k])
			}
		}
	}
	p := filepath.Join(dir, "l-idx1-ubyte")
	if err := WriteIDX(p, []int{4}, []uint8{7, 0, 255, 3}); err != nil {
		t.Fatal(err)
	}
	y, err := ReadLabels(p)
	if err != nil || !slices.Equal(y, []int{7, 0, 255, 3}) {
		t.Fatalf("idx labels: got %v, %v", y, err)
	}
	if err := WriteIDX(p, []int{3}, []uint8{1}); !errors.Is(err, ErrShape) {
		t.Fatalf("bad idx shape: got %v; want ErrShape", err)
	}
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestReadCSVDialects(t *testing.T) {
	want := mat.NewDense(2, 3, []float64{1, 2, 3, 4.5, -5, 6e2})
	for _, tc := range []struct{ name, text string }{
		{"comma", "1,2,3\n4.5,-5,6e2\n"},
		{"header", "a,b,c\n1,2,3\n4.5,-5,6e2\n"},
		{"quoted header crlf", "\"a\",\"b\",\"c\"\r\n1,2,3\r\n4.5,-5,6e2\r\n"},
		{"semicolon", "1;2;3\n4.5;-5;6e2"},
		{"tab", "x\ty\tz\n1\t2\t3\n4.5\t-5\t6e2\n"},
		{"whitespace", "  1  2 3\n\n4.5 -5   6e2\n"},
		{"comments", "# made by hand\n1, 2, 3\n# middle\n4.5, -5, 6e2\n"},
	} {
		got, err := ReadMatrix(writeFile(t, "x.csv", tc.text))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		mustEqual(t, tc.name, got, want)
	}
}

func TestReadErrors(t *testing.T) {
	dir := t.TempDir()
	bigHeader := formatIDX([]int{1 << 30, 1 << 20}, []uint8{1, 2, 3})
	nanNPY := append(npyHeader("<f8", []int{2}), make([]byte, 16)...)
	copy(nanNPY[len(nanNPY)-8:], []byte{0, 0, 0, 0, 0, 0, 0xf8, 0x7f}) // NaN
	for _, tc := range []struct {
		name, file string
		content    []byte
		want       error
		msg        string
	}{
		{"missing", "none.npy", nil, fs.ErrNotExist, "none.npy"},
		{"ragged", "r.csv", []byte("1,2\n3,4\n5\n"), ErrRagged, "line 3"},
		{"not number", "n.csv", []byte("1,2\n3,x\n"), ErrFormat, "line 2"},
		{"nan csv", "nan.csv", []byte("1,2\nNaN,4\n"), ErrNaN, "row 2 column 1 (1-based)"},
		{"inf csv", "inf.csv", []byte("1,+Inf\n"), ErrNaN, "row 1 column 2"},
		{"nan npy", "nan.npy", nanNPY, ErrNaN, "row 2 column 1"},
		{"empty csv", "e.csv", []byte("a,b\n"), ErrEmpty, "e.csv"},
		{"complex dtype", "c.npy", append(npyHeader("<c16", []int{1}), make([]byte, 16)...), ErrDType, "<c16"},
		{"bad magic", "b.npy", []byte("PK not npy"), ErrFormat, "b.npy"},
		{"truncated", "t.npy", append(npyHeader("<f8", []int{4}), 1, 2, 3), ErrFormat, "truncated"},
		{"lying idx", "l-idx2-ubyte", bigHeader, ErrFormat, "truncated"},
		{"unknown ext", "x.parquet", []byte("1"), ErrFormat, "unknown file type"},
		{"bad gzip", "x.csv.gz", []byte("not gzip"), ErrFormat, "gzip"},
	} {
		p := filepath.Join(dir, tc.file)
		if tc.content != nil {
			if err := os.WriteFile(p, tc.content, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		_, err := ReadMatrix(p)
		if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.msg) || !strings.Contains(err.Error(), tc.file) {
			t.Errorf("%s: got error %v; want %v mentioning %q and the file", tc.name, err, tc.want, tc.msg)
		}
	}
	// AllowNaN reads the NaN through.
	p := filepath.Join(dir, "nan.csv")
	m, err := ReadMatrixWith(p, ReadOptions{AllowNaN: true})
	if err != nil || !math.IsNaN(m.At(1, 0)) {
		t.Fatalf("AllowNaN: got %v, %v", m, err)
	}
	// Labels must be integral and one-dimensional.
	for _, tc := range []struct {
		text string
		want error
	}{
		{"1\n2.5\n", ErrFormat},
		{"1,2\n3,4\n", ErrShape},
	} {
		if _, err := ReadLabels(writeFile(t, "y.csv", tc.text)); !errors.Is(err, tc.want) {
			t.Errorf("labels %q: got %v; want %v", tc.text, err, tc.want)
		}
	}
	if err := WriteMatrix(filepath.Join(dir, "x.json"), mat.NewDense(1, 1, nil)); !errors.Is(err, ErrFormat) {
		t.Errorf("write .json: got %v; want ErrFormat", err)
	}
	if err := WriteMatrix(filepath.Join(dir, "no-such-dir", "x.npy"), mat.NewDense(1, 1, nil)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("write to missing dir: got %v; want fs.ErrNotExist", err)
	}
}

func TestReadGzipCSV(t *testing.T) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte("1;2\n3;4\n"))
	zw.Close()
	p := filepath.Join(t.TempDir(), "x.csv.gz")
	os.WriteFile(p, buf.Bytes(), 0o644)
	got, err := ReadMatrix(p)
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "gz csv", got, mat.NewDense(2, 2, []float64{1, 2, 3, 4}))
}
