//go:build !unix

package nn_test

import "math"

// cpuSeconds is not available here: the cpu-ms/step metric reads NaN.
func cpuSeconds() float64 { return math.NaN() }
