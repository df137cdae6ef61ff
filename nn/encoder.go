package nn

import (
	"math"
	"math/rand/v2"
	"strconv"
	"strings"

	grammar "github.com/eigenssl/eigenssl/internal/spec"
	"github.com/eigenssl/eigenssl/linalg"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/mat"
)

// Encoder is a backbone followed by an optional projector head:
//
//	Forward(x) = Projector(Backbone(x)),  Embed(x) = Backbone(x)
//
// so that SSL losses act on the projector output while probes may use either
// the backbone representation (Embed) or the projector output (Forward with
// train = false). Build one with ParseEncoder.
//
// Arithmetic is float64 unless SetDtype(Float32) is called (then Forward32
// and BackwardParams32 run in float32). An Encoder is not safe for
// concurrent use; the matrix products inside each call use every core
// through blas64.
type Encoder struct {
	// Spec, InputDim and Seed are the ParseEncoder arguments; they rebuild
	// the architecture and its initial parameters.
	Spec     string
	InputDim int
	Seed     uint64

	Backbone, Projector Sequential

	views            int   // batch-norm groups (SetViews); 0 means 1
	dtype            Dtype // SetDtype; Float64 by default
	fwdRows, fwdCols int   // shape of the last Forward output; 0 when none
	fwdTrain         bool  // mode of the last Forward
}

// validForms is appended to every spec error.
const validForms = `valid forms: "linear:K[,nobias]", "mlp:W1,...,WK[,nobias][+bn]", ` +
	`"rff:M,gamma=G|linear:K" (or |mlp:...), "kernel:rbf,gamma=G|K", "kernel:linear|K", ` +
	`each optionally followed by "|proj:W1,...,WK[,nobias][+bn]"`

// ParseEncoder builds an encoder for inputs with inputDim columns from a spec:
//
//	linear:K[,nobias]            Linear in→K (the linear regime Z = X W [+ b])
//	mlp:W1,...,WK[,nobias][+bn]  Linear→[BatchNorm1d]→ReLU for each hidden width
//	                             W1..W(K−1), then Linear→WK (no activation)
//	rff:M,gamma=G|linear:K       fixed random Fourier features of the RBF kernel
//	                             exp(−G‖x−y‖²) followed by a trainable head
//	                             (linear:... or mlp:...), all in the backbone
//	kernel:rbf,gamma=G|K         exact kernel regime Z = K(X, T) A with K outputs
//	kernel:linear|K              (needs SetTrainingInputs before use)
//	<backbone>|proj:W1,...,WK[,nobias][+bn]
//	                             projector head, an MLP on the backbone output
//
// "nobias" removes the bias of every Linear in that segment; "+bn" (or ",bn")
// adds an affine BatchNorm1d after each hidden Linear, before the ReLU, as in
// the VICReg and Barlow Twins projectors. Parameters are initialised from a
// PCG generator seeded with seed, layer by layer in spec order, so the same
// (spec, inputDim, seed) gives bit-identical encoders.
//
// Errors wrap ErrSpec and list the valid forms.
func ParseEncoder(spec string, inputDim int, seed uint64) (*Encoder, error) {
	e, _, err := parseEncoder(spec, inputDim, seed, maxEntries, false)
	return e, err
}

// Size is the memory footprint of an encoder spec, counted in float64
// entries without building the encoder.
type Size struct {
	// Entries bounds from above the parameter and buffer entries
	// (weights, biases, batch-norm statistics, random features; a bias is
	// counted even under nobias): the budget ParseEncoder checks. Params
	// is the exact number of trainable entries.
	Entries, Params int
	// Widths are the output widths of the layers in order: a forward and
	// backward pass on B rows holds about B·Σ Widths activations and as
	// many gradients.
	Widths []int
	// KernelOut is K of a kernel:...|K encoder (0 otherwise): its A is
	// N × K and its Gram block B × N for N training inputs, not counted
	// above.
	KernelOut int
}

// SpecSize returns the Size of the encoder ParseEncoder would build from
// spec for inputDim columns, without allocating it, so that a caller can
// refuse a request that cannot fit in memory. Errors are those of
// ParseEncoder, except that no size limit applies.
func SpecSize(spec string, inputDim int) (Size, error) {
	_, sz, err := parseEncoder(spec, inputDim, 0, math.MaxInt, true)
	return sz, err
}

// maxEntries bounds the parameter and buffer entries (32 GiB of float64)
// ParseEncoder allocates, so a typo such as "linear:1000000000" fails instead
// of exhausting memory.
const maxEntries = 1 << 32

// parseEncoder is ParseEncoder allocating at most limit float64 entries;
// dry only counts them (the Encoder is then incomplete).
func parseEncoder(spec string, inputDim int, seed uint64, limit int, dry bool) (*Encoder, Size, error) {
	const op = "ParseEncoder"
	var sz Size
	if inputDim <= 0 {
		return nil, sz, newErr(op, "inputDim", inputDim, ErrSpec, "must be positive")
	}
	e := &Encoder{Spec: spec, InputDim: inputDim, Seed: seed}
	rng := rand.New(rand.NewPCG(seed, 0x65696e6e))
	segs := strings.Split(spec, "|")
	dim := inputDim
	inProj := false
	bad := func(seg, format string, args ...any) error {
		return newErr(op, "spec", strconv.Quote(seg), ErrSpec, format+"; "+validForms, args...)
	}
	total := 0
	// fits reserves rows·cols parameter or buffer entries.
	fits := func(rows, cols int) bool {
		if cols > 0 && rows > (limit-total)/cols {
			return false
		}
		total += rows * cols
		return true
	}
	trainable := false
	// add appends the layer mk builds (not in a dry run) of the given
	// trainable entries and output width.
	add := func(seq *Sequential, params, width int, mk func() Layer) {
		sz.Params += params
		sz.Widths = append(sz.Widths, width)
		trainable = trainable || params > 0
		if !dry {
			seq.Layers = append(seq.Layers, mk())
		}
	}
	for i := 0; i < len(segs); i++ {
		seg := strings.TrimSpace(segs[i])
		body, bn := strings.CutSuffix(seg, "+bn")
		sp, err := grammar.Parse(body)
		if err != nil {
			return nil, sz, bad(seg, "%v", err)
		}
		kind, rest := sp.Name, sp.Rest
		var nums []int
		opts := map[string]string{}
		for _, a := range sp.Args {
			if a.Key != "" {
				opts[a.Key] = a.Value
			} else if n, ok := grammar.Int(a.Value); ok {
				if n <= 0 {
					return nil, sz, bad(seg, "width %d must be positive", n)
				}
				nums = append(nums, n)
			} else {
				opts[a.Value] = ""
			}
		}
		if _, ok := opts["bn"]; ok {
			bn = true
			delete(opts, "bn")
		}
		_, nobias := opts["nobias"]
		delete(opts, "nobias")
		seq := &e.Backbone
		if inProj {
			return nil, sz, bad(seg, "nothing may follow the projector")
		}
		last := i == len(segs)-1
		switch kind {
		case "linear":
			if len(nums) != 1 || len(opts) != 0 || bn {
				return nil, sz, bad(seg, "linear takes one width and optionally nobias")
			}
			if !fits(dim+1, nums[0]) {
				return nil, sz, bad(seg, "too large")
			}
			add(seq, linearParams(dim, nums[0], nobias), nums[0], func() Layer { return NewLinear(dim, nums[0], !nobias, rng) })
			dim = nums[0]
		case "mlp", "proj":
			if len(nums) == 0 || len(opts) != 0 {
				return nil, sz, bad(seg, "%s takes widths, nobias and +bn", kind)
			}
			if kind == "proj" {
				if i == 0 {
					return nil, sz, bad(seg, "a projector needs a backbone before it")
				}
				inProj = true
				seq = &e.Projector
			}
			for j, w := range nums {
				if !fits(dim+1, w) || bn && j < len(nums)-1 && !fits(4, w) {
					return nil, sz, bad(seg, "too large")
				}
				add(seq, linearParams(dim, w, nobias), w, func() Layer { return NewLinear(dim, w, !nobias, rng) })
				dim = w
				if j < len(nums)-1 {
					if bn {
						add(seq, 2*w, w, func() Layer { return NewBatchNorm1d(w, true) })
					}
					add(seq, 0, w, func() Layer { return NewReLU(w) })
				}
			}
		case "rff":
			g, err := gammaOpt(opts)
			if len(nums) != 1 || err != nil || len(opts) != 1 || bn || nobias {
				return nil, sz, bad(seg, "rff takes a feature count and gamma=G > 0")
			}
			if last || !strings.HasPrefix(strings.TrimSpace(segs[i+1]), "linear:") && !strings.HasPrefix(strings.TrimSpace(segs[i+1]), "mlp:") {
				return nil, sz, bad(seg, "rff must be followed by a trainable linear: or mlp: segment")
			}
			if !fits(dim+1, nums[0]) {
				return nil, sz, bad(seg, "too large")
			}
			add(seq, 0, nums[0], func() Layer { return NewRandomFourierFeatures(dim, nums[0], g, rng) })
			dim = nums[0]
		case "kernel":
			if i != 0 || last {
				return nil, sz, bad(seg, "kernel must come first and be followed by |K (output width)")
			}
			k, err := strconv.Atoi(strings.TrimSpace(segs[i+1]))
			if err != nil || k <= 0 || bn || nobias || len(nums) != 0 {
				return nil, sz, bad(seg+"|"+segs[i+1], "kernel must be followed by |K with K a positive integer")
			}
			var g float64
			switch rest, _, _ := strings.Cut(rest, ","); rest {
			case "rbf":
				delete(opts, "rbf")
				if g, err = gammaOpt(opts); err != nil || len(opts) != 1 {
					return nil, sz, bad(seg, "rbf kernel takes gamma=G > 0")
				}
			case "linear":
				delete(opts, "linear")
				if len(opts) != 0 {
					return nil, sz, bad(seg, "linear kernel takes no options")
				}
			default:
				return nil, sz, bad(seg, "unknown kernel %q (want rbf or linear)", rest)
			}
			kk, _, _ := strings.Cut(rest, ",")
			add(seq, 0, k, func() Layer { return NewKernel(kk, g, dim, k, rng.Uint64()) })
			sz.KernelOut, trainable = k, true
			dim = k
			i++
		default:
			return nil, sz, bad(seg, "unknown layer %q", kind)
		}
	}
	if !trainable {
		return nil, sz, newErr(op, "spec", strconv.Quote(spec), ErrSpec, "no trainable backbone; "+validForms)
	}
	sz.Entries = total
	if dry {
		return nil, sz, nil
	}
	e.name()
	return e, sz, nil
}

// linearParams is the parameter count of a Linear in→out layer.
func linearParams(in, out int, nobias bool) int {
	if nobias {
		return in * out
	}
	return (in + 1) * out
}

func gammaOpt(opts map[string]string) (float64, error) {
	g, err := strconv.ParseFloat(opts["gamma"], 64)
	if err != nil || !(g > 0) || math.IsInf(g, 0) {
		return 0, ErrSpec
	}
	return g, nil
}

func (e *Encoder) kernel() *Kernel {
	if len(e.Backbone.Layers) > 0 {
		if k, ok := e.Backbone.Layers[0].(*Kernel); ok {
			return k
		}
	}
	return nil
}

func (e *Encoder) hasKernel() bool { return e.kernel() != nil }

// name gives every parameter and buffer its qualified name
// "<backbone|projector>.<layer index>.<base name>".
func (e *Encoder) name() {
	for _, part := range []struct {
		prefix string
		s      *Sequential
	}{{"backbone", &e.Backbone}, {"projector", &e.Projector}} {
		for i, l := range part.s.Layers {
			ps := l.Params()
			if b, ok := l.(buffered); ok {
				ps = append(ps, b.buffers()...)
			}
			for _, p := range ps {
				base := p.Name[strings.LastIndexByte(p.Name, '.')+1:]
				p.Name = part.prefix + "." + strconv.Itoa(i) + "." + base
			}
		}
	}
}

// tensors returns every parameter and buffer in a fixed order (layer order;
// parameters before buffers within a layer).
func (e *Encoder) tensors() []*Param {
	var ts []*Param
	for _, s := range []*Sequential{&e.Backbone, &e.Projector} {
		for _, l := range s.Layers {
			ts = append(ts, l.Params()...)
			if b, ok := l.(buffered); ok {
				ts = append(ts, b.buffers()...)
			}
		}
	}
	return ts
}

// NeedsTrainingInputs reports whether the encoder is a kernel encoder whose
// anchors have not been set yet.
func (e *Encoder) NeedsTrainingInputs() bool {
	k := e.kernel()
	return k != nil && k.T == nil
}

// SetTrainingInputs stores x as the anchors T of a kernel encoder and
// initialises A (seeded). It returns an error wrapping ErrSpec for non-kernel
// encoders, and ErrEmpty, ErrShape or ErrNaN for bad x. Calling it again
// replaces T and re-initialises A.
func (e *Encoder) SetTrainingInputs(x *mat.Dense) error {
	const op = "Encoder.SetTrainingInputs"
	k := e.kernel()
	if k == nil {
		return newErr(op, "spec", e.Spec, ErrSpec, "not a kernel encoder")
	}
	if err := checkInput(op, x, e.InputDim); err != nil {
		return err
	}
	k.SetTrainingInputs(x)
	e.name()
	e.fwdRows = 0
	return nil
}

// SetViews declares that training batches stack v views of the same
// originals (rows i·N'..(i+1)·N'−1 hold view i), so that every batch-norm
// layer normalises each view with its own statistics, as the official
// two-branch VICReg and Barlow Twins code does by running each view through
// the network separately. v = 1 (the default) normalises the whole batch.
// Training batches must then have a multiple of v rows, at least 2 per view.
// The setting is serialised. Encoders without batch norm ignore it.
func (e *Encoder) SetViews(v int) error {
	if v < 1 {
		return newErr("Encoder.SetViews", "v", v, ErrParam, "must be at least 1")
	}
	e.views = v
	for _, s := range []*Sequential{&e.Backbone, &e.Projector} {
		for _, l := range s.Layers {
			if bn, ok := l.(*BatchNorm1d); ok {
				bn.Groups = v
			}
		}
	}
	return nil
}

// FixedFeatures returns φ(x), the output of the leading backbone layers
// that have no trainable parameters and no batch statistics (random Fourier
// features), and how many layers that is. An encoder
// "rff:M,gamma=G|linear:K" computes Z = φ(X) W + 1 bᵀ: the linear regime
// on the features φ(X), whose closed form package closedform solves with
// φ(X) as design. With no such leading layer φ is the identity (x itself,
// 0 layers). Errors are those of Forward.
func (e *Encoder) FixedFeatures(x *mat.Dense) (*mat.Dense, int, error) {
	if err := checkInput("FixedFeatures", x, e.InputDim); err != nil {
		return nil, 0, err
	}
	n := 0
	for _, l := range e.Backbone.Layers {
		if _, ok := l.(*RandomFourierFeatures); !ok {
			break
		}
		x = l.Forward(x, false)
		n++
	}
	return x, n, nil
}

// SetDtype selects the arithmetic of Forward32, BackwardParams32 and the
// optimiser steps on Params (see Dtype). Float32 rounds every parameter and
// buffer to the nearest float32 and marks the parameters so that SGD, Adam
// and LARS update them in float32; Float64 clears the mark (values stay as
// they are). Only encoders made of Linear, ReLU and BatchNorm1d layers
// ("linear:...", "mlp:...", "|proj:...") have a float32 path: others return an
// *Error wrapping ErrSpec. Forward and Embed keep working in float64 on the
// float32 values. The dtype is not serialised: the caller (package train)
// records it and sets it again after UnmarshalBinary.
func (e *Encoder) SetDtype(d Dtype) error {
	if d != Float32 && d != Float64 {
		return newErr("Encoder.SetDtype", "dtype", int(d), ErrParam, `valid: Float64, Float32`)
	}
	if d == Float32 {
		for _, s := range []*Sequential{&e.Backbone, &e.Projector} {
			for _, l := range s.Layers {
				if _, ok := l.(layer32); !ok {
					return newErr("Encoder.SetDtype", "spec", e.Spec, ErrSpec,
						"float32 supports linear, mlp and proj layers only (not rff or kernel)")
				}
			}
		}
		for _, t := range e.tensors() {
			round32(t.Value.RawMatrix().Data)
		}
	}
	for _, p := range e.Params() {
		p.f32 = d == Float32
	}
	e.dtype = d
	e.fwdRows = 0
	return nil
}

// Dtype returns the dtype set by SetDtype (Float64 by default).
func (e *Encoder) Dtype() Dtype { return e.dtype }

// Forward32 is Forward on a float32 batch for an encoder in Float32 mode:
// every product is an Sgemm, activations are float32 (see Dtype for where
// sums accumulate in float64). The result is a new matrix. It returns an
// *Error wrapping ErrParam when the encoder is not in Float32 mode, and the
// errors of Forward for bad x.
func (e *Encoder) Forward32(x blas32.General, train bool) (blas32.General, error) {
	const op = "Encoder.Forward32"
	if e.dtype != Float32 {
		return blas32.General{}, newErr(op, "dtype", e.dtype.String(), ErrParam, "call SetDtype(Float32) first")
	}
	if err := checkInputT(op, linalg.General[float32](x), e.InputDim); err != nil {
		return blas32.General{}, err
	}
	if err := e.checkBatchNormRows(op, x.Rows, x.Cols, train); err != nil {
		return blas32.General{}, err
	}
	y := e.Projector.forward32(e.Backbone.forward32(linalg.General[float32](x), train), train)
	e.fwdRows, e.fwdCols = y.Rows, y.Cols
	e.fwdTrain = train
	return blas32.General(y), nil
}

// BackwardParams32 is BackwardParams for the float32 gradient of the output
// of the last Forward32. Parameter gradients accumulate in float64 (Grad).
func (e *Encoder) BackwardParams32(gradOut blas32.General) error {
	const op = "Encoder.BackwardParams32"
	if e.fwdRows == 0 || e.dtype != Float32 {
		return newErr(op, "", nil, ErrNoForward, "")
	}
	if gradOut.Rows != e.fwdRows || gradOut.Cols != e.fwdCols {
		return newErr(op, "gradOut", dims(gradOut.Rows, gradOut.Cols), ErrShape, "want %s like the forward output", dims(e.fwdRows, e.fwdCols))
	}
	g := e.Projector.backward32(linalg.General[float32](gradOut), true)
	e.Backbone.backward32(g, false)
	return nil
}

func (e *Encoder) hasBatchNorm() bool {
	for _, s := range []*Sequential{&e.Backbone, &e.Projector} {
		for _, l := range s.Layers {
			if _, ok := l.(*BatchNorm1d); ok {
				return true
			}
		}
	}
	return false
}

// Views returns the number of views set by SetViews (1 by default).
func (e *Encoder) Views() int { return max(e.views, 1) }

func checkInput(op string, x *mat.Dense, cols int) error {
	if x == nil {
		return newErr(op, "x", nil, ErrEmpty, "")
	}
	return checkInputT(op, linalg.GeneralOf(x), cols)
}

// checkInputT refuses an empty x, one without cols columns, and a
// non-finite entry.
func checkInputT[T linalg.Float](op string, x linalg.General[T], cols int) error {
	if x.Rows == 0 || x.Cols == 0 {
		return newErr(op, "x", nil, ErrEmpty, "")
	}
	if x.Cols != cols {
		return newErr(op, "x", dims(x.Rows, x.Cols), ErrShape, "want %d columns", cols)
	}
	for i := 0; i < x.Rows; i++ {
		for j, v := range x.Row(i) {
			if f := float64(v); math.IsNaN(f) || math.IsInf(f, 0) {
				return newErr(op, "x", nil, ErrNaN, "at row %d, column %d (1-based)", i+1, j+1)
			}
		}
	}
	return nil
}

// checkBatchNormRows refuses a training batch of r rows that the encoder's
// batch-norm layers cannot normalise per view: fewer than 2 rows per view,
// or r not a multiple of Views.
func (e *Encoder) checkBatchNormRows(op string, r, c int, train bool) error {
	if train && (r < 2*e.Views() || r%e.Views() != 0) && e.hasBatchNorm() {
		return newErr(op, "x", dims(r, c), ErrShape,
			"batch norm in training mode needs a multiple of %d views with at least 2 rows each", e.Views())
	}
	return nil
}

func dims(r, c int) string { return strconv.Itoa(r) + "×" + strconv.Itoa(c) }

func (e *Encoder) checkForward(op string, x *mat.Dense, train bool) error {
	if e.NeedsTrainingInputs() {
		return newErr(op, "", nil, ErrNotFitted, "call SetTrainingInputs first")
	}
	if err := checkInput(op, x, e.InputDim); err != nil {
		return err
	}
	r, c := x.Dims()
	return e.checkBatchNormRows(op, r, c, train)
}

// Forward returns Projector(Backbone(x)) (the backbone output when there is no
// projector) and caches what Backward needs. train selects batch statistics in
// batch-norm layers (and updates their running statistics). x must have
// InputDim columns and finite entries.
func (e *Encoder) Forward(x *mat.Dense, train bool) (*mat.Dense, error) {
	if err := e.checkForward("Encoder.Forward", x, train); err != nil {
		return nil, err
	}
	y := e.Projector.Forward(e.Backbone.Forward(x, train), train)
	e.fwdRows, e.fwdCols = y.Dims()
	e.fwdTrain = train
	return y, nil
}

// Embed returns Backbone(x) in eval mode (running batch-norm statistics), the
// representation a probe uses. It invalidates a pending Backward.
func (e *Encoder) Embed(x *mat.Dense) (*mat.Dense, error) {
	if err := e.checkForward("Encoder.Embed", x, false); err != nil {
		return nil, err
	}
	e.fwdRows = 0
	return e.Backbone.Forward(x, false), nil
}

// Backward takes ∂L/∂y for the y of the last Forward, adds ∂L/∂θ to every
// parameter's Grad and returns ∂L/∂x.
func (e *Encoder) Backward(gradOut *mat.Dense) (*mat.Dense, error) {
	if err := e.checkBackward("Encoder.Backward", gradOut); err != nil {
		return nil, err
	}
	return e.Backbone.backward(e.Projector.Backward(gradOut), true), nil
}

// BackwardParams is Backward without computing ∂L/∂x (the input is data),
// which saves one matrix product in the first layer. Use it in training.
func (e *Encoder) BackwardParams(gradOut *mat.Dense) error {
	if err := e.checkBackward("Encoder.BackwardParams", gradOut); err != nil {
		return err
	}
	e.Backbone.backward(e.Projector.Backward(gradOut), false)
	return nil
}

func (e *Encoder) checkBackward(op string, g *mat.Dense) error {
	if e.fwdRows == 0 {
		return newErr(op, "", nil, ErrNoForward, "")
	}
	if g == nil || g.IsEmpty() {
		return newErr(op, "gradOut", nil, ErrEmpty, "")
	}
	if r, c := g.Dims(); r != e.fwdRows || c != e.fwdCols {
		return newErr(op, "gradOut", dims(r, c), ErrShape, "want %s like the forward output", dims(e.fwdRows, e.fwdCols))
	}
	return nil
}

// Params returns the trainable parameters, backbone first, in layer order.
// The order is stable and is the order optimiser state follows.
func (e *Encoder) Params() []*Param {
	return append(e.Backbone.Params(), e.Projector.Params()...)
}

// ZeroGrad sets every parameter gradient to zero.
func (e *Encoder) ZeroGrad() { ZeroGrad(e.Params()) }

// OutDim is the width of Forward's output.
func (e *Encoder) OutDim() int {
	if d := e.Projector.OutDim(); d > 0 {
		return d
	}
	return e.Backbone.OutDim()
}

// EmbedDim is the width of Embed's output (the backbone).
func (e *Encoder) EmbedDim() int { return e.Backbone.OutDim() }

const encoderMagic = "eigenssl/nn.Encoder/v1\n"

// MarshalBinary encodes the spec, input width, seed, views, every parameter and every
// buffer (batch-norm running statistics, random-feature draws, kernel anchors)
// with float64 values stored bit for bit. Gradients and forward caches are not
// saved.
func (e *Encoder) MarshalBinary() ([]byte, error) {
	w := &writer{b: []byte(encoderMagic)}
	w.str(e.Spec)
	w.u64(uint64(e.InputDim))
	w.u64(e.Seed)
	w.u64(uint64(e.Views()))
	ts := e.tensors()
	w.u64(uint64(len(ts)))
	for _, t := range ts {
		w.dense(t.Name, t.Value)
	}
	return w.b, nil
}

// UnmarshalBinary restores an encoder written by MarshalBinary, replacing e
// entirely (gradients start at zero). Errors wrap ErrFormat or ErrSpec.
func (e *Encoder) UnmarshalBinary(data []byte) error {
	const op = "Encoder.UnmarshalBinary"
	r := &reader{b: data}
	if !r.magic(encoderMagic) {
		return newErr(op, "", nil, ErrFormat, "not an encoder")
	}
	spec := r.str()
	inputDim := r.u64()
	seed := r.u64()
	views := r.u64()
	n := r.u64()
	if r.bad || inputDim > 1<<31 || views < 1 || views > 1<<31 || n > uint64(len(r.b)) {
		return newErr(op, "", nil, ErrFormat, "truncated header")
	}
	vals := map[string]*mat.Dense{}
	for i := uint64(0); i < n; i++ {
		name, m := r.dense()
		if r.bad {
			return newErr(op, "", nil, ErrFormat, "truncated tensor %d", i)
		}
		vals[name] = m
	}
	if len(r.b) != 0 {
		return newErr(op, "", nil, ErrFormat, "%d trailing bytes", len(r.b))
	}
	// The spec may only allocate what the data hold (plus gradients), so
	// corrupt bytes cannot request a huge model.
	f, _, err := parseEncoder(spec, int(inputDim), seed, 4*len(data)/8+64, false)
	if err != nil {
		return err
	}
	if k := f.kernel(); k != nil {
		if t := vals["backbone.0.train_inputs"]; t != nil {
			if _, c := t.Dims(); c != f.InputDim {
				return newErr(op, "backbone.0.train_inputs", dims(t.Dims()), ErrFormat, "want %d columns", f.InputDim)
			}
			k.SetTrainingInputs(t)
			f.name()
		}
	}
	_ = f.SetViews(int(views))
	ts := f.tensors()
	if len(ts) != len(vals) {
		return newErr(op, "", nil, ErrFormat, "%d tensors for a spec with %d", len(vals), len(ts))
	}
	for _, t := range ts {
		v, ok := vals[t.Name]
		if !ok {
			return newErr(op, t.Name, nil, ErrFormat, "missing tensor")
		}
		if v == nil || v.RawMatrix().Rows != t.Value.RawMatrix().Rows || v.RawMatrix().Cols != t.Value.RawMatrix().Cols {
			return newErr(op, t.Name, nil, ErrFormat, "wrong shape")
		}
		t.Value.Copy(v)
	}
	*e = *f
	return nil
}
