package data

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/eigenssl/eigenssl/internal/memlimit"
)

// npyMagic opens every .npy file.
const npyMagic = "\x93NUMPY"

// maxNPYHeader bounds the header dictionary; numpy writes at most a few
// hundred bytes, version 2 allows 4 GiB, which a hostile file must not get.
const maxNPYHeader = 1 << 16

// array is a decoded n-dimensional array in row-major (C) order.
type array struct {
	shape []int
	data  []float64
	kind  byte // 'f' float, 'i' signed, 'u' unsigned, 'b' bool
}

var (
	reDescr = regexp.MustCompile(`['"]descr['"]\s*:\s*['"]([^'"]*)['"]`)
	reOrder = regexp.MustCompile(`['"]fortran_order['"]\s*:\s*(True|False)`)
	reShape = regexp.MustCompile(`['"]shape['"]\s*:\s*\(([^)]*)\)`)
)

// dtype describes a supported numpy element type.
type dtype struct {
	order binary.ByteOrder
	kind  byte
	size  int
}

// parseDType parses a numpy type string such as "<f8", "|u1" or ">i4".
func parseDType(s string) (dtype, error) {
	if len(s) < 3 {
		return dtype{}, detail(ErrDType, "dtype %q", s)
	}
	var d dtype
	switch s[0] {
	case '<', '|', '=':
		d.order = binary.LittleEndian
	case '>':
		d.order = binary.BigEndian
	default:
		return dtype{}, detail(ErrDType, "dtype %q", s)
	}
	d.kind = s[1]
	n, err := strconv.Atoi(s[2:])
	if err != nil {
		return dtype{}, detail(ErrDType, "dtype %q", s)
	}
	d.size = n
	ok := false
	switch d.kind {
	case 'f':
		ok = n == 4 || n == 8
	case 'i', 'u':
		ok = n == 1 || n == 2 || n == 4 || n == 8
	case 'b':
		ok = n == 1
	}
	if !ok {
		return dtype{}, detail(ErrDType, "dtype %q (want float32/float64, (u)int8-64 or bool)", s)
	}
	return d, nil
}

// decode converts raw bytes of dtype d to float64.
func (d dtype) decode(dst []float64, b []byte) {
	for i := range dst {
		p := b[i*d.size : (i+1)*d.size]
		var v float64
		switch d.kind {
		case 'f':
			if d.size == 4 {
				v = float64(math.Float32frombits(d.order.Uint32(p)))
			} else {
				v = math.Float64frombits(d.order.Uint64(p))
			}
		case 'i':
			switch d.size {
			case 1:
				v = float64(int8(p[0]))
			case 2:
				v = float64(int16(d.order.Uint16(p)))
			case 4:
				v = float64(int32(d.order.Uint32(p)))
			case 8:
				v = float64(int64(d.order.Uint64(p)))
			}
		case 'u', 'b':
			switch d.size {
			case 1:
				v = float64(p[0])
			case 2:
				v = float64(d.order.Uint16(p))
			case 4:
				v = float64(d.order.Uint32(p))
			case 8:
				v = float64(d.order.Uint64(p))
			}
		}
		dst[i] = v
	}
}

// maxBytes bounds the size of any decoded array: far above real data sets,
// low enough that size arithmetic cannot overflow.
const maxBytes = math.MaxInt >> 2

// elemCount returns the product of shape, or an error if a dimension is
// negative or elemSize*product would exceed maxBytes.
func elemCount(shape []int, elemSize int) (int, error) {
	n := 1
	for _, s := range shape {
		if s < 0 {
			return 0, detail(ErrShape, "negative dimension in shape %v", shape)
		}
		if s > maxBytes/elemSize || (s != 0 && n > maxBytes/(s*elemSize)) {
			return 0, detail(ErrShape, "shape %v too large", shape)
		}
		n *= s
	}
	return n, nil
}

// readExactly reads exactly n bytes from r. The buffer grows with the data
// actually read, so a header claiming a huge size cannot force a huge
// allocation before the bytes exist.
func readExactly(r io.Reader, n int) ([]byte, error) {
	var buf bytes.Buffer
	if n < 1<<20 {
		buf.Grow(n)
	}
	m, err := io.Copy(&buf, io.LimitReader(r, int64(n)))
	if err != nil {
		return nil, err
	}
	if int(m) != n {
		return nil, detail(ErrFormat, "truncated data: got %d bytes, want %d", m, n)
	}
	return buf.Bytes(), nil
}

// readBody reads and decodes the elements of an array of the given shape
// and element type (the part shared by the .npy and IDX readers).
func readBody(r io.Reader, shape []int, dt dtype) (*array, error) {
	n, err := elemCount(shape, dt.size)
	if err != nil {
		return nil, err
	}
	// The decoded float64 values and the raw bytes are held at once. A
	// header may lie: the request is too large only if the bytes are there
	// (else the file is truncated), which is probed without keeping them,
	// up to the budget.
	if err := memlimit.Check(fmt.Sprintf("an array of shape %v", shape), float64(n)*float64(8+dt.size)); err != nil {
		limit, _, lerr := memlimit.Limit()
		probe := int64(min(float64(n*dt.size), limit))
		if m, _ := io.Copy(io.Discard, io.LimitReader(r, probe)); lerr == nil && m < probe {
			return nil, detail(ErrFormat, "truncated data: got %d bytes, want %d", m, n*dt.size)
		}
		return nil, detail(ErrTooLarge, "%v", err)
	}
	raw, err := readExactly(r, n*dt.size)
	if err != nil {
		return nil, err
	}
	a := &array{shape: shape, data: make([]float64, n), kind: dt.kind}
	dt.decode(a.data, raw)
	return a, nil
}

// readNPY decodes one .npy stream.
func readNPY(r io.Reader) (*array, error) {
	shape, dt, fortran, err := readNPYHeader(r)
	if err != nil {
		return nil, err
	}
	a, err := readBody(r, shape, dt)
	if err != nil {
		return nil, err
	}
	if fortran && len(shape) >= 2 {
		a.data = fortranToC(a.data, shape)
	}
	return a, nil
}

// readNPYHeader reads the magic and header of a .npy stream, leaving r at
// the start of the data.
func readNPYHeader(r io.Reader) (shape []int, dt dtype, fortran bool, err error) {
	var pre [10]byte
	if _, err := io.ReadFull(r, pre[:8]); err != nil {
		return nil, dtype{}, false, detail(ErrFormat, "not a .npy file (short header)")
	}
	if string(pre[:6]) != npyMagic {
		return nil, dtype{}, false, detail(ErrFormat, "not a .npy file (bad magic)")
	}
	var hlen int
	switch pre[6] {
	case 1:
		if _, err := io.ReadFull(r, pre[8:10]); err != nil {
			return nil, dtype{}, false, detail(ErrFormat, "short .npy header")
		}
		hlen = int(binary.LittleEndian.Uint16(pre[8:10]))
	case 2, 3:
		var b [4]byte
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return nil, dtype{}, false, detail(ErrFormat, "short .npy header")
		}
		h := binary.LittleEndian.Uint32(b[:])
		if h > maxNPYHeader {
			return nil, dtype{}, false, detail(ErrFormat, ".npy header length %d too large", h)
		}
		hlen = int(h)
	default:
		return nil, dtype{}, false, detail(ErrFormat, "unsupported .npy version %d.%d", pre[6], pre[7])
	}
	hdr, err := readExactly(r, hlen)
	if err != nil {
		return nil, dtype{}, false, detail(ErrFormat, "short .npy header")
	}
	h := string(hdr)
	md := reDescr.FindStringSubmatch(h)
	mo := reOrder.FindStringSubmatch(h)
	ms := reShape.FindStringSubmatch(h)
	if md == nil || mo == nil || ms == nil {
		return nil, dtype{}, false, detail(ErrFormat, "malformed .npy header %q", strings.TrimSpace(h))
	}
	dt, err = parseDType(md[1])
	if err != nil {
		return nil, dtype{}, false, err
	}
	for tok := range strings.SplitSeq(ms[1], ",") {
		tok = strings.TrimSpace(tok)
		if tok == "" {
			continue
		}
		v, err := strconv.Atoi(tok)
		if err != nil {
			return nil, dtype{}, false, detail(ErrFormat, "bad shape %q in .npy header", ms[1])
		}
		shape = append(shape, v)
	}
	return shape, dt, mo[1] == "True", nil
}

// fortranToC reorders column-major data of the given shape to row-major.
func fortranToC(src []float64, shape []int) []float64 {
	dst := make([]float64, len(src))
	nd := len(shape)
	idx := make([]int, nd)
	for k := range src {
		// idx is the multi-index of src[k] in Fortran order (first fastest).
		off := 0
		for d := range nd {
			off = off*shape[d] + idx[d]
		}
		dst[off] = src[k]
		for d := 0; d < nd; d++ {
			idx[d]++
			if idx[d] < shape[d] {
				break
			}
			idx[d] = 0
		}
	}
	return dst
}
