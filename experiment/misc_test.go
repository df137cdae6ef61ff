package experiment

import (
	"context"
	"errors"
	"fmt"
	"github.com/eigenssl/eigenssl/closedform"
	"github.com/eigenssl/eigenssl/linalg"
	"github.com/eigenssl/eigenssl/spectral"
	"math"
	"math/rand/v2"
	"testing"
)

func TestRunRejectsBadOptions(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		opt  Options
		want error
	}{
		{Options{Out: t.TempDir(), Dataset: "cifar"}, ErrUnknown},
		{Options{Out: t.TempDir(), Only: []string{"E9"}}, ErrUnknown},
		{Options{}, ErrParam},
	} {
		_, err := Run(ctx, tc.opt)
		var e *Error
		if !errors.Is(err, tc.want) || !errors.As(err, &e) {
			t.Errorf("%+v: got %v; want an *Error wrapping %v", tc.opt, err, tc.want)
		}
	}
	if _, err := E3(ctx, E3Config{}, nil, ""); !errors.Is(err, ErrParam) {
		t.Errorf("empty E3 config: %v", err)
	}
	if _, err := loadDataset("nope", 10, 0); !errors.Is(err, ErrUnknown) {
		t.Errorf("unknown dataset: %v", err)
	}
}

// TestSpearmanMatchesBruteForce compares the tie-aware Spearman correlation
// with a direct computation: Pearson correlation of average ranks, each rank
// counted as 1 + #{smaller} + (#{equal} − 1)/2.
func TestSpearmanMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := 0; trial < 20; trial++ {
		n := 5 + rng.IntN(40)
		a, b := make([]float64, n), make([]float64, n)
		for i := range a {
			a[i] = float64(rng.IntN(6)) // many ties, like hop counts
			b[i] = a[i] + rng.NormFloat64()
		}
		want := pearson(bruteRanks(a), bruteRanks(b))
		if got := spearman(a, b); math.Abs(got-want) > 1e-12 {
			t.Fatalf("trial %d: spearman %v; brute force %v", trial, got, want)
		}
	}
	if got := spearman([]float64{1, 2, 3, 4}, []float64{10, 20, 30, 40}); math.Abs(got-1) > 1e-15 {
		t.Errorf("monotone: %v; want 1", got)
	}
	if got := spearman([]float64{1, 2, 3, 4}, []float64{4, 3, 2, 1}); math.Abs(got+1) > 1e-15 {
		t.Errorf("reversed: %v; want -1", got)
	}
}

func bruteRanks(x []float64) []float64 {
	r := make([]float64, len(x))
	for i := range x {
		less, eq := 0, 0
		for j := range x {
			if x[j] < x[i] {
				less++
			} else if x[j] == x[i] {
				eq++
			}
		}
		r[i] = 1 + float64(less) + float64(eq-1)/2
	}
	return r
}

func pearson(a, b []float64) float64 {
	n := float64(len(a))
	var ma, mb float64
	for i := range a {
		ma += a[i] / n
		mb += b[i] / n
	}
	var sab, saa, sbb float64
	for i := range a {
		sab += (a[i] - ma) * (b[i] - mb)
		saa += (a[i] - ma) * (a[i] - ma)
		sbb += (b[i] - mb) * (b[i] - mb)
	}
	return sab / math.Sqrt(saa*sbb)
}

// TestRewiredGraphAlignmentFalls checks the partially aligned graphs: the
// within-class edge fraction of the rewired label graph falls from 1 towards
// the chance level as p grows, and the graph stays a valid relation graph.
func TestRewiredGraphAlignmentFalls(t *testing.T) {
	ds, err := loadDataset("digits", 300, 2)
	if err != nil {
		t.Fatal(err)
	}
	prev := 2.0
	for _, p := range []float64{0, 0.3, 0.7, 1} {
		b, err := buildGraph(ds, GraphSpec{Name: "r", Kind: "rewire", P: p}, nil, 2, 0)
		if err != nil {
			t.Fatal(err)
		}
		if err := b.G.Validate(); err != nil {
			t.Fatalf("p=%g: %v", p, err)
		}
		w := b.Align.WithinClass
		// Expected fraction: (1 − p) + p/C for C balanced classes.
		want := (1 - p) + p/float64(ds.Classes)
		if math.Abs(w-want) > 0.03 || w >= prev {
			t.Errorf("p=%g: within-class fraction %.3f; want about %.3f and below %.3f", p, w, want, prev)
		}
		prev = w
	}
	if _, err := buildGraph(ds, GraphSpec{Name: "r", Kind: "rewire", P: 1.5}, nil, 2, 0); !errors.Is(err, ErrParam) {
		t.Errorf("p=1.5: %v; want ErrParam", err)
	}
}

func ExamplePresets() {
	c := Presets(Options{Demo: true})
	fmt.Println("E3 dataset:", c.E3.Dataset, "K:", c.E3.K, "regimes:", c.E3.Regimes)
	for _, g := range c.E3.Graphs {
		fmt.Print(g.Name, " ")
	}
	fmt.Println()
	// Output:
	// E3 dataset: digits K: 16 regimes: [linear feature]
	// label label-oracle rewire-0.6 knn-10 augment finer-3 coarser-2 random
}

// TestGraphCCAMatchesClosedForm checks the shortcut used by E3 for linear
// BarlowTwins against closedform.Solve: same loss, same subspace.
func TestGraphCCAMatchesClosedForm(t *testing.T) {
	b := digitsGraph(t, 300, 4, GraphSpec{Name: "r", Kind: "rewire", P: 0.3})
	p := closedform.Problem{Loss: closedform.BarlowTwins, Regime: closedform.Linear, G: b.G, X: b.X, K: 6}
	want, err := closedform.Solve(p)
	if err != nil {
		t.Fatal(err)
	}
	got, _, err := graphCCASolution(p)
	if err != nil {
		t.Fatal(err)
	}
	ang, err := linalg.PrincipalAngles(want.Z, got.Z)
	if err != nil {
		t.Fatal(err)
	}
	if d := math.Abs(got.PredictedLoss - want.PredictedLoss); d > 1e-9*math.Max(1, want.PredictedLoss) || ang[len(ang)-1] > 1e-5 {
		t.Errorf("loss %v vs %v, largest angle %v rad", got.PredictedLoss, want.PredictedLoss, ang[len(ang)-1])
	}
}

// TestBarlowTwinsLinearNotIdentifiableAboveRPlus checks that a linear
// BarlowTwins cell with K above the number r₊ of positive canonical
// correlations is marked not identifiable (its optimum's span is not pinned,
// closedform's finding), and one with K <= r₊ is not.
func TestBarlowTwinsLinearNotIdentifiableAboveRPlus(t *testing.T) {
	b := digitsGraph(t, 200, 4, GraphSpec{Name: "c", Kind: "coarser", P: 2})
	_, d := b.X.Dims()
	c := &spectral.GraphCCA{Components: min(d, 30), Reg: 1e-10}
	if err := c.FitGraph(b.X, b.G); err != nil {
		t.Fatal(err)
	}
	rPlus := 0
	for _, rho := range c.Eigenvalues() {
		if rho > rhoPositiveTol {
			rPlus++
		}
	}
	if rPlus < 1 || rPlus >= min(d, 30) {
		t.Fatalf("r₊ = %d: the test needs 1 <= r₊ < %d", rPlus, min(d, 30))
	}
	m := MethodSpec{Name: "BarlowTwins", Loss: closedform.BarlowTwins}
	plan := RefinePlan{MaxIter: 20, GradTol: RefineGradTol, LossTol: RefineLossTol, Restarts: 1}
	above, err := embed(b, m, closedform.Linear, rPlus+2, plan, 1)
	if err != nil {
		t.Fatal(err)
	}
	if above.Fit.Status != StatusNotIdentifiable || above.Fit.Note == "" {
		t.Errorf("K = r₊+2 = %d: status %q; want %q with a note", rPlus+2, above.Fit.Status, StatusNotIdentifiable)
	}
	at, err := embed(b, m, closedform.Linear, rPlus, plan, 1)
	if err != nil {
		t.Fatal(err)
	}
	if at.Fit.Status == StatusNotIdentifiable {
		t.Errorf("K = r₊ = %d: marked not identifiable", rPlus)
	}
}
