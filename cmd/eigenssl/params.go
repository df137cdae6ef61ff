package main

import (
	"strconv"
	"strings"

	"github.com/eigenssl/eigenssl/internal/spec"
)

// parseParams turns repeated --param key=value flags (spec.ParseArg) into a
// map of finite numbers (keys and values trimmed; a later key overrides an
// earlier one). Bad entries are usage errors prefixed with verb.
func parseParams(verb string, kvs []string) (map[string]float64, error) {
	params := map[string]float64{}
	for _, kv := range kvs {
		a, err := spec.ParseArg(kv)
		if err != nil || a.Key == "" {
			return nil, usagef("%s: --param %q: want key=value", verb, kv)
		}
		x, ok := spec.Float(a.Value)
		if !ok {
			return nil, usagef("%s: --param %q: value is not a finite number", verb, kv)
		}
		params[a.Key] = x
	}
	return params, nil
}

// parseShape parses an --image-shape "HxW" (case-insensitive x) into
// positive {H, W}; anything else is a usage error prefixed with verb.
func parseShape(verb, s string) ([2]int, error) {
	h, w, ok := strings.Cut(strings.ToLower(s), "x")
	hi, err1 := strconv.Atoi(h)
	wi, err2 := strconv.Atoi(w)
	if !ok || err1 != nil || err2 != nil || hi < 1 || wi < 1 {
		return [2]int{}, usagef("%s: --image-shape %q: want HxW, e.g. 28x28", verb, s)
	}
	return [2]int{hi, wi}, nil
}
