//go:build unix

package cputime

import (
	"math"
	"syscall"
)

// Process returns the user + system CPU time of this process so far, in
// seconds, summed over all its threads (NaN when the system does not
// report it).
func Process() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return math.NaN()
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}
