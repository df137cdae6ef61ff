package linalg

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func randDenseT(r, c int, seed uint64) *mat.Dense {
	rng := rand.New(rand.NewPCG(seed, 3))
	m := mat.NewDense(r, c, nil)
	for i := range m.RawMatrix().Data {
		m.RawMatrix().Data[i] = rng.NormFloat64()
	}
	return m
}

// TestWhitenerRankDeficient: S = AᵀA with A 3 x 5 has rank 3; Whitener keeps
// exactly the range (3 columns) with Bᵀ S B = I and B Bᵀ = S⁺ (checked by
// S B Bᵀ S = S).
func TestWhitenerRankDeficient(t *testing.T) {
	a := randDenseT(3, 5, 1)
	var s mat.Dense
	s.Mul(a.T(), a)
	b, err := Whitener(SymmetricPart(&s), 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, r := b.Dims(); r != 3 {
		t.Fatalf("%d columns; want the rank 3", r)
	}
	var sb, bsb, bbt, sbbts mat.Dense
	sb.Mul(&s, b)
	bsb.Mul(b.T(), &sb)
	if !mat.EqualApprox(&bsb, eye(3), 1e-10) {
		t.Errorf("BᵀSB = %v; want I", mat.Formatted(&bsb))
	}
	bbt.Mul(b, b.T())
	sbbts.Mul(&s, &bbt)
	sbbts.Mul(&sbbts, &s)
	if !mat.EqualApprox(&sbbts, &s, 1e-9) {
		t.Errorf("S B Bᵀ S != S")
	}
	if _, err := Whitener(mat.NewSymDense(2, nil), 0); !errors.Is(err, ErrNotPositiveDefinite) {
		t.Errorf("zero matrix: %v; want ErrNotPositiveDefinite", err)
	}
}

// TestInvSqrt: S^{-1/2} S S^{-1/2} = I for an SPD S; an indefinite S is
// refused.
func TestInvSqrt(t *testing.T) {
	a := randDenseT(6, 4, 2)
	var s mat.Dense
	s.Mul(a.T(), a)
	w, err := InvSqrt(SymmetricPart(&s))
	if err != nil {
		t.Fatal(err)
	}
	var m mat.Dense
	m.Mul(w, &s)
	m.Mul(&m, w)
	if !mat.EqualApprox(&m, eye(4), 1e-10) {
		t.Errorf("W S W = %v; want I", mat.Formatted(&m))
	}
	ind := mat.NewSymDense(2, []float64{1, 0, 0, -1})
	if _, err := InvSqrt(ind); !errors.Is(err, ErrNotPositiveDefinite) {
		t.Errorf("indefinite: %v; want ErrNotPositiveDefinite", err)
	}
}

// TestRank: a product of 7x2 and 2x5 factors has rank 2; RankOf counts
// relative to σ₁.
func TestRank(t *testing.T) {
	var z mat.Dense
	z.Mul(randDenseT(7, 2, 3), randDenseT(2, 5, 4))
	if r, err := Rank(&z, 0); err != nil || r != 2 {
		t.Errorf("Rank = %d, %v; want 2", r, err)
	}
	if r := RankOf([]float64{4, 1e-3, 1e-9}, 1e-6); r != 2 {
		t.Errorf("RankOf = %d; want 2", r)
	}
	if r := RankOf(nil, 1e-6); r != 0 {
		t.Errorf("RankOf(nil) = %d", r)
	}
	if _, err := Rank(mat.NewDense(1, 1, []float64{math.NaN()}), 0); !errors.Is(err, ErrNaN) {
		t.Errorf("NaN: %v; want ErrNaN", err)
	}
	x := randDenseT(5, 3, 5)
	want := CenterColumns(x)
	mu := CenterColumnsInPlace(x)
	if !mat.Equal(x, want) || len(mu) != 3 {
		t.Errorf("CenterColumnsInPlace differs from CenterColumns")
	}
}

func eye(n int) *mat.Dense {
	m := mat.NewDense(n, n, nil)
	for i := 0; i < n; i++ {
		m.Set(i, i, 1)
	}
	return m
}
