//go:build unix

package nn_test

import "syscall"

// cpuSeconds is the user + system CPU time of this process so far (all
// threads, OpenBLAS's included), for the benchmarks' cpu-ms/step metric:
// on a loaded machine it is steadier than wall-clock time.
func cpuSeconds() float64 {
	var r syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &r) != nil {
		return 0
	}
	return float64(r.Utime.Nano()+r.Stime.Nano()) / 1e9
}
