// Package spectraltest is the conformance suite every estimator of package
// spectral must pass (in the spirit of gonum's lapack/testlapack and
// scikit-learn's estimator_checks): determinism under a fixed seed,
// idempotent Fit, permutation equivariance (compared as subspaces, since
// columns are defined up to sign and rotation), Transform of the training
// points reproducing the embedding, the documented normalisation, and bad
// inputs refused with their sentinels.
package spectraltest

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/eigenssl/eigenssl/linalg"
	"github.com/eigenssl/eigenssl/spectral"
	"gonum.org/v1/gonum/mat"
)

// Method is the estimator shape under test (spectral.Estimator).
type Method = spectral.Estimator

// Case describes one estimator configuration for the suite.
type Case struct {
	// Name labels the subtests.
	Name string
	// New returns a fresh estimator asking for k components, every other
	// hyper-parameter (seed included) fixed.
	New func(k int) Method
	// X is the training data (N x D); the suite never modifies it.
	X *mat.Dense
	// K is the number of components used by the checks.
	K int
	// TransformTol bounds max |Transform(X) − Embedding| / scale(Embedding)
	// (0 means 1e-9: exact methods).
	TransformTol float64
	// NoPermutation, when set, exempts the method from the permutation
	// check and gives the reason (e.g. random landmarks follow the row
	// order).
	NoPermutation string
	// Normalisation, if not nil, checks the documented normalisation of a
	// fitted model on X and returns a description of the violation or "".
	Normalisation func(m Method, x *mat.Dense) string
	// BadK is a component count the method must refuse with
	// spectral.ErrParam (0 means N).
	BadK int
}

// Run runs every check of the suite on c.
func Run(t *testing.T, c Case) {
	t.Helper()
	n, d := c.X.Dims()
	fit := func(t *testing.T, x *mat.Dense) Method {
		t.Helper()
		m := c.New(c.K)
		if err := m.Fit(mat.DenseCopyOf(x)); err != nil {
			t.Fatalf("%s: Fit: %v", c.Name, err)
		}
		return m
	}
	t.Run("Shape", func(t *testing.T) {
		m := fit(t, c.X)
		z := m.Embedding()
		if r, k := z.Dims(); r != n || k != c.K {
			t.Fatalf("Embedding is %d x %d; want %d x %d", r, k, n, c.K)
		}
		if len(m.Eigenvalues()) != c.K {
			t.Fatalf("%d eigenvalues; want %d", len(m.Eigenvalues()), c.K)
		}
		if !finite(z) {
			t.Fatalf("Embedding has NaN or Inf")
		}
	})
	t.Run("Deterministic", func(t *testing.T) {
		a, b := fit(t, c.X), fit(t, c.X)
		if diff := maxDiff(a.Embedding(), b.Embedding()); diff > 1e-12*scale(a.Embedding()) {
			t.Fatalf("two fits differ by %g", diff)
		}
	})
	t.Run("IdempotentFit", func(t *testing.T) {
		m := fit(t, c.X)
		z1, e1 := m.Embedding(), m.Eigenvalues()
		if err := m.Fit(mat.DenseCopyOf(c.X)); err != nil {
			t.Fatal(err)
		}
		if diff := maxDiff(z1, m.Embedding()); diff > 1e-12*scale(z1) {
			t.Fatalf("refit differs by %g", diff)
		}
		for i, v := range m.Eigenvalues() {
			if math.Abs(v-e1[i]) > 1e-12*math.Max(1, math.Abs(e1[i])) {
				t.Fatalf("refit eigenvalue %d: %g vs %g", i, v, e1[i])
			}
		}
	})
	t.Run("PermutationEquivariant", func(t *testing.T) {
		if c.NoPermutation != "" {
			t.Logf("exempt: %s", c.NoPermutation)
			return
		}
		m := fit(t, c.X)
		perm := rand.New(rand.NewPCG(7, 11)).Perm(n)
		xp := mat.NewDense(n, d, nil)
		for i, p := range perm {
			xp.SetRow(i, c.X.RawRowView(p))
		}
		mp := fit(t, xp)
		z, zp := m.Embedding(), mp.Embedding()
		// Row i of the permuted fit belongs to point perm[i].
		zr := mat.NewDense(n, c.K, nil)
		for i, p := range perm {
			zr.SetRow(i, z.RawRowView(p))
		}
		ang, err := linalg.PrincipalAngles(zr, zp)
		if err != nil {
			t.Fatal(err)
		}
		if len(ang) != c.K || ang[len(ang)-1] > 1e-6 {
			t.Fatalf("permuted fit spans another subspace: angles %v", ang)
		}
		e, ep := m.Eigenvalues(), mp.Eigenvalues()
		sc := 1.0
		for _, v := range e {
			sc = math.Max(sc, math.Abs(v))
		}
		for i := range e {
			if math.Abs(e[i]-ep[i]) > 1e-8*sc {
				t.Fatalf("eigenvalue %d: %g permuted vs %g", i, ep[i], e[i])
			}
		}
	})
	t.Run("TransformTraining", func(t *testing.T) {
		m := fit(t, c.X)
		tol := c.TransformTol
		if tol == 0 {
			tol = 1e-9
		}
		z := m.Embedding()
		zt, err := m.Transform(c.X)
		if err != nil {
			t.Fatal(err)
		}
		if diff := maxDiff(z, zt); diff > tol*scale(z) {
			t.Fatalf("Transform(X) differs from Embedding by %g (tol %g)", diff, tol*scale(z))
		}
		// A subset of rows maps to the same rows (no batch effects).
		sub := mat.DenseCopyOf(c.X.Slice(0, min(5, n), 0, d))
		zs, err := m.Transform(sub)
		if err != nil {
			t.Fatal(err)
		}
		if diff := maxDiff(zs, zt.Slice(0, min(5, n), 0, c.K)); diff > 1e-9*scale(z) {
			t.Fatalf("Transform of a subset differs by %g", diff)
		}
	})
	if c.Normalisation != nil {
		t.Run("Normalisation", func(t *testing.T) {
			m := fit(t, c.X)
			if msg := c.Normalisation(m, c.X); msg != "" {
				t.Fatal(msg)
			}
		})
	}
	t.Run("BadInput", func(t *testing.T) {
		x := mat.DenseCopyOf(c.X)
		x.Set(n/2, d-1, math.NaN())
		wantErr(t, "NaN", c.New(c.K).Fit(x), spectral.ErrNaN)
		x.Set(n/2, d-1, math.Inf(1))
		wantErr(t, "Inf", c.New(c.K).Fit(x), spectral.ErrNaN)
		wantErr(t, "empty", c.New(c.K).Fit(&mat.Dense{}), spectral.ErrEmpty)
		bad := c.BadK
		if bad == 0 {
			bad = n
		}
		wantErr(t, fmt.Sprintf("K = %d", bad), c.New(bad).Fit(mat.DenseCopyOf(c.X)), spectral.ErrParam)
		wantErr(t, "K = -1", c.New(-1).Fit(mat.DenseCopyOf(c.X)), spectral.ErrParam)
		m := c.New(c.K)
		_, err := m.Transform(c.X)
		wantErr(t, "Transform before Fit", err, spectral.ErrNotFitted)
		if m.Embedding() != nil || m.Eigenvalues() != nil {
			t.Errorf("unfitted model returns an embedding or eigenvalues")
		}
		m = fit(t, c.X)
		_, err = m.Transform(mat.NewDense(3, d+1, nil))
		wantErr(t, "Transform with D+1 columns", err, spectral.ErrShape)
		xn := mat.DenseCopyOf(c.X.Slice(0, 3, 0, d))
		xn.Set(1, 0, math.NaN())
		_, err = m.Transform(xn)
		wantErr(t, "Transform with NaN", err, spectral.ErrNaN)
		// A failed Fit leaves the model unfitted.
		m = fit(t, c.X)
		x.Set(n/2, d-1, math.NaN())
		if err := m.Fit(x); err == nil {
			t.Fatal("Fit with NaN succeeded")
		}
		if _, err := m.Transform(c.X); !errors.Is(err, spectral.ErrNotFitted) {
			t.Errorf("after a failed Fit, Transform: %v; want ErrNotFitted", err)
		}
		if m.Embedding() != nil || m.Eigenvalues() != nil {
			t.Errorf("after a failed Fit, the model still returns an embedding or eigenvalues")
		}
	})
}

func wantErr(t *testing.T, what string, err, sentinel error) {
	t.Helper()
	if !errors.Is(err, sentinel) {
		t.Errorf("%s: got error %v; want %v", what, err, sentinel)
		return
	}
	var e *spectral.Error
	if !errors.As(err, &e) {
		t.Errorf("%s: error %v is not a *spectral.Error", what, err)
	}
}

func finite(m mat.Matrix) bool {
	r, c := m.Dims()
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			if v := m.At(i, j); math.IsNaN(v) || math.IsInf(v, 0) {
				return false
			}
		}
	}
	return true
}

func maxDiff(a, b mat.Matrix) float64 {
	r, c := a.Dims()
	if rb, cb := b.Dims(); rb != r || cb != c {
		return math.Inf(1)
	}
	d := 0.0
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			d = math.Max(d, math.Abs(a.At(i, j)-b.At(i, j)))
		}
	}
	return d
}

func scale(m mat.Matrix) float64 {
	s := 1e-300
	r, c := m.Dims()
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			s = math.Max(s, math.Abs(m.At(i, j)))
		}
	}
	return s
}
