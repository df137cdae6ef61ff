//go:build !unix

package cputime

import "math"

// Process is NaN where the CPU time of the process is not available.
func Process() float64 { return math.NaN() }
