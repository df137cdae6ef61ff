package spectral_test

import (
	"testing"

	"github.com/eigenssl/eigenssl/data"
	"github.com/eigenssl/eigenssl/eval"
	"github.com/eigenssl/eigenssl/spectral"
	"gonum.org/v1/gonum/mat"
)

// Laplacian eigenmaps of the digits (10 components, 10-NN, transductive:
// all 1,797 points embedded) feed a logistic probe trained on a seeded
// stratified 1,400/397 split: test accuracy >= 0.97.
func TestDigitsProbe(t *testing.T) {
	ds, err := data.Digits()
	if err != nil {
		t.Fatal(err)
	}
	le := &spectral.LaplacianEigenmaps{Components: 10, Neighbors: 10, Seed: 1}
	if err := le.Fit(ds.X); err != nil {
		t.Fatal(err)
	}
	z := le.Embedding()
	tr, te, err := eval.StratifiedSplit(ds.Y, 1400, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(tr) != 1400 || len(te) != 397 {
		t.Fatalf("split %d/%d; want 1400/397", len(tr), len(te))
	}
	sub := func(idx []int) (*mat.Dense, []int) {
		x := mat.NewDense(len(idx), 10, nil)
		y := make([]int, len(idx))
		for a, i := range idx {
			x.SetRow(a, z.RawRowView(i))
			y[a] = ds.Y[i]
		}
		return x, y
	}
	xtr, ytr := sub(tr)
	xte, yte := sub(te)
	p := &eval.LogisticProbe{}
	if err := p.Fit(xtr, ytr); err != nil {
		t.Fatal(err)
	}
	pred, err := p.Predict(xte)
	if err != nil {
		t.Fatal(err)
	}
	acc, err := eval.Accuracy(pred, yte)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("digits LE(10, 10-NN) logistic probe test accuracy %.4f", acc)
	if acc < 0.97 {
		t.Fatalf("test accuracy %.4f; want >= 0.97", acc)
	}
}
