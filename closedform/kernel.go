package closedform

import (
	"github.com/eigenssl/eigenssl/linalg"
	"gonum.org/v1/gonum/mat"
)

// RBFKernel returns the N x N Gaussian kernel K_ij = exp(−‖x_i − x_j‖² /
// (2σ²)) of the rows of x: linalg.Kernel{Kind: KernelRBF, Gamma:
// linalg.GammaFromSigma(σ)} (γ = 1/(2σ²), the module's one RBF convention).
// σ = 0 selects the median heuristic (σ = the median pairwise distance, 1
// when it is 0); σ < 0 is an error. It is inherently O(N² D) time and O(N²)
// memory, so N > MaxKernelN is refused (ErrParam).
func RBFKernel(x *mat.Dense, sigma float64) (*mat.Dense, error) {
	if x == nil {
		return nil, newErr("rbfkernel", "X", nil, ErrEmpty)
	}
	if err := checkMatrix("rbfkernel", "X", x); err != nil {
		return nil, err
	}
	if !finite(sigma) || sigma < 0 {
		return nil, newErr("rbfkernel", "sigma", sigma, wrap2(ErrParam, errSigma))
	}
	if n, _ := x.Dims(); n > MaxKernelN {
		return nil, checkKernelN("rbfkernel", n)
	}
	if sigma <= 0 {
		sigma = linalg.MedianSigma(x)
	}
	k := linalg.Kernel{Kind: linalg.KernelRBF, Gamma: linalg.GammaFromSigma(sigma)}
	return k.SelfMatrix(x), nil
}
