package graph

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"codeberg.org/sbinet/npyio/npz"
	"github.com/eigenssl/eigenssl/internal/atomicfile"
	"github.com/eigenssl/eigenssl/internal/memlimit"
)

// ReadEdgeFile reads an undirected edge list, the format of every command's
// --graph-file, and builds the graph with FromEdges semantics (a pair listed
// in both directions with the same weight is one edge; different weights are
// ErrDuplicate). n <= 0 infers N = max index + 1.
//
// Formats, chosen by extension:
//
//   - .npz: arrays "row" and "col" (integer, or integer-valued float) and
//     optionally "weight" (float), all 1-D of one length, as written by
//     numpy.savez(path, row=..., col=..., weight=...).
//   - anything else: CSV text, one edge per line as "i,j" or "i,j,w"
//     (0-based indices, integers or integer-valued floats such as 3.0; weight
//     1 when absent). A leading UTF-8 byte order mark is dropped. Blank
//     lines and lines starting with '#' are ignored; the first non-blank line
//     is a header when one of its fields is not a number (so "0.0,1,1" is an
//     edge).
//
// Errors are *Error values naming the file and line (or edge number):
// ErrFormat (unparseable line or array), ErrIndex, ErrSelfLoop, ErrNaN,
// ErrNegativeWeight, ErrDuplicate, ErrEmpty (a file without edges),
// ErrTooLarge (n <= 0 and the largest index above the memory budget of
// internal/memlimit); an unreadable file gives an *Error wrapping the
// *fs.PathError.
func ReadEdgeFile(path string, n int) (*CSR, Info, error) {
	const op = "readedgefile"
	var (
		edges   [][2]int
		weights []float64
		names   func(t int) string
		err     error
	)
	if strings.EqualFold(filepath.Ext(path), ".npz") {
		edges, weights, err = readNPZ(op, path)
		names = func(t int) string { return fmt.Sprintf("%s: edge %d (1-based)", path, t+1) }
	} else {
		var lines []int
		edges, weights, lines, err = readCSV(op, path)
		names = func(t int) string { return fmt.Sprintf("%s:%d", path, lines[t]) }
	}
	if err != nil {
		return nil, Info{}, err
	}
	maxIdx := -1
	for t, e := range edges {
		for _, v := range e {
			if v < 0 {
				return nil, Info{}, newErr(op, names(t), v, fmt.Errorf("%w: vertex indices are 0-based and >= 0", ErrIndex))
			}
			if n > 0 && v >= n {
				return nil, Info{}, newErr(op, names(t), v, fmt.Errorf("%w: vertex %d is outside 0..%d: the graph has n = %d vertices, one per row of the data (indices are 0-based)", ErrIndex, v, n-1, n))
			}
			maxIdx = max(maxIdx, v)
		}
	}
	if len(edges) == 0 {
		// An edgeless relation graph is a mistake (an empty or truncated
		// file, or only a header), never a relation.
		return nil, Info{}, newErr(op, path, "no edges", ErrEmpty)
	}
	if n <= 0 {
		// The vertex count comes from the largest index: a typo such as
		// 10000000000 must not allocate the row pointers of that many.
		if err := memlimit.Check(fmt.Sprintf("a graph of %d vertices (largest index in the file)", maxIdx+1), 8*float64(maxIdx+2)); err != nil {
			return nil, Info{}, newErr(op, path, maxIdx, fmt.Errorf("%w: %v", ErrTooLarge, err))
		}
		n = maxIdx + 1
	}
	g, err := fromEdges(op, n, edges, weights, names)
	if err != nil {
		return nil, Info{}, err
	}
	return g, describe(g, "file("+filepath.Base(path)+")"), nil
}

// maxEdgeLine bounds one line of a CSV edge list, so that binary data
// (/dev/zero) is refused instead of buffered.
const maxEdgeLine = 16 << 20

func readCSV(op, path string) (edges [][2]int, weights []float64, lines []int, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, nil, newErr(op, path, nil, err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), maxEdgeLine)
	line, content := 0, 0
	for sc.Scan() {
		line++
		text := sc.Text()
		if line == 1 {
			text = strings.TrimPrefix(text, "\ufeff") // UTF-8 byte order mark
		}
		s := strings.TrimSpace(text)
		if s == "" || strings.HasPrefix(s, "#") {
			continue
		}
		content++
		fs := strings.Split(s, ",")
		where := fmt.Sprintf("%s:%d", path, line)
		if len(fs) != 2 && len(fs) != 3 {
			return nil, nil, nil, newErr(op, where, s, fmt.Errorf("%w: want i,j or i,j,w", ErrFormat))
		}
		if content == 1 && isHeaderLine(fs) {
			continue
		}
		i, ok1 := vertexIndex(fs[0])
		j, ok2 := vertexIndex(fs[1])
		if !ok1 || !ok2 {
			return nil, nil, nil, newErr(op, where, s, fmt.Errorf("%w: indices are not integers", ErrFormat))
		}
		w := 1.0
		if len(fs) == 3 {
			w, err = strconv.ParseFloat(strings.TrimSpace(fs[2]), 64)
			if err != nil {
				return nil, nil, nil, newErr(op, where, s, fmt.Errorf("%w: weight is not a number", ErrFormat))
			}
		}
		edges = append(edges, [2]int{i, j})
		weights = append(weights, w)
		lines = append(lines, line)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			err = fmt.Errorf("line longer than %d MiB: not an edge list (binary data?)", maxEdgeLine>>20)
		}
		return nil, nil, nil, newErr(op, fmt.Sprintf("%s:%d", path, line+1), nil, fmt.Errorf("%w: %v", ErrFormat, err))
	}
	return edges, weights, lines, nil
}

// isHeaderLine reports whether the first line of an edge file is a header:
// some field is not a number ("i,j,w" is; "0.0,1,1" is an edge).
func isHeaderLine(fields []string) bool {
	for _, f := range fields {
		if _, err := strconv.ParseFloat(strings.TrimSpace(f), 64); err != nil {
			return true
		}
	}
	return false
}

// vertexIndex parses an index written as an integer or an integer-valued
// float ("3" or "3.0", as numpy.savetxt writes).
func vertexIndex(f string) (int, bool) {
	f = strings.TrimSpace(f)
	if i, err := strconv.Atoi(f); err == nil {
		return i, true
	}
	v, err := strconv.ParseFloat(f, 64)
	if err != nil || v != math.Trunc(v) || math.Abs(v) > 1<<53 {
		return 0, false
	}
	return int(v), true
}

// npzArray reads a 1-D numeric array as float64, whatever its dtype.
func npzArray(r *npz.Reader, path, name string) ([]float64, bool, error) {
	key := ""
	for _, k := range r.Keys() {
		if k == name+".npy" || k == name {
			key = k
		}
	}
	if key == "" {
		return nil, false, nil
	}
	h := r.Header(key)
	bad := func(msg string) error {
		return newErr("readedgefile", path+": "+name, msg, ErrFormat)
	}
	if h == nil {
		return nil, true, bad("unreadable array")
	}
	if len(h.Descr.Shape) != 1 {
		return nil, true, bad(fmt.Sprintf("shape %v, want 1-D", h.Descr.Shape))
	}
	typ := strings.Trim(h.Descr.Type, "'\" ")
	if len(typ) > 0 && (typ[0] == '<' || typ[0] == '>' || typ[0] == '|' || typ[0] == '=') {
		typ = typ[1:]
	}
	var out []float64
	var err error
	switch typ {
	case "f8":
		err = r.Read(key, &out)
	case "f4":
		var v []float32
		err = r.Read(key, &v)
		out = convert(v)
	case "i8":
		var v []int64
		err = r.Read(key, &v)
		out = convert(v)
	case "i4":
		var v []int32
		err = r.Read(key, &v)
		out = convert(v)
	case "u8":
		var v []uint64
		err = r.Read(key, &v)
		out = convert(v)
	case "u4":
		var v []uint32
		err = r.Read(key, &v)
		out = convert(v)
	default:
		return nil, true, bad("dtype " + h.Descr.Type + " not supported")
	}
	if err != nil {
		return nil, true, bad(err.Error())
	}
	return out, true, nil
}

func convert[T int32 | int64 | uint32 | uint64 | float32](v []T) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(x)
	}
	return out
}

func readNPZ(op, path string) (edges [][2]int, weights []float64, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, newErr(op, path, nil, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, nil, newErr(op, path, nil, err)
	}
	r, err := npz.NewReader(f, st.Size())
	if err != nil {
		return nil, nil, newErr(op, path, err.Error(), ErrFormat)
	}
	defer r.Close()
	var arr [3][]float64
	for a, name := range []string{"row", "col", "weight"} {
		v, ok, err := npzArray(r, path, name)
		if err != nil {
			return nil, nil, err
		}
		if !ok && name != "weight" {
			return nil, nil, newErr(op, path, "no array "+name, ErrFormat)
		}
		arr[a] = v
	}
	m := len(arr[0])
	if len(arr[1]) != m || (arr[2] != nil && len(arr[2]) != m) {
		return nil, nil, newErr(op, path+": len(row), len(col), len(weight)",
			fmt.Sprint(len(arr[0]), len(arr[1]), len(arr[2])), ErrFormat)
	}
	edges = make([][2]int, m)
	for t := 0; t < m; t++ {
		for s := 0; s < 2; s++ {
			v := arr[s][t]
			if v != math.Trunc(v) || math.Abs(v) > 1<<53 {
				return nil, nil, newErr(op, fmt.Sprintf("%s: edge %d (1-based)", path, t+1), v, fmt.Errorf("%w: index is not an integer", ErrFormat))
			}
			edges[t][s] = int(v)
		}
	}
	return edges, arr[2], nil
}

// WriteEdgeFile writes the undirected edges (i < j) of g to path, as CSV
// "row,col,weight" lines under that header, or as an .npz archive with
// int64 arrays row, col and float64 array weight when path ends in .npz.
// Weights are written exactly (shortest round-trip form). The write is
// atomic: a temporary file in the same directory is renamed over path. g must
// pass Validate (its error is returned).
func WriteEdgeFile(path string, g *CSR) error {
	const op = "writeedgefile"
	if err := g.Validate(); err != nil {
		return err
	}
	err := atomicfile.Write(path, func(w io.Writer) error {
		if strings.EqualFold(filepath.Ext(path), ".npz") {
			m := g.NumEdges()
			rows, cols, ws := make([]int64, 0, m), make([]int64, 0, m), make([]float64, 0, m)
			g.Edges(func(i, j int, w float64) {
				rows = append(rows, int64(i))
				cols = append(cols, int64(j))
				ws = append(ws, w)
			})
			zw := npz.NewWriter(w)
			for _, a := range []struct {
				name string
				v    any
			}{{"row.npy", rows}, {"col.npy", cols}, {"weight.npy", ws}} {
				if err := zw.Write(a.name, a.v); err != nil {
					return err
				}
			}
			return zw.Close()
		}
		io.WriteString(w, "row,col,weight\n")
		var buf []byte
		var werr error
		g.Edges(func(i, j int, wt float64) {
			buf = strconv.AppendInt(buf[:0], int64(i), 10)
			buf = append(buf, ',')
			buf = strconv.AppendInt(buf, int64(j), 10)
			buf = append(buf, ',')
			buf = strconv.AppendFloat(buf, wt, 'g', -1, 64)
			buf = append(buf, '\n')
			if _, err := w.Write(buf); err != nil && werr == nil {
				werr = err
			}
		})
		return werr
	})
	if err != nil {
		return newErr(op, path, nil, err)
	}
	return nil
}
