package spectral

import (
	"errors"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/eigenssl/eigenssl/data"
	"github.com/eigenssl/eigenssl/internal/asm"
	"github.com/eigenssl/eigenssl/linalg"
	"gonum.org/v1/gonum/mat"
)

// digitOps returns the LLE operators of every method on the first n digits
// (64-d, high intrinsic dimension: the shift-invert envelope is too large
// there, the case the filtered solver is for).
func digitOps(t *testing.T, n, k, kc int) map[string]lleMethodOp {
	t.Helper()
	ds, err := data.Digits()
	if err != nil {
		t.Fatal(err)
	}
	_, _, ops := lleOps(t, mat.DenseCopyOf(ds.X.Slice(0, n, 0, ds.X.RawMatrix().Cols)), k, kc)
	return ops
}

// chebOp applies T_d(ℓ(M)): against the dense eigendecomposition of M with
// the polynomial evaluated on each eigenvalue by cosh/cos (not by the
// recurrence under test).
func TestChebOpMatchesSpectralFormula(t *testing.T) {
	const n, k, kc = 300, 10, 3
	op := digitOps(t, n, k, kc)["standard"]
	m := denseBlockSum(op, n)
	lam, v, err := linalg.EigSymRange(m, 0, n)
	if err != nil {
		t.Fatal(err)
	}
	a, b := lam[6], 1.01*lam[n-1]
	for _, d := range []int{1, 2, 5, 13} {
		c := &chebOp{m: op, a: a, b: b, d: d}
		rng := rand.New(rand.NewPCG(uint64(d), 5))
		x := make([]float64, n)
		for i := range x {
			x[i] = rng.NormFloat64()
		}
		got := make([]float64, n)
		c.MulVecTo(got, x)
		// want = V diag(T_d(ℓ(λ))) Vᵀ x
		want := make([]float64, n)
		scale := 0.0
		for j := 0; j < n; j++ {
			l := (a + b - 2*lam[j]) / (b - a)
			var p float64
			switch {
			case l > 1:
				p = math.Cosh(float64(d) * math.Acosh(l))
			case l < -1:
				p = math.Cosh(float64(d)*math.Acosh(-l)) * float64(1-2*(d%2))
			default:
				p = math.Cos(float64(d) * math.Acos(l))
			}
			scale = math.Max(scale, math.Abs(p))
			cj := 0.0
			for i := 0; i < n; i++ {
				cj += v.At(i, j) * x[i]
			}
			for i := 0; i < n; i++ {
				want[i] += p * cj * v.At(i, j)
			}
		}
		// Both sides carry O(d·n·eps) relative rounding of ‖p(M)‖ ‖x‖.
		xn := math.Sqrt(dotF(x, x))
		for i := range got {
			if e := math.Abs(got[i] - want[i]); e > 1e3*float64(d)*1e-16*float64(n)*scale*xn/math.Sqrt(float64(n)) {
				t.Fatalf("d = %d: entry %d = %g; want %g (‖p‖ = %g)", d, i, got[i], want[i], scale)
			}
		}
	}
}

func dotF(x, y []float64) float64 {
	s := 0.0
	for i := range x {
		s += x[i] * y[i]
	}
	return s
}

// The filtered solver returns the bottom of M above the constant, as the
// dense eigendecomposition does, for every LLE method, on data where
// shift-invert declines; its vectors are within the Davis–Kahan bound of
// the dense subspace.
func TestFilteredBottomMatchesDense(t *testing.T) {
	const n, k, kc = 600, 10, 3
	for name, op := range digitOps(t, n, k, kc) {
		if _, _, ok := shiftInvertBottom(op, n, kc, 0, 0, 1); ok && name == "standard" {
			t.Fatalf("%s: shift-invert applies; the test wants data where it declines", name)
		}
		vals, vecs, ok := filteredBottom(op, constantColumn(n), kc, 0, 0, 1)
		if !ok {
			t.Fatalf("%s: filtered solver declined or failed", name)
		}
		md := denseBlockSum(op, n)
		dv, dvec, err := linalg.EigSymRange(md, 0, kc+2)
		if err != nil {
			t.Fatal(err)
		}
		top, _, err := linalg.EigSymRange(md, n-1, n)
		if err != nil {
			t.Fatal(err)
		}
		// Residuals <= Tol·b (b about 1.01‖M‖) per vector: sin θ <=
		// √kc·Tol·b / gap, gap = λ_{kc+1} − λ_kc (Davis–Kahan), plus the
		// dense reference's own error.
		gap := dv[kc+1] - dv[kc]
		bound := math.Sqrt(kc)*linalg.DefaultEigsTol*1.01*top[0]/gap + 1e-9
		// Compare span(1, V) with the dense bottom kc+1 vectors: where M
		// has more than one null vector (LTSA on these digits has two),
		// the dense solver's first one is any mix of them.
		withOnes := mat.NewDense(n, kc+1, nil)
		for i := 0; i < n; i++ {
			withOnes.Set(i, 0, 1/math.Sqrt(n))
			for j := 0; j < kc; j++ {
				withOnes.Set(i, j+1, vecs.At(i, j))
			}
		}
		ang, err := linalg.PrincipalAngles(withOnes, dvec.Slice(0, n, 0, kc+1))
		if err != nil {
			t.Fatal(err)
		}
		for i, a := range ang {
			if a > bound {
				t.Fatalf("%s: principal angle %d = %g > %g (values %g, dense %g)", name, i, a, bound, vals, dv)
			}
		}
		// Eigenvalue errors are second order in the residual: within the
		// dense reference's N·eps·‖M‖.
		for i, v := range vals {
			if d := math.Abs(v - dv[i+1]); d > 1e-13*float64(n)*top[0] {
				t.Fatalf("%s: eigenvalue %d = %g; dense %g", name, i, v, dv[i+1])
			}
		}
	}
}

// An interval that does not hold the kc wanted eigenvalues (a below λ_kc)
// must be refused, not returned as the bottom.
func TestFilterSolveRefusesShortInterval(t *testing.T) {
	const n, k, kc = 600, 10, 3
	op := digitOps(t, n, k, kc)["standard"]
	md := denseBlockSum(op, n)
	dv, _, err := linalg.EigSymRange(md, 0, kc+1)
	if err != nil {
		t.Fatal(err)
	}
	top, _, err := linalg.EigSymRange(md, n-1, n)
	if err != nil {
		t.Fatal(err)
	}
	a := (dv[kc-2] + dv[kc-1]) / 2 // holds kc−2 of the kc wanted above 0
	if _, _, ok := filterSolve(op, constantColumn(n), kc, a, 1.01*top[0], linalg.DefaultEigsTol, 0, 1); ok {
		t.Fatalf("filterSolve accepted an interval [0, %g) that holds only %d of the %d wanted eigenvalues", a, kc-2, kc)
	}
	// The same call with a above λ_kc is accepted (so the refusal above is
	// about the interval).
	if _, _, ok := filterSolve(op, constantColumn(n), kc, 2*dv[kc], 1.01*top[0], linalg.DefaultEigsTol, 0, 1); !ok {
		t.Fatal("filterSolve refused an interval that holds the wanted eigenvalues")
	}
}

// LLE.Fit on such data (SolverAuto: the filtered path) gives the dense
// solver's embedding.
func TestLLEFilteredFitMatchesDense(t *testing.T) {
	ds, err := data.Digits()
	if err != nil {
		t.Fatal(err)
	}
	x := mat.DenseCopyOf(ds.X.Slice(0, 700, 0, ds.X.RawMatrix().Cols))
	auto := &LLE{Components: 5, Neighbors: 10}
	dense := &LLE{Components: 5, Neighbors: 10, Solver: SolverDense}
	for _, m := range []*LLE{auto, dense} {
		if err := m.Fit(x); err != nil {
			t.Fatal(err)
		}
	}
	ang, err := linalg.PrincipalAngles(auto.Embedding(), dense.Embedding())
	if err != nil {
		t.Fatal(err)
	}
	for i, a := range ang {
		if a > 1e-6 {
			t.Fatalf("principal angle %d = %g", i, a)
		}
	}
}

// lleOp's product: both passes sum each row in asm.SubGatherDot's order
// (terms t = 0, 1, … of a row: lane t mod 4 while four remain, lanes
// combined as (0 + 2) + (1 + 3), then the rest one by one), the same bits
// on the Go path and the AVX2 kernel, at 1 and 3 goroutines (parallel above
// 2·lleGrain rows); and the result is M x up to rounding (the plain
// scatter loop).
func TestLLEOpProductBits(t *testing.T) {
	// laneSum spells the order out: term t of the row goes to lane t%4
	// unless it is among the last len%4, which follow in order.
	laneSum := func(terms []float64) float64 {
		full := len(terms) - len(terms)%4
		var lane [4]float64
		for t := 0; t < full; t++ {
			lane[t%4] += terms[t]
		}
		s := (lane[0] + lane[2]) + (lane[1] + lane[3])
		for _, v := range terms[full:] {
			s += v
		}
		return s
	}
	paths := []bool{false}
	if asm.HasAVX2 {
		paths = append(paths, true)
	}
	defer func(v bool) { useGatherAsm = v }(useGatherAsm)
	for _, n := range []int{7, 1001, 2*lleGrain + 77} {
		const k = 5
		rng := rand.New(rand.NewPCG(uint64(n), 9))
		idx := make([]int, n*k)
		w := make([]float64, n*k)
		for i := 0; i < n; i++ {
			perm := rng.Perm(n - 1)
			for a := 0; a < k; a++ {
				j := perm[a]
				if j >= i {
					j++
				}
				idx[i*k+a], w[i*k+a] = j, rng.NormFloat64()
			}
		}
		x := make([]float64, n)
		for i := range x {
			x[i] = rng.NormFloat64()
		}
		// The formula: r_i = x_i − Σ_a w_ia x_{j_a}; y_j = r_j − Σ_{i ∋ j}
		// w_ij r_i (i ascending), each Σ by laneSum.
		r := make([]float64, n)
		for i := 0; i < n; i++ {
			terms := make([]float64, k)
			for a := 0; a < k; a++ {
				terms[a] = w[i*k+a] * x[idx[i*k+a]]
			}
			r[i] = x[i] - laneSum(terms)
		}
		in := make([][]float64, n)
		for i := 0; i < n; i++ {
			for a := 0; a < k; a++ {
				j := idx[i*k+a]
				in[j] = append(in[j], w[i*k+a]*r[i])
			}
		}
		want := make([]float64, n)
		scatter := slices.Clone(r)
		for j := 0; j < n; j++ {
			want[j] = r[j] - laneSum(in[j])
		}
		for i := 0; i < n; i++ {
			for a := 0; a < k; a++ {
				scatter[idx[i*k+a]] -= w[i*k+a] * r[i]
			}
		}
		for j := range want {
			if d := math.Abs(want[j] - scatter[j]); d > 1e-12*(1+math.Abs(scatter[j])) {
				t.Fatalf("n = %d: the lane formula gives %v at %d, the scatter loop %v", n, want[j], j, scatter[j])
			}
		}
		op := newLLEOp(n, k, idx, w)
		for _, kernel := range paths {
			useGatherAsm = kernel
			for _, procs := range []int{1, 3} {
				prev := runtime.GOMAXPROCS(procs)
				got := make([]float64, n)
				op.MulVecTo(got, x)
				runtime.GOMAXPROCS(prev)
				for i := range got {
					if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
						t.Fatalf("n = %d, kernel %v, GOMAXPROCS %d: entry %d = %v; formula %v", n, kernel, procs, i, got[i], want[i])
					}
				}
			}
		}
	}
}

// N·k above the int32 offsets of the operator is refused up front, naming
// Neighbors and the limit (no weights are computed).
func TestLLERefusesTooManyEntries(t *testing.T) {
	const n, k = 50000, 45000 // n·k = 2.25e9 > 2^31 − 1
	x := mat.NewDense(n, 1, nil)
	for i := 0; i < n; i++ {
		x.Set(i, 0, float64(i))
	}
	err := (&LLE{Neighbors: k}).Fit(x)
	if !errors.Is(err, ErrParam) || !strings.Contains(err.Error(), "Neighbors") || !strings.Contains(err.Error(), "2147483647") {
		t.Fatalf("Fit with N·k = %d: %v; want ErrParam naming Neighbors and the limit", n*k, err)
	}
}
