package train

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/eigenssl/eigenssl/data"
	"github.com/eigenssl/eigenssl/graph"
	"github.com/eigenssl/eigenssl/internal/spec"
	"github.com/eigenssl/eigenssl/loss"
	"github.com/eigenssl/eigenssl/nn"
)

// Defaults of the zero Config fields.
const (
	DefaultOptimizer = "adam"
	DefaultLR        = 1e-3
	DefaultViews     = 2
	DefaultRelation  = "views"
	DefaultSchedule  = "constant"
	DefaultEpochs    = 1
	DefaultDtype     = "float64"
)

// Config is the complete, serialisable description of a training run. It is
// saved as config.json in the run directory, with every default filled in,
// and is all Resume needs besides the data. The zero value of a field means
// its documented default.
type Config struct {
	// Loss is a loss name of loss.Names (or an alias); LossParams are its
	// hyper-parameters (loss.New keys).
	Loss       string             `json:"loss"`
	LossParams map[string]float64 `json:"loss_params,omitempty"`
	// Encoder is an nn.ParseEncoder spec such as "mlp:512,128".
	Encoder string `json:"encoder"`
	// Dtype is "float64" (default) or "float32" (nn.ParseDtype): the
	// arithmetic of the encoder's forward and backward passes and of the
	// optimiser (see nn.Dtype; float32 needs a linear or mlp encoder, with
	// an optional projector). In float32 a loss with a float32 path
	// (loss.Float32: vicreg_official, barlowtwins_official, ntxent) is evaluated in
	// float32; any other loss in float64 on the float32 representation
	// (exactly converted), its gradient rounded to float32 before
	// back-propagation.
	Dtype string `json:"dtype,omitempty"`
	// Optimizer is an nn.ParseOptimizer spec (default "adam").
	// WeightDecay, when non-zero, is appended to it as wd=...; the spec
	// must not set wd itself then.
	Optimizer   string  `json:"optimizer"`
	LR          float64 `json:"lr"` // base learning rate (default 1e-3)
	WeightDecay float64 `json:"weight_decay,omitempty"`
	// Schedule is "constant" (default): lr(s) = LR·s/Warmup for s < Warmup,
	// then LR; or "cosine": nn.CosineWarmup from LR to FinalLR over the
	// whole run. Steps s count from 0.
	Schedule string  `json:"schedule"`
	Warmup   int     `json:"warmup,omitempty"` // warm-up steps
	FinalLR  float64 `json:"final_lr,omitempty"`
	// Views is the number V of augmented views of each original in a
	// batch (default 2). Views = 1 needs a label or kNN relation.
	Views int `json:"views"`
	// Augment is a data.ParseAugment spec ("" or "none": identical views).
	Augment string `json:"augment,omitempty"`
	// FixedViews draws the views of every sample once (the same at every
	// step), so that training optimises one fixed problem (X̃, G): the
	// set-up of the closed forms. Otherwise views are redrawn every step.
	FixedViews bool `json:"fixed_views,omitempty"`
	// Relation builds the batch graph G of G-form losses, in the grammar of
	// graph.ParseRelation: "views" (default; graph.Views), "labels" (same
	// label, needs labels) or "knn:k=K[,metric=...,sym=...,weight=...,
	// sigma=...]" (graph.KNN among the batch rows in input space, joined
	// (graph.Join, elementwise max) with the views graph when Views ≥ 2;
	// "knn:K" is an alias). Two-branch losses need "views".
	Relation string `json:"relation"`
	// Batch is the number of originals per step; 0, or at least the number
	// of samples, means full batch (one step per epoch, rows in data order).
	// Otherwise each epoch is a seeded permutation cut into ⌊N/Batch⌋
	// batches (the remainder is dropped, as drop_last).
	Batch  int `json:"batch"`
	Epochs int `json:"epochs"` // default 1 (when Steps is 0)
	// Steps, when > 0, is the total number of optimiser steps instead of
	// Epochs × batches per epoch (Epochs must then be 0); epochs still
	// count whole passes over the permutations.
	Steps int `json:"steps,omitempty"`
	// Seed fixes the initial parameters, the permutations and the
	// augmentations.
	Seed uint64 `json:"seed"`
	// CheckpointEvery writes a checkpoint every that many steps (0: only at
	// the start and the end of the run).
	CheckpointEvery int `json:"checkpoint_every,omitempty"`
	// Data records where the data came from, so that a resumed run can
	// reload them (see LoadData). Run does not read it.
	Data DataSource `json:"data"`
}

// DataSource says where training data come from: a matrix file (Input, with
// optional Labels) or a named data set of package data.
type DataSource struct {
	Input   string `json:"input,omitempty"`
	Labels  string `json:"labels,omitempty"`
	Dataset string `json:"dataset,omitempty"`
	// N and Seed are data.LoadOptions for Dataset.
	N    int    `json:"n,omitempty"`
	Seed uint64 `json:"seed,omitempty"`
	// ImageShape (height, width) of the rows for image augmentations of
	// Input files; named data sets bring their own.
	ImageShape [2]int `json:"image_shape,omitzero"`
}

// LoadData reads the data a DataSource describes. A named data set keeps
// its image shape; an Input file gets src.ImageShape.
func LoadData(src DataSource) (*data.Dataset, error) {
	const op = "LoadData"
	switch {
	case src.Input != "" && src.Dataset != "":
		return nil, newErr(op, "data", nil, ErrConfig, "give either an input file or a data set name, not both")
	case src.Dataset != "":
		ds, err := data.Load(src.Dataset, data.LoadOptions{N: src.N, Seed: src.Seed})
		if err != nil {
			return nil, &Error{Op: op, Param: "dataset", Value: src.Dataset, Err: err}
		}
		return ds, nil
	case src.Input != "":
		x, err := data.ReadMatrix(src.Input)
		if err != nil {
			return nil, &Error{Op: op, Param: "input", Value: src.Input, Err: err}
		}
		ds := &data.Dataset{Name: src.Input, X: x, ImageShape: src.ImageShape}
		if src.Labels != "" {
			y, err := data.ReadLabels(src.Labels)
			if err != nil {
				return nil, &Error{Op: op, Param: "labels", Value: src.Labels, Err: err}
			}
			if r, _ := x.Dims(); len(y) != r {
				return nil, newErr(op, "labels", src.Labels, ErrShape, "%d labels for %d rows", len(y), r)
			}
			ds.Y = y
			for _, c := range y {
				ds.Classes = max(ds.Classes, c+1)
			}
		}
		return ds, nil
	}
	return nil, newErr(op, "data", nil, ErrConfig, "no input file or data set name")
}

// parseRelation parses s with graph.ParseRelation and keeps the batch
// relations: "views" (V from Config.Views), "labels" (labels from the data)
// and "knn:k=K[,...]".
func parseRelation(s string) (graph.Relation, error) {
	r, err := graph.ParseRelation(s)
	if err != nil {
		return graph.Relation{}, err
	}
	switch {
	case r.Kind == graph.ViewsRelation && (r.V != 0 || r.Augment != ""):
		return graph.Relation{}, fmt.Errorf("%q: give the views and augmentations as Views and Augment, the relation as plain views", s)
	case r.Kind == graph.LabelsRelation && r.Path != "":
		return graph.Relation{}, fmt.Errorf("%q: the labels come with the data (DataSource.Labels); use plain labels", s)
	case r.Kind == graph.EpsilonRelation || r.Kind == graph.EdgesRelation:
		return graph.Relation{}, fmt.Errorf("unsupported relation %q on batches (want views, labels or knn:k=K)", s)
	}
	return r, nil
}

// withDefaults returns c with every zero field set to its default.
func (c Config) withDefaults() Config {
	if c.Optimizer == "" {
		c.Optimizer = DefaultOptimizer
	}
	if c.LR == 0 {
		c.LR = DefaultLR
	}
	if c.Views == 0 {
		c.Views = DefaultViews
	}
	if c.Relation == "" {
		c.Relation = DefaultRelation
	}
	if c.Schedule == "" {
		c.Schedule = DefaultSchedule
	}
	if c.Epochs == 0 && c.Steps == 0 {
		c.Epochs = DefaultEpochs
	}
	if c.Augment == "" {
		c.Augment = "none"
	}
	if c.Dtype == "" {
		c.Dtype = DefaultDtype
	}
	if c.Loss != "" {
		c.Loss = loss.Canonical(c.Loss)
	}
	return c
}

// optimizerSpec parses Optimizer into the typed nn.OptimizerSpec and sets
// its weight decay to WeightDecay when that is non-zero (then the text must
// not set wd itself).
func (c Config) optimizerSpec() (nn.OptimizerSpec, error) {
	o, err := nn.ParseOptimizerSpec(c.Optimizer)
	if err != nil || c.WeightDecay == 0 {
		return o, err
	}
	sp, _ := spec.Parse(c.Optimizer)
	for _, a := range sp.Args {
		if a.Key == "wd" || a.Key == "weight_decay" {
			return o, fmt.Errorf("weight decay given both in the optimiser spec %q and as %g", c.Optimizer, c.WeightDecay)
		}
	}
	o.WeightDecay = c.WeightDecay
	return o, nil
}

// Validate checks c (with defaults filled in) without touching data: loss,
// encoder and optimiser specs parse, numbers are in range and the loss,
// relation and view count fit together. Errors wrap ErrConfig.
func (c Config) Validate() error {
	const op = "Config.Validate"
	c = c.withDefaults()
	bad := func(param string, value any, format string, args ...any) error {
		return newErr(op, param, value, ErrConfig, format, args...)
	}
	if c.Loss == "" {
		return bad("loss", nil, "missing (one of %s)", strings.Join(loss.Names(), ", "))
	}
	if _, err := loss.New(c.Loss, c.LossParams); err != nil {
		return &Error{Op: op, Param: "loss", Value: c.Loss, Err: fmt.Errorf("%w: %w", ErrConfig, err)}
	}
	if c.Encoder == "" {
		return bad("encoder", nil, "missing (e.g. linear:64 or mlp:512,128)")
	}
	if _, err := nn.SpecSize(c.Encoder, 1); err != nil { // no allocation
		return &Error{Op: op, Param: "encoder", Value: c.Encoder, Err: fmt.Errorf("%w: %w", ErrConfig, err)}
	}
	if _, err := nn.ParseDtype(c.Dtype); err != nil {
		return &Error{Op: op, Param: "dtype", Value: c.Dtype, Err: fmt.Errorf("%w: %w", ErrConfig, err)}
	}
	if _, err := nn.ParseOptimizerSpec(c.Optimizer); err != nil {
		return &Error{Op: op, Param: "optimizer", Value: c.Optimizer, Err: fmt.Errorf("%w: %w", ErrConfig, err)}
	}
	osp, err := c.optimizerSpec()
	if err != nil {
		return bad("weight_decay", c.WeightDecay, "%v", err)
	}
	if _, err := osp.New(); err != nil {
		return &Error{Op: op, Param: "optimizer", Value: osp.String(), Err: fmt.Errorf("%w: %w", ErrConfig, err)}
	}
	for _, h := range []struct {
		name string
		v    float64
	}{{"lr", c.LR}, {"final_lr", c.FinalLR}, {"weight_decay", c.WeightDecay}} {
		if h.name == "lr" && !(h.v > 0 && !math.IsInf(h.v, 0)) {
			return bad(h.name, h.v, "want a finite value > 0")
		}
		if math.IsNaN(h.v) || math.IsInf(h.v, 0) || h.v < 0 {
			return bad(h.name, h.v, "want a finite value ≥ 0")
		}
	}
	if !slices.Contains([]string{"constant", "cosine"}, c.Schedule) {
		return bad("schedule", c.Schedule, "want constant or cosine")
	}
	if c.Warmup < 0 {
		return bad("warmup", c.Warmup, "want ≥ 0 steps")
	}
	if c.Views < 1 {
		return bad("views", c.Views, "want ≥ 1")
	}
	if c.Batch < 0 || c.Batch == 1 {
		return bad("batch", c.Batch, "want 0 (full batch) or ≥ 2")
	}
	switch {
	case c.Steps < 0:
		return bad("steps", c.Steps, "want ≥ 0 (0: Epochs sets the length)")
	case c.Steps > 0 && c.Epochs != 0:
		return bad("epochs", c.Epochs, "give Steps (%d) or Epochs, not both", c.Steps)
	case c.Steps == 0 && c.Epochs < 1:
		return bad("epochs", c.Epochs, "want ≥ 1")
	}
	if c.CheckpointEvery < 0 {
		return bad("checkpoint_every", c.CheckpointEvery, "want ≥ 0")
	}
	// Syntax only: image sizes and the latent model come with the data.
	syntax := &data.Dataset{ImageShape: [2]int{1 << 10, 1 << 10}, Latent: &data.LatentModel{}}
	if _, err := data.ParseAugmentFor(c.Augment, syntax); err != nil {
		return &Error{Op: op, Param: "augment", Value: c.Augment, Err: fmt.Errorf("%w: %w", ErrConfig, err)}
	}
	rel, err := parseRelation(c.Relation)
	if err != nil {
		return bad("relation", c.Relation, "%v", err)
	}
	if form, _ := loss.FormOf(c.Loss); form == loss.TwoBranch {
		if c.Views != 2 {
			return bad("views", c.Views, "two-branch loss %s needs exactly 2 views (use a *_gform loss for V ≠ 2)", c.Loss)
		}
		if rel.Kind != graph.ViewsRelation {
			return bad("relation", c.Relation, "two-branch loss %s pairs the two views; use a *_gform loss for label or kNN relations", c.Loss)
		}
	} else if rel.Kind == graph.ViewsRelation && c.Views < 2 {
		return bad("views", c.Views, "the views relation needs at least 2 views")
	}
	return nil
}

// File names inside a run directory.
const (
	ConfigFile     = "config.json"
	CheckpointFile = "checkpoint.bin"
	PrevCheckpoint = "checkpoint.prev"
	TempCheckpoint = "checkpoint.tmp"
	MetricsFile    = "metrics.jsonl"
)

// ReadConfig reads the config.json of the run directory dir.
func ReadConfig(dir string) (Config, error) {
	var c Config
	b, err := os.ReadFile(filepath.Join(dir, ConfigFile))
	if err != nil {
		return c, &Error{Op: "ReadConfig", Param: "dir", Value: dir, Err: err}
	}
	if err := json.Unmarshal(b, &c); err != nil {
		return c, newErr("ReadConfig", ConfigFile, dir, ErrConfig, "%v", err)
	}
	return c, nil
}

func writeConfig(dir string, c Config) error {
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(filepath.Join(dir, ConfigFile), append(b, '\n'))
}
