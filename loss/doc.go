// Package loss implements self-supervised losses with hand-derived
// gradients (no autodiff), in two families:
//
//   - the G-form of Balestriero & LeCun (NeurIPS 2022) on one stacked
//     representation Z (N x K) and the relation graph G of positive pairs:
//     vicreg_gform, simclr_gform, barlowtwins_gform and
//     spectral_contrastive_gform;
//   - the two-branch conventions of the official code bases, so that
//     published set-ups can be reproduced: vicreg_official,
//     barlowtwins_official, ntxent, spectral_contrastive and wmse.
//
// Every loss implements Loss: Eval returns the value, its unweighted parts
// (named as in the reference code, for logging) and optionally the gradient
// with respect to each representation. New builds a loss from its name and
// a map of hyper-parameters, as in the oracle files of ../shared/oracles;
// each loss is also a plain struct whose zero value is its documented
// default.
//
// Conventions follow the reference code to the bit where it matters: eps
// constants and where they sit (VICRegStdEps, BatchNormEps, NormalizeEps,
// BarlowGFormEps), biased or unbiased variances, sums versus means, and the
// derivatives at kinks (relu'(0) = 0 at the VICReg hinge; torch.clamp's
// inclusive bounds in vicreg_gform and in F.normalize's clamp_min).
// Non-finite inputs, inconsistent shapes and invalid graphs are returned as
// *Error values wrapping ErrNaN, ErrShape, ErrEmpty or ErrGraph.
//
// Cost: the VICReg and BarlowTwins forms are O(N K^2 + nnz(G) K) through
// K x K Gram matrices; the InfoNCE forms are O(N^2 K), evaluated in row
// tiles in parallel and never holding the N x N similarity matrix for large
// N. Dense products use gonum's blas64, which the openblas build of package
// linalg points to OpenBLAS.
//
// # Float32
//
// vicreg_official, barlowtwins_official and ntxent also implement Float32: Eval32
// takes float32 branches and returns float32 gradients, with one generic
// implementation shared with Eval (float32 Syrk/Gemm/Symm through blas32,
// float64 accumulation of statistics and of the value; see Float32). The
// other losses have no float32 path yet (package train evaluates them in
// float64 on float32 representations).
package loss
