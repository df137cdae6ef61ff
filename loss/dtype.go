package loss

import (
	"github.com/eigenssl/eigenssl/linalg"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/mat"
	"sync"
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
	linalg.SyrkUpper(t, alpha, a, c)
	mirrorUpper(c)
	return c
}

// mirrorUpper copies the upper triangle of the square c into its lower
// triangle by 32 x 32 tiles, in parallel over rows of tiles: a plain row
// loop reads c by columns, which misses the cache once c outgrows it
// (N = 300 in float64 already does).
func mirrorUpper[T linalg.Float](c linalg.General[T]) {
	n, s := c.Rows, c.Stride
	const b = 32
	triangularRows((n+b-1)/b, func(ti int) {
		i0, i1 := ti*b, min(ti*b+b, n)
		for j0 := 0; j0 < i1; j0 += b {
			if j0+b <= i0 && i1-i0 == b {
				// A full tile below the diagonal: 8 x 8 blocks, each read
				// as eight rows of the upper triangle and written as eight
				// rows of the lower one (fixed-length slices, no bounds
				// checks in the inner loop; 2x the plain loop).
				for ib := i0; ib < i1; ib += 8 {
					for jb := j0; jb < j0+b; jb += 8 {
						mirror8(c.Data, s, ib, jb)
					}
				}
				continue
			}
			for i := i0; i < i1; i++ {
				row := c.Data[i*s:]
				for j := j0; j < min(j0+b, i); j++ {
					row[j] = c.Data[j*s+i]
				}
			}
		}
	})
}

// mirror8 sets d[(i0+q) s + j0 + p] = d[(j0+p) s + i0 + q] for p, q < 8.
func mirror8[T linalg.Float](d []T, s, i0, j0 int) {
	var src [8][]T
	for p := range src {
		o := (j0+p)*s + i0
		src[p] = d[o : o+8 : o+8]
	}
	for q := range 8 {
		o := (i0+q)*s + j0
		dst := d[o : o+8 : o+8]
		dst[0], dst[1], dst[2], dst[3] = src[0][q], src[1][q], src[2][q], src[3][q]
		dst[4], dst[5], dst[6], dst[7] = src[4][q], src[5][q], src[6][q], src[7][q]
	}
}

// colMeans returns the column means of x, accumulated in float64.
func colMeans[T linalg.Float](x linalg.General[T]) []float64 {
	mean := make([]float64, x.Cols)
	for i := 0; i < x.Rows; i++ {
		addRow(mean, x.Row(i))
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

// pairEval is the generic evaluation of the two-branch loss l on checked
// branches: the Result (Grad nil) and the gradients d Value / d z1, z2.
type pairEval[L any, T linalg.Float] func(l L, z1, z2 linalg.General[T], wantGrad bool) (Result, linalg.General[T], linalg.General[T])

// evalPair checks the branches of in and runs f on them, setting Grad from
// its gradients.
func evalPair[L any](op string, l L, in Inputs, minRows int, wantGrad bool, f pairEval[L, float64]) (Result, error) {
	if err := checkPair(op, in, minRows); err != nil {
		return Result{}, err
	}
	res, g1, g2 := f(l, linalg.GeneralOf(in.Z1), linalg.GeneralOf(in.Z2), wantGrad)
	if wantGrad {
		res.Grad = map[string]*mat.Dense{KeyZ1: g1.Dense(), KeyZ2: g2.Dense()}
	}
	return res, nil
}

// evalPair32 is evalPair for Eval32.
func evalPair32[L any](op string, l L, in Inputs32, minRows int, wantGrad bool, f pairEval[L, float32]) (Result32, error) {
	z1, z2 := linalg.General[float32](in.Z1), linalg.General[float32](in.Z2)
	if err := checkBranches(op, z1, z2, minRows); err != nil {
		return Result32{}, err
	}
	res, g1, g2 := f(l, z1, z2, wantGrad)
	return Result32{Value: res.Value, Parts: res.Parts, Grad1: blas32.General(g1), Grad2: blas32.General(g2)}, nil
}

func is32[T linalg.Float]() bool { _, ok := any(T(0)).(float32); return ok }

// scratch pools the N x N buffers of the losses that materialise one per
// evaluation (infoNCE below cacheEntries): allocating and zeroing 0.7 MB
// per call was an eighth of SimCLR's time at N = 300.
var scratch32, scratch64 sync.Pool

// getScratch returns a slice of n T's with undefined contents; return it
// with putScratch when no longer used.
func getScratch[T linalg.Float](n int) []T {
	p := &scratch64
	if is32[T]() {
		p = &scratch32
	}
	if b, ok := p.Get().(*[]T); ok && cap(*b) >= n {
		return (*b)[:n]
	}
	return make([]T, n)
}

// putScratch returns b to the pool of getScratch.
func putScratch[T linalg.Float](b []T) {
	p := &scratch64
	if is32[T]() {
		p = &scratch32
	}
	p.Put(&b)
}
