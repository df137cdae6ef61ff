// Package advise recommends a self-supervised loss and its
// hyper-parameters for given data and a given relation graph G of positive
// pairs, before any training, from the closed-form optima of package
// closedform (Balestriero & LeCun, NeurIPS 2022; THEORY.md sections 4–5).
//
// For every candidate — smooth VICReg over a γ grid with a value on both
// sides of every rank threshold γ = 1/λ_k of the regime's operator
// (GammaGrid), SimCLR over τ, BarlowTwins over its off-diagonal weight α,
// spectral contrastive — Advise computes the optimal representation in the
// linear (Z = X W) or kernel (Z = K_X A) regime — the latter exact up to
// MaxKernelRows rows, or on the Nyström features of Settings.Landmarks rows
// at any size (the linear regime on φ(X), which with every row a landmark
// is the exact kernel regime) — exactly where closedform is
// exact (VICReg, spectral contrastive, BarlowTwins when every canonical
// correlation is 1), otherwise the characterisation refined by L-BFGS with
// its convergence recorded. With a few labels it cross-validates a probe of
// package eval on the labelled samples only and ranks the candidates;
// without labels it reports diagnostics (spectrum of L, γ thresholds,
// predicted rank and collapse, agreement of G with the kNN structure of X,
// effective number of components). Labels never enter G: the relation is
// built and every closed form solved before the labels are read.
//
// Validate runs experiment E7: the adviser's ranking against encoders
// actually trained with package train (official losses, MLP encoders,
// several seeds) on data sets with known alignment, with Spearman
// correlations and the regret of the adviser's pick against two fixed
// policies.
//
// Package advise sits at the experiment level: it imports closedform,
// eval, graph, data, linalg, loss and train; experiment may import it,
// never the reverse.
package advise
