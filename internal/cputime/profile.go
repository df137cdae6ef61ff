package cputime

import (
	"os"
	"runtime/pprof"
)

// StartProfile starts a CPU profile (runtime/pprof) written to path and
// returns the function that stops it and closes the file; with an empty
// path it profiles nothing and stop does nothing. The benchmark commands'
// -cpuprofile flag.
func StartProfile(path string) (stop func() error, err error) {
	if path == "" {
		return func() error { return nil }, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() error {
		pprof.StopCPUProfile()
		return f.Close()
	}, nil
}
