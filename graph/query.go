package graph

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"

	"github.com/eigenssl/eigenssl/linalg"
)

// QueryNeighbors returns the k nearest rows of train to every row of query
// (out-of-sample points; a query row equal to a training row finds it at
// distance 0), as row-major M x k lists: idx[i*k+t] is the t-th nearest
// training row of query row i and dist[i*k+t] its distance, ascending, ties
// broken by the smaller training index. As in Neighbors, the search is
// exact: distances are screened on tiles (tileQ query rows x tileC training
// rows, one float64 Gemm on rows centred by the training mean) against each
// row's current k-th distance plus a proven bound on the screening error, and
// every candidate's distance is recomputed directly with the summation of
// linalg.RowSqDist, which gives the returned value: its square root for Euclidean and
// half of it on the L2-normalised rows for Cosine. Only opt.Metric and
// opt.Workers are used.
//
// Cost: O(M N D) time, O(M k + (M + N) D) memory plus one tile of
// tileQ x tileC floats per worker (never M x N). Errors (*Error): ErrEmpty
// (empty train or query), ErrShape (column counts differ), ErrNaN (NaN/Inf),
// ErrNeighbors (k < 1 or k > N), ErrParam (unknown metric, zero row with
// Cosine).
func QueryNeighbors(train, query mat.Matrix, k int, opt KNNOptions) (idx []int, dist []float64, err error) {
	const op = "queryneighbors"
	p, err := newPoints(op, train, opt.Metric)
	if err != nil {
		return nil, nil, err
	}
	if k < 1 || k > p.n {
		return nil, nil, newErr(op, "k", k, fmt.Errorf("%w: need 1 <= k <= N = %d", ErrNeighbors, p.n))
	}
	if query == nil {
		return nil, nil, newErr(op, "query", "nil", ErrEmpty)
	}
	m, d := query.Dims()
	if m == 0 || d == 0 {
		return nil, nil, newErr(op, "query", fmt.Sprintf("%dx%d", m, d), ErrEmpty)
	}
	if d != p.d {
		return nil, nil, newErr(op, "query", fmt.Sprintf("%d columns", d), fmt.Errorf("%w: train has %d columns", ErrShape, p.d))
	}
	// Query rows, validated and (Cosine) normalised as newPoints does, then
	// centred with the training mean.
	qx := make([]float64, m*d)
	if err := readRows(op, "query", query, opt.Metric, qx); err != nil {
		return nil, nil, err
	}
	maxAbs := 0.0
	for _, v := range p.x {
		maxAbs = max(maxAbs, math.Abs(v))
	}
	for _, v := range qx {
		maxAbs = max(maxAbs, math.Abs(v))
	}
	qc := make([]float64, m*d)
	qsq, qnrm := make([]float64, m), make([]float64, m)
	for i := 0; i < m; i++ {
		r, c := qx[i*d:(i+1)*d], qc[i*d:(i+1)*d]
		s := 0.0
		for j := range r {
			c[j] = r[j] - p.mean[j]
			s += c[j] * c[j]
		}
		qsq[i], qnrm[i] = s, math.Sqrt(s)
	}
	// As p.off, over the training and query magnitudes.
	off := centringBound(maxAbs, d)

	idx = make([]int, m*k)
	d2 := make([]float64, m*k)
	nt := (m + tileQ - 1) / tileQ
	pc := p.centred()
	linalg.ParallelRange(nt, tileGrain(nt, opt.Workers), func(tlo, thi int) {
		buf := make([]float64, tileQ*min(tileC, p.n))
		size := make([]int, tileQ)
		for t := tlo; t < thi; t++ {
			i0 := t * tileQ
			qn := min(tileQ, m-i0)
			clear(size)
			q := blas64.General{Rows: qn, Cols: d, Stride: d, Data: qc[i0*d : (i0+qn)*d]}
			for j0 := 0; j0 < p.n; j0 += tileC {
				cn := min(tileC, p.n-j0)
				c := blas64.General{Rows: cn, Cols: d, Stride: d, Data: pc[j0*d : (j0+cn)*d]}
				s := blas64.General{Rows: qn, Cols: cn, Stride: cn, Data: buf[:qn*cn]}
				blas64.Gemm(blas.NoTrans, blas.Trans, -2, q, c, 0, s)
				for a := 0; a < qn; a++ {
					i := i0 + a
					li, ld := idx[i*k:(i+1)*k], d2[i*k:(i+1)*k]
					slack := p.slackOf(qsq[i], qnrm[i], off, j0)
					xi := qx[i*d : (i+1)*d]
					for b, g := range s.Data[a*cn : (a+1)*cn] {
						approx := max(0, g+qsq[i]+p.sq[j0+b])
						if size[a] == k && approx > ld[k-1]+slack {
							continue
						}
						j := j0 + b
						e := sqDist(xi, p.row(j))
						// Insert (e, j) into the sorted list; j grows, so
						// an equal distance goes after the ones listed.
						n := size[a]
						if n == k {
							if e >= ld[k-1] {
								continue
							}
							n--
						} else {
							size[a]++
						}
						for n > 0 && ld[n-1] > e {
							ld[n], li[n] = ld[n-1], li[n-1]
							n--
						}
						ld[n], li[n] = e, j
					}
				}
			}
		}
	})
	for t, v := range d2 {
		d2[t] = p.distance(opt.Metric, v)
	}
	return idx, d2, nil
}
