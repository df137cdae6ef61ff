//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package train

import "os"

// tryLock does nothing on systems without flock(2): run directories are not
// locked there.
func tryLock(*os.File) error { return nil }

func unlock(*os.File) {}
