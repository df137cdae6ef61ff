package data

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"math"
	"strings"

	"gonum.org/v1/gonum/mat"
)

// CSRMatrix is a sparse matrix in scipy's compressed sparse row layout, as
// scipy.sparse.save_npz writes it: row i holds Data[Indptr[i]:Indptr[i+1]]
// at columns Indices[Indptr[i]:Indptr[i+1]]. Explicitly stored zeros are
// kept (a sparse distance graph can store a zero distance).
type CSRMatrix struct {
	Rows, Cols int
	Indptr     []int
	Indices    []int
	Data       []float64
}

// IsNPZCSR reports whether path is a .npz archive written by
// scipy.sparse.save_npz (arrays format, shape, indptr, indices, data), of
// any sparse format; ReadNPZCSR reads the CSR ones.
func IsNPZCSR(path string) bool {
	if ft, _ := formatOf(path); ft != fmtNPZ {
		return false
	}
	zr, err := zip.OpenReader(path)
	if err != nil {
		return false
	}
	defer zr.Close()
	have := map[string]bool{}
	for _, f := range zr.File {
		have[strings.TrimSuffix(f.Name, ".npy")] = true
	}
	return have["format"] && have["shape"] && have["data"]
}

// ReadNPZCSR reads a sparse matrix written by scipy.sparse.save_npz in CSR
// format (csr_matrix or csr_array; compressed or not). Other formats (csc,
// coo, ...) are an ErrFormat naming the conversion (.tocsr()). Every index
// is checked (indptr non-decreasing from 0 to nnz, column indices in
// range) and values must be finite: errors are *Error values naming the
// file and wrapping ErrFormat, ErrShape or ErrNaN.
func ReadNPZCSR(path string) (*CSRMatrix, error) {
	const op = "ReadNPZCSR"
	b, err := readWhole(path)
	if err != nil {
		return nil, fileErr(op, path, err)
	}
	m, err := parseNPZCSR(b)
	if err != nil {
		return nil, fileErr(op, path, err)
	}
	return m, nil
}

func parseNPZCSR(b []byte) (*CSRMatrix, error) {
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil, detail(ErrFormat, "not a .npz (zip) archive: %v", err)
	}
	var format []byte
	for _, f := range zr.File {
		if strings.TrimSuffix(f.Name, ".npy") != "format" {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return nil, detail(ErrFormat, ".npz entry %q: %v", f.Name, err)
		}
		format, err = io.ReadAll(io.LimitReader(rc, 1<<12))
		rc.Close()
		if err != nil {
			return nil, detail(ErrFormat, ".npz entry %q: %v", f.Name, err)
		}
	}
	if format == nil {
		return nil, detail(ErrFormat, "not a scipy.sparse.save_npz archive (no \"format\" array)")
	}
	// The format is a numpy bytes scalar: its payload ends the entry.
	payload := bytes.TrimRight(format, "\x00")
	switch {
	case bytes.HasSuffix(payload, []byte("csr")):
	case len(payload) >= 3:
		return nil, detail(ErrFormat, "sparse format %q; only CSR is read (save m.tocsr())", string(payload[len(payload)-3:]))
	default:
		return nil, detail(ErrFormat, "unreadable sparse format entry")
	}
	get := func(name string) ([]float64, error) {
		a, err := readNPZ(b, name)
		if err != nil {
			return nil, fmt.Errorf("array %q: %w", name, err)
		}
		return a.data, nil
	}
	shape, err := get("shape")
	if err != nil {
		return nil, err
	}
	if len(shape) != 2 || shape[0] < 1 || shape[1] < 1 || shape[0] > math.MaxInt32 || shape[1] > math.MaxInt32 {
		return nil, detail(ErrShape, "shape %v (want two positive sizes)", shape)
	}
	indptr, err := get("indptr")
	if err != nil {
		return nil, err
	}
	indices, err := get("indices")
	if err != nil {
		return nil, err
	}
	vals, err := get("data")
	if err != nil {
		return nil, err
	}
	m := &CSRMatrix{Rows: int(shape[0]), Cols: int(shape[1]), Data: vals}
	if len(indptr) != m.Rows+1 {
		return nil, detail(ErrShape, "indptr has %d entries; want rows + 1 = %d", len(indptr), m.Rows+1)
	}
	if len(indices) != len(vals) {
		return nil, detail(ErrShape, "indices has %d entries, data %d; want equal", len(indices), len(vals))
	}
	m.Indptr = make([]int, len(indptr))
	for i, v := range indptr {
		m.Indptr[i] = int(v)
		if v != math.Trunc(v) || (i == 0 && v != 0) || (i > 0 && m.Indptr[i] < m.Indptr[i-1]) || m.Indptr[i] > len(vals) {
			return nil, detail(ErrFormat, "indptr[%d] = %v is not a non-decreasing offset in [0, %d] starting at 0", i, v, len(vals))
		}
	}
	if m.Indptr[m.Rows] != len(vals) {
		return nil, detail(ErrFormat, "indptr ends at %d; data has %d entries", m.Indptr[m.Rows], len(vals))
	}
	m.Indices = make([]int, len(indices))
	for k, v := range indices {
		if v != math.Trunc(v) || v < 0 || v >= float64(m.Cols) {
			return nil, detail(ErrFormat, "column index %v at entry %d is outside [0, %d)", v, k, m.Cols)
		}
		m.Indices[k] = int(v)
	}
	for k, v := range vals {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, detail(ErrNaN, "value %v at entry %d", v, k)
		}
	}
	return m, nil
}

// Dense returns the matrix as a dense one (duplicate entries summed, as
// scipy's toarray does). It is Rows x Cols float64s: the caller checks the
// size first.
func (m *CSRMatrix) Dense() *mat.Dense {
	d := mat.NewDense(m.Rows, m.Cols, nil)
	for i := 0; i < m.Rows; i++ {
		row := d.RawRowView(i)
		for p := m.Indptr[i]; p < m.Indptr[i+1]; p++ {
			row[m.Indices[p]] += m.Data[p]
		}
	}
	return d
}
