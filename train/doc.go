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
// G-form losses are evaluated at loss.RowScale(n)·Z for a batch of n rows
// (1/√n for the spectral contrastive G-form, 1 for the others): the same
// minimising subspace with encoder outputs of order 1 whatever the batch
// size, so that minibatch training reaches the closed form of the expected
// graph (see loss.SpectralContrastiveGForm.RowScale).
//
// # Reaching the closed forms
//
// Minibatch training on fresh views optimises, in expectation, the loss of
// the expected graph (every D × D statistic of a linear encoder is a mean
// over the batch), so its optimum is the closed form of that graph, up to
// an O(1/B) bias from the batch covariance inside the quartic terms. Three
// things make training get there: the row scale above (without it the
// spectral contrastive G-form starts at a loss of order n² from the default
// initialisation; before it was introduced a linear encoder ended 60-90
// degrees away); Adam with a cosine decay (Schedule "cosine", FinalLR ≈
// LR/1000, a short Warmup), which averages out the minibatch noise; and
// enough steps. On 16-d data with noise views,
// TestMinibatchReachesExpectedClosedForm requires batch 512 to end within 5
// degrees (largest principal angle) after 600 steps, for spectral
// contrastive and smooth VICReg alike. The angle table of TestAngleTable
// (go test -tags angletable -run TestAngleTable ./train/ -v) measured 1.3
// degrees after 600 steps and 0.9 after 2400 at batch 512, and 2-3 degrees
// at batch 64.
//
// # In memory: Fit
//
// Fit trains as Run does without a run directory and returns the encoder,
// the Metric of every step (loss, parts, gradient norm, learning rate) and
// a Status: the entry point for experiments.
//
// # Float32
//
// Config.Dtype "float32" (train --dtype float32) runs the encoder's forward
// and backward passes and the optimiser in float32 (nn.Dtype: Sgemm
// products, float32 activations and updates, float64 accumulation of
// batch-norm statistics, column sums and gradient accumulators). Losses
// with a float32 path (loss.Float32: vicreg_official,
// barlowtwins_official, ntxent) are evaluated in float32 on row views of the
// float32 representation; any other loss is evaluated in float64 on the
// representation, converted exactly, and its gradient is rounded to
// float32 before back-propagation.
// Checkpoints record the dtype (format version 2) and Resume refuses a
// checkpoint whose dtype differs from config.json; the float32 parameters
// are stored exactly, so resume stays bit-exact. Only linear and mlp
// encoders (with an optional projector) have a float32 path.
//
// # Divergence
//
// Every optimiser is watched by one rule: a NaN or infinite loss,
// representation, gradient or parameter, or a loss more than
// DivergenceFactor × max(|running minimum|, |first loss|) above its running
// minimum stops the run with ErrDiverged and Status Diverged; the last good
// checkpoint stays.
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
// matrix products use gonum's parallel blas64 (or OpenBLAS). Run and Resume
// hold an advisory lock (flock(2) on DIR/lock) for the whole run: a second
// Run or Resume of the same directory, in this or another process, fails at
// once with ErrLocked ("run directory DIR is in use by pid P").
//
// Errors are *Error values wrapping the sentinels of errors.go: ErrConfig,
// ErrShape, ErrNaN, ErrDiverged, ErrExists, ErrLocked, ErrTooLarge,
// ErrNoCheckpoint, ErrCorrupt, ErrMismatch, or the errors of the packages underneath.
package train
