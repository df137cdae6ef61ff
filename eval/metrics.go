package eval

import (
	"math"

	"github.com/eigenssl/eigenssl/graph"
	"github.com/eigenssl/eigenssl/linalg"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// SingularValues returns the singular values of z (N x K), descending, from
// a thin SVD, O(N K²) (linalg.SingularValues after eval's input checks). z
// is not centred; centre it first to describe the covariance spectrum.
func SingularValues(z mat.Matrix) ([]float64, error) {
	const op = "singularvalues"
	zd, err := checkX(op, z)
	if err != nil {
		return nil, err
	}
	s, err := linalg.SingularValues(zd)
	if err != nil {
		return nil, newErr(op, "z", nil, detail(ErrNoConvergence, "SVD failed: %v", err))
	}
	return s, nil
}

// Rank returns the number of singular values of z above the absolute
// tolerance tol; tol <= 0 means numpy's default max(N, K)·ε·σ₁
// (linalg.DefaultRankTol). The count is linalg.RankOf's.
func Rank(z mat.Matrix, tol float64) (int, error) {
	s, err := SingularValues(z)
	if err != nil {
		return 0, err
	}
	if len(s) == 0 || !(s[0] > 0) {
		return 0, nil
	}
	if tol <= 0 {
		r, c := z.Dims()
		return linalg.RankOf(s, linalg.DefaultRankTol(r, c)), nil
	}
	return linalg.RankOf(s, tol/s[0]), nil
}

// EffectiveRank returns the effective rank of Roy & Vetterli (2007):
//
//	erank(z) = exp(-Σ_k p_k log p_k),   p_k = σ_k / Σ_j σ_j,
//
// with 0 log 0 = 0; it lies in [1, rank(z)] and equals the rank when the
// non-zero singular values are equal. A zero matrix gives ErrParam.
func EffectiveRank(z mat.Matrix) (float64, error) {
	s, err := SingularValues(z)
	if err != nil {
		return 0, err
	}
	sum := floats.Sum(s)
	if sum == 0 {
		return 0, newErr("effectiverank", "z", "0", detail(ErrParam, "zero matrix"))
	}
	h := 0.0
	for _, v := range s {
		if p := v / sum; p > 0 {
			h -= p * math.Log(p)
		}
	}
	return math.Exp(h), nil
}

// PrincipalAngles returns the principal angles (radians, ascending) between
// the column spaces of a and b; see linalg.PrincipalAngles, to which it
// delegates.
func PrincipalAngles(a, b mat.Matrix) ([]float64, error) {
	return linalg.PrincipalAngles(a, b)
}

// LinearCKA returns the linear centred kernel alignment of Kornblith et al.
// (2019) between representations a (N x Ka) and b (N x Kb) of the same N
// samples:
//
//	CKA = ‖B̃ᵀÃ‖_F² / (‖ÃᵀÃ‖_F ‖B̃ᵀB̃‖_F),
//
// with Ã, B̃ the column-centred matrices; it is in [0, 1], invariant to
// orthogonal transforms and isotropic scaling of either side, and 1 when
// the centred column spaces agree with matching spectra. Computed in feature
// space, O(N (Ka + Kb)²), never forming the N x N Gram matrices. A
// representation that is constant (zero after centring) gives ErrParam.
func LinearCKA(a, b mat.Matrix) (float64, error) {
	const op = "linearcka"
	ad, err := checkX(op, a)
	if err != nil {
		return 0, err
	}
	bd, err := checkX(op, b)
	if err != nil {
		return 0, err
	}
	na, _ := ad.Dims()
	nb, _ := bd.Dims()
	if na != nb {
		return 0, newErr(op, "b", nb, detail(ErrShape, "%d rows, a has %d", nb, na))
	}
	ac, bc := linalg.CenterColumns(ad), linalg.CenterColumns(bd)
	var ab, aa, bb mat.Dense
	ab.Mul(bc.T(), ac)
	aa.Mul(ac.T(), ac)
	bb.Mul(bc.T(), bc)
	den := mat.Norm(&aa, 2) * mat.Norm(&bb, 2)
	if den == 0 {
		return 0, newErr(op, "a/b", nil, detail(ErrParam, "a constant representation has no centred kernel"))
	}
	num := mat.Norm(&ab, 2)
	return num * num / den, nil
}

// Alignment describes how a relation graph G matches class labels.
type Alignment struct {
	// WithinClass is the fraction of edge weight inside classes,
	// Σ_{ij: y_i = y_j} G_ij / Σ_ij G_ij; 1 for a graph aligned with the
	// labels (e.g. G = YYᵀ - I), 1/C in expectation for random edges on
	// C balanced classes.
	WithinClass float64 `json:"within_class"`
	// Components is the number of connected components c of G.
	Components int `json:"components"`
	// Purity is Σ_components max_class |component ∩ class| / N: 1 when no
	// component mixes classes (components equal to or finer than classes).
	Purity float64 `json:"purity"`
	// InversePurity is Σ_classes max_component |component ∩ class| / N: 1
	// when no class is split over components (components coarser or equal).
	InversePurity float64 `json:"inverse_purity"`
	// ARI is the adjusted Rand index (Hubert & Arabie 1985) between the
	// component partition and the class partition: 1 iff they are equal,
	// about 0 for unrelated partitions. It ignores edge weights and calls
	// a graph with one stray edge between classes unrelated; prefer
	// WithinClass (edge homophily) and LabelEnergy.
	ARI float64 `json:"ari"`
	// LabelEnergy is LabelEnergy(G, y, EnergyDim) when it was computed
	// (EnergyDim > 0); GraphAlignment leaves both 0.
	LabelEnergy float64 `json:"label_energy"`
	EnergyDim   int     `json:"energy_dim,omitempty"`
}

// MaxLabelEnergyN bounds the vertices of LabelEnergy, whose dense
// eigendecomposition costs O(N³) time and O(N²) memory.
const MaxLabelEnergyN = 6000

// LabelEnergy returns the fraction of the label signal that lies in the
// bottom eigenspace of G's Laplacian L = D − G: with Y_c the centred one-hot
// label matrix of the labelled vertices (y_i >= 0; vertices with y_i < 0 and
// their edges are dropped, so that it measures G where labels are known) and
// u_1..u_{k+1} the eigenvectors of the k+1 smallest eigenvalues of L on
// those vertices (k dimensions besides the constant vector, which carries no
// centred label energy),
//
//	E = Σ_{i<=k+1} ‖u_iᵀ Y_c‖² / ‖Y_c‖²  ∈ [0, 1].
//
// E is 1 when the labels are smooth on G within the k lowest frequencies
// (every class a union of components, c <= k+1), about k/N for unrelated
// labels. Eigenvalues tied with the (k+1)-th (relative gap 1e-9) form a
// degenerate eigenspace in which no basis is preferred: E counts the
// expected energy of a uniformly random choice of the remaining dimensions
// in it, (m/t)·‖P_tie Y_c‖² for m of its t dimensions. Cost O(N³) (dense
// eigendecomposition); N above MaxLabelEnergyN is an ErrParam error.
func LabelEnergy(g *graph.CSR, y []int, k int) (float64, error) {
	const op = "labelenergy"
	if g == nil || g.N == 0 {
		return 0, newErr(op, "g", nil, ErrEmpty)
	}
	if len(y) != g.N {
		return 0, newErr(op, "y", len(y), detail(ErrShape, "%d labels for %d vertices", len(y), g.N))
	}
	if k < 1 {
		return 0, newErr(op, "k", k, detail(ErrParam, "want k >= 1"))
	}
	if err := g.Validate(); err != nil {
		return 0, newErr(op, "g", nil, detail(ErrParam, "%v", err))
	}
	pos := make([]int, g.N)
	n := 0
	for i, c := range y {
		pos[i] = -1
		if c >= 0 {
			pos[i] = n
			n++
		}
	}
	if n > MaxLabelEnergyN {
		return 0, newErr(op, "g", n, detail(ErrParam, "%d labelled vertices; at most %d (dense eigendecomposition)", n, MaxLabelEnergyN))
	}
	if n < 2 {
		return 0, newErr(op, "y", n, detail(ErrLabels, "need at least 2 labelled vertices"))
	}
	lap := mat.NewSymDense(n, nil)
	for i := range g.N {
		if pos[i] < 0 {
			continue
		}
		for e := g.RowPtr[i]; e < g.RowPtr[i+1]; e++ {
			j := g.Col[e]
			if pos[j] < 0 || j == i {
				continue
			}
			w := g.Val[e]
			a, b := pos[i], pos[j]
			lap.SetSym(a, b, lap.At(a, b)-w)
			lap.SetSym(a, a, lap.At(a, a)+w)
		}
	}
	classes := map[int]int{}
	var yl []int
	for _, c := range y {
		if c >= 0 {
			if _, ok := classes[c]; !ok {
				classes[c] = len(classes)
			}
			yl = append(yl, classes[c])
		}
	}
	nc := len(classes)
	yc := mat.NewDense(n, nc, nil)
	for i, c := range yl {
		yc.Set(i, c, 1)
	}
	linalg.CenterColumnsInPlace(yc)
	total := mat.Norm(yc, 2)
	total *= total
	if total == 0 {
		return 0, newErr(op, "y", nil, detail(ErrLabels, "need at least 2 classes among the labelled vertices"))
	}
	var eig mat.EigenSym
	if !eig.Factorize(lap, true) {
		return 0, newErr(op, "g", n, detail(ErrNoConvergence, "eigendecomposition failed"))
	}
	vals := eig.Values(nil)
	var vecs mat.Dense
	eig.VectorsTo(&vecs)
	m := min(k+1, n)
	// The tie of the m-th eigenvalue: [lo, hi) around index m-1.
	tol := 1e-9 * math.Max(1, math.Abs(vals[n-1]))
	lo, hi := m-1, m
	for lo > 0 && vals[m-1]-vals[lo-1] <= tol {
		lo--
	}
	for hi < n && vals[hi]-vals[m-1] <= tol {
		hi++
	}
	var proj mat.Dense
	proj.Mul(vecs.T(), yc)
	energy := func(a, b int) float64 {
		var s float64
		for i := a; i < b; i++ {
			for _, v := range proj.RawRowView(i) {
				s += v * v
			}
		}
		return s
	}
	e := energy(0, lo) + float64(m-lo)/float64(hi-lo)*energy(lo, hi)
	return math.Min(1, e/total), nil
}

// GraphAlignment measures the agreement of G (symmetric, non-negative) with
// the labels y (one per vertex). Cost O(N + NNZ). A graph without edges has
// WithinClass NaN.
func GraphAlignment(g *graph.CSR, y []int) (*Alignment, error) {
	const op = "graphalignment"
	if g == nil || g.N == 0 {
		return nil, newErr(op, "g", nil, ErrEmpty)
	}
	if len(y) != g.N {
		return nil, newErr(op, "y", len(y), detail(ErrShape, "%d labels for %d vertices", len(y), g.N))
	}
	if err := g.Validate(); err != nil {
		return nil, newErr(op, "g", nil, detail(ErrParam, "%v", err))
	}
	var in, tot float64
	for i := range g.N {
		for k := g.RowPtr[i]; k < g.RowPtr[i+1]; k++ {
			w := g.Val[k]
			tot += w
			if y[g.Col[k]] == y[i] {
				in += w
			}
		}
	}
	a := &Alignment{WithinClass: math.NaN()}
	if tot > 0 {
		a.WithinClass = in / tot
	}
	comp, c := graph.Components(g)
	a.Components = c
	a.Purity, a.InversePurity, a.ARI = partitionAgreement(comp, y)
	return a, nil
}

// partitionAgreement returns purity, inverse purity and the adjusted Rand
// index of partition a (predicted) against b (reference).
func partitionAgreement(a, b []int) (purity, inverse, ari float64) {
	type pair struct{ a, b int }
	cont := map[pair]int{}
	ca, cb := map[int]int{}, map[int]int{}
	for i := range a {
		cont[pair{a[i], b[i]}]++
		ca[a[i]]++
		cb[b[i]]++
	}
	bestA, bestB := map[int]int{}, map[int]int{}
	comb2 := func(n int) float64 { return float64(n) * float64(n-1) / 2 }
	var sumIJ, sumA, sumB float64
	for p, n := range cont {
		bestA[p.a] = max(bestA[p.a], n)
		bestB[p.b] = max(bestB[p.b], n)
		sumIJ += comb2(n)
	}
	n := float64(len(a))
	for k, v := range bestA {
		purity += float64(v)
		sumA += comb2(ca[k])
	}
	for k, v := range bestB {
		inverse += float64(v)
		sumB += comb2(cb[k])
	}
	expected := sumA * sumB / comb2(len(a))
	maxIdx := (sumA + sumB) / 2
	if maxIdx == expected {
		ari = 1 // both partitions trivial (all singletons or one block) and equal in that sense
		if sumIJ != expected {
			ari = 0
		}
	} else {
		ari = (sumIJ - expected) / (maxIdx - expected)
	}
	return purity / n, inverse / n, ari
}
