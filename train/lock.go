package train

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
)

// LockFile is the name of the lock file of a run directory.
const LockFile = "lock"

// dirLock is an advisory lock on a run directory, held by Run and Resume for
// the whole run so that two processes (or two calls in one process) never
// write the same metrics and checkpoints. The lock file holds the pid of its
// holder; the lock itself is flock(2) on it, released by the kernel when the
// process dies, so a stale file never blocks a later run.
type dirLock struct {
	f *os.File
}

// lockDir takes the lock of dir, or returns an error wrapping ErrLocked that
// names the pid holding it.
func lockDir(dir string) (*dirLock, error) {
	path := filepath.Join(dir, LockFile)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	if err := tryLock(f); err != nil {
		b, _ := os.ReadFile(path)
		f.Close()
		pid := string(bytes.TrimSpace(b))
		if pid == "" {
			pid = "unknown"
		}
		return nil, fmt.Errorf("%w: run directory %s is in use by pid %s", ErrLocked, dir, pid)
	}
	if err := f.Truncate(0); err == nil {
		f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return &dirLock{f: f}, nil
}

// release drops the lock (the file stays; it is harmless without the lock).
func (l *dirLock) release() {
	if l != nil && l.f != nil {
		unlock(l.f)
		l.f.Close()
		l.f = nil
	}
}
