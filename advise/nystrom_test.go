package advise

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/eigenssl/eigenssl/closedform"
	"github.com/eigenssl/eigenssl/data"
	"github.com/eigenssl/eigenssl/graph"
	"github.com/eigenssl/eigenssl/linalg"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// TestNystromFeaturesReproduceKernel: with every row a landmark the
// features' Gram matrix is the centred Gaussian kernel H K H (up to the
// dropped eigenvalues, below 1e-8 of the largest), with fewer landmarks it
// is exact on the landmark rows only, and the samples are mapped by the
// same formula as the rows (a sample equal to a row gets that row's
// features).
func TestNystromFeaturesReproduceKernel(t *testing.T) {
	in, _ := latentInput(t, 60, false, 0, 5)
	n, _ := in.X.Dims()
	sigma := 1.3
	kern := linalg.Kernel{Kind: linalg.KernelRBF, Gamma: linalg.GammaFromSigma(sigma)}.SelfMatrix(in.X)
	hkh := centredGram(kern)
	// A sample that is row 7 exactly.
	in2 := *in
	in2.Samples = mat.DenseCopyOf(in.X.Slice(5, 9, 0, 10))
	f, err := nystromInput(&in2, n, sigma, 3)
	if err != nil {
		t.Fatal(err)
	}
	var g mat.Dense
	g.Mul(f.X, f.X.T())
	if d := maxAbsDiff(&g, hkh); d > 1e-6*mat.Norm(hkh, math.Inf(1)) {
		t.Fatalf("all landmarks: max |Φ Φᵀ − H K H| = %.3g", d)
	}
	if _, fc := f.Samples.Dims(); fc != f.X.RawMatrix().Cols {
		t.Fatalf("samples have %d feature columns, rows %d", fc, f.X.RawMatrix().Cols)
	}
	for j, v := range f.Samples.RawRowView(2) {
		if math.Abs(v-f.X.At(7, j)) > 1e-9 {
			t.Fatalf("sample equal to row 7: feature %d is %g, row's %g", j, v, f.X.At(7, j))
		}
	}
	// 20 landmarks: the Gram matrix is only a low-rank approximation, so it
	// differs from H K H somewhere (a wrong map that returned exact kernel
	// rows would not).
	f20, err := nystromInput(in, 20, sigma, 3)
	if err != nil {
		t.Fatal(err)
	}
	if _, c := f20.X.Dims(); c > 20 {
		t.Fatalf("20 landmarks gave %d features", c)
	}
	g.Reset()
	g.Mul(f20.X, f20.X.T())
	if d := maxAbsDiff(&g, hkh); !(d > 1e-3) {
		t.Fatalf("20 of %d landmarks reproduce the kernel to %.3g: the map cannot be of rank 20", n, d)
	}
}

// centredGram is H K H, H = I − 11ᵀ/N: K's columns centred, then its
// rows (K symmetric).
func centredGram(k *mat.Dense) *mat.Dense {
	kh := linalg.CenterColumns(k)
	return linalg.CenterColumns(mat.DenseCopyOf(kh.T()))
}

func maxAbsDiff(a, b *mat.Dense) float64 {
	return floats.Distance(a.RawMatrix().Data, b.RawMatrix().Data, math.Inf(1))
}

// TestAdviseNystromMatchesKernel: with every row a landmark the Nyström
// regime solves the same problem as the exact kernel regime (the features
// span the centred kernel's columns, and both regimes fit a bias), so on a
// kNN relation (distinct operator eigenvalues, no tied subspaces) the
// exact VICReg optima agree: the same operator spectrum, singular values
// and column space of the samples' representation.
func TestAdviseNystromMatchesKernel(t *testing.T) {
	ds, err := data.Latent(150, data.LatentConfig{AmbientDim: 10, Seed: 13})
	if err != nil {
		t.Fatal(err)
	}
	in, err := BuildInput(ds.X, "knn:k=10", [2]int{}, nil, 1)
	if err != nil {
		t.Fatal(err)
	}
	set := Settings{Regime: closedform.Kernel, Sigma: 2, K: 4, LabelsPerClass: 6, Seed: 1, Logger: quiet, RefineIter: -1,
		Candidates: []Candidate{{closedform.VICReg, "gamma", 0.1}, {closedform.VICReg, "gamma", 0.2}}}
	exact, err := Advise(in, ds.Y, set)
	if err != nil {
		t.Fatal(err)
	}
	set.Landmarks = 150
	nys, err := Advise(in, ds.Y, set)
	if err != nil {
		t.Fatal(err)
	}
	if nys.Landmarks != 150 || nys.Features < 4 || !strings.Contains(nys.RegimeText(), "Nyström") {
		t.Fatalf("report: landmarks %d features %d %q", nys.Landmarks, nys.Features, nys.RegimeText())
	}
	for i := range exact.Diagnostics.Operator[:5] {
		a, b := exact.Diagnostics.Operator[i], nys.Diagnostics.Operator[i]
		if math.Abs(a-b) > 1e-9*math.Max(1, math.Abs(a)) {
			t.Fatalf("operator eigenvalue %d: exact %g, Nyström %g", i, a, b)
		}
	}
	for i := range exact.Results {
		ze, zn := exact.Results[i].z, nys.Results[i].z
		var se, sn mat.SVD
		if !se.Factorize(ze, mat.SVDNone) || !sn.Factorize(zn, mat.SVDNone) {
			t.Fatal("svd failed")
		}
		for j, v := range se.Values(nil) {
			if w := sn.Values(nil)[j]; math.Abs(v-w) > 1e-9*v || v < 1 {
				t.Fatalf("%s: singular value %d exact %g, Nyström %g", exact.Results[i].Candidate, j, v, w)
			}
		}
		ang, err := linalg.PrincipalAngles(ze, zn)
		if err != nil {
			t.Fatal(err)
		}
		if ang[len(ang)-1] > 1e-8 {
			t.Fatalf("%s: largest principal angle %.3g between the exact and Nyström representations", exact.Results[i].Candidate, ang[len(ang)-1])
		}
	}
}

// TestAdviseLandmarksErrors: landmarks outside the kernel regime, a single
// landmark, more landmarks than rows are errors that name the setting, and
// an oversized exact kernel points to landmarks.
func TestAdviseLandmarksErrors(t *testing.T) {
	in, y := latentInput(t, 40, false, 0, 2)
	for _, s := range []Settings{
		{Landmarks: 10},
		{Regime: closedform.Kernel, Landmarks: 1},
		{Regime: closedform.Kernel, Landmarks: -3},
		{Regime: closedform.Kernel, Landmarks: 81},
	} {
		s.Logger = quiet
		if _, err := Advise(in, y, s); !errors.Is(err, ErrParam) || !strings.Contains(err.Error(), "landmarks") {
			t.Fatalf("%+v: %v", s, err)
		}
	}
	gb, _, err := graph.Views(MaxKernelRows/2+1, 2)
	if err != nil {
		t.Fatal(err)
	}
	big := &Input{X: mat.NewDense(gb.N, 1, nil), G: gb}
	if _, err := Advise(big, nil, Settings{Regime: closedform.Kernel, Logger: quiet}); !errors.Is(err, ErrParam) || !strings.Contains(err.Error(), "landmarks") {
		t.Fatalf("oversized kernel input: %v", err)
	}
}
