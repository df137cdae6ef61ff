// Package spec parses the one textual shape shared by the specs of the
// command line and of the configuration files:
//
//	name[:arg,arg,...]   each arg is key=value or a bare value
//
// Relations (graph.ParseRelation, "knn:k=10,metric=cosine"), augmentations
// (data.ParseAugment, "elastic:2,2+noise:0.1", one Spec per '+'
// operation), parameters (key=value, ParseArg), encoders and optimisers all
// use it. Package spec only splits; each grammar keeps its own validation
// and its own error message listing its valid forms.
package spec

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// ErrSyntax is wrapped by the errors of Parse and ParseArg: an argument with
// '=' but no key.
var ErrSyntax = errors.New("spec: malformed argument")

// Arg is one argument of a spec: Key is "" for a bare value ("2" in
// "shift:2"); Value is "" for a bare key ("nesterov" in "sgd:nesterov" is
// Arg{Key: "", Value: "nesterov"}: a bare word is a bare value, and the
// grammar decides whether it names a flag).
type Arg struct {
	Key, Value string
}

// String returns the argument as written: key=value or value.
func (a Arg) String() string {
	if a.Key == "" {
		return a.Value
	}
	return a.Key + "=" + a.Value
}

// Spec is a parsed spec.
type Spec struct {
	// Name is the text before the first ':' (trimmed).
	Name string
	// HasArgs reports whether the spec has a ':' (so "knn:" has HasArgs
	// true and no Args: grammars refuse an empty argument list).
	HasArgs bool
	// Args are the comma-separated arguments in order; a repeated key is
	// kept as many times as written (grammars usually let the last win).
	Args []Arg
	// Rest is the raw text after the first ':' (trimmed), for grammars
	// whose argument is a path ("edges:C:/data/g,1.csv").
	Rest string
}

// String returns the canonical text of s, which Parse parses back to s.
func (s Spec) String() string {
	if len(s.Args) == 0 {
		return s.Name
	}
	a := make([]string, len(s.Args))
	for i, arg := range s.Args {
		a[i] = arg.String()
	}
	return s.Name + ":" + strings.Join(a, ",")
}

// Parse splits text into a Spec. Spaces around the spec, the name, keys and
// values are ignored. Arguments are split at commas, except that a bare
// piece following a key=value argument whose value contains ':' continues
// that value, so a nested spec keeps its commas:
//
//	views:V=2,augment=elastic:2,2+noise:0.1
//	  -> Name "views", Args [V=2, augment=elastic:2,2+noise:0.1]
//
// An empty piece ("knn:k=3,,") is a bare Arg with Value "". The only error
// (wrapping ErrSyntax) is a piece "=value" with an empty key; grammars whose
// argument is a path read Rest and ignore Args and the error.
func Parse(text string) (Spec, error) {
	name, rest, has := strings.Cut(strings.TrimSpace(text), ":")
	rest = strings.TrimSpace(rest)
	s := Spec{Name: strings.TrimSpace(name), HasArgs: has, Rest: rest}
	if rest == "" {
		return s, nil
	}
	for piece := range strings.SplitSeq(rest, ",") {
		n := len(s.Args)
		if !strings.Contains(piece, "=") && n > 0 && s.Args[n-1].Key != "" && strings.Contains(s.Args[n-1].Value, ":") {
			s.Args[n-1].Value += "," + strings.TrimSpace(piece)
			continue
		}
		a, err := ParseArg(piece)
		if err != nil {
			return s, err
		}
		s.Args = append(s.Args, a)
	}
	return s, nil
}

// ParseArg parses one argument, key=value or a bare value, trimming spaces
// around both. The value is everything after the first '='. "=value" (an
// empty key) is an error wrapping ErrSyntax.
func ParseArg(text string) (Arg, error) {
	k, v, ok := strings.Cut(text, "=")
	if !ok {
		return Arg{Value: strings.TrimSpace(text)}, nil
	}
	a := Arg{Key: strings.TrimSpace(k), Value: strings.TrimSpace(v)}
	if a.Key == "" {
		return Arg{}, fmt.Errorf("%w: %q has no key before '='", ErrSyntax, strings.TrimSpace(text))
	}
	return a, nil
}

// Float parses v as a finite float64; ok is false for anything else
// (including NaN and ±Inf). Grammars add their own range checks.
func Float(v string) (x float64, ok bool) {
	x, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
		return 0, false
	}
	return x, true
}

// Int parses v as a decimal int; ok is false for anything else.
func Int(v string) (n int, ok bool) {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	return n, err == nil
}
