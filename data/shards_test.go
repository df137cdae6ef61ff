package data

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// TestNPYShape: the header gives the shape without the data; a non-.npy
// name or a truncated header is refused with ErrFormat.
func TestNPYShape(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "x.npy")
	if err := WriteMatrix(p, mat.NewDense(7, 3, nil)); err != nil {
		t.Fatal(err)
	}
	got, err := NPYShape(p)
	if err != nil || !reflect.DeepEqual(got, []int{7, 3}) {
		t.Fatalf("NPYShape = %v, %v; want [7 3]", got, err)
	}
	b, _ := os.ReadFile(p)
	short := filepath.Join(dir, "short.npy")
	if err := os.WriteFile(short, b[:20], 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := NPYShape(short); !errors.Is(err, ErrFormat) {
		t.Errorf("truncated header: %v, want ErrFormat", err)
	}
	if _, err := NPYShape(filepath.Join(dir, "x.csv")); !errors.Is(err, ErrFormat) {
		t.Errorf(".csv: %v, want ErrFormat", err)
	}
}
