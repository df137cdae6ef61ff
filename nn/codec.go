package nn

import (
	"encoding/binary"
	"math"

	"gonum.org/v1/gonum/mat"
)

// The binary format shared by Encoder and the optimisers: little-endian,
// strings and tensors length-prefixed, float64 stored as IEEE-754 bits so that
// a round trip is bit-exact (NaN payloads and signed zeros included).

type writer struct{ b []byte }

func (w *writer) u64(v uint64)  { w.b = binary.LittleEndian.AppendUint64(w.b, v) }
func (w *writer) f64(v float64) { w.u64(math.Float64bits(v)) }
func (w *writer) str(s string) {
	w.u64(uint64(len(s)))
	w.b = append(w.b, s...)
}
func (w *writer) dense(name string, m *mat.Dense) {
	w.str(name)
	r, c := m.Dims()
	w.u64(uint64(r))
	w.u64(uint64(c))
	raw := m.RawMatrix()
	for i := 0; i < r; i++ {
		for _, v := range raw.Data[i*raw.Stride : i*raw.Stride+c] {
			w.f64(v)
		}
	}
}

type reader struct {
	b   []byte
	bad bool
}

func (r *reader) u64() uint64 {
	if r.bad || len(r.b) < 8 {
		r.bad = true
		return 0
	}
	v := binary.LittleEndian.Uint64(r.b)
	r.b = r.b[8:]
	return v
}
func (r *reader) f64() float64 { return math.Float64frombits(r.u64()) }
func (r *reader) str() string {
	n := r.u64()
	if r.bad || n > uint64(len(r.b)) {
		r.bad = true
		return ""
	}
	s := string(r.b[:n])
	r.b = r.b[n:]
	return s
}

// dense reads a named tensor. Zero-sized tensors come back as nil.
func (r *reader) dense() (string, *mat.Dense) {
	name := r.str()
	rows, cols := r.u64(), r.u64()
	if r.bad || rows > 1<<31 || cols > 1<<31 || rows*cols > uint64(len(r.b))/8 {
		r.bad = true
		return "", nil
	}
	if rows == 0 || cols == 0 {
		return name, nil
	}
	data := make([]float64, rows*cols)
	for i := range data {
		data[i] = r.f64()
	}
	return name, mat.NewDense(int(rows), int(cols), data)
}

func (r *reader) magic(m string) bool {
	if len(r.b) < len(m) || string(r.b[:len(m)]) != m {
		r.bad = true
		return false
	}
	r.b = r.b[len(m):]
	return true
}
