// Package nn holds the trainable encoders of eigenssl, with hand-written
// forward and backward passes on gonum matrices, their optimisers and
// learning-rate schedules.
//
// # Conventions
//
// A batch is a *mat.Dense with one sample per row. Arithmetic is float64 by
// default (float64 keeps finite-difference gradient checks and closed-form
// comparisons tight); Encoder.SetDtype(Float32) adds a float32 path for
// linear and mlp encoders (Forward32, BackwardParams32 on blas32.General
// batches, float32 optimiser updates; see Dtype for where sums accumulate
// in float64). One generic implementation of each layer and optimiser
// kernel serves both. Weights are stored in×out so a linear
// layer is y = x W + b; biases and batch-norm vectors are 1×d.
//
// # Encoders
//
// ParseEncoder builds an Encoder (Backbone and optional Projector, both
// Sequential) from a spec such as "mlp:512,128", "mlp:512,512|proj:256,256+bn",
// "rff:2048,gamma=0.1|linear:64" or "kernel:rbf,gamma=0.1|64". Embed uses the
// backbone only; Forward uses both. Layers: Linear, ReLU, BatchNorm1d,
// RandomFourierFeatures (fixed RBF random features) and Kernel (exact kernel
// regime Z = K(X, T) A of THEORY.md §1). Initialisation is seeded and
// reproducible bit for bit.
//
// For two-branch losses, stack the views (rows v·N'..(v+1)·N'−1 hold view v)
// and call SetViews(2) so that batch norm uses per-view statistics, as the
// official VICReg and Barlow Twins code does. A training step is
//
//	enc.ZeroGrad()
//	z, err := enc.Forward(x, true)
//	g := ∂loss/∂z
//	err = enc.BackwardParams(g)
//	err = opt.Step(enc.Params(), sched.LR(step))
//
// # Optimisers and schedules
//
// SGD (momentum, Nesterov, weight decay), Adam and AdamW (PyTorch's bias
// correction), LARS (the official VICReg/Barlow Twins variant) and the
// CosineWarmup schedule. ParseOptimizer builds one from a string.
//
// # Serialisation
//
// Encoder and every Optimizer implement encoding.BinaryMarshaler and
// BinaryUnmarshaler; float64 values are stored as their IEEE-754 bits so a
// round trip is bit-exact (parameters, batch-norm running statistics, random
// features, kernel anchors, views, optimiser moments and step count). Gradients and
// forward caches are not saved. The RNG of a training run belongs to the
// caller (package train).
//
// # Errors and concurrency
//
// Encoder, ParseEncoder, the optimisers and the decoders return *Error values
// wrapping the sentinels of errors.go. The Layer methods panic on programmer
// misuse (wrong column count, Backward without Forward). Nothing here is safe
// for concurrent use; the matrix products run in parallel inside blas64
// (gonum's Dgemm uses GOMAXPROCS goroutines, OpenBLAS its own threads) and
// element-wise kernels of the random-feature and kernel layers split rows
// across goroutines.
package nn
