package loss

import (
	"math"

	"github.com/eigenssl/eigenssl/graph"
	"github.com/eigenssl/eigenssl/linalg"

	"gonum.org/v1/gonum/mat"
)

// BarlowTwinsOfficial is BarlowTwins with the conventions of the official
// repository (facebookresearch/barlowtwins, main.py, BarlowTwins.forward, one
// process, no scale_loss), on z1 = Z1 and z2 = Z2 (N x K each, N >= 2):
//
//	bn(z)[:,k] = (z[:,k] - mean_k) / sqrt(var_k + 1e-5)   (BatchNorm1d(affine=False), training
//	                                                       mode: biased variance, ÷ N)
//	c          = bn(z1)^T bn(z2) / N                       (K x K)
//	on_diag    = sum_k (c_kk - 1)^2,   off_diag = sum_{k!=l} c_kl^2
//	value      = on_diag + Lambd off_diag
//
// Parts are on_diag and the unweighted off_diag. A zero value of Lambd
// means DefaultLambd (0.0051). Cost O(N K min(N, K)): three Gemms through
// the K x K matrix c, or, when K > N, Syrk and Symm through the N x N Gram
// matrices of the normalised branches (same value and gradient).
type BarlowTwinsOfficial struct {
	Lambd float64
}

// Name returns "barlowtwins_official".
func (BarlowTwinsOfficial) Name() string { return NameBarlowTwinsOfficial }

// Form returns TwoBranch.
func (BarlowTwinsOfficial) Form() Form { return TwoBranch }

// Eval implements Loss.
func (l BarlowTwinsOfficial) Eval(in Inputs, wantGrad bool) (Result, error) {
	return evalPair(NameBarlowTwinsOfficial, l, in, 2, wantGrad, barlowEval[float64])
}

// Eval32 implements Float32.
func (l BarlowTwinsOfficial) Eval32(in Inputs32, wantGrad bool) (Result32, error) {
	return evalPair32(NameBarlowTwinsOfficial, l, in, 2, wantGrad, barlowEval[float32])
}

// barlowEval is Eval on T (Grad left nil; the gradients are returned).
func barlowEval[T linalg.Float](l BarlowTwinsOfficial, z1, z2 linalg.General[T], wantGrad bool) (res Result, g1, g2 linalg.General[T]) {
	lambd := l.Lambd
	if lambd == 0 {
		lambd = DefaultLambd
	}
	n, k := z1.Rows, z1.Cols
	var b1, b2 linalg.General[T]
	var s1, s2 []float64
	branches(n*k, func() { b1, s1 = batchNorm(z1) }, func() { b2, s2 = batchNorm(z2) })
	defer func() { putScratch(b1.Data); putScratch(b2.Data) }()
	if useRowGram(n, k) {
		return barlowRowGram(b1, b2, s1, s2, lambd, wantGrad)
	}
	c := linalg.NewGeneral[T](k, k)
	linalg.Gemm(true, false, T(1/float64(n)), b1, b2, 0, c)
	on, off := barlowGamma(c, lambd, wantGrad)
	res = Result{
		Value: on + lambd*off,
		Parts: map[string]float64{"on_diag": on, "off_diag": off},
	}
	if wantGrad {
		// c now holds Gamma = dL/dc; dL/db1 = b2 Gamma^T / N, dL/db2 = b1 Gamma / N.
		g1, g2 = linalg.NewGeneral[T](n, k), linalg.NewGeneral[T](n, k)
		branches(n*k, func() {
			linalg.Gemm(false, true, T(1/float64(n)), b2, c, 0, g1)
			batchNormBackward(g1, b1, s1)
		}, func() {
			linalg.Gemm(false, false, T(1/float64(n)), b1, c, 0, g2)
			batchNormBackward(g2, b2, s2)
		})
	}
	return res, g1, g2
}

// barlowRowGram evaluates BarlowTwinsOfficial through the N x N Gram
// matrices B1 = b1 b1^T and B2 = b2 b2^T, for K > N (O(N^2 K)):
// ||c||_F^2 = <B1, B2>_F / N^2, off_diag = ||c||_F^2 - sum_k c_kk^2,
// dL/db1 = (2 lambd/N^2) B2 b1 + b2 diag(g)/N and dL/db2 = (2 lambd/N^2) B1 b2
// + b1 diag(g)/N with g_k = 2(c_kk - 1) - 2 lambd c_kk.
func barlowRowGram[T linalg.Float](b1, b2 linalg.General[T], s1, s2 []float64, lambd float64, wantGrad bool) (res Result, g1, g2 linalg.General[T]) {
	n, k := b1.Rows, b1.Cols
	cd := make([]float64, k)
	for i := 0; i < n; i++ {
		x2 := b2.Row(i)
		for j, v := range b1.Row(i) {
			cd[j] += float64(v) * float64(x2[j])
		}
	}
	B1, B2 := syrkFull(false, 1, b1), syrkFull(false, 1, b2)
	fro := 0.0
	for i, v := range B1.Data {
		fro += float64(v) * float64(B2.Data[i])
	}
	nf := float64(n)
	on, off := 0.0, fro/(nf*nf)
	gd := make([]float64, k)
	for j := range cd {
		cd[j] /= nf
		on += (cd[j] - 1) * (cd[j] - 1)
		off -= cd[j] * cd[j]
		gd[j] = (2*(cd[j]-1) - 2*lambd*cd[j]) / nf
	}
	res = Result{
		Value: on + lambd*off,
		Parts: map[string]float64{"on_diag": on, "off_diag": off},
	}
	if !wantGrad {
		return res, g1, g2
	}
	g1, g2 = linalg.NewGeneral[T](n, k), linalg.NewGeneral[T](n, k)
	linalg.SymmUpper(T(2*lambd/(nf*nf)), B2, b1, 0, g1)
	linalg.SymmUpper(T(2*lambd/(nf*nf)), B1, b2, 0, g2)
	for i := 0; i < n; i++ {
		x1, x2 := b1.Row(i), b2.Row(i)
		r1, r2 := g1.Row(i), g2.Row(i)
		for j := range r1 {
			r1[j] = T(float64(r1[j]) + float64(x2[j])*gd[j])
			r2[j] = T(float64(r2[j]) + float64(x1[j])*gd[j])
		}
	}
	branches(n*k, func() { batchNormBackward(g1, b1, s1) }, func() { batchNormBackward(g2, b2, s2) })
	return res, g1, g2
}

// branchGrain is the number of entries per branch from which branches
// runs the two concurrently: below it a goroutine costs more than it saves
// (training batches of a few hundred rows and small K).
const branchGrain = 1 << 14

// branches runs the two branches' independent computations f1 and f2, on
// branches of size entries each, concurrently (in turn when GOMAXPROCS is 1
// or size < branchGrain). Each writes only its own branch's outputs, so the
// results are those of the serial order bit for bit.
func branches(size int, f1, f2 func()) {
	if size < branchGrain {
		f1()
		f2()
		return
	}
	linalg.ParallelRange(2, 1, func(lo, hi int) {
		for b := lo; b < hi; b++ {
			if b == 0 {
				f1()
			} else {
				f2()
			}
		}
	})
}

// barlowGamma returns on_diag and off_diag of the cross-correlation c
// (summed in float64) and, if wantGrad, overwrites c with Gamma = dL/dc
// (2(c_kk - 1) on the diagonal, 2 alpha c_kl off it).
func barlowGamma[T linalg.Float](c linalg.General[T], alpha float64, wantGrad bool) (on, off float64) {
	for i := 0; i < c.Rows; i++ {
		row := c.Row(i)
		for j, t := range row {
			v := float64(t)
			if i == j {
				on += (v - 1) * (v - 1)
				if wantGrad {
					row[j] = T(2 * (v - 1))
				}
			} else {
				off += v * v
				if wantGrad {
					row[j] = T(2 * alpha * v)
				}
			}
		}
	}
	return on, off
}

// batchNorm returns (z - mean) / s with s_k = sqrt(biased var_k + 1e-5),
// the statistics in float64. The row loops are colstats.go's (AVX2 kernels
// on amd64, the same bits as their Go loops). The result's storage comes
// from getScratch (every entry written): the caller hands it back with
// putScratch once done, which spares the allocation and zeroing of two
// N x K buffers per evaluation.
func batchNorm[T linalg.Float](z linalg.General[T]) (linalg.General[T], []float64) {
	n, k := z.Rows, z.Cols
	mu := colMeans(z)
	s := make([]float64, k)
	for i := 0; i < n; i++ {
		addSqDev(s, z.Row(i), mu)
	}
	for j := range s {
		s[j] = math.Sqrt(s[j]/float64(n) + BatchNormEps)
	}
	// One division per column, not per entry (divisions dominated the
	// loop; the product by 1/s differs from the quotient by at most 1 ulp).
	inv := make([]float64, k)
	for j, v := range s {
		inv[j] = 1 / v
	}
	b := linalg.General[T]{Rows: n, Cols: k, Stride: k, Data: getScratch[T](n * k)}
	for i := 0; i < n; i++ {
		scaleDev(b.Row(i), z.Row(i), mu, inv)
	}
	return b, s
}

// batchNormBackward turns g = dL/dbn into dL/dz in place:
// dz = (g - mean(g) - bn mean(g bn)) / s, exact with the eps inside s; the
// means in float64, the row loops colstats.go's.
func batchNormBackward[T linalg.Float](g, b linalg.General[T], s []float64) {
	n, k := g.Rows, g.Cols
	mg := make([]float64, k)
	mgb := make([]float64, k)
	for i := 0; i < n; i++ {
		addRowProd(mg, mgb, g.Row(i), b.Row(i))
	}
	inv := make([]float64, k)
	for j := range mg {
		mg[j] /= float64(n)
		mgb[j] /= float64(n)
		inv[j] = 1 / s[j]
	}
	for i := 0; i < n; i++ {
		subProjScale(g.Row(i), b.Row(i), mg, mgb, inv)
	}
}

// BarlowTwinsGForm is the paper's BarlowTwins on one stacked Z (N x K) and
// the relation graph G. With the edge list of G as left/right pairs (each
// undirected edge as (i,j) and (j,i)), columns L2-normalised (F.normalize,
// eps 1e-6, no centring):
//
//	C     = diag(n)^{-1} Z^T G Z diag(n)^{-1},   n_k = max(sqrt((Z^T D Z)_kk), 1e-6),  D = diag(G 1)
//	value = sum_k (C_kk - 1)^2 + Alpha sum_{k!=l} C_kl^2
//
// For a 0/1 G this is exactly the edge-list form Zl_n^T Zr_n of the
// reference code, since ||Zl[:,k]||^2 = ||Zr[:,k]||^2 = (Z^T D Z)_kk and
// Zl^T Zr = Z^T G Z. A weighted G is taken as weighted pairs in this matrix
// form: pair (i,j) contributes G_ij z_i z_j^T to the cross product and
// G_ij z_ik^2 to the squared norm of column k (pairs scaled by sqrt(G_ij)
// on both sides). Columns with norm below the eps are divided by the eps
// and get no gradient through the norm (clamp_min).
//
// Parts are on_diag and the unweighted off_diag. A zero value of Alpha
// means DefaultBarlowGAlpha (0.0051). Cost O(N K^2 + nnz(G) K).
type BarlowTwinsGForm struct {
	Alpha float64
}

// Name returns "barlowtwins_gform".
func (BarlowTwinsGForm) Name() string { return NameBarlowTwinsGForm }

// Form returns GForm.
func (BarlowTwinsGForm) Form() Form { return GForm }

// Eval implements Loss.
func (l BarlowTwinsGForm) Eval(in Inputs, wantGrad bool) (Result, error) {
	if err := checkGForm(NameBarlowTwinsGForm, in, 1); err != nil {
		return Result{}, err
	}
	alpha := l.Alpha
	if alpha == 0 {
		alpha = DefaultBarlowGAlpha
	}
	z := in.Z
	n, k := z.Dims()
	d := in.G.Degree(nil)
	gz, c, nrm, active := barlowGFormC(z, in.G, d)
	var cc *mat.Dense
	if wantGrad {
		cc = mat.DenseCopyOf(c)
	}
	on, off := barlowGamma(linalg.GeneralOf(c), alpha, wantGrad)
	res := Result{
		Value: on + alpha*off,
		Parts: map[string]float64{"on_diag": on, "off_diag": off},
	}
	if !wantGrad {
		return res, nil
	}
	// c holds Gamma, cc holds C; dL/dn_k = -(2/n_k) sum_l Gamma_kl C_kl.
	dn := make([]float64, k)
	for i := 0; i < k; i++ {
		if active[i] {
			dn[i] = -2 * dotT(c.RawRowView(i), cc.RawRowView(i)) / nrm[i]
		}
	}
	// dZ = 2 G Z diag(1/n) Gamma diag(1/n) + diag(d) Z diag(dL/dn_k / n_k).
	for i := 0; i < k; i++ {
		row := c.RawRowView(i)
		for j := range row {
			row[j] *= 2 / (nrm[i] * nrm[j])
		}
	}
	grad := mat.NewDense(n, k, nil)
	linalg.GemmDense(false, false, 1, gz, c, 0, grad)
	for i := 0; i < n; i++ {
		g := grad.RawRowView(i)
		for j, v := range z.RawRowView(i) {
			g[j] += d[i] * v * dn[j] / nrm[j]
		}
	}
	res.Grad = map[string]*mat.Dense{KeyZ: grad}
	return res, nil
}

// barlowGFormC returns G Z, C, the clamped column norms n_k and whether
// each norm is at or above the eps (gradient passes through the clamp).
func barlowGFormC(z *mat.Dense, g *graph.CSR, d []float64) (gz, c *mat.Dense, nrm []float64, active []bool) {
	n, k := z.Dims()
	gz = mat.NewDense(n, k, nil)
	csrMulAdd(gz, g, z, 1)
	c = mat.NewDense(k, k, nil)
	linalg.GemmDense(true, false, 1, z, gz, 0, c)
	q := make([]float64, k)
	for i := 0; i < n; i++ {
		for j, v := range z.RawRowView(i) {
			q[j] += d[i] * v * v
		}
	}
	nrm = make([]float64, k)
	active = make([]bool, k)
	for j, v := range q {
		s := math.Sqrt(v)
		active[j] = s >= BarlowGFormEps
		nrm[j] = max(s, BarlowGFormEps)
	}
	for i := 0; i < k; i++ {
		row := c.RawRowView(i)
		for j := range row {
			row[j] /= nrm[i] * nrm[j]
		}
	}
	return gz, c, nrm, active
}

// GFormCorrelation returns the K x K cross-correlation C of BarlowTwinsGForm,
// diag(n)^{-1} Z^T G Z diag(n)^{-1} with n_k = max(sqrt((Z^T D Z)_kk), 1e-6).
func GFormCorrelation(z *mat.Dense, g *graph.CSR) (*mat.Dense, error) {
	const op = "gformcorrelation"
	if err := checkGForm(op, Inputs{Z: z, G: g}, 1); err != nil {
		return nil, err
	}
	_, c, _, _ := barlowGFormC(z, g, g.Degree(nil))
	return c, nil
}
