package graph

import (
	"fmt"
	"math"
	"runtime"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/eigenssl/eigenssl/linalg"
)

// Tile sizes of the blocked distance computation: a tile of tileQ query rows
// is compared with tiles of tileC data rows through one Gemm.
const (
	tileQ = 256
	tileC = 1024
)

// points is the validated, contiguous (and for Cosine normalised) data.
type points struct {
	n, d int
	x    []float64 // row-major n x d
	c    []float64 // x with centred columns, for the Gemm screening (centred() makes it)
	sq   []float64 // squared row norms of c
	nrm  []float64 // row norms of c
	mean []float64 // column means of x, the centre of c
	off  float64   // bound on the centring rounding, see tileSlack
	// Maxima of sq and nrm over each data tile of tileC rows.
	tileSq, tileNrm []float64
}

func (p *points) row(i int) []float64 { return p.x[i*p.d : (i+1)*p.d] }

// centred returns the centred rows c_i = x_i − mean (row-major n x d),
// made on first use: the approximate search never needs them in float64
// (a second n x d copy: 440 MB for 70,000 x 784).
func (p *points) centred() []float64 {
	if p.c == nil {
		d := p.d
		p.c = make([]float64, len(p.x))
		linalg.ParallelRange(p.n, 256, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				p.centreRow(p.c[i*d:(i+1)*d], i)
			}
		})
	}
	return p.c
}

// centreRow sets dst (length d) to the centred row c_i = x_i − mean.
func (p *points) centreRow(dst []float64, i int) {
	// gonum's vectorised loop: each difference rounded once, as a Go loop.
	floats.SubTo(dst[:p.d], p.x[i*p.d:(i+1)*p.d], p.mean[:p.d])
}

// dist2 is the directly computed squared distance, symmetric in (i, j)
// bit for bit (see sqDist).
func (p *points) dist2(i, j int) float64 { return sqDist(p.row(i), p.row(j)) }

// sqDist is linalg.RowSqDist: the one summation of every exact distance in
// this package (kNN lists, epsilon balls, queries, the approximate lists'
// re-ranking), so that they agree bit for bit. It is symmetric in (a, b)
// bit for bit since (a-b)^2 == (b-a)^2, and within gamma_{D/16+4} relative
// of the exact sum (non-negative terms).
func sqDist(a, b []float64) float64 { return linalg.RowSqDist(a, b) }

// tileSlack bounds the rounding error of the screening distance
// ||c_i||^2 + ||c_j||^2 - 2 c_i.c_j (Gemm on the centred rows) for every j in
// the data tile starting at j0, so that the tile distances only pre-filter
// candidates against one per-row threshold and every decision is taken on
// directly computed distances. The second term covers the rounding of the
// centring itself, which is relative to the uncentred magnitudes.
func (p *points) tileSlack(i, j0 int) float64 {
	return p.slackOf(p.sq[i], p.nrm[i], p.off, j0)
}

// slackOf is tileSlack for a row with centred squared norm sq and norm nrm
// (a training row or a query row centred by the training mean), with the
// centring bound off.
func (p *points) slackOf(sq, nrm, off float64, j0 int) float64 {
	t := j0 / tileC
	return screenSlack(p.d, sq+p.tileSq[t], nrm+p.tileNrm[t], off)
}

// screenSlack is the float64 screening bound of a pair of centred rows of
// dimension d whose squared norms sum to (at most) sq and norms to nrm,
// with the centring bound off: the Gemm rounding relative to sq plus the
// centring rounding.
func screenSlack(d int, sq, nrm, off float64) float64 {
	return (1e-9+1e-13*float64(d))*sq + off*nrm
}

// centringBound is the p.off of data whose largest magnitude is maxAbs.
func centringBound(maxAbs float64, d int) float64 { return 1e-14 * maxAbs * math.Sqrt(float64(d)) }

// readRows copies the rows of X (n x d) into dst (row-major), refusing
// NaN/Inf entries (ErrNaN) and, with Cosine, zero rows (ErrParam), which it
// L2-normalises; name names X in the errors.
func readRows(op, name string, X mat.Matrix, metric Metric, dst []float64) error {
	n, d := X.Dims()
	for i := 0; i < n; i++ {
		r := mat.Row(dst[i*d:(i+1)*d], i, X)
		s := 0.0
		for j, v := range r {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return newErr(op, fmt.Sprintf("%s[%d,%d]", name, i, j), v, ErrNaN)
			}
			s += v * v
		}
		if metric == Cosine {
			if s == 0 {
				return newErr(op, fmt.Sprintf("%s[%d]", name, i), "zero row with cosine metric", ErrParam)
			}
			nr := math.Sqrt(s)
			for j := range r {
				r[j] /= nr
			}
		}
	}
	return nil
}

func newPoints(op string, X mat.Matrix, metric Metric) (*points, error) {
	if X == nil {
		return nil, newErr(op, "X", "nil", ErrEmpty)
	}
	n, d := X.Dims()
	if n == 0 || d == 0 {
		return nil, newErr(op, "X", fmt.Sprintf("%dx%d", n, d), ErrEmpty)
	}
	if metric != Euclidean && metric != Cosine {
		return nil, newErr(op, "Metric", int(metric), ErrParam)
	}
	p := &points{n: n, d: d, x: make([]float64, n*d), sq: make([]float64, n), nrm: make([]float64, n)}
	if err := readRows(op, "X", X, metric, p.x); err != nil {
		return nil, err
	}
	// The tiles work on centred rows: distances are translation invariant and
	// centring keeps ||x||^2 + ||y||^2 - 2 x.y accurate for data far from the
	// origin. The exact distances use the uncentred rows. The centred copy
	// itself is made only by the searches that multiply it (centred).
	p.mean = linalg.ColMeans(mat.NewDense(n, d, p.x))
	for i := 0; i < n; i++ {
		s := 0.0
		for j, v := range p.x[i*d : (i+1)*d] {
			c := v - p.mean[j]
			s += c * c
		}
		p.sq[i] = s
		p.nrm[i] = math.Sqrt(s)
	}
	nt := (n + tileC - 1) / tileC
	p.tileSq, p.tileNrm = make([]float64, nt), make([]float64, nt)
	for j := 0; j < n; j++ {
		p.tileSq[j/tileC] = max(p.tileSq[j/tileC], p.sq[j])
		p.tileNrm[j/tileC] = max(p.tileNrm[j/tileC], p.nrm[j])
	}
	maxAbs := 0.0
	for _, v := range p.x {
		maxAbs = max(maxAbs, math.Abs(v))
	}
	p.off = centringBound(maxAbs, d)
	return p, nil
}

// workerCount is the number of goroutines for KNNOptions.Workers = w.
func workerCount(w int) int {
	if w <= 0 {
		return runtime.GOMAXPROCS(0)
	}
	return w
}

// tileGrain is the linalg.ParallelRange grain that spreads n equal work
// items over at most workerCount(workers) goroutines (ParallelRange itself
// caps them at GOMAXPROCS).
func tileGrain(n, workers int) int {
	w := workerCount(workers)
	if w >= runtime.GOMAXPROCS(0) {
		return 1
	}
	return (n + w - 1) / w
}

// scanTiles computes, for every query tile [i0, i0+qn) and data tile
// [j0, j0+cn), the approximate squared distances ||x_i||^2 + ||x_j||^2 -
// 2 x_i.x_j (clamped at 0) into s (qn x cn, row-major) and calls visit. Query
// tiles are spread over goroutines (linalg.ParallelRange, in contiguous
// runs, at most workerCount(workers)); visit is called for one query tile by one
// goroutine at a time, data tiles in increasing order. Memory per worker:
// tileQ*tileC floats.
func (p *points) scanTiles(workers int, visit func(i0, qn, j0, cn int, s []float64)) {
	nt := (p.n + tileQ - 1) / tileQ
	pc := p.centred()
	linalg.ParallelRange(nt, tileGrain(nt, workers), func(lo, hi int) {
		buf := make([]float64, tileQ*min(tileC, p.n))
		for t := lo; t < hi; t++ {
			i0 := t * tileQ
			qn := min(tileQ, p.n-i0)
			q := blas64.General{Rows: qn, Cols: p.d, Stride: p.d, Data: pc[i0*p.d : (i0+qn)*p.d]}
			for j0 := 0; j0 < p.n; j0 += tileC {
				cn := min(tileC, p.n-j0)
				c := blas64.General{Rows: cn, Cols: p.d, Stride: p.d, Data: pc[j0*p.d : (j0+cn)*p.d]}
				s := blas64.General{Rows: qn, Cols: cn, Stride: cn, Data: buf[:qn*cn]}
				blas64.Gemm(blas.NoTrans, blas.Trans, -2, q, c, 0, s)
				for a := 0; a < qn; a++ {
					row := s.Data[a*cn : (a+1)*cn]
					si := p.sq[i0+a]
					for b := range row {
						row[b] = max(0, row[b]+si+p.sq[j0+b])
					}
				}
				visit(i0, qn, j0, cn, s.Data)
			}
		}
	})
}

func (p *points) distance(metric Metric, d2 float64) float64 {
	if metric == Cosine {
		return d2 / 2
	}
	return math.Sqrt(d2)
}
