package closedform

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/eigenssl/eigenssl/graph"
	"gonum.org/v1/gonum/mat"
)

// graphCase is one relation graph of the test suite with a design X.
type graphCase struct {
	name string
	g    *graph.CSR
	x    *mat.Dense
}

func randMat(r, c int, seed uint64) *mat.Dense {
	rng := rand.New(rand.NewPCG(seed, 7))
	m := mat.NewDense(r, c, nil)
	for i := range m.RawMatrix().Data {
		m.RawMatrix().Data[i] = rng.NormFloat64()
	}
	return m
}

// testGraphs returns augmentation graphs (V = 2, 3), a label graph and an
// irregular weighted kNN graph, each with a random design of D columns.
func testGraphs(t *testing.T, d int) []graphCase {
	t.Helper()
	var cs []graphCase
	g2, _, err := graph.Views(8, 2)
	if err != nil {
		t.Fatal(err)
	}
	cs = append(cs, graphCase{"views-V2", g2, randMat(16, d, 1)})
	g3, _, err := graph.Views(6, 3)
	if err != nil {
		t.Fatal(err)
	}
	cs = append(cs, graphCase{"views-V3", g3, randMat(18, d, 2)})
	y := make([]int, 21)
	for i := range y {
		y[i] = (i * 5) % 3
	}
	gl, _, err := graph.Labels(y)
	if err != nil {
		t.Fatal(err)
	}
	cs = append(cs, graphCase{"labels", gl, randMat(21, d, 3)})
	pts := randMat(26, 3, 4)
	gk, _, err := graph.KNN(pts, 4, graph.KNNOptions{Weight: graph.Gaussian})
	if err != nil {
		t.Fatal(err)
	}
	cs = append(cs, graphCase{"knn-weighted", gk, randMat(26, d, 5)})
	return cs
}

// kernelOf returns an RBF kernel matrix of x (full rank for distinct rows).
func kernelOf(x *mat.Dense) *mat.Dense {
	k, err := RBFKernel(x, 1.5)
	if err != nil {
		panic(err)
	}
	return k
}

func relGap(got, want float64) float64 {
	return math.Abs(got-want) / math.Max(1, math.Abs(want))
}

// startFor returns a random starting parameter for p.
func startFor(p Problem, seed uint64) *mat.Dense {
	n := p.G.N
	switch canonical(p.Regime) {
	case Linear:
		_, d := p.X.Dims()
		return randMat(d, p.K, seed)
	default:
		m := randMat(n, p.K, seed)
		if canonical(p.Regime) == Kernel {
			m.Scale(0.1, m)
		}
		return m
	}
}
