package closedform

import (
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/eigenssl/eigenssl/graph"
	"github.com/eigenssl/eigenssl/linalg"
	"github.com/eigenssl/eigenssl/loss"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"
)

// Stats accumulates the sufficient statistics of the linear regime. Every
// linear-regime closed form (vicreg, vicreg_hard, spectral_contrastive,
// barlowtwins; LPP and shared-weight CCA) depends on the data X (N x D) and
// the relation graph G only through
//
//	N, Σ_i x_i, XᵀX, XᵀLX, XᵀGX, XᵀDX, XᵀGtX  (D x D),  ‖Gt‖_F², components of G,
//
// with L = D − G, D = diag(G1), Gt = D^{-1/2} G D^{-1/2}. These sums are
// associative: Stats absorbs rows in any grouping and order (AddRows,
// AddViews, AddLabelled, AddGraph) and two Stats merge (Merge), so the closed
// form of a data set larger than memory, or spread over many machines, is
// SolveStats(p, s): the same solver code as Solve after the sums.
//
// G must be block diagonal over what is absorbed together: the V views of a
// sample (AddViews), the rows of one class (AddLabelled: class cliques span
// every call and every merged Stats, G = YYᵀ − I), or the rows of one AddGraph
// call (an edge list local to a shard). G is the disjoint union of these.
//
// Numerics (derived, not measured). Each call splits its rows into blocks
// of at most 2048 rows (chunkRows); a block's D x D contribution is one
// matrix product, each entry within γ_b = bu/(1 − bu) (b <= 2048,
// u = 2^-53) times the sum of the absolute products over the block (Higham,
// Accuracy and Stability of Numerical Algorithms, 2002, §3.1), and blocks
// are added with Neumaier's compensated summation, whose error is
// 2u|S| + O(mu²) Σ|blocks| for m blocks (§4.3). An entry of XᵀX is
// therefore within about (2048 + 2)u Σ_i |x_ij||x_ik| ≈ 2.3e-13
// Σ_i |x_ij||x_ik| of its exact value, independently of N and of the order
// of the rows, calls and merges. The graph sums obey the same bound with the
// products of the rows actually multiplied (the view means and Helmert
// contrasts of AddViews; X and the rows of D X, G X of AddGraph), plus the
// rounding of forming those rows. TestKsumCompensated and
// TestAddGraphCompensatesBlocks check the compensation, and
// TestSolveStatsMatchesSolve the solutions against Solve. Class sums
// (AddLabelled) are merged with Chan et al.'s pairwise update
// M2 = M2_a + M2_b + (n_a n_b / n) δδᵀ, δ = μ_b − μ_a, so within-class
// scatter is never formed as a difference of large sums.
//
// The zero value is not usable; use NewStats. Memory O(D²) plus O(C D²) for
// C classes of AddLabelled. Stats is not safe for concurrent use: give each
// goroutine its own and Merge.
type Stats struct {
	d     int
	n     int64
	sum   ksum // Σ x
	xx    ksum // Xᵀ X
	xlx   ksum // Xᵀ L X
	xgx   ksum // Xᵀ G X
	xdx   ksum // Xᵀ D X
	xgtx  ksum // Xᵀ Gt X
	gt2   ksum // ‖Gt‖_F² (one element)
	comps int64
	// active counts components with at least one edge; cliques is false once
	// a component that may not be an equal-weight clique was absorbed.
	active  int64
	cliques bool
	classes map[int]*classSums
}

// classSums holds one class of AddLabelled: its size, Σ x and centred
// scatter M2 = Σ (x − μ)(x − μ)ᵀ.
type classSums struct {
	n   int64
	sum ksum
	m2  ksum
}

// NewStats returns empty statistics for rows of d columns.
func NewStats(d int) (*Stats, error) {
	if d < 1 {
		return nil, newErr("stats", "D", d, ErrParam)
	}
	return &Stats{d: d, sum: newKsum(d), xx: newKsum(d * d), xlx: newKsum(d * d), xgx: newKsum(d * d),
		xdx: newKsum(d * d), xgtx: newKsum(d * d), gt2: newKsum(1), cliques: true, classes: map[int]*classSums{}}, nil
}

// Dim returns D, the number of columns.
func (s *Stats) Dim() int { return s.d }

// Rows returns the number of rows absorbed (every view counts as a row).
func (s *Stats) Rows() int64 { return s.n }

// ksum is a vector summed with Neumaier's compensation: the value is s + c.
type ksum struct{ s, c []float64 }

func newKsum(n int) ksum { return ksum{make([]float64, n), make([]float64, n)} }

// add adds f·v (len(v) == len(k.s)).
func (k ksum) add(v []float64, f float64) {
	for i, x := range v {
		x *= f
		t := k.s[i] + x
		if math.Abs(k.s[i]) >= math.Abs(x) {
			k.c[i] += (k.s[i] - t) + x
		} else {
			k.c[i] += (x - t) + k.s[i]
		}
		k.s[i] = t
	}
}

// merge adds another compensated sum.
func (k ksum) merge(o ksum) {
	k.add(o.s, 1)
	k.add(o.c, 1)
}

// value returns s + c in a new slice.
func (k ksum) value() []float64 {
	out := make([]float64, len(k.s))
	for i := range out {
		out[i] = k.s[i] + k.c[i]
	}
	return out
}

func (k ksum) clone() ksum {
	return ksum{append([]float64(nil), k.s...), append([]float64(nil), k.c...)}
}

// checkRows validates a block of rows for the Add methods.
func (s *Stats) checkRows(op string, x *mat.Dense) (int, error) {
	return checkRowsOf(op, x, s.d)
}

// checkRowsOf checks that x is present, finite and, when d > 0, has d
// columns, and returns its row count.
func checkRowsOf(op string, x *mat.Dense, d int) (int, error) {
	if x == nil {
		return 0, newErr(op, "X", nil, ErrEmpty)
	}
	r, c := x.Dims()
	if d > 0 && c != d {
		return 0, newErr(op, "X", c, wrap2(ErrShape, errColumns(d)))
	}
	if err := checkMatrix(op, "X", x); err != nil {
		return 0, err
	}
	return r, nil
}

// block returns rows [lo, hi) of x as a blas64.General.
func block(x *mat.Dense, lo, hi int) blas64.General {
	raw := x.RawMatrix()
	return blas64.General{Rows: hi - lo, Cols: raw.Cols, Stride: raw.Stride, Data: raw.Data[lo*raw.Stride:]}
}

// gramOf returns aᵀa (D x D, row major) of a block.
func gramOf(a blas64.General) []float64 {
	out := make([]float64, a.Cols*a.Cols)
	gramTo(out, a)
	return out
}

// gramTo sets dst (len D²) to aᵀa (row major).
func gramTo(dst []float64, a blas64.General) {
	if a.Rows == 0 {
		clear(dst)
		return
	}
	blas64.Gemm(blas.Trans, blas.NoTrans, 1, a, a, 0, blas64.General{Rows: a.Cols, Cols: a.Cols, Stride: a.Cols, Data: dst})
}

// colSums returns the column sums of a block.
func colSums(a blas64.General) []float64 {
	out := make([]float64, a.Cols)
	for i := 0; i < a.Rows; i++ {
		for j, v := range a.Data[i*a.Stride : i*a.Stride+a.Cols] {
			out[j] += v
		}
	}
	return out
}

// AddRows absorbs rows without relations (isolated vertices of G: they
// enter N, Σx and XᵀX only).
func (s *Stats) AddRows(x *mat.Dense) error {
	n, err := s.checkRows("stats add rows", x)
	if err != nil {
		return err
	}
	s.addSums(x, 0, n)
	s.n += int64(n)
	s.comps += int64(n)
	return nil
}

// addSums adds rows [lo, hi) of x to Σx and XᵀX, block by block.
func (s *Stats) addSums(x *mat.Dense, lo, hi int) {
	for ; lo < hi; lo += chunkRows {
		b := block(x, lo, min(hi, lo+chunkRows))
		s.sum.add(colSums(b), 1)
		s.xx.add(gramOf(b), 1)
	}
}

// AddViews absorbs B samples of v views each, stacked as in data.MakeViews
// and train: row u·B + j of x is view u of sample j (x has v·B rows). The
// views of a sample form a clique of unit weights (graph.Views). With x̄_j
// the mean of sample j's views, A = V Σ_j x̄_j x̄_jᵀ and
// E = Σ_{u,j} (x_uj − x̄_j)(x_uj − x̄_j)ᵀ:
//
//	XᵀX += A + E,  XᵀLX += V E,  XᵀGX += (V−1) A − E,
//	XᵀDX += (V−1)(A + E),  XᵀGtX += A − E/(V−1),  ‖Gt‖² += B V/(V−1).
//
// E is formed from the V−1 Helmert contrasts of each sample,
// h_r = (x_1 + … + x_r − r x_{r+1}) / √(r(r+1)), whose Σ_r h_r h_rᵀ is the
// within-sample scatter: XᵀLX comes from differences of views, never from a
// difference of large sums, and the products cost V·B·D² (as XᵀX alone).
func (s *Stats) AddViews(x *mat.Dense, v int) error {
	const op = "stats add views"
	if v < 2 {
		return newErr(op, "V", v, ErrParam)
	}
	rows, err := s.checkRows(op, x)
	if err != nil {
		return err
	}
	if rows%v != 0 {
		return newErr(op, "X", rows, wrap2(ErrShape, errViewRows(v)))
	}
	nb := rows / v
	d := s.d
	vf := float64(v)
	step := max(1, chunkRows/v)
	means := make([]float64, min(nb, step)*d)
	helm := make([]float64, min(nb, step)*(v-1)*d)
	raw := x.RawMatrix()
	view := func(u, j int) []float64 { return raw.Data[(u*nb+j)*raw.Stride : (u*nb+j)*raw.Stride+d] }
	sq := math.Sqrt(vf)
	for lo := 0; lo < nb; lo += step {
		hi := min(nb, lo+step)
		b := hi - lo
		m := means[:b*d]
		h := helm[:b*(v-1)*d]
		linalg.ParallelRange(b, 256, func(jlo, jhi int) {
			for j := lo + jlo; j < lo+jhi; j++ {
				mj := m[(j-lo)*d : (j-lo+1)*d]
				copy(mj, view(0, j))
				for r := 1; r < v; r++ {
					// mj holds x_1 + … + x_r.
					hr := h[((r-1)*b+j-lo)*d : ((r-1)*b+j-lo+1)*d]
					f := 1 / math.Sqrt(float64(r*(r+1)))
					xr := view(r, j)
					for t := range hr {
						hr[t] = (mj[t] - float64(r)*xr[t]) * f
						mj[t] += xr[t]
					}
				}
				for t := range mj {
					mj[t] /= sq // √V x̄
				}
			}
		})
		mg := blas64.General{Rows: b, Cols: d, Stride: d, Data: m}
		a := gramOf(mg)
		eg := gramOf(blas64.General{Rows: b * (v - 1), Cols: d, Stride: d, Data: h})
		s.sum.add(colSums(mg), sq)
		s.xx.add(a, 1)
		s.xx.add(eg, 1)
		s.xlx.add(eg, vf)
		s.xgx.add(a, vf-1)
		s.xgx.add(eg, -1)
		s.xdx.add(a, vf-1)
		s.xdx.add(eg, vf-1)
		s.xgtx.add(a, 1)
		s.xgtx.add(eg, -1/(vf-1))
	}
	s.gt2.add([]float64{float64(nb) * vf / (vf - 1)}, 1)
	s.n += int64(rows)
	s.comps += int64(nb)
	s.active += int64(nb)
	return nil
}

// AddLabelled absorbs labelled rows for G = YYᵀ − I (graph.Labels): rows
// with equal labels are linked, across every call and merged Stats; a
// negative label marks an unlabelled row (no edges). Per class c it keeps
// n_c, Σx and the centred scatter M2_c; SolveStats then uses
//
//	XᵀLX = Σ_c n_c M2_c,  XᵀGX = Σ_c n_c(n_c−1) μ_cμ_cᵀ − M2_c,
//	XᵀDX = Σ_c (n_c−1)(M2_c + n_c μ_cμ_cᵀ),  XᵀGtX = Σ_c XᵀGX_c/(n_c−1),
//
// without any N x N object (memory O(C D²) for C classes).
func (s *Stats) AddLabelled(x *mat.Dense, y []int) error {
	const op = "stats add labelled"
	n, err := s.checkRows(op, x)
	if err != nil {
		return err
	}
	if len(y) != n {
		return newErr(op, "y", len(y), wrap2(ErrShape, errLabels(n)))
	}
	d := s.d
	// Buffers reused for every class of every block.
	buf := make([]float64, min(n, chunkRows)*d)
	mu, row := make([]float64, d), make([]float64, d)
	// A class's exact sums, with zero compensation (mergeClass copies them).
	sumK, m2K := newKsum(d), newKsum(d*d)
	sum, m2 := sumK.s, m2K.s
	for lo := 0; lo < n; lo += chunkRows {
		hi := min(n, lo+chunkRows)
		s.addSums(x, lo, hi)
		byClass := map[int][]int{}
		for i := lo; i < hi; i++ {
			if y[i] < 0 {
				s.comps++
				continue
			}
			byClass[y[i]] = append(byClass[y[i]], i)
		}
		labels := make([]int, 0, len(byClass))
		for c := range byClass {
			labels = append(labels, c)
		}
		sort.Ints(labels)
		for _, c := range labels {
			idx := byClass[c]
			nb := len(idx)
			clear(sum)
			for _, i := range idx {
				for t, v := range x.RawRowView(i) {
					sum[t] += v
				}
			}
			for t := range mu {
				mu[t] = sum[t] / float64(nb)
			}
			e := buf[:nb*d]
			for r, i := range idx {
				for t, v := range x.RawRowView(i) {
					e[r*d+t] = v - mu[t]
				}
			}
			gramTo(m2, blas64.General{Rows: nb, Cols: d, Stride: d, Data: e})
			s.mergeClass(c, int64(nb), sumK, m2K, row)
		}
	}
	s.n += int64(n)
	return nil
}

// mergeClass merges n rows of class c with column sum sum and centred
// scatter m2 into the class (Chan et al.'s update); sum and m2 are not kept
// and row (len D) is scratch.
func (s *Stats) mergeClass(c int, n int64, sum, m2 ksum, row []float64) {
	a, ok := s.classes[c]
	if !ok {
		s.classes[c] = &classSums{n: n, sum: sum.clone(), m2: m2.clone()}
		return
	}
	d := s.d
	sa, sb := a.sum.value(), sum.value()
	delta := sb
	for t := range delta {
		delta[t] = sb[t]/float64(n) - sa[t]/float64(a.n)
	}
	f := float64(a.n) * float64(n) / float64(a.n+n)
	a.m2.merge(m2)
	// M2 += f δδᵀ, one row at a time.
	for i := 0; i < d; i++ {
		for j := 0; j < d; j++ {
			row[j] = delta[i] * delta[j]
		}
		ksum{a.m2.s[i*d : (i+1)*d], a.m2.c[i*d : (i+1)*d]}.add(row, f)
	}
	a.sum.merge(sum)
	a.n += n
}

// AddGraph absorbs the rows of x with a relation graph g on them (g.N rows,
// local indices: an edge list sharded like the data, every edge inside the
// call). Cost O(nnz(g) D + N D²).
func (s *Stats) AddGraph(x *mat.Dense, g *graph.CSR) error {
	const op = "stats add graph"
	n, err := s.checkRows(op, x)
	if err != nil {
		return err
	}
	p := Problem{Loss: VICReg, Regime: Linear, G: g, X: x, K: 1}.withDefaults()
	if g == nil || g.N != n {
		return newErr(op, "G", nil, wrap2(ErrShape, errRowsG))
	}
	if g.NNZ() > 0 {
		if _, err := p.validate(op); err != nil {
			return err
		}
	}
	deg := degrees(g)
	is := graph.DegreeInvSqrt(deg)
	into := func(k ksum) func([]float64) { return func(c []float64) { k.add(c, 1) } }
	s.addSums(x, 0, n)
	gramBlocks(x, g, nil, -1, deg, into(s.xlx))
	gramBlocks(x, g, nil, 1, nil, into(s.xgx))
	gramBlocks(x, nil, nil, 0, deg, into(s.xdx))
	gramBlocks(x, g, is, 1, nil, into(s.xgtx))
	s.gt2.add([]float64{gtFrob2(g, is)}, 1)
	ci := components(g)
	s.comps += int64(ci.count)
	s.active += int64(len(ci.active))
	s.cliques = s.cliques && ci.clique
	s.n += int64(n)
	return nil
}

// Merge adds the statistics of o into s (o is unchanged). Both must have
// the same D.
func (s *Stats) Merge(o *Stats) error {
	if o == nil {
		return newErr("stats merge", "other", nil, ErrEmpty)
	}
	if o.d != s.d {
		return newErr("stats merge", "D", o.d, wrap2(ErrShape, errColumns(s.d)))
	}
	s.n += o.n
	for _, p := range [][2]ksum{{s.sum, o.sum}, {s.xx, o.xx}, {s.xlx, o.xlx}, {s.xgx, o.xgx},
		{s.xdx, o.xdx}, {s.xgtx, o.xgtx}, {s.gt2, o.gt2}} {
		p[0].merge(p[1])
	}
	s.comps += o.comps
	s.active += o.active
	s.cliques = s.cliques && o.cliques
	row := make([]float64, s.d)
	labels := make([]int, 0, len(o.classes))
	for c := range o.classes {
		labels = append(labels, c)
	}
	sort.Ints(labels)
	for _, c := range labels {
		b := o.classes[c]
		s.mergeClass(c, b.n, b.sum, b.m2, row)
	}
	return nil
}

// linearSums are the finished D x D statistics the linear-regime solvers
// take (from Stats.sums or, in memory, from Problem.linearSums).
type linearSums struct {
	n                      float64
	mu                     []float64
	xx, xlx, xgx, xdx, xgt *mat.Dense
	gt2                    float64
	comps, active          int
	cliques                bool
}

// sums finishes the statistics: class sums are turned into their graph
// terms (see AddLabelled).
func (s *Stats) sums() *linearSums {
	d := s.d
	xlx, xgx, xdx, xgt, gt2 := s.xlx.clone(), s.xgx.clone(), s.xdx.clone(), s.xgtx.clone(), s.gt2.clone()
	comps, active := s.comps, s.active
	labels := make([]int, 0, len(s.classes))
	for c := range s.classes {
		labels = append(labels, c)
	}
	sort.Ints(labels)
	outer := make([]float64, d*d)
	for _, c := range labels {
		cs := s.classes[c]
		comps++
		if cs.n < 2 {
			continue
		}
		active++
		nc := float64(cs.n)
		mu := cs.sum.value()
		for t := range mu {
			mu[t] /= nc
		}
		for i := 0; i < d; i++ {
			for j := 0; j < d; j++ {
				outer[i*d+j] = mu[i] * mu[j]
			}
		}
		m2 := cs.m2.value()
		xlx.add(m2, nc)
		xgx.add(outer, nc*(nc-1))
		xgx.add(m2, -1)
		xdx.add(m2, nc-1)
		xdx.add(outer, (nc-1)*nc)
		xgt.add(outer, nc)
		xgt.add(m2, -1/(nc-1))
		gt2.add([]float64{nc / (nc - 1)}, 1)
	}
	n := float64(s.n)
	mu := s.sum.value()
	for t := range mu {
		mu[t] /= n
	}
	dense := func(k ksum) *mat.Dense {
		m := mat.NewDense(d, d, k.value())
		symmetrize(m)
		return m
	}
	return &linearSums{n: n, mu: mu, xx: dense(s.xx), xlx: dense(xlx), xgx: dense(xgx), xdx: dense(xdx), xgt: dense(xgt),
		gt2: gt2.value()[0], comps: int(comps), active: int(active), cliques: s.cliques}
}

// Sums a solver needs (Problem.linearSums computes only those).
const (
	needXX = 1 << iota
	needXLX
	needXGX
	needXDX
	needXGt
)

// linearSums computes the statistics of a linear- or kernel-regime problem
// in memory from its design and G (the path Solve takes; only the sums in
// need, a set of the need flags, are formed). Components are left to the
// callers that have G.
func (p Problem) linearSums(n int, need int) *linearSums {
	x := p.design()
	d := degrees(p.G)
	ls := &linearSums{n: float64(n), mu: linalg.ColMeans(x)}
	if need&needXX != 0 {
		ls.xx = gram(x, nil, nil, 0, ones(n))
	}
	if need&needXLX != 0 {
		ls.xlx = gram(x, p.G, nil, -1, d)
	}
	if need&needXGX != 0 {
		ls.xgx = gram(x, p.G, nil, 1, nil)
	}
	if need&needXDX != 0 {
		ls.xdx = gram(x, nil, nil, 0, d)
	}
	if need&needXGt != 0 {
		is := graph.DegreeInvSqrt(d)
		ls.xgt = gram(x, p.G, is, 1, nil)
		ls.gt2 = gtFrob2(p.G, is)
	}
	return ls
}

// covariance returns Σx = XᵀX/N − μμᵀ = Xᵀ H X / N (biased), without forming H.
func (ls *linearSums) covariance() *mat.Dense {
	dd := len(ls.mu)
	out := mat.NewDense(dd, dd, nil)
	for i := 0; i < dd; i++ {
		for j := 0; j < dd; j++ {
			out.Set(i, j, ls.xx.At(i, j)/ls.n-ls.mu[i]*ls.mu[j])
		}
	}
	return out
}

// singularValues returns the K singular values (descending) of Z = X W,
// centred when centred is true, from the sums: the square roots of the
// eigenvalues of Wᵀ XᵀX W (or N Wᵀ Σx W).
func (ls *linearSums) singularValues(w *mat.Dense, centred bool) []float64 {
	s := ls.xx
	if centred {
		s = ls.covariance()
		s.Scale(ls.n, s)
	}
	var t, g mat.Dense
	t.Mul(s, w)
	g.Mul(w.T(), &t)
	vals, _, err := eigAsc(toSym(&g))
	if err != nil {
		return nil
	}
	out := make([]float64, len(vals))
	for i, v := range vals {
		out[len(vals)-1-i] = math.Sqrt(math.Max(v, 0))
	}
	return out
}

func errColumns(d int) error { return fmt.Errorf("want %d columns (the Stats dimension)", d) }

func errViewRows(v int) error {
	return fmt.Errorf("rows must be a multiple of V = %d (V stacked blocks of views)", v)
}

func errLabels(n int) error { return fmt.Errorf("want one label per row (%d)", n) }

// StatsLosses are the losses SolveStats accepts: those whose linear-regime
// closed form depends on the data only through the sums of Stats.
func StatsLosses() []string { return []string{VICReg, VICRegHard, SpectralContrastive, BarlowTwins} }

// SolveStats returns the linear-regime closed form of p from the sufficient
// statistics s instead of X and G (p.X, p.G and p.KernelMatrix must be nil;
// p.Regime empty or linear). It runs the same solver as Solve after the
// sums, so on data that fits in memory it agrees with Solve up to rounding
// (see Stats for the error bound). Without the rows, the Solution has W,
// Bias, the predicted loss, rank, singular values of Z = X W (+ bias) from
// the sums, spectrum, bounds and notes, but no Z and no Subspace (they live
// in sample space); Refine and CheckEquivalent need the data.
//
// Losses: vicreg, vicreg_hard, spectral_contrastive, barlowtwins (the
// shared-weight CCA characterisation, whose directions are also LPP's:
// XᵀLX a = (1 − ρ) XᵀDX a). vicreg_hinge and simclr depend on more than the
// sums and give ErrParam.
func SolveStats(p Problem, s *Stats) (*Solution, error) {
	const op = "solve stats"
	if canonical(p.Regime) == "" {
		p.Regime = Linear
	}
	p = p.withDefaults()
	if s == nil || s.n == 0 {
		return nil, newErr(op, "stats", nil, ErrEmpty)
	}
	if p.X != nil || p.G != nil || p.KernelMatrix != nil {
		return nil, newErr(op, "Problem", "X, G or KernelMatrix set", wrap2(ErrParam, fmt.Errorf("the statistics replace them")))
	}
	if p.Regime != Linear {
		return nil, newErr(op, "regime", p.Regime, wrap2(ErrParam, fmt.Errorf("statistics give the linear regime only")))
	}
	if !slices.Contains(StatsLosses(), p.Loss) {
		return nil, newErr(op, "loss", p.Loss, errUnknownList(ErrParam, StatsLosses()))
	}
	if err := p.checkParams(op); err != nil {
		return nil, err
	}
	ls := s.sums()
	if ls.active == 0 {
		return nil, newErr(op, "G", "no edges", ErrGraph)
	}
	n := int(s.n)
	var sol *Solution
	var err error
	switch p.Loss {
	case VICReg, VICRegHard:
		sol, err = solveVICRegFamily(p, n, ls)
	case SpectralContrastive:
		sol, err = solveSpectralContrastive(p, n, ls)
	default:
		sol, err = solveBarlowTwins(p, n, ls)
	}
	if err != nil {
		return nil, err
	}
	sol.Components = ls.comps
	return sol, nil
}

// barlowFromSums returns the BarlowTwins G-form loss (loss.BarlowTwinsGForm)
// at Z = X W from the sums: with P = Wᵀ XᵀGX W, Q = Wᵀ XᵀDX W and
// n_k = max(√Q_kk, loss.BarlowGFormEps), C = diag(n)^{-1} P diag(n)^{-1}
// and the loss is Σ_k (C_kk − 1)² + α Σ_{k≠l} C_kl² (TestSolveStatsMatchesSolve
// compares it with loss.BarlowTwinsGForm on Z).
func barlowFromSums(ls *linearSums, w *mat.Dense, alpha float64) float64 {
	var t, pm, qm mat.Dense
	t.Mul(ls.xgx, w)
	pm.Mul(w.T(), &t)
	t.Reset()
	t.Mul(ls.xdx, w)
	qm.Mul(w.T(), &t)
	_, k := w.Dims()
	nrm := make([]float64, k)
	for i := range nrm {
		nrm[i] = math.Max(math.Sqrt(math.Max(qm.At(i, i), 0)), loss.BarlowGFormEps)
	}
	var v float64
	for i := 0; i < k; i++ {
		for j := 0; j < k; j++ {
			c := pm.At(i, j) / (nrm[i] * nrm[j])
			if i == j {
				v += (c - 1) * (c - 1)
			} else {
				v += alpha * c * c
			}
		}
	}
	return v
}
