//go:build !unix

package main

// cpuSeconds is NaN where the CPU time is not available.
func cpuSeconds() float64 { return nan }
