package optimize

import (
	"github.com/eigenssl/eigenssl/internal/errfmt"

	"errors"
	"fmt"
)

// Sentinel errors. Every error returned by this package wraps one of them in
// an *Error; test with errors.Is.
var (
	ErrEmpty         = errors.New("optimize: empty input")
	ErrNaN           = errors.New("optimize: NaN or Inf value")
	ErrParam         = errors.New("optimize: invalid parameter")
	ErrNoConvergence = errors.New("optimize: no convergence")
)

// Error is the error type returned by this package. Op is the operation
// ("minimize"), Param names the offending argument ("x0", "MaxIter", ...),
// Value is the offending value and Err wraps one of the sentinels.
type Error struct {
	Op    string
	Param string
	Value any
	Err   error
}

func (e *Error) Error() string {
	return errfmt.Format("optimize", e.Op, e.Param, e.Value, e.Err)
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
