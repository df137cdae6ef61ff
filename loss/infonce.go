package loss

import (
	"math"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/eigenssl/eigenssl/graph"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"
)

// NTXent is SimCLR's NT-Xent on the two branches z1 = Z1 and z2 = Z2
// (N x K each, N >= 1), as in the reference implementations:
//
//	z     = [z1; z2]                          (2N x K, z1 rows first)
//	zh_i  = z_i / max(||z_i||, 1e-12)         (F.normalize)
//	s_ij  = zh_i . zh_j / Tau
//	l_i   = -s_{i,pos(i)} + log sum_{k != i} exp(s_ik),  pos(i) = i +- N
//	value = (1/(2N)) sum_i l_i                (mean over the 2N anchors)
//
// Parts is empty. A zero value of Tau means DefaultTau (0.1). The 2N x 2N
// similarity matrix is never held at once for large N: it is computed in
// row tiles with a streaming log-sum-exp, in parallel (see SimCLRGForm for
// the cost).
type NTXent struct {
	Tau float64
}

// Name returns "ntxent".
func (NTXent) Name() string { return NameNTXent }

// Eval implements Loss.
func (l NTXent) Eval(in Inputs, wantGrad bool) (Result, error) {
	if err := checkPair(NameNTXent, in, 1); err != nil {
		return Result{}, err
	}
	tau := l.Tau
	if tau == 0 {
		tau = DefaultTau
	}
	n, k := in.Z1.Dims()
	z := mat.NewDense(2*n, k, nil)
	z.Slice(0, n, 0, k).(*mat.Dense).Copy(in.Z1)
	z.Slice(n, 2*n, 0, k).(*mat.Dense).Copy(in.Z2)
	zn, nrm := normalizeRows(z, NormalizeEps)
	g := &graph.CSR{N: 2 * n, RowPtr: make([]int, 2*n+1), Col: make([]int, 2*n), Val: make([]float64, 2*n)}
	w := make([]float64, 2*n)
	for i := range w {
		g.RowPtr[i+1] = i + 1
		g.Col[i] = (i + n) % (2 * n)
		g.Val[i] = 1
		w[i] = 1
	}
	var gzn *mat.Dense
	if wantGrad {
		gzn = mat.NewDense(2*n, k, nil)
	}
	scale := 1 / float64(2*n)
	res := Result{Value: scale * infoNCE(zn, tau, g, w, gzn), Parts: map[string]float64{}}
	if wantGrad {
		gzn.Scale(scale, gzn)
		normalizeRowsBackward(gzn, zn, nrm, NormalizeEps)
		res.Grad = map[string]*mat.Dense{
			KeyZ1: mat.DenseCopyOf(gzn.Slice(0, n, 0, k)),
			KeyZ2: mat.DenseCopyOf(gzn.Slice(n, 2*n, 0, k)),
		}
	}
	return res, nil
}

// SimCLRGForm is the paper's SimCLR/InfoNCE on one stacked Z (N x K,
// N >= 2) and the relation graph G: the cross-entropy between G and the
// row-softmax of the cosine similarities over k != i,
//
//	zh_i  = z_i / max(||z_i||, 1e-12),   s_ij = zh_i . zh_j / Tau
//	lse_i = log sum_{k != i} exp(s_ik)
//	value = sum_ij G_ij (lse_i - s_ij)        (a sum over ordered edges, not a mean)
//
// For the V = 2 augmentation graph this is 2N' times NTXent. A weighted G
// weights each edge term. Parts is empty. A zero value of Tau means
// DefaultTau (0.1).
//
// Cost O(N^2 K) time, in row tiles of 64 rows spread over GOMAXPROCS
// goroutines; memory O(N K) plus one 64 x N strip per goroutine. The
// gradient needs every lse first, so the similarity strips are computed
// twice unless N^2 <= 1<<22, when they are kept between the two passes.
// Results do not depend on the number of goroutines (each tile writes its
// own rows; tile sums are added in tile order).
type SimCLRGForm struct {
	Tau float64
}

// Name returns "simclr_gform".
func (SimCLRGForm) Name() string { return NameSimCLRGForm }

// Eval implements Loss.
func (l SimCLRGForm) Eval(in Inputs, wantGrad bool) (Result, error) {
	if err := checkGForm(NameSimCLRGForm, in, 2); err != nil {
		return Result{}, err
	}
	tau := l.Tau
	if tau == 0 {
		tau = DefaultTau
	}
	n, k := in.Z.Dims()
	zn, nrm := normalizeRows(in.Z, NormalizeEps)
	var gzn *mat.Dense
	if wantGrad {
		gzn = mat.NewDense(n, k, nil)
	}
	res := Result{Value: infoNCE(zn, tau, in.G, degree(in.G), gzn), Parts: map[string]float64{}}
	if wantGrad {
		normalizeRowsBackward(gzn, zn, nrm, NormalizeEps)
		res.Grad = map[string]*mat.Dense{KeyZ: gzn}
	}
	return res, nil
}

// normalizeRows returns z_i / max(||z_i||, eps) and the norms ||z_i||.
func normalizeRows(z *mat.Dense, eps float64) (*mat.Dense, []float64) {
	n, k := z.Dims()
	zn := mat.NewDense(n, k, nil)
	nrm := make([]float64, n)
	for i := 0; i < n; i++ {
		src := z.RawRowView(i)
		nrm[i] = math.Sqrt(dot(src, src))
		d := max(nrm[i], eps)
		dst := zn.RawRowView(i)
		for j, v := range src {
			dst[j] = v / d
		}
	}
	return zn, nrm
}

// normalizeRowsBackward turns g = dL/dzn into dL/dz in place: (g_i - zn_i
// (zn_i . g_i)) / ||z_i|| where ||z_i|| >= eps (clamp_min passes the
// gradient at the bound), g_i / eps below it.
func normalizeRowsBackward(g, zn *mat.Dense, nrm []float64, eps float64) {
	n, _ := g.Dims()
	for i := 0; i < n; i++ {
		gi := g.RawRowView(i)
		if nrm[i] < eps {
			for j := range gi {
				gi[j] /= eps
			}
			continue
		}
		zi := zn.RawRowView(i)
		a := dot(zi, gi)
		for j := range gi {
			gi[j] = (gi[j] - a*zi[j]) / nrm[i]
		}
	}
}

const tileRows = 64

// cacheEntries: the similarity strips are kept between the two passes when
// M^2 <= cacheEntries (32 MiB). A variable so that tests can force either path.
var cacheEntries = 1 << 22

// infoNCE evaluates, for the rows zn (M x K, unit or zero norm) with
// s = zn zn^T / tau and lse_i = log sum_{k != i} exp(s_ik),
//
//	value = sum_i w_i lse_i - sum_ij G_ij s_ij
//
// and, when grad is non-nil (M x K, overwritten), its gradient with respect
// to zn for symmetric G:
//
//	grad = (W zn - 2 G zn) / tau,  W_ij = w_i P_ij + w_j P_ji (i != j), W_ii = 0,
//	P_ij = exp(s_ij - lse_i).
func infoNCE(zn *mat.Dense, tau float64, g *graph.CSR, w []float64, grad *mat.Dense) float64 {
	m, _ := zn.Dims()
	nt := (m + tileRows - 1) / tileRows
	lse := make([]float64, m)
	tileVal := make([]float64, nt)
	var strips [][]float64
	if grad != nil && m*m <= cacheEntries {
		strips = make([][]float64, nt)
	}
	znRaw := zn.RawMatrix()
	// strip computes S[lo:hi, :] into buf (row stride m).
	strip := func(lo, hi int, buf []float64) {
		blas64.Gemm(blas.NoTrans, blas.Trans, 1/tau, rowsOf(znRaw, lo, hi), znRaw, 0,
			blas64.General{Rows: hi - lo, Cols: m, Stride: m, Data: buf[:(hi-lo)*m]})
	}
	forTiles(nt, m, func(t int, buf []float64) {
		lo, hi := t*tileRows, min((t+1)*tileRows, m)
		if strips != nil {
			buf = make([]float64, (hi-lo)*m)
			strips[t] = buf
		}
		strip(lo, hi, buf)
		v := 0.0
		for i := lo; i < hi; i++ {
			row := buf[(i-lo)*m : (i-lo+1)*m]
			// Streaming log-sum-exp over k != i: running max mx, sum s of exp(x - mx).
			mx, s := math.Inf(-1), 0.0
			for k, x := range row {
				if k == i {
					continue
				}
				if x > mx {
					s = s*math.Exp(mx-x) + 1
					mx = x
				} else {
					s += math.Exp(x - mx)
				}
			}
			lse[i] = mx + math.Log(s)
			v += w[i] * lse[i]
		}
		tileVal[t] = v
	})
	value := 0.0
	for _, v := range tileVal {
		value += v
	}
	// Edge term sum_ij G_ij s_ij, row by row in order.
	edge := make([]float64, m)
	parallelFor(m, 256, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			zi := zn.RawRowView(i)
			s := 0.0
			for p := g.RowPtr[i]; p < g.RowPtr[i+1]; p++ {
				s += g.Val[p] * dot(zi, zn.RawRowView(g.Col[p]))
			}
			edge[i] = s / tau
		}
	})
	for _, v := range edge {
		value -= v
	}
	if grad == nil {
		return value
	}
	gRaw := grad.RawMatrix()
	forTiles(nt, m, func(t int, buf []float64) {
		lo, hi := t*tileRows, min((t+1)*tileRows, m)
		if strips != nil {
			buf = strips[t]
		} else {
			strip(lo, hi, buf)
		}
		for i := lo; i < hi; i++ {
			row := buf[(i-lo)*m : (i-lo+1)*m]
			wi, li := w[i], lse[i]
			for j, x := range row {
				if j == i {
					row[j] = 0
					continue
				}
				a := 0.0
				if wi != 0 {
					a = wi * math.Exp(x-li)
				}
				if w[j] != 0 {
					a += w[j] * math.Exp(x-lse[j])
				}
				row[j] = a
			}
		}
		blas64.Gemm(blas.NoTrans, blas.NoTrans, 1/tau,
			blas64.General{Rows: hi - lo, Cols: m, Stride: m, Data: buf[:(hi-lo)*m]}, znRaw,
			0, rowsOf(gRaw, lo, hi))
		if strips != nil {
			strips[t] = nil
		}
	})
	csrMulAdd(grad, g, zn, -2/tau)
	return value
}

// rowsOf returns rows lo..hi-1 of a.
func rowsOf(a blas64.General, lo, hi int) blas64.General {
	return blas64.General{Rows: hi - lo, Cols: a.Cols, Stride: a.Stride, Data: a.Data[lo*a.Stride:]}
}

// forTiles runs f on tiles 0..nt-1 from up to GOMAXPROCS goroutines, each
// with its own tileRows x m scratch buffer. Which goroutine runs a tile does
// not affect results: f writes only that tile's outputs.
func forTiles(nt, m int, f func(t int, buf []float64)) {
	nw := min(runtime.GOMAXPROCS(0), nt)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range nw {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var buf []float64
			for {
				t := int(next.Add(1) - 1)
				if t >= nt {
					return
				}
				if buf == nil {
					buf = make([]float64, tileRows*m)
				}
				f(t, buf)
			}
		}()
	}
	wg.Wait()
}
