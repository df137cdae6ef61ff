package data

import (
	"encoding/json"
	"io"
	"math"
	"strconv"
)

// JSONFloat is a float64 that survives JSON, the one NaN-to-JSON rule of
// eigenssl: NaN and ±Inf are written as null (encoding/json refuses them
// otherwise) and null is read back as NaN. Finite values are written in the
// shortest form that reads back exactly.
type JSONFloat float64

// MarshalJSON implements json.Marshaler.
func (f JSONFloat) MarshalJSON() ([]byte, error) {
	v := float64(f)
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return []byte("null"), nil
	}
	return strconv.AppendFloat(nil, v, 'g', -1, 64), nil
}

// UnmarshalJSON implements json.Unmarshaler.
func (f *JSONFloat) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*f = JSONFloat(math.NaN())
		return nil
	}
	v, err := strconv.ParseFloat(string(b), 64)
	*f = JSONFloat(v)
	return err
}

// JSONFloats converts x to JSONFloat values.
func JSONFloats(x []float64) []JSONFloat {
	out := make([]JSONFloat, len(x))
	for i, v := range x {
		out[i] = JSONFloat(v)
	}
	return out
}

// WriteJSON writes v as indented JSON (two spaces, a final newline) to path
// atomically (WriteAtomic). encoding/json refuses NaN and ±Inf float64
// values: store them as JSONFloat. Errors are *Error values naming path:
// ErrParam for a value that cannot be encoded, else WriteAtomic's.
func WriteJSON(path string, v any) error {
	const op = "WriteJSON"
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fileErr(op, path, detail(ErrParam, "%v", err))
	}
	b = append(b, '\n')
	if err := writeAtomic(path, func(w io.Writer) error { _, err := w.Write(b); return err }); err != nil {
		return fileErr(op, path, err)
	}
	return nil
}
