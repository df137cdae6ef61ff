package eval

import (
	"github.com/eigenssl/eigenssl/internal/errfmt"

	"errors"
	"fmt"
)

// Sentinel errors. Every error returned by this package wraps one of them in
// an *Error; test with errors.Is.
var (
	ErrShape         = errors.New("eval: dimension mismatch")
	ErrNaN           = errors.New("eval: NaN or Inf value")
	ErrEmpty         = errors.New("eval: empty input")
	ErrNotFitted     = errors.New("eval: classifier used before Fit")
	ErrParam         = errors.New("eval: invalid parameter")
	ErrLabels        = errors.New("eval: unusable labels")
	ErrNoConvergence = errors.New("eval: no convergence")
)

// Error is the error type returned by this package. Op is the operation
// ("ridge.fit", "stratifiedsplit", ...), Param names the offending argument
// (e.g. "y", "x[3,5]", "Lambda"), Value is the offending value and Err wraps
// one of the sentinels, possibly with detail.
type Error struct {
	Op    string
	Param string
	Value any
	Err   error
}

func (e *Error) Error() string {
	return errfmt.Format("eval", e.Op, e.Param, e.Value, e.Err)
}

// Unwrap returns the wrapped error.
func (e *Error) Unwrap() error { return e.Err }

func newErr(op, param string, value any, err error) *Error {
	return &Error{Op: op, Param: param, Value: value, Err: err}
}

// detail wraps sentinel with an explanation.
func detail(sentinel error, format string, args ...any) error {
	return fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), sentinel)
}
