package eval

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/eigenssl/eigenssl/graph"
	"gonum.org/v1/gonum/mat"
)

// twoColumns returns n rows with a label-informative column of scale small
// and a label-free noise column of scale 1, and the labels (2 classes).
func twoColumns(n int, small float64, seed uint64) (*mat.Dense, []int) {
	rng := rand.New(rand.NewPCG(seed, 1))
	x := mat.NewDense(n, 2, nil)
	y := make([]int, n)
	for i := range n {
		y[i] = i % 2
		x.Set(i, 0, small*(float64(2*y[i]-1)+0.3*rng.NormFloat64()))
		x.Set(i, 1, rng.NormFloat64())
	}
	return x, y
}

// TestGlobalScaleKeepsDirectionScale checks the two probe scalings: the
// column-standardised probe is blind to the scale of a direction (it reads
// a label column of scale 1e-3 as well as one of scale 1), the globally
// scaled probe is not (the tiny direction is lost under the L2 penalty), and
// both are invariant to one overall factor.
func TestGlobalScaleKeepsDirectionScale(t *testing.T) {
	acc := func(x *mat.Dense, y []int, s Scaling) float64 {
		t.Helper()
		r, err := Evaluate(x, y, Protocol{Probe: "logistic", Scale: s, LabelsPerClass: 10, Seeds: 3, Seed: 2})
		if err != nil {
			t.Fatal(err)
		}
		return r.Mean
	}
	xBig, y := twoColumns(400, 1, 5)
	xTiny, _ := twoColumns(400, 1e-3, 5)
	colBig, colTiny := acc(xBig, y, ColumnScale), acc(xTiny, y, ColumnScale)
	if math.Abs(colBig-colTiny) > 1e-9 || colBig < 0.9 {
		t.Errorf("column scaling: %.4f (label column scale 1) vs %.4f (scale 1e-3); want equal and >= 0.9", colBig, colTiny)
	}
	gBig, gTiny := acc(xBig, y, GlobalScale), acc(xTiny, y, GlobalScale)
	if gBig < 0.9 || gTiny > 0.7 {
		t.Errorf("global scaling: %.4f (scale 1), %.4f (scale 1e-3); want >= 0.9 and <= 0.7 (the tiny direction is lost)", gBig, gTiny)
	}
	var x10 mat.Dense
	x10.Scale(1e4, xTiny)
	if g := acc(&x10, y, GlobalScale); math.Abs(g-gTiny) > 1e-9 {
		t.Errorf("global scaling not invariant to an overall factor: %.4f vs %.4f", g, gTiny)
	}
	if _, err := Evaluate(xBig, y, Protocol{Probe: "ridge", Scale: "per-row"}); !errors.Is(err, ErrParam) {
		t.Errorf("unknown scaling: err %v; want ErrParam", err)
	}
}

// TestEvaluateTestIdx checks that TestIdx restricts the test rows and is
// validated.
func TestEvaluateTestIdx(t *testing.T) {
	x, y := twoColumns(100, 1, 3)
	train := []int{0, 1, 2, 3, 4, 5, 6, 7}
	test := []int{50, 51, 52, 53, 60}
	r, err := Evaluate(x, y, Protocol{Probe: "ridge", TrainIdx: train, TestIdx: test, Seeds: 1})
	if err != nil {
		t.Fatal(err)
	}
	if r.NTest != len(test) || r.NTrain != len(train) {
		t.Errorf("n_train %d, n_test %d; want %d, %d", r.NTrain, r.NTest, len(train), len(test))
	}
	for _, bad := range [][]int{{3, 50}, {50, 50}, {100}, {}} {
		if _, err := Evaluate(x, y, Protocol{Probe: "ridge", TrainIdx: train, TestIdx: bad}); !errors.Is(err, ErrParam) && !errors.Is(err, ErrShape) {
			t.Errorf("TestIdx %v: err %v; want ErrParam or ErrShape", bad, err)
		}
	}
	if _, err := Evaluate(x, y, Protocol{TestIdx: test}); !errors.Is(err, ErrParam) {
		t.Errorf("TestIdx without TrainIdx: err %v; want ErrParam", err)
	}
}

// cliques returns the graph with one clique per value of part.
func cliques(t *testing.T, part []int) *graph.CSR {
	t.Helper()
	g, _, err := graph.Labels(part)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// TestLabelEnergy checks LabelEnergy against values derived by hand: 1 for
// the label graph; for 4 classes of 5 merged in pairs into two 10-cliques
// (Laplacian eigenvalues 0 twice, then 10 eighteen times), k = 3 keeps the
// null space (1/3 of the centred label energy) and 2 of the 18 tied
// directions, which hold the other 2/3: E = 1/3 + (2/18)(2/3) = 11/27. An
// unlabelled vertex (y = −1) and its edges are ignored.
func TestLabelEnergy(t *testing.T) {
	var y, coarse []int
	for c := range 4 {
		for range 5 {
			y = append(y, c)
			coarse = append(coarse, c/2)
		}
	}
	e, err := LabelEnergy(cliques(t, y), y, 3)
	if err != nil || math.Abs(e-1) > 1e-9 {
		t.Errorf("label graph: %v, %v; want 1", e, err)
	}
	e, err = LabelEnergy(cliques(t, coarse), y, 3)
	if err != nil || math.Abs(e-11.0/27) > 1e-9 {
		t.Errorf("coarser graph: %.6f, %v; want 11/27 = %.6f", e, err, 11.0/27)
	}
	// One more vertex, unlabelled, joined to everything.
	n := len(y) + 1
	var rows, cols []int
	for i := range n {
		for j := range n {
			if i != j && (i == n-1 || j == n-1 || coarse[i] == coarse[j]) {
				rows, cols = append(rows, i), append(cols, j)
			}
		}
	}
	g, err := graph.FromTriplets(n, rows, cols, nil, graph.TripletOptions{})
	if err != nil {
		t.Fatal(err)
	}
	e2, err := LabelEnergy(g, append(append([]int(nil), y...), -1), 3)
	if err != nil || math.Abs(e2-11.0/27) > 1e-9 {
		t.Errorf("with an unlabelled hub: %.6f, %v; want 11/27", e2, err)
	}
	if _, err := LabelEnergy(cliques(t, y), y[:5], 3); !errors.Is(err, ErrShape) {
		t.Errorf("short y: %v; want ErrShape", err)
	}
	if _, err := LabelEnergy(cliques(t, y), y, 0); !errors.Is(err, ErrParam) {
		t.Errorf("k = 0: %v; want ErrParam", err)
	}
}
