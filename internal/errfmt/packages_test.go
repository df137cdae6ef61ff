package errfmt_test

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/eigenssl/eigenssl/advise"
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
	formats := map[string]func(err error) string{
		"advise": func(err error) string { return (&advise.Error{Op: "op", Param: "k", Value: 3, Err: err}).Error() },
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
	}
	// Every package of the module with an errors.go is in the table.
	files, err := filepath.Glob("../../*/errors.go")
	if err != nil || len(files) == 0 {
		t.Fatalf("no errors.go found: %v", err)
	}
	for _, f := range files {
		if pkg := filepath.Base(filepath.Dir(f)); formats[pkg] == nil {
			t.Errorf("package %s has an errors.go but is not checked here", pkg)
		}
	}
	for pkg, got := range formats {
		want := pkg + ": op: k = 3: bad thing"
		if s := got(errors.New(pkg + ": bad thing")); s != want {
			t.Errorf("%s.Error: %q; want %q", pkg, s, want)
		}
		if s := got(errors.New("bad thing")); s != want {
			t.Errorf("%s.Error (unprefixed sentinel): %q; want %q", pkg, s, want)
		}
	}
}
