package experiment

import (
	"github.com/eigenssl/eigenssl/internal/errfmt"

	"errors"
)

// Sentinel errors. Every error returned by this package wraps one of them (or
// the error of the package it called) in an *Error; test with errors.Is.
var (
	ErrParam   = errors.New("experiment: invalid parameter")
	ErrUnknown = errors.New("experiment: unknown name")
	ErrData    = errors.New("experiment: unusable data")
	ErrIO      = errors.New("experiment: cannot write output")
)

// Error is the error type returned by this package. Op is the operation
// ("e3", "cache", "report", ...), Param names the offending argument, Value is
// its value and Err wraps a sentinel above or the underlying error.
type Error struct {
	Op    string
	Param string
	Value any
	Err   error
}

func (e *Error) Error() string {
	return errfmt.Format("experiment", e.Op, e.Param, e.Value, e.Err)
}

// Unwrap returns the wrapped error.
func (e *Error) Unwrap() error { return e.Err }

func errorf(op, param string, value any, err error) error {
	return &Error{Op: op, Param: param, Value: value, Err: err}
}
