package data

import (
	"errors"
	"fmt"

	"github.com/eigenssl/eigenssl/internal/errfmt"
)

// Sentinel errors. Every error returned by this package is an *Error wrapping
// one of them (test with errors.Is), except I/O errors from the operating
// system, which are wrapped unchanged (errors.Is(err, fs.ErrNotExist) works).
var (
	ErrShape    = errors.New("bad shape")
	ErrNaN      = errors.New("NaN or Inf value")
	ErrEmpty    = errors.New("empty data")
	ErrFormat   = errors.New("malformed or unsupported file")
	ErrDType    = errors.New("unsupported dtype")
	ErrRagged   = errors.New("ragged row")
	ErrNotFound = errors.New("data set not found")
	ErrUnknown  = errors.New("unknown name")
	ErrParam    = errors.New("bad parameter")
	// ErrTooLarge: a request (data set size, file) above the memory budget
	// of internal/memlimit (EIGENSSL_MEMORY_LIMIT, else half of physical
	// memory).
	ErrTooLarge = errors.New("too large for memory")
)

// Error is the error type of package data. Op is the function that failed,
// Param the parameter or file at fault (file paths are in Value), and Err
// wraps a sentinel or an underlying error and carries the detail (line
// number, dtype, ...).
type Error struct {
	Op    string
	Param string
	Value any
	Err   error
}

func (e *Error) Error() string {
	if e.Param == "" && e.Value != nil {
		// A file error: the path stands where the parameter would.
		return errfmt.Format("data", e.Op, fmt.Sprint(e.Value), nil, e.Err)
	}
	return errfmt.Format("data", e.Op, e.Param, e.Value, e.Err)
}

// Unwrap returns the wrapped error.
func (e *Error) Unwrap() error { return e.Err }

// fileErr is an *Error about the file path.
func fileErr(op, path string, err error) error {
	return &Error{Op: op, Value: path, Err: err}
}

// detail wraps sentinel with a formatted detail message.
func detail(sentinel error, format string, args ...any) error {
	return fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), sentinel)
}
