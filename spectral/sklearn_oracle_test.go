package spectral_test

// Comparisons with scikit-learn 1.2.1 reference outputs stored in
// testdata/sklearn_manifold.json (written by testdata/sklearn_manifold.py,
// run by hand; go test never runs Python). Embeddings are compared as
// subspaces (principal angles), never by raw signs.

import (
	"encoding/json"
	"errors"
	"math"
	"os"
	"testing"

	"github.com/eigenssl/eigenssl/data"
	"github.com/eigenssl/eigenssl/spectral"
	"gonum.org/v1/gonum/mat"
)

type sklearnOracle struct {
	SwissX [][]float64 `json:"swiss_x"`
	LLE    map[string]struct {
		K                   int
		Reg                 float64
		Embedding           [][]float64
		ReconstructionError float64 `json:"reconstruction_error"`
	} `json:"lle"`
	Isomap map[string]struct {
		Params              map[string]any
		Embedding           [][]float64
		ReconstructionError float64   `json:"reconstruction_error"`
		Geodesic0           []float64 `json:"geodesic_0"`
	} `json:"isomap"`
	LE map[string]struct {
		Gamma     float64
		Neighbors int
		Distances [][]float64
		Embedding [][]float64
	} `json:"le"`
	KPCAInverse struct {
		Gamma, Alpha float64
		K            int
		Embedding    [][]float64
		Inverse      [][]float64
	} `json:"kpca_inverse"`
}

func loadSklearnOracle(t *testing.T) *sklearnOracle {
	t.Helper()
	b, err := os.ReadFile("testdata/sklearn_manifold.json")
	if err != nil {
		t.Fatal(err)
	}
	var o sklearnOracle
	if err := json.Unmarshal(b, &o); err != nil {
		t.Fatal(err)
	}
	return &o
}

func denseOf(rows [][]float64) *mat.Dense {
	m := mat.NewDense(len(rows), len(rows[0]), nil)
	for i, r := range rows {
		m.SetRow(i, r)
	}
	return m
}

// subspaceMatch fails unless span(got) and span(want) agree to maxAngle
// radians.
func subspaceMatch(t *testing.T, what string, got, want *mat.Dense, maxAngle float64) {
	t.Helper()
	ang, err := principalAngles(got, want)
	if err != nil {
		t.Fatal(err)
	}
	for i, a := range ang {
		if a > maxAngle {
			t.Fatalf("%s: principal angle %d = %g rad > %g", what, i, a, maxAngle)
		}
	}
}

// LLE standard, modified, hessian and LTSA (and a non-default Reg) match
// scikit-learn's dense-solver embeddings (test_lle_manifold's methods) and
// reconstruction errors.
func TestLLEMatchesSklearn(t *testing.T) {
	o := loadSklearnOracle(t)
	x := denseOf(o.SwissX)
	for name, ref := range o.LLE {
		t.Run(name, func(t *testing.T) {
			method := name
			if name == "standard_reg0.1" {
				method = "standard"
			}
			l := &spectral.LLE{Components: 2, Neighbors: ref.K, Method: method, Reg: ref.Reg, Solver: spectral.SolverDense}
			if err := l.Fit(x); err != nil {
				t.Fatal(err)
			}
			subspaceMatch(t, name, l.Embedding(), denseOf(ref.Embedding), 1e-6)
			if re := l.ReconstructionError(); math.Abs(re-ref.ReconstructionError) > 1e-6*math.Abs(ref.ReconstructionError)+1e-14 {
				t.Fatalf("reconstruction error %g; scikit-learn %g", re, ref.ReconstructionError)
			}
		})
	}
}

// test_lle_simple_grid / test_lle_manifold: on a flat 2-D grid isometrically
// embedded in 3-D, the Hessian, LTSA and modified embeddings are affine
// images of the grid coordinates (Hessian eigenmaps and LTSA are exact on
// flat manifolds): the least-squares affine fit of the grid from the
// embedding leaves a tiny residual.
func TestLLEVariantsRecoverFlatGrid(t *testing.T) {
	const side = 8
	n := side * side
	x := mat.NewDense(n, 3, nil)
	grid := mat.NewDense(n, 3, nil)
	for i := 0; i < side; i++ {
		for j := 0; j < side; j++ {
			r := i*side + j
			u, v := float64(i)+0.1*float64(j%3), float64(j)+0.07*float64(i%2)
			// A rotation of the plane into 3-D.
			x.SetRow(r, []float64{0.6*u + 0.48*v, 0.8*u - 0.36*v, 0.8 * v})
			grid.SetRow(r, []float64{1, u, v})
		}
	}
	for _, method := range []string{"hessian", "ltsa", "modified"} {
		l := &spectral.LLE{Components: 2, Neighbors: 10, Method: method}
		if err := l.Fit(x); err != nil {
			t.Fatalf("%s: %v", method, err)
		}
		z := l.Embedding()
		design := mat.NewDense(n, 3, nil)
		for i := 0; i < n; i++ {
			design.SetRow(i, []float64{1, z.At(i, 0), z.At(i, 1)})
		}
		var coef, fit, res mat.Dense
		if err := coef.Solve(design, grid.Slice(0, n, 1, 3)); err != nil {
			t.Fatal(err)
		}
		fit.Mul(design, &coef)
		res.Sub(&fit, grid.Slice(0, n, 1, 3))
		rel := mat.Norm(&res, 2) / mat.Norm(grid.Slice(0, n, 1, 3), 2)
		tol := 1e-6
		if method == "modified" {
			tol = 1e-3 // regularised weights: close, not exact (2e-4 here)
		}
		if rel > tol {
			t.Errorf("%s: relative residual of the affine fit %g > %g", method, rel, tol)
		}
	}
	// Parameter limits: hessian needs k > K(K+3)/2, modified k >= K.
	if err := (&spectral.LLE{Components: 2, Neighbors: 5, Method: "hessian"}).Fit(x); err == nil {
		t.Error("hessian with Neighbors = 5, Components = 2 accepted; want k > 5")
	}
	if err := (&spectral.LLE{Components: 3, Neighbors: 2, Method: "modified"}).Fit(x); err == nil {
		t.Error("modified with Neighbors < Components accepted")
	}
}

// Isomap with scikit-learn's metrics and radius neighbourhoods
// (test_different_metric, test_isomap_reconstruction_error with radius):
// geodesics from point 0 (dist_matrix_[0]), the embedding subspace and
// reconstruction_error() agree with scikit-learn's.
func TestIsomapMatchesSklearn(t *testing.T) {
	o := loadSklearnOracle(t)
	x := denseOf(o.SwissX)
	for name, ref := range o.Isomap {
		t.Run(name, func(t *testing.T) {
			m := &spectral.Isomap{Components: 2, Solver: spectral.SolverDense}
			if v, ok := ref.Params["n_neighbors"].(float64); ok {
				m.Neighbors = int(v)
			}
			if v, ok := ref.Params["radius"].(float64); ok {
				m.Radius = v
			}
			if v, ok := ref.Params["metric"].(string); ok {
				m.Metric = v
			}
			if v, ok := ref.Params["p"].(float64); ok {
				m.P = v
			}
			if err := m.Fit(x); err != nil {
				t.Fatal(err)
			}
			geo := m.Geodesics()
			for j, want := range ref.Geodesic0 {
				if math.Abs(geo.At(0, j)-want) > 1e-9*(1+want) {
					t.Fatalf("geodesic 0-%d = %.12g; scikit-learn %.12g", j, geo.At(0, j), want)
				}
			}
			subspaceMatch(t, name, m.Embedding(), denseOf(ref.Embedding), 1e-6)
			re, err := m.ReconstructionError()
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(re-ref.ReconstructionError) > 1e-8*ref.ReconstructionError {
				t.Fatalf("reconstruction error %.12g; scikit-learn %.12g", re, ref.ReconstructionError)
			}
		})
	}
}

// Metric "precomputed" on the Euclidean distance matrix is the Euclidean
// model: same geodesics and embedding, and Transform of distance rows equals
// Transform of the rows themselves (test_isomap_fit_precomputed_radius_graph).
func TestIsomapPrecomputed(t *testing.T) {
	o := loadSklearnOracle(t)
	x := denseOf(o.SwissX)
	n, _ := x.Dims()
	d := mat.NewDense(n, n, nil)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			s := 0.0
			for c := 0; c < 3; c++ {
				v := x.At(i, c) - x.At(j, c)
				s += v * v
			}
			d.Set(i, j, math.Sqrt(s))
		}
	}
	for _, nb := range []struct {
		k int
		r float64
	}{{8, 0}, {0, 6}} {
		ref := &spectral.Isomap{Components: 2, Neighbors: nb.k, Radius: nb.r}
		pre := &spectral.Isomap{Components: 2, Neighbors: nb.k, Radius: nb.r, Metric: "precomputed"}
		if err := ref.Fit(x); err != nil {
			t.Fatal(err)
		}
		if err := pre.Fit(d); err != nil {
			t.Fatal(err)
		}
		if !mat.EqualApprox(ref.Geodesics(), pre.Geodesics(), 1e-9) {
			t.Fatalf("k=%d r=%g: geodesics differ", nb.k, nb.r)
		}
		subspaceMatch(t, "precomputed", pre.Embedding(), ref.Embedding(), 1e-8)
		zr, err := ref.Transform(x.Slice(0, 10, 0, 3))
		if err != nil {
			t.Fatal(err)
		}
		zp, err := pre.Transform(d.Slice(0, 10, 0, n))
		if err != nil {
			t.Fatal(err)
		}
		if msg := columnsMatch(zp, zr, 1e-7); msg != "" {
			t.Fatalf("k=%d r=%g: transform: %s", nb.k, nb.r, msg)
		}
	}
	if err := (&spectral.Isomap{Neighbors: 5, Radius: 1}).Fit(x); !errors.Is(err, spectral.ErrParam) {
		t.Fatalf("Neighbors and Radius both set: %v; want ErrParam", err)
	}
	if err := (&spectral.Isomap{Metric: "chebyshev"}).Fit(x); !errors.Is(err, spectral.ErrParam) {
		t.Fatalf("unknown metric: %v; want ErrParam", err)
	}
}

// Kernel PCA's pre-image map equals scikit-learn's fit_inverse_transform /
// inverse_transform (RBF, gamma 0.02, alpha 1e-3, 4 components): the RBF
// kernel of embeddings is invariant to column signs, so the maps agree
// whatever sign each side chose.
func TestKernelPCAInverseMatchesSklearn(t *testing.T) {
	o := loadSklearnOracle(t)
	x := denseOf(o.SwissX)
	ref := o.KPCAInverse
	p := &spectral.KernelPCA{Components: ref.K, Kernel: spectral.KernelRBF, Gamma: ref.Gamma, FitInverse: true, Alpha: ref.Alpha, Solver: spectral.SolverDense}
	if err := p.Fit(x); err != nil {
		t.Fatal(err)
	}
	subspaceMatch(t, "kpca", p.Embedding(), denseOf(ref.Embedding), 1e-6)
	got, err := p.InverseTransform(p.Embedding().Slice(0, 10, 0, ref.K))
	if err != nil {
		t.Fatal(err)
	}
	want := denseOf(ref.Inverse)
	if d := maxAbs(got, want); d > 1e-6*mat.Norm(want, math.Inf(1)) {
		t.Fatalf("inverse transform differs from scikit-learn's by %g", d)
	}
	// test_kernel_pca_inverse_transform_reconstruction: 100 blobs in 4-D,
	// 20 components, RBF with the default gamma, alpha 1e-3: the pre-images
	// reconstruct the data to a relative error below 0.1.
	blobs, err := data.Blobs(100, 3, 4, 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	b := &spectral.KernelPCA{Components: 20, Kernel: spectral.KernelRBF, FitInverse: true, Alpha: 1e-3}
	if err := b.Fit(blobs.X); err != nil {
		t.Fatal(err)
	}
	all, err := b.InverseTransform(b.Embedding())
	if err != nil {
		t.Fatal(err)
	}
	var diff mat.Dense
	diff.Sub(all, blobs.X)
	if rel := mat.Norm(&diff, 2) / mat.Norm(blobs.X, 2); rel > 0.1 {
		t.Fatalf("reconstruction error %g > 0.1", rel)
	}
	// Without FitInverse, and with a precomputed kernel, it is refused.
	q := &spectral.KernelPCA{Components: 2}
	if err := q.Fit(x); err != nil {
		t.Fatal(err)
	}
	if _, err := q.InverseTransform(q.Embedding()); !errors.Is(err, spectral.ErrNotFitted) {
		t.Fatalf("InverseTransform without FitInverse: %v; want ErrNotFitted", err)
	}
	k := mat.NewDense(80, 80, nil)
	k.Mul(x, x.T())
	if err := (&spectral.KernelPCA{Kernel: spectral.KernelPrecomputed, FitInverse: true}).Fit(k); !errors.Is(err, spectral.ErrParam) {
		t.Fatalf("FitInverse with a precomputed kernel: %v; want ErrParam", err)
	}
}

// Laplacian eigenmaps with scikit-learn's affinity='rbf' and
// 'precomputed_nearest_neighbors' (test_spectral_embedding_precomputed_affinity,
// test_precomputed_nearest_neighbors_filtering) and spectral_embedding's
// drop_first=False match scikit-learn's embeddings.
func TestLEAffinitiesMatchSklearn(t *testing.T) {
	o := loadSklearnOracle(t)
	x := denseOf(o.SwissX)
	for name, ref := range o.LE {
		t.Run(name, func(t *testing.T) {
			var le *spectral.LaplacianEigenmaps
			var in *mat.Dense
			switch name {
			case "rbf":
				le, in = &spectral.LaplacianEigenmaps{Components: 2, Affinity: "rbf", Gamma: ref.Gamma}, x
			case "precomputed_nearest_neighbors":
				le, in = &spectral.LaplacianEigenmaps{Components: 2, Affinity: name, Neighbors: ref.Neighbors}, denseOf(ref.Distances)
			case "keep_first":
				le, in = &spectral.LaplacianEigenmaps{Components: 3, Precomputed: true, KeepFirst: true}, rbfAffinity(x, ref.Gamma)
			default:
				t.Fatalf("unknown case %s", name)
			}
			if err := le.Fit(in); err != nil {
				t.Fatal(err)
			}
			want := denseOf(ref.Embedding)
			subspaceMatch(t, name, le.Embedding(), want, 1e-5)
			if name == "keep_first" {
				// Column 0 is the kept constant direction D^{-1/2}u_0 ∝ 1.
				z := le.Embedding()
				for i := 1; i < 80; i++ {
					if math.Abs(z.At(i, 0)-z.At(0, 0)) > 1e-9*math.Abs(z.At(0, 0)) {
						t.Fatalf("first column not constant: %g vs %g", z.At(i, 0), z.At(0, 0))
					}
				}
				if math.Abs(le.Eigenvalues()[0]) > 1e-10 {
					t.Fatalf("first eigenvalue %g; want 0", le.Eigenvalues()[0])
				}
			}
		})
	}
	// The rbf model's Nyström extension reproduces the training embedding.
	le := &spectral.LaplacianEigenmaps{Components: 2, Affinity: "rbf", Gamma: 0.05}
	if err := le.Fit(x); err != nil {
		t.Fatal(err)
	}
	zt, err := le.Transform(x)
	if err != nil {
		t.Fatal(err)
	}
	if msg := columnsMatch(zt, le.Embedding(), 1e-8); msg != "" {
		t.Fatalf("rbf Transform of the training rows: %s", msg)
	}
	if err := (&spectral.LaplacianEigenmaps{Affinity: "cosine"}).Fit(x); !errors.Is(err, spectral.ErrParam) {
		t.Fatalf("unknown affinity: %v; want ErrParam", err)
	}
}

// Sparse inputs (scipy.sparse.save_npz CSR, testdata/swiss_*.npz) give the
// models of their dense forms: the 8-NN distance graph with
// affinity='precomputed_nearest_neighbors' (scikit-learn's embedding) and
// the rbf affinity with Precomputed; a data affinity densifies X.
func TestLEFitSparse(t *testing.T) {
	o := loadSklearnOracle(t)
	knn, err := data.ReadNPZCSR("testdata/swiss_knn8.npz")
	if err != nil {
		t.Fatal(err)
	}
	le := &spectral.LaplacianEigenmaps{Components: 2, Affinity: "precomputed_nearest_neighbors", Neighbors: 8}
	if err := le.FitSparse(knn); err != nil {
		t.Fatal(err)
	}
	subspaceMatch(t, "sparse knn", le.Embedding(), denseOf(o.LE["precomputed_nearest_neighbors"].Embedding), 1e-5)
	dense := &spectral.LaplacianEigenmaps{Components: 2, Affinity: "precomputed_nearest_neighbors", Neighbors: 8}
	if err := dense.Fit(knn.Dense()); err != nil {
		t.Fatal(err)
	}
	if !mat.EqualApprox(le.Embedding(), dense.Embedding(), 1e-12) {
		t.Fatal("sparse and dense neighbour graphs give different embeddings")
	}
	rbf, err := data.ReadNPZCSR("testdata/swiss_rbf.npz")
	if err != nil {
		t.Fatal(err)
	}
	sp := &spectral.LaplacianEigenmaps{Components: 2, Precomputed: true}
	if err := sp.FitSparse(rbf); err != nil {
		t.Fatal(err)
	}
	dn := &spectral.LaplacianEigenmaps{Components: 2, Precomputed: true}
	if err := dn.Fit(rbf.Dense()); err != nil {
		t.Fatal(err)
	}
	subspaceMatch(t, "sparse rbf", sp.Embedding(), dn.Embedding(), 1e-9)
	subspaceMatch(t, "sparse rbf vs sklearn", sp.Embedding(), denseOf(o.LE["rbf"].Embedding), 1e-5)
	// A data affinity on a sparse X: the dense X's model.
	x := denseOf(o.SwissX)
	xs := &data.CSRMatrix{Rows: 80, Cols: 3, Indptr: make([]int, 81)}
	for i := 0; i < 80; i++ {
		for j, v := range x.RawRowView(i) {
			xs.Indices, xs.Data = append(xs.Indices, j), append(xs.Data, v)
		}
		xs.Indptr[i+1] = len(xs.Data)
	}
	a := &spectral.LaplacianEigenmaps{Components: 2, Neighbors: 8}
	b := &spectral.LaplacianEigenmaps{Components: 2, Neighbors: 8}
	if err := a.FitSparse(xs); err != nil {
		t.Fatal(err)
	}
	if err := b.Fit(x); err != nil {
		t.Fatal(err)
	}
	if !mat.Equal(a.Embedding(), b.Embedding()) {
		t.Fatal("sparse X differs from dense X")
	}
	// A real asymmetry in a sparse affinity is refused; too few stored
	// neighbours too.
	bad := *rbf
	bad.Data = append([]float64(nil), rbf.Data...)
	bad.Data[1] *= 1.001
	if err := (&spectral.LaplacianEigenmaps{Precomputed: true}).FitSparse(&bad); !errors.Is(err, spectral.ErrShape) {
		t.Fatalf("asymmetric sparse affinity: %v; want ErrShape", err)
	}
	if err := (&spectral.LaplacianEigenmaps{Affinity: "precomputed_nearest_neighbors", Neighbors: 9}).FitSparse(knn); !errors.Is(err, spectral.ErrParam) {
		t.Fatalf("9 neighbours from an 8-NN graph: %v; want ErrParam", err)
	}
}
