package linalg

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"
)

// TestSymUpper checks SyrkUpper and SymmUpper against sums written out in
// float64, in float32 and float64, both transposes of Syrk and beta 0 and 1
// of Symm, on strided views (a wider parent matrix), one call and the
// forced two-block split (which must also give the same bits with
// GOMAXPROCS 1 and 3), with the lower triangle of Syrk's c untouched. The
// bound is 8 k ulp of the sum of |terms| (a dot product of k terms in any
// order errs by at most k ulp of it).
func TestSymUpper(t *testing.T) {
	testSymUpper[float32](t)
	testSymUpper[float64](t)
}

// machEps returns the spacing of T at 1 (2^-52 or 2^-23).
func machEps[T Float]() float64 {
	if _, ok := any(T(0)).(float32); ok {
		return float64(math.Nextafter32(1, 2) - 1)
	}
	return math.Nextafter(1, 2) - 1
}

// randGeneral returns an r x c General of standard normal entries.
func randGeneral[T Float](rng *rand.Rand, r, c int) General[T] {
	g := NewGeneral[T](r, c)
	for i := range g.Data {
		g.Data[i] = T(rng.NormFloat64())
	}
	return g
}

func testSymUpper[T Float](t *testing.T) {
	eps := machEps[T]()
	rng := rand.New(rand.NewPCG(5, 6))
	// view returns an r x c view (stride c+3) of random entries.
	view := func(r, c int) General[T] {
		g := General[T]{Rows: r, Cols: c, Stride: c + 3, Data: make([]T, r*(c+3))}
		for i := range g.Data {
			g.Data[i] = T(rng.NormFloat64())
		}
		return g
	}
	defer func(f func(n, k int) int) { symSplit = f }(symSplit)
	for _, n := range []int{1, 7, 100, 333} {
		for _, k := range []int{1, 40} {
			for _, tr := range []bool{false, true} {
				name := fmt.Sprintf("%T/n=%d,k=%d,t=%v", T(0), n, k, tr)
				a := view(n, k)
				if tr {
					a = view(k, n)
				}
				at := func(i, p int) float64 {
					if tr {
						return float64(a.Data[p*a.Stride+i])
					}
					return float64(a.Data[i*a.Stride+p])
				}
				alpha := T(0.75)
				cInit := view(n, n)
				var ref [2]General[T]
				for parts := 1; parts <= 2; parts++ {
					symSplit = func(int, int) int { return parts }
					for _, procs := range []int{1, 3} {
						prev := runtime.GOMAXPROCS(procs)
						c := General[T]{Rows: n, Cols: n, Stride: cInit.Stride, Data: slices.Clone(cInit.Data)}
						lower := cInit.Data
						SyrkUpper(tr, alpha, a, c)
						runtime.GOMAXPROCS(prev)
						for i := range n {
							for j := range n {
								got := float64(c.Data[i*c.Stride+j])
								if j < i {
									if got != float64(lower[i*c.Stride+j]) {
										t.Fatalf("%s parts %d: Syrk wrote the lower triangle at (%d,%d)", name, parts, i, j)
									}
									continue
								}
								want, mag := 0.0, 0.0
								for p := range k {
									want += at(i, p) * at(j, p)
									mag += math.Abs(at(i, p) * at(j, p))
								}
								want *= float64(alpha)
								if d := math.Abs(got - want); d > 8*float64(k)*eps*float64(alpha)*mag {
									t.Fatalf("%s parts %d: Syrk (%d,%d) = %v, want %v", name, parts, i, j, got, want)
								}
							}
						}
						if procs == 1 {
							ref[parts-1] = c
						} else if !slices.Equal(ref[parts-1].Data, c.Data) {
							t.Fatalf("%s parts %d: Syrk differs between GOMAXPROCS 1 and %d", name, parts, procs)
						}
					}
				}
				if tr {
					continue
				}
				// Symm with s = the Syrk result's upper triangle (the lower
				// one holds unrelated numbers, which must not be read).
				s := ref[0]
				sym := func(i, j int) float64 {
					if j < i {
						i, j = j, i
					}
					return float64(s.Data[i*s.Stride+j])
				}
				x := view(n, k+2)
				for _, beta := range []T{0, 1} {
					c0 := view(n, k+2)
					var out [2]General[T]
					for parts := 1; parts <= 2; parts++ {
						symSplit = func(int, int) int { return parts }
						for _, procs := range []int{1, 3} {
							prev := runtime.GOMAXPROCS(procs)
							c := General[T]{Rows: c0.Rows, Cols: c0.Cols, Stride: c0.Stride, Data: slices.Clone(c0.Data)}
							SymmUpper(alpha, s, x, beta, c)
							runtime.GOMAXPROCS(prev)
							for i := range n {
								for j := range k + 2 {
									want, mag := float64(beta)*float64(c0.Data[i*c0.Stride+j]), 0.0
									sum := 0.0
									for p := range n {
										sum += sym(i, p) * float64(x.Data[p*x.Stride+j])
										mag += math.Abs(sym(i, p) * float64(x.Data[p*x.Stride+j]))
									}
									want += float64(alpha) * sum
									mag = float64(alpha)*mag + math.Abs(float64(beta)*float64(c0.Data[i*c0.Stride+j]))
									if got := float64(c.Data[i*c.Stride+j]); math.Abs(got-want) > 8*float64(n+1)*eps*mag {
										t.Fatalf("%s parts %d beta %v: Symm (%d,%d) = %v, want %v", name, parts, beta, i, j, got, want)
									}
								}
							}
							if procs == 1 {
								out[parts-1] = c
							} else if !slices.Equal(out[parts-1].Data, c.Data) {
								t.Fatalf("%s parts %d beta %v: Symm differs between GOMAXPROCS 1 and %d", name, parts, beta, procs)
							}
						}
					}
				}
			}
		}
	}
}
