// Package closedform computes the optimal representations of
// self-supervised losses in closed form, following Balestriero & LeCun
// (NeurIPS 2022) and docs/THEORY.md sections 4 and 5: SSL losses are spectral
// embedding methods on the relation graph G of positive pairs.
//
// Solve takes a Problem (a loss, a regime, G, K and hyper-parameters) and
// returns a Solution: the optimal Z* (and W* or A*), the predicted loss,
// rank and singular values of Z*, the operator whose eigenvectors span it,
// the equivalent spectral method and the collapse analysis. With
// L = D − G, Gt = D^{-1/2} G D^{-1/2}, H = I − 11ᵀ/N:
//
//	loss                   feature space (free Z)                       linear regime (Z = X W)
//	vicreg (smooth)        √N U_K diag(√s_k), s_k = max(0, 1 − γ λ_k(L|1⊥))   Σx^{-1/2} E_K diag(√s_k), M = Σx^{-1/2}(XᵀLX/N)Σx^{-1/2}
//	vicreg_hard            √N U_K (Laplacian Eigenmaps, ZᵀHZ = N I)          Σx^{-1/2} E_K (LPP with covariance normalisation)
//	spectral_contrastive   U_K(Gt) diag(√λ_k⁺)                             V_x S_x^{-1} E_K(U_xᵀ Gt U_x) diag(√μ_k⁺)
//	barlowtwins            component indicators (K <= c), grouped (K > c)  shared-weight CCA Xᵀ G X w = ρ Xᵀ D X w (a stationary point; approximate)
//	vicreg_hinge           √(N−1) null(L) vectors when K <= c−1            same in the LPP basis; otherwise solver + bounds
//	simclr                 collapsed views, simplex centres (approximate)  least-squares pull-back (approximate; not the optimum's span)
//
// The kernel regime Z = K_X A is the linear regime with the kernel matrix
// as design (kernel LPP etc.), inherently O(N²) memory and O(N³) time.
//
// Exact and approximate. Solution.Exact is true only for proven global
// minimisers. Otherwise (hinge VICReg with K > c−1, SimCLR at any finite τ,
// BarlowTwins in the linear regime unless all canonical correlations are 1,
// BarlowTwins in feature space for K > c on graphs whose normalised
// adjacency has positive non-unit eigenvalues or α ≠ 1) the Solution holds
// the best known characterisation and Bounds brackets the minimum. Optimum
// then minimises the loss numerically from several starts to stated
// tolerances and records Solution.Convergence (status converged / infimum
// (linear SimCLR's limit point, ContinueOnLimit) / iteration_limit /
// failed, loss, gradient norm, iterations, restarts and
// whether the starts agree on the subspace); experiments should report only
// optima whose Status.OK() holds, and only subspaces that Pinned() confirms.
// Refine runs one start.
//
// Conventions. Covariances are biased (1/N) for vicreg and vicreg_hard; the
// paper's hinge form (package loss) uses 1/(N−1). The VICReg losses are
// invariant to a constant row, so Z* is returned centred and the linear
// regime reports a bias b = −μᵀW; the other losses use Z = X W as given
// (append a column of ones to X for a bias). Only the left singular vectors
// and the singular values of Z* are pinned; the right factor is free, so
// Compare measures principal angles and singular values, never coordinates.
//
// Cost. The linear regime never forms an N x N matrix: Xᵀ L X, Xᵀ D X,
// Xᵀ Gt X and Σx are accumulated in row blocks from the sparse G
// (O(nnz(G) D + N D²) time, O(N D + D²) memory, the input included).
// Feature-space problems use a dense eigendecomposition for N <=
// linalg.DenseExactMaxN (3000) and block Lanczos (linalg.Eigs) on the
// sparse operator beyond.
package closedform
