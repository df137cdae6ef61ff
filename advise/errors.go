package advise

import (
	"errors"
	"fmt"

	"github.com/eigenssl/eigenssl/internal/errfmt"
)

// Sentinel errors. Every error returned by this package wraps one of them in
// an *Error; test with errors.Is.
var (
	ErrParam  = errors.New("advise: invalid parameter")
	ErrShape  = errors.New("advise: dimension mismatch")
	ErrEmpty  = errors.New("advise: empty input")
	ErrLabels = errors.New("advise: unusable labels")
	ErrSolve  = errors.New("advise: closed form failed")
	ErrTrain  = errors.New("advise: training failed")
)

// Error is the error type returned by this package: Op is the operation
// ("run" for Advise, "buildinput", "validate", ...), Param names the offending
// argument or flag-level setting, Value its value and Err wraps a sentinel.
type Error struct {
	Op    string
	Param string
	Value any
	Err   error
}

func (e *Error) Error() string {
	return errfmt.Format("advise", e.Op, e.Param, e.Value, e.Err)
}

// Unwrap returns the wrapped error.
func (e *Error) Unwrap() error { return e.Err }

func newErr(op, param string, value any, sentinel error, format string, args ...any) *Error {
	err := sentinel
	if format != "" {
		err = fmt.Errorf("%w: %s", sentinel, fmt.Sprintf(format, args...))
	}
	return &Error{Op: op, Param: param, Value: value, Err: err}
}

// wrap wraps cause under sentinel, keeping both for errors.Is.
func wrap(op, param string, value any, sentinel, cause error) *Error {
	return &Error{Op: op, Param: param, Value: value, Err: fmt.Errorf("%w: %w", sentinel, cause)}
}
