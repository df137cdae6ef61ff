package spectral_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/eigenssl/eigenssl/data"
	"github.com/eigenssl/eigenssl/spectral"
	"github.com/eigenssl/eigenssl/spectral/spectraltest"
	"gonum.org/v1/gonum/mat"
)

// suiteCases returns one conformance case per configuration, keyed by the
// registry name it covers (several cases may cover one name).
func suiteCases(t *testing.T) map[string][]spectraltest.Case {
	t.Helper()
	blobs, err := data.Blobs(120, 3, 5, 6, 1)
	if err != nil {
		t.Fatal(err)
	}
	roll, err := data.SwissRoll(150, 4, 0.05, 2)
	if err != nil {
		t.Fatal(err)
	}
	x, r := blobs.X, roll.X
	type M = spectraltest.Method
	return map[string][]spectraltest.Case{
		"le": {
			{Name: "le/normalised", X: x, K: 3, TransformTol: 1e-7, Normalisation: leNorm(true),
				New: func(k int) M { return &spectral.LaplacianEigenmaps{Components: k, Neighbors: 15} }},
			{Name: "le/unnormalised", X: x, K: 3, TransformTol: 1e-7, Normalisation: leNorm(false),
				New: func(k int) M { return &spectral.LaplacianEigenmaps{Components: k, Neighbors: 15, Unnormalized: true} }},
			{Name: "le/unit", X: x, K: 3, TransformTol: 1e-7, Normalisation: leNorm(false),
				New: func(k int) M { return &spectral.LaplacianEigenmaps{Components: k, Neighbors: 15, UnitVectors: true} }},
			{Name: "le/iterative", X: r, K: 3, TransformTol: 1e-6, Normalisation: leNorm(true),
				New: func(k int) M {
					return &spectral.LaplacianEigenmaps{Components: k, Neighbors: 12, Solver: spectral.SolverIterative, Seed: 3}
				}},
			{Name: "le/rbf", X: r, K: 3, TransformTol: 1e-7, Normalisation: leNorm(true),
				New: func(k int) M { return &spectral.LaplacianEigenmaps{Components: k, Affinity: "rbf", Gamma: 0.05} }},
			{Name: "le/keepfirst", X: x, K: 3, TransformTol: 1e-7, // column 0 is the constant: no D-orthogonality to 1
				New: func(k int) M { return &spectral.LaplacianEigenmaps{Components: k, Neighbors: 15, KeepFirst: true} }},
		},
		"lpp": {{Name: "lpp", X: x, K: 3, BadK: 6,
			New: func(k int) M { return &spectral.LPP{Components: k, Neighbors: 10} }}},
		"klpp": {
			{Name: "klpp/rbf", X: x, K: 3, TransformTol: 1e-7,
				New: func(k int) M {
					return &spectral.KernelLPP{Components: k, Neighbors: 10, Kernel: spectral.KernelRBF, Gamma: 0.05}
				}},
			{Name: "klpp/linear", X: x, K: 2, BadK: 6,
				New: func(k int) M { return &spectral.KernelLPP{Components: k, Neighbors: 10} }},
		},
		"lle": {
			{Name: "lle", X: r, K: 2, Normalisation: gramIs(false),
				New: func(k int) M { return &spectral.LLE{Components: k, Neighbors: 10} }},
			{Name: "lle/ltsa", X: r, K: 2, BadK: 10, Normalisation: gramIs(false),
				New: func(k int) M { return &spectral.LLE{Components: k, Neighbors: 10, Method: "ltsa"} }},
			{Name: "lle/modified", X: r, K: 2, BadK: 11, Normalisation: gramIs(false),
				New: func(k int) M { return &spectral.LLE{Components: k, Neighbors: 10, Method: "modified"} }},
			{Name: "lle/hessian", X: r, K: 2, BadK: 4, Normalisation: gramIs(false),
				New: func(k int) M { return &spectral.LLE{Components: k, Neighbors: 10, Method: "hessian"} }},
		},
		"mds": {
			{Name: "mds", X: x, K: 3, BadK: 121, Normalisation: gramIs(true),
				New: func(k int) M { return &spectral.ClassicalMDS{Components: k} }},
			{Name: "mds/landmarks", X: x, K: 3, BadK: 41, NoPermutation: "landmarks are drawn by row index",
				New: func(k int) M { return &spectral.ClassicalMDS{Components: k, Landmarks: 40, Seed: 5} }},
		},
		"isomap": {
			{Name: "isomap", X: r, K: 2, BadK: 151, Normalisation: gramIs(true),
				New: func(k int) M { return &spectral.Isomap{Components: k, Neighbors: 10} }},
			{Name: "isomap/landmarks", X: r, K: 2, BadK: 51, NoPermutation: "landmarks are drawn by row index",
				New: func(k int) M { return &spectral.Isomap{Components: k, Neighbors: 10, Landmarks: 50, Seed: 5} }},
		},
		"kpca": {
			{Name: "kpca/rbf", X: x, K: 4, BadK: 121, Normalisation: gramIs(true),
				New: func(k int) M { return &spectral.KernelPCA{Components: k, Kernel: spectral.KernelRBF, Gamma: 0.05} }},
			{Name: "kpca/linear", X: x, K: 3, BadK: 121,
				New: func(k int) M { return &spectral.KernelPCA{Components: k} }},
			{Name: "kpca/poly", X: x, K: 3, BadK: 121,
				New: func(k int) M {
					return &spectral.KernelPCA{Components: k, Kernel: spectral.KernelPoly, Degree: 2, Coef0: 1}
				}},
			{Name: "kpca/landmarks", X: x, K: 3, BadK: 51, NoPermutation: "landmarks are drawn by row index",
				New: func(k int) M {
					return &spectral.KernelPCA{Components: k, Kernel: spectral.KernelRBF, Gamma: 0.05, Landmarks: 50, Seed: 2}
				}},
			{Name: "kpca/iterative", X: x, K: 3, BadK: 121, Normalisation: gramIs(true),
				New: func(k int) M {
					return &spectral.KernelPCA{Components: k, Kernel: spectral.KernelRBF, Gamma: 0.05, Solver: spectral.SolverIterative}
				}},
		},
		"cca": {{Name: "cca", X: x, K: 2, BadK: 3, Normalisation: unitCovariance,
			New: func(k int) M { return &spectral.CCA{Components: k, ViewA: 2} }}},
		"graphcca": {{Name: "graphcca", X: x, K: 3, BadK: 6,
			New: func(k int) M { return &spectral.GraphCCA{Components: k, Neighbors: 10} }}},
		"spectral": {
			{Name: "spectral/feature", X: x, K: 3, TransformTol: 1e-7, Normalisation: gramIs(true),
				New: func(k int) M { return &spectral.SpectralContrastive{Components: k, Neighbors: 15} }},
			{Name: "spectral/linear", X: x, K: 3, BadK: 6, Normalisation: gramIs(true),
				New: func(k int) M { return &spectral.SpectralContrastive{Components: k, Neighbors: 15, Linear: true} }},
		},
	}
}

func TestConformance(t *testing.T) {
	for _, cases := range suiteCases(t) {
		for _, c := range cases {
			t.Run(c.Name, func(t *testing.T) { spectraltest.Run(t, c) })
		}
	}
}

// TestRegistry fails when a method of spectral.Methods has no conformance
// case, or when New does not return the registered type.
func TestRegistry(t *testing.T) {
	cases := suiteCases(t)
	for _, name := range spectral.Methods() {
		if len(cases[name]) == 0 {
			t.Errorf("method %q is not in the conformance suite", name)
		}
		m, err := spectral.New(name)
		if err != nil || m == nil {
			t.Errorf("New(%q): %v", name, err)
		}
	}
	for name := range cases {
		if _, err := spectral.New(name); err != nil {
			t.Errorf("suite case %q is not a registered method: %v", name, err)
		}
	}
	if _, err := spectral.New("nope"); err == nil {
		t.Error("New(nope) succeeded")
	}
}

// leNorm checks ZᵀDZ = I (generalised vectors) or ZᵀZ = I (unit vectors)
// and Z ⊥_D 1 or Z ⊥ 1 (the constant vector is dropped).
func leNorm(generalised bool) func(m spectraltest.Method, x *mat.Dense) string {
	return func(m spectraltest.Method, _ *mat.Dense) string {
		le := m.(*spectral.LaplacianEigenmaps)
		z := le.Embedding()
		deg := le.Degree()
		n, k := z.Dims()
		w := make([]float64, n)
		for i := range w {
			w[i] = 1
			if generalised {
				w[i] = deg[i]
			}
		}
		for a := 0; a < k; a++ {
			for b := 0; b < k; b++ {
				s := 0.0
				for i := 0; i < n; i++ {
					s += w[i] * z.At(i, a) * z.At(i, b)
				}
				want := 0.0
				if a == b {
					want = 1
				}
				if math.Abs(s-want) > 1e-8 {
					return fmt.Sprintf("(ZᵀWZ)[%d,%d] = %g; want %g", a, b, s, want)
				}
			}
		}
		if !le.UnitVectors { // unit vectors of L_sym are ⊥ sqrt(deg) instead
			for a := 0; a < k; a++ {
				s := 0.0
				for i := 0; i < n; i++ {
					s += w[i] * z.At(i, a)
				}
				if math.Abs(s) > 1e-8*math.Sqrt(float64(n)) {
					return fmt.Sprintf("column %d is not orthogonal to the constant vector: %g", a, s)
				}
			}
		}
		return ""
	}
}

// gramIs checks ZᵀZ = diag(Eigenvalues) (scaled methods) or ZᵀZ = I.
func gramIs(eigen bool) func(m spectraltest.Method, x *mat.Dense) string {
	return func(m spectraltest.Method, _ *mat.Dense) string {
		z := m.Embedding()
		ev := m.Eigenvalues()
		_, k := z.Dims()
		var g mat.Dense
		g.Mul(z.T(), z)
		sc := 1.0
		for _, v := range ev {
			sc = math.Max(sc, math.Abs(v))
		}
		for a := 0; a < k; a++ {
			for b := 0; b < k; b++ {
				want := 0.0
				if a == b {
					want = 1
					if eigen {
						want = ev[a]
					}
				}
				if math.Abs(g.At(a, b)-want) > 1e-8*sc {
					return fmt.Sprintf("(ZᵀZ)[%d,%d] = %g; want %g", a, b, g.At(a, b), want)
				}
			}
		}
		return ""
	}
}

// unitCovariance checks that CCA's variates have identity covariance (N−1)
// up to the Eps ridge.
func unitCovariance(m spectraltest.Method, _ *mat.Dense) string {
	z := m.Embedding()
	n, k := z.Dims()
	var g mat.Dense
	g.Mul(z.T(), z)
	for a := 0; a < k; a++ {
		for b := 0; b < k; b++ {
			want := 0.0
			if a == b {
				want = 1
			}
			if v := g.At(a, b) / float64(n-1); math.Abs(v-want) > 1e-6 {
				return fmt.Sprintf("Cov(Z)[%d,%d] = %g; want %g", a, b, v, want)
			}
		}
	}
	return ""
}
