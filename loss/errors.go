package loss

import (
	"github.com/eigenssl/eigenssl/internal/errfmt"

	"errors"
	"fmt"
)

// Sentinel errors wrapped by *Error; test for them with errors.Is.
var (
	// ErrShape reports inputs of inconsistent or unsupported shape.
	ErrShape = errors.New("shape mismatch")
	// ErrNaN reports a NaN or infinite input entry or parameter.
	ErrNaN = errors.New("non-finite value")
	// ErrEmpty reports a missing or empty input.
	ErrEmpty = errors.New("empty input")
	// ErrUnknown reports an unknown loss name or parameter key.
	ErrUnknown = errors.New("unknown name")
	// ErrGraph reports a relation graph that is not symmetric, non-negative
	// and zero-diagonal, or whose CSR arrays are inconsistent.
	ErrGraph = errors.New("invalid relation graph")
	// ErrSingular reports a covariance that is not positive definite where
	// a Cholesky factor is needed (WMSE).
	ErrSingular = errors.New("covariance not positive definite")
	// ErrParam reports a hyper-parameter outside its valid range.
	ErrParam = errors.New("invalid parameter")
)

// Error is the error type returned by every function of package loss. Op is
// the loss or function name, Param the offending input or parameter, Value a
// short description of the offending value.
type Error struct {
	Op    string
	Param string
	Value string
	Err   error
}

func (e *Error) Error() string {
	var v any
	if e.Value != "" {
		v = e.Value
	}
	return errfmt.Format("loss", e.Op, e.Param, v, e.Err)
}

// Unwrap returns the sentinel error.
func (e *Error) Unwrap() error { return e.Err }

func errorf(op, param string, sentinel error, format string, args ...any) error {
	return &Error{Op: op, Param: param, Value: fmt.Sprintf(format, args...), Err: sentinel}
}
