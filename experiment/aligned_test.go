package experiment

import (
	"math"
	"testing"

	"github.com/eigenssl/eigenssl/closedform"
	"github.com/eigenssl/eigenssl/eval"
	"github.com/eigenssl/eigenssl/graph"
	"github.com/eigenssl/eigenssl/linalg"
	"gonum.org/v1/gonum/mat"
)

// TestAlignedGraphMatchesSupervised checks THEORY §5 in the linear regime:
// with the aligned relation G = YYᵀ − I on (balanced) training samples,
// span(X W*) is the supervised least-squares subspace span(P_X Y_c) for
// high-gamma VICReg and spectral contrastive (principal angles 0), so a
// (nearly unregularised) least-squares probe on Z makes exactly the
// predictions of the same probe on X B, B the least-squares map to the
// labels: equal test accuracy (up to one test sample for rounding). For
// BarlowTwins (K > c − 1 keeps directions outside G's span) the
// least-squares subspace lies inside span(Z); linear SimCLR is not the
// least-squares subspace (THEORY §5, corrected) and is only logged.
func TestAlignedGraphMatchesSupervised(t *testing.T) {
	ds, err := loadDataset("digits", 800, 1)
	if err != nil {
		t.Fatal(err)
	}
	trainIdx, testIdx, err := eval.StratifiedSplit(ds.Y, 0.5, 1)
	if err != nil {
		t.Fatal(err)
	}
	// Balanced training classes, so that XᵀLX is proportional to the
	// within-class scatter.
	trainIdx, err = eval.LabelsPerClass(ds.Y, trainIdx, 39, 1)
	if err != nil {
		t.Fatal(err)
	}
	xtr := rowsOf(ds.X, trainIdx)
	ytr := make([]int, len(trainIdx))
	for i, j := range trainIdx {
		ytr[i] = ds.Y[j]
	}
	g, _, err := graph.Labels(ytr)
	if err != nil {
		t.Fatal(err)
	}
	scaleToUnitDegree(g)
	b := &builtGraph{G: g, X: xtr, Orig: ds.X, Y: ytr, Views: 1}
	// Supervised least-squares subspace on the training rows: X B with
	// B = argmin ‖X B − Y_c‖, Y_c the centred one-hot labels.
	c := ds.Classes
	yc := mat.NewDense(len(ytr), c, nil)
	for i, y := range ytr {
		for k := 0; k < c; k++ {
			v := -1.0 / float64(c)
			if k == y {
				v += 1
			}
			yc.Set(i, k, v)
		}
	}
	// P_X Y_c through the thin SVD of the centred X (rank-revealing, since
	// some pixels are constant on the training rows).
	var svd mat.SVD
	if !svd.Factorize(linalg.CenterColumns(xtr), mat.SVDThin) {
		t.Fatal("svd failed")
	}
	sv := svd.Values(nil)
	r := 0
	for _, s := range sv {
		if s > 1e-10*sv[0] {
			r++
		}
	}
	var u mat.Dense
	svd.UTo(&u)
	ur := u.Slice(0, len(ytr), 0, r)
	var uty, ls mat.Dense
	uty.Mul(ur.T(), yc)
	ls.Mul(ur, &uty)
	lsBasis := topLeft(t, &ls, c-1)

	// The least-squares map B = V_r Σ_r⁻¹ U_rᵀ Y_c on the training rows
	// (minimum norm: some pixels are constant there), applied to every row.
	var v mat.Dense
	svd.VTo(&v)
	_, d := xtr.Dims()
	vs := mat.DenseCopyOf(v.Slice(0, d, 0, r))
	for j := range r {
		for i := range d {
			vs.Set(i, j, vs.At(i, j)/sv[j])
		}
	}
	var bls mat.Dense
	bls.Mul(vs, &uty)
	var xb mat.Dense
	xb.Mul(linalg.CenterColumns(ds.X), &bls)
	probe := eval.Protocol{Probe: "ridge", Lambda: 1e-9, TrainIdx: trainIdx, TestIdx: testIdx, Seeds: 1}
	sup, err := eval.Evaluate(&xb, ds.Y, probe)
	if err != nil {
		t.Fatal(err)
	}
	tol := 1.5 / float64(len(testIdx))
	methods := []struct {
		m        MethodSpec
		subspace bool
	}{
		{vicreg(1.1), true},
		{MethodSpec{Name: "SpectralCL", Loss: closedform.SpectralContrastive}, true},
		{MethodSpec{Name: "BarlowTwins", Loss: closedform.BarlowTwins}, false},
		{MethodSpec{Name: "SimCLR", Loss: closedform.SimCLR}, false},
	}
	for _, tc := range methods {
		e, err := embed(b, tc.m, closedform.Linear, 16, RefinePlan{MaxIter: 300, GradTol: RefineGradTol, LossTol: RefineLossTol, Restarts: 1}, 1)
		if err != nil {
			t.Fatal(err)
		}
		ztrAll := linalg.CenterColumns(rowsOf(e.Z, trainIdx))
		if ang, err := linalg.PrincipalAngles(lsBasis, ztrAll); err == nil {
			t.Logf("%s: largest angle of span(P_X Y_c) to span(Z) %.4f rad", tc.m.Name, ang[len(ang)-1])
			if tc.m.Loss == closedform.BarlowTwins && ang[len(ang)-1] > 1e-3 {
				t.Errorf("%s: span(P_X Y_c) not inside span(Z): largest angle %.3g rad", tc.m.Name, ang[len(ang)-1])
			}
		}
		if tc.subspace {
			ztr := linalg.CenterColumns(rowsOf(e.Z, trainIdx))
			if r := numRank(ztr, 1e-8); r != c-1 {
				t.Errorf("%s: rank %d; want c-1 = %d", tc.m.Name, r, c-1)
			}
			ang, err := linalg.PrincipalAngles(topLeft(t, ztr, c-1), lsBasis)
			if err != nil {
				t.Fatal(err)
			}
			if maxA := ang[len(ang)-1]; maxA > 1e-6 {
				t.Errorf("%s: largest principal angle to span(P_X Y_c) %.3g rad; want 0", tc.m.Name, maxA)
			}
		}
		r, err := eval.Evaluate(e.Z, ds.Y, probe)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: probe %.4f, least-squares supervised %.4f", tc.m.Name, r.Mean, sup.Mean)
		if tc.subspace && math.Abs(r.Mean-sup.Mean) > tol {
			t.Errorf("%s: probe accuracy %.4f; supervised least squares %.4f, want equal within one test sample", tc.m.Name, r.Mean, sup.Mean)
		}
	}
}

func rowsOf(x *mat.Dense, idx []int) *mat.Dense {
	_, d := x.Dims()
	out := mat.NewDense(len(idx), d, nil)
	for i, j := range idx {
		out.SetRow(i, x.RawRowView(j))
	}
	return out
}

// topLeft returns the k leading left singular vectors of a.
func topLeft(t *testing.T, a mat.Matrix, k int) *mat.Dense {
	t.Helper()
	var svd mat.SVD
	if !svd.Factorize(a, mat.SVDThin) {
		t.Fatal("svd failed")
	}
	var u mat.Dense
	svd.UTo(&u)
	return mat.DenseCopyOf(u.Slice(0, u.RawMatrix().Rows, 0, k))
}
