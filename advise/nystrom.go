package advise

import (
	"math/rand/v2"
	"sort"

	"github.com/eigenssl/eigenssl/linalg"
	"github.com/eigenssl/eigenssl/spectral"
	"gonum.org/v1/gonum/mat"
)

// SigmaRows bounds the rows the median heuristic looks at in the Nyström
// kernel regime (a seeded subsample above it).
const SigmaRows = 1000

// nystromTol is the smallest landmark-kernel eigenvalue kept, relative to
// the largest: the map divides by sqrt(λ), so components at round-off
// level would only amplify noise.
const nystromTol = 1e-8

// nystromInput returns in with its rows (and samples) replaced by the
// Nyström feature map of the Gaussian kernel with m seeded landmark rows
// (Williams & Seeger 2001):
//
//	φ(x) = k̃_m(x) U Λ^{-1/2}
//
// where k̃_m(x) are x's kernel values against the landmarks, centred with
// the landmarks' statistics, and U Λ Uᵀ is the centred m x m landmark
// kernel (spectral.KernelPCA with Landmarks), every component with
// λ > nystromTol·λ_1 kept. Then φ(x_i)ᵀφ(x_j) approximates the centred
// kernel, exactly on the landmarks, and the linear regime on φ is the
// kernel regime restricted to the span of the landmarks' kernel functions.
// sigma 0 is the median heuristic on at most SigmaRows rows.
func nystromInput(in *Input, m int, sigma float64, seed uint64) (*Input, error) {
	n, _ := in.X.Dims()
	if sigma == 0 {
		sigma = linalg.MedianSigma(subsample(in.X, SigmaRows, seed))
	}
	kp := &spectral.KernelPCA{Kernel: spectral.KernelRBF, Gamma: linalg.GammaFromSigma(sigma), Landmarks: min(m, n), Components: min(m, n), Seed: seed}
	if err := kp.Fit(in.X); err != nil {
		return nil, err
	}
	ev := kp.Eigenvalues()
	keep := 0
	for keep < len(ev) && ev[keep] > nystromTol*ev[0] {
		keep++
	}
	cut := func(z *mat.Dense) *mat.Dense {
		r, _ := z.Dims()
		return mat.DenseCopyOf(z.Slice(0, r, 0, keep))
	}
	out := *in
	out.X = cut(kp.Embedding())
	if in.Samples != nil {
		zs, err := kp.Transform(in.Samples)
		if err != nil {
			return nil, err
		}
		out.Samples = cut(zs)
	}
	return &out, nil
}

// subsample returns x itself when it has at most rows rows, else rows of
// its rows drawn without replacement with seed (in increasing order).
func subsample(x *mat.Dense, rows int, seed uint64) *mat.Dense {
	n, _ := x.Dims()
	if n <= rows {
		return x
	}
	idx := rand.New(rand.NewPCG(seed, 0x7369676d61)).Perm(n)[:rows]
	sort.Ints(idx)
	return linalg.SelectRows(x, idx)
}
