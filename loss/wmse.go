package loss

import (
	"github.com/eigenssl/eigenssl/linalg"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"
)

// WMSE is W-MSE (Ermolov et al. 2021) with the conventions of the official
// code (htdt/self-supervised, methods/whitening.py and wmse.py) for two
// views, one whitening group (w_size = N) and w_iter = 1, on z1 = Z1 and
// z2 = Z2 (N x K each, N > K):
//
//	xc     = z - colmean(z)                      (each branch whitened on its own)
//	Sigma  = (1 - Eps) xc^T xc / (N-1) + Eps I   (unbiased covariance, shrinkage Eps)
//	L      = chol(Sigma)  (lower),   w = xc L^{-T}   (so cov(w) = I when Eps = 0)
//	value  = 2 - (2/N) sum_i wn1_i . wn2_i,    wn_i = w_i / max(||w_i||, 1e-12)
//
// The gradient flows through the Cholesky factor as in torch's
// cholesky_backward (symmetrised). Parts is empty. The zero value uses
// Eps = 0, the official default (w_eps). A covariance that is not positive
// definite (N <= K, or a constant column, with Eps = 0) is an *Error
// wrapping ErrSingular. Cost O(N K^2 + K^3).
type WMSE struct {
	Eps float64
}

// Name returns "wmse".
func (WMSE) Name() string { return NameWMSE }

// Form returns TwoBranch.
func (WMSE) Form() Form { return TwoBranch }

// Eval implements Loss.
func (l WMSE) Eval(in Inputs, wantGrad bool) (Result, error) {
	if err := checkPair(NameWMSE, in, 2); err != nil {
		return Result{}, err
	}
	n, k := in.Z1.Dims()
	w1, err := whiten(in.Z1, l.Eps, KeyZ1)
	if err != nil {
		return Result{}, err
	}
	w2, err := whiten(in.Z2, l.Eps, KeyZ2)
	if err != nil {
		return Result{}, err
	}
	u1, n1 := normalizeRows(w1.w, NormalizeEps)
	u2, n2 := normalizeRows(w2.w, NormalizeEps)
	s := 0.0
	for i := 0; i < n; i++ {
		s += dotT(u1.RawRowView(i), u2.RawRowView(i))
	}
	res := Result{Value: 2 - 2*s/float64(n), Parts: map[string]float64{}}
	if !wantGrad {
		return res, nil
	}
	g1 := mat.NewDense(n, k, nil)
	g2 := mat.NewDense(n, k, nil)
	g1.Scale(-2/float64(n), u2)
	g2.Scale(-2/float64(n), u1)
	normalizeRowsBackward(g1, u1, n1, NormalizeEps)
	normalizeRowsBackward(g2, u2, n2, NormalizeEps)
	res.Grad = map[string]*mat.Dense{KeyZ1: w1.backward(g1, l.Eps), KeyZ2: w2.backward(g2, l.Eps)}
	return res, nil
}

// whitened holds one branch's whitening w = xc L^{-T}.
type whitened struct {
	xc, w *mat.Dense
	l     blas64.Triangular // lower Cholesky factor of Sigma
}

func whiten(z *mat.Dense, eps float64, key string) (*whitened, error) {
	n, k := z.Dims()
	xc := linalg.CenterColumns(z)
	sig := gramT(xc, (1-eps)/float64(n-1))
	for i := 0; i < k; i++ {
		sig.Set(i, i, sig.At(i, i)+eps)
	}
	var ch mat.Cholesky
	if !ch.Factorize(mat.NewSymDense(k, sig.RawMatrix().Data)) {
		return nil, errorf(NameWMSE, key, ErrSingular, "%dx%d with eps %v (needs N > K and no constant column, or eps > 0)", n, k, eps)
	}
	var lt mat.TriDense
	ch.LTo(&lt)
	l := lt.RawTriangular()
	w := mat.DenseCopyOf(xc)
	// w L^T = xc.
	blas64.Trsm(blas.Right, blas.Trans, 1, l, w.RawMatrix())
	return &whitened{xc: xc, w: w, l: l}, nil
}

// backward turns g = dL/dw into dL/dz.
func (b *whitened) backward(g *mat.Dense, eps float64) *mat.Dense {
	n, k := g.Dims()
	// Direct path: w = xc M with M = L^{-T}, so dxc = g M^T = g L^{-1}.
	dxc := mat.DenseCopyOf(g)
	blas64.Trsm(blas.Right, blas.NoTrans, 1, b.l, dxc.RawMatrix())
	// Mbar = xc^T g; Lbar = -L^{-T} Mbar^T L^{-T}.
	lbar := mat.NewDense(k, k, nil)
	linalg.GemmDense(true, false, -1, g, b.xc, 0, lbar) // -Mbar^T = -g^T xc
	blas64.Trsm(blas.Left, blas.Trans, 1, b.l, lbar.RawMatrix())
	blas64.Trsm(blas.Right, blas.Trans, 1, b.l, lbar.RawMatrix())
	// Cholesky backward (torch): phi = tril(L^T Lbar) with halved diagonal,
	// Sigmabar = sym(L^{-T} phi L^{-1}).
	lm := mat.NewDense(k, k, nil)
	for i := 0; i < k; i++ {
		copy(lm.RawRowView(i)[:i+1], b.l.Data[i*b.l.Stride:i*b.l.Stride+i+1])
	}
	phi := mat.NewDense(k, k, nil)
	linalg.GemmDense(true, false, 1, lm, lbar, 0, phi)
	for i := 0; i < k; i++ {
		row := phi.RawRowView(i)
		row[i] *= 0.5
		for j := i + 1; j < k; j++ {
			row[j] = 0
		}
	}
	blas64.Trsm(blas.Left, blas.Trans, 1, b.l, phi.RawMatrix())
	blas64.Trsm(blas.Right, blas.NoTrans, 1, b.l, phi.RawMatrix())
	// Sigma = (1-eps) xc^T xc/(N-1) + eps I: dxc += xc (Sbar + Sbar^T)(1-eps)/(N-1).
	sym := mat.NewDense(k, k, nil)
	sym.Add(phi, phi.T())
	linalg.GemmDense(false, false, (1-eps)/float64(n-1), b.xc, sym, 1, dxc)
	subColMean(dxc)
	return dxc
}
