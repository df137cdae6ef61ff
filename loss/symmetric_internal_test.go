package loss

import (
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/eigenssl/eigenssl/graph"
	"github.com/eigenssl/eigenssl/linalg"
)

// TestCheckSymmetricMatchesDense runs checkSymmetric on random CSR matrices
// (sorted columns, no diagonal), symmetric ones and ones broken by a
// missing mirror entry or a changed value on either side of the diagonal,
// and compares its verdict with G == Gᵀ checked on the dense matrix.
func TestCheckSymmetricMatchesDense(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	var caught, passed int
	for trial := 0; trial < 2000; trial++ {
		n := 2 + rng.IntN(9)
		a := make([][]float64, n)
		for i := range a {
			a[i] = make([]float64, n)
		}
		for i := 0; i < n; i++ {
			for j := i + 1; j < n; j++ {
				if rng.Float64() < 0.4 {
					w := float64(1 + rng.IntN(3))
					a[i][j], a[j][i] = w, w
				}
			}
		}
		switch rng.IntN(3) {
		case 1: // one entry without its mirror
			i, j := rng.IntN(n), rng.IntN(n)
			if i != j {
				a[i][j] = float64(1 + rng.IntN(3))
				a[j][i] = 0
			}
		case 2: // one value changed
			i, j := rng.IntN(n), rng.IntN(n)
			if i != j && a[i][j] != 0 {
				a[i][j] += 0.5
			}
		}
		g := &graph.CSR{N: n, RowPtr: make([]int, n+1)}
		sym := true
		for i := 0; i < n; i++ {
			for j := 0; j < n; j++ {
				if a[i][j] != a[j][i] {
					sym = false
				}
				if a[i][j] != 0 {
					g.Col = append(g.Col, j)
					g.Val = append(g.Val, a[i][j])
				}
			}
			g.RowPtr[i+1] = len(g.Col)
		}
		err := checkSymmetric("test", g)
		if sym != (err == nil) {
			t.Fatalf("trial %d: dense symmetric %v, checkSymmetric %v (matrix %v)", trial, sym, err, a)
		}
		if err != nil {
			caught++
			if !errors.Is(err, ErrGraph) {
				t.Fatalf("trial %d: %v is not ErrGraph", trial, err)
			}
		} else {
			passed++
		}
	}
	if caught < 200 || passed < 200 {
		t.Fatalf("too few cases of one kind: %d asymmetric, %d symmetric", caught, passed)
	}
}

// TestMirrorUpper checks that mirrorUpper sets every lower entry to its
// upper mirror and touches nothing else (upper triangle, diagonal and the
// padding beyond Cols), for sizes around its 32 x 32 tiles.
func TestMirrorUpper(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	for _, n := range []int{1, 2, 31, 32, 33, 65, 100, 300} {
		s := n + 3
		c := linalg.General[float64]{Rows: n, Cols: n, Stride: s, Data: make([]float64, n*s)}
		for i := range c.Data {
			c.Data[i] = rng.NormFloat64()
		}
		orig := append([]float64(nil), c.Data...)
		mirrorUpper(c)
		for i := 0; i < n; i++ {
			for j := 0; j < s; j++ {
				got := c.Data[i*s+j]
				want := orig[i*s+j]
				if j < i {
					want = orig[j*s+i]
				}
				if got != want {
					t.Fatalf("n = %d: entry (%d,%d) = %v; want %v", n, i, j, got, want)
				}
			}
		}
	}
}
