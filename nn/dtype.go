package nn

import (
	"github.com/eigenssl/eigenssl/linalg"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/mat"
)

// Dtype is the floating-point type an Encoder and its optimiser compute in.
// The zero value is Float64.
//
// In Float32 mode (Encoder.SetDtype) the activations of Forward32 and
// BackwardParams32 are float32 matrices (blas32.General), every matrix
// product is a float32 Sgemm (gonum's parallel blas32, or OpenBLAS sgemm
// with -tags openblas), and every parameter, batch-norm buffer and optimiser
// moment holds a float32 value: it is stored in the float64 Param matrices,
// which represent float32 values exactly, so the checkpoint format is the
// one of Float64 and a round trip stays bit-exact. Updates are computed in
// float32 arithmetic. Float64 accumulation is used where a sum over the
// batch would lose accuracy in float32:
//
//   - batch-norm column means and variances, and the column sums Σᵢg and
//     Σᵢg∘x̂ of its backward pass (sums of N terms, relative error up to
//     N·ε₃₂ in float32);
//   - bias and batch-norm parameter gradients (column sums of g);
//   - the gradient accumulators Param.Grad, which add the float32 product
//     xᵀg of each backward pass.
//
// The element-wise batch-norm arithmetic is evaluated in float64 from those
// sums and rounded to float32 once per element. Inside Sgemm the inner
// products accumulate in float32 (relative error up to about k·ε₃₂ for an
// inner dimension k, ε₃₂ = 2⁻²⁴), as in PyTorch.
type Dtype int

const (
	// Float64 is the default and the reference of the tests.
	Float64 Dtype = iota
	// Float32 computes activations, products and updates in float32.
	Float32
)

// String returns "float64" or "float32".
func (d Dtype) String() string {
	if d == Float32 {
		return "float32"
	}
	return "float64"
}

// ParseDtype returns the Dtype called s ("float64" or "float32"), or an
// *Error wrapping ErrParam naming the valid values.
func ParseDtype(s string) (Dtype, error) {
	switch s {
	case "float64":
		return Float64, nil
	case "float32":
		return Float32, nil
	}
	return 0, newErr("ParseDtype", "dtype", s, ErrParam, `valid: "float64", "float32"`)
}

// round32 rounds every entry of dst to the nearest float32.
func round32(dst []float64) {
	for i, v := range dst {
		dst[i] = float64(float32(v))
	}
}

// toT converts float64 values to T (rounding for float32).
func toT[T linalg.Float](dst []T, src []float64) {
	for i, v := range src {
		dst[i] = T(v)
	}
}

// addBias adds the row vector b to every row of y.
func addBias[T linalg.Float](y linalg.General[T], b []float64) {
	for i := 0; i < y.Rows; i++ {
		row := y.Row(i)
		for j := range row {
			row[j] = T(float64(row[j]) + b[j])
		}
	}
}

// addColSums adds the column sums of g to dst, accumulating in float64.
func addColSums[T linalg.Float](dst []float64, g linalg.General[T]) {
	for i := 0; i < g.Rows; i++ {
		for j, v := range g.Row(i) {
			dst[j] += float64(v)
		}
	}
}

// ToFloat32 returns m rounded entry-wise to a new float32 matrix.
func ToFloat32(m *mat.Dense) blas32.General {
	r, c := m.Dims()
	g := linalg.NewGeneral[float32](r, c)
	for i := 0; i < r; i++ {
		toT(g.Row(i), m.RawRowView(i))
	}
	return blas32.General(g)
}

// FromFloat32 returns g as a new float64 matrix (exact).
func FromFloat32(g blas32.General) *mat.Dense {
	m := mat.NewDense(g.Rows, g.Cols, nil)
	s := linalg.General[float32](g)
	for i := 0; i < g.Rows; i++ {
		dst := m.RawRowView(i)
		for j, v := range s.Row(i) {
			dst[j] = float64(v)
		}
	}
	return m
}
