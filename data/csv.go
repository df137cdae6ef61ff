package data

import (
	"bytes"
	"strconv"
	"strings"
)

// csvTable is a parsed numeric CSV table.
type csvTable struct {
	rows, cols int
	data       []float64
	header     []string
}

// detectDelim returns the delimiter of line: the most frequent of ',', ';'
// and '\t', or 0 (runs of white space) when none occurs.
func detectDelim(line string) byte {
	best, bestN := byte(0), 0
	for _, d := range []byte{',', ';', '\t'} {
		if n := strings.Count(line, string(d)); n > bestN {
			best, bestN = d, n
		}
	}
	return best
}

func splitFields(line string, delim byte) []string {
	var f []string
	if delim == 0 {
		f = strings.Fields(line)
	} else {
		f = strings.Split(line, string(delim))
	}
	for i, s := range f {
		s = strings.TrimSpace(s)
		if len(s) >= 2 && (s[0] == '"' && s[len(s)-1] == '"' || s[0] == '\'' && s[len(s)-1] == '\'') {
			s = s[1 : len(s)-1]
		}
		f[i] = s
	}
	return f
}

// parseCSV parses a numeric table. Blank lines and lines starting with '#'
// are skipped. The delimiter is detected on the first remaining line; that
// line is a header when any of its fields is not a number. Every row must
// have the same number of fields (ErrRagged names the line).
func parseCSV(b []byte) (*csvTable, error) {
	t := &csvTable{}
	var delim byte
	first := true
	lineNo := 0
	for len(b) > 0 {
		var line []byte
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			line, b = b[:i], b[i+1:]
		} else {
			line, b = b, nil
		}
		lineNo++
		s := strings.TrimSpace(string(bytes.TrimSuffix(line, []byte{'\r'})))
		if s == "" || s[0] == '#' {
			continue
		}
		if first {
			delim = detectDelim(s)
		}
		fields := splitFields(s, delim)
		if first {
			first = false
			t.cols = len(fields)
			if isHeader(fields) {
				t.header = fields
				continue
			}
		}
		if len(fields) != t.cols {
			return nil, detail(ErrRagged, "line %d: got %d fields, want %d", lineNo, len(fields), t.cols)
		}
		for j, f := range fields {
			v, err := strconv.ParseFloat(f, 64)
			if err != nil {
				return nil, detail(ErrFormat, "line %d field %d: %q is not a number", lineNo, j+1, f)
			}
			t.data = append(t.data, v)
		}
		t.rows++
	}
	if t.rows == 0 || t.cols == 0 {
		return nil, detail(ErrEmpty, "no data rows")
	}
	return t, nil
}

func isHeader(fields []string) bool {
	for _, f := range fields {
		if _, err := strconv.ParseFloat(f, 64); err != nil {
			return true
		}
	}
	return false
}

// formatCSV writes a table with the given delimiter and shortest exact
// decimals.
func formatCSV(rows, cols int, delim byte, at func(i, j int) float64) []byte {
	var buf []byte
	for i := range rows {
		for j := range cols {
			if j > 0 {
				buf = append(buf, delim)
			}
			buf = strconv.AppendFloat(buf, at(i, j), 'g', -1, 64)
		}
		buf = append(buf, '\n')
	}
	return buf
}
