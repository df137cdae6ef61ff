package closedform

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/eigenssl/eigenssl/data"
	"github.com/eigenssl/eigenssl/graph"
	"gonum.org/v1/gonum/mat"
)

// statsTol is the agreement required between SolveStats and Solve.
const statsTol = 1e-10

// scaledData returns an n x d design with distinct column scales and a
// non-zero mean, so that the spectra of the test problems are simple.
func scaledData(n, d int, seed uint64) *mat.Dense {
	x := randMat(n, d, seed)
	for j := 0; j < d; j++ {
		for i := 0; i < n; i++ {
			x.Set(i, j, x.At(i, j)*(1+0.7*float64(j))+0.3*float64(j))
		}
	}
	return x
}

// projectorGap returns ‖P_a − P_b‖_F for the orthogonal projectors on the
// column spaces of a and b (√2 ‖sin θ‖ over the principal angles θ when the
// ranks agree), accurate to about ε even for tiny angles.
func projectorGap(t *testing.T, a, b *mat.Dense) float64 {
	t.Helper()
	pa, pb := projector(t, a), projector(t, b)
	var d mat.Dense
	d.Sub(pa, pb)
	return mat.Norm(&d, 2)
}

func projector(t *testing.T, a *mat.Dense) *mat.Dense {
	t.Helper()
	var svd mat.SVD
	if !svd.Factorize(a, mat.SVDThin) {
		t.Fatal("svd failed")
	}
	sv := svd.Values(nil)
	var u mat.Dense
	svd.UTo(&u)
	r := 0
	for _, v := range sv {
		if v > 1e-9*sv[0] {
			r++
		}
	}
	n, _ := a.Dims()
	q := u.Slice(0, n, 0, r)
	var p mat.Dense
	p.Mul(q, q.T())
	return &p
}

func relDiff(a, b []float64) float64 {
	var num, den float64
	for i := range a {
		num = math.Max(num, math.Abs(a[i]-b[i]))
		den = math.Max(den, math.Abs(b[i]))
	}
	return num / math.Max(den, 1e-300)
}

// compareSolutions checks a SolveStats solution against Solve's: W's column
// space, Z = X W + b as a subspace (centred for the VICReg losses) and its
// singular values, the spectrum and the predicted loss, all within statsTol.
func compareSolutions(t *testing.T, name string, x *mat.Dense, got, want *Solution) {
	t.Helper()
	if got.W == nil || want.W == nil {
		t.Fatalf("%s: W missing (stats %v, memory %v)", name, got.W != nil, want.W != nil)
	}
	if g := projectorGap(t, got.W, want.W); g > statsTol {
		t.Errorf("%s: ‖P_W(stats) − P_W(memory)‖ = %.3g > %g", name, g, statsTol)
	}
	n, _ := x.Dims()
	_, k := got.W.Dims()
	z := mat.NewDense(n, k, nil)
	z.Mul(x, got.W)
	for i := 0; i < n && got.Bias != nil; i++ {
		for j := 0; j < k; j++ {
			z.Set(i, j, z.At(i, j)+got.Bias[j])
		}
	}
	if g := projectorGap(t, z, want.Z); g > statsTol {
		t.Errorf("%s: ‖P_Z(stats) − P_Z(memory)‖ = %.3g > %g", name, g, statsTol)
	}
	if d := relDiff(got.SingularValues, want.SingularValues); d > statsTol {
		t.Errorf("%s: singular values %v, memory %v (rel %.3g)", name, got.SingularValues, want.SingularValues, d)
	}
	if d := relDiff(got.Spectrum, want.Spectrum); d > statsTol {
		t.Errorf("%s: spectrum %v, memory %v (rel %.3g)", name, got.Spectrum, want.Spectrum, d)
	}
	if d := math.Abs(got.PredictedLoss-want.PredictedLoss) / math.Max(1, math.Abs(want.PredictedLoss)); d > statsTol {
		t.Errorf("%s: predicted loss %.15g, memory %.15g", name, got.PredictedLoss, want.PredictedLoss)
	}
	if got.Rank != want.Rank || got.Exact != want.Exact || got.Components != want.Components {
		t.Errorf("%s: rank/exact/components %d/%v/%d, memory %d/%v/%d", name, got.Rank, got.Exact, got.Components,
			want.Rank, want.Exact, want.Components)
	}
	if (got.Bias == nil) != (want.Bias == nil) || (got.Bias != nil && relDiff(got.Bias, want.Bias) > 1e-8) {
		t.Errorf("%s: bias %v, memory %v", name, got.Bias, want.Bias)
	}
}

// shardCase is a data set split into shards, each with its rows' relation.
type shardCase struct {
	name   string
	x      *mat.Dense // all rows, in the order G is built on
	g      *graph.CSR
	shards []func(s *Stats) error
}

// shardedCases returns views (stacked), labels (classes spanning shards,
// some unlabelled rows) and local edge-list cases, each cut into uneven shards.
func shardedCases(t *testing.T, d int) []shardCase {
	t.Helper()
	var cs []shardCase
	// Views: shards of B samples with V = 3 stacked views each; the global
	// rows are the shards one after another.
	{
		const V = 3
		sizes := []int{5, 17, 1, 30, 9}
		var blocks []*mat.Dense
		var edges [][2]int
		off := 0
		c := shardCase{name: "views-V3"}
		for si, b := range sizes {
			xb := scaledData(V*b, d, uint64(10+si))
			for j := 0; j < b; j++ {
				xb.SetRow(j+b, addNoise(xb.RawRowView(j), 0.3, uint64(100*si+j)))
				xb.SetRow(j+2*b, addNoise(xb.RawRowView(j), 0.5, uint64(100*si+j+50)))
				for u := 0; u < V; u++ {
					for w := u + 1; w < V; w++ {
						edges = append(edges, [2]int{off + u*b + j, off + w*b + j})
					}
				}
			}
			blocks = append(blocks, xb)
			off += V * b
			c.shards = append(c.shards, func(s *Stats) error { return s.AddViews(xb, V) })
		}
		c.x = stack(blocks)
		g, _, err := graph.FromEdges(off, edges, nil)
		if err != nil {
			t.Fatal(err)
		}
		c.g = g
		cs = append(cs, c)
	}
	// Labels: 4 classes dealt over 130 rows, every 11th row unlabelled.
	{
		x := scaledData(130, d, 20)
		y := make([]int, 130)
		for i := range y {
			y[i] = (i * 7) % 4
			if i%11 == 3 {
				y[i] = -1
			}
			// class means apart, so that G carries signal
			for j := 0; j < d; j++ {
				x.Set(i, j, x.At(i, j)+float64(y[i]*(j%3)))
			}
		}
		g, _, err := graph.Labels(y)
		if err != nil {
			t.Fatal(err)
		}
		c := shardCase{name: "labels", x: x, g: g}
		for _, cut := range [][2]int{{0, 40}, {40, 41}, {41, 97}, {97, 130}} {
			xs := mat.DenseCopyOf(x.Slice(cut[0], cut[1], 0, d))
			ys := y[cut[0]:cut[1]]
			c.shards = append(c.shards, func(s *Stats) error { return s.AddLabelled(xs, ys) })
		}
		cs = append(cs, c)
	}
	// Edges: a weighted kNN graph inside each shard (irregular degrees).
	{
		sizes := []int{40, 25, 60}
		var blocks []*mat.Dense
		var edges [][2]int
		var w []float64
		off := 0
		c := shardCase{name: "edges-knn"}
		for si, b := range sizes {
			xb := scaledData(b, d, uint64(30+si))
			gb, _, err := graph.KNN(xb, 4, graph.KNNOptions{Weight: graph.Gaussian})
			if err != nil {
				t.Fatal(err)
			}
			gb.Edges(func(i, j int, v float64) {
				edges = append(edges, [2]int{off + i, off + j})
				w = append(w, v)
			})
			blocks = append(blocks, xb)
			off += b
			c.shards = append(c.shards, func(s *Stats) error { return s.AddGraph(xb, gb) })
		}
		c.x = stack(blocks)
		g, _, err := graph.FromEdges(off, edges, w)
		if err != nil {
			t.Fatal(err)
		}
		c.g = g
		cs = append(cs, c)
	}
	return cs
}

func addNoise(v []float64, sd float64, seed uint64) []float64 {
	rng := rand.New(rand.NewPCG(seed, 3))
	out := make([]float64, len(v))
	for i := range v {
		out[i] = v[i] + sd*rng.NormFloat64()
	}
	return out
}

func stack(blocks []*mat.Dense) *mat.Dense {
	var out *mat.Dense
	for _, b := range blocks {
		if out == nil {
			out = mat.DenseCopyOf(b)
			continue
		}
		var s mat.Dense
		s.Stack(out, b)
		out = &s
	}
	return out
}

// statsInOrder builds one Stats per shard and merges them in the order perm.
func statsInOrder(t *testing.T, c shardCase, d int, perm []int) *Stats {
	t.Helper()
	var total *Stats
	for _, i := range perm {
		s, err := NewStats(d)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.shards[i](s); err != nil {
			t.Fatalf("%s shard %d: %v", c.name, i, err)
		}
		if total == nil {
			total = s
		} else if err := total.Merge(s); err != nil {
			t.Fatal(err)
		}
	}
	return total
}

// TestSolveStatsMatchesSolve: for every streamable relation and every loss
// with a sums-only closed form, SolveStats on per-shard statistics merged in
// several orders equals Solve on the whole X and G within 1e-10 (W and Z
// subspaces, singular values, spectrum, predicted loss).
func TestSolveStatsMatchesSolve(t *testing.T) {
	const d = 6
	for _, c := range shardedCases(t, d) {
		n := len(c.shards)
		orders := [][]int{make([]int, n), make([]int, n), rand.New(rand.NewPCG(9, 9)).Perm(n)}
		for i := range n {
			orders[0][i], orders[1][i] = i, n-1-i
		}
		for _, loss := range StatsLosses() {
			for _, k := range []int{2, 4} {
				want, err := Solve(Problem{Loss: loss, Regime: Linear, G: c.g, X: c.x, K: k, Gamma: 0.2})
				if err != nil {
					t.Fatalf("%s %s: %v", c.name, loss, err)
				}
				for oi, perm := range orders {
					s := statsInOrder(t, c, d, perm)
					got, err := SolveStats(Problem{Loss: loss, K: k, Gamma: 0.2}, s)
					if err != nil {
						t.Fatalf("%s %s: %v", c.name, loss, err)
					}
					compareSolutions(t, fmt.Sprintf("%s/%s/K=%d/order%d", c.name, loss, k, oi), c.x, got, want)
				}
			}
		}
	}
}

// TestStatsBinaryRoundTrip: encoding and decoding keeps every sum (the
// decoded Stats solves to the identical W), and corrupt input is refused.
func TestStatsBinaryRoundTrip(t *testing.T) {
	const d = 5
	c := shardedCases(t, d)[1] // labels: classes as well as sums
	s := statsInOrder(t, c, d, []int{0, 1, 2, 3})
	buf, err := s.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var u Stats
	if err := u.UnmarshalBinary(buf); err != nil {
		t.Fatal(err)
	}
	a, err := SolveStats(Problem{Loss: VICReg, K: 3}, s)
	if err != nil {
		t.Fatal(err)
	}
	b, err := SolveStats(Problem{Loss: VICReg, K: 3}, &u)
	if err != nil {
		t.Fatal(err)
	}
	if !mat.Equal(a.W, b.W) {
		t.Errorf("decoded Stats solve to a different W")
	}
	for _, bad := range [][]byte{buf[:len(buf)-1], append(append([]byte{}, buf...), 0), []byte("nonsense")} {
		if err := new(Stats).UnmarshalBinary(bad); !errors.Is(err, ErrShape) {
			t.Errorf("corrupt input (%d bytes): err = %v, want ErrShape", len(bad), err)
		}
	}
}

// TestStatsDecodeShortHeader: a header whose dimension the data cannot
// fill is refused before the sums are allocated (a 45-byte input claiming
// D = 512 would otherwise allocate 10 D² doubles, 21 MB, first).
func TestStatsDecodeShortHeader(t *testing.T) {
	var b bytes.Buffer
	b.WriteString(statsMagic)
	_ = binary.Write(&b, binary.LittleEndian, []int64{512, 10, 0, 0})
	b.WriteByte(1)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	err := new(Stats).UnmarshalBinary(b.Bytes())
	runtime.ReadMemStats(&after)
	if !errors.Is(err, ErrShape) {
		t.Errorf("err = %v; want ErrShape", err)
	}
	if a := after.TotalAlloc - before.TotalAlloc; a > 1<<20 {
		t.Errorf("decoding %d bytes allocated %d bytes", b.Len(), a)
	}
}

// TestKsumCompensated: the compensated sum recovers what plain float64
// summation loses (1e16 + 1000 × 1 − 1e16 is 0 in plain summation).
func TestKsumCompensated(t *testing.T) {
	k := newKsum(1)
	k.add([]float64{1e16}, 1)
	for range 1000 {
		k.add([]float64{1}, 1)
	}
	k.add([]float64{-1e16}, 1)
	if v := k.value()[0]; v != 1000 {
		t.Errorf("compensated sum = %g, want 1000", v)
	}
}

// stackedDraws returns the views of M draws of V views of x's rows
// stacked in memory (draw m's views as data.MakeViews makes them, row
// u·n + i of its block, with data.ViewSeed for steps 1..M) and the graph
// joining the V = 2 views of each sample in each draw.
func stackedDraws(t *testing.T, x *mat.Dense, aug data.Augmenter, seed uint64, M, V int) (*mat.Dense, *graph.CSR) {
	t.Helper()
	n, d := x.Dims()
	var blocks []*mat.Dense
	var edges [][2]int
	for m := 1; m <= M; m++ {
		xv := mat.NewDense(V*n, d, nil)
		for i := 0; i < n; i++ {
			for u := 0; u < V; u++ {
				s1, s2 := data.ViewSeed(seed, m, i, u, V)
				aug.Apply(xv.RawRowView(u*n+i), x.RawRowView(i), rand.New(rand.NewPCG(s1, s2)))
			}
			edges = append(edges, [2]int{(m-1)*V*n + i, (m-1)*V*n + n + i})
		}
		blocks = append(blocks, xv)
	}
	g, _, err := graph.FromEdges(M*V*n, edges, nil)
	if err != nil {
		t.Fatal(err)
	}
	return stack(blocks), g
}

// matchesSolve compares SolveStats on s with Solve on the graph g over
// the rows x (K = 3) for every loss solvable from statistics.
func matchesSolve(t *testing.T, label string, s *Stats, g *graph.CSR, x *mat.Dense) {
	t.Helper()
	for _, loss := range StatsLosses() {
		want, err := Solve(Problem{Loss: loss, Regime: Linear, G: g, X: x, K: 3})
		if err != nil {
			t.Fatal(err)
		}
		got, err := SolveStats(Problem{Loss: loss, K: 3}, s)
		if err != nil {
			t.Fatal(err)
		}
		compareSolutions(t, label+"/"+loss, x, got, want)
	}
}

// TestStreamViewsDrawsMatchesStackedDraws: the streamed views relation
// with an augmentation and M draws, over shards absorbed in any order, equals
// Solve on the M draws stacked in memory (views made with data.ViewSeed for
// steps 1..M), i.e. the closed form of the union of the M augmentation graphs.
func TestStreamViewsDrawsMatchesStackedDraws(t *testing.T) {
	const (
		n, d, V, M = 90, 5, 2, 3
		seed       = 42
	)
	x := scaledData(n, d, 77)
	aug, err := data.ParseAugment("noise:0.3", [2]int{})
	if err != nil {
		t.Fatal(err)
	}
	rel := StreamRelation{Kind: graph.ViewsRelation, V: V, Augment: aug, Seed: seed, Draws: M}
	xall, g := stackedDraws(t, x, aug, seed, M, V)
	cuts := [][2]int{{0, 13}, {13, 50}, {50, 51}, {51, 90}}
	for _, perm := range [][]int{{0, 1, 2, 3}, {3, 1, 0, 2}} {
		var total *Stats
		for _, ci := range perm {
			s, _ := NewStats(d)
			lo, hi := cuts[ci][0], cuts[ci][1]
			if err := rel.Absorb(s, mat.DenseCopyOf(x.Slice(lo, hi, 0, d)), lo, nil, nil); err != nil {
				t.Fatal(err)
			}
			if total == nil {
				total = s
			} else if err := total.Merge(s); err != nil {
				t.Fatal(err)
			}
		}
		if total.Rows() != int64(M*V*n) {
			t.Fatalf("rows %d, want %d", total.Rows(), M*V*n)
		}
		matchesSolve(t, fmt.Sprintf("draws/%v", perm), total, g, xall)
	}
}

// TestStatsBarlowIsLPP: the barlowtwins directions from Stats span LPP's
// (XᵀLX a = λ XᵀDX a, smallest): λ = 1 − ρ.
func TestStatsBarlowIsLPP(t *testing.T) {
	const d = 6
	c := shardedCases(t, d)[2]
	s := statsInOrder(t, c, d, []int{2, 0, 1})
	sol, err := SolveStats(Problem{Loss: BarlowTwins, K: 2}, s)
	if err != nil {
		t.Fatal(err)
	}
	ls := s.sums()
	// Smallest generalised eigenpairs of (XᵀLX, XᵀDX), computed directly.
	b, err := whitener(ls.xdx)
	if err != nil {
		t.Fatal(err)
	}
	vals, vecs, err := eigAsc(sandwich(b, ls.xlx))
	if err != nil {
		t.Fatal(err)
	}
	var lpp mat.Dense
	lpp.Mul(b, vecs.Slice(0, d, 0, 2))
	if g := projectorGap(t, sol.W, &lpp); g > statsTol {
		t.Errorf("‖P_W(barlow) − P_W(LPP)‖ = %.3g", g)
	}
	for k := 0; k < 2; k++ {
		if math.Abs(vals[k]-(1-sol.Spectrum[k])) > 1e-10 {
			t.Errorf("λ_%d = %.15g, 1 − ρ = %.15g", k, vals[k], 1-sol.Spectrum[k])
		}
	}
}

// TestStatsErrors: bad input is refused with the sentinel and the name of
// the offending argument.
func TestStatsErrors(t *testing.T) {
	if _, err := NewStats(0); !errors.Is(err, ErrParam) {
		t.Errorf("NewStats(0): %v", err)
	}
	s, _ := NewStats(3)
	if err := s.AddViews(randMat(5, 3, 1), 2); !errors.Is(err, ErrShape) {
		t.Errorf("5 rows with V = 2: %v", err)
	}
	if err := s.AddViews(randMat(4, 3, 1), 1); !errors.Is(err, ErrParam) {
		t.Errorf("V = 1: %v", err)
	}
	if err := s.AddRows(randMat(4, 2, 1)); !errors.Is(err, ErrShape) {
		t.Errorf("2 columns into D = 3: %v", err)
	}
	if err := s.AddLabelled(randMat(4, 3, 1), []int{0, 1}); !errors.Is(err, ErrShape) {
		t.Errorf("2 labels for 4 rows: %v", err)
	}
	nan := randMat(4, 3, 1)
	nan.Set(2, 1, math.NaN())
	if err := s.AddRows(nan); !errors.Is(err, ErrNaN) {
		t.Errorf("NaN row: %v", err)
	}
	o, _ := NewStats(4)
	if err := s.Merge(o); !errors.Is(err, ErrShape) {
		t.Errorf("merge D = 4 into D = 3: %v", err)
	}
	if err := s.AddRows(randMat(4, 3, 1)); err != nil {
		t.Fatal(err)
	}
	if _, err := SolveStats(Problem{Loss: VICReg, K: 2}, s); !errors.Is(err, ErrGraph) {
		t.Errorf("no edges: %v", err)
	}
	if err := s.AddViews(randMat(8, 3, 2), 2); err != nil {
		t.Fatal(err)
	}
	for _, l := range []string{VICRegHinge, SimCLR} {
		if _, err := SolveStats(Problem{Loss: l, K: 2}, s); !errors.Is(err, ErrParam) {
			t.Errorf("%s from stats: %v", l, err)
		}
	}
	if _, err := SolveStats(Problem{Loss: VICReg, Regime: Feature, K: 2}, s); !errors.Is(err, ErrParam) {
		t.Errorf("feature regime from stats: %v", err)
	}
	if _, err := SolveStats(Problem{Loss: VICReg, K: 2, X: randMat(2, 3, 1)}, s); !errors.Is(err, ErrParam) {
		t.Errorf("X with stats: %v", err)
	}
	// Explicit invalid hyper-parameters are errors, as in Solve (the ones
	// the stats losses do not use included).
	for name, p := range map[string]Problem{
		"K = 0":     {Loss: VICReg},
		"gamma < 0": {Loss: VICReg, K: 2, Gamma: -1},
		"alpha NaN": {Loss: BarlowTwins, K: 2, Alpha: math.NaN()},
		"tau < 0":   {Loss: VICReg, K: 2, Tau: -0.1},
	} {
		if _, err := SolveStats(p, s); !errors.Is(err, ErrParam) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if err := (StreamRelation{Kind: graph.ViewsRelation, V: 2, Draws: 3}).Validate(); !errors.Is(err, ErrParam) {
		t.Errorf("3 draws without augmentation: %v", err)
	}
	if err := (StreamRelation{Kind: graph.KNNRelation}).Validate(); !errors.Is(err, ErrUnknown) {
		t.Errorf("knn streamed: %v", err)
	}
}

// TestAddGraphCompensatesBlocks: AddGraph adds its row blocks with the same
// compensation as AddRows, so a sum whose large terms cancel across blocks
// keeps the small ones. Rows 0 and N−1 contribute ±1e16 to entry (0,1) of
// XᵀDX in the first and last of three blocks and every other row 2^-14;
// with the pair graph (2i, 2i+1), D = I and XᵀDX = XᵀX, which AddRows
// accumulates block by block with compensation. Plain summation of the block
// products loses the middle block's 0.125 against 1e16 and returns 0.
func TestAddGraphCompensatesBlocks(t *testing.T) {
	n := 3 * chunkRows
	x := mat.NewDense(n, 2, nil)
	for i := 0; i < n; i++ {
		x.Set(i, 0, 1.0/128)
		x.Set(i, 1, 1.0/128)
	}
	x.SetRow(0, []float64{1e8, 1e8})
	x.SetRow(n-1, []float64{1e8, -1e8})
	edges := make([][2]int, n/2)
	for i := range edges {
		edges[i] = [2]int{2 * i, 2*i + 1}
	}
	g, _, err := graph.FromEdges(n, edges, nil)
	if err != nil {
		t.Fatal(err)
	}
	sg, _ := NewStats(2)
	if err := sg.AddGraph(x, g); err != nil {
		t.Fatal(err)
	}
	sr, _ := NewStats(2)
	if err := sr.AddRows(x); err != nil {
		t.Fatal(err)
	}
	want := sr.xx.value()[1]
	if want < 0.1 {
		t.Fatalf("AddRows: XᵀX(0,1) = %g, want the middle block's 0.125 kept", want)
	}
	for name, k := range map[string]ksum{"XᵀX": sg.xx, "XᵀDX": sg.xdx} {
		if got := k.value()[1]; math.Abs(got-want) > 1e-9 {
			t.Errorf("AddGraph: %s(0,1) = %g; want %g (AddRows)", name, got, want)
		}
	}
}

// BenchmarkStatsAddLabelledN8192D64C512 absorbs 8192 labelled rows of
// D = 64 over 512 classes (about 4 rows per class in each 2048-row block,
// so every block updates every class): the per-class work of AddLabelled.
func BenchmarkStatsAddLabelledN8192D64C512(b *testing.B) {
	const n, d, c = 8192, 64, 512
	x := scaledData(n, d, 7)
	y := make([]int, n)
	for i := range y {
		y[i] = (i * 7919) % c
	}
	b.ReportAllocs()
	for b.Loop() {
		s, _ := NewStats(d)
		if err := s.AddLabelled(x, y); err != nil {
			b.Fatal(err)
		}
	}
}

// TestAddLabelledRepeatedClasses: classes that recur across the row blocks
// of one AddLabelled call and across calls on one Stats (not only across
// merged Stats, as in TestSolveStatsMatchesSolve) give Solve's solution.
func TestAddLabelledRepeatedClasses(t *testing.T) {
	const d, n = 4, chunkRows + 300
	x := scaledData(n, d, 41)
	y := make([]int, n)
	for i := range y {
		y[i] = (i * 13) % 60
		for j := 0; j < d; j++ {
			x.Set(i, j, x.At(i, j)+float64((y[i]%5)*(j%3)))
		}
	}
	g, _, err := graph.Labels(y)
	if err != nil {
		t.Fatal(err)
	}
	one, _ := NewStats(d)
	if err := one.AddLabelled(x, y); err != nil {
		t.Fatal(err)
	}
	two, _ := NewStats(d)
	for _, cut := range [][2]int{{0, 777}, {777, n}} {
		if err := two.AddLabelled(mat.DenseCopyOf(x.Slice(cut[0], cut[1], 0, d)), y[cut[0]:cut[1]]); err != nil {
			t.Fatal(err)
		}
	}
	for _, loss := range StatsLosses() {
		want, err := Solve(Problem{Loss: loss, Regime: Linear, G: g, X: x, K: 2, Gamma: 0.2})
		if err != nil {
			t.Fatal(err)
		}
		for name, s := range map[string]*Stats{"one call": one, "two calls": two} {
			got, err := SolveStats(Problem{Loss: loss, K: 2, Gamma: 0.2}, s)
			if err != nil {
				t.Fatal(err)
			}
			compareSolutions(t, loss+"/"+name, x, got, want)
		}
	}
}

// TestStatsBinarySize backs the size stated by MarshalBinary (and by the
// Beam pipeline's doc): (10 + 2C) D² doubles plus O((C + 1) D), 5.2 MB at
// D = 256 without classes.
func TestStatsBinarySize(t *testing.T) {
	for _, tc := range []struct{ d, classes int }{{256, 0}, {16, 3}} {
		s, _ := NewStats(tc.d)
		x := scaledData(12, tc.d, 3)
		if tc.classes == 0 {
			if err := s.AddRows(x); err != nil {
				t.Fatal(err)
			}
		} else if err := s.AddLabelled(x, []int{0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2}); err != nil {
			t.Fatal(err)
		}
		buf, err := s.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		d, c := tc.d, tc.classes
		lo := 8 * (10 + 2*c) * d * d
		hi := lo + 8*(c+1)*(2*d+8) + 64
		if len(buf) < lo || len(buf) > hi {
			t.Errorf("D=%d C=%d: %d bytes; want within [%d, %d]", d, c, len(buf), lo, hi)
		}
		if c == 0 {
			if mb := math.Round(float64(len(buf))/1e5) / 10; mb != 5.2 {
				t.Errorf("D=256: %.1f MB; the docs say 5.2 MB", mb)
			}
		}
	}
}

// TestStreamViewsFeaturesMatchesMappedViews: with a feature map φ the
// streamed views relation equals Solve on φ applied to the stacked views
// (the linear regime in feature space), and a map without an augmentation
// or on another relation is refused.
func TestStreamViewsFeaturesMatchesMappedViews(t *testing.T) {
	const (
		n, d, V, M, p = 80, 4, 2, 2, 7
		seed          = 9
	)
	x := scaledData(n, d, 5)
	aug, err := data.ParseAugment("noise:0.2", [2]int{})
	if err != nil {
		t.Fatal(err)
	}
	w := scaledData(d, p, 11) // φ(v) = cos(v W + j): nonlinear, p columns
	phi := func(v *mat.Dense) (*mat.Dense, error) {
		r, _ := v.Dims()
		out := mat.NewDense(r, p, nil)
		out.Mul(v, w)
		for i := range r {
			row := out.RawRowView(i)
			for j := range row {
				row[j] = math.Cos(row[j] + float64(j))
			}
		}
		return out, nil
	}
	xall, g := stackedDraws(t, x, aug, seed, M, V)
	fall, _ := phi(xall)
	rel := StreamRelation{Kind: graph.ViewsRelation, V: V, Augment: aug, Seed: seed, Draws: M, Features: phi}
	s, _ := NewStats(p)
	if err := rel.Absorb(s, x, 0, nil, nil); err != nil {
		t.Fatal(err)
	}
	matchesSolve(t, "features", s, g, fall)
	for _, bad := range []StreamRelation{
		{Kind: graph.ViewsRelation, V: V, Features: phi},
		{Kind: graph.LabelsRelation, Features: phi},
	} {
		if err := bad.Validate(); !errors.Is(err, ErrParam) {
			t.Errorf("%+v: %v; want ErrParam", bad.Kind, err)
		}
	}
}
