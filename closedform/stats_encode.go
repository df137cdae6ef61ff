package closedform

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"sort"
)

// statsMagic starts the binary form of Stats (version 1).
const statsMagic = "ESSTATS1"

// MarshalBinary encodes s (encoding.BinaryMarshaler), so that Stats can be
// shipped between workers of a distributed engine: little-endian int64 and
// float64 values, both parts of every compensated sum, the classes in label
// order. Size about (10 + 2C) D² · 8 bytes for C classes (5.2 MB at D = 256, C = 0).
func (s *Stats) MarshalBinary() ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(statsMagic)
	w := func(v any) { _ = binary.Write(&b, binary.LittleEndian, v) }
	cl := byte(0)
	if s.cliques {
		cl = 1
	}
	w([]int64{int64(s.d), s.n, s.comps, s.active})
	w(cl)
	for _, k := range []ksum{s.sum, s.xx, s.xlx, s.xgx, s.xdx, s.xgtx, s.gt2} {
		w(k.s)
		w(k.c)
	}
	labels := make([]int, 0, len(s.classes))
	for c := range s.classes {
		labels = append(labels, c)
	}
	sort.Ints(labels)
	w(int64(len(labels)))
	for _, c := range labels {
		cs := s.classes[c]
		w([]int64{int64(c), cs.n})
		for _, k := range []ksum{cs.sum, cs.m2} {
			w(k.s)
			w(k.c)
		}
	}
	return b.Bytes(), nil
}

// UnmarshalBinary decodes the form written by MarshalBinary into s
// (encoding.BinaryUnmarshaler); malformed input gives an error wrapping
// ErrShape.
func (s *Stats) UnmarshalBinary(buf []byte) error {
	const op = "stats decode"
	bad := func(what string) error {
		return newErr(op, "data", nil, wrap2(ErrShape, fmt.Errorf("%s", what)))
	}
	if !bytes.HasPrefix(buf, []byte(statsMagic)) {
		return bad("not encoded Stats (bad magic)")
	}
	r := bytes.NewReader(buf[len(statsMagic):])
	rd := func(v any) error {
		if err := binary.Read(r, binary.LittleEndian, v); err != nil {
			if err == io.EOF || err == io.ErrUnexpectedEOF {
				return bad("truncated")
			}
			return bad(err.Error())
		}
		return nil
	}
	head := make([]int64, 4)
	var cl byte
	if err := rd(head); err != nil {
		return err
	}
	if err := rd(&cl); err != nil {
		return err
	}
	d := head[0]
	if d < 1 || d > 1<<15 || head[1] < 0 {
		return bad(fmt.Sprintf("dimension %d, rows %d", d, head[1]))
	}
	// The sums need (2D + 10D² + 2) doubles: refuse a header that the data
	// cannot fill before allocating for it.
	if need := 8 * (2*d + 10*d*d + 2); int64(r.Len()) < need {
		return bad(fmt.Sprintf("truncated: dimension %d needs %d bytes of sums, %d left", d, need, r.Len()))
	}
	t, err := NewStats(int(d))
	if err != nil {
		return err
	}
	t.n, t.comps, t.active, t.cliques = head[1], head[2], head[3], cl == 1
	for _, k := range []ksum{t.sum, t.xx, t.xlx, t.xgx, t.xdx, t.xgtx, t.gt2} {
		if err := rd(k.s); err != nil {
			return err
		}
		if err := rd(k.c); err != nil {
			return err
		}
	}
	var nc int64
	if err := rd(&nc); err != nil {
		return err
	}
	if nc < 0 || nc > int64(r.Len()) {
		return bad(fmt.Sprintf("%d classes", nc))
	}
	for range nc {
		if need := 8 * (2 + 2*d + 2*d*d); int64(r.Len()) < need {
			return bad(fmt.Sprintf("truncated: a class needs %d bytes, %d left", need, r.Len()))
		}
		lab := make([]int64, 2)
		if err := rd(lab); err != nil {
			return err
		}
		cs := &classSums{n: lab[1], sum: newKsum(int(d)), m2: newKsum(int(d * d))}
		for _, k := range []ksum{cs.sum, cs.m2} {
			if err := rd(k.s); err != nil {
				return err
			}
			if err := rd(k.c); err != nil {
				return err
			}
		}
		if cs.n < 1 {
			return bad(fmt.Sprintf("class %d has %d rows", lab[0], cs.n))
		}
		t.classes[int(lab[0])] = cs
	}
	if r.Len() != 0 {
		return bad("trailing bytes")
	}
	for _, k := range []ksum{t.sum, t.xx, t.xlx, t.xgx, t.xdx, t.xgtx, t.gt2} {
		for i := range k.s {
			if !finite(k.s[i]) || !finite(k.c[i]) {
				return newErr(op, "data", nil, ErrNaN)
			}
		}
	}
	*s = *t
	return nil
}
