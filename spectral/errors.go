package spectral

import (
	"github.com/eigenssl/eigenssl/internal/errfmt"

	"errors"
)

// Sentinel errors. Every error returned by this package wraps one of them in
// an *Error; test with errors.Is.
var (
	ErrShape         = errors.New("spectral: dimension mismatch")
	ErrNaN           = errors.New("spectral: NaN or Inf value")
	ErrEmpty         = errors.New("spectral: empty input")
	ErrParam         = errors.New("spectral: invalid parameter")
	ErrNotFitted     = errors.New("spectral: model not fitted")
	ErrDisconnected  = errors.New("spectral: graph is disconnected")
	ErrNegative      = errors.New("spectral: negative weight")
	ErrTooLarge      = errors.New("spectral: problem too large for an O(N^2) method")
	ErrNoConvergence = errors.New("spectral: eigensolver did not converge")
	ErrSingular      = errors.New("spectral: singular constraint matrix")
	ErrNotPSD        = errors.New("spectral: significant negative eigenvalues")
)

// Error is the error type returned by this package. Op is the method and
// operation ("le.fit", "isomap.transform", ...), Param names the offending
// argument or setting ("x", "Components", "x[3,1]"), Value is the offending
// value and Err one of the sentinels above. Hint, when set, says how to fix
// the problem.
type Error struct {
	Op    string
	Param string
	Value any
	Err   error
	Hint  string
	// Cause is the underlying error of another package (a *graph.Error or
	// *linalg.Error), nil when the problem was found here.
	Cause error
}

func (e *Error) Error() string {
	s := errfmt.Format("spectral", e.Op, e.Param, e.Value, e.Err)
	if e.Cause != nil {
		s += ": " + e.Cause.Error()
	}
	if e.Hint != "" {
		s += " (" + e.Hint + ")"
	}
	return s
}

// Unwrap returns the wrapped sentinel and, when set, the underlying error of
// another package, so errors.Is matches both (spectral.ErrDisconnected and
// graph.ErrDisconnected, for example).
func (e *Error) Unwrap() []error {
	if e.Cause != nil {
		return []error{e.Err, e.Cause}
	}
	return []error{e.Err}
}

func errorf(op, param string, value any, err error, hint string) *Error {
	return &Error{Op: op, Param: param, Value: value, Err: err, Hint: hint}
}
