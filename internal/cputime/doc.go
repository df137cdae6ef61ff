// Package cputime is the one reading of the process CPU time in eigenssl,
// used next to wall-clock times by the demo and the benchmark commands
// (bench/): on a machine shared with other jobs the CPU seconds a run used
// are a fairer measure than its wall time.
package cputime
