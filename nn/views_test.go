package nn

import (
	"errors"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func TestBatchNormGroupsGradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 32))
	bn := NewBatchNorm1d(4, true)
	copy(bn.Gamma.Value.RawMatrix().Data, randn(1, 4, rng).RawMatrix().Data)
	bn.Groups = 3
	layerCheck(t, "batchnorm 3 groups", bn, randn(9, 4, rng), true, rng)
}

// With SetViews(2), a stacked forward equals running each view separately
// (outputs, parameter gradients and running statistics), as in the official
// two-branch code.
func TestEncoderViewsMatchSeparateBranches(t *testing.T) {
	rng := rand.New(rand.NewPCG(33, 34))
	const spec = "mlp:7,5+bn|proj:6,3+bn"
	stacked, _ := ParseEncoder(spec, 4, 9)
	if err := stacked.SetViews(2); err != nil {
		t.Fatal(err)
	}
	sep, _ := ParseEncoder(spec, 4, 9)
	x1, x2 := randn(6, 4, rng), randn(6, 4, rng)
	var x mat.Dense
	x.Stack(x1, x2)
	g := randn(12, 3, rng)
	z, err := stacked.Forward(&x, true)
	if err != nil {
		t.Fatal(err)
	}
	if err := stacked.BackwardParams(g); err != nil {
		t.Fatal(err)
	}
	// Separate branches: forward and backward one view at a time; gradients accumulate.
	for v, xv := range []*mat.Dense{x1, x2} {
		zv, err := sep.Forward(xv, true)
		if err != nil {
			t.Fatal(err)
		}
		if !mat.EqualApprox(zv, z.Slice(6*v, 6*v+6, 0, 3), 1e-13) {
			t.Errorf("view %d: stacked output differs from the separate branch", v)
		}
		if err := sep.BackwardParams(mat.DenseCopyOf(g.Slice(6*v, 6*v+6, 0, 3))); err != nil {
			t.Fatal(err)
		}
	}
	st, se := stacked.tensors(), sep.tensors()
	for i := range st {
		if !mat.EqualApprox(st[i].Value, se[i].Value, 1e-13) {
			t.Errorf("%s differs (running statistics)", st[i].Name)
		}
		if st[i].Grad != nil && !mat.EqualApprox(st[i].Grad, se[i].Grad, 1e-12) {
			t.Errorf("∂%s differs", st[i].Name)
		}
	}
	// Views survive a round trip; bad batches are refused.
	data, _ := stacked.MarshalBinary()
	var r Encoder
	if err := r.UnmarshalBinary(data); err != nil || r.Views() != 2 {
		t.Errorf("views not restored: %d, %v", r.Views(), err)
	}
	for _, rows := range []int{3, 5, 2} {
		if _, err := r.Forward(randn(rows, 4, rng), true); !errors.Is(err, ErrShape) {
			t.Errorf("%d rows with 2 views: err = %v; want ErrShape", rows, err)
		}
	}
	if err := r.SetViews(0); !errors.Is(err, ErrParam) {
		t.Errorf("SetViews(0): err = %v; want ErrParam", err)
	}
}
