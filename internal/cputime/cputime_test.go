//go:build unix

package cputime

import (
	"testing"
	"time"
)

// TestProcessAdvances checks that the CPU time is a positive number that
// grows while this goroutine computes (within 2 s of wall time; the
// rusage clock ticks every few milliseconds at worst).
func TestProcessAdvances(t *testing.T) {
	t0 := Process()
	if !(t0 > 0) {
		t.Fatalf("Process() = %v at start; want > 0 (the test binary has run)", t0)
	}
	x := 1.0
	for start := time.Now(); time.Since(start) < 2*time.Second; {
		for i := 0; i < 100000; i++ {
			x = x*1.0000001 + 1e-9
		}
		if t1 := Process(); t1 > t0 {
			return
		}
	}
	t.Fatalf("Process() stayed at %v over 2 s of computing (x = %v)", t0, x)
}
