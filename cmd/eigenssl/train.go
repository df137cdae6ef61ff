package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/eigenssl/eigenssl/data"
	"github.com/eigenssl/eigenssl/linalg"
	"github.com/eigenssl/eigenssl/loss"
	"github.com/eigenssl/eigenssl/train"
	"github.com/spf13/cobra"
)

func init() { verbs = append(verbs, NewCmdTrain) }

// trainOptions are the flags of the "train" verb.
type trainOptions struct {
	Cfg        train.Config
	Params     []string
	ImageShape string
	Out        string
	Resume     string
	StopAfter  int
}

// trainConfigFlags are the flags that describe a new run; --resume takes
// the saved configuration and rejects them.
var trainConfigFlags = []string{"loss", "param", "encoder", "dtype", "optimizer", "lr", "wd", "schedule", "warmup",
	"final-lr", "views", "augment", "fixed-views", "relation", "batch", "epochs", "steps", "seed", "checkpoint-every",
	"input", "labels", "dataset", "n", "data-seed", "image-shape", "out"}

// NewCmdTrain returns the "train" verb: train an encoder with an SSL loss,
// or resume a run.
func NewCmdTrain(s *Streams) *cobra.Command {
	opts := &trainOptions{}
	cmd := &cobra.Command{
		Use: "train --loss NAME --encoder SPEC (--input X.npy [--labels y.npy] | --dataset NAME) --out DIR [flags]\n" +
			"  eigenssl train --resume DIR",
		Short: "Train an encoder with a self-supervised loss (checkpointed, resumable)",
		Long: `Train an encoder (nn spec: linear:K, mlp:512,128, mlp:512|proj:256,256+bn,
rff:2048,gamma=0.1|linear:64, kernel:rbf,gamma=0.1|64) with an SSL loss on
mini-batches of --views augmented views per sample.

Two-branch losses (vicreg_official, barlowtwins_official, ntxent,
spectral_contrastive) take the two views as Z1, Z2 (--views 2). G-form losses
(vicreg_gform, simclr_gform, barlowtwins_gform, spectral_contrastive_gform)
take the stacked views and the batch graph --relation: views (default),
labels, or knn:k=K (neighbours among the batch inputs, joined with the views).
--batch 0 trains full batch; --fixed-views draws the views once.

The run directory --out receives config.json, metrics.jsonl (loss and parts per
step) and checkpoint.bin (written atomically before the first step, every
--checkpoint-every steps and at the end). Ctrl-C stops after the current step
with a checkpoint. "eigenssl train --resume DIR" continues to the configured
end, bit for bit the trajectory of an uninterrupted run; the run directory is
locked for the whole run (a second train on it fails with "in use by pid P").
Divergence (a NaN/Inf value, or a loss more than 10^4 times its scale above
its running minimum; see train.DivergenceFactor) stops with an error and keeps
the last good checkpoint, for every optimiser. --steps N replaces --epochs.
An encoder or batch that cannot fit in memory (EIGENSSL_MEMORY_LIMIT, default
half of physical memory) is refused before anything is allocated. A progress
bar is drawn when stderr is a terminal. Prints one JSON summary line (the
final loss also for --resume of a finished run).

Augmentations (--augment, joined with +):
` + indent(data.AugmentOps),
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return trainRun(cmd, opts, s) },
	}
	f := cmd.Flags()
	c := &opts.Cfg
	f.StringVar(&c.Loss, "loss", "", "loss name: "+strings.Join(loss.Names(), ", "))
	f.StringArrayVar(&opts.Params, "param", nil, "loss hyper-parameter key=value (repeatable)")
	f.StringVar(&c.Encoder, "encoder", "", "encoder spec, e.g. mlp:512,128")
	f.StringVar(&c.Dtype, "dtype", train.DefaultDtype, "arithmetic of encoder and optimiser: float64 or float32 (linear/mlp encoders)")
	f.StringVar(&c.Optimizer, "optimizer", train.DefaultOptimizer, "optimiser spec: sgd[:momentum=..], adam, adamw[:wd=..], lars[:..]")
	f.Float64Var(&c.LR, "lr", train.DefaultLR, "base learning rate")
	f.Float64Var(&c.WeightDecay, "wd", 0, "weight decay (added to the optimiser spec)")
	f.StringVar(&c.Schedule, "schedule", train.DefaultSchedule, "learning-rate schedule: constant or cosine")
	f.IntVar(&c.Warmup, "warmup", 0, "linear warm-up steps")
	f.Float64Var(&c.FinalLR, "final-lr", 0, "final learning rate of the cosine schedule")
	f.IntVar(&c.Views, "views", train.DefaultViews, "views per sample")
	f.StringVar(&c.Augment, "augment", "none", "augmentation pipeline, e.g. shift:2+noise:0.1")
	f.BoolVar(&c.FixedViews, "fixed-views", false, "draw the views once instead of every step")
	f.StringVar(&c.Relation, "relation", train.DefaultRelation, "batch graph of G-form losses: views, labels, knn:k=K")
	f.IntVar(&c.Batch, "batch", 256, "originals per batch (0: full batch)")
	f.IntVar(&c.Epochs, "epochs", 20, "epochs")
	f.IntVar(&c.Steps, "steps", 0, "total optimiser steps instead of --epochs")
	f.Uint64Var(&c.Seed, "seed", 1, "seed of every random choice")
	f.IntVar(&c.CheckpointEvery, "checkpoint-every", 0, "checkpoint every N steps (0: start and end only)")
	f.StringVar(&c.Data.Input, "input", "", "training matrix (.npy/.npz/.csv), one sample per row")
	f.StringVar(&c.Data.Labels, "labels", "", "labels of --input (for --relation labels)")
	f.StringVar(&c.Data.Dataset, "dataset", "", "named data set (digits, mnist, blobs, ...) instead of --input")
	f.IntVar(&c.Data.N, "n", 0, "samples of --dataset (0: all, or the generator default)")
	f.Uint64Var(&c.Data.Seed, "data-seed", 0, "seed of --dataset subsampling or generation")
	f.StringVar(&opts.ImageShape, "image-shape", "", "HxW of --input rows, for image augmentations")
	f.StringVar(&opts.Out, "out", "", "run directory (created; must not hold a run)")
	f.StringVar(&opts.Resume, "resume", "", "resume the run in this directory")
	f.IntVar(&opts.StopAfter, "stop-after", 0, "stop (with a checkpoint) after this many steps in total")
	return cmd
}

func trainRun(cmd *cobra.Command, opts *trainOptions, s *Streams) error {
	ctx := cmd.Context()
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt)
	defer stop()
	if opts.StopAfter < 0 {
		return usagef("train: --stop-after %d: want ≥ 0", opts.StopAfter)
	}
	// A run is one step after another, each a few large products: let a
	// native BLAS use every core (OPENBLAS_NUM_THREADS still wins).
	linalg.UseBLASThreads(runtime.GOMAXPROCS(0))
	ropts := train.Options{
		StopAfter: opts.StopAfter,
		Progress:  s.Err,
		Logger:    slog.New(slog.NewTextHandler(s.Err, &slog.HandlerOptions{Level: slog.LevelWarn})),
	}
	var res *train.Result
	var err error
	if opts.Resume != "" {
		for _, name := range trainConfigFlags {
			if cmd.Flags().Changed(name) {
				return usagef("train: --resume takes the saved configuration; --%s is not allowed with it", name)
			}
		}
		res, err = train.Resume(ctx, opts.Resume, nil, nil, ropts)
	} else {
		cfg := opts.Cfg
		switch {
		case cfg.Loss == "":
			return usagef("train: --loss is required (one of %s)", strings.Join(loss.Names(), ", "))
		case cfg.Encoder == "":
			return usagef("train: --encoder is required (e.g. mlp:512,128)")
		case opts.Out == "":
			return usagef("train: --out is required")
		case (cfg.Data.Input == "") == (cfg.Data.Dataset == ""):
			return usagef("train: give exactly one of --input and --dataset")
		case cfg.Data.Labels != "" && cfg.Data.Input == "":
			return usagef("train: --labels goes with --input")
		}
		// Absolute paths, so that --resume works from any directory.
		for _, p := range []*string{&cfg.Data.Input, &cfg.Data.Labels} {
			if *p != "" {
				if abs, err := filepath.Abs(*p); err == nil {
					*p = abs
				}
			}
		}
		if err := checkExplicit(cmd, &cfg); err != nil {
			return err
		}
		if cfg.LossParams, err = parseParams("train", opts.Params); err != nil {
			return err
		}
		if opts.ImageShape != "" {
			if cfg.Data.ImageShape, err = parseShape("train", opts.ImageShape); err != nil {
				return err
			}
		}
		if err := cfg.Validate(); err != nil {
			return usageError{err}
		}
		res, err = train.Run(ctx, cfg, nil, nil, opts.Out, ropts)
	}
	if res != nil {
		out, jerr := json.Marshal(struct {
			Status     string         `json:"status"`
			Steps      int            `json:"steps"`
			TotalSteps int            `json:"total_steps"`
			Epochs     int            `json:"epochs"`
			Loss       data.JSONFloat `json:"loss"` // null when no step was taken
			Dir        string         `json:"dir"`
		}{res.Status.String(), res.Steps, res.TotalSteps, res.Epochs, data.JSONFloat(res.Loss), res.Dir})
		if jerr == nil {
			fmt.Fprintf(s.Out, "%s\n", out)
		}
	}
	if err != nil && errors.Is(err, train.ErrConfig) {
		return usageError{err}
	}
	if err != nil && errors.Is(err, train.ErrTooLarge) {
		return fmt.Errorf("train: --encoder %q (or --batch): %w", opts.Cfg.Encoder, err)
	}
	return err
}

// checkExplicit refuses flags given explicitly with a value that the
// library reads as "use the default" (train.Config's zero values), so that
// "--lr 0" is an error instead of training at the default rate; it also
// lets --steps replace the --epochs default.
func checkExplicit(cmd *cobra.Command, cfg *train.Config) error {
	f := cmd.Flags()
	zero := []struct {
		flag   string
		isZero bool
		want   string
	}{
		{"lr", cfg.LR == 0, "a learning rate > 0"},
		{"views", cfg.Views == 0, "≥ 1 views"},
		{"epochs", cfg.Epochs == 0, "≥ 1 epochs (or --steps)"},
		{"steps", cfg.Steps == 0, "≥ 1 steps (or omit --steps to use --epochs)"},
		{"optimizer", cfg.Optimizer == "", "an optimiser spec such as adam or sgd:momentum=0.9"},
		{"schedule", cfg.Schedule == "", "constant or cosine"},
		{"relation", cfg.Relation == "", "views, labels or knn:k=K"},
		{"augment", cfg.Augment == "", `an augmentation spec, or "none"`},
		{"dtype", cfg.Dtype == "", "float64 or float32"},
	}
	for _, z := range zero {
		if f.Changed(z.flag) && z.isZero {
			return usagef("train: --%s %q: want %s", z.flag, f.Lookup(z.flag).Value.String(), z.want)
		}
	}
	if f.Changed("steps") {
		if f.Changed("epochs") {
			return usagef("train: give --steps or --epochs, not both")
		}
		cfg.Epochs = 0
	}
	return nil
}

func indent(s string) string {
	return "  " + strings.ReplaceAll(s, "\n", "\n  ")
}
