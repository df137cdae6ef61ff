package spectral_test

import (
	"math"
	"testing"

	"github.com/eigenssl/eigenssl/graph"
	"github.com/eigenssl/eigenssl/internal/oracle"
	"github.com/eigenssl/eigenssl/spectral"
	"gonum.org/v1/gonum/mat"
)

// checkValues compares eigenvalues (or correlations) to the README's
// 1e-9 · max(1, max |spectrum|).
func checkValues(t *testing.T, name string, got, want, spectrum []float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values; want %d", name, len(got), len(want))
	}
	sc := 1.0
	for _, v := range append(spectrum, want...) {
		sc = math.Max(sc, math.Abs(v))
	}
	for i := range want {
		if math.Abs(got[i]-want[i]) > 1e-9*sc {
			t.Errorf("%s[%d] = %.17g; want %.17g", name, i, got[i], want[i])
		}
	}
}

// checkColumns compares embeddings column by column after sign alignment
// when the case says columns are comparable, else by principal angles.
func checkColumns(t *testing.T, c *oracle.Case, name string, got, want *mat.Dense) {
	t.Helper()
	if c.OutputScalar(t, "columns_comparable") == 1 {
		if msg := oracle.ColumnsMatch(got, want, 1e-7); msg != "" {
			t.Errorf("%s: %s", name, msg)
		}
		return
	}
	ang, err := spectralAngles(got, want)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if 1-math.Cos(ang) > 1e-10 {
		t.Errorf("%s: largest principal angle %.3g", name, ang)
	}
}

func spectralAngles(a, b *mat.Dense) (float64, error) {
	ang, err := principalAngles(a, b)
	if err != nil {
		return 0, err
	}
	return ang[len(ang)-1], nil
}

func vector(t *testing.T, c *oracle.Case, name string) []float64 { return c.OutputVector(t, name) }

func TestOracleSpectral(t *testing.T) {
	seen := map[string]int{}
	for _, c := range oracle.Load(t, "spectral.json") {
		t.Run(c.Name, func(t *testing.T) {
			seen[c.Method]++
			switch c.Method {
			case "spectral_embedding":
				oracleSE(t, &c)
			case "spectral_embedding_knn":
				oracleSEKNN(t, &c)
			case "classical_mds":
				oracleMDS(t, &c)
			case "isomap":
				oracleIsomap(t, &c)
			case "kernel_pca":
				oracleKPCA(t, &c)
			case "lle":
				oracleLLE(t, &c)
			case "cca":
				oracleCCA(t, &c)
			case "lpp":
				oracleLPP(t, &c)
			default:
				t.Fatalf("unknown method %q", c.Method)
			}
		})
	}
	t.Logf("methods: %v", seen)
}

func oracleSE(t *testing.T, c *oracle.Case) {
	a := c.Input(t, "affinity")
	want := c.Output(t, "embedding")
	_, k := want.Dims()
	for _, solver := range []spectral.Solver{spectral.SolverDense, spectral.SolverIterative} {
		// The iterative solver runs to a relative residual of 1e-13; its
		// vectors are then accurate to about 1e-13/eigengap, which the
		// column tolerance allows for when the gap is small.
		le := &spectral.LaplacianEigenmaps{Components: k, Precomputed: true, Unnormalized: c.Param(t, "norm_laplacian") == 0, Solver: solver, Tol: 1e-13}
		if err := le.Fit(a); err != nil {
			t.Fatalf("%v: %v", solver, err)
		}
		checkValues(t, solver.String()+" eigenvalues", le.Eigenvalues(), vector(t, c, "eigenvalues"), vector(t, c, "laplacian_spectrum_head"))
		if solver == spectral.SolverIterative && c.OutputScalar(t, "columns_comparable") == 1 {
			tol := math.Max(1e-7, 1e-11/c.OutputScalar(t, "eigengap"))
			if msg := oracle.ColumnsMatch(le.Embedding(), want, tol); msg != "" {
				t.Errorf("iterative embedding: %s", msg)
			}
			continue
		}
		checkColumns(t, c, solver.String()+" embedding", le.Embedding(), want)
		deg := vector(t, c, "degree")
		for i, d := range le.Degree() {
			if math.Abs(d-deg[i]) > 1e-12*math.Max(1, deg[i]) {
				t.Fatalf("degree[%d] = %g; want %g", i, d, deg[i])
			}
		}
	}
}

func oracleSEKNN(t *testing.T, c *oracle.Case) {
	x := c.Input(t, "X")
	want := c.Output(t, "embedding")
	_, k := want.Dims()
	// The affinity construction, separately: exact match off the diagonal.
	wantA := c.Output(t, "affinity")
	g, _, err := graph.KNN(x, int(c.Param(t, "n_neighbors")), graph.KNNOptions{SklearnConnectivity: true})
	if err != nil {
		t.Fatal(err)
	}
	gd := g.Dense()
	n, _ := x.Dims()
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			if i != j && gd.At(i, j) != wantA.At(i, j) {
				t.Fatalf("affinity[%d,%d] = %g; want %g", i, j, gd.At(i, j), wantA.At(i, j))
			}
		}
	}
	le := &spectral.LaplacianEigenmaps{Components: k, Neighbors: int(c.Param(t, "n_neighbors"))}
	if err := le.Fit(x); err != nil {
		t.Fatal(err)
	}
	checkValues(t, "eigenvalues", le.Eigenvalues(), vector(t, c, "eigenvalues"), vector(t, c, "laplacian_spectrum_head"))
	checkColumns(t, c, "embedding", le.Embedding(), want)
}

func oracleMDS(t *testing.T, c *oracle.Case) {
	want := c.Output(t, "embedding")
	_, k := want.Dims()
	for _, pre := range []bool{false, true} {
		in := c.Input(t, "X")
		if pre {
			in = c.Input(t, "dist")
		}
		m := &spectral.ClassicalMDS{Components: k, Precomputed: pre}
		if err := m.Fit(in); err != nil {
			t.Fatal(err)
		}
		checkValues(t, "eigenvalues", m.Eigenvalues(), vector(t, c, "eigenvalues"), vector(t, c, "spectrum_head"))
		checkColumns(t, c, "embedding", m.Embedding(), want)
	}
}

func oracleIsomap(t *testing.T, c *oracle.Case) {
	x := c.Input(t, "X")
	want := c.Output(t, "embedding")
	_, k := want.Dims()
	m := &spectral.Isomap{Components: k, Neighbors: int(c.Param(t, "n_neighbors"))}
	if err := m.Fit(x); err != nil {
		t.Fatal(err)
	}
	wantD := c.Output(t, "dist_matrix")
	if d := oracle.MaxAbsDiff(m.Geodesics(), wantD); d > 1e-12*oracle.Scale(wantD) {
		t.Errorf("dist_matrix: max diff %g", d)
	}
	checkValues(t, "eigenvalues", m.Eigenvalues(), vector(t, c, "eigenvalues"), vector(t, c, "spectrum_head"))
	checkColumns(t, c, "embedding", m.Embedding(), want)
}

func oracleKPCA(t *testing.T, c *oracle.Case) {
	x := c.Input(t, "X")
	want := c.Output(t, "embedding")
	_, k := want.Dims()
	kern, err := spectral.ParseKernel(c.ParamString("kernel"))
	if err != nil {
		t.Fatal(err)
	}
	p := &spectral.KernelPCA{Components: k, Kernel: kern}
	if c.HasParam("gamma") {
		p.Gamma = c.Param(t, "gamma")
	}
	if kern == spectral.KernelPoly {
		// scikit-learn's defaults where the case does not say.
		p.Degree, p.Coef0 = 3, 1
		if c.HasParam("degree") {
			p.Degree = int(c.Param(t, "degree"))
		}
		if c.HasParam("coef0") {
			p.Coef0 = c.Param(t, "coef0")
		}
	}
	if err := p.Fit(x); err != nil {
		t.Fatal(err)
	}
	checkValues(t, "eigenvalues", p.Eigenvalues(), vector(t, c, "eigenvalues"), vector(t, c, "spectrum_head"))
	checkColumns(t, c, "embedding", p.Embedding(), want)
}

func oracleLLE(t *testing.T, c *oracle.Case) {
	x := c.Input(t, "X")
	want := c.Output(t, "embedding")
	_, k := want.Dims()
	nb := int(c.Param(t, "n_neighbors"))
	// Neighbour lists must match exactly.
	wantNb := c.Output(t, "neighbors")
	idx, _, err := graph.Neighbors(x, nb, graph.KNNOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < rowsOf(wantNb); i++ {
		for j := 0; j < nb; j++ {
			if float64(idx[i*nb+j]) != wantNb.At(i, j) {
				t.Fatalf("neighbors[%d,%d] = %d; want %g", i, j, idx[i*nb+j], wantNb.At(i, j))
			}
		}
	}
	m := &spectral.LLE{Components: k, Neighbors: nb, Reg: c.Param(t, "reg")}
	if err := m.Fit(x); err != nil {
		t.Fatal(err)
	}
	checkValues(t, "eigenvalues", m.Eigenvalues(), vector(t, c, "eigenvalues"), vector(t, c, "spectrum_head"))
	re := c.OutputScalar(t, "reconstruction_error")
	checkValues(t, "reconstruction_error", []float64{m.ReconstructionError()}, []float64{re}, nil)
	checkColumns(t, c, "embedding", m.Embedding(), want)
}
func oracleCCA(t *testing.T, c *oracle.Case) {
	xa, xb := c.Input(t, "Xa"), c.Input(t, "Xb")
	wantA, wantB := c.Output(t, "Wa"), c.Output(t, "Wb")
	_, k := wantA.Dims()
	m := &spectral.CCA{Components: k, Eps: c.Param(t, "eps")}
	if err := m.FitViews(xa, xb); err != nil {
		t.Fatal(err)
	}
	rho := vector(t, c, "correlations")
	checkValues(t, "correlations", m.Eigenvalues(), rho, rho)
	wa, wb := m.Weights()
	if c.OutputScalar(t, "columns_comparable") != 1 {
		t.Fatalf("case %s: columns not comparable; subspace rule for CCA not implemented", c.Name)
	}
	// One sign per column pair, taken from Wa.
	for j := 0; j < k; j++ {
		dot := 0.0
		for i := 0; i < rowsOf(wa); i++ {
			dot += wa.At(i, j) * wantA.At(i, j)
		}
		if dot < 0 {
			for i := 0; i < rowsOf(wa); i++ {
				wa.Set(i, j, -wa.At(i, j))
			}
			for i := 0; i < rowsOf(wb); i++ {
				wb.Set(i, j, -wb.At(i, j))
			}
		}
	}
	for _, p := range []struct {
		name      string
		got, want *mat.Dense
	}{{"Wa", wa, wantA}, {"Wb", wb, wantB}} {
		_, kk := p.want.Dims()
		for j := 0; j < kk; j++ {
			col := mat.Col(nil, j, p.want)
			sc := 1.0
			for _, v := range col {
				sc = math.Max(sc, math.Abs(v))
			}
			for i, v := range col {
				if d := math.Abs(p.got.At(i, j) - v); d > 1e-7*sc {
					t.Fatalf("%s[%d,%d]: diff %g", p.name, i, j, d)
				}
			}
		}
	}
}

func rowsOf(m *mat.Dense) int { r, _ := m.Dims(); return r }
func oracleLPP(t *testing.T, c *oracle.Case) {
	x := c.Input(t, "X")
	w := c.Input(t, "W")
	g, err := graph.FromDense(w)
	if err != nil {
		t.Fatal(err)
	}
	want := c.Output(t, "embedding")
	_, k := want.Dims()
	l := &spectral.LPP{Components: k}
	if err := l.FitGraph(x, g); err != nil {
		t.Fatal(err)
	}
	checkValues(t, "eigenvalues", l.Eigenvalues(), vector(t, c, "eigenvalues"), vector(t, c, "spectrum"))
	checkColumns(t, c, "projection", l.Projection(), c.Output(t, "projection"))
	checkColumns(t, c, "embedding", l.Embedding(), want)
}
