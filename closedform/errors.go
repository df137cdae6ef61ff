package closedform

import (
	"github.com/eigenssl/eigenssl/internal/errfmt"

	"errors"
	"fmt"
	"strings"
)

// Sentinel errors. Every error returned by this package wraps one of them in
// an *Error; test with errors.Is.
var (
	ErrShape         = errors.New("closedform: dimension mismatch")
	ErrNaN           = errors.New("closedform: NaN or Inf value")
	ErrEmpty         = errors.New("closedform: empty input")
	ErrParam         = errors.New("closedform: invalid parameter")
	ErrUnknown       = errors.New("closedform: unknown name")
	ErrGraph         = errors.New("closedform: invalid graph")
	ErrNoConvergence = errors.New("closedform: no convergence")
)

// Error is the error type returned by this package. Op is the operation
// ("solve", "refine", "compare", ...), Param names the offending argument
// (e.g. "K", "X", "G"), Value is the offending value and Err one of the
// sentinels above.
type Error struct {
	Op    string
	Param string
	Value any
	Err   error
}

func (e *Error) Error() string {
	return errfmt.Format("closedform", e.Op, e.Param, e.Value, e.Err)
}

// Unwrap returns the wrapped sentinel.
func (e *Error) Unwrap() error { return e.Err }

func newErr(op, param string, value any, err error) *Error {
	return &Error{Op: op, Param: param, Value: value, Err: err}
}

var (
	errNegative = errors.New("negative weight")
	errDiagonal = errors.New("non-zero diagonal")
	errRowsG    = errors.New("rows do not match the graph size")
	errSigma    = errors.New("the RBF bandwidth must be > 0 (0: median heuristic)")
)

// wrap2 wraps a sentinel of this package and the cause.
func wrap2(sentinel, cause error) error { return fmt.Errorf("%w: %w", sentinel, cause) }

func errUnknownList(sentinel error, valid []string) error {
	return fmt.Errorf("%w (valid: %s)", sentinel, strings.Join(valid, ", "))
}
