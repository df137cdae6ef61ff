package spectral

import (
	"fmt"
	"math"
	"sort"

	"github.com/eigenssl/eigenssl/linalg"
	"gonum.org/v1/gonum/mat"
)

// factorOp applies M = Σ_i S_i F_i F_iᵀ S_iᵀ: for each point i an index set
// S_i (idx[ptr[i]:ptr[i+1]], m_i entries) and a factor F_i (m_i x r_i,
// row-major at f[fptr[i]:], r_i = rank[i]). Modified LLE and Hessian LLE
// both build their alignment matrix this way; O(Σ m_i r_i) per product.
type factorOp struct {
	n    int
	ptr  []int
	idx  []int
	rank []int
	fptr []int
	f    []float64
}

func (o *factorOp) Size() int { return o.n }

func (o *factorOp) MulVecTo(dst, x []float64) {
	for i := range dst {
		dst[i] = 0
	}
	var h []float64
	for i := 0; i+1 < len(o.ptr); i++ {
		nb := o.idx[o.ptr[i]:o.ptr[i+1]]
		r := o.rank[i]
		fi := o.f[o.fptr[i] : o.fptr[i]+len(nb)*r]
		if cap(h) < r {
			h = make([]float64, r)
		}
		h = h[:r]
		for c := range h {
			h[c] = 0
		}
		for t, v := range nb {
			xv := x[v]
			for c := 0; c < r; c++ {
				h[c] += fi[t*r+c] * xv
			}
		}
		for t, v := range nb {
			s := 0.0
			for c := 0; c < r; c++ {
				s += fi[t*r+c] * h[c]
			}
			dst[v] += s
		}
	}
}

// add appends the block (nb, F) with F m x r row-major.
func (o *factorOp) add(nb []int, f []float64, r int) {
	if len(o.ptr) == 0 {
		o.ptr = []int{0}
	}
	o.idx = append(o.idx, nb...)
	o.ptr = append(o.ptr, len(o.idx))
	o.fptr = append(o.fptr, len(o.f))
	o.rank = append(o.rank, r)
	o.f = append(o.f, f...)
}

// hessianTol is scikit-learn's hessian_tol: a Hessian weight column whose
// sum is below it is not rescaled.
const hessianTol = 1e-4

// hessianOp builds Hessian eigenmaps' M (Donoho & Grimes 2003) as
// scikit-learn's method='hessian': for each point, with U the top-K left
// singular vectors of its centred neighbours (k x D), Y_i = [1, U, U_a ∘ U_b
// (a <= b)] (k x (1 + K + K(K+1)/2)), Q its full QR factor (k x k) and
// w = Q[:, K+1:] (columns whose sum exceeds hessianTol divided by it), the
// block w wᵀ on the neighbours. Needs k > K(K+3)/2 and D >= K.
func hessianOp(x *mat.Dense, idx []int, k, kc int) (*factorOp, error) {
	n, d := x.Dims()
	dp := kc * (kc + 1) / 2
	if d < kc {
		return nil, fmt.Errorf("hessian LLE needs Components <= D = %d", d)
	}
	type block struct{ w []float64 }
	blocks := make([]block, n)
	r := k - kc - 1
	linalg.ParallelRange(n, 8, func(lo, hi int) {
		gi := mat.NewDense(k, d, nil)
		yi := mat.NewDense(k, 1+kc+dp, nil)
		for i := lo; i < hi; i++ {
			for t := 0; t < k; t++ {
				gi.SetRow(t, x.RawRowView(idx[i*k+t]))
			}
			linalg.CenterColumnsInPlace(gi)
			var svd mat.SVD
			svd.Factorize(gi, mat.SVDThin)
			var u mat.Dense
			svd.UTo(&u)
			for t := 0; t < k; t++ {
				row := yi.RawRowView(t)
				row[0] = 1
				for a := 0; a < kc; a++ {
					row[1+a] = u.At(t, a)
				}
				j := 1 + kc
				for a := 0; a < kc; a++ {
					for b := a; b < kc; b++ {
						row[j] = u.At(t, a) * u.At(t, b)
						j++
					}
				}
			}
			var qr mat.QR
			qr.Factorize(yi)
			var q mat.Dense
			qr.QTo(&q)
			w := make([]float64, k*r)
			for c := 0; c < r; c++ {
				s := 0.0
				for t := 0; t < k; t++ {
					s += q.At(t, kc+1+c)
				}
				if math.Abs(s) < hessianTol {
					s = 1
				}
				for t := 0; t < k; t++ {
					w[t*r+c] = q.At(t, kc+1+c) / s
				}
			}
			blocks[i].w = w
		}
	})
	o := &factorOp{n: n}
	for i := 0; i < n; i++ {
		o.add(idx[i*k:(i+1)*k], blocks[i].w, r)
	}
	return o, nil
}

// modifiedTol is scikit-learn's modified_tol: a Householder vector shorter
// than it is taken as zero.
const modifiedTol = 1e-12

// modifiedOp builds modified LLE's M (Zhang & Wang 2007) as scikit-learn's
// method='modified': the local Gram eigenpairs (V, λ) of X[nbrs(i)] − x_i,
// the regularised weights w_reg (reg = 1e-3 Σλ, fixed as in scikit-learn),
// η = median_i Σ_{j>=K} λ_ij / Σ_{j<K} λ_ij, the size s_i of the "almost null
// space" (the largest set of bottom eigenvalues whose ratio to the rest is
// below η, plus k − min(D, k)), and W_i = V_i − 2 (V_i h) hᵀ + (1 − α_i) w_reg
// with the Householder vector h; the block of [−1; W_i] on {i} ∪ nbrs(i). A
// point with s_i = 0 (where scikit-learn divides by zero) uses s_i = 1.
func modifiedOp(x *mat.Dense, idx []int, k, kc int) *factorOp {
	n, d := x.Dims()
	nev := min(d, k)
	vs := make([]*mat.Dense, n)
	evals := make([][]float64, n)
	linalg.ParallelRange(n, 8, func(lo, hi int) {
		c := mat.NewDense(k, d, nil)
		for i := lo; i < hi; i++ {
			xi := x.RawRowView(i)
			for t := 0; t < k; t++ {
				row := c.RawRowView(t)
				for q, v := range x.RawRowView(idx[i*k+t]) {
					row[q] = v - xi[q]
				}
			}
			var svd mat.SVD
			svd.Factorize(c, mat.SVDFullU)
			var u mat.Dense
			svd.UTo(&u)
			sv := svd.Values(nil)
			ev := make([]float64, nev)
			for j := range ev {
				ev[j] = sv[j] * sv[j]
			}
			vs[i], evals[i] = &u, ev
		}
	})
	// Regularised weights and the ratios ρ_i.
	wreg := make([]float64, n*k)
	rho := make([]float64, n)
	for i := 0; i < n; i++ {
		v, ev := vs[i], evals[i]
		tot := 0.0
		for _, e := range ev {
			tot += e
		}
		reg := 1e-3 * tot
		tmp := make([]float64, k)
		for j := 0; j < k; j++ {
			s := 0.0
			for t := 0; t < k; t++ {
				s += v.At(t, j)
			}
			if j < nev {
				s /= ev[j] + reg
			} else {
				s /= reg
			}
			tmp[j] = s
		}
		w := wreg[i*k : (i+1)*k]
		sum := 0.0
		for t := 0; t < k; t++ {
			s := 0.0
			for j := 0; j < k; j++ {
				s += v.At(t, j) * tmp[j]
			}
			w[t] = s
			sum += s
		}
		for t := range w {
			w[t] /= sum
		}
		top, rest := 0.0, 0.0
		for j, e := range ev {
			if j < kc {
				top += e
			} else {
				rest += e
			}
		}
		rho[i] = rest / top
	}
	eta := median(rho)
	o := &factorOp{n: n}
	for i := 0; i < n; i++ {
		v, ev := vs[i], evals[i]
		// eta_range_j = cum_last / cum_j − 1, j < nev − 1 (decreasing);
		// s_i counts those below η.
		cum := make([]float64, nev)
		s := 0.0
		for j, e := range ev {
			s += e
			cum[j] = s
		}
		si := 0
		for j := 0; j < nev-1; j++ {
			if cum[nev-1]/cum[j]-1 < eta {
				si++
			}
		}
		si += k - nev
		si = max(si, 1)
		// V_i: the bottom s_i left singular vectors.
		vi := mat.DenseCopyOf(v.Slice(0, k, k-si, k))
		colSum := make([]float64, si)
		for t := 0; t < k; t++ {
			for c := 0; c < si; c++ {
				colSum[c] += vi.At(t, c)
			}
		}
		alpha := math.Sqrt(dot(colSum, colSum)) / math.Sqrt(float64(si))
		h := make([]float64, si)
		for c := range h {
			h[c] = alpha - colSum[c]
		}
		if nh := math.Sqrt(dot(h, h)); nh < modifiedTol {
			for c := range h {
				h[c] = 0
			}
		} else {
			for c := range h {
				h[c] /= nh
			}
		}
		// F = [−1 (row i); W_i] with W_i = V_i − 2 (V_i h) hᵀ + (1 − α) w_reg.
		f := make([]float64, (k+1)*si)
		for c := 0; c < si; c++ {
			f[c] = -1
		}
		for t := 0; t < k; t++ {
			vh := dot(vi.RawRowView(t), h)
			for c := 0; c < si; c++ {
				f[(t+1)*si+c] = vi.At(t, c) - 2*vh*h[c] + (1-alpha)*wreg[i*k+t]
			}
		}
		nb := append([]int{i}, idx[i*k:(i+1)*k]...)
		o.add(nb, f, si)
	}
	return o
}

func dot(a, b []float64) float64 {
	s := 0.0
	for i, v := range a {
		s += v * b[i]
	}
	return s
}

// median is numpy's median (mean of the two middle values for even length).
func median(v []float64) float64 {
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	m := len(s) / 2
	if len(s)%2 == 1 {
		return s[m]
	}
	return 0.5 * (s[m-1] + s[m])
}
