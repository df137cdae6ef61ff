// Package data reads and writes data sets and generates the views that define
// self-supervised positive-pair graphs.
//
// Files: ReadMatrix, ReadLabels, WriteMatrix, WriteNPZ, WriteLabels and
// WriteIDX handle .npy, .npz, CSV and IDX files; the format comes from the
// file name. Readers never panic on bad input and never allocate more than a
// small multiple of the bytes actually present, whatever a header claims.
// Writers are atomic: they write a temporary file in the destination
// directory and rename it into place.
//
// Errors are *Error values wrapping one of the sentinels ErrShape, ErrNaN,
// ErrEmpty, ErrFormat, ErrDType, ErrRagged, ErrNotFound, ErrUnknown or
// ErrParam, and name the file or parameter at fault.
package data
