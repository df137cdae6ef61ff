package data

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func TestDigits(t *testing.T) {
	ds, err := Digits()
	if err != nil {
		t.Fatal(err)
	}
	r, c := ds.X.Dims()
	if r != 1797 || c != 64 || len(ds.Y) != 1797 || ds.Classes != 10 || ds.ImageShape != [2]int{8, 8} {
		t.Fatalf("digits: %dx%d, %d labels, %d classes, shape %v", r, c, len(ds.Y), ds.Classes, ds.ImageShape)
	}
	counts := make([]int, 10)
	for _, y := range ds.Y {
		counts[y]++
	}
	// Class counts of sklearn's load_digits (np.bincount(load_digits().target)).
	if want := []int{178, 182, 177, 183, 181, 182, 181, 179, 174, 180}; !slices.Equal(counts, want) {
		t.Fatalf("class counts %v; want %v", counts, want)
	}
	// First image of load_digits().images[0] row 1 is 0,0,13,15,10,15,5,0 (/16).
	for j, v := range []float64{0, 0, 13, 15, 10, 15, 5, 0} {
		if got := ds.X.At(0, 8+j); got != v/16 {
			t.Fatalf("X[0,%d] = %v; want %v", 8+j, got, v/16)
		}
	}
	if mat.Max(ds.X) != 1 || mat.Min(ds.X) != 0 {
		t.Fatalf("pixel range [%v, %v]; want [0, 1]", mat.Min(ds.X), mat.Max(ds.X))
	}
}

func TestLoadRegistry(t *testing.T) {
	_, err := Load("cifar", LoadOptions{})
	if !errors.Is(err, ErrUnknown) || !strings.Contains(err.Error(), "fashion-mnist") {
		t.Fatalf("unknown name: got %v; want ErrUnknown listing names", err)
	}
	for _, name := range Names() {
		if name == "mnist" || name == "fashion-mnist" {
			continue
		}
		ds, err := Load(name, LoadOptions{N: 60, Seed: 3})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if ds.Len() != 60 || ds.X.RawMatrix().Rows != 60 || ds.Name != name || Describe(name) == "" {
			t.Fatalf("%s: got %d samples, name %q", name, ds.Len(), ds.Name)
		}
		for _, y := range ds.Y {
			if y < 0 || y >= ds.Classes {
				t.Fatalf("%s: label %d outside 0..%d", name, y, ds.Classes-1)
			}
		}
		again, _ := Load(name, LoadOptions{N: 60, Seed: 3})
		if !mat.Equal(ds.X, again.X) || !slices.Equal(ds.Y, again.Y) {
			t.Fatalf("%s: same seed gave different data", name)
		}
		other, _ := Load(name, LoadOptions{N: 60, Seed: 4})
		if mat.Equal(ds.X, other.X) {
			t.Fatalf("%s: seeds 3 and 4 gave identical data", name)
		}
	}
	if _, err := Load("digits", LoadOptions{Split: "train"}); !errors.Is(err, ErrParam) {
		t.Fatalf("digits split: got %v; want ErrParam", err)
	}
}

func TestBalancedSubsample(t *testing.T) {
	// Class 2 has only 3 members; its shortfall goes to the others.
	var y []int
	for c, n := range []int{50, 40, 3, 30} {
		for range n {
			y = append(y, c)
		}
	}
	for _, n := range []int{4, 10, 41, 60, len(y)} {
		idx, err := BalancedSubsample(y, n, 7)
		if err != nil {
			t.Fatal(err)
		}
		if len(idx) != n || !slices.IsSorted(idx) || len(slices.Compact(slices.Clone(idx))) != n {
			t.Fatalf("n=%d: got %d indices (sorted %v)", n, len(idx), slices.IsSorted(idx))
		}
		counts := map[int]int{}
		for _, i := range idx {
			counts[y[i]]++
		}
		// Classes that were not exhausted differ by at most one, and no
		// exhausted class could have taken more than them.
		size := map[int]int{0: 50, 1: 40, 2: 3, 3: 30}
		lo, hi, maxFull := math.MaxInt, 0, 0
		for c, k := range counts {
			if k == size[c] {
				maxFull = max(maxFull, k)
				continue
			}
			lo, hi = min(lo, k), max(hi, k)
		}
		if (hi > 0 && hi-lo > 1) || (hi > 0 && maxFull > hi) {
			t.Fatalf("n=%d: unbalanced counts %v", n, counts)
		}
	}
	a, _ := BalancedSubsample(y, 20, 1)
	b, _ := BalancedSubsample(y, 20, 1)
	c, _ := BalancedSubsample(y, 20, 2)
	if !slices.Equal(a, b) || slices.Equal(a, c) {
		t.Fatalf("seeding: %v %v %v", a, b, c)
	}
	if _, err := BalancedSubsample(y, 0, 1); !errors.Is(err, ErrParam) {
		t.Fatalf("n=0: got %v; want ErrParam", err)
	}
}

// writeFakeMNIST writes a tiny MNIST-format directory: n 28x28 images whose
// pixel 0 encodes the index, labels i mod 10.
func writeFakeMNIST(t *testing.T, dir, part string, n int, gz bool) {
	t.Helper()
	img := make([]uint8, n*784)
	lab := make([]uint8, n)
	for i := range n {
		img[i*784] = uint8(i)
		img[i*784+783] = 255
		lab[i] = uint8(i % 10)
	}
	suf := ""
	if gz {
		suf = ".gz"
	}
	if err := WriteIDX(filepath.Join(dir, part+"-images-idx3-ubyte"+suf), []int{n, 28, 28}, img); err != nil {
		t.Fatal(err)
	}
	if err := WriteIDX(filepath.Join(dir, part+"-labels-idx1-ubyte"+suf), []int{n}, lab); err != nil {
		t.Fatal(err)
	}
}

func TestMNISTLoaderOnFakeFiles(t *testing.T) {
	dir := t.TempDir()
	writeFakeMNIST(t, dir, "train", 50, true)
	writeFakeMNIST(t, dir, "t10k", 20, false)
	for _, name := range []string{"mnist", "fashion-mnist"} {
		for _, tc := range []struct {
			split string
			n     int
		}{{"", 50}, {"test", 20}, {"all", 70}} {
			ds, err := Load(name, LoadOptions{Path: dir, Split: tc.split})
			if err != nil {
				t.Fatal(err)
			}
			if ds.Len() != tc.n || ds.ImageShape != [2]int{28, 28} || ds.Classes != 10 {
				t.Fatalf("%s %q: %d samples, shape %v", name, tc.split, ds.Len(), ds.ImageShape)
			}
			for i := range ds.Len() {
				k := i
				if i >= 50 {
					k = i - 50
				}
				if ds.X.At(i, 0) != float64(k)/255 || ds.X.At(i, 783) != 1 || ds.Y[i] != k%10 {
					t.Fatalf("%s %q: sample %d decoded wrong", name, tc.split, i)
				}
			}
		}
	}
	ds, err := Load("mnist", LoadOptions{Path: dir, N: 20, Seed: 1})
	if err != nil || ds.Len() != 20 {
		t.Fatalf("subsample: %v", err)
	}
	for c := range 10 {
		if cnt := countOf(ds.Y, c); cnt != 2 {
			t.Fatalf("subsample of 20 has %d of class %d; want 2", cnt, c)
		}
	}
	_, err = Load("mnist", LoadOptions{Path: t.TempDir()})
	if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "train-images-idx3-ubyte") {
		t.Fatalf("missing files: got %v; want ErrNotFound naming the file", err)
	}
}

func TestMissingDataSetHint(t *testing.T) {
	t.Setenv("GOMODCACHE", t.TempDir())
	t.Setenv("GOPATH", t.TempDir())
	t.Setenv("HOME", t.TempDir())
	t.Setenv("PATH", "")
	_, err := Load("mnist", LoadOptions{})
	if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "go mod download "+GoMNISTModule) {
		t.Fatalf("got %v; want ErrNotFound with the go mod download hint", err)
	}
}

// TestRealMNIST loads the real MNIST and Fashion-MNIST files. Each set is
// tested whenever it is installed; a missing set is a failure when
// EIGENSSL_REAL_DATA=1 (as .ci/run sets after installing both) and is
// otherwise skipped with the loader's own instructions as the logged reason.
func TestRealMNIST(t *testing.T) {
	for _, name := range []string{"mnist", "fashion-mnist"} {
		t.Run(name, func(t *testing.T) {
			ds, err := Load(name, LoadOptions{N: 500, Seed: 1, Split: "test"})
			if errors.Is(err, ErrNotFound) && os.Getenv("EIGENSSL_REAL_DATA") != "1" {
				t.Skipf("not installed (EIGENSSL_REAL_DATA=1 makes this a failure): %v", err)
			}
			if err != nil {
				t.Fatal(err)
			}
			if ds.Len() != 500 || ds.Classes != 10 || ds.X.RawMatrix().Cols != 784 || mat.Max(ds.X) != 1 {
				t.Fatalf("%d samples, %d classes, max %v", ds.Len(), ds.Classes, mat.Max(ds.X))
			}
			for c := range 10 {
				if k := countOf(ds.Y, c); k != 50 {
					t.Fatalf("class %d has %d of 500; want 50", c, k)
				}
			}
		})
	}
}

func countOf(y []int, c int) int {
	n := 0
	for _, v := range y {
		if v == c {
			n++
		}
	}
	return n
}
