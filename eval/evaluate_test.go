package eval

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/eigenssl/eigenssl/graph"
	"gonum.org/v1/gonum/mat"
)

func TestStratifiedSplit(t *testing.T) {
	var y []int
	for c, n := range []int{178, 182, 177, 183, 181, 182, 181, 179, 174, 180} {
		for range n {
			y = append(y, c)
		}
	}
	for _, train := range []float64{1400, 0.5, 0.78, 11} {
		tr, te, err := StratifiedSplit(y, train, 9)
		if err != nil {
			t.Fatal(err)
		}
		want := int(train)
		if train < 1 {
			want = int(math.Round(train * float64(len(y))))
		}
		if len(tr) != want || len(tr)+len(te) != len(y) {
			t.Fatalf("train=%v: %d/%d", train, len(tr), len(te))
		}
		all := append(slices.Clone(tr), te...)
		slices.Sort(all)
		for i, v := range all {
			if v != i {
				t.Fatalf("train=%v: parts do not partition the indices", train)
			}
		}
		// Per-class training counts are within one of the exact share.
		for c := range 10 {
			nc, k := 0, 0
			for _, v := range y {
				if v == c {
					nc++
				}
			}
			for _, i := range tr {
				if y[i] == c {
					k++
				}
			}
			if exact := float64(want) * float64(nc) / float64(len(y)); math.Abs(float64(k)-exact) >= 1 {
				t.Fatalf("train=%v class %d: %d training samples, exact share %v", train, c, k, exact)
			}
		}
	}
	a, _, _ := StratifiedSplit(y, 0.5, 1)
	b, _, _ := StratifiedSplit(y, 0.5, 1)
	c, _, _ := StratifiedSplit(y, 0.5, 2)
	if !slices.Equal(a, b) || slices.Equal(a, c) {
		t.Fatal("split is not a function of the seed")
	}
	for _, bad := range []float64{0, -1, 1797, 2.5, math.NaN()} {
		if _, _, err := StratifiedSplit(y, bad, 1); !errors.Is(err, ErrParam) {
			t.Errorf("train=%v: got %v; want ErrParam", bad, err)
		}
	}
}

func TestLabelsPerClass(t *testing.T) {
	y := []int{0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2}
	idx := []int{0, 1, 2, 3, 4, 5, 6, 7, 8}
	got, err := LabelsPerClass(y, idx, 2, 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 6 || !slices.IsSorted(got) {
		t.Fatalf("got %v", got)
	}
	cnt := map[int]int{}
	for _, i := range got {
		if i > 8 {
			t.Fatalf("index %d outside idx", i)
		}
		cnt[y[i]]++
	}
	if cnt[0] != 2 || cnt[1] != 2 || cnt[2] != 2 {
		t.Fatalf("per-class counts %v", cnt)
	}
	if _, err := LabelsPerClass(y, idx, 4, 5); !errors.Is(err, ErrLabels) {
		t.Fatalf("m=4: got %v; want ErrLabels", err)
	}
}

func TestEvaluateInterval(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	x, y := gaussClasses(rng, 300, 3, 5)
	r, err := Evaluate(x, y, Protocol{Probe: "ridge", Seeds: 5, Split: 0.5})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Accuracies) != 5 || r.NTrain != 150 || r.NTest != 150 {
		t.Fatalf("result %+v", r)
	}
	// t_{0.975, 4} = 2.776445 (standard table).
	h := 2.7764451051977934 * r.Std / math.Sqrt(5)
	if math.Abs(r.Low-(r.Mean-h)) > 1e-12 || math.Abs(r.High-(r.Mean+h)) > 1e-12 || r.Std == 0 {
		t.Fatalf("interval [%v, %v] for mean %v sd %v", r.Low, r.High, r.Mean, r.Std)
	}
	if !strings.Contains(r.String(), "ridge") {
		t.Fatalf("String: %q", r.String())
	}
	// A fixed split with all labels repeats the same accuracy.
	tr, _, _ := StratifiedSplit(y, 0.5, 3)
	f, err := Evaluate(x, y, Protocol{Probe: "knn", TrainIdx: tr, Seeds: 3})
	if err != nil {
		t.Fatal(err)
	}
	if f.Std != 0 || f.Low != f.Mean || f.High != f.Mean {
		t.Fatalf("fixed split: %+v", f)
	}
	// Low-data regime: m labels per class.
	l, err := Evaluate(x, y, Protocol{LabelsPerClass: 4, Seeds: 3})
	if err != nil {
		t.Fatal(err)
	}
	if l.NTrain != 12 || l.Mean < 0.6 {
		t.Fatalf("labels per class: %+v", l)
	}
	if _, err := Evaluate(x, y, Protocol{Probe: "svm"}); !errors.Is(err, ErrParam) || !strings.Contains(err.Error(), "logistic, ridge, knn") {
		t.Fatalf("unknown probe: got %v", err)
	}
	if _, err := Evaluate(x, y[:10], Protocol{}); !errors.Is(err, ErrShape) {
		t.Fatalf("short y: got %v", err)
	}
	if _, err := Evaluate(x, y, Protocol{TrainIdx: []int{1, 1}}); !errors.Is(err, ErrParam) {
		t.Fatalf("duplicate train index: got %v", err)
	}
	// The protocol's GradTol reaches the logistic probe: invalid values are
	// errors, and a tighter tolerance takes more iterations.
	for _, bad := range []float64{-1, math.NaN()} {
		if _, err := Evaluate(x, y, Protocol{GradTol: bad}); !errors.Is(err, ErrParam) {
			t.Fatalf("GradTol %v: got %v; want ErrParam", bad, err)
		}
	}
	iters := func(tol float64) int {
		c, err := NewClassifier(Protocol{GradTol: tol})
		if err != nil {
			t.Fatal(err)
		}
		lp := c.(*LogisticProbe)
		if err := lp.Fit(x, y); err != nil {
			t.Fatal(err)
		}
		return lp.Iterations_
	}
	if loose, tight := iters(1e-3), iters(1e-12); tight <= loose {
		t.Fatalf("GradTol not passed on: %d iterations at 1e-3, %d at 1e-12", loose, tight)
	}
}

func TestRankAndEffectiveRank(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	// z = U diag(s) Vᵀ with orthonormal U, V: known singular values.
	var qu, qv mat.QR
	qu.Factorize(randMat(rng, 50, 4))
	qv.Factorize(randMat(rng, 4, 4))
	var u, v mat.Dense
	qu.QTo(&u)
	qv.QTo(&v)
	s := []float64{3, 1, 1e-9, 0}
	z := mat.NewDense(50, 4, nil)
	z.Mul(u.Slice(0, 50, 0, 4), mat.NewDiagDense(4, s))
	z.Mul(z, v.T())
	got, err := SingularValues(z)
	if err != nil {
		t.Fatal(err)
	}
	for i := range s {
		if math.Abs(got[i]-s[i]) > 1e-12 {
			t.Fatalf("singular values %v; want %v", got, s)
		}
	}
	if r, _ := Rank(z, 0); r != 3 {
		t.Fatalf("rank %d; want 3 (1e-9 is above the default tolerance)", r)
	}
	if r, _ := Rank(z, 1e-6); r != 2 {
		t.Fatalf("rank with tol 1e-6: %d; want 2", r)
	}
	// p = (3, 1, 1e-9)/4: erank = exp(-Σ p log p).
	sum := 4 + 1e-9
	want := 0.0
	for _, x := range s[:3] {
		want -= x / sum * math.Log(x/sum)
	}
	if e, _ := EffectiveRank(z); math.Abs(e-math.Exp(want)) > 1e-9 {
		t.Fatalf("effective rank %v; want %v", e, math.Exp(want))
	}
	if e, _ := EffectiveRank(u.Slice(0, 50, 0, 3)); math.Abs(e-3) > 1e-12 {
		t.Fatalf("effective rank of an orthonormal 3-frame %v; want 3", e)
	}
	if _, err := EffectiveRank(mat.NewDense(3, 2, nil)); !errors.Is(err, ErrParam) {
		t.Fatalf("zero matrix: got %v", err)
	}
}

func TestPrincipalAnglesDelegates(t *testing.T) {
	a := mat.NewDense(3, 1, []float64{1, 0, 0})
	b := mat.NewDense(3, 1, []float64{1, 1, 0})
	th, err := PrincipalAngles(a, b)
	if err != nil || len(th) != 1 || math.Abs(th[0]-math.Pi/4) > 1e-14 {
		t.Fatalf("angles %v, %v; want [π/4]", th, err)
	}
}

// bruteCKA computes CKA from the N x N centred Gram matrices (reference).
func bruteCKA(a, b *mat.Dense) float64 {
	n, _ := a.Dims()
	h := mat.NewDense(n, n, nil)
	for i := range n {
		for j := range n {
			v := -1 / float64(n)
			if i == j {
				v++
			}
			h.Set(i, j, v)
		}
	}
	gram := func(x *mat.Dense) *mat.Dense {
		var k, hk mat.Dense
		k.Mul(x, x.T())
		hk.Mul(h, &k)
		hk.Mul(&hk, h)
		return &hk
	}
	ka, kb := gram(a), gram(b)
	dot := func(p, q *mat.Dense) float64 {
		var e mat.Dense
		e.MulElem(p, q)
		return mat.Sum(&e)
	}
	return dot(ka, kb) / math.Sqrt(dot(ka, ka)*dot(kb, kb))
}

func TestLinearCKA(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	a := randMat(rng, 40, 3)
	b := randMat(rng, 40, 5)
	got, err := LinearCKA(a, b)
	if err != nil {
		t.Fatal(err)
	}
	if want := bruteCKA(a, b); math.Abs(got-want) > 1e-12 {
		t.Fatalf("CKA %v; brute force %v", got, want)
	}
	// Invariant to orthogonal maps, scaling and translation: 1 with itself.
	var q mat.QR
	q.Factorize(randMat(rng, 3, 3))
	var o, ao mat.Dense
	q.QTo(&o)
	ao.Mul(a, &o)
	ao.Scale(7, &ao)
	for i := range 40 {
		ao.Set(i, 0, ao.At(i, 0)+5)
	}
	if c, _ := LinearCKA(a, &ao); math.Abs(c-1) > 1e-12 {
		t.Fatalf("CKA with a rotated, scaled, shifted copy %v; want 1", c)
	}
	if _, err := LinearCKA(a, randMat(rng, 39, 2)); !errors.Is(err, ErrShape) {
		t.Fatalf("row mismatch: got %v", err)
	}
}

func TestGraphAlignment(t *testing.T) {
	y := []int{0, 0, 0, 1, 1, 1, 2, 2}
	g, _, err := graph.Labels(y)
	if err != nil {
		t.Fatal(err)
	}
	a, err := GraphAlignment(g, y)
	if err != nil {
		t.Fatal(err)
	}
	if a.WithinClass != 1 || a.Components != 3 || a.Purity != 1 || a.InversePurity != 1 || a.ARI != 1 {
		t.Fatalf("label graph: %+v", a)
	}
	// Views graph of 4 originals x 2 views against labels that put the two
	// views of originals 0,1 in class 0 and of 2,3 in different classes.
	vg, _, _ := graph.Views(4, 2)
	yv := []int{0, 0, 1, 1, 0, 0, 2, 2}
	b, err := GraphAlignment(vg, yv)
	if err != nil {
		t.Fatal(err)
	}
	// Edges (each direction counted): (0,4),(1,5) inside class 0, (2,6),
	// (3,7) across classes: within fraction 1/2. Components {0,4},{1,5},
	// {2,6},{3,7}; classes {0,1,4,5},{2,3},{6,7}.
	if b.WithinClass != 0.5 || b.Components != 4 {
		t.Fatalf("views graph: %+v", b)
	}
	// Purity: components {2,6} and {3,7} are half pure: (2+2+1+1)/8.
	// Inverse purity: class 0 is split 2/2, {2,3} 1/1, {6,7} 1/1: (2+1+1)/8.
	if b.Purity != 0.75 || b.InversePurity != 0.5 {
		t.Fatalf("purity %v, inverse %v; want 0.75, 0.5", b.Purity, b.InversePurity)
	}
	// ARI reference values from scikit-learn's documentation:
	// adjusted_rand_score([0, 0, 1, 1], [0, 0, 1, 2]) = 0.5714285714285715.
	if _, _, ari := partitionAgreement([]int{0, 0, 1, 2}, []int{0, 0, 1, 1}); math.Abs(ari-0.5714285714285715) > 1e-15 {
		t.Fatalf("ARI %v; want 0.5714285714285715", ari)
	}
	if _, _, ari := partitionAgreement([]int{0, 0, 0, 0}, []int{0, 1, 2, 3}); ari != 0 {
		t.Fatalf("ARI of one block vs singletons %v; want 0", ari)
	}
	if _, _, ari := partitionAgreement([]int{5, 5, 1, 1}, []int{0, 0, 1, 1}); ari != 1 {
		t.Fatalf("ARI of relabelled partition %v; want 1", ari)
	}
	if _, err := GraphAlignment(g, y[:3]); !errors.Is(err, ErrShape) {
		t.Fatalf("short y: got %v", err)
	}
}
