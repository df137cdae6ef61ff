// Package train fits the encoders of package nn with the self-supervised
// losses of package loss, on views drawn by the augmentations of package data,
// with checkpoints that make an interrupted run resume bit for bit.
//
// # A step
//
// With B originals per batch and V views each, the batch stacks the views
// view by view (row v·B + j is view v of original j, the layout of
// THEORY.md §1 and graph.Views) and one step is
//
//	Z = Encoder.Forward(views)                    (V·B × K)
//	two-branch loss: value = L(Z1, Z2),  Z1 = rows 0..B−1, Z2 = rows B..2B−1   (V = 2)
//	G-form loss:     value = L(Z, G),    G = relation restricted to the batch
//	θ ← Optimizer(θ, ∂value/∂θ, lr(step))
//
// The relation is the augmentation graph (J_V − I_V) ⊗ I_B ("views"), the
// label cliques of the batch ("labels") or the k-nearest-neighbour graph of
// the batch's inputs joined with the views ("knn:k=K"). Batch 0 is full-batch
// training on every sample in data order; with FixedViews (or no
// augmentation) it is plain gradient descent on one fixed problem (X̃, G),
// which is what the closed forms of package closedform solve.
//
// # Runs, checkpoints and determinism
//
// Run writes to a run directory: config.json (the Config with defaults
// filled in), metrics.jsonl (one Metric per step: loss, parts, learning rate)
// and checkpoint.bin (encoder, optimiser state, permutation generator state,
// step and position in the epoch, and a fingerprint of the data, closed by a
// SHA-256). A checkpoint is written to checkpoint.tmp, the current one is
// kept as checkpoint.prev, and checkpoint.tmp is renamed over
// checkpoint.bin, so a crash at any moment leaves a readable checkpoint.
//
// Every random choice derives from Config.Seed: the initial parameters (nn),
// the epoch permutations (a rand.PCG whose state is checkpointed) and each
// view (a PCG seeded from (Seed, step, sample, view), so augmentation can run
// in parallel and still be deterministic). Resume therefore reproduces an
// uninterrupted run bit for bit: parameters and every metrics line.
//
// # Concurrency
//
// Augmentation is spread over GOMAXPROCS goroutines (one generator per view);
// matrix products use gonum's parallel blas64 (or OpenBLAS). A Run is not
// meant to share its run directory with another process.
//
// Errors are *Error values wrapping the sentinels of errors.go: ErrConfig,
// ErrShape, ErrNaN, ErrDiverged, ErrExists, ErrNoCheckpoint, ErrCorrupt,
// ErrMismatch, or the errors of the packages underneath.
package train
