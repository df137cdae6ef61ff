package errfmt_test

import (
	"errors"
	"testing"

	"github.com/eigenssl/eigenssl/closedform"
	"github.com/eigenssl/eigenssl/data"
	"github.com/eigenssl/eigenssl/eval"
	"github.com/eigenssl/eigenssl/experiment"
	"github.com/eigenssl/eigenssl/graph"
	"github.com/eigenssl/eigenssl/linalg"
	"github.com/eigenssl/eigenssl/loss"
	"github.com/eigenssl/eigenssl/nn"
	"github.com/eigenssl/eigenssl/optimize"
	"github.com/eigenssl/eigenssl/spectral"
	"github.com/eigenssl/eigenssl/train"
)

// Every package's Error formats "pkg: op: param = value: detail", with the
// sentinel's own "pkg: " prefix dropped (issue 13: 11 Error types had
// drifted between "Param=Value" and "Param = Value").
func TestEveryPackageSameFormat(t *testing.T) {
	for pkg, got := range map[string]func(err error) string{
		"closedform": func(err error) string {
			return (&closedform.Error{Op: "op", Param: "k", Value: 3, Err: err}).Error()
		},
		"data":       func(err error) string { return (&data.Error{Op: "op", Param: "k", Value: 3, Err: err}).Error() },
		"eval":       func(err error) string { return (&eval.Error{Op: "op", Param: "k", Value: 3, Err: err}).Error() },
		"experiment": func(err error) string { return (&experiment.Error{Op: "op", Param: "k", Value: 3, Err: err}).Error() },
		"graph":      func(err error) string { return (&graph.Error{Op: "op", Param: "k", Value: 3, Err: err}).Error() },
		"linalg":     func(err error) string { return (&linalg.Error{Op: "op", Param: "k", Value: 3, Err: err}).Error() },
		"loss":       func(err error) string { return (&loss.Error{Op: "op", Param: "k", Value: "3", Err: err}).Error() },
		"nn":         func(err error) string { return (&nn.Error{Op: "op", Param: "k", Value: 3, Err: err}).Error() },
		"optimize":   func(err error) string { return (&optimize.Error{Op: "op", Param: "k", Value: 3, Err: err}).Error() },
		"spectral":   func(err error) string { return (&spectral.Error{Op: "op", Param: "k", Value: 3, Err: err}).Error() },
		"train":      func(err error) string { return (&train.Error{Op: "op", Param: "k", Value: 3, Err: err}).Error() },
	} {
		want := pkg + ": op: k = 3: bad thing"
		if s := got(errors.New(pkg + ": bad thing")); s != want {
			t.Errorf("%s.Error: %q; want %q", pkg, s, want)
		}
		if s := got(errors.New("bad thing")); s != want {
			t.Errorf("%s.Error (unprefixed sentinel): %q; want %q", pkg, s, want)
		}
	}
}
