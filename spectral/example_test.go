package spectral_test

import (
	"fmt"

	"github.com/eigenssl/eigenssl/graph"
	"github.com/eigenssl/eigenssl/spectral"
	"gonum.org/v1/gonum/mat"
)

// Laplacian eigenmaps of the path 0-1-2-3. The normalised Laplacian of P4
// has eigenvalues 1 − cos(jπ/3) = 0, 0.5, 1.5, 2; the first (constant
// direction) is dropped. Columns are D^{-1/2}u, so they are D-orthonormal.
func ExampleLaplacianEigenmaps() {
	g, _, err := graph.FromEdges(4, [][2]int{{0, 1}, {1, 2}, {2, 3}}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	le := &spectral.LaplacianEigenmaps{Components: 2}
	if err := le.FitGraph(nil, g); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("eigenvalues %.4f\n", le.Eigenvalues())
	z := le.Embedding()
	fmt.Printf("first column %.4f\n", mat.Col(nil, 0, z))
	// Output:
	// eigenvalues [0.5000 1.5000]
	// first column [0.5774 0.2887 -0.2887 -0.5774]
}

// Classical MDS of the corners of a unit square: the centred configuration
// has Gram eigenvalues 1 and 1, and the embedding reproduces the side
// length.
func ExampleClassicalMDS() {
	x := mat.NewDense(4, 2, []float64{0, 0, 1, 0, 1, 1, 0, 1})
	m := &spectral.ClassicalMDS{Components: 2}
	if err := m.Fit(x); err != nil {
		fmt.Println(err)
		return
	}
	z := m.Embedding()
	d01 := mat.Norm(mat.NewVecDense(2, []float64{z.At(0, 0) - z.At(1, 0), z.At(0, 1) - z.At(1, 1)}), 2)
	fmt.Printf("eigenvalues %.4f, side %.4f\n", m.Eigenvalues(), d01)
	// Output:
	// eigenvalues [1.0000 1.0000], side 1.0000
}

// Canonical correlation of two views sharing one exact linear combination.
func ExampleCCA() {
	xa := mat.NewDense(6, 2, []float64{1, 0, 2, 1, 3, 0, 4, 1, 5, 0, 6, 1})
	xb := mat.NewDense(6, 1, []float64{2, 4, 6, 8, 10, 12})
	c := &spectral.CCA{Components: 1}
	if err := c.FitViews(xa, xb); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("correlation %.6f\n", c.Eigenvalues())
	// Output:
	// correlation [1.000000]
}

// With X = I (one indicator feature per vertex) LPP is the generalised
// problem L a = λ D a of Laplacian eigenmaps itself, constant vector
// included: on the path 0-1-2-3 its two smallest eigenvalues are 0 and 0.5.
func ExampleLPP() {
	g, _, err := graph.FromEdges(4, [][2]int{{0, 1}, {1, 2}, {2, 3}}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	x := mat.NewDense(4, 4, []float64{1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1})
	l := &spectral.LPP{Components: 2}
	if err := l.FitGraph(x, g); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("eigenvalues %.4f\n", l.Eigenvalues())
	// Output:
	// eigenvalues [0.0000 0.5000]
}

// Kernel LPP returns D-orthonormal columns, the Laplacian eigenmaps
// normalisation ZᵀDZ = I.
func ExampleKernelLPP() {
	g, _, err := graph.FromEdges(6, [][2]int{{0, 1}, {1, 2}, {2, 3}, {3, 4}, {4, 5}}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	x := mat.NewDense(6, 2, []float64{0, 0, 1, 0.2, 2, 0.1, 3, 0.5, 4, 0.3, 5, 0.9})
	m := &spectral.KernelLPP{Components: 2, Kernel: spectral.KernelRBF, Gamma: 0.5}
	if err := m.FitGraph(x, g); err != nil {
		fmt.Println(err)
		return
	}
	z := m.Embedding()
	deg := g.Degree(nil)
	var zdz mat.Dense
	zd := mat.DenseCopyOf(z)
	for i := range deg {
		zd.SetRow(i, []float64{z.At(i, 0) * deg[i], z.At(i, 1) * deg[i]})
	}
	zdz.Mul(z.T(), zd)
	fmt.Printf("ZᵀDZ = I: %v\n", mat.EqualApprox(&zdz, mat.NewDiagDense(2, []float64{1, 1}), 1e-9))
	// Output:
	// ZᵀDZ = I: true
}

// LLE on points of a curve keeps their order along it.
func ExampleLLE() {
	x := mat.NewDense(8, 2, nil)
	for i := 0; i < 8; i++ {
		t := float64(i) + 0.1*float64(i*i)
		x.SetRow(i, []float64{t, 0.05 * t * t})
	}
	l := &spectral.LLE{Components: 1, Neighbors: 3}
	if err := l.Fit(x); err != nil {
		fmt.Println(err)
		return
	}
	z := mat.Col(nil, 0, l.Embedding())
	up, down := true, true
	for i := 1; i < len(z); i++ {
		up = up && z[i] > z[i-1]
		down = down && z[i] < z[i-1]
	}
	fmt.Println("monotone along the curve:", up || down)
	// Output:
	// monotone along the curve: true
}

// ISOMAP of collinear points: the geodesics are the Euclidean distances, so
// the one-dimensional embedding is the centred position along the line
// (points t = 0, 1, 2, 4 on the diagonal, so distances √2 t), with
// eigenvalue Σ 2 (t − mean t)² = 17.5.
func ExampleIsomap() {
	x := mat.NewDense(4, 2, []float64{0, 0, 1, 1, 2, 2, 4, 4})
	m := &spectral.Isomap{Components: 1, Neighbors: 2}
	if err := m.Fit(x); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("eigenvalue %.4f\nembedding %.4f\n", m.Eigenvalues(), mat.Col(nil, 0, m.Embedding()))
	// Output:
	// eigenvalue [17.5000]
	// embedding [-2.4749 -1.0607 0.3536 3.1820]
}

// Linear kernel PCA is PCA: the same points give the same eigenvalue as
// ISOMAP and classical MDS (17.5, not divided by N).
func ExampleKernelPCA() {
	x := mat.NewDense(4, 2, []float64{0, 0, 1, 1, 2, 2, 4, 4})
	p := &spectral.KernelPCA{Components: 2}
	if err := p.Fit(x); err != nil {
		fmt.Println(err)
		return
	}
	// The second eigenvalue is 0 (collinear points): set exactly to 0.
	fmt.Printf("eigenvalues %.4f\n", p.Eigenvalues())
	// Output:
	// eigenvalues [17.5000 0.0000]
}

// Graph CCA with cluster indicators as features and a graph without edges
// between the clusters: each indicator is perfectly correlated across the
// edges of G (ρ = 1).
func ExampleGraphCCA() {
	g, _, err := graph.FromEdges(6, [][2]int{{0, 1}, {1, 2}, {0, 2}, {3, 4}, {4, 5}}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	x := mat.NewDense(6, 2, []float64{1, 0, 1, 0, 1, 0, 0, 1, 0, 1, 0, 1})
	c := &spectral.GraphCCA{Components: 2}
	if err := c.FitGraph(x, g); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("correlations %.4f\n", c.Eigenvalues())
	// Output:
	// correlations [1.0000 1.0000]
}

// The spectral contrastive optimum on a graph with two components: the top
// eigenvalues of D^{-1/2} G D^{-1/2} are 1 and 1, one per component.
func ExampleSpectralContrastive() {
	g, _, err := graph.FromEdges(6, [][2]int{{0, 1}, {1, 2}, {0, 2}, {3, 4}, {4, 5}}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	s := &spectral.SpectralContrastive{Components: 2}
	if err := s.FitGraph(nil, g); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("eigenvalues %.4f\n", s.Eigenvalues())
	// Output:
	// eigenvalues [1.0000 1.0000]
}
