package closedform

import (
	"fmt"
	"math"

	"github.com/eigenssl/eigenssl/graph"
	"github.com/eigenssl/eigenssl/linalg"
	"github.com/eigenssl/eigenssl/loss"
	"gonum.org/v1/gonum/mat"
)

// componentInfo describes the connected components of G.
type componentInfo struct {
	labels []int
	count  int
	sizes  []int
	active []int // components with at least one edge, in label order
	clique bool  // every active component is a complete graph with equal weights
}

func components(g *graph.CSR) componentInfo {
	labels, c := graph.Components(g)
	ci := componentInfo{labels: labels, count: c, sizes: make([]int, c)}
	for _, l := range labels {
		ci.sizes[l]++
	}
	edges := make([]int, c)
	w0 := make([]float64, c)
	ci.clique = true
	for i := 0; i < g.N; i++ {
		for t := g.RowPtr[i]; t < g.RowPtr[i+1]; t++ {
			if g.Val[t] == 0 {
				continue
			}
			l := labels[i]
			if edges[l] == 0 {
				w0[l] = g.Val[t]
			} else if g.Val[t] != w0[l] {
				ci.clique = false
			}
			edges[l]++
		}
	}
	for l := 0; l < c; l++ {
		if edges[l] > 0 {
			ci.active = append(ci.active, l)
			if edges[l] != ci.sizes[l]*(ci.sizes[l]-1) {
				ci.clique = false
			}
		}
	}
	return ci
}

// indicators returns the N x c matrix of orthonormal component indicators.
func (ci componentInfo) indicators() *mat.Dense {
	n := len(ci.labels)
	e := mat.NewDense(n, ci.count, nil)
	for i, l := range ci.labels {
		e.Set(i, l, 1/math.Sqrt(float64(ci.sizes[l])))
	}
	return e
}

// BarlowTwinsLowerBound returns a lower bound on the BarlowTwins G-form loss
// over all N x K matrices, for c active components (components with an edge):
//
//	K <= c:  0 (attained);
//	K > c:   min(1, α)(K − c), valid when every eigenvalue of
//	         Gt = D^{-1/2} G D^{-1/2} other than its c unit eigenvalues is <= 0
//	         (true for unions of cliques), 0 otherwise.
//
// Proof of the second case: with Ỹ = D^{1/2} Z diag(n)^{-1} (unit columns),
// C = Ỹᵀ Gt Ỹ; on the (>= K − c)-dimensional null space of P₁Ỹ (P₁ the unit
// eigenspace) xᵀ(C − I)x <= −‖x‖², so C − I has K − c eigenvalues <= −1.
func BarlowTwinsLowerBound(k, c int, alpha float64, spectrumNonPositive bool) float64 {
	if k <= c || !spectrumNonPositive {
		return 0
	}
	return math.Min(1, alpha) * float64(k-c)
}

// solveBarlowTwins implements docs/THEORY.md section 4 (BarlowTwins -> CCA).
//
// Feature space, c active components: for K <= c any Z whose columns are
// constant on components with Zᵀ D Z diagonal has C = I and loss 0 (exact).
// For K > c the columns are split into c groups of sizes k_i; group i repeats
// the column D^{-1/2} q_i with q_i = cos θ e_i + sin θ f_i supported on
// component i (e_i its unit eigenvector of Gt, f_i ⊥ e_i with fᵀ Gt f <= 0,
// qᵀ Gt q = 1/k_i). Then C = blockdiag(J_{k_i}/k_i), a rank-c projector, and
// the loss is Σ_i [k_i(1 − 1/k_i)² + α(k_i − 1)/k_i], which is K − c at α = 1,
// rank(Z*) = c; it meets the lower bound (exact) only when α = 1 and the
// rest of Gt's spectrum is <= 0 (unions of cliques, complete bipartite
// graphs). On other graphs the minimum is lower than K − c and no closed
// form is known.
//
// Linear regime: shared-weight CCA on the pairs of G, Xᵀ G X w = ρ Xᵀ D X w,
// K largest, W D-orthonormal, loss Σ_k (ρ_k − 1)² (C = diag(ρ)). This CCA
// point is a stationary point, not the optimum, at any α (exact only when
// every ρ_k = 1). With r₊ positive ρ the loss is at least min(1,α)(K − r₊);
// Optimum's minimisers keep the top-K CCA span when K <= r₊ (the subspace
// is then pinned, rank possibly below K), while for K > r₊ the bound is
// reached by grouped collinear columns of rank r₊ whose span is not unique
// (docs/THEORY.md).
//
// The linear and kernel regimes take the sums ls (nil: computed from p;
// without G, c and the clique property come from ls).
func solveBarlowTwins(p Problem, n int, ls *linearSums) (*Solution, error) {
	var d []float64
	var ci componentInfo
	var c int
	var nonPos, known bool
	if p.G != nil {
		d = degrees(p.G)
		ci = components(p.G)
		c = len(ci.active)
		nonPos, known = ci.clique, ci.clique
	} else {
		c = ls.active
		nonPos, known = ls.cliques, true
	}
	bt, err := lossOf(p)
	if err != nil {
		return nil, err
	}
	sol := &Solution{Loss: p.Loss, Regime: p.Regime, prob: p}
	if !known && n <= denseLimit {
		vals, _, err := linalg.EigSym(denseGt(p.G, graph.DegreeInvSqrt(d)))
		if err == nil {
			known = true
			// vals ascending; the c largest are the unit ones.
			nonPos = len(vals) <= c || vals[len(vals)-1-c] <= 1e-10
		}
	}
	lower := BarlowTwinsLowerBound(p.K, c, p.Alpha, nonPos)
	eval := func(z *mat.Dense) (float64, error) {
		r, err := bt.Eval(loss.Inputs{Z: z, G: p.G}, false)
		return r.Value, err
	}
	if p.Regime == Feature {
		z := mat.NewDense(n, p.K, nil)
		if p.K <= c {
			for k := 0; k < p.K; k++ {
				l := ci.active[k]
				for i, li := range ci.labels {
					if li == l {
						z.Set(i, k, 1)
					}
				}
			}
			sol.Exact, sol.Rank = true, p.K
			sol.Subspace = ci.indicators()
		} else {
			buildGroups(p.G, d, ci, z)
			sol.Rank = c
		}
		v, err := eval(z)
		if err != nil {
			return nil, err
		}
		sol.Z, sol.PredictedLoss = z, v
		if p.K > c {
			sol.Exact = nonPos && p.Alpha == 1 && math.Abs(v-lower) <= 1e-9*math.Max(1, lower)
			if !sol.Exact {
				note := "lower bound min(1,α)(K − c) (needs Gt's non-unit spectrum <= 0)"
				if !nonPos {
					note = "lower bound 0: Gt has positive non-unit eigenvalues (or they are unknown), so K − c is not a bound"
				}
				sol.Bounds = &Bounds{Lower: lower, Upper: v, Note: note + "; upper: grouped collinear columns"}
			}
		}
		sol.Operator = "component indicators: eigenvectors of D^{-1/2} G D^{-1/2} with eigenvalue 1 (null space of L), mapped by D^{-1/2}"
		sol.EquivalentMethod = "CCA between the two ends of G's edges; in feature space any basis of null(L) with Zᵀ D Z diagonal"
		sol.Note = fmt.Sprintf("%d active components; columns have free scales (C is scale invariant)", c)
		if p.K > c {
			sol.Note += fmt.Sprintf("; K > c: columns grouped on components (C = blockdiag(J/k_i)), loss K − c at α = 1, rank c")
		}
	} else {
		x := p.design()
		if ls == nil {
			ls = p.linearSums(n, needXGX|needXDX)
		}
		b, err := whitener(ls.xdx)
		if err != nil {
			return nil, err
		}
		va, ve, err := eigAsc(sandwich(b, ls.xgx))
		if err != nil {
			return nil, err
		}
		vals, vecs, _ := reverseCols(va, ve)
		rows, m := vecs.Dims()
		kk := min(p.K, m)
		w := mat.NewDense(b.RawMatrix().Rows, p.K, nil)
		var be mat.Dense
		be.Mul(b, vecs.Slice(0, rows, 0, kk))
		w.Slice(0, b.RawMatrix().Rows, 0, kk).(*mat.Dense).Copy(&be)
		var v float64
		if x != nil {
			z := mat.NewDense(n, p.K, nil)
			z.Mul(x, w)
			if v, err = eval(z); err != nil {
				return nil, err
			}
			sol.Z = z
		} else {
			v = barlowFromSums(ls, w, p.Alpha)
			sol.SingularValues = ls.singularValues(w, false)
		}
		sol.PredictedLoss = v
		if p.Regime == Kernel {
			sol.A = w
		} else {
			sol.W = w
		}
		sol.Spectrum = append([]float64(nil), vals[:min(m, p.K+1)]...)
		all1 := kk == p.K
		for k := 0; k < kk; k++ {
			all1 = all1 && vals[k] >= 1-1e-10
		}
		sol.Exact = all1
		if !all1 {
			rPos := 0
			for _, r := range vals {
				if r > 1e-10 {
					rPos++
				}
			}
			ll := BarlowTwinsLowerBound(p.K, rPos, p.Alpha, true)
			note := fmt.Sprintf("lower: min(1,α)(K − r₊) with r₊ = %d positive canonical correlations", rPos)
			if lower > ll {
				ll, note = lower, "lower: feature-space bound"
			}
			sol.Bounds = &Bounds{Lower: ll, Upper: v, Note: note + "; upper: loss at the shared-weight CCA directions"}
		}
		if sol.Z != nil {
			sol.SingularValues = singularValues(sol.Z)
		}
		sol.Rank = numRank(sol.SingularValues, n)
		np, _ := pinnedDesc(vals, kk, kk)
		if np > 0 && np <= m && x != nil {
			sol.Subspace = mappedBasis(x, b, vecs, np)
		}
		sol.Operator = "shared-weight CCA: Xᵀ G X w = ρ Xᵀ D X w, descending"
		sol.EquivalentMethod = "CCA between the two ends of G's edges with shared weights (Xᵀ G X w = ρ Xᵀ D X w, largest)"
		sol.Note = "C = diag(ρ) at the CCA directions, a stationary point; the minimum is lower (use Optimum; approximate unless every ρ_k = 1)"
	}
	if sol.SingularValues == nil {
		sol.SingularValues = singularValues(sol.Z)
	}
	return sol, nil
}

// buildGroups fills z (N x K, K > c) with the grouped construction of
// solveBarlowTwins. Cost O(N + nnz(G) + N K).
func buildGroups(g *graph.CSR, d []float64, ci componentInfo, z *mat.Dense) {
	_, k := z.Dims()
	c := len(ci.active)
	s := graph.DegreeInvSqrt(d)
	members := make([][]int, ci.count)
	for i, l := range ci.labels {
		members[l] = append(members[l], i)
	}
	pos := make([]int, g.N) // position of a vertex within its component
	for _, m := range members {
		for p, i := range m {
			pos[i] = p
		}
	}
	col := 0
	for gi, l := range ci.active {
		ki := k / c
		if gi < k%c {
			ki++
		}
		m := members[l]
		// e: unit eigenvector of Gt (eigenvalue 1) on the component, ∝ √d.
		var vol float64
		for _, i := range m {
			vol += d[i]
		}
		e := make([]float64, len(m))
		for p, i := range m {
			e[p] = math.Sqrt(d[i] / vol)
		}
		q := append([]float64(nil), e...)
		if ki > 1 {
			// f: δ_a − δ_b on an edge (a, b), made orthogonal to e; then
			// fᵀ Gt f <= 0 and q = cos θ e + sin θ f has qᵀ Gt q = 1/k_i.
			a := m[0]
			b := -1
			for t := g.RowPtr[a]; t < g.RowPtr[a+1] && b < 0; t++ {
				if g.Val[t] > 0 {
					b = g.Col[t]
				}
			}
			f := make([]float64, len(m))
			f[pos[a]], f[pos[b]] = 1/math.Sqrt2, -1/math.Sqrt2
			ef := e[pos[a]]*f[pos[a]] + e[pos[b]]*f[pos[b]]
			var nf float64
			for p := range f {
				f[p] -= ef * e[p]
				nf += f[p] * f[p]
			}
			nf = math.Sqrt(nf)
			for p := range f {
				f[p] /= nf
			}
			var rho float64
			for p, i := range m {
				for t := g.RowPtr[i]; t < g.RowPtr[i+1]; t++ {
					j := g.Col[t]
					rho += f[p] * g.Val[t] * s[i] * s[j] * f[pos[j]]
				}
			}
			c2 := (1/float64(ki) - rho) / (1 - rho)
			ct, st := math.Sqrt(c2), math.Sqrt(1-c2)
			for p := range q {
				q[p] = ct*e[p] + st*f[p]
			}
		}
		for j := 0; j < ki; j++ {
			for p, i := range m {
				z.Set(i, col, q[p]*s[i])
			}
			col++
		}
	}
}
