// Package atomicfile is the one atomic file writer of eigenssl (used by
// data.WriteAtomic and graph.WriteEdgeFile): the content goes to a hidden
// temporary file in the target's directory, is synced, and is renamed over
// the target only when complete, so readers never see a partial file and a
// failed write leaves any previous file intact. Before anything is created
// the target is checked (CheckPath), so that a missing directory or a
// directory target is named as such rather than as an error on the hidden
// temporary name.
package atomicfile

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// ErrNotFile is wrapped by CheckPath's errors for a target that is a
// directory or lies under something that is not a directory.
var ErrNotFile = errors.New("not a writable file path")

// CheckPath returns an error when path cannot be an output file: it is a
// directory, or its parent is not one (both wrap ErrNotFile), or its
// directory does not exist (wraps fs.ErrNotExist).
func CheckPath(path string) error {
	if info, err := os.Stat(path); err == nil && info.IsDir() {
		return notFile("is a directory; want a file name")
	}
	dir := filepath.Dir(path)
	info, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("directory %s does not exist (create it first): %w", dir, fs.ErrNotExist)
	case err != nil:
		return fmt.Errorf("directory %s: %w", dir, err)
	case !info.IsDir():
		return notFile(dir + " is not a directory")
	}
	return nil
}

// notFile is an error of CheckPath that matches ErrNotFile without adding
// its text to the message.
type notFile string

func (e notFile) Error() string        { return string(e) }
func (e notFile) Is(target error) bool { return target == ErrNotFile }

// Write writes path atomically with the content fill writes (buffered),
// with mode 0644. Errors are CheckPath's, fill's, or the operating
// system's.
func Write(path string, fill func(w io.Writer) error) (err error) {
	if err := CheckPath(path); err != nil {
		return err
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	bw := bufio.NewWriter(f)
	if err = fill(bw); err != nil {
		return err
	}
	if err = bw.Flush(); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Chmod(0o644); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
