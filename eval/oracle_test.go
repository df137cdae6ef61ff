package eval

import (
	"encoding/json"
	"math"
	"os"
	"testing"

	"github.com/eigenssl/eigenssl/data"
	"github.com/eigenssl/eigenssl/linalg"
	"gonum.org/v1/gonum/mat"
)

type sklearnRef struct {
	Source   string `json:"source"`
	TrainIdx []int  `json:"train_idx"`
	Logistic struct {
		TestAccuracy float64     `json:"test_accuracy"`
		Coef         [][]float64 `json:"coef"`
		Intercept    []float64   `json:"intercept"`
		Proba        [][]float64 `json:"proba_first_test_rows"`
	} `json:"logistic"`
	Ridge struct {
		TestAccuracy float64     `json:"test_accuracy"`
		Coef         [][]float64 `json:"coef"`
		Intercept    []float64   `json:"intercept"`
	} `json:"ridge"`
}

// TestProbesMatchSklearn compares the fitted probes with scikit-learn's
// LogisticRegression(C=1) and Ridge(alpha=1) on standardised digits
// (testdata/sklearn_digits.json). Both solve the same strictly convex
// problems, so coefficients agree up to the solvers' tolerances (the
// reference uses newton-cg with tol 1e-12, gradient norm 1.3e-9 at its
// solution). The probe is fitted to GradTol 1e-10: at the default 1e-8
// where it stops depends on the rounding of the BLAS (intercepts within
// 1.7e-5 of the reference with gonum's Dgemm, 1.75e-5 with OpenBLAS,
// 2.1e-5 with linalg's packed Dgemm); at 1e-10 coefficients agree to
// 1.2e-7 and intercepts to 1.1e-6 in both builds.
func TestProbesMatchSklearn(t *testing.T) {
	b, err := os.ReadFile("testdata/sklearn_digits.json")
	if err != nil {
		t.Fatal(err)
	}
	var ref sklearnRef
	if err := json.Unmarshal(b, &ref); err != nil {
		t.Fatal(err)
	}
	ds, err := data.Digits()
	if err != nil {
		t.Fatal(err)
	}
	train, test, err := complement(ref.TrainIdx, ds.Len())
	if err != nil {
		t.Fatal(err)
	}
	xtr, ytr := linalg.SelectRows(ds.X, train), pick(ds.Y, train)
	xte, yte := linalg.SelectRows(ds.X, test), pick(ds.Y, test)

	lp := LogisticProbe{GradTol: 1e-10}
	if err := lp.Fit(xtr, ytr); err != nil {
		t.Fatal(err)
	}
	maxDiff := func(got *mat.Dense, want [][]float64, transpose bool) float64 {
		d := 0.0
		for i, row := range want {
			for j, w := range row {
				var g float64
				if transpose {
					g = got.At(j, i)
				} else {
					g = got.At(i, j)
				}
				d = math.Max(d, math.Abs(g-w))
			}
		}
		return d
	}
	if d := maxDiff(lp.W_, ref.Logistic.Coef, true); d > 2e-5 {
		t.Errorf("logistic coefficients differ from scikit-learn by %g", d)
	}
	for k, w := range ref.Logistic.Intercept {
		if math.Abs(lp.B_[k]-w) > 2e-5 {
			t.Errorf("logistic intercept %d: %v; scikit-learn %v", k, lp.B_[k], w)
		}
	}
	proba, err := lp.PredictProba(xte.Slice(0, len(ref.Logistic.Proba), 0, 64))
	if err != nil {
		t.Fatal(err)
	}
	if d := maxDiff(proba, ref.Logistic.Proba, false); d > 2e-6 {
		t.Errorf("logistic probabilities differ from scikit-learn by %g", d)
	}
	pred, _ := lp.Predict(xte)
	if acc, _ := Accuracy(pred, yte); math.Abs(acc-ref.Logistic.TestAccuracy) > 1e-12 {
		t.Errorf("logistic test accuracy %v; scikit-learn %v", acc, ref.Logistic.TestAccuracy)
	}

	var rp RidgeProbe
	if err := rp.Fit(xtr, ytr); err != nil {
		t.Fatal(err)
	}
	if d := maxDiff(rp.W_, ref.Ridge.Coef, true); d > 1e-10 {
		t.Errorf("ridge coefficients differ from scikit-learn by %g", d)
	}
	for k, w := range ref.Ridge.Intercept {
		if math.Abs(rp.B_[k]-w) > 1e-12 {
			t.Errorf("ridge intercept %d: %v; scikit-learn %v", k, rp.B_[k], w)
		}
	}
	pred, _ = rp.Predict(xte)
	if acc, _ := Accuracy(pred, yte); math.Abs(acc-ref.Ridge.TestAccuracy) > 1e-12 {
		t.Errorf("ridge test accuracy %v; scikit-learn %v", acc, ref.Ridge.TestAccuracy)
	}
}
