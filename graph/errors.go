package graph

import (
	"github.com/eigenssl/eigenssl/internal/errfmt"

	"errors"
)

// Sentinel errors. Every error returned by this package wraps one of them in
// an *Error; test with errors.Is.
var (
	ErrShape          = errors.New("graph: dimension mismatch")
	ErrEmpty          = errors.New("graph: empty input")
	ErrNaN            = errors.New("graph: NaN or Inf value")
	ErrNegativeWeight = errors.New("graph: negative weight")
	ErrAsymmetric     = errors.New("graph: asymmetric relation")
	ErrSelfLoop       = errors.New("graph: self loop")
	ErrIndex          = errors.New("graph: vertex index out of range")
	ErrDuplicate      = errors.New("graph: conflicting duplicate edge")
	ErrNeighbors      = errors.New("graph: number of neighbours out of range")
	ErrParam          = errors.New("graph: invalid parameter")
	ErrDisconnected   = errors.New("graph: graph is disconnected")
	ErrStructure      = errors.New("graph: malformed CSR structure")
	ErrFormat         = errors.New("graph: malformed edge file")
	ErrTooLarge       = errors.New("graph: problem too large")
)

// Error is the error type returned by this package. Op is the operation
// ("fromtriplets", "knn", "readedgefile", ...), Param names the offending
// argument or entry (e.g. "vals[3]", "G[2,5]", "file.csv:7"), Value is the
// offending value, and Err is one of the sentinels above.
type Error struct {
	Op    string
	Param string
	Value any
	Err   error
}

func (e *Error) Error() string {
	return errfmt.Format("graph", e.Op, e.Param, e.Value, e.Err)
}

// Unwrap returns the wrapped sentinel.
func (e *Error) Unwrap() error { return e.Err }

func newErr(op, param string, value any, err error) *Error {
	return &Error{Op: op, Param: param, Value: value, Err: err}
}
