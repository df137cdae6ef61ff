package data

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/eigenssl/eigenssl/graph"
	"github.com/eigenssl/eigenssl/internal/memlimit"
	"github.com/eigenssl/eigenssl/internal/spec"
	"github.com/eigenssl/eigenssl/linalg"
	"gonum.org/v1/gonum/mat"
)

// Augmenter draws a random transformation of one sample.
type Augmenter interface {
	// Apply writes a random augmentation of x into dst, drawing every
	// random number from rng. len(dst) must equal len(x); dst may be x.
	// Apply panics when the lengths differ or do not match the image shape
	// the Augmenter was built for (MakeViews checks this first).
	Apply(dst, x []float64, rng *rand.Rand)
	// String returns the spec that builds the Augmenter.
	String() string
}

// Pipeline applies its operations in order. ParseAugment returns one.
type Pipeline struct {
	Ops []Augmenter
	// Dim is the sample length the operations require (height*width for
	// image operations), 0 when any length works.
	Dim int
}

// Apply runs every operation in order; see Augmenter.
func (p *Pipeline) Apply(dst, x []float64, rng *rand.Rand) {
	if p.Dim != 0 && len(x) != p.Dim {
		panic(fmt.Sprintf("data: augment: sample length %d, want %d", len(x), p.Dim))
	}
	copy(dst, x)
	for _, op := range p.Ops {
		op.Apply(dst, dst, rng)
	}
}

func (p *Pipeline) String() string {
	if len(p.Ops) == 0 {
		return "none"
	}
	s := make([]string, len(p.Ops))
	for i, op := range p.Ops {
		s[i] = op.String()
	}
	return strings.Join(s, "+")
}

// AugmentOps documents the operations ParseAugment understands.
const AugmentOps = `Operations written without arguments take defaults: shift 2, crop 2,
rotate 10, cutout 4, elastic 2,2, noise 0.1, mask 0.2, jitter 0.05.

none            identity (copies)
shift:S         image: random translation by integers in [-S, S] per axis, zero fill
crop:P          image: random crop of the image padded by P (same as shift:P)
rotate:D        image: rotation by an angle uniform in [-D, D] degrees, bilinear, zero fill
cutout:S        image: zero an S x S square at a uniformly random centre (clipped)
elastic:A,S     image: elastic distortion (Simard et al. 2003), displacement field of
                uniform [-1,1] noise smoothed by a Gaussian of S pixels, scaled by A
noise:SIGMA     add N(0, SIGMA^2) to every coordinate
mask:P          zero every coordinate independently with probability P
jitter:E        random projection jitter x <- (I + E G/sqrt(D)) x, G iid N(0,1),
                O(D^2) per sample
resample-nuisance[:P], resample-class[:P]
                latent data set only: redraw the nuisance (aligned views) or the
                class (misaligned views) latents of x, with probability P
                (default 1) (ParseAugmentFor)`

// augmentDefaults are the arguments of an operation written without any
// (so "shift+noise" means "shift:2+noise:0.1"); they are listed in AugmentOps.
var augmentDefaults = map[string][]float64{
	"shift": {2}, "crop": {2}, "rotate": {10}, "cutout": {4}, "elastic": {2, 2},
	"noise": {0.1}, "mask": {0.2}, "jitter": {0.05},
}

// ParseAugment builds a Pipeline from a spec such as "shift:2+noise:0.1":
// operations separated by '+', each NAME or NAME:ARG[,ARG] (see AugmentOps);
// a NAME without arguments takes its default (shift 2, crop 2, rotate 10,
// cutout 4, elastic 2,2, noise 0.1, mask 0.2, jitter 0.05).
// Image operations need imageShape (height, width) with both sides > 0. An
// empty spec or "none" is the identity.
func ParseAugment(spec string, imageShape [2]int) (*Pipeline, error) {
	return parseAugment(spec, imageShape, nil)
}

// ParseAugmentFor is ParseAugment with the image shape of ds and, for the
// latent data set, the operations resample-nuisance and resample-class.
func ParseAugmentFor(spec string, ds *Dataset) (*Pipeline, error) {
	return parseAugment(spec, ds.ImageShape, ds.Latent)
}

func parseAugment(text string, shape [2]int, lm *LatentModel) (*Pipeline, error) {
	const op = "ParseAugment"
	bad := func(tok string, format string, args ...any) error {
		return &Error{Op: op, Param: "spec", Value: fmt.Sprintf("%q", tok), Err: detail(ErrParam, format, args...)}
	}
	p := &Pipeline{}
	text = strings.TrimSpace(text)
	if text == "" || text == "none" {
		return p, nil
	}
	for tok := range strings.SplitSeq(text, "+") {
		tok = strings.TrimSpace(tok)
		s, err := spec.Parse(tok)
		if err != nil {
			return nil, bad(tok, "%v", err)
		}
		name := s.Name
		var args []float64
		for _, a := range s.Args {
			v, ok := spec.Float(a.String())
			if !ok {
				return nil, bad(tok, "argument %q is not a number", a.String())
			}
			args = append(args, v)
		}
		if len(s.Args) == 0 {
			args = augmentDefaults[name]
		}
		nargs := map[string]int{"shift": 1, "crop": 1, "rotate": 1, "cutout": 1, "elastic": 2,
			"noise": 1, "mask": 1, "jitter": 1, "resample-nuisance": 0, "resample-class": 0, "none": 0}
		want, ok := nargs[name]
		if strings.HasPrefix(name, "resample-") && len(args) == 1 {
			want = 1 // optional probability
		}
		if !ok {
			return nil, bad(tok, "unknown operation %q; valid: shift, crop, rotate, cutout, elastic, noise, mask, jitter, resample-nuisance, resample-class, none", name)
		}
		if len(args) != want {
			return nil, bad(tok, "%s takes %d argument(s), got %d", name, want, len(args))
		}
		for _, a := range args {
			if a < 0 {
				return nil, bad(tok, "negative argument")
			}
		}
		image := name == "shift" || name == "crop" || name == "rotate" || name == "cutout" || name == "elastic"
		if image {
			if shape[0] <= 0 || shape[1] <= 0 {
				return nil, bad(tok, "%s needs image data (this data set has no image shape)", name)
			}
			p.Dim = shape[0] * shape[1]
		}
		isInt := func(v float64) bool { return v == math.Trunc(v) }
		h, w := shape[0], shape[1]
		var a Augmenter
		switch name {
		case "none":
			continue
		case "shift", "crop":
			if !isInt(args[0]) {
				return nil, bad(tok, "%s takes an integer number of pixels", name)
			}
			a = shiftOp{name: name, h: h, w: w, s: int(args[0])}
		case "rotate":
			a = rotateOp{h: h, w: w, deg: args[0]}
		case "cutout":
			if !isInt(args[0]) {
				return nil, bad(tok, "cutout takes an integer square side")
			}
			a = cutoutOp{h: h, w: w, s: int(args[0])}
		case "elastic":
			if args[1] == 0 {
				return nil, bad(tok, "elastic smoothing must be > 0")
			}
			a = newElastic(h, w, args[0], args[1])
		case "noise":
			a = noiseOp{sigma: args[0]}
		case "mask":
			if args[0] > 1 {
				return nil, bad(tok, "mask probability must be in [0, 1]")
			}
			a = maskOp{p: args[0]}
		case "jitter":
			a = jitterOp{eps: args[0]}
		case "resample-nuisance", "resample-class":
			if lm == nil {
				return nil, bad(tok, "%s needs the latent data set", name)
			}
			r := ResampleLatent{Model: lm, Class: name == "resample-class"}
			if len(args) == 1 {
				if args[0] > 1 {
					return nil, bad(tok, "resample probability must be in [0, 1]")
				}
				r.Prob = args[0]
				if r.Prob == 0 {
					continue // never resamples: the identity
				}
			}
			a = r
			p.Dim = lm.Config.AmbientDim
		}
		p.Ops = append(p.Ops, a)
	}
	return p, nil
}

func fmtNum(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// shiftOp translates an image by (dy, dx) uniform in [-s, s]², zero fill.
type shiftOp struct {
	name    string
	h, w, s int
}

func (o shiftOp) String() string { return fmt.Sprintf("%s:%d", o.name, o.s) }

func (o shiftOp) Apply(dst, x []float64, rng *rand.Rand) {
	dy, dx := rng.IntN(2*o.s+1)-o.s, rng.IntN(2*o.s+1)-o.s
	src := scratch(x, dst)
	for i := range o.h {
		for j := range o.w {
			si, sj := i-dy, j-dx
			v := 0.0
			if si >= 0 && si < o.h && sj >= 0 && sj < o.w {
				v = src[si*o.w+sj]
			}
			dst[i*o.w+j] = v
		}
	}
}

// scratch returns x, or a copy of it when dst aliases x.
func scratch(x, dst []float64) []float64 {
	if len(x) > 0 && len(dst) > 0 && &x[0] == &dst[0] {
		return append([]float64(nil), x...)
	}
	return x
}

// bilinear samples img (h x w) at (y, x), zero outside.
func bilinear(img []float64, h, w int, y, x float64) float64 {
	y0, x0 := math.Floor(y), math.Floor(x)
	fy, fx := y-y0, x-x0
	at := func(i, j int) float64 {
		if i < 0 || i >= h || j < 0 || j >= w {
			return 0
		}
		return img[i*w+j]
	}
	i, j := int(y0), int(x0)
	return (1-fy)*((1-fx)*at(i, j)+fx*at(i, j+1)) + fy*((1-fx)*at(i+1, j)+fx*at(i+1, j+1))
}

// rotateOp rotates by an angle uniform in [-deg, deg] about the centre.
type rotateOp struct {
	h, w int
	deg  float64
}

func (o rotateOp) String() string { return "rotate:" + fmtNum(o.deg) }

func (o rotateOp) Apply(dst, x []float64, rng *rand.Rand) {
	th := (2*rng.Float64() - 1) * o.deg * math.Pi / 180
	c, s := math.Cos(th), math.Sin(th)
	cy, cx := float64(o.h-1)/2, float64(o.w-1)/2
	src := scratch(x, dst)
	for i := range o.h {
		for j := range o.w {
			// Inverse map: rotate the output position by -θ.
			yy, xx := float64(i)-cy, float64(j)-cx
			dst[i*o.w+j] = bilinear(src, o.h, o.w, c*yy+s*xx+cy, -s*yy+c*xx+cx)
		}
	}
}

// cutoutOp zeroes an s x s square centred uniformly in the image.
type cutoutOp struct{ h, w, s int }

func (o cutoutOp) String() string { return fmt.Sprintf("cutout:%d", o.s) }

func (o cutoutOp) Apply(dst, x []float64, rng *rand.Rand) {
	copy(dst, x)
	ci, cj := rng.IntN(o.h), rng.IntN(o.w)
	i0, j0 := ci-o.s/2, cj-o.s/2
	for i := max(i0, 0); i < min(i0+o.s, o.h); i++ {
		for j := max(j0, 0); j < min(j0+o.s, o.w); j++ {
			dst[i*o.w+j] = 0
		}
	}
}

// elasticOp displaces pixels by a smoothed random field.
type elasticOp struct {
	h, w         int
	alpha, sigma float64
	kernel       []float64
}

func newElastic(h, w int, alpha, sigma float64) elasticOp {
	r := int(math.Ceil(3 * sigma))
	k := make([]float64, 2*r+1)
	sum := 0.0
	for i := range k {
		d := float64(i - r)
		k[i] = math.Exp(-d * d / (2 * sigma * sigma))
		sum += k[i]
	}
	for i := range k {
		k[i] /= sum
	}
	return elasticOp{h: h, w: w, alpha: alpha, sigma: sigma, kernel: k}
}

func (o elasticOp) String() string { return "elastic:" + fmtNum(o.alpha) + "," + fmtNum(o.sigma) }

func (o elasticOp) field(rng *rand.Rand) []float64 {
	n := o.h * o.w
	f := make([]float64, n)
	for i := range f {
		f[i] = 2*rng.Float64() - 1
	}
	r := len(o.kernel) / 2
	tmp := make([]float64, n)
	for i := range o.h { // rows
		for j := range o.w {
			s := 0.0
			for k, kv := range o.kernel {
				if jj := j + k - r; jj >= 0 && jj < o.w {
					s += kv * f[i*o.w+jj]
				}
			}
			tmp[i*o.w+j] = s
		}
	}
	for i := range o.h { // columns
		for j := range o.w {
			s := 0.0
			for k, kv := range o.kernel {
				if ii := i + k - r; ii >= 0 && ii < o.h {
					s += kv * tmp[ii*o.w+j]
				}
			}
			f[i*o.w+j] = o.alpha * s
		}
	}
	return f
}

func (o elasticOp) Apply(dst, x []float64, rng *rand.Rand) {
	dy, dx := o.field(rng), o.field(rng)
	src := scratch(x, dst)
	for i := range o.h {
		for j := range o.w {
			k := i*o.w + j
			dst[k] = bilinear(src, o.h, o.w, float64(i)+dy[k], float64(j)+dx[k])
		}
	}
}

type noiseOp struct{ sigma float64 }

func (o noiseOp) String() string { return "noise:" + fmtNum(o.sigma) }

func (o noiseOp) Apply(dst, x []float64, rng *rand.Rand) {
	for i, v := range x {
		dst[i] = v + o.sigma*rng.NormFloat64()
	}
}

type maskOp struct{ p float64 }

func (o maskOp) String() string { return "mask:" + fmtNum(o.p) }

func (o maskOp) Apply(dst, x []float64, rng *rand.Rand) {
	for i, v := range x {
		if rng.Float64() < o.p {
			v = 0
		}
		dst[i] = v
	}
}

type jitterOp struct{ eps float64 }

func (o jitterOp) String() string { return "jitter:" + fmtNum(o.eps) }

func (o jitterOp) Apply(dst, x []float64, rng *rand.Rand) {
	src := scratch(x, dst)
	d := len(x)
	sc := o.eps / math.Sqrt(float64(d))
	for i := range d {
		s := 0.0
		for _, v := range src {
			s += rng.NormFloat64() * v
		}
		dst[i] = src[i] + sc*s
	}
}

// ResampleLatent redraws part of the latent code of a sample of the latent
// data set: with the orthonormal directions A of the chosen block (nuisance
// by default, class when Class is set), x <- x - A Aᵀ x + A z' where z' is a
// fresh draw (nuisance: N(0, NuisanceScale² I); class: the mean of a
// uniformly drawn class plus N(0, ClassSpread² I)). Views made with nuisance
// resampling share their class, so the views graph is aligned with the
// labels; class resampling gives views of different classes (misaligned).
//
// Prob dials the alignment: each Apply resamples with probability Prob and
// otherwise copies x (0 means 1). With resample-class:P, a pair of views
// shares its class latents with probability about (1-P)², so the fraction of
// G's edges inside classes falls from 1 (P = 0) towards 1/Classes (P = 1).
type ResampleLatent struct {
	Model *LatentModel
	Class bool
	Prob  float64
}

func (r ResampleLatent) String() string {
	s := "resample-nuisance"
	if r.Class {
		s = "resample-class"
	}
	if r.Prob != 0 && r.Prob != 1 {
		s += ":" + fmtNum(r.Prob)
	}
	return s
}

// Apply implements Augmenter.
func (r ResampleLatent) Apply(dst, x []float64, rng *rand.Rand) {
	a := r.Model.NuisanceDirs
	if r.Class {
		a = r.Model.ClassDirs
	}
	copy(dst, x)
	if a == nil {
		return
	}
	if p := r.Prob; p != 0 && p != 1 && rng.Float64() >= p {
		return
	}
	_, k := a.Dims()
	cfg := r.Model.Config
	z := make([]float64, k)
	c := rng.IntN(cfg.Classes)
	for j := range z {
		if r.Class {
			z[j] = r.Model.Means.At(c, j) + cfg.ClassSpread*rng.NormFloat64()
		} else {
			z[j] = cfg.NuisanceScale * rng.NormFloat64()
		}
	}
	// coef = Aᵀx - z, then dst = x - A coef.
	for j := range k {
		s := 0.0
		for i, v := range dst {
			s += a.At(i, j) * v
		}
		z[j] = s - z[j]
	}
	for i := range dst {
		s := 0.0
		for j := range k {
			s += a.At(i, j) * z[j]
		}
		dst[i] -= s
	}
}

// MakeViews returns V augmented views of every row of x, stacked view by
// view (row v*N' + n is view v of sample n, N' = rows of x), and the matching
// augmentation graph G = (J_V - I_V) ⊗ I_N' (graph.Views). Every view is
// drawn by aug with its own generator seeded by (seed, v*N' + n), so the
// result depends only on the inputs and seed, not on scheduling; the work is
// spread over GOMAXPROCS goroutines (linalg.ParallelRange). Cost: N' V times one Apply.
func MakeViews(x *mat.Dense, V int, aug Augmenter, seed uint64) (*mat.Dense, *graph.CSR, error) {
	const op = "MakeViews"
	if x == nil {
		return nil, nil, &Error{Op: op, Param: "x", Err: ErrEmpty}
	}
	n, d := x.Dims()
	if n == 0 || d == 0 {
		return nil, nil, &Error{Op: op, Param: "x", Err: ErrEmpty}
	}
	if V < 2 {
		return nil, nil, &Error{Op: op, Param: "V", Value: V, Err: detail(ErrParam, "want at least 2 views")}
	}
	if aug == nil {
		aug = &Pipeline{}
	}
	if p, ok := aug.(*Pipeline); ok && p.Dim != 0 && p.Dim != d {
		return nil, nil, &Error{Op: op, Param: "x", Value: fmt.Sprintf("%dx%d", n, d),
			Err: detail(ErrShape, "augmentation %q needs %d columns", p.String(), p.Dim)}
	}
	// The views (V n d values) and the graph (n V (V-1) entries of a column
	// index and a weight) are held at once.
	fn, fv, fd := float64(n), float64(V), float64(d)
	if err := memlimit.Check(fmt.Sprintf("%d views of %d x %d samples", V, n, d), 8*fv*fn*fd+16*fn*fv*(fv-1)); err != nil {
		return nil, nil, &Error{Op: op, Param: "V", Value: V, Err: detail(ErrTooLarge, "%v", err)}
	}
	g, _, err := graph.Views(n, V)
	if err != nil {
		return nil, nil, &Error{Op: op, Err: err}
	}
	out := mat.NewDense(V*n, d, nil)
	// A sample's V views cost V·Apply (O(V d) at least): 8 samples are
	// worth a goroutine.
	linalg.ParallelRange(n, 8, func(lo, hi int) {
		for s := lo; s < hi; s++ {
			src := x.RawRowView(s)
			for v := range V {
				row := v*n + s
				rng := rand.New(rand.NewPCG(seed, uint64(row)))
				aug.Apply(out.RawRowView(row), src, rng)
			}
		}
	})
	return out, g, nil
}
