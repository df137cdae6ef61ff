package main

import (
	"errors"
	"maps"
	"testing"
)

func TestParseParams(t *testing.T) {
	got, err := parseParams("x", []string{"tau=0.5", " lambda = 2e-3 ", "tau=1"})
	want := map[string]float64{"tau": 1, "lambda": 2e-3}
	if err != nil || !maps.Equal(got, want) {
		t.Errorf("got %v, %v; want %v", got, err, want)
	}
	for _, bad := range []string{"tau", "=1", " =1", "tau=abc", "tau=", "tau=NaN", "tau=-Inf"} {
		_, err := parseParams("x", []string{bad})
		var u usageError
		if !errors.As(err, &u) {
			t.Errorf("%q: got %v; want a usage error", bad, err)
		}
	}
}

func TestParseShape(t *testing.T) {
	for s, want := range map[string][2]int{"28x28": {28, 28}, "3X5": {3, 5}} {
		if got, err := parseShape("x", s); err != nil || got != want {
			t.Errorf("%q: got %v, %v; want %v", s, got, err, want)
		}
	}
	for _, bad := range []string{"", "28", "0x3", "3by1", "ax3", "3x-1"} {
		_, err := parseShape("x", bad)
		var u usageError
		if !errors.As(err, &u) {
			t.Errorf("%q: got %v; want a usage error", bad, err)
		}
	}
}
