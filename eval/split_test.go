package eval

import (
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// Issue 12: label -1 means "unlabelled" in eval as in graph.Labels (and so
// the closed forms): such rows are neither trained nor tested on.
func TestUnlabelledRowsLeftOut(t *testing.T) {
	y := []int{0, 1, -1, 0, 1, -1, 0, 1, 0, 1, -1, 1}
	tr, te, err := StratifiedSplit(y, 0.5, 3)
	if err != nil {
		t.Fatal(err)
	}
	all := append(slices.Clone(tr), te...)
	slices.Sort(all)
	if !slices.Equal(all, Labelled(y)) {
		t.Errorf("split parts %v + %v; want a partition of the labelled rows %v", tr, te, Labelled(y))
	}
	if len(tr) != 5 { // round(0.5 * 9 labelled rows)
		t.Errorf("%d training rows; want 5 (half of the 9 labelled)", len(tr))
	}

	// Evaluate: the unlabelled rows are a third class far away; were they
	// tested on, accuracy would drop (a probe never predicts -1).
	rng := rand.New(rand.NewPCG(1, 2))
	n := 90
	z := mat.NewDense(n, 2, nil)
	yy := make([]int, n)
	for i := range n {
		c := i % 3
		yy[i] = c
		if c == 2 {
			yy[i] = Unlabelled
		}
		z.Set(i, 0, 10*float64(c)+rng.NormFloat64()*0.1)
		z.Set(i, 1, rng.NormFloat64()*0.1)
	}
	res, err := Evaluate(z, yy, Protocol{Probe: "knn", Seeds: 2})
	if err != nil {
		t.Fatal(err)
	}
	if res.Mean != 1 || res.NUnlabelled != 30 || res.NTrain+res.NTest != 60 {
		t.Errorf("accuracy %v, %d unlabelled, %d+%d rows; want 1, 30, 60", res.Mean, res.NUnlabelled, res.NTrain, res.NTest)
	}
	// A fixed split: unlabelled test rows are dropped, unlabelled training
	// rows refused with the row named.
	res, err = Evaluate(z, yy, Protocol{Probe: "knn", Seeds: 1, TrainIdx: []int{0, 1, 3, 4, 6, 7}})
	if err != nil || res.NTest != 60-6 {
		t.Errorf("fixed split: %v, %d test rows; want %d", err, res.NTest, 54)
	}
	_, err = Evaluate(z, yy, Protocol{Probe: "knn", Seeds: 1, TrainIdx: []int{0, 1, 2}})
	if !errors.Is(err, ErrLabels) || !strings.Contains(err.Error(), "row 3 (1-based) is unlabelled") {
		t.Errorf("unlabelled training row: %v; want ErrLabels naming row 3", err)
	}
}

// Issue 12: one seed has no confidence interval to print.
func TestResultStringOneSeed(t *testing.T) {
	r := &Result{Probe: "ridge", Seeds: 1, Mean: 0.9, Low: 0.9, High: 0.9, Level: 0.95, NTrain: 8, NTest: 2}
	if s := r.String(); strings.Contains(s, "±") || !strings.Contains(s, "no interval") {
		t.Errorf("one seed: %q; want no ± and \"no interval\"", s)
	}
	r.Seeds, r.Low, r.High = 3, 0.8, 1.0
	if s := r.String(); !strings.Contains(s, "0.9000 ± 0.1000") {
		t.Errorf("three seeds: %q; want the interval", s)
	}
}
