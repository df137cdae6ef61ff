package linalg

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sort"
	"sync"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// csrOp is a test-local symmetric sparse operator (CSR), parallel over rows.
type csrOp struct {
	n      int
	rowPtr []int
	col    []int
	val    []float64
}

var _ BlockOperator = (*csrOp)(nil)

func (c *csrOp) Size() int { return c.n }

func (c *csrOp) parallel(f func(lo, hi int)) {
	p := runtime.GOMAXPROCS(0)
	if c.n < 4096 || p == 1 {
		f(0, c.n)
		return
	}
	var wg sync.WaitGroup
	for t := 0; t < p; t++ {
		wg.Add(1)
		go func(lo, hi int) { defer wg.Done(); f(lo, hi) }(t*c.n/p, (t+1)*c.n/p)
	}
	wg.Wait()
}

func (c *csrOp) MulVecTo(dst, x []float64) {
	c.parallel(func(lo, hi int) {
		for i := lo; i < hi; i++ {
			var s float64
			for k := c.rowPtr[i]; k < c.rowPtr[i+1]; k++ {
				s += c.val[k] * x[c.col[k]]
			}
			dst[i] = s
		}
	})
}

func (c *csrOp) MulMatTo(dst *mat.Dense, x mat.Matrix) {
	xr := x.(*mat.Dense).RawMatrix()
	dr := dst.RawMatrix()
	b := xr.Cols
	c.parallel(func(lo, hi int) {
		for i := lo; i < hi; i++ {
			row := dr.Data[i*dr.Stride : i*dr.Stride+b]
			for j := range row {
				row[j] = 0
			}
			for k := c.rowPtr[i]; k < c.rowPtr[i+1]; k++ {
				v := c.val[k]
				xrow := xr.Data[c.col[k]*xr.Stride : c.col[k]*xr.Stride+b]
				for j, xv := range xrow {
					row[j] += v * xv
				}
			}
		}
	})
}

func (c *csrOp) dense() *mat.SymDense {
	a := mat.NewSymDense(c.n, nil)
	for i := 0; i < c.n; i++ {
		for k := c.rowPtr[i]; k < c.rowPtr[i+1]; k++ {
			if j := c.col[k]; j >= i {
				a.SetSym(i, j, c.val[k])
			}
		}
	}
	return a
}

// vecOnly hides MulMatTo.
type vecOnly struct{ SymOperator }

// edgeSet collects undirected weighted edges.
type edgeSet map[[2]int]float64

func (e edgeSet) add(i, j int, w float64) {
	if i == j {
		return
	}
	if i > j {
		i, j = j, i
	}
	e[[2]int{i, j}] = w
}

// laplacian builds L = D − G (normalized=false) or L_sym = I − D^{-1/2} G
// D^{-1/2} (normalized=true) as CSR.
func laplacian(n int, e edgeSet, normalized bool) *csrOp {
	deg := make([]float64, n)
	adj := make([]map[int]float64, n)
	for i := range adj {
		adj[i] = map[int]float64{}
	}
	for k, w := range e {
		adj[k[0]][k[1]] = w
		adj[k[1]][k[0]] = w
		deg[k[0]] += w
		deg[k[1]] += w
	}
	c := &csrOp{n: n, rowPtr: make([]int, n+1)}
	for i := 0; i < n; i++ {
		cols := make([]int, 0, len(adj[i])+1)
		for j := range adj[i] {
			cols = append(cols, j)
		}
		cols = append(cols, i)
		sort.Ints(cols)
		for _, j := range cols {
			var v float64
			switch {
			case j == i && normalized:
				if deg[i] > 0 {
					v = 1
				}
			case j == i:
				v = deg[i]
			case normalized:
				v = -adj[i][j] / math.Sqrt(deg[i]*deg[j])
			default:
				v = -adj[i][j]
			}
			c.col = append(c.col, j)
			c.val = append(c.val, v)
		}
		c.rowPtr[i+1] = len(c.col)
	}
	return c
}

// randomGraph returns a random graph on n vertices made of comps components:
// each vertex links to k random vertices of its own component with weights in
// [0.5, 1.5), plus a ring inside each component so that it is connected.
func randomGraph(n, k, comps int, rng *rand.Rand) edgeSet {
	e := edgeSet{}
	size := n / comps
	for c := 0; c < comps; c++ {
		lo, hi := c*size, (c+1)*size
		if c == comps-1 {
			hi = n
		}
		for i := lo; i < hi; i++ {
			nx := i + 1
			if nx == hi {
				nx = lo
			}
			e.add(i, nx, 0.5+rng.Float64())
			for t := 0; t < k; t++ {
				e.add(i, lo+rng.IntN(hi-lo), 0.5+rng.Float64())
			}
		}
	}
	return e
}

// knnLike returns a kNN-like graph: clusters of points on noisy rings, each
// vertex linked to its nearest ring neighbours plus a few random vertices of
// its cluster and, rarely, of another cluster. Its normalised Laplacian has
// clusters-many small eigenvalues followed by a slowly growing spectrum, as
// a kNN graph of image data.
func knnLike(n, k, clusters int, rng *rand.Rand) edgeSet {
	e := edgeSet{}
	size := n / clusters
	for i := 0; i < n; i++ {
		c := min(i/size, clusters-1)
		lo, hi := c*size, (c+1)*size
		if c == clusters-1 {
			hi = n
		}
		m := hi - lo
		for t := 1; t <= k/2; t++ {
			e.add(i, lo+(i-lo+t)%m, 1)
		}
		for t := 0; t < k/2; t++ {
			if rng.Float64() < 0.02 {
				e.add(i, rng.IntN(n), 1)
			} else {
				// Local-ish random link: within a window of the ring.
				off := int(rng.NormFloat64() * float64(m) / 20)
				e.add(i, lo+((i-lo+off)%m+m)%m, 1)
			}
		}
	}
	return e
}

func checkEigs(t *testing.T, op *csrOp, s EigsSettings, res EigsResult, wantVals []float64, wantVecs *mat.Dense) {
	t.Helper()
	if !res.Converged {
		t.Errorf("not converged: residuals %v", res.Residuals)
	}
	if len(res.Values) != s.K || len(res.Residuals) != s.K {
		t.Fatalf("got %d values and %d residuals; want %d", len(res.Values), len(res.Residuals), s.K)
	}
	scale := math.Max(1, math.Abs(wantVals[len(wantVals)-1]))
	for i, v := range res.Values {
		if math.Abs(v-wantVals[i]) > 1e-8*scale {
			t.Errorf("value %d = %.15g; want %.15g", i, v, wantVals[i])
		}
	}
	th, err := PrincipalAngles(res.Vectors, wantVecs)
	if err != nil {
		t.Fatal(err)
	}
	if th[len(th)-1] > 1e-6 {
		t.Errorf("largest principal angle %g", th[len(th)-1])
	}
	// Reported residuals are the true ones and small.
	n := op.Size()
	y := make([]float64, n)
	for j, r := range res.Residuals {
		x := mat.Col(nil, j, res.Vectors)
		op.MulVecTo(y, x)
		var ss float64
		for i := range y {
			d := y[i] - res.Values[j]*x[i]
			ss += d * d
		}
		if math.Abs(math.Sqrt(ss)-r) > 1e-12*scale+1e-3*r {
			t.Errorf("residual %d reported %g, recomputed %g", j, r, math.Sqrt(ss))
		}
		if r > 1e-8*scale {
			t.Errorf("residual %d = %g", j, r)
		}
	}
	var g mat.Dense
	g.Mul(res.Vectors.T(), res.Vectors)
	for i := 0; i < s.K; i++ {
		g.Set(i, i, g.At(i, i)-1)
	}
	if v := maxAbs(&g); v > 1e-10 {
		t.Errorf("max|VᵀV − I| = %g", v)
	}
	checkSignRule(t, res.Vectors)
}

func TestEigsVsEigSym(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	cases := []struct {
		n, k, comps int
		normalized  bool
		which       Which
		K, b        int
	}{
		{300, 3, 1, false, Smallest, 6, 0},
		{500, 4, 1, true, Smallest, 10, 0},
		{400, 3, 1, false, Largest, 5, 0},
		{450, 2, 1, true, Largest, 8, 1},
		{350, 5, 1, true, Smallest, 4, 2},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("n=%d/%v/K=%d/b=%d", c.n, c.which, c.K, c.b), func(t *testing.T) {
			op := laplacian(c.n, randomGraph(c.n, c.k, c.comps, rng), c.normalized)
			w, v, err := EigSym(op.dense())
			if err != nil {
				t.Fatal(err)
			}
			lo := 0
			if c.which == Largest {
				lo = c.n - c.K
			}
			s := EigsSettings{K: c.K, Which: c.which, Seed: 1, BlockSize: c.b}
			res, err := Eigs(op, s)
			if err != nil {
				t.Fatalf("%v (residuals %v)", err, res.Residuals)
			}
			t.Logf("iterations %d, matvecs %d", res.Iterations, res.MatVecs)
			checkEigs(t, op, s, res, w[lo:lo+c.K], v.Slice(0, c.n, lo, lo+c.K).(*mat.Dense))
		})
	}
}

func TestEigsDeflate(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	n := 500
	op := laplacian(n, randomGraph(n, 3, 1, rng), false)
	w, v, err := EigSym(op.dense())
	if err != nil {
		t.Fatal(err)
	}
	ones := mat.NewDense(n, 1, nil)
	for i := 0; i < n; i++ {
		ones.Set(i, 0, 1/math.Sqrt(float64(n)))
	}
	s := EigsSettings{K: 5, Deflate: ones, Seed: 3}
	res, err := Eigs(op, s)
	if err != nil {
		t.Fatal(err)
	}
	// λ₂..λ₆ in the 1-based numbering: indices 1..5.
	checkEigs(t, op, s, res, w[1:6], v.Slice(0, n, 1, 6).(*mat.Dense))
	var proj mat.Dense
	proj.Mul(ones.T(), res.Vectors)
	if m := maxAbs(&proj); m > 1e-10 {
		t.Errorf("vectors not orthogonal to the deflated vector: %g", m)
	}
	// A vector that is not an eigenvector is reported, not silently used.
	notEig := mat.NewDense(n, 1, nil)
	for i := 0; i < n; i++ {
		notEig.Set(i, 0, float64(i%7))
	}
	_, err = Eigs(op, EigsSettings{K: 3, Deflate: notEig})
	var e *Error
	if !errors.Is(err, ErrNoConvergence) || !errors.As(err, &e) || e.Param != "Deflate" {
		t.Errorf("non-invariant Deflate: err = %v; want ErrNoConvergence naming Deflate", err)
	}
	// An unnormalised deflation vector spans the same space.
	ones.Scale(3, ones)
	res2, err := Eigs(op, s)
	if err != nil {
		t.Fatal(err)
	}
	for i := range res.Values {
		if math.Abs(res.Values[i]-res2.Values[i]) > 1e-10 {
			t.Errorf("scaled Deflate changed value %d: %v vs %v", i, res.Values[i], res2.Values[i])
		}
	}
}

func TestEigsRepeated(t *testing.T) {
	// Four components: eigenvalue 0 of L with multiplicity 4.
	rng := rand.New(rand.NewPCG(15, 16))
	n, comps := 600, 4
	op := laplacian(n, randomGraph(n, 3, comps, rng), false)
	w, v, err := EigSym(op.dense())
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range []int{0, 4} {
		s := EigsSettings{K: 6, Seed: 5, BlockSize: b}
		var sop SymOperator = op
		if b > 1 {
			sop = vecOnly{op} // per-vector products for a block solver
		}
		res, err := Eigs(sop, s)
		if err != nil {
			t.Fatal(err)
		}
		checkEigs(t, op, s, res, w[:6], v.Slice(0, n, 0, 6).(*mat.Dense))
		for i := 0; i < comps; i++ {
			if math.Abs(res.Values[i]) > 1e-10 {
				t.Errorf("b=%d: value %d = %g; want 0", b, i, res.Values[i])
			}
		}
		// The null space is spanned by the component indicators.
		ind := mat.NewDense(n, comps, nil)
		for i := 0; i < n; i++ {
			ind.Set(i, min(i/(n/comps), comps-1), 1)
		}
		th, err := PrincipalAngles(res.Vectors.Slice(0, n, 0, comps), ind)
		if err != nil {
			t.Fatal(err)
		}
		if th[comps-1] > 1e-8 {
			t.Errorf("b=%d: null space angle %g", b, th[comps-1])
		}
	}
}

func TestEigsNoConvergence(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 18))
	n := 2000
	op := laplacian(n, knnLike(n, 10, 5, rng), true)
	res, err := Eigs(op, EigsSettings{K: 5, MaxIter: 1, Tol: 1e-14})
	if !errors.Is(err, ErrNoConvergence) {
		t.Fatalf("err = %v; want ErrNoConvergence", err)
	}
	if res.Converged || len(res.Residuals) != 5 || res.Vectors == nil || res.Iterations != 1 {
		t.Errorf("result = %+v", res)
	}
	worst := 0.0
	for _, r := range res.Residuals {
		worst = math.Max(worst, r)
	}
	if worst <= 1e-14 {
		t.Errorf("largest residual %g meets the tolerance but no convergence was reported", worst)
	}
}

func TestEigsSmallDense(t *testing.T) {
	// n below the basis size takes the dense path; results must agree.
	rng := rand.New(rand.NewPCG(19, 20))
	n := 25
	a := randSym(n, rng)
	w, v, err := EigSym(a)
	if err != nil {
		t.Fatal(err)
	}
	op := NewDenseOperator(a)
	for _, which := range []Which{Smallest, Largest} {
		s := EigsSettings{K: 3, Which: which}
		res, err := Eigs(op, s)
		if err != nil {
			t.Fatal(err)
		}
		lo := 0
		if which == Largest {
			lo = n - 3
		}
		for i := 0; i < 3; i++ {
			if math.Abs(res.Values[i]-w[lo+i]) > 1e-12 || res.Residuals[i] > 1e-12 {
				t.Errorf("%v value %d = %v; want %v (residual %g)", which, i, res.Values[i], w[lo+i], res.Residuals[i])
			}
		}
		th, _ := PrincipalAngles(res.Vectors, v.Slice(0, n, lo, lo+3))
		if th[2] > 1e-10 {
			t.Errorf("%v angle %g", which, th[2])
		}
	}
	// With deflation of the first eigenvector, the next three come out.
	s := EigsSettings{K: 3, Deflate: mat.DenseCopyOf(v.Slice(0, n, 0, 1))}
	res, err := Eigs(op, s)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		if math.Abs(res.Values[i]-w[1+i]) > 1e-12 {
			t.Errorf("deflated value %d = %v; want %v", i, res.Values[i], w[1+i])
		}
	}
}

func TestEigsAffine(t *testing.T) {
	// Smallest of L_sym = 1 − largest of A_n = I − L_sym.
	rng := rand.New(rand.NewPCG(21, 22))
	n := 900
	l := laplacian(n, randomGraph(n, 4, 1, rng), true)
	an := NewAffineOperator(l, -1, 1)
	rs, err := Eigs(l, EigsSettings{K: 4, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	rl, err := Eigs(an, EigsSettings{K: 4, Which: Largest, Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 4; i++ {
		if math.Abs(rs.Values[i]-(1-rl.Values[3-i])) > 1e-9 {
			t.Errorf("value %d: %v vs 1 − %v", i, rs.Values[i], rl.Values[3-i])
		}
	}
	th, _ := PrincipalAngles(rs.Vectors, rl.Vectors)
	if th[3] > 1e-6 {
		t.Errorf("angle %g", th[3])
	}
}

func TestEigsErrors(t *testing.T) {
	op := NewDenseOperator(mat.NewSymDense(50, nil))
	bad := []struct {
		s    EigsSettings
		want error
	}{
		{EigsSettings{K: 0}, ErrParam},
		{EigsSettings{K: 51}, ErrParam},
		{EigsSettings{K: 2, Which: 7}, ErrParam},
		{EigsSettings{K: 2, Tol: -1}, ErrParam},
		{EigsSettings{K: 2, Tol: math.NaN()}, ErrParam},
		{EigsSettings{K: 2, MaxIter: -1}, ErrParam},
		{EigsSettings{K: 2, NCV: -1}, ErrParam},
		{EigsSettings{K: 2, BlockSize: -1}, ErrParam},
		{EigsSettings{K: 2, Deflate: mat.NewDense(49, 1, nil)}, ErrShape},
		{EigsSettings{K: 50, Deflate: mat.NewDense(50, 1, append([]float64{1}, make([]float64, 49)...))}, ErrParam},
	}
	for _, b := range bad {
		if _, err := Eigs(op, b.s); !errors.Is(err, b.want) {
			t.Errorf("%+v: err = %v; want %v", b.s, err, b.want)
		}
	}
	if _, err := Eigs(nil, EigsSettings{K: 1}); !errors.Is(err, ErrEmpty) {
		t.Errorf("nil op: err = %v", err)
	}
	nanA := mat.NewSymDense(300, nil)
	for i := 0; i < 300; i++ {
		nanA.SetSym(i, i, float64(i))
	}
	nanA.SetSym(3, 4, math.NaN())
	if _, err := Eigs(NewDenseOperator(nanA), EigsSettings{K: 2}); !errors.Is(err, ErrNaN) {
		t.Errorf("NaN operator: err = %v; want ErrNaN", err)
	}
}

func TestEigsDeterministic(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 24))
	n := 500
	op := laplacian(n, randomGraph(n, 3, 1, rng), true)
	s := EigsSettings{K: 4, Seed: 42}
	a, err := Eigs(op, s)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Eigs(op, s)
	if err != nil {
		t.Fatal(err)
	}
	if !mat.Equal(a.Vectors, b.Vectors) || a.MatVecs != b.MatVecs {
		t.Error("same seed gave different results")
	}
}

func BenchmarkEigs(b *testing.B) {
	for _, n := range []int{20000} {
		rng := rand.New(rand.NewPCG(1, 1))
		op := laplacian(n, knnLike(n, 10, 10, rng), true)
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			var res EigsResult
			for i := 0; i < b.N; i++ {
				var err error
				res, err = Eigs(op, EigsSettings{K: 10, Seed: uint64(i)})
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(res.MatVecs), "matvecs/op")
		})
	}
}

func BenchmarkEigSym(b *testing.B) {
	for _, n := range []int{500} {
		a := randSym(n, rand.New(rand.NewPCG(1, 1)))
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if _, _, err := EigSym(a); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func ExampleEigs() {
	// The Laplacian of a cycle of n vertices has eigenvalues
	// 2 − 2cos(2πj/n), each twice except 0 (and 4 for even n): here
	// 3.94783e-05 and 1.579116e-04 for j = 1, 2 after deflating 0.
	n := 1000
	op := NewAffineOperator(cycleAdjacency{n}, -1, 2) // L = 2I − A
	ones := mat.NewDense(n, 1, nil)
	for i := 0; i < n; i++ {
		ones.Set(i, 0, 1)
	}
	res, err := Eigs(op, EigsSettings{K: 4, Deflate: ones, BlockSize: 2, Seed: 1})
	if err != nil {
		panic(err)
	}
	for _, v := range res.Values {
		fmt.Printf("%.10f\n", v)
	}
	fmt.Println(res.Converged)
	// Output:
	// 0.0000394783
	// 0.0000394783
	// 0.0001579116
	// 0.0001579116
	// true
}

// cycleAdjacency is the adjacency operator of the n-cycle.
type cycleAdjacency struct{ n int }

func (c cycleAdjacency) Size() int { return c.n }

func (c cycleAdjacency) MulVecTo(dst, x []float64) {
	for i := range dst {
		dst[i] = x[(i+1)%c.n] + x[(i+c.n-1)%c.n]
	}
}

// torus is the Laplacian of the r x c torus grid (4-regular), whose
// eigenvalues are (2 − 2cos(2πa/r)) + (2 − 2cos(2πb/c)), mostly of
// multiplicity 2 or 4.
type torus struct{ r, c int }

func (g torus) Size() int { return g.r * g.c }

func (g torus) MulVecTo(dst, x []float64) {
	for i := 0; i < g.r; i++ {
		for j := 0; j < g.c; j++ {
			v := 4 * x[i*g.c+j]
			v -= x[((i+1)%g.r)*g.c+j] + x[((i+g.r-1)%g.r)*g.c+j]
			v -= x[i*g.c+(j+1)%g.c] + x[i*g.c+(j+g.c-1)%g.c]
			dst[i*g.c+j] = v
		}
	}
}

func TestEigsTorusMultiplicity(t *testing.T) {
	g := torus{40, 50}
	var want []float64
	for a := 0; a < g.r; a++ {
		for b := 0; b < g.c; b++ {
			want = append(want, 4-2*math.Cos(2*math.Pi*float64(a)/float64(g.r))-2*math.Cos(2*math.Pi*float64(b)/float64(g.c)))
		}
	}
	sort.Float64s(want)
	// K at the end of a multiplicity group, so that the wanted subspace is
	// well defined: for 40 x 50 the values are 0, 0.0158 (x2), 0.0246 (x2),
	// 0.0404 (x4), so K = 9.
	k := 9
	if want[k]-want[k-1] < 1e-6 {
		t.Fatalf("K = %d splits a multiplicity group: %v", k, want[:k+1])
	}
	s := EigsSettings{K: k, BlockSize: 4, Seed: 9}
	res, err := Eigs(g, s)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < k; i++ {
		if math.Abs(res.Values[i]-want[i]) > 1e-9 {
			t.Errorf("value %d = %.12g; want %.12g", i, res.Values[i], want[i])
		}
		if res.Residuals[i] > 1e-8 {
			t.Errorf("residual %d = %g", i, res.Residuals[i])
		}
	}
	t.Logf("matvecs %d, values %v", res.MatVecs, res.Values)
}

func TestEigsAutoBlock(t *testing.T) {
	// With BlockSize 0, a repeated value triggers a wider block; on the
	// torus (multiplicities 2 and 4) the result must be complete.
	g := torus{40, 50}
	var want []float64
	for a := 0; a < g.r; a++ {
		for b := 0; b < g.c; b++ {
			want = append(want, 4-2*math.Cos(2*math.Pi*float64(a)/float64(g.r))-2*math.Cos(2*math.Pi*float64(b)/float64(g.c)))
		}
	}
	sort.Float64s(want)
	for _, k := range []int{8, 9} { // 8 splits the group of four, 9 completes it
		res, err := Eigs(g, EigsSettings{K: k, Seed: 9})
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < k; i++ {
			if math.Abs(res.Values[i]-want[i]) > 1e-9 {
				t.Errorf("K=%d value %d = %.12g; want %.12g", k, i, res.Values[i], want[i])
			}
		}
		t.Logf("K=%d matvecs %d", k, res.MatVecs)
	}
	if c := maxRepeat([]float64{0, 1, 1 + 1e-12, 1 + 2e-12, 2, 2}, 1e-10); c != 3 {
		t.Errorf("maxRepeat = %d; want 3", c)
	}
}
