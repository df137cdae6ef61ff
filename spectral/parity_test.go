package spectral_test

// scikit-learn 1.2.1 parity (issue 12): each test ports the input and the
// asserted property of a test in sklearn/manifold/tests or
// sklearn/decomposition/tests (named in the comment), or checks a
// documented deliberate difference.

import (
	"bytes"
	"errors"
	"log/slog"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/eigenssl/eigenssl/data"
	"github.com/eigenssl/eigenssl/spectral"
	"gonum.org/v1/gonum/mat"
)

// captureWarnings routes the default slog logger to a buffer for the test.
func captureWarnings(t *testing.T) *bytes.Buffer {
	t.Helper()
	var buf bytes.Buffer
	old := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelWarn})))
	t.Cleanup(func() { slog.SetDefault(old) })
	return &buf
}

// rbfAffinity returns exp(−γ‖x_i − x_j‖²) computed entry by entry in the
// order (i, j), so that A and Aᵀ can differ in the last bit only through the
// perturbation the caller adds.
func rbfAffinity(x *mat.Dense, gamma float64) *mat.Dense {
	n, _ := x.Dims()
	a := mat.NewDense(n, n, nil)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			s := 0.0
			for c, v := range x.RawRowView(i) {
				d := v - x.At(j, c)
				s += d * d
			}
			a.Set(i, j, math.Exp(-gamma*s))
		}
	}
	return a
}

// Precomputed affinities asymmetric only by rounding are accepted and
// symmetrised (test_spectral_embedding_precomputed_affinity feeds
// rbf_kernel's output, asymmetric by ~1e-17); a real asymmetry is refused.
func TestLEPrecomputedRoundingAsymmetry(t *testing.T) {
	ds, err := data.SwissRoll(60, 3, 0.05, 4)
	if err != nil {
		t.Fatal(err)
	}
	a := rbfAffinity(ds.X, 0.05)
	sym := &spectral.LaplacianEigenmaps{Components: 2, Precomputed: true}
	if err := sym.Fit(a); err != nil {
		t.Fatal(err)
	}
	// Perturb one triangle by a relative 1e-13: |A − Aᵀ| <= 1e-13 max|A|.
	r := rand.New(rand.NewPCG(1, 2))
	ap := mat.DenseCopyOf(a)
	for i := 0; i < 60; i++ {
		for j := i + 1; j < 60; j++ {
			ap.Set(i, j, ap.At(i, j)*(1+1e-13*(2*r.Float64()-1)))
		}
	}
	for _, m := range []spectral.Estimator{
		&spectral.LaplacianEigenmaps{Components: 2, Precomputed: true},
		&spectral.SpectralContrastive{Components: 2, Precomputed: true},
	} {
		if err := m.Fit(ap); err != nil {
			t.Fatalf("%T on an affinity asymmetric by 1e-13: %v", m, err)
		}
	}
	le := &spectral.LaplacianEigenmaps{Components: 2, Precomputed: true}
	if err := le.Fit(ap); err != nil {
		t.Fatal(err)
	}
	// Compare the subspaces and the eigenvalues.
	ang, err := principalAngles(le.Embedding(), sym.Embedding())
	if err != nil {
		t.Fatal(err)
	}
	for i, a := range ang {
		if a > 1e-8 {
			t.Fatalf("rounding asymmetry turned the embedding subspace by %g rad (angle %d)", a, i)
		}
	}
	for i, v := range le.Eigenvalues() {
		if math.Abs(v-sym.Eigenvalues()[i]) > 1e-12 {
			t.Fatalf("eigenvalue %d: %g vs %g", i, v, sym.Eigenvalues()[i])
		}
	}
	// A relative 1e-6 asymmetry is a directed relation: refused.
	ap.Set(3, 7, a.At(3, 7)*(1+1e-6)+1e-6)
	if err := (&spectral.LaplacianEigenmaps{Precomputed: true}).Fit(ap); !errors.Is(err, spectral.ErrShape) {
		t.Fatalf("asymmetry 1e-6: %v; want ErrShape", err)
	}
}

// Kernel PCA of a non-symmetric precomputed kernel centres it with its own
// row and column means and uses its lower triangle, as scikit-learn
// (KernelCenterer, then scipy's eigh on the lower triangle).
func TestKernelPCAPrecomputedNonSymmetric(t *testing.T) {
	const n = 30
	r := rand.New(rand.NewPCG(3, 4))
	x := mat.NewDense(n, 4, nil)
	for i := 0; i < n; i++ {
		for j := 0; j < 4; j++ {
			x.Set(i, j, r.NormFloat64())
		}
	}
	k := mat.NewDense(n, n, nil)
	k.Mul(x, x.T())
	// Make it non-symmetric: only the upper triangle changes.
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			k.Set(i, j, k.At(i, j)+0.5*r.NormFloat64())
		}
	}
	p := &spectral.KernelPCA{Components: 3, Kernel: spectral.KernelPrecomputed}
	if err := p.Fit(k); err != nil {
		t.Fatal(err)
	}
	// Reference: H K H (valid for any square K), lower triangle mirrored,
	// gonum's dense symmetric eigendecomposition.
	h := mat.NewDense(n, n, nil)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			v := -1.0 / n
			if i == j {
				v++
			}
			h.Set(i, j, v)
		}
	}
	var hk, hkh mat.Dense
	hk.Mul(h, k)
	hkh.Mul(&hk, h)
	low := mat.NewSymDense(n, nil)
	for i := 0; i < n; i++ {
		for j := 0; j <= i; j++ {
			low.SetSym(i, j, hkh.At(i, j))
		}
	}
	var es mat.EigenSym
	if !es.Factorize(low, true) {
		t.Fatal("reference eigendecomposition failed")
	}
	vals := es.Values(nil)
	var vecs mat.Dense
	es.VectorsTo(&vecs)
	want := mat.NewDense(n, 3, nil)
	for c := 0; c < 3; c++ {
		l := vals[n-1-c]
		if math.Abs(p.Eigenvalues()[c]-l) > 1e-9*vals[n-1] {
			t.Fatalf("eigenvalue %d: %g; reference %g", c, p.Eigenvalues()[c], l)
		}
		for i := 0; i < n; i++ {
			want.Set(i, c, vecs.At(i, n-1-c)*math.Sqrt(l))
		}
	}
	if msg := columnsMatch(p.Embedding(), want, 1e-8); msg != "" {
		t.Fatal(msg)
	}
	// The upper triangle is not what is used: the symmetric kernel made
	// from the lower one gives the same fit.
	ks := mat.DenseCopyOf(k)
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			ks.Set(i, j, ks.At(j, i))
		}
	}
	if _, err := p.Transform(k.Slice(0, 5, 0, n)); err != nil {
		t.Fatal(err)
	}
}

// test_precomputed_kernel_not_psd: a centred kernel with eigenvalues
// [52.72, 7.65, 7.65, 5.02, 0, 0, −6.13, −15.11] (x 1/100 in sklearn's
// comment) fails with n_components = 7 and works with 4.
func TestKernelPCANotPSD(t *testing.T) {
	k := mat.NewDense(8, 8, []float64{
		4.48, -1.0, 8.07, 2.33, 2.33, 2.33, -5.76, -12.78,
		-1.0, -6.48, 4.5, -1.24, -1.24, -1.24, -0.81, 7.49,
		8.07, 4.5, 15.48, 2.09, 2.09, 2.09, -11.1, -23.23,
		2.33, -1.24, 2.09, 4.0, -3.65, -3.65, 1.02, -0.9,
		2.33, -1.24, 2.09, -3.65, 4.0, -3.65, 1.02, -0.9,
		2.33, -1.24, 2.09, -3.65, -3.65, 4.0, 1.02, -0.9,
		-5.76, -0.81, -11.1, 1.02, 1.02, 1.02, 4.86, 9.75,
		-12.78, 7.49, -23.23, -0.9, -0.9, -0.9, 9.75, 21.46,
	})
	for _, solver := range []spectral.Solver{spectral.SolverDense, spectral.SolverIterative} {
		p := &spectral.KernelPCA{Components: 7, Kernel: spectral.KernelPrecomputed, Solver: solver}
		err := p.Fit(k)
		if !errors.Is(err, spectral.ErrNotPSD) || !strings.Contains(err.Error(), "significant negative eigenvalue") {
			t.Fatalf("solver %v, K = 7: %v; want ErrNotPSD naming the significant negative eigenvalues", solver, err)
		}
		p.Components = 4
		if err := p.Fit(k); err != nil {
			t.Fatalf("solver %v, K = 4: %v", solver, err)
		}
		for _, v := range p.Eigenvalues() {
			if v <= 0 {
				t.Fatalf("K = 4 eigenvalues %v; want the positive ones", p.Eigenvalues())
			}
		}
	}
}

// test_kernel_conditioning: a tiny positive eigenvalue (~1e-16 of the
// largest) becomes exactly 0 and its column of the embedding and of
// Transform is exactly zero. Also test_kernel_pca_n_components' shapes with
// K up to N (K = N is allowed).
func TestKernelPCATinyEigenvaluesAreZero(t *testing.T) {
	x := mat.NewDense(3, 2, []float64{5, 1, 5 + 1e-8, 1e-8, 5 + 1e-8, 0})
	p := &spectral.KernelPCA{Components: 3}
	if err := p.Fit(x); err != nil {
		t.Fatalf("K = N = 3: %v", err)
	}
	vals := p.Eigenvalues()
	if vals[0] <= 0 || vals[2] != 0 {
		t.Fatalf("eigenvalues %v; want the last exactly 0", vals)
	}
	z := p.Embedding()
	zt, err := p.Transform(x)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		for c := range vals {
			if vals[c] == 0 && (z.At(i, c) != 0 || zt.At(i, c) != 0) {
				t.Fatalf("column %d of a zero eigenvalue: embedding %g, transform %g; want 0", c, z.At(i, c), zt.At(i, c))
			}
		}
	}
	r := rand.New(rand.NewPCG(0, 0))
	fit := mat.NewDense(5, 4, nil)
	pred := mat.NewDense(2, 4, nil)
	for _, m := range []*mat.Dense{fit, pred} {
		rows, cols := m.Dims()
		for i := 0; i < rows; i++ {
			for j := 0; j < cols; j++ {
				m.Set(i, j, r.Float64())
			}
		}
	}
	for _, c := range []int{1, 2, 4, 5} {
		for _, solver := range []spectral.Solver{spectral.SolverDense, spectral.SolverIterative} {
			p := &spectral.KernelPCA{Components: c, Solver: solver}
			if err := p.Fit(fit); err != nil {
				t.Fatalf("K = %d: %v", c, err)
			}
			zp, err := p.Transform(pred)
			if err != nil {
				t.Fatal(err)
			}
			if r, cc := zp.Dims(); r != 2 || cc != c {
				t.Fatalf("K = %d: transform shape %d x %d", c, r, cc)
			}
		}
	}
	if err := (&spectral.KernelPCA{Components: 6}).Fit(fit); !errors.Is(err, spectral.ErrParam) {
		t.Fatalf("K = N + 1: %v; want ErrParam", err)
	}
}

// test_singular_matrix (LLE on np.ones((200, 10)) fails) and issue 12: 40
// identical points give no embedding from the neighbour-based methods.
func TestIdenticalPointsRefused(t *testing.T) {
	ones := mat.NewDense(40, 3, nil)
	for i := 0; i < 40; i++ {
		for j := 0; j < 3; j++ {
			ones.Set(i, j, 1)
		}
	}
	big := mat.NewDense(200, 10, nil)
	big.Apply(func(_, _ int, _ float64) float64 { return 1 }, big)
	if err := (&spectral.LLE{Components: 1, Neighbors: 2}).Fit(big); !errors.Is(err, spectral.ErrSingular) || !strings.Contains(err.Error(), "singular") {
		t.Fatalf("LLE on 200 identical points: %v; want ErrSingular naming singular weights", err)
	}
	for _, m := range []spectral.Estimator{
		&spectral.LaplacianEigenmaps{}, &spectral.LLE{}, &spectral.LLE{Method: "ltsa"}, &spectral.SpectralContrastive{},
		&spectral.SpectralContrastive{Linear: true}, &spectral.Isomap{}, &spectral.LPP{}, &spectral.GraphCCA{},
	} {
		err := m.Fit(ones)
		if err == nil {
			t.Errorf("%T on 40 identical points: fitted %v", m, m.Embedding().RawRowView(0))
			continue
		}
		if !strings.Contains(err.Error(), "identical") {
			t.Errorf("%T: message %q does not say the points are identical", m, err)
		}
	}
	// Some duplicates are fine.
	ds, err := data.SwissRoll(60, 3, 0.05, 1)
	if err != nil {
		t.Fatal(err)
	}
	x := mat.DenseCopyOf(ds.X)
	x.SetRow(1, x.RawRowView(0))
	if err := (&spectral.LaplacianEigenmaps{}).Fit(x); err != nil {
		t.Fatalf("LE with one duplicate: %v", err)
	}
}

// test_multiple_connected_components (Isomap warns and joins the
// components by their closest pair) on sklearn's X = [0, 1, 2, 5, 6, 7]:
// the joined 2-NN graph is the path, so every geodesic is |x_i − x_j|.
// LE warns and continues (spectral_embedding's "Graph is not fully
// connected"); Strict refuses both.
func TestDisconnectedGraphs(t *testing.T) {
	x := mat.NewDense(6, 1, []float64{0, 1, 2, 5, 6, 7})
	buf := captureWarnings(t)
	iso := &spectral.Isomap{Neighbors: 2, Components: 1}
	if err := iso.Fit(x); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "not connected") {
		t.Fatalf("no warning logged: %q", buf.String())
	}
	geo := iso.Geodesics()
	for i := 0; i < 6; i++ {
		for j := 0; j < 6; j++ {
			if want := math.Abs(x.At(i, 0) - x.At(j, 0)); math.Abs(geo.At(i, j)-want) > 1e-12 {
				t.Fatalf("geodesic %d-%d = %g; want %g", i, j, geo.At(i, j), want)
			}
		}
	}
	// A 1-D path is embedded isometrically (up to sign and translation).
	z := iso.Embedding()
	for i := 1; i < 6; i++ {
		if d := math.Abs(z.At(i, 0) - z.At(0, 0)); math.Abs(d-x.At(i, 0)) > 1e-9 {
			t.Fatalf("embedding distance %d-0 = %g; want %g", i, d, x.At(i, 0))
		}
	}
	if err := (&spectral.Isomap{Neighbors: 2, Components: 1, Strict: true}).Fit(x); !errors.Is(err, spectral.ErrDisconnected) {
		t.Fatalf("strict Isomap: %v; want ErrDisconnected", err)
	}

	ds, err := data.Blobs(60, 3, 4, 0.5, 1)
	if err != nil {
		t.Fatal(err)
	}
	buf.Reset()
	le := &spectral.LaplacianEigenmaps{Neighbors: 5, Components: 2}
	if err := le.Fit(ds.X); err != nil {
		t.Fatalf("LE on a disconnected graph: %v; want a warning, not an error", err)
	}
	if !strings.Contains(buf.String(), "not fully connected") {
		t.Fatalf("LE logged no warning: %q", buf.String())
	}
	// With c components the bottom of L_sym is c-fold 0: the first kept
	// eigenvalue is 0 (one more indicator vector), as in scikit-learn.
	if v := le.Eigenvalues()[0]; math.Abs(v) > 1e-10 {
		t.Fatalf("first eigenvalue %g; want 0 (a second component indicator)", v)
	}
	le.Strict = true
	if err := le.Fit(ds.X); !errors.Is(err, spectral.ErrDisconnected) {
		t.Fatalf("strict LE: %v; want ErrDisconnected", err)
	}
}
