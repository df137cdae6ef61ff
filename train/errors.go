package train

import (
	"github.com/eigenssl/eigenssl/internal/errfmt"

	"errors"
	"fmt"
)

// Sentinel errors. Every error returned by this package is an *Error wrapping
// one of them (or wrapping an error of package nn, loss, graph or data, or
// of the operating system, unchanged); test with errors.Is.
var (
	// ErrConfig: a Config field is missing, out of range or inconsistent
	// with another (e.g. a two-branch loss with Views != 2).
	ErrConfig = errors.New("invalid configuration")
	// ErrShape: the training data has the wrong shape (no rows, fewer than
	// two samples, label count differing from the row count).
	ErrShape = errors.New("shape mismatch")
	// ErrNaN: the training data holds NaN or ±Inf.
	ErrNaN = errors.New("NaN or Inf in data")
	// ErrDiverged: the loss, representation, gradient or parameters became
	// NaN or infinite, or the loss exploded over its running minimum (see
	// DivergenceFactor); the last good checkpoint stays on disk.
	ErrDiverged = errors.New("training diverged")
	// ErrExists: Run was given a directory that already holds a run.
	ErrExists = errors.New("run directory already holds a run")
	// ErrNoCheckpoint: Resume or LoadEncoder found no readable checkpoint.
	ErrNoCheckpoint = errors.New("no readable checkpoint")
	// ErrCorrupt: a checkpoint is truncated or fails its checksum.
	ErrCorrupt = errors.New("corrupt checkpoint")
	// ErrLocked: the run directory is in use by another Run or Resume (in
	// this or another process); the message names the pid holding it.
	ErrLocked = errors.New("run directory locked")
	// ErrTooLarge: the estimated memory of the run exceeds the memory
	// available; the message names the estimate and the limit.
	ErrTooLarge = errors.New("run too large for memory")
	// ErrMismatch: Resume was given data that differ from the data the run
	// was started with.
	ErrMismatch = errors.New("data differ from the run's data")
)

// Error is the error type of package train. Op is the function that failed
// ("Run", "Resume", "Config.Validate", ...), Param the field, file or input
// at fault, Value its value and Err the wrapped sentinel or underlying error.
type Error struct {
	Op    string
	Param string
	Value any
	Err   error
}

func (e *Error) Error() string {
	return errfmt.Format("train", e.Op, e.Param, e.Value, e.Err)
}

// Unwrap returns the wrapped error.
func (e *Error) Unwrap() error { return e.Err }

func newErr(op, param string, value any, err error, format string, args ...any) *Error {
	if format != "" {
		err = fmt.Errorf("%w: "+format, append([]any{err}, args...)...)
	}
	return &Error{Op: op, Param: param, Value: value, Err: err}
}
