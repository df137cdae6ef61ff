package main

import (
	"strconv"
	"strings"
)

// parseParams turns repeated --param key=value flags into a map of numbers
// (keys and values trimmed; a later key overrides an earlier one). Bad
// entries are usage errors prefixed with verb.
func parseParams(verb string, kvs []string) (map[string]float64, error) {
	params := map[string]float64{}
	for _, kv := range kvs {
		k, v, ok := strings.Cut(kv, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			return nil, usagef("%s: --param %q: want key=value", verb, kv)
		}
		x, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil {
			return nil, usagef("%s: --param %q: value is not a number", verb, kv)
		}
		params[k] = x
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
