package train

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/eigenssl/eigenssl/data"
	"github.com/eigenssl/eigenssl/graph"
	"github.com/eigenssl/eigenssl/loss"
	"github.com/eigenssl/eigenssl/nn"
	"gonum.org/v1/gonum/mat"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// blobs returns n samples in d dimensions around c class centres, labels
// i mod c.
func blobs(n, d, c int, seed uint64) (*mat.Dense, []int) {
	rng := rand.New(rand.NewPCG(seed, 1))
	centres := mat.NewDense(c, d, nil)
	for i := range c {
		for j := range d {
			centres.Set(i, j, 3*rng.NormFloat64())
		}
	}
	x := mat.NewDense(n, d, nil)
	y := make([]int, n)
	for i := range n {
		y[i] = i % c
		for j := range d {
			x.Set(i, j, centres.At(y[i], j)+rng.NormFloat64())
		}
	}
	return x, y
}

func opts() Options { return Options{Logger: quiet} }

// snapshot is everything a run leaves that must be reproduced exactly.
type snapshot struct {
	enc     []byte // encoder bytes of the final checkpoint
	opt     []byte
	metrics []byte
	step    int
}

func snap(t *testing.T, dir string) snapshot {
	t.Helper()
	c, name, err := readCheckpoint(dir)
	if err != nil || name != CheckpointFile {
		t.Fatalf("readCheckpoint(%s): %v (file %s)", dir, err, name)
	}
	m, err := os.ReadFile(filepath.Join(dir, MetricsFile))
	if err != nil {
		t.Fatal(err)
	}
	return snapshot{enc: c.Encoder, opt: c.Opt, metrics: m, step: c.Step}
}

func sameSnapshot(t *testing.T, got, want snapshot) {
	t.Helper()
	if got.step != want.step {
		t.Fatalf("step %d; want %d", got.step, want.step)
	}
	if !bytes.Equal(got.enc, want.enc) {
		t.Errorf("encoder bytes differ from the uninterrupted run")
	}
	if !bytes.Equal(got.opt, want.opt) {
		t.Errorf("optimiser bytes differ from the uninterrupted run")
	}
	if !bytes.Equal(got.metrics, want.metrics) {
		t.Errorf("metrics differ from the uninterrupted run:\ngot\n%s\nwant\n%s", got.metrics, want.metrics)
	}
}

// countingLoss wraps a loss and calls hook before evaluation number k
// (1-based); hook may replace the result.
type countingLoss struct {
	loss.Loss
	calls atomic.Int64
	hook  func(k int, r *loss.Result) error
}

func (c *countingLoss) Eval(in loss.Inputs, wantGrad bool) (loss.Result, error) {
	k := int(c.calls.Add(1))
	r, err := c.Loss.Eval(in, wantGrad)
	if err == nil && c.hook != nil {
		err = c.hook(k, &r)
	}
	return r, err
}

// countingLoss32 is countingLoss for a loss with a float32 path, so that
// float32 runs through a counting loss take the same path as without.
type countingLoss32 struct{ *countingLoss }

func (c countingLoss32) Eval32(in loss.Inputs32, wantGrad bool) (loss.Result32, error) {
	k := int(c.calls.Add(1))
	r, err := c.Loss.(loss.Float32).Eval32(in, wantGrad)
	if err == nil && c.hook != nil {
		var r64 loss.Result
		err = c.hook(k, &r64)
	}
	return r, err
}

// counting wraps l in a countingLoss (countingLoss32 when l has a float32
// path).
func counting(l loss.Loss, hook func(k int, r *loss.Result) error) loss.Loss {
	c := &countingLoss{Loss: l, hook: hook}
	if _, ok := l.(loss.Float32); ok {
		return countingLoss32{c}
	}
	return c
}

func resumeConfigs() map[string]Config {
	return map[string]Config{
		"vicreg_official/mlp+bn/minibatch": {
			Loss: "vicreg_official", Encoder: "mlp:16,8|proj:8,8+bn", Optimizer: "lars", LR: 0.2,
			Views: 2, Augment: "noise:0.1+mask:0.1", Batch: 8, Epochs: 4, Seed: 3, CheckpointEvery: 3,
			Schedule: "cosine", Warmup: 4,
		},
		"simclr_gform/knn/V=3": {
			Loss: "simclr_gform", Encoder: "mlp:12,6", Optimizer: "sgd:momentum=0.9", LR: 0.01,
			Views: 3, Augment: "noise:0.2", Relation: "knn:k=3", Batch: 10, Epochs: 4, Seed: 5, CheckpointEvery: 5,
		},
		"barlowtwins_gform/labels/kernel/minibatch": {
			Loss: "barlowtwins_gform", Encoder: "kernel:rbf,gamma=0.2|3", Optimizer: "adam", LR: 0.01,
			Views: 2, Augment: "noise:0.1", Relation: "labels", Batch: 12, Epochs: 4, Seed: 11, CheckpointEvery: 5,
		},
		"spectral_contrastive/rff/minibatch": {
			Loss: "spectral_contrastive", Encoder: "rff:32,gamma=0.1|linear:4", Optimizer: "sgd:momentum=0.9,nesterov", LR: 0.01,
			Augment: "mask:0.2", Batch: 10, Epochs: 4, Seed: 12, CheckpointEvery: 2,
		},
		"vicreg_official/mlp+bn/float32/minibatch": {
			Loss: "vicreg_official", Encoder: "mlp:16,8|proj:8,8+bn", Optimizer: "adam", LR: 0.01, Dtype: "float32",
			Views: 2, Augment: "noise:0.1+mask:0.1", Batch: 8, Epochs: 4, Seed: 3, CheckpointEvery: 3,
			Schedule: "cosine", Warmup: 4,
		},
		"simclr_gform/knn/float32/sgd": {
			Loss: "simclr_gform", Encoder: "mlp:12,6", Optimizer: "sgd:momentum=0.9", LR: 0.01, Dtype: "float32",
			Views: 3, Augment: "noise:0.2", Relation: "knn:k=3", Batch: 10, Epochs: 4, Seed: 5, CheckpointEvery: 5,
		},
		"spectral_contrastive_gform/labels/V=1/full": {
			Loss: "spectral_contrastive_gform", Encoder: "linear:3", Optimizer: "adamw", LR: 0.01, WeightDecay: 0.001,
			Views: 1, Relation: "labels", Epochs: 20, Seed: 7, CheckpointEvery: 4,
		},
	}
}

// TestResumeBitExact stops runs in three ways (StopAfter, context
// cancellation, a crash without a final checkpoint) and checks that Resume
// ends with the parameters, optimiser state and metrics of an uninterrupted
// run, byte for byte.
func TestResumeBitExact(t *testing.T) {
	x, y := blobs(40, 5, 4, 1)
	for name, cfg := range resumeConfigs() {
		t.Run(name, func(t *testing.T) {
			base := t.TempDir()
			full := filepath.Join(base, "full")
			res, err := Run(context.Background(), cfg, x, y, full, opts())
			if err != nil {
				t.Fatal(err)
			}
			if res.Status != Completed || res.Steps != res.TotalSteps || res.Steps < 10 {
				t.Fatalf("uninterrupted run: status %v, %d of %d steps", res.Status, res.Steps, res.TotalSteps)
			}
			want := snap(t, full)
			if c, _, _ := readCheckpoint(full); c.Dtype.String() != cfg.withDefaults().Dtype {
				t.Fatalf("checkpoint dtype %v; want %s", c.Dtype, cfg.withDefaults().Dtype)
			}
			if cfg.Dtype == "float32" {
				for _, p := range res.Encoder.Params() {
					for _, v := range p.Value.RawMatrix().Data {
						if float64(float32(v)) != v {
							t.Fatalf("%s holds %v, not a float32 value", p.Name, v)
						}
					}
				}
			}
			k := res.TotalSteps/2 + 1

			t.Run("StopAfter", func(t *testing.T) {
				dir := filepath.Join(base, "stop")
				r, err := Run(context.Background(), cfg, x, y, dir, Options{Logger: quiet, StopAfter: k})
				if err != nil || r.Status != Stopped || r.Steps != k {
					t.Fatalf("stopped run: %v, status %v, steps %d; want %d", err, r.Status, r.Steps, k)
				}
				if r, err = Resume(context.Background(), dir, x, y, opts()); err != nil || r.Status != Completed {
					t.Fatalf("Resume: %v, %+v", err, r)
				}
				sameSnapshot(t, snap(t, dir), want)
			})

			t.Run("cancel", func(t *testing.T) {
				dir := filepath.Join(base, "cancel")
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				l, _ := loss.New(cfg.Loss, cfg.LossParams)
				cl := counting(l, func(n int, _ *loss.Result) error {
					if n == k {
						cancel()
					}
					return nil
				})
				r, err := Run(ctx, cfg, x, y, dir, Options{Logger: quiet, Loss: cl})
				if !errors.Is(err, context.Canceled) || r == nil || r.Status != Canceled || r.Steps != k {
					t.Fatalf("cancelled run: err %v, result %+v; want context.Canceled after %d steps", err, r, k)
				}
				if _, err := Resume(context.Background(), dir, x, y, opts()); err != nil {
					t.Fatal(err)
				}
				sameSnapshot(t, snap(t, dir), want)
			})

			t.Run("crash", func(t *testing.T) {
				// A failure that is not divergence ends the run without a
				// final checkpoint, like a kill: metrics run ahead of the
				// last checkpoint and a half-written checkpoint.tmp is left.
				dir := filepath.Join(base, "crash")
				l, _ := loss.New(cfg.Loss, cfg.LossParams)
				crash := errors.New("simulated crash")
				cl := counting(l, func(n int, _ *loss.Result) error {
					if n == k+1 {
						return crash
					}
					return nil
				})
				if _, err := Run(context.Background(), cfg, x, y, dir, Options{Logger: quiet, Loss: cl}); !errors.Is(err, crash) {
					t.Fatalf("got %v; want the simulated crash", err)
				}
				c, _, err := readCheckpoint(dir)
				if err != nil || c.Step != k-k%cfg.CheckpointEvery {
					t.Fatalf("checkpoint after crash: %v, step %d; want %d", err, c.Step, k-k%cfg.CheckpointEvery)
				}
				if err := os.WriteFile(filepath.Join(dir, TempCheckpoint), []byte("ESSLCKP\x01 garbage cut short"), 0o644); err != nil {
					t.Fatal(err)
				}
				if _, err := Resume(context.Background(), dir, x, y, opts()); err != nil {
					t.Fatal(err)
				}
				sameSnapshot(t, snap(t, dir), want)
			})
		})
	}
}

// TestCheckpointFallback checks that a corrupt or missing checkpoint.bin
// (a kill during the write) falls back to checkpoint.prev, that the resumed
// run still matches an uninterrupted one, and that garbage everywhere is
// ErrNoCheckpoint.
func TestCheckpointFallback(t *testing.T) {
	x, y := blobs(30, 4, 3, 2)
	cfg := Config{Loss: "vicreg_gform", Encoder: "mlp:8,4", LR: 0.01, Views: 2, Augment: "noise:0.1",
		Batch: 10, Epochs: 4, Seed: 1, CheckpointEvery: 2}
	base := t.TempDir()
	full := filepath.Join(base, "full")
	if _, err := Run(context.Background(), cfg, x, y, full, opts()); err != nil {
		t.Fatal(err)
	}
	want := snap(t, full)
	for _, damage := range []string{"truncated", "flipped", "missing"} {
		t.Run(damage, func(t *testing.T) {
			dir := filepath.Join(base, damage)
			if _, err := Run(context.Background(), cfg, x, y, dir, Options{Logger: quiet, StopAfter: 8}); err != nil {
				t.Fatal(err)
			}
			bin := filepath.Join(dir, CheckpointFile)
			b, err := os.ReadFile(bin)
			if err != nil {
				t.Fatal(err)
			}
			switch damage {
			case "truncated":
				err = os.WriteFile(bin, b[:len(b)/2], 0o644)
			case "flipped":
				b[len(b)/3] ^= 1
				err = os.WriteFile(bin, b, 0o644)
			case "missing":
				err = os.Remove(bin)
			}
			if err != nil {
				t.Fatal(err)
			}
			os.WriteFile(filepath.Join(dir, TempCheckpoint), []byte("garbage"), 0o644)
			c, name, err := readCheckpoint(dir)
			if err != nil || name != PrevCheckpoint || c.Step != 6 {
				t.Fatalf("readCheckpoint: %v, file %s, step %v; want checkpoint.prev at step 6", err, name, c)
			}
			if _, err := LoadEncoder(dir); err != nil {
				t.Fatal(err)
			}
			if _, err := Resume(context.Background(), dir, x, y, opts()); err != nil {
				t.Fatal(err)
			}
			sameSnapshot(t, snap(t, dir), want)
		})
	}
	t.Run("none readable", func(t *testing.T) {
		dir := t.TempDir()
		for _, f := range []string{CheckpointFile, PrevCheckpoint, TempCheckpoint} {
			os.WriteFile(filepath.Join(dir, f), []byte("garbage"), 0o644)
		}
		if _, err := LoadEncoder(dir); !errors.Is(err, ErrNoCheckpoint) || !errors.Is(err, ErrCorrupt) {
			t.Fatalf("LoadEncoder on garbage: %v; want ErrNoCheckpoint wrapping ErrCorrupt", err)
		}
	})
}

// TestDivergence injects a NaN loss at step 7 and checks ErrDiverged, that
// no checkpoint is written past the last good one, and that this checkpoint
// equals a clean run stopped at the same step.
func TestDivergence(t *testing.T) {
	x, y := blobs(30, 4, 3, 3)
	cfg := Config{Loss: "barlowtwins_official", Encoder: "mlp:8,4", LR: 0.01, Augment: "noise:0.1",
		Batch: 10, Epochs: 5, Seed: 2, CheckpointEvery: 5}
	base := t.TempDir()
	l, _ := loss.New(cfg.Loss, nil)
	cl := &countingLoss{Loss: l, hook: func(n int, r *loss.Result) error {
		if n == 7 {
			r.Value = math.NaN()
		}
		return nil
	}}
	dir := filepath.Join(base, "nan")
	res, err := Run(context.Background(), cfg, x, y, dir, Options{Logger: quiet, Loss: cl})
	if !errors.Is(err, ErrDiverged) || res == nil || res.Status != Diverged || res.Steps != 6 {
		t.Fatalf("got err %v, result %+v; want ErrDiverged after 6 good steps", err, res)
	}
	clean := filepath.Join(base, "clean")
	if _, err := Run(context.Background(), cfg, x, y, clean, Options{Logger: quiet, StopAfter: 5}); err != nil {
		t.Fatal(err)
	}
	c, _, err := readCheckpoint(dir)
	if err != nil || c.Step != 5 {
		t.Fatalf("checkpoint after divergence: %v, %+v; want step 5", err, c)
	}
	w := snap(t, clean)
	if !bytes.Equal(c.Encoder, w.enc) {
		t.Errorf("last good checkpoint differs from a clean run stopped at step 5")
	}
	got, _ := res.Encoder.MarshalBinary()
	if !bytes.Equal(got, w.enc) {
		t.Errorf("Result.Encoder is not the last good checkpoint's")
	}

	// Issue 12: Adam at lr 1e6 reported "completed" with loss 2.9e54; every
	// optimiser must stop with ErrDiverged and keep the last good
	// checkpoint.
	for _, opt := range []string{"sgd", "adam", "lars"} {
		t.Run("lr=1e6/"+opt, func(t *testing.T) {
			cfg := Config{Loss: "spectral_contrastive_gform", Encoder: "linear:4", Optimizer: opt, LR: 1e6,
				Views: 1, Relation: "labels", Epochs: 50, Seed: 1, CheckpointEvery: 1}
			dir := filepath.Join(base, "lr-"+opt)
			res, err := Run(context.Background(), cfg, x, y, dir, opts())
			if !errors.Is(err, ErrDiverged) || res.Status != Diverged {
				t.Fatalf("got %v; want ErrDiverged", err)
			}
			c, _, err := readCheckpoint(dir)
			if err != nil || c.Step != res.Steps {
				t.Fatalf("checkpoint: %v; want the last good one (step %d)", err, res.Steps)
			}
			if err := scanParams(res.Encoder.Params()); err != nil {
				t.Fatalf("last good encoder: %v", err)
			}
		})
	}
}

// TestDeterminism: the same seed gives identical metrics and parameters,
// another seed different ones.
func TestDeterminism(t *testing.T) {
	x, y := blobs(32, 4, 4, 4)
	cfg := Config{Loss: "ntxent", Encoder: "mlp:8,4", LR: 0.01, Augment: "noise:0.1+mask:0.2", Batch: 8, Epochs: 2, Seed: 9}
	base := t.TempDir()
	var s []snapshot
	for i, seed := range []uint64{9, 9, 10} {
		c := cfg
		c.Seed = seed
		dir := filepath.Join(base, fmt.Sprint(i))
		if _, err := Run(context.Background(), c, x, y, dir, opts()); err != nil {
			t.Fatal(err)
		}
		s = append(s, snap(t, dir))
	}
	sameSnapshot(t, s[1], s[0])
	if bytes.Equal(s[2].metrics, s[0].metrics) || bytes.Equal(s[2].enc, s[0].enc) {
		t.Errorf("seeds 9 and 10 gave identical runs")
	}
}

// TestAugmentSeeds: views depend on (seed, step, sample, view) only, through
// data.ViewSeed (the seeding closedform uses for expected-graph closed forms), so the
// parallel assembly equals a sequential one, and FixedViews repeats views.
func TestAugmentSeeds(t *testing.T) {
	x, y := blobs(20, 6, 2, 5)
	cfg := Config{Loss: "vicreg_gform", Encoder: "linear:2", Views: 3, Augment: "noise:0.5", Seed: 4}
	tr, err := newTrainer("test", cfg, x, y, "", opts())
	if err != nil {
		t.Fatal(err)
	}
	idx := []int{5, 2, 17, 9}
	got := tr.assemble(idx, 3)
	for v := range 3 {
		for j, n := range idx {
			s1, s2 := data.ViewSeed(4, 4, n, v, 3)
			want := make([]float64, 6)
			tr.aug.Apply(want, x.RawRowView(n), rand.New(rand.NewPCG(s1, s2)))
			if !slicesEqual(got.RawRowView(v*4+j), want) {
				t.Fatalf("row %d: got %v; want %v", v*4+j, got.RawRowView(v*4+j), want)
			}
		}
	}
	if again := tr.assemble(idx, 4); mat.Equal(again, got) {
		t.Errorf("steps 3 and 4 drew the same views")
	}
	tr.cfg.FixedViews = true
	if a, b := tr.assemble(idx, 3), tr.assemble(idx, 4); !mat.Equal(a, b) {
		t.Errorf("FixedViews: steps 3 and 4 drew different views")
	}
}

func slicesEqual(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
			return false
		}
	}
	return true
}

// TestBatchGraph checks the batch relation graphs: views and labels against
// graph.Views and graph.Labels, kNN (joined with the views) against brute
// force.
func TestBatchGraph(t *testing.T) {
	x, y := blobs(12, 3, 3, 6)
	y[4] = -1 // unlabelled: no edges
	idx := []int{7, 4, 0, 11, 3}
	for _, V := range []int{1, 2, 3} {
		for _, sub := range [][]int{nil, idx} {
			b := len(sub)
			if sub == nil {
				b = 12
			}
			cfg := Config{Loss: "vicreg_gform", Encoder: "linear:2", Views: V, Relation: "labels", Seed: 1}
			tr, err := newTrainer("test", cfg, x, y, "", opts())
			if err != nil {
				t.Fatal(err)
			}
			yb := make([]int, V*b)
			for r := range yb {
				yb[r] = y[r%b]
				if sub != nil {
					yb[r] = y[sub[r%b]]
				}
			}
			want, _, err := graph.Labels(yb)
			if err != nil {
				t.Fatal(err)
			}
			got, err := tr.batchGraph(sub, tr.assemble(sub, 0))
			if err != nil {
				t.Fatal(err)
			}
			if err := got.Validate(); err != nil || !mat.Equal(got.Dense(), want.Dense()) {
				t.Errorf("labels, V=%d, batch %v: graph differs from graph.Labels (%v)", V, sub, err)
			}
			if V == 1 {
				continue
			}
			tr.rel = graph.Relation{Kind: graph.ViewsRelation}
			want, _, _ = graph.Views(b, V)
			if got, _ = tr.batchGraph(sub, tr.assemble(sub, 0)); !mat.Equal(got.Dense(), want.Dense()) {
				t.Errorf("views, V=%d, batch %v: graph differs from graph.Views", V, sub)
			}
		}
	}

	cfg := Config{Loss: "vicreg_gform", Encoder: "linear:2", Views: 2, Relation: "knn:k=2", Augment: "noise:0.3", Seed: 1}
	xb, g := fullBatch(t, cfg, x, nil)
	if err := g.Validate(); err != nil {
		t.Fatal(err)
	}
	// Brute force: i ~ j iff views of one original, or j among the 2
	// nearest rows of i, or i among those of j.
	n := 24
	dist := func(i, j int) float64 { return mat.Norm(rowDiff(xb, i, j), 2) }
	edges := 0
	for i := range n {
		for j := range n {
			if i == j {
				continue
			}
			want := i%12 == j%12 || inNearest(i, j, n, 2, dist) || inNearest(j, i, n, 2, dist)
			if got := g.At(i, j); (got == 1) != want || (got != 0 && got != 1) {
				t.Fatalf("G(%d,%d) = %v; want edge %v", i, j, got, want)
			}
			if want {
				edges++
			}
		}
	}
	if edges != g.NNZ() {
		t.Fatalf("G stores %d entries; want %d", g.NNZ(), edges)
	}
}

func rowDiff(x *mat.Dense, i, j int) *mat.VecDense {
	v := mat.NewVecDense(x.RawMatrix().Cols, nil)
	v.SubVec(x.RowView(i), x.RowView(j))
	return v
}

// inNearest reports whether j is among the k nearest of i (ties by index).
func inNearest(i, j, n, k int, dist func(i, j int) float64) bool {
	closer := 0
	for m := range n {
		if m == i || m == j {
			continue
		}
		if d := dist(i, m); d < dist(i, j) || (d == dist(i, j) && m < j) {
			closer++
		}
	}
	return closer < k
}

func TestCheckpointCodec(t *testing.T) {
	c := &checkpoint{Step: 12, Epoch: 3, Batch: 1, Dtype: nn.Float32, Perm: []int{2, 0, 1}, RNG: []byte("rng"), Encoder: []byte("enc"), Opt: []byte{}, DataHash: [32]byte{1, 2, 3}}
	b := c.encode()
	got, err := decodeCheckpoint(b)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != fmt.Sprint(c) {
		t.Fatalf("round trip: got %+v; want %+v", got, c)
	}
	for i := range b {
		d := bytes.Clone(b)
		d[i] ^= 0x10
		if _, err := decodeCheckpoint(d); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("byte %d flipped: got %v; want ErrCorrupt", i, err)
		}
	}
	for n := range len(b) {
		if _, err := decodeCheckpoint(b[:n]); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("truncated to %d bytes: got %v; want ErrCorrupt", n, err)
		}
	}
}

// TestCheckpointV1 reads a checkpoint of format version 1 (no dtype) as
// float64.
func TestCheckpointV1(t *testing.T) {
	c := &checkpoint{Step: 2, Epoch: 1, Batch: 0, RNG: []byte("r"), Encoder: []byte("e"), Opt: []byte("o")}
	b := c.encode()
	body := append([]byte(nil), checkpointMagicV1...)
	body = append(body, b[len(checkpointMagic):len(checkpointMagic)+24]...) // step, epoch, batch
	body = append(body, b[len(checkpointMagic)+32:len(b)-sha256.Size]...)   // skip the dtype
	sum := sha256.Sum256(body)
	got, err := decodeCheckpoint(append(body, sum[:]...))
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != fmt.Sprint(c) {
		t.Fatalf("v1: got %+v; want %+v", got, c)
	}
}

func TestErrors(t *testing.T) {
	x, y := blobs(20, 3, 2, 7)
	good := Config{Loss: "vicreg_official", Encoder: "linear:2", Seed: 1}
	bad := map[string]struct {
		mut  func(c *Config)
		want error
	}{
		"no loss":              {func(c *Config) { c.Loss = "" }, ErrConfig},
		"unknown loss":         {func(c *Config) { c.Loss = "nope" }, loss.ErrUnknown},
		"bad encoder":          {func(c *Config) { c.Encoder = "mlp:" }, nn.ErrSpec},
		"bad optimizer":        {func(c *Config) { c.Optimizer = "rmsprop" }, nn.ErrSpec},
		"two-branch V=3":       {func(c *Config) { c.Views = 3 }, ErrConfig},
		"two-branch labels":    {func(c *Config) { c.Relation = "labels" }, ErrConfig},
		"views relation V=1":   {func(c *Config) { c.Loss = "vicreg_gform"; c.Views = 1 }, ErrConfig},
		"bad relation":         {func(c *Config) { c.Loss = "vicreg_gform"; c.Relation = "knn:k=0" }, ErrConfig},
		"knn too large":        {func(c *Config) { c.Loss = "vicreg_gform"; c.Relation = "knn:k=40" }, ErrConfig},
		"batch 1":              {func(c *Config) { c.Batch = 1 }, ErrConfig},
		"negative lr":          {func(c *Config) { c.LR = -1 }, ErrConfig},
		"NaN lr":               {func(c *Config) { c.LR = math.NaN() }, ErrConfig},
		"schedule":             {func(c *Config) { c.Schedule = "step" }, ErrConfig},
		"dtype":                {func(c *Config) { c.Dtype = "float16" }, ErrConfig},
		"float32 rff":          {func(c *Config) { c.Dtype = "float32"; c.Encoder = "rff:8,gamma=1|linear:2" }, ErrConfig},
		"wd twice":             {func(c *Config) { c.Optimizer = "adamw:wd=0.1"; c.WeightDecay = 0.2 }, ErrConfig},
		"bad augment":          {func(c *Config) { c.Augment = "warp:3" }, ErrConfig},
		"image aug, no shape":  {func(c *Config) { c.Augment = "shift:1" }, ErrConfig},
		"image aug, bad shape": {func(c *Config) { c.Augment = "shift:1"; c.Data.ImageShape = [2]int{2, 2} }, ErrConfig},
	}
	for name, tc := range bad {
		t.Run(name, func(t *testing.T) {
			c := good
			tc.mut(&c)
			_, err := Run(context.Background(), c, x, y, t.TempDir(), opts())
			var e *Error
			if !errors.Is(err, tc.want) || !errors.As(err, &e) {
				t.Fatalf("got %v; want a *Error wrapping %v", err, tc.want)
			}
		})
	}
	t.Run("labels relation without labels", func(t *testing.T) {
		c := good
		c.Loss, c.Relation = "vicreg_gform", "labels"
		if _, err := Run(context.Background(), c, x, nil, t.TempDir(), opts()); !errors.Is(err, ErrConfig) {
			t.Fatalf("got %v; want ErrConfig", err)
		}
	})
	t.Run("NaN data", func(t *testing.T) {
		xn := mat.DenseCopyOf(x)
		xn.Set(3, 1, math.Inf(1))
		if _, err := Run(context.Background(), good, xn, y, t.TempDir(), opts()); !errors.Is(err, ErrNaN) {
			t.Fatalf("got %v; want ErrNaN", err)
		}
	})
	t.Run("label count", func(t *testing.T) {
		if _, err := Run(context.Background(), good, x, y[:5], t.TempDir(), opts()); !errors.Is(err, ErrShape) {
			t.Fatalf("got %v; want ErrShape", err)
		}
	})
	t.Run("one sample", func(t *testing.T) {
		if _, err := Run(context.Background(), good, mat.NewDense(1, 3, nil), nil, t.TempDir(), opts()); !errors.Is(err, ErrShape) {
			t.Fatalf("got %v; want ErrShape", err)
		}
	})
	t.Run("existing run and other data", func(t *testing.T) {
		dir := t.TempDir()
		first, err := Run(context.Background(), good, x, y, dir, opts())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Run(context.Background(), good, x, y, dir, opts()); !errors.Is(err, ErrExists) {
			t.Fatalf("second Run: got %v; want ErrExists", err)
		}
		x2 := mat.DenseCopyOf(x)
		x2.Set(0, 0, x2.At(0, 0)+1e-12)
		if _, err := Resume(context.Background(), dir, x2, y, opts()); !errors.Is(err, ErrMismatch) {
			t.Fatalf("Resume on other data: got %v; want ErrMismatch", err)
		}
		r, err := Resume(context.Background(), dir, x, y, opts())
		if err != nil || r.Status != Completed || r.Steps != r.TotalSteps || len(r.History) != 0 {
			t.Fatalf("Resume of a completed run: %v, %+v; want Completed with no new step", err, r)
		}
		// Issue 12: the summary of a finished run reports its final loss.
		if r.Loss != first.Loss || !finite(r.Loss) {
			t.Fatalf("Resume of a completed run reports loss %v; want the final loss %v", r.Loss, first.Loss)
		}
	})
	t.Run("resume nothing", func(t *testing.T) {
		if _, err := Resume(context.Background(), t.TempDir(), x, y, opts()); err == nil {
			t.Fatal("Resume of an empty directory succeeded")
		}
	})
}

// TestProgressQuietOffTerminal: with a buffer or a regular file as
// Options.Progress (not terminals), nothing is drawn.
func TestProgressQuietOffTerminal(t *testing.T) {
	x, y := blobs(20, 3, 2, 8)
	cfg := Config{Loss: "ntxent", Encoder: "linear:2", Batch: 5, Epochs: 2, Seed: 1}
	var buf bytes.Buffer
	f, err := os.Create(filepath.Join(t.TempDir(), "progress.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for i, w := range []io.Writer{&buf, f} {
		if _, err := Run(context.Background(), cfg, x, y, filepath.Join(t.TempDir(), fmt.Sprint(i)), Options{Logger: quiet, Progress: w}); err != nil {
			t.Fatal(err)
		}
	}
	if st, err := f.Stat(); err != nil || st.Size() != 0 || buf.Len() != 0 {
		t.Fatalf("progress written off a terminal: buffer %q, file %v bytes (%v)", buf.String(), st.Size(), err)
	}
}
