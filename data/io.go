package data

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"

	"codeberg.org/sbinet/npyio/npy"
	"github.com/eigenssl/eigenssl/internal/atomicfile"
	"github.com/eigenssl/eigenssl/internal/memlimit"
	"gonum.org/v1/gonum/mat"
)

// ReadOptions changes how ReadMatrixWith treats the data it reads. The zero
// value is the default of ReadMatrix.
type ReadOptions struct {
	// AllowNaN accepts NaN and ±Inf values; by default they are an error
	// wrapping ErrNaN that names the first offending row and column.
	AllowNaN bool
}

// format is a file format chosen from a file name.
type format int

const (
	fmtUnknown format = iota
	fmtNPY
	fmtNPZ
	fmtCSV
	fmtIDX
)

var reIDXName = regexp.MustCompile(`idx\d-u?byte$`)

// formatOf returns the format of path and whether it is gzip-compressed
// (suffix ".gz", for CSV and IDX files).
func formatOf(path string) (format, bool) {
	name := strings.ToLower(filepath.Base(path))
	gz := strings.HasSuffix(name, ".gz")
	name = strings.TrimSuffix(name, ".gz")
	switch ext := filepath.Ext(name); {
	case ext == ".npy" && !gz:
		return fmtNPY, false
	case ext == ".npz" && !gz:
		return fmtNPZ, false
	case ext == ".csv" || ext == ".tsv" || ext == ".txt":
		return fmtCSV, gz
	case ext == ".idx" || reIDXName.MatchString(name):
		return fmtIDX, gz
	}
	return fmtUnknown, gz
}

// openData opens path, transparently decompressing gzip.
func openData(path string, gz bool) (io.ReadCloser, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	if !gz {
		return f, nil
	}
	zr, err := gzip.NewReader(bufio.NewReader(f))
	if err != nil {
		f.Close()
		return nil, detail(ErrFormat, "bad gzip stream: %v", err)
	}
	return struct {
		io.Reader
		io.Closer
	}{zr, f}, nil
}

// readArrayFile reads the n-dimensional array stored in path, choosing the
// reader from the file name. For .npz, names lists the preferred entries.
func readArrayFile(path string, names ...string) (*array, error) {
	ft, gz := formatOf(path)
	switch ft {
	case fmtNPZ:
		b, err := readWhole(path)
		if err != nil {
			return nil, err
		}
		return readNPZ(b, names...)
	case fmtNPY, fmtIDX:
		rc, err := openData(path, gz)
		if err != nil {
			return nil, err
		}
		defer rc.Close()
		br := bufio.NewReader(rc)
		if ft == fmtNPY {
			return readNPY(br)
		}
		return readIDX(br)
	case fmtCSV:
		rc, err := openData(path, gz)
		if err != nil {
			return nil, err
		}
		defer rc.Close()
		b, err := readText(rc)
		if err != nil {
			return nil, err
		}
		t, err := parseCSV(b)
		if err != nil {
			return nil, err
		}
		return &array{shape: []int{t.rows, t.cols}, data: t.data, kind: 'f'}, nil
	}
	return nil, detail(ErrFormat, "unknown file type (want .npy, .npz, .csv, .tsv, .txt, .idx or *-idxN-ubyte, optionally .gz for text and IDX)")
}

// readWhole reads a file that must be read into memory at once (a .npz
// archive, which needs random access): a regular file whose size fits the
// memory budget (internal/memlimit), so /dev/zero or a pipe is refused
// instead of read forever.
func readWhole(path string) ([]byte, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, detail(ErrFormat, "not a regular file (%s); a .npz archive must be a file", st.Mode().Type())
	}
	if err := memlimit.Check(fmt.Sprintf("reading the %d-byte file", st.Size()), float64(st.Size())); err != nil {
		return nil, detail(ErrTooLarge, "%v", err)
	}
	return os.ReadFile(path)
}

// textLimitRatio: the parsed float64 values of a CSV text take at most 4
// times its bytes ("0," is one value of 8 bytes) and twice that while the
// slice grows, so a text may have at most 1/textLimitRatio of the memory
// budget.
const textLimitRatio = 8

// readText reads a whole text stream (CSV), refusing a NUL byte (binary
// data, such as /dev/zero, is not text) and more than 1/textLimitRatio of
// the memory budget (internal/memlimit).
func readText(r io.Reader) ([]byte, error) {
	limit, source, err := memlimit.Limit()
	if err != nil {
		return nil, detail(ErrTooLarge, "%v", err)
	}
	maxText := int64(limit / textLimitRatio)
	var buf bytes.Buffer
	chunk := make([]byte, 1<<16)
	for {
		n, err := r.Read(chunk)
		if i := bytes.IndexByte(chunk[:n], 0); i >= 0 {
			return nil, detail(ErrFormat, "NUL byte at offset %d: binary data, not CSV text", int64(buf.Len())+int64(i))
		}
		if int64(buf.Len()+n) > maxText {
			return nil, detail(ErrTooLarge, "text longer than %s, 1/%d of the memory limit %s (%s)",
				memlimit.Format(float64(maxText)), textLimitRatio, memlimit.Format(limit), source)
		}
		buf.Write(chunk[:n])
		if err == io.EOF {
			return buf.Bytes(), nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// readNPZ reads one array from a .npz archive: the only entry, else the
// first of names present, else an error listing the entries.
func readNPZ(b []byte, names ...string) (*array, error) {
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil, detail(ErrFormat, "not a .npz (zip) archive: %v", err)
	}
	byName := map[string]*zip.File{}
	var keys []string
	for _, f := range zr.File {
		k := strings.TrimSuffix(f.Name, ".npy")
		if _, dup := byName[k]; !dup {
			keys = append(keys, k)
		}
		byName[k] = f
	}
	var pick *zip.File
	if len(keys) == 1 {
		pick = byName[keys[0]]
	} else {
		for _, n := range names {
			if f, ok := byName[n]; ok {
				pick = f
				break
			}
		}
	}
	if pick == nil {
		if len(keys) == 0 {
			return nil, detail(ErrEmpty, ".npz archive has no arrays")
		}
		sort.Strings(keys)
		return nil, detail(ErrFormat, ".npz archive has arrays %v; want a single array or one named %s", keys, strings.Join(names, " or "))
	}
	rc, err := pick.Open()
	if err != nil {
		return nil, detail(ErrFormat, ".npz entry %q: %v", pick.Name, err)
	}
	defer rc.Close()
	a, err := readNPY(bufio.NewReader(rc))
	if err != nil {
		return nil, fmt.Errorf(".npz entry %q: %w", pick.Name, err)
	}
	return a, nil
}

// ReadNPZ returns every array of a .npz archive as a matrix (flattened as in
// ReadMatrix), keyed by name without the ".npy" suffix. NaN and Inf are
// returned as read.
func ReadNPZ(path string) (map[string]*mat.Dense, error) {
	const op = "ReadNPZ"
	b, err := readWhole(path)
	if err != nil {
		return nil, fileErr(op, path, err)
	}
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil, fileErr(op, path, detail(ErrFormat, "not a .npz (zip) archive: %v", err))
	}
	out := map[string]*mat.Dense{}
	for _, f := range zr.File {
		name := strings.TrimSuffix(f.Name, ".npy")
		a, err := readNPZ(b, name)
		if err != nil {
			return nil, fileErr(op, path, err)
		}
		m, err := a.toDense()
		if err != nil {
			return nil, fileErr(op, path, fmt.Errorf("array %q: %w", name, err))
		}
		out[name] = m
	}
	if len(out) == 0 {
		return nil, fileErr(op, path, detail(ErrEmpty, ".npz archive has no arrays"))
	}
	return out, nil
}

// toDense turns an array into a matrix: shape (n) is n x 1, shape (r, c) is
// r x c and shape (r, d1, d2, ...) is r x (d1*d2*...), row-major.
func (a *array) toDense() (*mat.Dense, error) {
	if len(a.shape) == 0 {
		return nil, detail(ErrShape, "0-dimensional array (want 1-D or 2-D)")
	}
	if len(a.data) == 0 {
		return nil, detail(ErrEmpty, "array of shape %v has no elements", a.shape)
	}
	r := a.shape[0]
	return mat.NewDense(r, len(a.data)/r, a.data), nil
}

// ReadMatrix reads a matrix from path with the default ReadOptions. See
// ReadMatrixWith.
func ReadMatrix(path string) (*mat.Dense, error) {
	return ReadMatrixWith(path, ReadOptions{})
}

// ReadMatrixWith reads a matrix, one sample per row, from path. The format
// comes from the file name:
//
//   - .npy: float32, float64, (u)int8-64 or bool, either byte order, C or
//     Fortran order. A 1-D array of length n is an n x 1 matrix; an array of
//     shape (n, d1, d2, ...) is flattened row-major to n x (d1*d2*...).
//   - .npz: the archive's only array, else the one named "X", else "arr_0"
//     (numpy.savez's first positional array).
//   - .csv, .tsv, .txt (optionally .gz): one row per line; the delimiter is
//     detected from the first line (the most frequent of comma, semicolon
//     and tab, else runs of white space); the first line is a header and
//     skipped when any of its fields is not a number; blank lines and lines
//     starting with '#' are skipped.
//   - .idx or names ending in idxN-ubyte (optionally .gz): IDX (MNIST)
//     arrays, flattened like .npy.
//
// Errors are *Error values naming the file and wrapping ErrFormat
// (malformed or unknown file), ErrDType (unsupported element type),
// ErrRagged (a CSV row with the wrong field count, with its line number),
// ErrShape, ErrEmpty, ErrNaN (unless opt.AllowNaN) or the operating-system
// error. No header can make the reader allocate more than a small multiple
// of the bytes actually present in the file (or its decompressed stream).
func ReadMatrixWith(path string, opt ReadOptions) (*mat.Dense, error) {
	const op = "ReadMatrix"
	a, err := readArrayFile(path, "X", "arr_0")
	if err != nil {
		return nil, fileErr(op, path, err)
	}
	m, err := a.toDense()
	if err != nil {
		return nil, fileErr(op, path, err)
	}
	if !opt.AllowNaN {
		_, c := m.Dims()
		for k, v := range a.data {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fileErr(op, path, detail(ErrNaN, "value %v at row %d column %d (1-based)", v, k/c+1, k%c+1))
			}
		}
	}
	return m, nil
}

// ReadLabels reads integer class labels from path: a .npy/.npz/IDX array of
// integers, or of floats with integral values, of shape (n), (n, 1) or
// (1, n); or a one-column CSV (header optional). In a .npz archive the only
// array is used, else the one named "y", "labels" or "arr_0".
func ReadLabels(path string) ([]int, error) {
	const op = "ReadLabels"
	a, err := readArrayFile(path, "y", "labels", "arr_0")
	if err != nil {
		return nil, fileErr(op, path, err)
	}
	switch {
	case len(a.shape) == 1:
	case len(a.shape) == 2 && (a.shape[0] == 1 || a.shape[1] == 1):
	default:
		return nil, fileErr(op, path, detail(ErrShape, "labels have shape %v; want (n), (n, 1) or (1, n)", a.shape))
	}
	if len(a.data) == 0 {
		return nil, fileErr(op, path, detail(ErrEmpty, "no labels"))
	}
	y := make([]int, len(a.data))
	for i, v := range a.data {
		if v != math.Trunc(v) || math.IsInf(v, 0) || math.Abs(v) > 1<<53 {
			return nil, fileErr(op, path, detail(ErrFormat, "label %d (1-based) is %v; want an integer", i+1, v))
		}
		y[i] = int(v)
	}
	return y, nil
}

// WriteAtomic writes path through a temporary file in the same directory
// that is renamed over path only after fill succeeded (and the data was
// synced), so readers never see a partial file and a failed write leaves
// any previous file intact (internal/atomicfile). A missing directory or a
// directory as path is named as such. A ".gz" suffix compresses the stream.
func WriteAtomic(path string, fill func(w io.Writer) error) error {
	if err := writeAtomic(path, fill); err != nil {
		return fileErr("WriteAtomic", path, err)
	}
	return nil
}

func writeAtomic(path string, fill func(w io.Writer) error) error {
	if !strings.HasSuffix(strings.ToLower(path), ".gz") {
		return atomicfile.Write(path, fill)
	}
	return atomicfile.Write(path, func(w io.Writer) error {
		zw := gzip.NewWriter(w)
		if err := fill(zw); err != nil {
			return err
		}
		return zw.Close()
	})
}

// Output is an output file of a command and the flag (or parameter) that
// named it, for CheckOutputs.
type Output struct {
	Flag, Path string
	// Dir marks an output directory (created by the command, possibly
	// existing): only its sharing a path with another output is checked.
	Dir bool
	// Input marks a file the command reads: it is not checked as an
	// output, but no output may name it (writing would replace the input).
	Input bool
}

// CheckOutputs checks, before any work is done, that the output files of
// one command can be written: each non-empty Path is not a directory and
// lies in an existing directory, and no two outputs name the same file (the
// same path after cleaning, or the same existing file through a link), which
// would silently overwrite one result with another, and no output names an
// input of the command (Output.Input). Errors are *Error values
// (Param the flag, Value the path) wrapping ErrParam, or fs.ErrNotExist for
// a missing directory.
func CheckOutputs(outs ...Output) error {
	const op = "CheckOutputs"
	type seen struct {
		flag, abs string
		info      os.FileInfo
		input     bool
	}
	var prev []seen
	for _, o := range outs {
		if o.Path == "" {
			continue
		}
		if !o.Dir && !o.Input {
			if err := checkOutput(o.Path); err != nil {
				return &Error{Op: op, Param: o.Flag, Value: fmt.Sprintf("%q", o.Path), Err: err}
			}
		}
		abs, err := filepath.Abs(o.Path)
		if err != nil {
			abs = filepath.Clean(o.Path)
		}
		info, _ := os.Stat(o.Path)
		for _, p := range prev {
			if !(p.abs == abs || (info != nil && p.info != nil && os.SameFile(info, p.info))) {
				continue
			}
			switch {
			case p.input && o.Input:
				continue // one file read twice
			case p.input || o.Input:
				out, in := o, p.flag
				if o.Input {
					out = Output{Flag: p.flag, Path: o.Path}
					in = o.Flag
				}
				return &Error{Op: op, Param: out.Flag, Value: fmt.Sprintf("%q", out.Path),
					Err: detail(ErrParam, "same file as the input %s; writing would replace it", in)}
			}
			return &Error{Op: op, Param: o.Flag, Value: fmt.Sprintf("%q", o.Path),
				Err: detail(ErrParam, "same file as %s; one output would overwrite the other", p.flag)}
		}
		prev = append(prev, seen{o.Flag, abs, info, o.Input})
	}
	return nil
}

// checkOutput returns an error when path cannot be an output file: it is a
// directory or its parent is not one (ErrParam), or its directory is
// missing (fs.ErrNotExist); see atomicfile.CheckPath.
func checkOutput(path string) error {
	err := atomicfile.CheckPath(path)
	if errors.Is(err, atomicfile.ErrNotFile) {
		return detail(ErrParam, "%v", err)
	}
	return err
}

// denseOf returns a contiguous copy-free view when possible.
func denseOf(m mat.Matrix) *mat.Dense {
	if d, ok := m.(*mat.Dense); ok {
		r, c := d.Dims()
		if d.RawMatrix().Stride == c && r > 0 {
			return d
		}
	}
	return mat.DenseCopyOf(m)
}

func checkMatrix(m mat.Matrix) error {
	if m == nil {
		return detail(ErrEmpty, "nil matrix")
	}
	if r, c := m.Dims(); r == 0 || c == 0 {
		return detail(ErrEmpty, "%d x %d matrix", r, c)
	}
	return nil
}

// delimFor returns the CSV delimiter for writing path: tab for .tsv, else
// comma.
func delimFor(path string) byte {
	if strings.HasSuffix(strings.TrimSuffix(strings.ToLower(path), ".gz"), ".tsv") {
		return '\t'
	}
	return ','
}

// WriteMatrix writes m atomically to path as a float64 .npy array (shape
// (r, c)), a delimited text file (.csv/.txt comma-separated, .tsv
// tab-separated, optionally .gz; shortest decimals that read back exactly,
// no header) or a .npz archive holding one array named "X".
func WriteMatrix(path string, m mat.Matrix) error {
	const op = "WriteMatrix"
	if err := checkMatrix(m); err != nil {
		return fileErr(op, path, err)
	}
	ft, _ := formatOf(path)
	var err error
	switch ft {
	case fmtNPY:
		d := denseOf(m)
		err = writeAtomic(path, func(w io.Writer) error { return npy.Write(w, d) })
	case fmtNPZ:
		return WriteNPZ(path, map[string]mat.Matrix{"X": m})
	case fmtCSV:
		r, c := m.Dims()
		err = writeAtomic(path, func(w io.Writer) error {
			_, err := w.Write(formatCSV(r, c, delimFor(path), m.At))
			return err
		})
	default:
		err = detail(ErrFormat, "unsupported extension for writing (want .npy, .npz or .csv)")
	}
	if err != nil {
		return fileErr(op, path, err)
	}
	return nil
}

// WriteNPZ writes the matrices atomically to a .npz archive, each as a
// float64 array of shape (r, c) stored under "<name>.npy" (so numpy.load
// sees the key name), in sorted name order.
func WriteNPZ(path string, arrays map[string]mat.Matrix) error {
	const op = "WriteNPZ"
	if len(arrays) == 0 {
		return fileErr(op, path, detail(ErrEmpty, "no arrays"))
	}
	names := make([]string, 0, len(arrays))
	for k, m := range arrays {
		if k == "" || strings.ContainsAny(k, "/\\") {
			return fileErr(op, path, detail(ErrParam, "bad array name %q", k))
		}
		if err := checkMatrix(m); err != nil {
			return fileErr(op, path, fmt.Errorf("array %q: %w", k, err))
		}
		names = append(names, k)
	}
	slices.Sort(names)
	err := writeAtomic(path, func(w io.Writer) error {
		zw := zip.NewWriter(w)
		for _, k := range names {
			e, err := zw.Create(k + ".npy")
			if err != nil {
				return err
			}
			if err := npy.Write(e, denseOf(arrays[k])); err != nil {
				return err
			}
		}
		return zw.Close()
	})
	if err != nil {
		return fileErr(op, path, err)
	}
	return nil
}

// WriteLabels writes y atomically as an int64 .npy array of shape (n) or a
// one-column .csv (no header).
func WriteLabels(path string, y []int) error {
	const op = "WriteLabels"
	if len(y) == 0 {
		return fileErr(op, path, detail(ErrEmpty, "no labels"))
	}
	ft, _ := formatOf(path)
	var err error
	switch ft {
	case fmtNPY:
		v := make([]int64, len(y))
		for i, l := range y {
			v[i] = int64(l)
		}
		err = writeAtomic(path, func(w io.Writer) error { return npy.Write(w, v) })
	case fmtCSV:
		err = writeAtomic(path, func(w io.Writer) error {
			_, err := w.Write(formatCSV(len(y), 1, ',', func(i, _ int) float64 { return float64(y[i]) }))
			return err
		})
	default:
		err = detail(ErrFormat, "unsupported extension for writing labels (want .npy or .csv)")
	}
	if err != nil {
		return fileErr(op, path, err)
	}
	return nil
}

// WriteIDX writes an unsigned-byte IDX file atomically (gzip-compressed when
// path ends in ".gz"). len(v) must equal the product of shape.
func WriteIDX(path string, shape []int, v []uint8) error {
	const op = "WriteIDX"
	n := 1
	for _, d := range shape {
		if d < 0 || d > math.MaxUint32 {
			return fileErr(op, path, detail(ErrShape, "bad shape %v", shape))
		}
		n *= d
	}
	if len(shape) == 0 || len(shape) > 255 || n != len(v) {
		return fileErr(op, path, detail(ErrShape, "shape %v does not match %d values", shape, len(v)))
	}
	err := writeAtomic(path, func(w io.Writer) error {
		_, err := w.Write(formatIDX(shape, v))
		return err
	})
	if err != nil {
		return fileErr(op, path, err)
	}
	return nil
}
