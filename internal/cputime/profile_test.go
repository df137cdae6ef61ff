package cputime

import (
	"os"
	"path/filepath"
	"testing"
)

// TestStartProfile: a profile file is written and non-empty after stop; an
// empty path profiles nothing; an unwritable path is an error.
func TestStartProfile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cpu.out")
	stop, err := StartProfile(path)
	if err != nil {
		t.Fatal(err)
	}
	x := 1.0
	for i := 0; i < 1e6; i++ {
		x = x*1.0000001 + 1e-9
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Size() == 0 {
		t.Fatalf("profile %s: %v, %v (x = %v); want a non-empty file", path, fi, err, x)
	}
	stop, err = StartProfile("")
	if err != nil || stop() != nil {
		t.Fatalf("empty path: %v", err)
	}
	if _, err := StartProfile(filepath.Join(t.TempDir(), "missing", "cpu.out")); err == nil {
		t.Fatal("a path in a missing directory: no error")
	}
}
