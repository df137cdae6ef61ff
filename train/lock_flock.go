//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package train

import (
	"os"
	"syscall"
)

// tryLock takes an exclusive flock(2) on f without blocking. Locks belong
// to the open file description, so a second open of the file conflicts
// even within one process.
func tryLock(f *os.File) error { return syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) }

func unlock(f *os.File) { syscall.Flock(int(f.Fd()), syscall.LOCK_UN) }
