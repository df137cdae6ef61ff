// Package experiment runs the study that checks the claims of Balestriero &
// LeCun (NeurIPS 2022) with the rest of eigenssl, and writes a
// self-contained report.
//
//   - E1 Equivalence: for every loss and regime, the closed form
//     (closedform.Solve), the equivalent spectral method (package spectral)
//     and an encoder trained by L-BFGS on the loss from a random start:
//     loss gap, largest principal angle, singular-value error, rank.
//   - E2 Dimensional collapse: rank and singular spectrum of the
//     smooth-VICReg optimum and of a trained Z against γ on the augmentation
//     graph (the rank falls at γ = 1/V), and the rank of every method
//     against K and the number of components c.
//   - E3 Alignment: linear-probe accuracy (package eval, Student-t intervals
//     over seeds) of VICReg at several γ, SimCLR, BarlowTwins, spectral
//     contrastive and the supervised probe on X, for relation graphs from
//     aligned to misaligned, labelled-set sizes and the feature and linear
//     regimes. Exact closed forms where they exist; SimCLR and BarlowTwins
//     in the linear regime are trained (closedform.Minimize).
//   - E4 Verdicts: the paper's guidance in both versions of its abstract,
//     judged from E3's numbers by explicit paired-comparison rules
//     (E4Rules); nothing is hard-coded.
//   - E5 Local vs global: Spearman correlation of embedding distances with
//     graph geodesics at short and long range.
//
// Run and Demo execute the experiments; each cell is cached as
// Out/cells/<hash>.json (atomic writes), so an interrupted run resumes
// without recomputing finished cells. Figures are drawn with gonum/plot and
// saved as PNG and SVG; the HTML report inlines the PNGs and needs no
// network access.
//
// Cost: the feature regime solves dense N x N eigenproblems (O(N³)) and is
// run on a subsample (E3Config.FeatureN); the linear regime works with D x D
// matrices and the sparse G.
package experiment
