package graph

// CSR is a sparse n x n matrix in compressed sparse row form. Row i holds the
// entries Val[RowPtr[i]:RowPtr[i+1]] in the columns Col[RowPtr[i]:RowPtr[i+1]],
// columns strictly increasing within a row. A relation graph G is a CSR that is
// symmetric, non-negative and has a zero diagonal (no stored diagonal entries).
//
// The zero value is the empty 0 x 0 matrix.
type CSR struct {
	N      int
	RowPtr []int     // length N+1
	Col    []int     // length NNZ
	Val    []float64 // length NNZ
}
