package advise

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"

	"github.com/eigenssl/eigenssl/closedform"
	"github.com/eigenssl/eigenssl/data"
	"github.com/eigenssl/eigenssl/graph"
	"github.com/eigenssl/eigenssl/linalg"
	"gonum.org/v1/gonum/mat"
)

// Diagnostics are the label-free facts about G and X the adviser reports.
// Each comes with a one-line meaning in Lines.
type Diagnostics struct {
	// Components is c, the number of connected components of G (the
	// multiplicity of the eigenvalue 0 of L = D − G).
	Components int `json:"components"`
	// EffectiveComponents is exp(entropy of the component sizes / N): c
	// when the components have equal sizes, near 1 when one dominates.
	EffectiveComponents float64 `json:"effective_components"`
	// Laplacian holds the smallest non-zero eigenvalues of L, ascending
	// (at most LaplacianValues of them; exact per component).
	Laplacian []float64 `json:"laplacian_nonzero"`
	// NearZero counts the Laplacian values below 1% of the mean degree:
	// weakly connected pieces that act almost as extra components.
	NearZero int `json:"near_zero"`
	// Operator holds the first K+1 ascending eigenvalues λ_k of the
	// operator whose eigenvectors give the VICReg optimum in the requested
	// regime (M = Σx^{-1/2}(XᵀLX/N)Σx^{-1/2} in the linear regime), and
	// Thresholds the γ = 1/λ_k at which the VICReg rank drops.
	Operator   []float64 `json:"operator_spectrum"`
	Thresholds []float64 `json:"gamma_thresholds"`
	// KNNRecall is the fraction of G's edge weight, from AgreementRows
	// sampled rows, whose other end is among the row's KNN nearest rows of
	// X; KNNChance is the same fraction for random edges (KNN/(N−1)).
	KNNRecall data.JSONFloat `json:"knn_recall"`
	KNNChance float64        `json:"knn_chance"`
	KNN       int            `json:"knn"`
	// MeanDegree is the mean of G's weighted degrees.
	MeanDegree float64 `json:"mean_degree"`
	// Lines restates every figure with its meaning, for the text report.
	Lines []Line `json:"lines"`
}

// Line is one diagnostic: a name, its value and what it means.
type Line struct {
	Name    string `json:"name"`
	Value   string `json:"value"`
	Meaning string `json:"meaning"`
}

// componentSizes returns the labels and the size of every component.
func componentSizes(g *graph.CSR) ([]int, []int) {
	lab, c := graph.Components(g)
	sizes := make([]int, c)
	for _, l := range lab {
		sizes[l]++
	}
	return lab, sizes
}

// effectiveCount returns exp(−Σ p log p), p = sizes/Σ sizes.
func effectiveCount(sizes []int) float64 {
	var n float64
	for _, s := range sizes {
		n += float64(s)
	}
	var h float64
	for _, s := range sizes {
		if s > 0 {
			p := float64(s) / n
			h -= p * math.Log(p)
		}
	}
	return math.Exp(h)
}

// laplacianSpectrum returns the m smallest non-zero eigenvalues of the
// unnormalised Laplacian of g, computed component by component: dense for
// components of at most denseComponent vertices, block Lanczos with the
// constant vector deflated beyond (the null space of L is spanned by the
// component indicators, so no other deflation is needed).
func laplacianSpectrum(g *graph.CSR, lab []int, sizes []int, m int, seed uint64) ([]float64, error) {
	const denseComponent = 1500
	members := make([][]int, len(sizes))
	for i, l := range lab {
		members[l] = append(members[l], i)
	}
	var vals []float64
	// Components of equal structure repeat their spectra (views graphs
	// have N' identical cliques): cache by (size, edges, weight sum).
	type key struct {
		n, nnz int
		w      float64
	}
	cache := map[key][]float64{}
	for _, idx := range members {
		if len(idx) < 2 {
			continue
		}
		sub := induced(g, idx)
		var w float64
		for _, v := range sub.Val {
			w += v
		}
		kk := key{sub.N, sub.NNZ(), w}
		clique := sub.NNZ() == sub.N*(sub.N-1) && isUniform(sub)
		if v, ok := cache[kk]; ok && clique {
			vals = append(vals, v...)
			continue
		}
		var ev []float64
		if sub.N <= denseComponent {
			l := graph.LaplacianDense(sub, graph.Unnormalized)
			all, _, err := linalg.EigSym(l)
			if err != nil {
				return nil, err
			}
			ev = all[1:]
		} else {
			op, err := graph.Laplacian(sub, graph.Unnormalized)
			if err != nil {
				return nil, err
			}
			ones := mat.NewDense(sub.N, 1, nil)
			for i := 0; i < sub.N; i++ {
				ones.Set(i, 0, 1)
			}
			res, err := linalg.Eigs(op, linalg.EigsSettings{K: min(m, sub.N-1), Which: linalg.Smallest, Deflate: ones, Tol: 1e-8, Seed: seed})
			if err != nil {
				return nil, err
			}
			ev = res.Values
		}
		if len(ev) > m {
			ev = ev[:m]
		}
		if clique {
			cache[kk] = ev
		}
		vals = append(vals, ev...)
	}
	slices.Sort(vals)
	if len(vals) > m {
		vals = vals[:m]
	}
	return vals, nil
}

// isUniform reports whether all stored weights of g are equal.
func isUniform(g *graph.CSR) bool {
	for _, v := range g.Val {
		if v != g.Val[0] {
			return false
		}
	}
	return true
}

// knnRecall returns the fraction of G's edge weight from up to q sampled
// rows that joins a row to one of its k nearest rows of x.
func knnRecall(x *mat.Dense, g *graph.CSR, k, q int, seed uint64) (float64, error) {
	n, d := x.Dims()
	k = min(k, n-1)
	rng := rand.New(rand.NewPCG(seed, 0x6e6e))
	var rows []int
	for _, i := range rng.Perm(n) {
		if len(rows) == q {
			break
		}
		if g.RowPtr[i+1] > g.RowPtr[i] {
			rows = append(rows, i)
		}
	}
	if len(rows) == 0 || k < 1 {
		return math.NaN(), nil
	}
	query := mat.NewDense(len(rows), d, nil)
	for t, i := range rows {
		query.SetRow(t, x.RawRowView(i))
	}
	idx, _, err := graph.QueryNeighbors(x, query, k+1, graph.KNNOptions{})
	if err != nil {
		return 0, err
	}
	var in, tot float64
	for t, i := range rows {
		nb := map[int]bool{}
		cnt := 0
		for _, j := range idx[t*(k+1) : (t+1)*(k+1)] {
			if j != i && cnt < k {
				nb[j] = true
				cnt++
			}
		}
		for e := g.RowPtr[i]; e < g.RowPtr[i+1]; e++ {
			tot += g.Val[e]
			if nb[g.Col[e]] {
				in += g.Val[e]
			}
		}
	}
	return in / tot, nil
}

// diagnose computes the label-free diagnostics (without Operator and
// Thresholds, which come from the VICReg solve).
func diagnose(in *Input, s Settings) (*Diagnostics, error) {
	lab, sizes := componentSizes(in.G)
	dg := &Diagnostics{Components: len(sizes), EffectiveComponents: effectiveCount(sizes), KNN: s.KNN}
	deg := in.G.Degree(nil)
	for _, v := range deg {
		dg.MeanDegree += v
	}
	dg.MeanDegree /= float64(len(deg))
	var err error
	if dg.Laplacian, err = laplacianSpectrum(in.G, lab, sizes, s.LaplacianValues, s.Seed); err != nil {
		return nil, err
	}
	for _, v := range dg.Laplacian {
		if v < 0.01*dg.MeanDegree {
			dg.NearZero++
		}
	}
	recall, err := knnRecall(in.X, in.G, s.KNN, s.AgreementRows, s.Seed)
	if err != nil {
		return nil, err
	}
	dg.KNNRecall = data.JSONFloat(recall)
	n, _ := in.X.Dims()
	dg.KNNChance = math.Min(1, float64(s.KNN)/float64(n-1))
	return dg, nil
}

// describe fills dg.Lines.
func (dg *Diagnostics) describe(k, d int, regime string) {
	gap := "none computed"
	if len(dg.Laplacian) > 0 {
		gap = fmt.Sprintf("%.4g", dg.Laplacian[0])
	}
	comp := "G is connected: every representation direction must come from its non-zero spectrum"
	if dg.Components > 1 {
		comp = fmt.Sprintf("L has %d zero eigenvalues; collapsed optima (large γ VICReg, SimCLR, BarlowTwins in feature space) have rank ≤ %d", dg.Components, dg.Components-1)
		if dg.Components-1 < k {
			comp += fmt.Sprintf(", below K = %d: dimensional collapse", k)
		}
	}
	dg.Lines = append(dg.Lines,
		Line{"components c", strconv.Itoa(dg.Components), comp},
		Line{"effective components", fmt.Sprintf("%.4g", dg.EffectiveComponents),
			"exp(entropy of component sizes): equals c for equal sizes, near 1 when one component holds most rows"},
		Line{"smallest non-zero eigenvalue of L", gap,
			fmt.Sprintf("spectral gap above the %d zeros; VICReg in feature space drops a direction once γ exceeds 1/λ", dg.Components)},
		Line{"near-zero eigenvalues", strconv.Itoa(dg.NearZero),
			"non-zero eigenvalues of L below 1% of the mean degree: weakly joined pieces acting as extra components"},
	)
	if len(dg.Thresholds) > 0 {
		lo, hi := slices.Min(dg.Thresholds), slices.Max(dg.Thresholds)
		dg.Lines = append(dg.Lines, Line{"VICReg γ thresholds", fmt.Sprintf("%d in [%.4g, %.4g]", len(dg.Thresholds), lo, hi),
			"γ = 1/λ_k of the regime's operator: below the smallest VICReg keeps all K directions, above the largest it keeps only directions G leaves invariant"})
	} else {
		dg.Lines = append(dg.Lines, Line{"VICReg γ thresholds", "none",
			"every operator eigenvalue among the first K is zero: G does not penalise any direction, so γ does not change the optimum"})
	}
	mean := "G's positive pairs are mostly near neighbours in X: G refines the data's own geometry (local structure)"
	if dg.KNNRecall < 0.5 {
		mean = "most positive pairs are not near neighbours in X: G brings information X's geometry lacks (if the pairs share labels) or destroys it (if not)"
	}
	if math.IsNaN(float64(dg.KNNRecall)) {
		mean = "no rows with edges were sampled"
	}
	dg.Lines = append(dg.Lines, Line{fmt.Sprintf("G–kNN agreement (k = %d)", dg.KNN),
		fmt.Sprintf("%.3f (chance %.3g)", float64(dg.KNNRecall), dg.KNNChance), mean})
	if regime == closedform.Linear && k >= d {
		dg.Lines = append(dg.Lines, Line{"K versus D", fmt.Sprintf("K = %d >= D = %d", k, d),
			"a full-rank linear optimum is an invertible map of X: candidates that keep every direction predict the accuracy of X itself, and only collapse (rank < D) tells them apart; nonlinear encoders are not so limited"})
	}
}
