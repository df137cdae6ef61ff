package nn

import (
	"errors"
	"fmt"

	"github.com/eigenssl/eigenssl/internal/errfmt"
)

// Sentinel errors. Every error returned by this package wraps one of them and
// is of concrete type *Error, so callers test with errors.Is and errors.As.
var (
	// ErrShape: a matrix has the wrong number of rows or columns.
	ErrShape = errors.New("shape mismatch")
	// ErrNaN: an input holds NaN or ±Inf.
	ErrNaN = errors.New("NaN or Inf in input")
	// ErrEmpty: an input has no rows or no columns.
	ErrEmpty = errors.New("empty input")
	// ErrSpec: an encoder or optimiser specification cannot be parsed.
	ErrSpec = errors.New("invalid specification")
	// ErrNotFitted: a kernel encoder is used before SetTrainingInputs.
	ErrNotFitted = errors.New("kernel encoder has no training inputs")
	// ErrNoForward: Backward is called without a preceding Forward.
	ErrNoForward = errors.New("backward without a preceding forward")
	// ErrFormat: serialised bytes are truncated, corrupt or of another kind.
	ErrFormat = errors.New("bad serialised state")
	// ErrMismatch: optimiser state does not match the parameters it is given.
	ErrMismatch = errors.New("optimiser state does not match parameters")
	// ErrParam: a hyper-parameter is out of its valid range.
	ErrParam = errors.New("invalid hyper-parameter")
)

// Error is the error type returned by the nn package. Op is the operation
// ("ParseEncoder", "Encoder.Forward", "Adam.Step", ...), Param the offending
// argument or field, Value its value and Err the wrapped sentinel (possibly
// with detail added by fmt.Errorf("%w: ...")).
type Error struct {
	Op    string
	Param string
	Value any
	Err   error
}

func (e *Error) Error() string {
	return errfmt.Format("nn", e.Op, e.Param, e.Value, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

func newErr(op, param string, value any, err error, format string, args ...any) *Error {
	if format != "" {
		err = fmt.Errorf("%w: "+format, append([]any{err}, args...)...)
	}
	return &Error{Op: op, Param: param, Value: value, Err: err}
}
