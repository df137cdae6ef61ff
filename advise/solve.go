package advise

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"

	"github.com/eigenssl/eigenssl/closedform"
	"github.com/eigenssl/eigenssl/graph"
	"github.com/eigenssl/eigenssl/linalg"
	"gonum.org/v1/gonum/mat"
)

// optimum is the optimal parameter of one candidate in the requested regime:
// Z_rows = design · W + 1 biasᵀ.
type optimum struct {
	w    *mat.Dense
	bias []float64
	// exact reports a proven global minimiser; otherwise refine holds the
	// numerical refinement (nil when it was skipped).
	exact  bool
	rank   int // predicted rank (exact) or numerical rank of Z (refined)
	loss   float64
	refine *closedform.RefineResult
	note   string
	// degenerate: the optimal subspace is not unique (tie at the K-th
	// eigenvalue of the operator).
	degenerate bool
}

// solver computes the optimum of every candidate on one (design, G) pair,
// sharing the expensive factorisations: one hard-VICReg solve gives every
// smooth-VICReg γ (s_k rescaling), one characterisation serves every τ of
// SimCLR and every α of BarlowTwins.
type solver struct {
	base   closedform.Problem // Regime, G, X or KernelMatrix, K, Seed
	design *mat.Dense
	s      Settings

	// VICReg: W_hard = B E_K (Cov(X W) = I), its bias and the ascending
	// spectrum of the operator M.
	hard     *closedform.Solution
	spectrum []float64

	chars map[string]*closedform.Solution // characterisation per loss
	ref   map[int]*refiner                // by row budget
}

func newSolver(base closedform.Problem, design *mat.Dense, s Settings) *solver {
	return &solver{base: base, design: design, s: s, chars: map[string]*closedform.Solution{}, ref: map[int]*refiner{}}
}

// vicregSpectrum solves the hard VICReg problem once and returns the
// operator's ascending eigenvalues (K+1 of them when available).
func (sv *solver) vicregSpectrum() ([]float64, error) {
	if sv.hard != nil || sv.spectrum != nil {
		return sv.spectrum, nil
	}
	p := sv.base
	p.Loss = closedform.VICRegHard
	sol, err := closedform.Solve(p)
	if err != nil {
		if !errors.Is(err, closedform.ErrParam) {
			return nil, err
		}
		// K exceeds the available directions: fall back to one smooth
		// solve per γ (Spectrum from a γ = 1 solve).
		p.Loss = closedform.VICReg
		if sol, err = closedform.Solve(p); err != nil {
			return nil, err
		}
		sv.spectrum = sol.Spectrum
		return sv.spectrum, nil
	}
	sv.hard, sv.spectrum = sol, sol.Spectrum
	return sv.spectrum, nil
}

// thresholds returns the γ at which the smooth-VICReg rank drops, 1/λ_k for
// the first K eigenvalues of the operator that are not zero up to rounding.
func thresholds(spectrum []float64, k int) []float64 {
	var top float64
	for _, v := range spectrum {
		top = math.Max(top, math.Abs(v))
	}
	var out []float64
	for j := 0; j < k && j < len(spectrum); j++ {
		if spectrum[j] > 1e-12*math.Max(1, top) {
			out = append(out, 1/spectrum[j])
		}
	}
	return out
}

// solve returns the optimum of c.
func (sv *solver) solve(c Candidate) (*optimum, error) {
	switch c.Loss {
	case closedform.VICReg:
		return sv.vicreg(c.Value)
	case closedform.SpectralContrastive:
		p := sv.base
		p.Loss = c.Loss
		sol, err := closedform.Solve(p)
		if err != nil {
			return nil, err
		}
		o := &optimum{w: param(sol), bias: sol.Bias, exact: sol.Exact, rank: sol.Rank, loss: sol.PredictedLoss, note: "exact closed form"}
		if sol.Subspace != nil {
			if _, c := sol.Subspace.Dims(); c > sol.Rank {
				o.degenerate = true
				o.note += "; tied eigenvalue at K: the optimal subspace is not unique"
			}
		}
		return o, nil
	}
	return sv.approximate(c)
}

// param returns W (linear) or A (kernel) of a solution.
func param(sol *closedform.Solution) *mat.Dense {
	if sol.A != nil {
		return sol.A
	}
	return sol.W
}

// vicreg returns the smooth-VICReg optimum at γ: with the hard solution
// W_hard = B E_K (s_k = 1), W(γ) = W_hard diag(√s_k), s_k = max(0, 1 − γ λ_k)
// (closedform.VICRegWeights), the closed form of THEORY.md section 4; the
// bias −μᵀW scales the same way.
func (sv *solver) vicreg(gamma float64) (*optimum, error) {
	if _, err := sv.vicregSpectrum(); err != nil {
		return nil, err
	}
	if sv.hard == nil {
		p := sv.base
		p.Loss, p.Gamma = closedform.VICReg, gamma
		sol, err := closedform.Solve(p)
		if err != nil {
			return nil, err
		}
		return &optimum{w: param(sol), bias: sol.Bias, exact: true, rank: sol.Rank, loss: sol.PredictedLoss, note: "exact closed form"}, nil
	}
	k := sv.base.K
	s, value := closedform.VICRegWeights(sv.spectrum, gamma, k)
	wh := param(sv.hard)
	rows, _ := wh.Dims()
	w := mat.NewDense(rows, k, nil)
	bias := make([]float64, k)
	for j, sj := range s {
		f := math.Sqrt(sj)
		for i := 0; i < rows; i++ {
			w.Set(i, j, wh.At(i, j)*f)
		}
		bias[j] = sv.hard.Bias[j] * f
	}
	o := &optimum{w: w, bias: bias, exact: true, rank: closedform.VICRegRank(sv.spectrum, gamma, k), loss: value,
		note: "exact closed form (s_k = max(0, 1 − γ λ_k))"}
	if r := o.rank; r == k && len(sv.spectrum) > k && tied(sv.spectrum[k-1], sv.spectrum[k]) {
		o.degenerate = true
		o.note += fmt.Sprintf("; λ_K = %.3g is tied with λ_K+1: the optimal subspace is not unique", sv.spectrum[k-1])
	}
	return o, nil
}

// approximate returns the characterisation of SimCLR or BarlowTwins refined
// numerically (see refiner).
func (sv *solver) approximate(c Candidate) (*optimum, error) {
	p := sv.base
	p.Loss = c.Loss
	switch c.Loss {
	case closedform.SimCLR:
		p.Tau = c.Value
	case closedform.BarlowTwins:
		p.Alpha = c.Value
	}
	char := sv.chars[c.Loss]
	if char == nil {
		var err error
		if char, err = closedform.Solve(p); err != nil {
			return nil, err
		}
		sv.chars[c.Loss] = char
	}
	w0 := param(char)
	o := &optimum{w: w0, exact: char.Exact, rank: char.Rank, loss: math.NaN(), note: "characterisation"}
	if char.Exact || sv.s.RefineIter < 0 {
		if char.Exact {
			o.loss = char.PredictedLoss
		}
		return o, nil
	}
	rows := sv.s.RefineRows
	if c.Loss == closedform.SimCLR {
		rows = min(rows, sv.s.ContrastiveRows)
	}
	ref := sv.ref[rows]
	if ref == nil {
		ref = newRefiner(sv.design, sv.base.G, rows, sv.s)
		sv.ref[rows] = ref
	}
	w, res, note, err := ref.run(p, w0)
	if err != nil {
		return nil, err
	}
	o.w, o.refine, o.loss, o.note = w, &res, res.Final, note
	return o, nil
}

// refiner minimises a loss in the linear regime on a subsample of rows and
// within a subspace of the parameters, so that refinement costs
// O(iterations · n_sub · (P+K) · K) (SimCLR: O(iterations · n_sub² K))
// whatever N and D are:
//
//   - rows: when N > RefineRows, about RefineRows rows are drawn
//     (subsampleRows: small components such as the views of one sample
//     whole, so the views graph is exact on them; single rows of large
//     components, whose induced subgraph loses the edges leaving the
//     subsample);
//   - parameters: when D > RefineDims + K, W = Q R with Q an orthonormal
//     basis of the characterisation's columns and the top RefineDims right
//     singular vectors of the subsampled design, R free.
type refiner struct {
	g    *graph.CSR // induced subgraph
	x    *mat.Dense // subsampled design (n_sub x D)
	rows int
	s    Settings
	// top right singular vectors of x (D x P), nil when not restricting;
	// full holds all of them otherwise
	top, full *mat.Dense
}

func newRefiner(design *mat.Dense, g *graph.CSR, rows int, s Settings) *refiner {
	n, d := design.Dims()
	r := &refiner{s: s, rows: n, x: design, g: g}
	if n > rows {
		idx := subsampleRows(g, rows, s.Seed)
		r.rows = len(idx)
		r.g = induced(g, idx)
		r.x = mat.NewDense(len(idx), d, nil)
		for t, i := range idx {
			r.x.SetRow(t, design.RawRowView(i))
		}
	}
	if d > s.RefineDims+s.K {
		if _, _, v, err := linalg.RandomizedSVD(r.x, s.RefineDims, linalg.RSVDSettings{Seed: s.Seed}); err == nil {
			r.top = v
		}
	}
	if r.top == nil {
		// Every direction: the right singular vectors of the subsample.
		var svd mat.SVD
		if svd.Factorize(r.x, mat.SVDThinV) {
			r.full = &mat.Dense{}
			svd.VTo(r.full)
		} else {
			r.full = identity(d)
		}
	}
	return r
}

// run refines from w0 and returns the full-size W with the result.
func (r *refiner) run(p closedform.Problem, w0 *mat.Dense) (*mat.Dense, closedform.RefineResult, string, error) {
	d, k := w0.Dims()
	sub := p
	sub.Regime, sub.G, sub.KernelMatrix = closedform.Linear, r.g, nil
	note := "characterisation refined by L-BFGS"
	// W = Q diag(1/c) R: Q an orthonormal basis holding W_char, c the
	// column scales of X Q, so that the design X Q diag(1/c) the optimiser
	// sees has unit-scale columns (orthogonal ones when Q holds right
	// singular vectors): a change of variables that keeps the minimiser and
	// tames the conditioning of scale-invariant losses such as SimCLR's.
	q := r.full
	if r.top != nil {
		_, pd := r.top.Dims()
		both := mat.NewDense(d, k+pd, nil)
		both.Slice(0, d, 0, k).(*mat.Dense).Copy(w0)
		both.Slice(0, d, k, k+pd).(*mat.Dense).Copy(r.top)
		var err error
		if q, err = linalg.Orthonormalize(both); err != nil {
			return nil, closedform.RefineResult{}, "", err
		}
		note += " within span(W_char, top " + strconv.Itoa(pd) + " right singular vectors)"
	}
	_, qc := q.Dims()
	xq := mat.NewDense(r.rows, qc, nil)
	xq.Mul(r.x, q)
	c := make([]float64, qc)
	for j := range c {
		var ss float64
		for i := 0; i < r.rows; i++ {
			ss += xq.At(i, j) * xq.At(i, j)
		}
		c[j] = math.Sqrt(ss / float64(r.rows))
		if c[j] <= 1e-12 {
			c[j] = 1
		}
		for i := 0; i < r.rows; i++ {
			xq.Set(i, j, xq.At(i, j)/c[j])
		}
	}
	sub.X = xq
	start := mat.NewDense(qc, k, nil)
	start.Mul(q.T(), w0)
	for j := range c {
		for t := 0; t < k; t++ {
			start.Set(j, t, start.At(j, t)*c[j])
		}
	}
	if n, _ := r.x.Dims(); n < p.G.N {
		note += " on " + strconv.Itoa(n) + " of " + strconv.Itoa(p.G.N) + " rows"
	}
	// Characterisations are often saddle points by symmetry; a small
	// seeded perturbation lets the optimiser leave them.
	start = perturb(start, 1e-3, p.Seed)
	set := closedform.RefineSettings{MaxIter: r.s.RefineIter, GradTol: r.s.RefineTol}
	par, z, res, err := closedform.Minimize(sub, start, set)
	if err != nil {
		return nil, res, "", err
	}
	// Linear SimCLR whose rows of Z collapse (infimum not attained)
	// continues on the limit problem.
	par, _, res, freed := closedform.ContinueOnLimit(sub, par, z, res, set)
	switch {
	case freed > 0 && res.Status == closedform.StatusInfimum:
		note += fmt.Sprintf("; infimum not attained: %d row(s) of Z collapse, limit problem minimised (closedform.MinimizeLimit)", freed)
	case freed > 0:
		note += "; rows of Z collapse (infimum not attained): continued on the limit problem, not converged there"
	}
	for j := range c {
		for t := 0; t < k; t++ {
			par.Set(j, t, par.At(j, t)/c[j])
		}
	}
	w := mat.NewDense(d, k, nil)
	w.Mul(q, par)
	return w, res, note, nil
}

func identity(d int) *mat.Dense {
	m := mat.NewDense(d, d, nil)
	for i := 0; i < d; i++ {
		m.Set(i, i, 1)
	}
	return m
}

// tied reports whether two eigenvalues are equal up to rounding.
func tied(a, b float64) bool {
	return math.Abs(a-b) <= 1e-8*math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
}

// perturb returns m + ε·rms(m)·ξ with ξ standard normal (seeded).
func perturb(m *mat.Dense, eps float64, seed uint64) *mat.Dense {
	out := mat.DenseCopyOf(m)
	raw := out.RawMatrix()
	var ss float64
	for i := 0; i < raw.Rows; i++ {
		for _, v := range raw.Data[i*raw.Stride : i*raw.Stride+raw.Cols] {
			ss += v * v
		}
	}
	rms := math.Sqrt(ss / float64(raw.Rows*raw.Cols))
	if rms == 0 {
		rms = 1
	}
	rng := rand.New(rand.NewPCG(seed, 0xad715e))
	for i := 0; i < raw.Rows; i++ {
		row := raw.Data[i*raw.Stride : i*raw.Stride+raw.Cols]
		for j := range row {
			row[j] += eps * rms * rng.NormFloat64()
		}
	}
	return out
}

// subsampleRows draws about m rows in a seeded random order, taking every
// small component (at most maxPiece rows, e.g. the V views of one sample)
// whole, so that the views graph keeps all its edges, and single rows of
// larger components (kNN graphs), so that the subsample stays spread over
// the data (the induced subgraph then keeps about m/N of each row's
// edges); the result is sorted.
func subsampleRows(g *graph.CSR, m int, seed uint64) []int {
	const maxPiece = 64
	lab, c := graph.Components(g)
	members := make([][]int, c)
	for i, l := range lab {
		members[l] = append(members[l], i)
	}
	rng := rand.New(rand.NewPCG(seed, 0x5ab5))
	taken := make([]bool, g.N)
	var out []int
	for _, s := range rng.Perm(g.N) {
		if len(out) >= m {
			break
		}
		if taken[s] {
			continue
		}
		piece := []int{s}
		if p := members[lab[s]]; len(p) <= maxPiece {
			piece = p
		}
		for _, i := range piece {
			taken[i] = true
		}
		out = append(out, piece...)
	}
	slices.Sort(out)
	return out
}

// induced returns the subgraph of g on the sorted vertex list idx.
func induced(g *graph.CSR, idx []int) *graph.CSR {
	pos := make(map[int]int, len(idx))
	for t, i := range idx {
		pos[i] = t
	}
	h := &graph.CSR{N: len(idx), RowPtr: make([]int, len(idx)+1)}
	for t, i := range idx {
		for e := g.RowPtr[i]; e < g.RowPtr[i+1]; e++ {
			if u, ok := pos[g.Col[e]]; ok {
				h.Col = append(h.Col, u)
				h.Val = append(h.Val, g.Val[e])
			}
		}
		h.RowPtr[t+1] = len(h.Col)
	}
	return h
}
