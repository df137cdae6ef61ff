package graph

import (
	"errors"
	"log/slog"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/eigenssl/eigenssl/internal/oracle"
)

// randomGraph returns a random symmetric weighted graph with edge probability
// p, possibly with isolated vertices.
func TestMain(m *testing.M) {
	// Disconnected test graphs are intended; keep the builders' warnings out
	// of the test output.
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError})))
	os.Exit(m.Run())
}

func randomGraph(t testing.TB, rng *rand.Rand, n int, p float64) *CSR {
	t.Helper()
	var rows, cols []int
	var vals []float64
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			if rng.Float64() < p {
				w := 0.1 + rng.Float64()
				rows = append(rows, i, j)
				cols = append(cols, j, i)
				vals = append(vals, w, w)
			}
		}
	}
	g, err := FromTriplets(n, rows, cols, vals, TripletOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func randomDense(rng *rand.Rand, r, c int) *mat.Dense {
	m := mat.NewDense(r, c, nil)
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			m.Set(i, j, rng.NormFloat64())
		}
	}
	return m
}

func eigvals(t *testing.T, a mat.Symmetric) []float64 {
	t.Helper()
	var e mat.EigenSym
	if !e.Factorize(a, false) {
		t.Fatal("EigenSym failed")
	}
	return e.Values(nil)
}

func symOf(m mat.Matrix) *mat.SymDense {
	n, _ := m.Dims()
	s := mat.NewSymDense(n, nil)
	for i := 0; i < n; i++ {
		for j := i; j < n; j++ {
			s.SetSym(i, j, m.At(i, j))
		}
	}
	return s
}

func TestAugmentationGraphSpectrumOracle(t *testing.T) {
	for _, c := range oracle.Named(t, "identities.json", "augmentation_graph_spectrum") {
		t.Run(c.Name, func(t *testing.T) {
			V, np := int(c.Param(t, "V")), int(c.Param(t, "Nprime"))
			g, info, err := Views(np, V)
			if err != nil {
				t.Fatal(err)
			}
			if err := g.Validate(); err != nil {
				t.Fatal(err)
			}
			want := c.Input(t, "G")
			if !mat.Equal(g.Dense(), want) {
				t.Fatalf("Views(%d, %d) differs from inputs.G", np, V)
			}
			N := float64(g.N)
			if info.N != g.N || info.Components != np || info.Edges != g.NNZ()/2 || info.Isolated != 0 {
				t.Errorf("info = %+v", info)
			}
			if d := maxDiff(g.Degree(nil), c.OutputVector(t, "degree")); d != 0 {
				t.Errorf("degree differs by %g", d)
			}
			check := func(name string, a mat.Symmetric) {
				got := eigvals(t, a)
				if d := maxDiff(got, c.OutputVector(t, name)); d > 1e-12*N {
					t.Errorf("%s: max diff %g", name, d)
				}
			}
			check("G_eigenvalues", symOf(g.Dense()))
			check("laplacian_eigenvalues", LaplacianDense(g, Unnormalized))
			check("normalized_laplacian_eigenvalues", LaplacianDense(g, SymNormalized))
			lop, _ := Laplacian(g, SymNormalized)
			check("normalized_laplacian_eigenvalues", symOf(lop.Dense()))
		})
	}
}

func maxDiff(a, b []float64) float64 {
	if len(a) != len(b) {
		return math.Inf(1)
	}
	d := 0.0
	for i := range a {
		d = math.Max(d, math.Abs(a[i]-b[i]))
	}
	return d
}

func twoTraceZtLZ(g *CSR, z mat.Matrix) float64 {
	var lz mat.Dense
	lz.Mul(LaplacianDense(g, Unnormalized), z)
	var tr float64
	r, c := z.Dims()
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			tr += z.At(i, j) * lz.At(i, j)
		}
	}
	return 2 * tr
}

func TestDirichletIdentity(t *testing.T) {
	for _, c := range oracle.Named(t, "identities.json", "pairwise_sum_equals_2_trace_ZtLZ") {
		g, err := FromDense(c.Input(t, "G"))
		if err != nil {
			t.Fatal(err)
		}
		if err := g.Validate(); err != nil {
			t.Fatal(err)
		}
		z := c.Input(t, "Z")
		got := g.DirichletEnergy(z)
		for _, name := range []string{"pairwise_sum", "two_trace_ZtLZ"} {
			want := c.OutputScalar(t, name)
			if math.Abs(got-want) > 1e-12*math.Max(1, math.Abs(want)) {
				t.Errorf("%s: DirichletEnergy %v; want %s %v", c.Name, got, name, want)
			}
		}
		if tt := twoTraceZtLZ(g, z); math.Abs(tt-got) > 1e-12*math.Max(1, math.Abs(got)) {
			t.Errorf("%s: 2 Tr = %v; energy %v", c.Name, tt, got)
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := 0; trial < 5; trial++ {
		g := randomGraph(t, rng, 30+10*trial, 0.2)
		z := randomDense(rng, g.N, 4)
		got, want := g.DirichletEnergy(z), twoTraceZtLZ(g, z)
		if math.Abs(got-want) > 1e-12*math.Max(1, math.Abs(want)) {
			t.Errorf("random graph %d: energy %v; 2 Tr(Z^T L Z) %v", trial, got, want)
		}
	}
}

func TestCSRBasics(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	g := randomGraph(t, rng, 25, 0.3)
	d := g.Dense()
	for i := 0; i < g.N; i++ {
		for j := 0; j < g.N; j++ {
			if g.At(i, j) != d.At(i, j) {
				t.Fatalf("At(%d,%d) = %v; dense %v", i, j, g.At(i, j), d.At(i, j))
			}
		}
	}
	back, err := FromDense(d)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(back.RowPtr, g.RowPtr) || !slices.Equal(back.Col, g.Col) || !slices.Equal(back.Val, g.Val) {
		t.Fatal("FromDense(Dense()) differs")
	}
	if !g.IsSymmetric(0) {
		t.Fatal("random graph not symmetric")
	}
	m := 0
	g.Edges(func(i, j int, w float64) {
		m++
		if i >= j || w != d.At(i, j) || w != d.At(j, i) {
			t.Fatalf("edge (%d,%d,%v)", i, j, w)
		}
	})
	if 2*m != g.NNZ() || m != g.NumEdges() {
		t.Fatalf("edges %d; nnz %d", m, g.NNZ())
	}
	deg := g.Degree(nil)
	for i := 0; i < g.N; i++ {
		s := 0.0
		for j := 0; j < g.N; j++ {
			s += d.At(i, j)
		}
		if math.Abs(s-deg[i]) > 1e-14*s {
			t.Fatalf("degree %d: %v; want %v", i, deg[i], s)
		}
	}
	x := randomDense(rng, g.N, 3)
	var got, want mat.Dense
	g.MulMatTo(&got, x)
	want.Mul(d, x)
	if !mat.EqualApprox(&got, &want, 1e-13) {
		t.Fatal("MulMatTo differs from dense product")
	}
	// Strided views and non-Dense matrices take the same path.
	big := randomDense(rng, g.N, 6)
	xs := big.Slice(0, g.N, 1, 4)
	var xT mat.Dense
	xT.CloneFrom(xs.T())
	for _, in := range []mat.Matrix{xs, mat.Transpose{Matrix: &xT}} {
		var got2, want2 mat.Dense
		g.MulMatTo(&got2, in)
		want2.Mul(d, in)
		if !mat.EqualApprox(&got2, &want2, 1e-13) {
			t.Fatalf("MulMatTo(%T) differs from dense product", in)
		}
		if e1, e2 := g.DirichletEnergy(in), twoTraceZtLZ(g, in); math.Abs(e1-e2) > 1e-12*e2 {
			t.Fatalf("DirichletEnergy(%T) = %v; want %v", in, e1, e2)
		}
	}
	xv := mat.Col(nil, 1, x)
	yv := make([]float64, g.N)
	g.MulVecTo(yv, xv)
	if dd := maxDiff(yv, mat.Col(nil, 1, &want)); dd > 1e-13 {
		t.Fatalf("MulVecTo differs by %g", dd)
	}
	// Asymmetric matrix through FromDense.
	d.Set(0, 1, d.At(0, 1)+1)
	a, _ := FromDense(d)
	if a.IsSymmetric(0.5) || !a.IsSymmetric(1.5) {
		t.Error("IsSymmetric tolerance")
	}
	if err := a.Validate(); !errors.Is(err, ErrAsymmetric) {
		t.Errorf("Validate asymmetric: %v", err)
	}
	var e *Error
	if !errors.As(a.Validate(), &e) || e.Param == "" {
		t.Errorf("Validate error does not name the entry: %v", e)
	}
	d.Set(2, 2, 1)
	sl, _ := FromDense(d)
	if sl.NNZ() != a.NNZ()+1 || sl.WithoutDiagonal().NNZ() != a.NNZ() {
		t.Error("FromDense keeps the diagonal; WithoutDiagonal drops it")
	}
}

func TestParallelMulVecMatchesSerial(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	// Large enough to cross parallelNNZ.
	n := 3000
	var rows, cols []int
	for i := 0; i < n; i++ {
		for t := 0; t < 8; t++ {
			j := rng.IntN(n)
			if j != i {
				rows = append(rows, i)
				cols = append(cols, j)
			}
		}
	}
	g, err := FromTriplets(n, rows, cols, nil, TripletOptions{Sym: SymMax})
	if err != nil {
		t.Fatal(err)
	}
	if g.NNZ() < parallelNNZ {
		t.Fatalf("graph too small to test the parallel path: nnz %d", g.NNZ())
	}
	prev := runtime.GOMAXPROCS(4)
	defer runtime.GOMAXPROCS(prev)
	x := make([]float64, n)
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	par := make([]float64, n)
	ser := make([]float64, n)
	g.MulVecTo(par, x)
	g.mulVecRows(ser, x, 0, n)
	if !slices.Equal(par, ser) {
		t.Fatal("parallel MulVecTo differs from serial")
	}
	for _, kind := range []LaplacianKind{Unnormalized, SymNormalized, RandomWalk} {
		l, err := Laplacian(g, kind)
		if err != nil {
			t.Fatal(err)
		}
		xm := mat.NewDense(n, 1, slices.Clone(x))
		var ym mat.Dense
		l.MulMatTo(&ym, xm)
		l.MulVecTo(par, x)
		runtime.GOMAXPROCS(1)
		l.MulVecTo(ser, x)
		runtime.GOMAXPROCS(4)
		if !slices.Equal(par, ser) {
			t.Fatalf("%v: parallel MulVecTo differs from serial", kind)
		}
		if d := maxDiff(ym.RawMatrix().Data, ser); d > 1e-14 {
			t.Fatalf("%v: MulMatTo differs from MulVecTo by %g", kind, d)
		}
	}
}

func TestLaplacianOperators(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	g := randomGraph(t, rng, 40, 0.1)
	// Force an isolated vertex.
	g = isolate(t, g, 3)
	deg := g.Degree(nil)
	if deg[3] != 0 {
		t.Fatal("vertex 3 not isolated")
	}
	n := g.N
	gd := g.Dense()
	// Independent dense constructions.
	want := map[LaplacianKind]*mat.Dense{}
	lu := mat.NewDense(n, n, nil)
	ls := mat.NewDense(n, n, nil)
	lr := mat.NewDense(n, n, nil)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			dij := 0.0
			if i == j {
				dij = 1
			}
			lu.Set(i, j, dij*deg[i]-gd.At(i, j))
			if deg[i] > 0 && deg[j] > 0 {
				ls.Set(i, j, dij-gd.At(i, j)/math.Sqrt(deg[i]*deg[j]))
			}
			if deg[i] > 0 {
				lr.Set(i, j, dij-gd.At(i, j)/deg[i])
			}
		}
	}
	want[Unnormalized], want[SymNormalized], want[RandomWalk] = lu, ls, lr
	x := randomDense(rng, n, 3)
	for kind, w := range want {
		l, err := Laplacian(g, kind)
		if err != nil {
			t.Fatal(err)
		}
		if !mat.EqualApprox(l.Dense(), w, 1e-14) {
			t.Errorf("%v: Dense differs", kind)
		}
		if kind != RandomWalk && !mat.EqualApprox(LaplacianDense(g, kind), w, 1e-14) {
			t.Errorf("%v: LaplacianDense differs", kind)
		}
		var got, ref mat.Dense
		l.MulMatTo(&got, x)
		ref.Mul(w, x)
		if !mat.EqualApprox(&got, &ref, 1e-13) {
			t.Errorf("%v: MulMatTo differs", kind)
		}
		v := make([]float64, n)
		l.MulVecTo(v, mat.Col(nil, 0, x))
		if d := maxDiff(v, mat.Col(nil, 0, &ref)); d > 1e-13 {
			t.Errorf("%v: MulVecTo differs by %g", kind, d)
		}
	}
	// A = I - L_sym, exactly on the isolated vertex too.
	a, err := NormalizedAdjacency(g)
	if err != nil {
		t.Fatal(err)
	}
	var ia mat.Dense
	ia.Sub(eye(n), ls)
	if !mat.EqualApprox(a.Dense(), &ia, 1e-14) {
		t.Error("NormalizedAdjacency != I - L_sym")
	}
	// Null space of L_sym has dimension = number of components.
	_, c := Components(g)
	vals := eigvals(t, LaplacianDense(g, SymNormalized))
	zeros := 0
	for _, v := range vals {
		if math.Abs(v) < 1e-10 {
			zeros++
		}
	}
	if zeros != c {
		t.Errorf("L_sym has %d zero eigenvalues; %d components", zeros, c)
	}
	if _, err := Laplacian(g, LaplacianKind(9)); !errors.Is(err, ErrParam) {
		t.Errorf("unknown kind: %v", err)
	}
	if _, err := Laplacian(&CSR{}, Unnormalized); !errors.Is(err, ErrEmpty) {
		t.Errorf("empty graph: %v", err)
	}
}

func eye(n int) *mat.Dense {
	m := mat.NewDense(n, n, nil)
	for i := 0; i < n; i++ {
		m.Set(i, i, 1)
	}
	return m
}

// isolate removes every edge of vertex v.
func isolate(t testing.TB, g *CSR, v int) *CSR {
	var rows, cols []int
	var vals []float64
	for i := 0; i < g.N; i++ {
		for p := g.RowPtr[i]; p < g.RowPtr[i+1]; p++ {
			if i != v && g.Col[p] != v {
				rows = append(rows, i)
				cols = append(cols, g.Col[p])
				vals = append(vals, g.Val[p])
			}
		}
	}
	h, err := FromTriplets(g.N, rows, cols, vals, TripletOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestFromTripletsSymmetrize(t *testing.T) {
	// Directed A: (0,1)=2, (1,0)=4, (0,2)=3 one-sided, (1,2) listed twice (1+1).
	rows := []int{0, 1, 0, 1, 1}
	cols := []int{1, 0, 2, 2, 2}
	vals := []float64{2, 4, 3, 1, 1}
	type e struct {
		i, j int
		w    float64
	}
	cases := []struct {
		sym  Symmetrize
		want []e
	}{
		{SymMax, []e{{0, 1, 4}, {0, 2, 3}, {1, 2, 2}}},
		{SymAvg, []e{{0, 1, 3}, {0, 2, 1.5}, {1, 2, 1}}},
		{SymSum, []e{{0, 1, 6}, {0, 2, 3}, {1, 2, 2}}},
		{SymMin, []e{{0, 1, 2}}},
	}
	for _, c := range cases {
		g, err := FromTriplets(3, rows, cols, vals, TripletOptions{Sym: c.sym})
		if err != nil {
			t.Fatal(err)
		}
		if err := g.Validate(); err != nil {
			t.Fatalf("%v: %v", c.sym, err)
		}
		var got []e
		g.Edges(func(i, j int, w float64) { got = append(got, e{i, j, w}) })
		if !slices.Equal(got, c.want) {
			t.Errorf("%v: got %v; want %v", c.sym, got, c.want)
		}
	}
	_, err := FromTriplets(3, rows, cols, vals, TripletOptions{})
	var ge *Error
	if !errors.Is(err, ErrAsymmetric) || !errors.As(err, &ge) || ge.Param != "A[0,1] != A[1,0]" {
		t.Errorf("SymNone on asymmetric input: %v", err)
	}
	// Self loops: error or dropped.
	if _, err := FromTriplets(3, []int{1}, []int{1}, nil, TripletOptions{}); !errors.Is(err, ErrSelfLoop) {
		t.Errorf("self loop: %v", err)
	}
	g, err := FromTriplets(3, []int{1, 0, 1}, []int{1, 1, 0}, nil, TripletOptions{DropSelfLoops: true})
	if err != nil || g.NNZ() != 2 {
		t.Errorf("dropped self loop: %v, nnz %d", err, g.NNZ())
	}
}

func TestBadInputSentinels(t *testing.T) {
	opt := TripletOptions{Sym: SymMax}
	cases := []struct {
		name string
		err  error
		want error
	}{
		{"n=0", second(FromTriplets(0, nil, nil, nil, opt)), ErrEmpty},
		{"length mismatch", second(FromTriplets(3, []int{0}, []int{1, 2}, nil, opt)), ErrShape},
		{"vals length", second(FromTriplets(3, []int{0}, []int{1}, []float64{1, 2}, opt)), ErrShape},
		{"row index", second(FromTriplets(3, []int{3}, []int{1}, nil, opt)), ErrIndex},
		{"col index", second(FromTriplets(3, []int{0}, []int{-1}, nil, opt)), ErrIndex},
		{"negative", second(FromTriplets(3, []int{0}, []int{1}, []float64{-1}, opt)), ErrNegativeWeight},
		{"nan", second(FromTriplets(3, []int{0}, []int{1}, []float64{math.NaN()}, opt)), ErrNaN},
		{"inf", second(FromTriplets(3, []int{0}, []int{1}, []float64{math.Inf(1)}, opt)), ErrNaN},
		{"sym enum", second(FromTriplets(3, []int{0}, []int{1}, nil, TripletOptions{Sym: 42})), ErrParam},
		{"views nOrig", third(Views(0, 2)), ErrEmpty},
		{"views V", third(Views(3, 1)), ErrParam},
		{"labels empty", third(Labels(nil)), ErrEmpty},
		{"edges n", third(FromEdges(0, [][2]int{{0, 1}}, nil)), ErrEmpty},
		{"edges index", third(FromEdges(2, [][2]int{{0, 2}}, nil)), ErrIndex},
		{"edges self", third(FromEdges(2, [][2]int{{1, 1}}, nil)), ErrSelfLoop},
		{"edges weights", third(FromEdges(2, [][2]int{{0, 1}}, []float64{1, 2})), ErrShape},
		{"edges negative", third(FromEdges(2, [][2]int{{0, 1}}, []float64{-2})), ErrNegativeWeight},
		{"edges nan", third(FromEdges(2, [][2]int{{0, 1}}, []float64{math.NaN()})), ErrNaN},
		{"edges conflict", third(FromEdges(3, [][2]int{{0, 1}, {1, 0}}, []float64{1, 2})), ErrDuplicate},
		{"fromdense shape", second(FromDense(mat.NewDense(2, 3, nil))), ErrShape},
		{"fromdense nan", second(FromDense(mat.NewDense(2, 2, []float64{0, math.NaN(), 1, 0}))), ErrNaN},
		{"validate negative", (&CSR{N: 2, RowPtr: []int{0, 1, 2}, Col: []int{1, 0}, Val: []float64{-1, -1}}).Validate(), ErrNegativeWeight},
		{"validate selfloop", (&CSR{N: 2, RowPtr: []int{0, 1, 1}, Col: []int{0}, Val: []float64{1}}).Validate(), ErrSelfLoop},
		{"validate structure", (&CSR{N: 2, RowPtr: []int{0, 1}, Col: []int{1}, Val: []float64{1}}).Validate(), ErrStructure},
		{"validate order", (&CSR{N: 3, RowPtr: []int{0, 2, 3, 4}, Col: []int{2, 1, 0, 0}, Val: []float64{1, 1, 1, 1}}).Validate(), ErrStructure},
		{"validate index", (&CSR{N: 2, RowPtr: []int{0, 1, 1}, Col: []int{5}, Val: []float64{1}}).Validate(), ErrIndex},
		{"validate nan", (&CSR{N: 2, RowPtr: []int{0, 1, 2}, Col: []int{1, 0}, Val: []float64{math.Inf(1), math.Inf(1)}}).Validate(), ErrNaN},
		{"geodesics source", second(Geodesics(&CSR{N: 2, RowPtr: []int{0, 0, 0}}, []int{2}, 1)), ErrIndex},
		{"geodesics no source", second(Geodesics(&CSR{N: 2, RowPtr: []int{0, 0, 0}}, nil, 1)), ErrEmpty},
		{"allpairs too large", second(AllPairsGeodesics(&CSR{N: MaxAllPairsN + 1}, 1, false)), ErrTooLarge},
	}
	for _, c := range cases {
		if !errors.Is(c.err, c.want) {
			t.Errorf("%s: got %v; want %v", c.name, c.err, c.want)
			continue
		}
		var e *Error
		if !errors.As(c.err, &e) {
			t.Errorf("%s: %T is not *Error", c.name, c.err)
		}
	}
}

func second[A any](_ A, err error) error        { return err }
func third[A, B any](_ A, _ B, err error) error { return err }

func TestFromEdgesAndLabels(t *testing.T) {
	g, info, err := FromEdges(5, [][2]int{{0, 1}, {1, 0}, {2, 3}, {3, 2}, {1, 2}}, []float64{2, 2, 1, 1, 0.5})
	if err != nil {
		t.Fatal(err)
	}
	if info.Edges != 3 || info.Components != 2 || info.Isolated != 1 || info.MaxDegree != 2.5 || info.MinDegree != 0 {
		t.Errorf("info %+v", info)
	}
	if g.At(0, 1) != 2 || g.At(1, 0) != 2 || g.At(1, 2) != 0.5 || g.At(3, 2) != 1 || g.At(0, 4) != 0 {
		t.Error("FromEdges entries")
	}
	y := []int{2, 0, 2, -1, 0, 2}
	l, info, err := Labels(y)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Validate(); err != nil {
		t.Fatal(err)
	}
	for i := range y {
		for j := range y {
			want := 0.0
			if i != j && y[i] >= 0 && y[i] == y[j] {
				want = 1
			}
			if l.At(i, j) != want {
				t.Fatalf("Labels G[%d,%d] = %v; want %v", i, j, l.At(i, j), want)
			}
		}
	}
	if info.Components != 3 || info.Isolated != 1 {
		t.Errorf("labels info %+v", info)
	}
}

func TestComponentsKnownGraph(t *testing.T) {
	// 0-1-2, 3 isolated, 4-5, 6-2.
	g, _, err := FromEdges(7, [][2]int{{0, 1}, {1, 2}, {4, 5}, {6, 2}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	labels, c := Components(g)
	want := []int{0, 0, 0, 1, 2, 2, 0}
	if c != 3 || !slices.Equal(labels, want) {
		t.Errorf("Components = %v, %d; want %v, 3", labels, c, want)
	}
}

func TestGeodesicsSmall(t *testing.T) {
	// Path 0 -1- 1 -2- 2, shortcut 0 -4- 2, vertex 3 isolated.
	g, _, err := FromEdges(4, [][2]int{{0, 1}, {1, 2}, {0, 2}}, []float64{1, 2, 4})
	if err != nil {
		t.Fatal(err)
	}
	d, err := AllPairsGeodesics(g, 2, false)
	if err != nil {
		t.Fatal(err)
	}
	inf := math.Inf(1)
	want := mat.NewDense(4, 4, []float64{
		0, 1, 3, inf,
		1, 0, 2, inf,
		3, 2, 0, inf,
		inf, inf, inf, 0,
	})
	if !mat.Equal(d, want) {
		t.Errorf("geodesics\n%v\nwant\n%v", mat.Formatted(d), mat.Formatted(want))
	}
}

// The precomputed-affinity cases pin scikit-learn's Laplacian conventions:
// the diagonal is ignored for the degrees and both Laplacians.
func TestSpectralEmbeddingLaplacianOracle(t *testing.T) {
	for _, c := range oracle.Named(t, "spectral.json", "spectral_embedding") {
		a, err := FromDense(c.Input(t, "affinity"))
		if err != nil {
			t.Fatal(err)
		}
		g := a.WithoutDiagonal()
		if err := g.Validate(); err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		if d := maxDiff(g.Degree(nil), c.OutputVector(t, "degree")); d > 1e-12*oracle.Scale(mat.NewVecDense(g.N, c.OutputVector(t, "degree"))) {
			t.Errorf("%s: degree differs by %g", c.Name, d)
		}
		kind := Unnormalized
		if c.Param(t, "norm_laplacian") != 0 {
			kind = SymNormalized
		}
		vals := eigvals(t, LaplacianDense(g, kind))
		head := c.OutputVector(t, "laplacian_spectrum_head")
		tol := 1e-9 * math.Max(1, math.Abs(vals[len(vals)-1]))
		if d := maxDiff(vals[:len(head)], head); d > tol {
			t.Errorf("%s: spectrum head differs by %g", c.Name, d)
		}
	}
}
