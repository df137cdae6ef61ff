package data

import (
	"encoding/binary"
	"io"
)

// IDX element type codes (LeCun's MNIST format; big-endian payload).
const (
	idxUint8   = 0x08
	idxInt8    = 0x09
	idxInt16   = 0x0B
	idxInt32   = 0x0C
	idxFloat32 = 0x0D
	idxFloat64 = 0x0E
)

// readIDX decodes an IDX stream: two zero bytes, a type code, the number of
// dimensions, one big-endian uint32 per dimension, then the data.
func readIDX(r io.Reader) (*array, error) {
	var m [4]byte
	if _, err := io.ReadFull(r, m[:]); err != nil {
		return nil, detail(ErrFormat, "not an IDX file (short header)")
	}
	if m[0] != 0 || m[1] != 0 {
		return nil, detail(ErrFormat, "not an IDX file (bad magic)")
	}
	var dt dtype
	dt.order = binary.BigEndian
	switch m[2] {
	case idxUint8:
		dt.kind, dt.size = 'u', 1
	case idxInt8:
		dt.kind, dt.size = 'i', 1
	case idxInt16:
		dt.kind, dt.size = 'i', 2
	case idxInt32:
		dt.kind, dt.size = 'i', 4
	case idxFloat32:
		dt.kind, dt.size = 'f', 4
	case idxFloat64:
		dt.kind, dt.size = 'f', 8
	default:
		return nil, detail(ErrDType, "IDX type code 0x%02x", m[2])
	}
	nd := int(m[3])
	if nd == 0 {
		return nil, detail(ErrShape, "IDX file with 0 dimensions")
	}
	dims := make([]byte, 4*nd)
	if _, err := io.ReadFull(r, dims); err != nil {
		return nil, detail(ErrFormat, "short IDX header")
	}
	shape := make([]int, nd)
	for i := range shape {
		v := binary.BigEndian.Uint32(dims[4*i:])
		if uint64(v) > uint64(maxBytes) {
			return nil, detail(ErrShape, "IDX dimension %d too large", v)
		}
		shape[i] = int(v)
	}
	return readBody(r, shape, dt)
}

// formatIDX encodes a uint8 array of the given shape as IDX.
func formatIDX(shape []int, v []uint8) []byte {
	out := []byte{0, 0, idxUint8, byte(len(shape))}
	for _, d := range shape {
		out = binary.BigEndian.AppendUint32(out, uint32(d))
	}
	return append(out, v...)
}
