package graph

import (
	"cmp"
	"math"
	"slices"

	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/blas/gonum"
	"gonum.org/v1/gonum/mat"

	"github.com/eigenssl/eigenssl/linalg"
)

// Projection screening: above projMinD dimensions (and projMinN points) the
// screening works on projRank principal directions plus the residual norm.
const (
	projMinD   = 256
	projRank   = 128
	projSample = 4096
	projBlock  = 512 // rows centred and projected at a time
)

// projMinN is the number of points from which the projection pays: its
// fixed cost (a covariance of up to projSample rows and an eigensolve of
// D x D) and its looser bound (more candidates to re-rank) against the
// (D − projRank) / D of the screening products it saves. Measured on
// Fashion-MNIST (784-d, OpenBLAS, two runs each): LLE at N = 2,000 fitted
// in 0.35 / 0.40 s without it and 0.47 / 0.51 s with it (N = 5,000: 1.24 /
// 1.26 and 1.35 / 1.45 s); the kNN phase of LE at N = 10,000 took 1.16 /
// 1.17 s without and 1.16 / 1.25 s with it (within noise), at N = 20,000
// 3.70 / 3.74 s without and 2.79 / 2.81 s with it.
// A variable so that tests can exercise the projection on small inputs.
var projMinN = 32 * symTile

// screenFeatures returns row-major features f_i (n x fd) of the centred rows
// with |f_i|^2 = |c_i|^2 and f_i . f_j >= c_i . c_j, so that
// |c_i|^2 + |c_j|^2 - 2 f_i . f_j is a lower bound on the squared distance.
// For small D, f = c (exact). For large D, f_i = [Vᵀc_i, rho_i] with V (D x
// projRank) orthonormal and rho_i = |c_i - V Vᵀ c_i| (rounded up): then
// f_i . f_j - c_i . c_j = rho_i rho_j - r_i . r_j >= 0 for the residuals r
// (Cauchy–Schwarz), and the screening Gemm costs projRank+3 instead of D+2
// per pair. V spans (approximately: a randomized SVD) the top principal
// directions of an evenly spaced sample of at most projSample rows (any
// orthonormal V keeps the bound valid; a good one keeps it tight). The
// rounding of V's orthonormality and of the projections is far below the
// 1e-9 relative slack of the thresholds.
func (p *points) screenFeatures() ([]float64, int) {
	n, d := p.n, p.d
	if d < projMinD || n < projMinN {
		return p.centred(), d
	}
	m := min(n, projSample)
	sub := mat.NewDense(m, d, nil)
	for t := 0; t < m; t++ {
		p.centreRow(sub.RawRowView(t), t*n/m)
	}
	// The covariance is split over two goroutines (the openblas build runs
	// OpenBLAS on one thread, and Syrk has no row blocks in linalg): fixed
	// halves, added in order, so the result does not depend on GOMAXPROCS.
	var halves [2]mat.SymDense
	linalg.ParallelRange(2, 1, func(lo, hi int) {
		for h := lo; h < hi; h++ {
			halves[h].SymOuterK(1, sub.Slice(h*m/2, (h+1)*m/2, 0, d).T())
		}
	})
	cov := &halves[0]
	cov.AddSym(cov, &halves[1])
	// The leading projRank eigenvectors of cov, approximately: a seeded
	// randomized SVD of the D x D cov with two power iterations (cov's own
	// powers: four of the sample's) costs a few products with a D x 138
	// matrix, where the exact EigSymRange took 70 ms in the openblas build
	// and 250 ms in the pure-Go one at D = 784 (a third of LE's kNN there).
	// Any orthonormal V keeps the bound valid; this one keeps it about as
	// tight.
	_, _, vecs, err := linalg.RandomizedSVD(mat.DenseCopyOf(cov), projRank, linalg.RSVDSettings{PowerIter: 2, Seed: 1})
	if err != nil {
		return p.centred(), d
	}
	v, err := linalg.Orthonormalize(vecs)
	if err != nil {
		return p.centred(), d
	}
	_, r := v.Dims()
	// proj = C V by blocks of projBlock rows, each centred into a buffer:
	// the centred copy of all the data (N x D floats, 440 MB at 70,000 x
	// 784, and its page faults) is never made on this path.
	proj := mat.NewDense(n, r, nil)
	nb := (n + projBlock - 1) / projBlock
	linalg.ParallelRange(nb, 1, func(lo, hi int) {
		buf := make([]float64, projBlock*d)
		for b := lo; b < hi; b++ {
			r0, r1 := b*projBlock, min(n, (b+1)*projBlock)
			for i := r0; i < r1; i++ {
				p.centreRow(buf[(i-r0)*d:(i-r0+1)*d], i)
			}
			cb := mat.NewDense(r1-r0, d, buf[:(r1-r0)*d])
			linalg.GemmDense(false, false, 1, cb, v, 0, proj.Slice(r0, r1, 0, r).(*mat.Dense))
		}
	})
	fd := r + 1
	feat := make([]float64, n*fd)
	for i := 0; i < n; i++ {
		f := feat[i*fd : (i+1)*fd]
		pn := 0.0
		for t, x := range proj.RawRowView(i) {
			f[t] = x
			pn += x * x
		}
		// rho^2 = |c|^2 - |Vᵀc|^2, plus a bound on its rounding so that
		// rho is never underestimated.
		rho2 := max(0, p.sq[i]-pn) + 1e-12*p.sq[i]
		f[r] = math.Sqrt(rho2)
	}
	return feat, fd
}

// spatialOrder returns a permutation of the points that keeps nearby points
// in the same tiles of symTile rows: a random-projection-style tree splits
// each range along the direction joining two far-apart points of it (a from
// the first point, b from a), at a multiple of symTile, down to single
// tiles. It works on the n rows of pc (length d): knnLists passes the
// screening features (screenFeatures), whose distances approximate the
// points' (the centred rows themselves for small D; the projection and the
// residual norm otherwise, 129 numbers instead of 784 for Fashion-MNIST).
// Deterministic; O(N d log(N/symTile)) time, top levels in parallel. Any
// order gives the same exact lists; this one only makes the screening
// thresholds tight early.
func spatialOrder(pc []float64, n, d int) []int {
	perm := make([]int, n)
	for i := range perm {
		perm[i] = i
	}
	crow := func(i int) []float64 { return pc[i*d : (i+1)*d] }
	farthest := func(seg []int, from int) int {
		best, bd := from, -1.0
		for _, j := range seg {
			if e := sqDist(crow(from), crow(j)); e > bd {
				best, bd = j, e
			}
		}
		return best
	}
	var split func(seg []int, depth int)
	split = func(seg []int, depth int) {
		m := len(seg)
		if m <= symTile {
			return
		}
		a := farthest(seg, seg[0])
		b := farthest(seg, a)
		if a == b || sqDist(crow(a), crow(b)) == 0 {
			return // all points equal
		}
		dir := make([]float64, d)
		for t := range dir {
			dir[t] = pc[b*d+t] - pc[a*d+t]
		}
		type pt struct {
			t float64
			i int
		}
		ps := make([]pt, m)
		for q, i := range seg {
			ps[q] = pt{blas64.Dot(blas64.Vector{N: d, Inc: 1, Data: crow(i)}, blas64.Vector{N: d, Inc: 1, Data: dir}), i}
		}
		slices.SortFunc(ps, func(x, y pt) int {
			if c := cmp.Compare(x.t, y.t); c != 0 {
				return c
			}
			return cmp.Compare(x.i, y.i)
		})
		for q := range ps {
			seg[q] = ps[q].i
		}
		left := symTile * max(1, ((m+symTile-1)/symTile)/2)
		halves := [2][]int{seg[:left], seg[left:]}
		if depth < 3 {
			// The two halves are disjoint: split them concurrently.
			linalg.ParallelRange(2, 1, func(lo, hi int) {
				for h := lo; h < hi; h++ {
					split(halves[h], depth+1)
				}
			})
			return
		}
		split(halves[0], depth+1)
		split(halves[1], depth+1)
	}
	split(perm, 0)
	return perm
}

// tileProductNative sets s = q cᵀ from bt, the transposed data tile (row k
// of bt holds column k of c, stride symTile), as s[a,:] = sum_k q[a,k] bt[k,:]
// with gonum's assembly Saxpy. Zero q entries are skipped (exact: the data
// are finite).
func tileProductNative(q blas32.General, bt []float32, s blas32.General) {
	impl := gonum.Implementation{}
	cn := s.Cols
	for a := 0; a < q.Rows; a++ {
		out := s.Data[a*s.Stride : a*s.Stride+cn]
		clear(out)
		for k, v := range q.Data[a*q.Stride : a*q.Stride+q.Cols] {
			if v != 0 {
				impl.Saxpy(cn, v, bt[k*symTile:k*symTile+cn], 1, out, 1)
			}
		}
	}
}
