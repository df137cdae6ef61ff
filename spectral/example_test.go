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
