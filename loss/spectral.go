package loss

import (
	"math"

	"github.com/eigenssl/eigenssl/graph"
	"github.com/eigenssl/eigenssl/linalg"
	"gonum.org/v1/gonum/mat"
)

// SpectralContrastive is the spectral contrastive loss of HaoChen et al.
// (2021) with the conventions of jhaochenz/spectral_contrastive_learning,
// models/spectral.py D(), on z1 = Z1 and z2 = Z2 (N x K each, N >= 2):
//
//	r      = sqrt(Mu)
//	p_i    = z_i if ||z_i|| < r, else r z_i / max(||z_i||, 1e-12)   (the mask has no gradient)
//	part1  = -(2/N) sum_i p1_i . p2_i
//	part2  = sum_{i!=j} (p1_i . p2_j)^2 / (N (N-1))   (mean over N^2 entries with a zeroed
//	                                                   diagonal, times N/(N-1))
//	value  = (part1 + part2) / Mu,   parts = {part1/Mu, part2/Mu}
//
// A zero value of Mu means DefaultMu (1). Cost O(N K min(N, K)): part2 is
// Tr(P1^T P1 P2^T P2) - sum_i (p1_i . p2_i)^2 through K x K Gram matrices
// when K <= N, the N x N product P1 P2^T otherwise (then no larger than the
// inputs).
type SpectralContrastive struct {
	Mu float64
}

// Name returns "spectral_contrastive".
func (SpectralContrastive) Name() string { return NameSpectralContrastive }

// Form returns TwoBranch.
func (SpectralContrastive) Form() Form { return TwoBranch }

// Eval implements Loss.
func (l SpectralContrastive) Eval(in Inputs, wantGrad bool) (Result, error) {
	if err := checkPair(NameSpectralContrastive, in, 2); err != nil {
		return Result{}, err
	}
	mu := l.Mu
	if mu == 0 {
		mu = DefaultMu
	}
	r := math.Sqrt(mu)
	n, k := in.Z1.Dims()
	p1, n1 := projectBall(in.Z1, r)
	p2, n2 := projectBall(in.Z2, r)
	d := make([]float64, n)
	part1 := 0.0
	for i := range d {
		d[i] = dotT(p1.RawRowView(i), p2.RawRowView(i))
		part1 += d[i]
	}
	part1 *= -2 / float64(n)
	nn1 := float64(n) * float64(n-1)
	part2 := 0.0
	var g1, g2 *mat.Dense
	if wantGrad {
		g1 = mat.NewDense(n, k, nil)
		g2 = mat.NewDense(n, k, nil)
	}
	if k <= n {
		a1 := gramT(p1, 1)
		a2 := gramT(p2, 1)
		f := 0.0
		for i := 0; i < k; i++ {
			f += dotT(a1.RawRowView(i), a2.RawRowView(i))
		}
		dd := 0.0
		for _, v := range d {
			dd += v * v
		}
		part2 = (f - dd) / nn1
		if wantGrad {
			// d/dP1 = 2 (P1 A2 - diag(d) P2) / (N(N-1)), d/dP2 = 2 (P2 A1 - diag(d) P1) / (N(N-1)).
			linalg.GemmDense(false, false, 2/nn1, p1, a2, 0, g1)
			linalg.GemmDense(false, false, 2/nn1, p2, a1, 0, g2)
			for i, v := range d {
				x1, x2 := p1.RawRowView(i), p2.RawRowView(i)
				r1, r2 := g1.RawRowView(i), g2.RawRowView(i)
				for j := range r1 {
					r1[j] -= 2 * v * x2[j] / nn1
					r2[j] -= 2 * v * x1[j] / nn1
				}
			}
		}
	} else {
		b := mat.NewDense(n, n, nil)
		linalg.GemmDense(false, true, 1, p1, p2, 0, b)
		for i := 0; i < n; i++ {
			row := b.RawRowView(i)
			row[i] = 0
			for _, v := range row {
				part2 += v * v
			}
		}
		part2 /= nn1
		if wantGrad {
			linalg.GemmDense(false, false, 2/nn1, b, p2, 0, g1)
			linalg.GemmDense(true, false, 2/nn1, b, p1, 0, g2)
		}
	}
	res := Result{
		Value: (part1 + part2) / mu,
		Parts: map[string]float64{"part1": part1 / mu, "part2": part2 / mu},
	}
	if wantGrad {
		for i := 0; i < n; i++ {
			x1, x2 := p1.RawRowView(i), p2.RawRowView(i)
			r1, r2 := g1.RawRowView(i), g2.RawRowView(i)
			for j := range r1 {
				r1[j] = (r1[j] - 2*x2[j]/float64(n)) / mu
				r2[j] = (r2[j] - 2*x1[j]/float64(n)) / mu
			}
		}
		projectBallBackward(g1, p1, n1, r)
		projectBallBackward(g2, p2, n2, r)
		res.Grad = map[string]*mat.Dense{KeyZ1: g1, KeyZ2: g2}
	}
	return res, nil
}

// projectBall returns the rows of z projected as in D(): kept when
// ||z_i|| < r, else r z_i / max(||z_i||, 1e-12); and the row norms.
func projectBall(z *mat.Dense, r float64) (*mat.Dense, []float64) {
	n, k := z.Dims()
	p := mat.NewDense(n, k, nil)
	nrm := make([]float64, n)
	for i := 0; i < n; i++ {
		src, dst := z.RawRowView(i), p.RawRowView(i)
		nrm[i] = math.Sqrt(dotT(src, src))
		if nrm[i] < r {
			copy(dst, src)
			continue
		}
		den := max(nrm[i], NormalizeEps)
		for j, v := range src {
			dst[j] = v / den * r
		}
	}
	return p, nrm
}

// projectBallBackward turns g = dL/dp into dL/dz in place.
func projectBallBackward(g, p *mat.Dense, nrm []float64, r float64) {
	n, _ := g.Dims()
	for i := 0; i < n; i++ {
		if nrm[i] < r {
			continue
		}
		gi, pi := g.RawRowView(i), p.RawRowView(i)
		if nrm[i] < NormalizeEps {
			for j := range gi {
				gi[j] *= r / NormalizeEps
			}
			continue
		}
		// p = r zh: dz = r (g - zh (zh . g)) / ||z||, zh = p / r.
		a := dotT(pi, gi) / (r * r)
		for j := range gi {
			gi[j] = r * (gi[j] - a*pi[j]) / nrm[i]
		}
	}
}

// SpectralContrastiveGForm is the spectral contrastive loss in the paper's
// G-form, the exact matrix-factorisation objective
//
//	value = ||Gt - Z Z^T||_F^2,   Gt = D^{-1/2} G D^{-1/2},  D = diag(G 1)
//	      = ||Gt||_F^2 - 2 Tr(Z^T Gt Z) + ||Z^T Z||_F^2
//
// (the symmetric form of D^{-1} G; rows of isolated nodes of Gt are zero),
// computed without an N x N matrix. Parts: const = ||Gt||_F^2,
// part1 = -2 Tr(Z^T Gt Z) (attraction), part2 = ||Z^T Z||_F^2 (repulsion,
// diagonal i = j included). The gradient is 4 (Z Z^T Z - Gt Z). Its minimum
// over N x K matrices is ||Gt||_F^2 - sum_{k <= K, lambda_k > 0} lambda_k^2,
// attained at Z* = U_K diag(sqrt(lambda_k)) from the top eigenpairs of Gt
// (THEORY.md section 4). It has no hyper-parameter. Cost
// O(N K^2 + nnz(G) K).
type SpectralContrastiveGForm struct{}

// Name returns "spectral_contrastive_gform".
func (SpectralContrastiveGForm) Name() string { return NameSpectralContrastiveGForm }

// Form returns GForm.
func (SpectralContrastiveGForm) Form() Form { return GForm }

// RowScale returns 1/sqrt(n), the natural scale of the loss on n rows
// (see the package function RowScale). The minimiser Z* = U_K
// diag(sqrt(lambda_k)) has Z* Z*^T of operator norm at most 1, so its rows
// are of order 1/sqrt(n); at c·Z with c = 1/sqrt(n),
//
//	value = ||Gt||_F^2 - (2/n) Tr(Z^T Gt Z) + (1/n^2) ||Z^T Z||_F^2
//
// whose attraction and repulsion are means over rows and pairs (the
// normalisation of HaoChen et al.'s two-branch loss), minimised by
// sqrt(n) Z*: the same column space, rows of order 1. In a linear encoder
// Z = X W this is -2 Tr(W^T C W) + ||W^T A W||_F^2 + const with the batch
// means A = X^T X / n and C = X^T Gt X / n, whose expectation over batches
// is the loss of the expected graph (up to the O(1/n) variance of A).
func (SpectralContrastiveGForm) RowScale(n int) float64 { return 1 / math.Sqrt(float64(n)) }

// Eval implements Loss.
func (SpectralContrastiveGForm) Eval(in Inputs, wantGrad bool) (Result, error) {
	if err := checkGForm(NameSpectralContrastiveGForm, in, 1); err != nil {
		return Result{}, err
	}
	z, g := in.Z, in.G
	n, k := z.Dims()
	dinv := graph.DegreeInvSqrt(g.Degree(nil))
	cst, tr := 0.0, 0.0
	gtz := mat.NewDense(n, k, nil)
	for i := 0; i < n; i++ {
		dst := gtz.RawRowView(i)
		for p := g.RowPtr[i]; p < g.RowPtr[i+1]; p++ {
			j := g.Col[p]
			w := g.Val[p] * dinv[i] * dinv[j]
			cst += w * w
			for c, v := range z.RawRowView(j) {
				dst[c] += w * v
			}
		}
		tr += dotT(dst, z.RawRowView(i))
	}
	a := gramT(z, 1)
	gram := 0.0
	for i := 0; i < k; i++ {
		row := a.RawRowView(i)
		gram += dotT(row, row)
	}
	res := Result{
		Value: cst - 2*tr + gram,
		Parts: map[string]float64{"const": cst, "part1": -2 * tr, "part2": gram},
	}
	if wantGrad {
		linalg.GemmDense(false, false, 4, z, a, -4, gtz)
		res.Grad = map[string]*mat.Dense{KeyZ: gtz}
	}
	return res, nil
}
