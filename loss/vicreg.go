package loss

import (
	"math"

	"github.com/eigenssl/eigenssl/graph"
	"github.com/eigenssl/eigenssl/linalg"
	"gonum.org/v1/gonum/mat"
)

// VICRegOfficial is VICReg with the conventions of the official repository
// (facebookresearch/vicreg, main_vicreg.py, VICReg.forward, one process),
// on the two branches x = Z1 and y = Z2 (N x K each, N >= 2):
//
//	repr_loss = sum_ik (x_ik - y_ik)^2 / (N K)            (raw, uncentred inputs)
//	std_x[k]  = sqrt(var(x[:,k]) + 1e-4)                  (unbiased variance, ÷ (N-1))
//	std_loss  = sum_k relu(1 - std_x[k]) / (2K) + sum_k relu(1 - std_y[k]) / (2K)
//	cov_loss  = sum_{i!=j} cov_x[i,j]^2 / K + sum_{i!=j} cov_y[i,j]^2 / K,  cov = xc^T xc / (N-1)
//	value     = SimCoeff repr_loss + StdCoeff std_loss + CovCoeff cov_loss
//
// Parts are the unweighted repr_loss, std_loss and cov_loss. At the kink
// std = 1 the hinge gets zero gradient (relu'(0) = 0, as in PyTorch).
//
// The zero value is the official preset (25, 25, 1); when any coefficient
// is non-zero the three are used as given. Cost O(N K min(N, K)) per
// branch: one Syrk and one Gemm through the K x K covariance, or, when
// K > N, through the N x N Gram matrix xc xc^T (same value and gradient).
type VICRegOfficial struct {
	SimCoeff, StdCoeff, CovCoeff float64
}

// Name returns "vicreg_official".
func (VICRegOfficial) Name() string { return NameVICRegOfficial }

// Form returns TwoBranch.
func (VICRegOfficial) Form() Form { return TwoBranch }

func (l VICRegOfficial) coeffs() (float64, float64, float64) {
	if l.SimCoeff == 0 && l.StdCoeff == 0 && l.CovCoeff == 0 {
		return DefaultSimCoeff, DefaultStdCoeff, DefaultCovCoeff
	}
	return l.SimCoeff, l.StdCoeff, l.CovCoeff
}

// Eval implements Loss.
func (l VICRegOfficial) Eval(in Inputs, wantGrad bool) (Result, error) {
	return evalPair(NameVICRegOfficial, l, in, 2, wantGrad, vicregEval[float64])
}

// Eval32 implements Float32.
func (l VICRegOfficial) Eval32(in Inputs32, wantGrad bool) (Result32, error) {
	return evalPair32(NameVICRegOfficial, l, in, 2, wantGrad, vicregEval[float32])
}

// vicregEval is Eval on T (Grad left nil; the gradients are returned).
func vicregEval[T linalg.Float](l VICRegOfficial, z1, z2 linalg.General[T], wantGrad bool) (res Result, gx, gy linalg.General[T]) {
	sim, std, cov := l.coeffs()
	n, k := z1.Rows, z1.Cols
	nk := float64(n * k)
	repr := 0.0
	for i := 0; i < n; i++ {
		y := z2.Row(i)
		for j, v := range z1.Row(i) {
			d := float64(v) - float64(y[j])
			repr += d * d
		}
	}
	repr /= nk
	gx, hx, cx := vicregBranch(z1, std/(2*float64(k)), cov/float64(k), wantGrad)
	gy, hy, cy := vicregBranch(z2, std/(2*float64(k)), cov/float64(k), wantGrad)
	stdLoss := hx/(2*float64(k)) + hy/(2*float64(k))
	covLoss := cx/float64(k) + cy/float64(k)
	res = Result{
		Value: sim*repr + std*stdLoss + cov*covLoss,
		Parts: map[string]float64{"repr_loss": repr, "std_loss": stdLoss, "cov_loss": covLoss},
	}
	if wantGrad {
		a := 2 * sim / nk
		for i := 0; i < n; i++ {
			x, y := z1.Row(i), z2.Row(i)
			dx, dy := gx.Row(i), gy.Row(i)
			for j := range x {
				d := a * (float64(x[j]) - float64(y[j]))
				dx[j] = T(float64(dx[j]) + d)
				dy[j] = T(float64(dy[j]) - d)
			}
		}
	}
	return res, gx, gy
}

// vicregBranch returns, for one branch x, the hinge sum sum_k relu(1 - std_k),
// the off-diagonal sum sum_{i!=j} cov_ij^2 and, if wantGrad, the gradient of
// ws*hinge + wc*offdiag with respect to x. Sums run in float64 from the
// entries of the T covariance.
func vicregBranch[T linalg.Float](x linalg.General[T], ws, wc float64, wantGrad bool) (grad linalg.General[T], hinge, off float64) {
	n, k := x.Rows, x.Cols
	xc := center(x)
	if useRowGram(n, k) {
		return vicregBranchRowGram(xc, ws, wc, wantGrad)
	}
	c := syrkFull(true, T(1/float64(n-1)), xc)
	for i := 0; i < k; i++ {
		v := float64(c.Data[i*c.Stride+i])
		s := math.Sqrt(v + VICRegStdEps)
		h := 1 - s
		if h > 0 {
			hinge += h
		}
		row := c.Row(i)
		if wantGrad {
			row[i] = 0
			for j, cij := range row {
				off += float64(cij) * float64(cij)
				// d/dxc of wc*sum_{i!=j} C_ij^2 = xc * 4 wc C_off / (N-1).
				row[j] = T(4 * wc * float64(cij) / float64(n-1))
			}
			row[i] = T(2 * hingeGrad(h, s, ws) / float64(n-1))
		} else {
			for j, cij := range row {
				if j != i {
					off += float64(cij) * float64(cij)
				}
			}
		}
	}
	if !wantGrad {
		return grad, hinge, off
	}
	grad = linalg.NewGeneral[T](n, k)
	linalg.Gemm(false, false, 1, xc, c, 0, grad)
	subColMeanT(grad)
	return grad, hinge, off
}

// hingeGrad returns d ws*relu(1-s)/d var for s = sqrt(var + eps), h = 1-s:
// -ws/(2s) where h > 0, 0 at the kink and beyond (relu'(0) = 0).
func hingeGrad(h, s, ws float64) float64 {
	if h > 0 {
		return -ws / (2 * s)
	}
	return 0
}

// vicregBranchRowGram is vicregBranch through B = xc xc^T (N x N), for
// K > N: sum_{i!=j} C_ij^2 = ||B||_F^2/(N-1)^2 - sum_k C_kk^2 and
// xc C_off = (B xc/(N-1) - xc diag(C)), O(N^2 K).
func vicregBranchRowGram[T linalg.Float](xc linalg.General[T], ws, wc float64, wantGrad bool) (grad linalg.General[T], hinge, off float64) {
	n, k := xc.Rows, xc.Cols
	n1 := float64(n - 1)
	cd := make([]float64, k)
	for i := 0; i < n; i++ {
		for j, v := range xc.Row(i) {
			cd[j] += float64(v) * float64(v)
		}
	}
	b := syrkFull(false, 1, xc)
	fro := 0.0
	for _, v := range b.Data {
		fro += float64(v) * float64(v)
	}
	off = fro / (n1 * n1)
	dg := make([]float64, k)
	for j := range cd {
		cd[j] /= n1
		off -= cd[j] * cd[j]
		s := math.Sqrt(cd[j] + VICRegStdEps)
		h := 1 - s
		if h > 0 {
			hinge += h
		}
		dg[j] = 2*hingeGrad(h, s, ws)/n1 - 4*wc*cd[j]/n1
	}
	if !wantGrad {
		return grad, hinge, off
	}
	grad = linalg.NewGeneral[T](n, k)
	linalg.SymmUpper(T(4*wc/(n1*n1)), b, xc, 0, grad)
	for i := 0; i < n; i++ {
		g := grad.Row(i)
		for j, v := range xc.Row(i) {
			g[j] = T(float64(g[j]) + float64(v)*dg[j])
		}
	}
	subColMeanT(grad)
	return grad, hinge, off
}

// VICRegGForm is the paper's VICReg on one stacked Z (N x K, N >= 2) and
// the relation graph G (Balestriero & LeCun 2022, THEORY.md section 2):
//
//	C        = (Z - colmean)^T (Z - colmean) / (N-1)                  (K x K, unbiased)
//	var_loss = K - sum_k sqrt(clamp(C_kk, 1e-6, 1))
//	cov_loss = sum_{k!=l} C_kl^2                                      (not divided by K)
//	inv_loss = sum_ij G_ij ||z_i - z_j||^2 / N = 2 Tr(Z^T L Z) / N      (ordered pairs)
//	value    = Alpha var_loss + Beta cov_loss + Gamma inv_loss
//
// A weighted G multiplies each pair term by G_ij. The clamp passes the
// gradient only for 1e-6 <= C_kk <= 1, bounds inclusive (torch.clamp), so
// a column with variance exactly 1 still gets -Alpha/2 dC_kk.
//
// The zero value means Alpha = Beta = Gamma = 1 (DefaultVICRegGAlpha,
// DefaultBeta, DefaultGamma); when any weight is non-zero the three are used
// as given. Cost O(N K^2 + nnz(G) K).
type VICRegGForm struct {
	Alpha, Beta, Gamma float64
}

// Name returns "vicreg_gform".
func (VICRegGForm) Name() string { return NameVICRegGForm }

// Form returns GForm.
func (VICRegGForm) Form() Form { return GForm }

func (l VICRegGForm) coeffs() (float64, float64, float64) {
	if l.Alpha == 0 && l.Beta == 0 && l.Gamma == 0 {
		return DefaultVICRegGAlpha, DefaultBeta, DefaultGamma
	}
	return l.Alpha, l.Beta, l.Gamma
}

// Eval implements Loss.
func (l VICRegGForm) Eval(in Inputs, wantGrad bool) (Result, error) {
	if err := checkGForm(NameVICRegGForm, in, 2); err != nil {
		return Result{}, err
	}
	alpha, beta, gamma := l.coeffs()
	z := in.Z
	n, k := z.Dims()
	zc := linalg.CenterColumns(z)
	c := gramT(zc, 1/float64(n-1))
	cr := c.RawMatrix()
	varLoss, covLoss := float64(k), 0.0
	for i := 0; i < k; i++ {
		row := cr.Data[i*cr.Stride : i*cr.Stride+k]
		v := row[i]
		cv := min(max(v, VarClampMin), VarClampMax)
		sq := math.Sqrt(cv)
		varLoss -= sq
		for j, cij := range row {
			if j != i {
				covLoss += cij * cij
			}
		}
		if wantGrad {
			for j, cij := range row {
				row[j] = 4 * beta * cij / float64(n-1)
			}
			dv := 0.0
			if v >= VarClampMin && v <= VarClampMax {
				dv = -alpha / (2 * sq)
			}
			row[i] = 2 * dv / float64(n-1)
		}
	}
	invLoss := dirichlet(z, in.G) / float64(n)
	res := Result{
		Value: alpha*varLoss + beta*covLoss + gamma*invLoss,
		Parts: map[string]float64{"var_loss": varLoss, "cov_loss": covLoss, "inv_loss": invLoss},
	}
	if wantGrad {
		grad := mat.NewDense(n, k, nil)
		linalg.GemmDense(false, false, 1, zc, c, 0, grad)
		subColMean(grad)
		// d inv/dZ = 4 (D Z - G Z) / N = 4 L Z / N.
		addLaplacian(grad, in.G, z, 4*gamma/float64(n))
		res.Grad = map[string]*mat.Dense{KeyZ: grad}
	}
	return res, nil
}

// dirichlet returns sum_ij G_ij ||z_i - z_j||^2 over the stored (ordered)
// entries of G, summed row by row in order. Cost O(nnz K).
func dirichlet(z *mat.Dense, g *graph.CSR) float64 {
	rows := make([]float64, g.N)
	linalg.ParallelRange(g.N, 256, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			zi := z.RawRowView(i)
			s := 0.0
			for p := g.RowPtr[i]; p < g.RowPtr[i+1]; p++ {
				zj := z.RawRowView(g.Col[p])
				e := 0.0
				for k, v := range zi {
					d := v - zj[k]
					e += d * d
				}
				s += g.Val[p] * e
			}
			rows[i] = s
		}
	})
	t := 0.0
	for _, v := range rows {
		t += v
	}
	return t
}
