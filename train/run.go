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
	// instance an instrumented one, or a loss outside the registry). It
	// must have the Form of Config.Loss (two-branch or G-form). Training
	// evaluates it at loss.RowScale of itself when it is a loss.RowScaler,
	// else of Config.Loss (so a wrapper keeps the scale of the loss it
	// wraps). Its Eval must leave its inputs untouched: two-branch inputs
	// are row views of the encoder output. It is not saved.
	Loss loss.Loss
	// Dataset, when set and X is nil, supplies the data (X, Y) of Fit and
	// Run, and augmentation specs are parsed against it
	// (data.ParseAugmentFor: image shape, latent model).
	Dataset *data.Dataset
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
	Diverged                // the loss broke the divergence rule (see DivergenceFactor)
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
	// Loss and Parts are those of the last step taken: in this call, or
	// for a Resume that takes no step, the last line of metrics.jsonl (NaN
	// and nil when no step was ever taken).
	Loss  float64
	Parts map[string]float64
	// Encoder is the trained encoder; after divergence, the encoder of the
	// last good checkpoint (Fit: the encoder before the diverging step).
	Encoder *nn.Encoder
	// History holds the Metric of every step taken in this call, in order.
	History []Metric
	Dir     string // the run directory ("" for Fit)
}

// Metric is one line of metrics.jsonl: the loss of one step, its unweighted
// parts (non-finite values written as null), the learning rate used and the
// Euclidean norm of the gradient of the loss with respect to all
// parameters (before the optimiser step). The file holds only values that
// are reproduced bit for bit by a resumed run (no timings).
type Metric struct {
	Step     int                       `json:"step"` // 1-based: steps done after this one
	Epoch    int                       `json:"epoch"`
	LR       float64                   `json:"lr"`
	Loss     float64                   `json:"loss"`
	GradNorm float64                   `json:"grad_norm"`
	Parts    map[string]data.JSONFloat `json:"parts"`
}

// trainer holds one run in progress.
type trainer struct {
	cfg      Config
	x        *mat.Dense
	y        []int
	n, d     int
	batch    int // originals per step
	full     bool
	perEpoch int
	total    int
	rel      graph.Relation // Config.Relation (views, labels or knn)
	lossFn   loss.Loss
	form     loss.Form
	scaleOf  loss.Loss // the loss whose loss.RowScale applies
	aug      data.Augmenter
	identity bool
	enc      *nn.Encoder
	dtype    nn.Dtype
	opt      nn.Optimizer
	sched    nn.Schedule
	pcg      *rand.PCG
	rng      *rand.Rand
	hash     [32]byte
	dir      string
	log      *slog.Logger
	viewsG   map[int]*graph.CSR
	labelsG  *graph.CSR

	// state between steps (what a checkpoint holds)
	step, epoch, batchIdx int
	perm                  []int

	watch divergence

	// A run directory (Run, Resume) ...
	metrics  *os.File
	mw       *bufio.Writer
	lock     *dirLock
	lastCkpt int
	// ... or none (Fit): the encoder before the current step.
	snap []byte
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

// newTrainer validates cfg, takes the data (x and y, or loadOrUse's) and
// builds everything except the model state (encoder, optimiser, generator), which Run initialises and
// Resume restores.
func newTrainer(op string, cfg Config, x *mat.Dense, y []int, dir string, opts Options) (*trainer, error) {
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	x, y, ds, err := loadOrUse(cfg, x, y, opts.Dataset)
	if err != nil {
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
	if t.rel.Kind == graph.LabelsRelation && y == nil {
		return nil, newErr(op, "relation", cfg.Relation, ErrConfig, "the labels relation needs labels")
	}
	t.batch = cfg.batchRows(n)
	t.full, t.perEpoch = t.batch == n, n/t.batch
	t.total = cfg.Epochs * t.perEpoch
	if cfg.Steps > 0 {
		t.total = cfg.Steps
	}
	if t.rel.Kind == graph.KNNRelation && t.rel.K >= cfg.Views*t.batch {
		return nil, newErr(op, "relation", cfg.Relation, ErrConfig, "k must be below the %d rows of a batch", cfg.Views*t.batch)
	}
	t.lossFn = opts.Loss
	if t.lossFn == nil {
		if t.lossFn, err = loss.New(cfg.Loss, cfg.LossParams); err != nil {
			return nil, &Error{Op: op, Param: "loss", Value: cfg.Loss, Err: err}
		}
	}
	t.form, t.scaleOf = t.lossFn.Form(), t.lossFn
	if _, ok := t.lossFn.(loss.RowScaler); !ok && opts.Loss != nil {
		t.scaleOf, _ = loss.New(cfg.Loss, cfg.LossParams)
	}
	if want, _ := loss.FormOf(cfg.Loss); opts.Loss != nil && t.form != want {
		return nil, newErr(op, "loss", opts.Loss.Name(), ErrConfig, "Options.Loss is %v; Config.Loss %s is %v", t.form, cfg.Loss, want)
	}
	t.aug = opts.Augmenter
	if t.aug == nil {
		var p *data.Pipeline
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
	if err := checkMemory(op, cfg, n, d); err != nil {
		return nil, err
	}
	switch cfg.Schedule {
	case "cosine":
		t.sched = nn.CosineWarmup{BaseLR: cfg.LR, WarmupSteps: cfg.Warmup, TotalSteps: t.total, FinalLR: cfg.FinalLR}
	default:
		t.sched = constantWarmup{base: cfg.LR, w: cfg.Warmup}
	}
	t.dtype, _ = nn.ParseDtype(cfg.Dtype) // checked by Validate
	t.hash = dataHash(x, y)
	return t, nil
}

// loadOrUse returns x and y, or the data of ds (when not nil) or of
// cfg.Data when x is nil.
func loadOrUse(cfg Config, x *mat.Dense, y []int, ds *data.Dataset) (*mat.Dense, []int, *data.Dataset, error) {
	if x != nil {
		return x, y, ds, nil
	}
	if ds != nil {
		return ds.X, ds.Y, ds, nil
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
	t, err := newTrainer(op, cfg, X, y, out, opts)
	if err != nil {
		return nil, err
	}
	if out == "" {
		return nil, newErr(op, "out", nil, ErrConfig, "no run directory (use Fit to train in memory)")
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return nil, &Error{Op: op, Param: "out", Value: out, Err: err}
	}
	if t.lock, err = lockDir(out); err != nil {
		return nil, &Error{Op: op, Param: "out", Value: out, Err: err}
	}
	defer t.lock.release()
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
	if t.form == loss.TwoBranch {
		if err := t.enc.SetViews(t.cfg.Views); err != nil {
			return &Error{Op: op, Param: "views", Value: t.cfg.Views, Err: err}
		}
	}
	if err := t.enc.SetDtype(t.dtype); err != nil {
		return &Error{Op: op, Param: "dtype", Value: t.cfg.Dtype, Err: fmt.Errorf("%w: %w", ErrConfig, err)}
	}
	osp, err := t.cfg.optimizerSpec()
	if err == nil {
		t.opt, err = osp.New()
	}
	if err != nil {
		return &Error{Op: op, Param: "optimizer", Value: t.cfg.Optimizer, Err: err}
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
	lk, err := lockDir(dir)
	if err != nil {
		return nil, &Error{Op: op, Param: "dir", Value: dir, Err: err}
	}
	defer lk.release()
	cfg, err := ReadConfig(dir)
	if err != nil {
		return nil, err
	}
	t, err := newTrainer(op, cfg, X, y, dir, opts)
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
	if c.Dtype != t.dtype {
		return nil, newErr(op, name, dir, ErrCorrupt, "checkpoint dtype %v, config dtype %v", c.Dtype, t.dtype)
	}
	t.enc = new(nn.Encoder)
	if err := t.enc.UnmarshalBinary(c.Encoder); err != nil {
		return nil, &Error{Op: op, Param: name, Value: dir, Err: fmt.Errorf("%w: %w", ErrCorrupt, err)}
	}
	if err := t.enc.SetDtype(t.dtype); err != nil {
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
	last, err := truncateMetrics(filepath.Join(dir, MetricsFile), t.step, t.log, &t.watch)
	if err != nil {
		return nil, &Error{Op: op, Param: MetricsFile, Value: dir, Err: err}
	}
	if t.metrics, err = os.OpenFile(filepath.Join(dir, MetricsFile), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644); err != nil {
		return nil, &Error{Op: op, Param: MetricsFile, Value: dir, Err: err}
	}
	defer t.metrics.Close()
	t.mw = bufio.NewWriter(t.metrics)
	res, err := t.loop(ctx, op, opts)
	if res != nil && len(res.History) == 0 && last != nil {
		res.Loss, res.Parts = last.Loss, derefParts(last.Parts)
	}
	return res, err
}

// Fit trains an encoder in memory, as Run does but without a run
// directory: no files, no checkpoints, no lock. X holds one original per
// row and y its labels (nil when there are none; needed by the labels
// relation); X nil takes the data of Options.Dataset or cfg.Data.
// Config.Steps (or Epochs) sets the length; every step draws fresh
// augmented views (unless FixedViews) and the run is deterministic given
// Config.Seed.
//
// The Result holds the trained encoder, the Metric of every step in
// History (loss, parts, gradient norm, learning rate) and the Status.
// Divergence (see DivergenceFactor) returns the Result with Status Diverged,
// the encoder before the diverging step and an error wrapping ErrDiverged;
// cancelling ctx returns the Result so far with Status Canceled and an
// error wrapping ctx.Err(); Options.StopAfter ends the run early with
// Status Stopped.
func Fit(ctx context.Context, cfg Config, X *mat.Dense, y []int, opts Options) (*Result, error) {
	const op = "Fit"
	t, err := newTrainer(op, cfg, X, y, "", opts)
	if err != nil {
		return nil, err
	}
	if err := t.initModel(op); err != nil {
		return nil, err
	}
	return t.loop(ctx, op, opts)
}

// truncateMetrics keeps the lines of path whose step is at most step,
// replays their losses into w (the divergence rule's running minimum) and
// returns the last line kept (nil when none).
func truncateMetrics(path string, step int, log *slog.Logger, w *divergence) (*Metric, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		b, err = nil, nil
	}
	if err != nil {
		return nil, err
	}
	var last *Metric
	var keep []byte
	lines := 0
	for len(b) > 0 {
		line, rest, found := bytes.Cut(b, []byte{'\n'})
		b = rest
		if !found { // a line cut short by a crash
			break
		}
		var m Metric
		if json.Unmarshal(line, &m) != nil || m.Step > step {
			break
		}
		keep = append(append(keep, line...), '\n')
		lines++
		w.accept(m.Loss)
		last = &m
	}
	if lines != step {
		log.Warn("train: metrics file has fewer lines than the checkpoint's step", "file", path, "lines", lines, "step", step)
	}
	return last, writeFileAtomic(path, keep)
}

// checkpoint flushes the metrics and writes the current state; without a
// run directory (Fit) it keeps the encoder in memory.
func (t *trainer) checkpoint() error {
	if t.dir == "" {
		var err error
		t.snap, err = t.enc.MarshalBinary()
		t.lastCkpt = t.step
		return err
	}
	if err := t.mw.Flush(); err != nil {
		return err
	}
	if err := t.metrics.Sync(); err != nil {
		return err
	}
	c := &checkpoint{Step: t.step, Epoch: t.epoch, Batch: t.batchIdx, Dtype: t.dtype, Perm: t.perm, DataHash: t.hash}
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
// With a run directory each step appends its Metric to metrics.jsonl and
// checkpoints follow Config.CheckpointEvery; without one (Fit) the encoder
// is kept in memory before every step.
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
		if t.dir == "" {
			if err := t.checkpoint(); err != nil {
				return nil, &Error{Op: op, Param: "encoder", Value: t.cfg.Encoder, Err: err}
			}
		}
		m, err := t.doStep()
		if err != nil {
			if !errors.Is(err, ErrDiverged) {
				return nil, &Error{Op: op, Param: "step", Value: t.step + 1, Err: err}
			}
			return t.diverged(op, res, err)
		}
		res.History = append(res.History, m)
		if t.dir != "" {
			if err := t.writeMetric(m); err != nil {
				return nil, &Error{Op: op, Param: MetricsFile, Value: t.dir, Err: err}
			}
		}
		res.Loss, res.Parts = m.Loss, derefParts(m.Parts)
		bar.update(t.step, m.Loss)
		if t.dir != "" && t.cfg.CheckpointEvery > 0 && t.step%t.cfg.CheckpointEvery == 0 {
			if err := t.checkpoint(); err != nil {
				return nil, &Error{Op: op, Param: "checkpoint", Value: t.dir, Err: err}
			}
		}
	}
	if t.dir != "" {
		if t.lastCkpt != t.step {
			if err := t.checkpoint(); err != nil {
				return nil, &Error{Op: op, Param: "checkpoint", Value: t.dir, Err: err}
			}
		}
		if err := t.mw.Flush(); err != nil {
			return nil, &Error{Op: op, Param: MetricsFile, Value: t.dir, Err: err}
		}
	}
	res.Status, res.Steps, res.Epochs, res.Encoder = status, t.step, t.epoch, t.enc
	t.log.Info("train: "+status.String(), "dir", t.dir, "step", t.step, "loss", res.Loss)
	if stopErr != nil {
		return res, &Error{Op: op, Param: "step", Value: t.step, Err: stopErr}
	}
	return res, nil
}

// diverged ends a run that broke the divergence rule: the Result carries
// the last good encoder (the last checkpoint's, or Fit's copy from before
// the step) and the error wraps ErrDiverged.
func (t *trainer) diverged(op string, res *Result, err error) (*Result, error) {
	res.Status, res.Steps, res.Epochs = Diverged, t.step, t.epoch
	if t.dir == "" {
		res.Encoder = new(nn.Encoder)
		if uerr := res.Encoder.UnmarshalBinary(t.snap); uerr != nil || res.Encoder.SetDtype(t.dtype) != nil {
			res.Encoder = nil
		}
	} else {
		t.mw.Flush()
		res.Encoder, _ = LoadEncoder(t.dir)
	}
	t.log.Error("train: diverged", "dir", t.dir, "step", t.step+1, "last_good", t.lastCkpt, "err", err)
	return res, &Error{Op: op, Param: "step", Value: t.step + 1, Err: fmt.Errorf("%w (last good state at step %d)", err, t.lastCkpt)}
}

func derefParts(p map[string]data.JSONFloat) map[string]float64 {
	out := make(map[string]float64, len(p))
	for k, v := range p {
		out[k] = float64(v)
	}
	return out
}

func (t *trainer) writeMetric(m Metric) error {
	b, err := jsonLine(m)
	if err != nil {
		return err
	}
	_, err = t.mw.Write(b)
	return err
}

// jsonLine is the metrics.jsonl line of m, newline included.
func jsonLine(m Metric) ([]byte, error) {
	b, err := json.Marshal(m)
	return append(b, '\n'), err
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
