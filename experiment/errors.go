package experiment

import (
	"errors"
	"fmt"
)

// Sentinel errors. Every error returned by this package wraps one of them (or
// the error of the package it called) in an *Error; test with errors.Is.
var (
	ErrParam   = errors.New("experiment: invalid parameter")
	ErrUnknown = errors.New("experiment: unknown name")
	ErrData    = errors.New("experiment: unusable data")
	ErrIO      = errors.New("experiment: cannot write output")
)

// Error is the error type returned by this package. Op is the operation
// ("e3", "cache", "report", ...), Param names the offending argument, Value is
// its value and Err wraps a sentinel above or the underlying error.
type Error struct {
	Op    string
	Param string
	Value any
	Err   error
}

func (e *Error) Error() string {
	msg := "experiment: " + e.Op
	if e.Param != "" {
		msg += ": " + e.Param
		if e.Value != nil {
			msg += fmt.Sprintf(" = %v", e.Value)
		}
	}
	return msg + ": " + trimPrefix(e.Err.Error())
}

// Unwrap returns the wrapped error.
func (e *Error) Unwrap() error { return e.Err }

func trimPrefix(s string) string {
	const p = "experiment: "
	if len(s) > len(p) && s[:len(p)] == p {
		return s[len(p):]
	}
	return s
}

func errorf(op, param string, value any, err error) error {
	return &Error{Op: op, Param: param, Value: value, Err: err}
}
