//go:build !openblas

package linalg

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// TestSymEigRangeII checks the pure-Go inverse-iteration path directly (the
// public EigSymRange would silently fall back to dsyev if it failed).
func TestSymEigRangeII(t *testing.T) {
	rng := rand.New(rand.NewPCG(51, 52))
	mats := map[string]*mat.SymDense{"random": randSym(200, rng)}
	// Four components: eigenvalue 0 four times.
	mats["components"] = laplacian(240, randomGraph(240, 3, 4, rng), false).dense()
	// Torus 12 x 15: multiplicities 2 and 4.
	tor := torus{12, 15}
	tm := mat.NewSymDense(tor.Size(), nil)
	x := make([]float64, tor.Size())
	y := make([]float64, tor.Size())
	for j := range x {
		x[j] = 1
		tor.MulVecTo(y, x)
		x[j] = 0
		for i := 0; i <= j; i++ {
			tm.SetSym(i, j, y[i])
		}
	}
	mats["torus"] = tm
	// I + u uᵀ: eigenvalue 1 with multiplicity n − 1.
	u := mat.NewVecDense(150, nil)
	for i := 0; i < 150; i++ {
		u.SetVec(i, rng.NormFloat64())
	}
	rank1 := mat.NewSymDense(150, nil)
	rank1.SymOuterK(1, u)
	for i := 0; i < 150; i++ {
		rank1.SetSym(i, i, rank1.At(i, i)+1)
	}
	mats["rank1"] = rank1
	// The fourth graph of TestEigsVsEigSym: gonum's Dsytrd with blas.Lower
	// gives wrong reflectors for it (the reason symEigRangeII uses Upper).
	rng2 := rand.New(rand.NewPCG(11, 12))
	for _, c := range []struct {
		n, k int
		norm bool
	}{{300, 3, false}, {500, 4, true}, {400, 3, false}, {450, 2, true}} {
		mats["lsym450"] = laplacian(c.n, randomGraph(c.n, c.k, 1, rng2), c.norm).dense()
	}
	for name, a := range mats {
		n := a.SymmetricDim()
		wAll, vAll, err := EigSym(a)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range [][2]int{{0, 9}, {n - 9, n}, {n/2 - 5, n/2 + 5}, {0, n / 2}} {
			t.Run(fmt.Sprintf("%s/%d-%d", name, r[0], r[1]), func(t *testing.T) {
				data, _ := symData("test", "a", a)
				w, z, ok := symEigRangeII(n, data, r[0], r[1])
				if !ok {
					t.Fatal("inverse iteration failed its check")
				}
				SignFlip(z) // applied by the callers of the backend
				checkEigPairs(t, a, nil, w, z, 1e-13)
				for i := range w {
					if math.Abs(w[i]-wAll[r[0]+i]) > 1e-12*math.Max(1, math.Abs(wAll[n-1])) {
						t.Errorf("value %d = %v; want %v", i, w[i], wAll[r[0]+i])
					}
				}
				// Subspace check only where the range does not split a group.
				lo, hi := r[0], r[1]
				if (lo == 0 || wAll[lo]-wAll[lo-1] > 1e-8) && (hi == n || wAll[hi]-wAll[hi-1] > 1e-8) {
					th, err := PrincipalAngles(z, vAll.Slice(0, n, lo, hi))
					if err != nil {
						t.Fatal(err)
					}
					if th[len(th)-1] > 1e-8 {
						t.Errorf("largest angle %g", th[len(th)-1])
					}
				}
			})
		}
	}
}
