package data

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"slices"
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

// bom is the UTF-8 byte order mark some spreadsheet programs write first.
const bom = "\ufeff"

// parseCSV parses a numeric table. A leading UTF-8 byte order mark is
// dropped. Blank lines and lines starting with '#' are skipped. The
// delimiter is detected on the first remaining line; that line is a header
// when any of its fields is not a number (so "0.0,1,1" is data). With a
// comma, semicolon or tab delimiter, fields follow RFC 4180 (encoding/csv:
// a quoted field may hold the delimiter, doubled quotes and line breaks);
// with white space they are split at runs of it. Every row must have the
// same number of fields (ErrRagged). Errors give 1-based line (and column)
// numbers of the text.
func parseCSV(b []byte) (*csvTable, error) {
	b = bytes.TrimPrefix(b, []byte(bom))
	t := &csvTable{}
	first := true
	var delim byte
	// add takes one record (its fields trimmed and unquoted) starting at line.
	add := func(fields []string, line int) error {
		if first {
			first = false
			t.cols = len(fields)
			if isHeader(fields) {
				t.header = slices.Clone(fields)
				return nil
			}
		}
		if len(fields) != t.cols {
			return detail(ErrRagged, "line %d: got %d fields, want %d", line, len(fields), t.cols)
		}
		for j, f := range fields {
			v, err := strconv.ParseFloat(f, 64)
			if err != nil {
				return detail(ErrFormat, "line %d field %d: %q is not a number", line, j+1, f)
			}
			t.data = append(t.data, v)
		}
		t.rows++
		return nil
	}
	// The delimiter comes from the first content line (a quoted field may
	// continue it past a line break).
	for rest := b; len(rest) > 0; {
		end, quoted := 0, false
		for end < len(rest) && (quoted || rest[end] != '\n') {
			if rest[end] == '"' {
				quoted = !quoted
			}
			end++
		}
		s := strings.TrimSpace(string(rest[:end]))
		rest = rest[min(end+1, len(rest)):]
		if s == "" || s[0] == '#' {
			continue
		}
		delim = detectDelim(s)
		break
	}
	if delim != 0 {
		r := csv.NewReader(bytes.NewReader(b))
		r.Comma = rune(delim)
		r.Comment = '#'
		r.FieldsPerRecord = -1
		r.TrimLeadingSpace = true
		r.ReuseRecord = true
		for {
			rec, err := r.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				var pe *csv.ParseError
				if errors.As(err, &pe) {
					return nil, detail(ErrFormat, "line %d column %d: %v", pe.Line, pe.Column, pe.Err)
				}
				return nil, detail(ErrFormat, "%v", err)
			}
			line, _ := r.FieldPos(0)
			fields := trimFields(rec)
			if len(fields) == 1 && fields[0] == "" {
				continue // a line of white space only
			}
			if err := add(fields, line); err != nil {
				return nil, err
			}
		}
	} else {
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
			if err := add(trimFields(strings.Fields(s)), lineNo); err != nil {
				return nil, err
			}
		}
	}
	if t.rows == 0 || t.cols == 0 {
		return nil, detail(ErrEmpty, "no data rows")
	}
	return t, nil
}

// trimFields trims white space around every field (in place) and drops one
// pair of single quotes around a field ('1.5'); encoding/csv has already
// removed RFC 4180 double quotes.
func trimFields(f []string) []string {
	for i, s := range f {
		s = strings.TrimSpace(s)
		if len(s) >= 2 && (s[0] == '"' && s[len(s)-1] == '"' || s[0] == '\'' && s[len(s)-1] == '\'') {
			s = s[1 : len(s)-1]
		}
		f[i] = s
	}
	return f
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
