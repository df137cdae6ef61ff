package data

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// Files written by scipy 1.10 (scipy.sparse.save_npz of
// [[0, 1.5, 0, 0], [2, 0, 0, -1], [0, 0, 0, 0]], compressed and not, and its
// CSC form): the CSR ones read back exactly, the CSC one is refused with
// the conversion to use.
func TestReadNPZCSRScipyFiles(t *testing.T) {
	want := mat.NewDense(3, 4, []float64{0, 1.5, 0, 0, 2, 0, 0, -1, 0, 0, 0, 0})
	for _, name := range []string{"scipy_csr.npz", "scipy_csr_uncompressed.npz"} {
		path := filepath.Join("testdata", name)
		if !IsNPZCSR(path) {
			t.Fatalf("%s not recognised as save_npz output", name)
		}
		m, err := ReadNPZCSR(path)
		if err != nil {
			t.Fatal(err)
		}
		if m.Rows != 3 || m.Cols != 4 || len(m.Data) != 3 || !mat.Equal(m.Dense(), want) {
			t.Fatalf("%s: %+v", name, m)
		}
	}
	_, err := ReadNPZCSR(filepath.Join("testdata", "scipy_csc.npz"))
	if !errors.Is(err, ErrFormat) {
		t.Fatalf("csc: %v; want ErrFormat", err)
	}
	if IsNPZCSR(filepath.Join("testdata", "two.npz")) {
		t.Fatal("a plain .npz taken for save_npz output")
	}
}

// Corrupt index arrays are errors, not panics or silent garbage.
func TestReadNPZCSRCorrupt(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, arrays map[string]mat.Matrix) string {
		p := filepath.Join(dir, name)
		if err := WriteNPZ(p, arrays); err != nil {
			t.Fatal(err)
		}
		return p
	}
	// WriteNPZ stores float64 arrays; the format entry then decodes to
	// numbers, not "csr": refused as an unreadable format.
	p := write("noformat.npz", map[string]mat.Matrix{"shape": mat.NewDense(1, 2, []float64{2, 2}),
		"indptr": mat.NewDense(1, 3, []float64{0, 1, 2}), "indices": mat.NewDense(1, 2, []float64{0, 5}),
		"data": mat.NewDense(1, 2, []float64{1, 1})})
	if _, err := ReadNPZCSR(p); err == nil {
		t.Fatal("archive without a format entry accepted")
	}
	// Patch a real file's bytes is brittle; check the validation directly.
	b, err := os.ReadFile(filepath.Join("testdata", "scipy_csr_uncompressed.npz"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := parseNPZCSR(b); err != nil {
		t.Fatal(err)
	}
	if _, err := parseNPZCSR(b[:len(b)/2]); !errors.Is(err, ErrFormat) {
		t.Fatalf("truncated archive: %v; want ErrFormat", err)
	}
}

// ReadNPZCSR reads the archive through the memory budget like every .npz
// (a file above EIGENSSL_MEMORY_LIMIT is refused before it is read).
func TestReadNPZCSRMemoryLimit(t *testing.T) {
	path := filepath.Join("testdata", "scipy_csr.npz")
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("EIGENSSL_MEMORY_LIMIT", strconv.FormatInt(st.Size()-1, 10))
	if _, err := ReadNPZCSR(path); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("a %d-byte archive under a %d-byte limit: %v; want ErrTooLarge", st.Size(), st.Size()-1, err)
	}
	t.Setenv("EIGENSSL_MEMORY_LIMIT", strconv.FormatInt(st.Size(), 10))
	if _, err := ReadNPZCSR(path); err != nil {
		t.Fatalf("at the limit: %v", err)
	}
}
