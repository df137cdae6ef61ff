package loss

import (
	"math"

	"github.com/eigenssl/eigenssl/linalg"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"
)

// Float32 is implemented by the losses with a float32 path
// (VICRegOfficial, BarlowTwinsOfficial, NTXent): Eval32 is Eval on float32
// representations, with float32 matrix products (gonum's parallel blas32,
// OpenBLAS sgemm/ssyrk with -tags openblas) and float32 gradients.
//
// Float64 accumulation is used where a sum would lose accuracy: the column
// means and variances (centring, batch normalisation), the scalar value and
// its parts (sums of N·K or K² squared terms, each evaluated from float32
// entries in float64), the column means of the gradient's centring
// projection, and NT-Xent's row norms, log-sum-exps (exponentials in
// float64, stored as float32) and positive-pair similarities. The K×K (or N×N) products themselves accumulate in float32
// inside the BLAS, with relative error up to about N·ε₃₂ (ε₃₂ = 2⁻²⁴)
// against |A||B|, as in PyTorch. The value is returned as float64.
type Float32 interface {
	Loss
	Eval32(in Inputs32, wantGrad bool) (Result32, error)
}

// Inputs32 are the float32 branches of a two-branch loss (see Inputs).
type Inputs32 struct {
	Z1, Z2 blas32.General
}

// Result32 is Result for Eval32: Grad1 and Grad2 are d Value / d Z1 and
// d Value / d Z2 (zero matrices when the gradient was not requested).
type Result32 struct {
	Value        float64
	Parts        map[string]float64
	Grad1, Grad2 blas32.General
}

// dotT is the inner product of a and b accumulated in float64.
func dotT[T linalg.Float](a, b []T) float64 {
	s := 0.0
	for i, v := range a {
		s += float64(v) * float64(b[i])
	}
	return s
}

// syrkFull returns the full (both triangles) symmetric matrix alpha aᵀa
// (t true, K×K) or alpha a aᵀ (t false, N×N), by one Syrk.
func syrkFull[T linalg.Float](t bool, alpha T, a linalg.General[T]) linalg.General[T] {
	n := a.Rows
	if t {
		n = a.Cols
	}
	c := linalg.NewGeneral[T](n, n)
	syrkUpper(t, alpha, a, c)
	for i := 0; i < n; i++ {
		for j := 0; j < i; j++ {
			c.Data[i*c.Stride+j] = c.Data[j*c.Stride+i]
		}
	}
	return c
}

// syrkUpper sets the upper triangle of the n×n c to alpha aᵀa (t true) or
// alpha a aᵀ (t false); the lower triangle is not touched.
func syrkUpper[T linalg.Float](t bool, alpha T, a, c linalg.General[T]) {
	n := c.Rows
	if is32[T]() {
		cs := c.Blas32()
		blas32.Syrk(linalg.Trans(t), float32(alpha), a.Blas32(), 0, blas32.Symmetric{Uplo: blas.Upper, N: n, Stride: cs.Stride, Data: cs.Data})
	} else {
		cs := c.Blas64()
		blas64.Syrk(linalg.Trans(t), float64(alpha), a.Blas64(), 0, blas64.Symmetric{Uplo: blas.Upper, N: n, Stride: cs.Stride, Data: cs.Data})
	}
}

// symmT sets c = alpha s x + beta c for a symmetric s (upper triangle read).
func symmT[T linalg.Float](alpha T, s, x linalg.General[T], beta T, c linalg.General[T]) {
	if is32[T]() {
		ss := s.Blas32()
		blas32.Symm(blas.Left, float32(alpha), blas32.Symmetric{Uplo: blas.Upper, N: ss.Rows, Stride: ss.Stride, Data: ss.Data}, x.Blas32(), float32(beta), c.Blas32())
		return
	}
	ss := s.Blas64()
	blas64.Symm(blas.Left, float64(alpha), blas64.Symmetric{Uplo: blas.Upper, N: ss.Rows, Stride: ss.Stride, Data: ss.Data}, x.Blas64(), float64(beta), c.Blas64())
}

// colMeans returns the column means of x, accumulated in float64.
func colMeans[T linalg.Float](x linalg.General[T]) []float64 {
	mean := make([]float64, x.Cols)
	for i := 0; i < x.Rows; i++ {
		for j, v := range x.Row(i) {
			mean[j] += float64(v)
		}
	}
	for j := range mean {
		mean[j] /= float64(x.Rows)
	}
	return mean
}

// center returns x minus its column means (means in float64, each entry
// rounded to T once).
func center[T linalg.Float](x linalg.General[T]) linalg.General[T] {
	mu := colMeans(x)
	c := linalg.NewGeneral[T](x.Rows, x.Cols)
	for i := 0; i < x.Rows; i++ {
		dst := c.Row(i)
		for j, v := range x.Row(i) {
			dst[j] = T(float64(v) - mu[j])
		}
	}
	return c
}

// subColMeanT subtracts the column means of g in place (the gradient of a
// centring x -> x - colmean(x) is this projection).
func subColMeanT[T linalg.Float](g linalg.General[T]) {
	mean := colMeans(g)
	for i := 0; i < g.Rows; i++ {
		row := g.Row(i)
		for j := range row {
			row[j] = T(float64(row[j]) - mean[j])
		}
	}
}

// evalPair checks the branches of in and runs the generic evaluation f of
// a two-branch loss on them, setting Grad from its gradients.
func evalPair(op string, in Inputs, minRows int, wantGrad bool, f func(z1, z2 linalg.General[float64]) (Result, linalg.General[float64], linalg.General[float64])) (Result, error) {
	if err := checkPair(op, in, minRows); err != nil {
		return Result{}, err
	}
	res, g1, g2 := f(linalg.GeneralOf(in.Z1), linalg.GeneralOf(in.Z2))
	if wantGrad {
		res.Grad = map[string]*mat.Dense{KeyZ1: g1.Dense(), KeyZ2: g2.Dense()}
	}
	return res, nil
}

// evalPair32 is evalPair for Eval32.
func evalPair32(op string, in Inputs32, minRows int, f func(z1, z2 linalg.General[float32]) (Result, linalg.General[float32], linalg.General[float32])) (Result32, error) {
	if err := checkPair32(op, in, minRows); err != nil {
		return Result32{}, err
	}
	res, g1, g2 := f(linalg.General[float32](in.Z1), linalg.General[float32](in.Z2))
	return Result32{Value: res.Value, Parts: res.Parts, Grad1: blas32.General(g1), Grad2: blas32.General(g2)}, nil
}

// checkPair32 is checkPair for Inputs32.
func checkPair32(op string, in Inputs32, minRows int) error {
	for _, b := range []struct {
		key string
		m   blas32.General
	}{{KeyZ1, in.Z1}, {KeyZ2, in.Z2}} {
		if b.m.Rows == 0 || b.m.Cols == 0 {
			return errorf(op, b.key, ErrEmpty, "missing")
		}
		if b.m.Rows < minRows {
			return errorf(op, b.key, ErrShape, "%dx%d (needs at least %d rows)", b.m.Rows, b.m.Cols, minRows)
		}
		m := linalg.General[float32](b.m)
		for i := 0; i < m.Rows; i++ {
			for j, v := range m.Row(i) {
				if f := float64(v); math.IsNaN(f) || math.IsInf(f, 0) {
					return errorf(op, b.key, ErrNaN, "%v at (%d,%d)", v, i, j)
				}
			}
		}
	}
	if in.Z1.Rows != in.Z2.Rows || in.Z1.Cols != in.Z2.Cols {
		return errorf(op, KeyZ2, ErrShape, "%dx%d (z1 is %dx%d)", in.Z2.Rows, in.Z2.Cols, in.Z1.Rows, in.Z1.Cols)
	}
	return nil
}

func is32[T linalg.Float]() bool { _, ok := any(T(0)).(float32); return ok }
