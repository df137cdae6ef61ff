package data

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The fuzz targets check that no input panics, that successful decodes are
// self-consistent, and that decoded data never exceeds what the input can
// hold (a lying header cannot inflate the allocation). The seed corpus runs
// in every plain go test.

func checkArray(t *testing.T, a *array, maxElems int) {
	t.Helper()
	n := 1
	for _, d := range a.shape {
		n *= d
	}
	if n != len(a.data) {
		t.Fatalf("shape %v holds %d elements, data has %d", a.shape, n, len(a.data))
	}
	if len(a.data) > maxElems {
		t.Fatalf("decoded %d elements from an input that holds at most %d", len(a.data), maxElems)
	}
	if len(a.data) > 0 && len(a.shape) > 0 {
		if _, err := a.toDense(); err != nil {
			t.Fatalf("toDense: %v", err)
		}
	}
}

func FuzzReadNPY(f *testing.F) {
	for _, name := range []string{"f8_c.npy", "f4_fortran.npy", "i4_be.npy", "u1_3d.npy", "i8_labels.npy"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add(append(npyHeader("<f8", []int{1 << 40, 1 << 20}), 1, 2, 3))
	f.Add(append(npyHeader("<f8", []int{-1}), 1, 2, 3))
	f.Add(append(npyHeader("|b1", []int{2}), 1, 0))
	f.Add([]byte("\x93NUMPY\x02\x00\xff\xff\xff\xff"))
	f.Add([]byte("\x93NUMPY\x01\x00\x05\x00{}"))
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := readNPY(bytes.NewReader(b))
		if err != nil {
			return
		}
		checkArray(t, a, len(b))
	})
}

func FuzzReadIDX(f *testing.F) {
	f.Add(formatIDX([]int{2, 2}, []uint8{1, 2, 3, 4}))
	f.Add(formatIDX([]int{3}, []uint8{0, 9, 255}))
	f.Add(formatIDX([]int{1 << 31, 1 << 31, 1 << 31}, nil))
	f.Add([]byte{0, 0, 0x0D, 1, 0, 0, 0, 1, 0x3f, 0x80, 0, 0})
	f.Add([]byte{0, 0, 0x0E, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := readIDX(bytes.NewReader(b))
		if err != nil {
			return
		}
		checkArray(t, a, len(b))
	})
}

func FuzzReadCSV(f *testing.F) {
	for _, s := range []string{
		"1,2,3\n4,5,6\n", "a;b\n1;2\n", "1\t2\n3\t4", " 1 2\n3 4 \n", "# c\n1\n\n2\n",
		"1,2\n3\n", "\"x\",'y'\n1,2\n", "nan,inf\n", "1e400,-0\n", ",\n,\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		tab, err := parseCSV(b)
		if err != nil {
			return
		}
		if tab.rows*tab.cols != len(tab.data) || tab.rows == 0 || tab.cols == 0 {
			t.Fatalf("%d x %d table with %d values", tab.rows, tab.cols, len(tab.data))
		}
		if len(tab.data) > len(b) { // every value takes at least one byte
			t.Fatalf("%d values from %d bytes", len(tab.data), len(b))
		}
		// Writing and re-reading reproduces the values bit for bit.
		back, err := parseCSV(formatCSV(tab.rows, tab.cols, ',', func(i, j int) float64 { return tab.data[i*tab.cols+j] }))
		if err != nil {
			t.Fatalf("re-read: %v", err)
		}
		for k, v := range tab.data {
			if w := back.data[k]; strconv.FormatFloat(v, 'g', -1, 64) != strconv.FormatFloat(w, 'g', -1, 64) {
				t.Fatalf("value %d: %v then %v", k, v, w)
			}
		}
	})
}

// zipOf builds a stored (uncompressed) zip archive of the given entries.
func zipOf(entries map[string][]byte) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for k, v := range entries {
		w, _ := zw.CreateHeader(&zip.FileHeader{Name: k, Method: zip.Store})
		w.Write(v)
	}
	zw.Close()
	return buf.Bytes()
}

func FuzzReadNPZ(f *testing.F) {
	for _, name := range []string{"two.npz", "single_compressed.npz"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	x := append(npyHeader("<f8", []int{1}), make([]byte, 8)...)
	f.Add(zipOf(map[string][]byte{"X.npy": x}))
	f.Add(zipOf(map[string][]byte{"a.npy": x, "b.npy": x}))
	f.Add(zipOf(map[string][]byte{"X.npy": append(npyHeader("<f8", []int{1 << 40}), 1)}))
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := readNPZ(b, "X", "arr_0")
		if err != nil {
			return
		}
		// Deflate expands at most ~1032:1.
		checkArray(t, a, 1100*len(b))
	})
}

// TestNPYHeaderCrafting checks the test helper itself against numpy's file.
func TestNPYHeaderCrafting(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "f8_c.npy"))
	if err != nil {
		t.Fatal(err)
	}
	h := npyHeader("<f8", []int{3, 4})
	hl := 10 + int(binary.LittleEndian.Uint16(b[8:10]))
	if !strings.HasPrefix(string(b[10:hl]), strings.TrimRight(string(h[10:]), " \n")) || len(h)%64 != 0 {
		t.Fatalf("crafted header %q does not match numpy's %q", h, b[:hl])
	}
}

// npyHeader returns a version-1 .npy header; tests use it to craft files.
func npyHeader(descr string, shape []int) []byte {
	var s strings.Builder
	s.WriteString("(")
	for i, d := range shape {
		if i > 0 {
			s.WriteString(", ")
		}
		s.WriteString(strconv.Itoa(d))
	}
	if len(shape) == 1 {
		s.WriteString(",")
	}
	s.WriteString(")")
	dict := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': %s, }", descr, s.String())
	// Pad so that magic+version+len+dict+'\n' is a multiple of 64.
	total := 10 + len(dict) + 1
	pad := (64 - total%64) % 64
	dict += strings.Repeat(" ", pad) + "\n"
	out := make([]byte, 10, 10+len(dict))
	copy(out, npyMagic)
	out[6], out[7] = 1, 0
	binary.LittleEndian.PutUint16(out[8:], uint16(len(dict)))
	return append(out, dict...)
}
