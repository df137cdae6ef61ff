package atomicfile

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheckPath(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "f")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := CheckPath(filepath.Join(dir, "new.npy")); err != nil {
		t.Errorf("new file in an existing directory: %v", err)
	}
	for _, tc := range []struct {
		path string
		want error
		msg  string
	}{
		{dir, ErrNotFile, "is a directory"},
		{filepath.Join(file, "x.npy"), ErrNotFile, file + " is not a directory"},
		{filepath.Join(dir, "missing", "x.npy"), fs.ErrNotExist, "missing does not exist"},
	} {
		err := CheckPath(tc.path)
		if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%s: %v; want %v mentioning %q", tc.path, err, tc.want, tc.msg)
		}
	}
}

// A failed fill leaves the previous file intact and no temporary behind; a
// successful one replaces it.
func TestWriteAtomic(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "out.csv")
	if err := os.WriteFile(p, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err := Write(p, func(w io.Writer) error {
		io.WriteString(w, "partial")
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("failed fill: %v", err)
	}
	if b, _ := os.ReadFile(p); string(b) != "old" {
		t.Errorf("after a failed write the file holds %q; want \"old\"", b)
	}
	if err := Write(p, func(w io.Writer) error { _, err := io.WriteString(w, "new"); return err }); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(p); string(b) != "new" {
		t.Errorf("file holds %q; want \"new\"", b)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries; want only out.csv (no temporary left)", len(entries))
	}
}
