package linalg_test

import (
	"fmt"

	"github.com/eigenssl/eigenssl/linalg"
	"gonum.org/v1/gonum/mat"
)

// A rank-deficient covariance S = diag(4, 1, 0): Whitener keeps the two
// range directions and scales them by λ^{-1/2}, so that Bᵀ S B = I₂.
func ExampleWhitener() {
	s := mat.NewSymDense(3, []float64{
		4, 0, 0,
		0, 1, 0,
		0, 0, 0,
	})
	b, err := linalg.Whitener(s, 0)
	if err != nil {
		fmt.Println(err)
		return
	}
	var bsb mat.Dense
	bsb.Product(b.T(), s, b)
	r, c := b.Dims()
	fmt.Printf("B is %d x %d\n", r, c)
	fmt.Printf("BᵀSB =\n%.3g\n", mat.Formatted(&bsb))
	// Output:
	// B is 3 x 2
	// BᵀSB =
	// ⎡1  0⎤
	// ⎣0  1⎦
}

// The third column of z is the sum of the first two: rank 2, numpy's
// default tolerance.
func ExampleRank() {
	z := mat.NewDense(4, 3, []float64{
		1, 0, 1,
		0, 1, 1,
		1, 1, 2,
		2, -1, 1,
	})
	sv, _ := linalg.SingularValues(z)
	r, err := linalg.Rank(z, 0)
	fmt.Printf("σ₃/σ₁ < 1e-15: %v, rank %d, err %v\n", sv[2]/sv[0] < 1e-15, r, err)
	// Output:
	// σ₃/σ₁ < 1e-15: true, rank 2, err <nil>
}

// NormalizeRows projects rows onto the unit sphere; a zero row has no
// direction and stays zero.
func ExampleNormalizeRows() {
	x := mat.NewDense(3, 2, []float64{3, 4, 0, 0, -2, 0})
	fmt.Printf("%.3g\n", mat.Formatted(linalg.NormalizeRows(x, 0)))
	// Output:
	// ⎡0.6  0.8⎤
	// ⎢  0    0⎥
	// ⎣ -1    0⎦
}

// SyrkUpper fills the upper triangle of c = a aᵀ (here 3 x 3 from a 3 x 2
// a); SymmUpper multiplies by the symmetric matrix that triangle defines,
// never reading the lower one (left at zero here).
func ExampleSyrkUpper() {
	a := linalg.General[float64]{Rows: 3, Cols: 2, Stride: 2, Data: []float64{1, 0, 0, 1, 1, 1}}
	c := linalg.NewGeneral[float64](3, 3)
	linalg.SyrkUpper(false, 1, a, c)
	for i := range 3 {
		fmt.Println(c.Row(i))
	}
	x := linalg.General[float64]{Rows: 3, Cols: 1, Stride: 1, Data: []float64{1, 1, 1}}
	y := linalg.NewGeneral[float64](3, 1)
	linalg.SymmUpper(1, c, x, 0, y)
	fmt.Println(y.Data)
	// Output:
	// [1 0 1]
	// [0 1 1]
	// [0 0 2]
	// [2 2 4]
}
