package linalg

import (
	"github.com/eigenssl/eigenssl/internal/errfmt"

	"errors"
)

// Sentinel errors. Every error returned by this package wraps one of them in
// an *Error; test with errors.Is.
var (
	ErrShape               = errors.New("linalg: dimension mismatch")
	ErrNaN                 = errors.New("linalg: NaN or Inf value")
	ErrEmpty               = errors.New("linalg: empty input")
	ErrNotPositiveDefinite = errors.New("linalg: matrix not positive definite")
	ErrNoConvergence       = errors.New("linalg: no convergence")
	ErrParam               = errors.New("linalg: invalid parameter")
	ErrFailed              = errors.New("linalg: backend routine failed")
)

// Error is the error type returned by this package. Op is the operation
// ("eigsym", "geneigsym", "eigs", "randomizedsvd", ...), Param names the
// offending argument or setting (e.g. "b", "K", "a[2,5]"), Value is the
// offending value, and Err is one of the sentinels above.
type Error struct {
	Op    string
	Param string
	Value any
	Err   error
}

func (e *Error) Error() string {
	return errfmt.Format("linalg", e.Op, e.Param, e.Value, e.Err)
}

// Unwrap returns the wrapped sentinel.
func (e *Error) Unwrap() error { return e.Err }

func newErr(op, param string, value any, err error) *Error {
	return &Error{Op: op, Param: param, Value: value, Err: err}
}
