package train

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/eigenssl/eigenssl/data"
	"github.com/eigenssl/eigenssl/graph"
	"github.com/eigenssl/eigenssl/loss"
	"github.com/eigenssl/eigenssl/nn"
	"gonum.org/v1/gonum/mat"
)

// Options are run-time settings that are not part of the saved Config. The
// zero value is the default.
type Options struct {
	// Augmenter, when set, replaces the augmentation built from
	// Config.Augment. It is not saved: give the same one to Resume.
	Augmenter data.Augmenter
	// Loss, when set, replaces the loss built from Config.Loss (for
	// instance an instrumented one). It must read the same inputs as
	// Config.Loss (two-branch or G-form). It is not saved.
	Loss loss.Loss
	// StopAfter > 0 stops the run, with a checkpoint, once that many steps
	// in total are done (Status Stopped); Resume continues it.
	StopAfter int
	// Progress receives the progress bar (default os.Stderr). The bar is
	// drawn only when Progress is a terminal.
	Progress io.Writer
	// Logger receives start, checkpoint and end records (default
	// slog.Default()).
	Logger *slog.Logger
}

// Status says why a run returned.
type Status int

const (
	Completed Status = iota // every configured step done
	Stopped                 // Options.StopAfter reached
	Canceled                // the context was cancelled
	Diverged                // the loss became NaN or infinite
)

func (s Status) String() string {
	switch s {
	case Completed:
		return "completed"
	case Stopped:
		return "stopped"
	case Canceled:
		return "canceled"
	case Diverged:
		return "diverged"
	}
	return fmt.Sprintf("Status(%d)", int(s))
}

// Result is the outcome of Run or Resume.
type Result struct {
	Status     Status
	Steps      int // optimiser steps done in total (including before a resume)
	TotalSteps int // steps of the configured run: Epochs × batches per epoch
	Epochs     int // completed epochs
	// Loss and Parts are those of the last step taken (NaN and nil when no
	// step was taken in this call).
	Loss  float64
	Parts map[string]float64
	// Encoder is the trained encoder; after divergence, the encoder of the
	// last good checkpoint.
	Encoder *nn.Encoder
	Dir     string
}

// Metric is one line of metrics.jsonl: the loss of one step, its unweighted
// parts (non-finite values written as null) and the learning rate used.
// The file holds only values that are reproduced bit for bit by a resumed
// run (no timings).
type Metric struct {
	Step  int                 `json:"step"` // 1-based: steps done after this one
	Epoch int                 `json:"epoch"`
	LR    float64             `json:"lr"`
	Loss  float64             `json:"loss"`
	Parts map[string]*float64 `json:"parts"`
}

// trainer holds one run in progress.
type trainer struct {
	cfg       Config
	x         *mat.Dense
	y         []int
	n, d      int
	batch     int // originals per step
	full      bool
	perEpoch  int
	total     int
	rel       relation
	lossFn    loss.Loss
	twoBranch bool
	aug       data.Augmenter
	identity  bool
	enc       *nn.Encoder
	opt       nn.Optimizer
	sched     nn.Schedule
	pcg       *rand.PCG
	rng       *rand.Rand
	hash      [32]byte
	dir       string
	log       *slog.Logger
	viewsG    map[int]*graph.CSR
	labelsG   *graph.CSR

	// state between steps (what a checkpoint holds)
	step, epoch, batchIdx int
	perm                  []int

	metrics  *os.File
	mw       *bufio.Writer
	lastCkpt int
}

// constantWarmup is lr(s) = base·s/w for s < w, then base.
type constantWarmup struct {
	base float64
	w    int
}

func (c constantWarmup) LR(s int) float64 {
	if s < c.w {
		return c.base * float64(max(s, 0)) / float64(c.w)
	}
	return c.base
}

// newTrainer validates cfg and the data and builds everything except the
// model state (encoder, optimiser, generator), which Run initialises and
// Resume restores.
func newTrainer(op string, cfg Config, x *mat.Dense, y []int, ds *data.Dataset, dir string, opts Options) (*trainer, error) {
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if x == nil {
		return nil, newErr(op, "X", nil, ErrShape, "no training data")
	}
	n, d := x.Dims()
	if n < 2 || d < 1 {
		return nil, newErr(op, "X", fmt.Sprintf("%dx%d", n, d), ErrShape, "want at least 2 samples and 1 feature")
	}
	for i := range n {
		for j, v := range x.RawRowView(i) {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, newErr(op, "X", v, ErrNaN, "at row %d, column %d (1-based)", i+1, j+1)
			}
		}
	}
	if y != nil && len(y) != n {
		return nil, newErr(op, "y", len(y), ErrShape, "%d labels for %d samples", len(y), n)
	}
	t := &trainer{cfg: cfg, x: x, y: y, n: n, d: d, dir: dir, viewsG: map[int]*graph.CSR{}}
	t.log = opts.Logger
	if t.log == nil {
		t.log = slog.Default()
	}
	t.rel, _ = parseRelation(cfg.Relation)
	if t.rel.kind == graph.LabelsRelation && y == nil {
		return nil, newErr(op, "relation", cfg.Relation, ErrConfig, "the labels relation needs labels")
	}
	t.full = cfg.Batch == 0 || cfg.Batch >= n
	t.batch, t.perEpoch = n, 1
	if !t.full {
		t.batch, t.perEpoch = cfg.Batch, n/cfg.Batch
	}
	t.total = cfg.Epochs * t.perEpoch
	if t.rel.kind == graph.KNNRelation && t.rel.k >= cfg.Views*t.batch {
		return nil, newErr(op, "relation", cfg.Relation, ErrConfig, "k must be below the %d rows of a batch", cfg.Views*t.batch)
	}
	t.lossFn = opts.Loss
	if t.lossFn == nil {
		var err error
		if t.lossFn, err = loss.New(cfg.Loss, cfg.LossParams); err != nil {
			return nil, &Error{Op: op, Param: "loss", Value: cfg.Loss, Err: err}
		}
	}
	t.twoBranch = twoBranch(cfg.Loss)
	t.aug = opts.Augmenter
	if t.aug == nil {
		var p *data.Pipeline
		var err error
		if ds != nil {
			p, err = data.ParseAugmentFor(cfg.Augment, ds)
		} else {
			p, err = data.ParseAugment(cfg.Augment, cfg.Data.ImageShape)
		}
		if err != nil {
			return nil, &Error{Op: op, Param: "augment", Value: cfg.Augment, Err: fmt.Errorf("%w: %w", ErrConfig, err)}
		}
		if p.Dim != 0 && p.Dim != d {
			return nil, newErr(op, "augment", cfg.Augment, ErrConfig, "needs %d columns, data have %d", p.Dim, d)
		}
		t.aug, t.identity = p, len(p.Ops) == 0
	}
	switch cfg.Schedule {
	case "cosine":
		t.sched = nn.CosineWarmup{BaseLR: cfg.LR, WarmupSteps: cfg.Warmup, TotalSteps: t.total, FinalLR: cfg.FinalLR}
	default:
		t.sched = constantWarmup{base: cfg.LR, w: cfg.Warmup}
	}
	t.hash = dataHash(x, y)
	return t, nil
}

// loadOrUse returns x and y, or the data of cfg.Data when x is nil.
func loadOrUse(cfg Config, x *mat.Dense, y []int) (*mat.Dense, []int, *data.Dataset, error) {
	if x != nil {
		return x, y, nil, nil
	}
	ds, err := LoadData(cfg.Data)
	if err != nil {
		return nil, nil, nil, err
	}
	return ds.X, ds.Y, ds, nil
}

// Run trains an encoder on X (one original sample per row; y the labels,
// nil when there are none) as cfg says, writing config.json, checkpoints
// and metrics.jsonl to the directory out (created if needed; it must not
// hold a run already: ErrExists). When X is nil the data are loaded from
// cfg.Data (LoadData).
//
// Each step takes a batch of B originals, draws V views of each (row v·B + j
// is view v of original j; per-sample generators seeded from (Seed, step,
// sample, view), in parallel), runs the encoder forward, evaluates the loss
// (two-branch losses on the two views Z1, Z2; G-form losses on the stacked
// Z and the batch graph G of Config.Relation), back-propagates and applies
// one optimiser step with the scheduled learning rate.
//
// A checkpoint (encoder, optimiser, generator state, step and position in
// the epoch) is written atomically before the first step, every
// CheckpointEvery steps and at the end, so that Resume continues the same
// trajectory bit for bit. A NaN or infinite loss, representation or
// parameter stops the run with an error wrapping ErrDiverged; the last good
// checkpoint stays. Cancelling ctx stops after the current step with a
// checkpoint and returns the Result with an error wrapping ctx.Err().
func Run(ctx context.Context, cfg Config, X *mat.Dense, y []int, out string, opts Options) (*Result, error) {
	const op = "Run"
	X, y, ds, err := loadOrUse(cfg, X, y)
	if err != nil {
		return nil, err
	}
	t, err := newTrainer(op, cfg, X, y, ds, out, opts)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return nil, &Error{Op: op, Param: "out", Value: out, Err: err}
	}
	for _, f := range []string{ConfigFile, CheckpointFile, PrevCheckpoint} {
		if _, err := os.Stat(filepath.Join(out, f)); err == nil {
			return nil, newErr(op, "out", out, ErrExists, "%s exists; resume it or choose another directory", f)
		}
	}
	if err := t.initModel(op); err != nil {
		return nil, err
	}
	if err := writeConfig(out, t.cfg); err != nil {
		return nil, &Error{Op: op, Param: "out", Value: out, Err: err}
	}
	if t.metrics, err = os.OpenFile(filepath.Join(out, MetricsFile), os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644); err != nil {
		return nil, &Error{Op: op, Param: "out", Value: out, Err: err}
	}
	defer t.metrics.Close()
	t.mw = bufio.NewWriter(t.metrics)
	if err := t.checkpoint(); err != nil {
		return nil, &Error{Op: op, Param: "out", Value: out, Err: err}
	}
	return t.loop(ctx, op, opts)
}

// initModel builds the initial encoder, optimiser and generator of a new run.
func (t *trainer) initModel(op string) error {
	var err error
	t.enc, err = nn.ParseEncoder(t.cfg.Encoder, t.d, t.cfg.Seed)
	if err != nil {
		return &Error{Op: op, Param: "encoder", Value: t.cfg.Encoder, Err: err}
	}
	if t.enc.NeedsTrainingInputs() {
		if err := t.enc.SetTrainingInputs(t.x); err != nil {
			return &Error{Op: op, Param: "encoder", Value: t.cfg.Encoder, Err: err}
		}
	}
	if t.twoBranch {
		if err := t.enc.SetViews(t.cfg.Views); err != nil {
			return &Error{Op: op, Param: "views", Value: t.cfg.Views, Err: err}
		}
	}
	spec, _ := t.cfg.optimizerSpec()
	if t.opt, err = nn.ParseOptimizer(spec); err != nil {
		return &Error{Op: op, Param: "optimizer", Value: spec, Err: err}
	}
	t.pcg = newPCG(t.cfg.Seed)
	t.rng = rand.New(t.pcg)
	return nil
}

// Resume continues the run stored in dir from its newest readable
// checkpoint (checkpoint.bin, else checkpoint.prev) to the configured end,
// reproducing bit for bit the trajectory of an uninterrupted run: same
// parameters, same metrics. X and y must be the data the run started with
// (checked by fingerprint: ErrMismatch); X nil loads them from the saved
// Config.Data. Lines of metrics.jsonl beyond the checkpoint's step are
// dropped first. A completed run returns at once with Status Completed.
func Resume(ctx context.Context, dir string, X *mat.Dense, y []int, opts Options) (*Result, error) {
	const op = "Resume"
	cfg, err := ReadConfig(dir)
	if err != nil {
		return nil, err
	}
	X, y, ds, err := loadOrUse(cfg, X, y)
	if err != nil {
		return nil, err
	}
	t, err := newTrainer(op, cfg, X, y, ds, dir, opts)
	if err != nil {
		return nil, err
	}
	c, name, err := readCheckpoint(dir)
	if err != nil {
		return nil, &Error{Op: op, Param: "dir", Value: dir, Err: err}
	}
	if c.DataHash != t.hash {
		return nil, newErr(op, "X", nil, ErrMismatch, "the run in %s was trained on other data", dir)
	}
	t.enc = new(nn.Encoder)
	if err := t.enc.UnmarshalBinary(c.Encoder); err != nil {
		return nil, &Error{Op: op, Param: name, Value: dir, Err: fmt.Errorf("%w: %w", ErrCorrupt, err)}
	}
	if t.opt, err = nn.UnmarshalOptimizer(c.Opt); err != nil {
		return nil, &Error{Op: op, Param: name, Value: dir, Err: fmt.Errorf("%w: %w", ErrCorrupt, err)}
	}
	t.pcg = new(rand.PCG)
	if err := t.pcg.UnmarshalBinary(c.RNG); err != nil {
		return nil, &Error{Op: op, Param: name, Value: dir, Err: fmt.Errorf("%w: %w", ErrCorrupt, err)}
	}
	t.rng = rand.New(t.pcg)
	t.step, t.epoch, t.batchIdx, t.perm = c.Step, c.Epoch, c.Batch, c.Perm
	if t.step > t.total || t.batchIdx >= t.perEpoch || (t.perm != nil && len(t.perm) != t.n) {
		return nil, newErr(op, name, dir, ErrCorrupt, "state (step %d, batch %d) does not fit the configuration", t.step, t.batchIdx)
	}
	t.lastCkpt = t.step
	if name != CheckpointFile {
		t.log.Warn("train: resuming from the previous checkpoint", "dir", dir, "file", name, "step", t.step)
	}
	if err := truncateMetrics(filepath.Join(dir, MetricsFile), t.step, t.log); err != nil {
		return nil, &Error{Op: op, Param: MetricsFile, Value: dir, Err: err}
	}
	if t.metrics, err = os.OpenFile(filepath.Join(dir, MetricsFile), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644); err != nil {
		return nil, &Error{Op: op, Param: MetricsFile, Value: dir, Err: err}
	}
	defer t.metrics.Close()
	t.mw = bufio.NewWriter(t.metrics)
	return t.loop(ctx, op, opts)
}

// truncateMetrics keeps the lines of path whose step is at most step.
func truncateMetrics(path string, step int, log *slog.Logger) error {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		b, err = nil, nil
	}
	if err != nil {
		return err
	}
	var keep []byte
	lines := 0
	for len(b) > 0 {
		line, rest, found := bytes.Cut(b, []byte{'\n'})
		b = rest
		if !found { // a line cut short by a crash
			break
		}
		var m struct{ Step int }
		if json.Unmarshal(line, &m) != nil || m.Step > step {
			break
		}
		keep = append(append(keep, line...), '\n')
		lines++
	}
	if lines != step {
		log.Warn("train: metrics file has fewer lines than the checkpoint's step", "file", path, "lines", lines, "step", step)
	}
	return writeFileAtomic(path, keep)
}

// checkpoint flushes the metrics and writes the current state.
func (t *trainer) checkpoint() error {
	if err := t.mw.Flush(); err != nil {
		return err
	}
	if err := t.metrics.Sync(); err != nil {
		return err
	}
	c := &checkpoint{Step: t.step, Epoch: t.epoch, Batch: t.batchIdx, Perm: t.perm, DataHash: t.hash}
	var err error
	if c.RNG, err = t.pcg.MarshalBinary(); err != nil {
		return err
	}
	if c.Encoder, err = t.enc.MarshalBinary(); err != nil {
		return err
	}
	if c.Opt, err = t.opt.MarshalBinary(); err != nil {
		return err
	}
	if err := writeCheckpoint(t.dir, c); err != nil {
		return err
	}
	t.lastCkpt = t.step
	t.log.Debug("train: checkpoint", "dir", t.dir, "step", t.step)
	return nil
}

// loop runs steps until the end, StopAfter, cancellation or divergence.
func (t *trainer) loop(ctx context.Context, op string, opts Options) (*Result, error) {
	res := &Result{TotalSteps: t.total, Dir: t.dir, Loss: math.NaN()}
	bar := newProgress(opts.Progress, t.total, t.step)
	defer bar.finish()
	t.log.Info("train: start", "dir", t.dir, "loss", t.cfg.Loss, "encoder", t.cfg.Encoder,
		"step", t.step, "total", t.total, "batch", t.batch, "views", t.cfg.Views)
	status := Completed
	var stopErr error
	for t.step < t.total {
		if opts.StopAfter > 0 && t.step >= opts.StopAfter {
			status = Stopped
			break
		}
		if err := ctx.Err(); err != nil {
			status, stopErr = Canceled, err
			break
		}
		m, err := t.doStep()
		if err != nil {
			if !errors.Is(err, ErrDiverged) {
				return nil, &Error{Op: op, Param: "step", Value: t.step + 1, Err: err}
			}
			t.mw.Flush()
			res.Status, res.Steps, res.Epochs = Diverged, t.step, t.epoch
			res.Encoder, _ = LoadEncoder(t.dir)
			t.log.Error("train: diverged", "dir", t.dir, "step", t.step+1, "last_checkpoint", t.lastCkpt)
			return res, &Error{Op: op, Param: "step", Value: t.step + 1, Err: fmt.Errorf("%w (last good checkpoint at step %d)", err, t.lastCkpt)}
		}
		if err := t.writeMetric(m); err != nil {
			return nil, &Error{Op: op, Param: MetricsFile, Value: t.dir, Err: err}
		}
		res.Loss, res.Parts = m.Loss, derefParts(m.Parts)
		bar.update(t.step, m.Loss)
		if t.cfg.CheckpointEvery > 0 && t.step%t.cfg.CheckpointEvery == 0 {
			if err := t.checkpoint(); err != nil {
				return nil, &Error{Op: op, Param: "checkpoint", Value: t.dir, Err: err}
			}
		}
	}
	if t.lastCkpt != t.step {
		if err := t.checkpoint(); err != nil {
			return nil, &Error{Op: op, Param: "checkpoint", Value: t.dir, Err: err}
		}
	}
	if err := t.mw.Flush(); err != nil {
		return nil, &Error{Op: op, Param: MetricsFile, Value: t.dir, Err: err}
	}
	res.Status, res.Steps, res.Epochs, res.Encoder = status, t.step, t.epoch, t.enc
	t.log.Info("train: "+status.String(), "dir", t.dir, "step", t.step, "loss", res.Loss)
	if stopErr != nil {
		return res, &Error{Op: op, Param: "step", Value: t.step, Err: stopErr}
	}
	return res, nil
}

func derefParts(p map[string]*float64) map[string]float64 {
	out := make(map[string]float64, len(p))
	for k, v := range p {
		if v == nil {
			out[k] = math.NaN()
		} else {
			out[k] = *v
		}
	}
	return out
}

func (t *trainer) writeMetric(m Metric) error {
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	t.mw.Write(b)
	return t.mw.WriteByte('\n')
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// doStep takes one optimiser step and advances the position in the epoch.
func (t *trainer) doStep() (Metric, error) {
	if !t.full && t.batchIdx == 0 && t.perm == nil {
		t.perm = t.rng.Perm(t.n)
	}
	var idx []int
	if !t.full {
		idx = t.perm[t.batchIdx*t.batch : (t.batchIdx+1)*t.batch]
	}
	xb := t.assemble(idx, t.step)
	t.enc.ZeroGrad()
	z, err := t.enc.Forward(xb, true)
	if err != nil {
		return Metric{}, err
	}
	var in loss.Inputs
	if t.twoBranch {
		b := t.batch
		_, k := z.Dims()
		in.Z1, in.Z2 = mat.NewDense(b, k, nil), mat.NewDense(b, k, nil)
		in.Z1.Copy(z.Slice(0, b, 0, k))
		in.Z2.Copy(z.Slice(b, 2*b, 0, k))
	} else {
		in.Z = z
		if in.G, err = t.batchGraph(idx, xb); err != nil {
			return Metric{}, err
		}
	}
	r, err := t.lossFn.Eval(in, true)
	if err != nil {
		if errors.Is(err, loss.ErrNaN) {
			return Metric{}, fmt.Errorf("%w: %w", ErrDiverged, err)
		}
		return Metric{}, err
	}
	if !finite(r.Value) {
		return Metric{}, fmt.Errorf("%w: loss = %v", ErrDiverged, r.Value)
	}
	var dz *mat.Dense
	if t.twoBranch {
		g1, g2 := r.Grad[loss.KeyZ1], r.Grad[loss.KeyZ2]
		if g1 == nil || g2 == nil {
			return Metric{}, fmt.Errorf("loss %s returned no gradient for z1 and z2", t.lossFn.Name())
		}
		dz = new(mat.Dense)
		dz.Stack(g1, g2)
	} else if dz = r.Grad[loss.KeyZ]; dz == nil {
		return Metric{}, fmt.Errorf("loss %s returned no gradient for Z", t.lossFn.Name())
	}
	if err := t.enc.BackwardParams(dz); err != nil {
		return Metric{}, err
	}
	lr := t.sched.LR(t.step)
	params := t.enc.Params()
	if err := t.opt.Step(params, lr); err != nil {
		return Metric{}, err
	}
	for _, p := range params {
		for i := range p.Value.RawMatrix().Rows {
			for _, v := range p.Value.RawRowView(i) {
				if !finite(v) {
					return Metric{}, fmt.Errorf("%w: parameter %s became %v", ErrDiverged, p.Name, v)
				}
			}
		}
	}
	m := Metric{Step: t.step + 1, Epoch: t.epoch, LR: lr, Loss: r.Value, Parts: map[string]*float64{}}
	for k, v := range r.Parts {
		if finite(v) {
			m.Parts[k] = &v
		} else {
			m.Parts[k] = nil
		}
	}
	t.step++
	t.batchIdx++
	if t.batchIdx == t.perEpoch {
		t.epoch++
		t.batchIdx, t.perm = 0, nil
	}
	return m, nil
}
