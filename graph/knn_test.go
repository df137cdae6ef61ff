package graph

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/eigenssl/eigenssl/internal/oracle"
	"github.com/eigenssl/eigenssl/linalg"
)

// tieData returns n points on a small integer grid (many exact distance
// ties) with some exact duplicate rows and, for cosine, parallel rows.
func tieData(rng *rand.Rand, n, d int) *mat.Dense {
	x := mat.NewDense(n, d, nil)
	for i := 0; i < n; i++ {
		for j := 0; j < d; j++ {
			x.Set(i, j, float64(rng.IntN(7)-3))
		}
		if i > 0 && rng.IntN(8) == 0 { // duplicate of an earlier row
			x.SetRow(i, mat.Row(nil, rng.IntN(i), x))
		}
		if i > 0 && rng.IntN(10) == 0 { // parallel to an earlier row
			r := mat.Row(nil, rng.IntN(i), x)
			for j := range r {
				r[j] *= 2
			}
			x.SetRow(i, r)
		}
		allZero := true
		for j := 0; j < d; j++ {
			allZero = allZero && x.At(i, j) == 0
		}
		if allZero {
			x.Set(i, 0, 1)
		}
	}
	return x
}

// bruteRows returns, for every i, all j != i sorted by (distance, index),
// with the distances of the metric, computed the plain O(N^2) way with
// linalg.RowSqDist, the summation of every exact distance in the package
// (near-ties resolve by it, so the reference must use it too).
func bruteRows(x mat.Matrix, metric Metric) ([][]int, [][]float64) {
	n, d := x.Dims()
	rows := make([][]float64, n)
	for i := range rows {
		rows[i] = mat.Row(nil, i, x)
		if metric == Cosine {
			s := 0.0
			for _, v := range rows[i] {
				s += v * v
			}
			for j := range rows[i] {
				rows[i][j] /= math.Sqrt(s)
			}
		}
	}
	idx := make([][]int, n)
	dist := make([][]float64, n)
	for i := 0; i < n; i++ {
		type pr struct {
			d float64
			j int
		}
		var ps []pr
		for j := 0; j < n; j++ {
			if j == i {
				continue
			}
			ps = append(ps, pr{linalg.RowSqDist(rows[i][:d], rows[j]), j})
		}
		sort.SliceStable(ps, func(a, b int) bool { return ps[a].d < ps[b].d })
		for _, p := range ps {
			idx[i] = append(idx[i], p.j)
			if metric == Cosine {
				dist[i] = append(dist[i], p.d/2)
			} else {
				dist[i] = append(dist[i], math.Sqrt(p.d))
			}
		}
	}
	return idx, dist
}

func TestNeighborsBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	type tc struct {
		n, d, k int
		ties    bool
		workers int
	}
	cases := []tc{{300, 3, 7, true, 2}, {300, 6, 12, false, 1}, {1100, 2, 5, true, 3}, {9, 2, 8, true, 0}}
	// Both screening products (newScreen32): the Sgemm and the axpy route.
	defer func(f func() bool) { tileAxpy = f }(tileAxpy)
	for _, axpy := range []bool{false, true} {
		tileAxpy = func() bool { return axpy }
		for _, c := range cases {
			var x *mat.Dense
			if c.ties {
				x = tieData(rng, c.n, c.d)
			} else {
				x = randomDense(rng, c.n, c.d)
				// Shift far from the origin to exercise the centring.
				for i := 0; i < c.n; i++ {
					x.Set(i, 0, x.At(i, 0)+1e4)
				}
			}
			for _, m := range []Metric{Euclidean, Cosine} {
				name := fmt.Sprintf("n=%d,d=%d,k=%d,%v,axpy=%v", c.n, c.d, c.k, m, axpy)
				bi, bd := bruteRows(x, m)
				idx, dist, err := Neighbors(x, c.k, KNNOptions{Metric: m, Workers: c.workers})
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				for i := 0; i < c.n; i++ {
					if !slices.Equal(idx[i*c.k:(i+1)*c.k], bi[i][:c.k]) {
						t.Fatalf("%s: row %d: got %v; want %v (dist %v)", name, i, idx[i*c.k:(i+1)*c.k], bi[i][:c.k], bd[i][:c.k])
					}
					for t2 := 0; t2 < c.k; t2++ {
						if math.Abs(dist[i*c.k+t2]-bd[i][t2]) > 1e-12*math.Max(1, bd[i][t2]) {
							t.Fatalf("%s: dist[%d,%d] = %v; want %v", name, i, t2, dist[i*c.k+t2], bd[i][t2])
						}
					}
				}
			}
		}
	}
}

// bruteGraph builds the expected kNN graph densely.
func bruteGraph(x mat.Matrix, k int, opt KNNOptions) *mat.Dense {
	n, _ := x.Dims()
	bi, bd := bruteRows(x, opt.Metric)
	in := make([]map[int]float64, n)
	for i := range in {
		in[i] = map[int]float64{}
		for t := 0; t < k; t++ {
			in[i][bi[i][t]] = bd[i][t]
		}
	}
	sigma := make([]float64, n)
	minPos := math.Inf(1)
	for i := range sigma {
		sigma[i] = bd[i][k-1]
		if sigma[i] > 0 {
			minPos = math.Min(minPos, sigma[i])
		}
	}
	for i := range sigma {
		if sigma[i] == 0 {
			sigma[i] = minPos
		}
	}
	g := mat.NewDense(n, n, nil)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			dij, a := in[i][j]
			dji, b := in[j][i]
			if a {
				_ = dji
			} else {
				dij = dji
			}
			if (opt.Sym == Union && (a || b)) || (opt.Sym == Mutual && a && b) {
				var w float64
				switch opt.Weight {
				case Binary:
					w = 1
				case Distance:
					w = dij
				case Gaussian:
					if opt.Sigma > 0 {
						w = math.Exp(-dij * dij / (2 * opt.Sigma * opt.Sigma))
					} else {
						w = math.Exp(-dij * dij / (sigma[i] * sigma[j]))
					}
				}
				g.Set(i, j, w)
			}
		}
	}
	return g
}

func TestKNNBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	x := tieData(rng, 280, 3)
	xr := randomDense(rng, 150, 4)
	for _, data := range []*mat.Dense{x, xr} {
		n, _ := data.Dims()
		for _, m := range []Metric{Euclidean, Cosine} {
			for _, s := range []KNNSym{Union, Mutual} {
				for _, w := range []Weighting{Binary, Gaussian, Distance} {
					for _, sigma := range []float64{0, 0.7} {
						if w != Gaussian && sigma != 0 {
							continue
						}
						opt := KNNOptions{Metric: m, Sym: s, Weight: w, Sigma: sigma, Workers: 2}
						k := 6
						g, info, err := KNN(data, k, opt)
						name := fmt.Sprintf("n=%d %+v", n, opt)
						if err != nil {
							t.Fatalf("%s: %v", name, err)
						}
						if err := g.Validate(); err != nil {
							t.Fatalf("%s: %v", name, err)
						}
						want := bruteGraph(data, k, opt)
						bopt := opt
						bopt.Weight = Binary
						structure := bruteGraph(data, k, bopt)
						// Structure exactly; weights to rounding.
						for i := 0; i < n; i++ {
							for j := 0; j < n; j++ {
								gw, ww := g.At(i, j), want.At(i, j)
								stored := hasEntry(g, i, j)
								if stored != (structure.At(i, j) != 0) {
									t.Fatalf("%s: entry (%d,%d) stored=%v; want weight %v", name, i, j, stored, ww)
								}
								if math.Abs(gw-ww) > 1e-12*math.Max(1, ww) {
									t.Fatalf("%s: G[%d,%d] = %v; want %v", name, i, j, gw, ww)
								}
							}
						}
						if info.Edges != g.NumEdges() || info.N != n {
							t.Errorf("%s: info %+v", name, info)
						}
					}
				}
			}
		}
	}
}

func hasEntry(g *CSR, i, j int) bool {
	for p := g.RowPtr[i]; p < g.RowPtr[i+1]; p++ {
		if g.Col[p] == j {
			return true
		}
	}
	return false
}

func TestKNNSklearnConnectivityOracle(t *testing.T) {
	n := 0
	for _, c := range oracle.Load(t, "spectral.json") {
		if c.Method != "spectral_embedding_knn" {
			continue
		}
		n++
		x := c.Input(t, "X")
		k := int(c.Param(t, "n_neighbors"))
		g, _, err := KNN(x, k, KNNOptions{SklearnConnectivity: true})
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		if err := g.Validate(); err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		want := c.Output(t, "affinity")
		N, _ := want.Dims()
		for i := 0; i < N; i++ {
			if want.At(i, i) != 1 {
				t.Errorf("%s: oracle diagonal %v; expected the self entry 1", c.Name, want.At(i, i))
			}
			for j := 0; j < N; j++ {
				if i != j && g.At(i, j) != want.At(i, j) {
					t.Fatalf("%s: G[%d,%d] = %v; want %v", c.Name, i, j, g.At(i, j), want.At(i, j))
				}
			}
		}
		if c.HasOutput("degree") {
			// sklearn's degree ignores the diagonal.
			if d := maxDiff(g.Degree(nil), c.OutputVector(t, "degree")); d > 1e-12 {
				t.Errorf("%s: degree differs by %g", c.Name, d)
			}
		}
	}
	if n == 0 {
		t.Fatal("no spectral_embedding_knn case")
	}
}

func TestNeighborsLLEOracle(t *testing.T) {
	n := 0
	for _, c := range oracle.Load(t, "spectral.json") {
		if c.Method != "lle" {
			continue
		}
		n++
		x := c.Input(t, "X")
		k := int(c.Param(t, "n_neighbors"))
		idx, _, err := Neighbors(x, k, KNNOptions{})
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		want := c.Output(t, "neighbors")
		r, kk := want.Dims()
		if kk != k || r*k != len(idx) {
			t.Fatalf("%s: neighbors %dx%d; k = %d", c.Name, r, kk, k)
		}
		for i := 0; i < r; i++ {
			for t2 := 0; t2 < k; t2++ {
				if float64(idx[i*k+t2]) != want.At(i, t2) {
					t.Fatalf("%s: neighbor[%d,%d] = %d; want %v", c.Name, i, t2, idx[i*k+t2], want.At(i, t2))
				}
			}
		}
	}
	if n == 0 {
		t.Fatal("no lle case")
	}
}

func TestIsomapGeodesicsOracle(t *testing.T) {
	n := 0
	for _, c := range oracle.Load(t, "spectral.json") {
		if c.Method != "isomap" {
			continue
		}
		n++
		x := c.Input(t, "X")
		k := int(c.Param(t, "n_neighbors"))
		g, _, err := KNN(x, k, KNNOptions{Weight: Distance})
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		d, err := AllPairsGeodesics(g, 2, false)
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		want := c.Output(t, "dist_matrix")
		if diff := oracle.MaxAbsDiff(d, want); diff > 1e-12*oracle.Scale(want) {
			t.Errorf("%s: dist_matrix max diff %g", c.Name, diff)
		}
		// A subset of sources gives the same rows.
		sub, err := Geodesics(g, []int{3, 0}, 1)
		if err != nil {
			t.Fatal(err)
		}
		if !mat.Equal(sub.RowView(0), d.RowView(3)) || !mat.Equal(sub.RowView(1), d.RowView(0)) {
			t.Errorf("%s: Geodesics rows differ from AllPairsGeodesics", c.Name)
		}
	}
	if n == 0 {
		t.Fatal("no isomap case")
	}
}

func TestEpsilonBallBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	x := tieData(rng, 300, 2)
	for _, m := range []Metric{Euclidean, Cosine} {
		for _, w := range []Weighting{Binary, Gaussian, Distance} {
			eps := 1.5
			if m == Cosine {
				eps = 0.1
			}
			opt := KNNOptions{Metric: m, Weight: w, Workers: 2}
			g, _, err := EpsilonBall(x, eps, opt)
			if err != nil {
				t.Fatal(err)
			}
			if err := g.Validate(); err != nil {
				t.Fatal(err)
			}
			bi, bd := bruteRows(x, m)
			for i := range bi {
				var cols []int
				var vals []float64
				for t2, j := range bi[i] {
					if bd[i][t2] <= eps {
						cols = append(cols, j)
						switch w {
						case Binary:
							vals = append(vals, 1)
						case Distance:
							vals = append(vals, bd[i][t2])
						case Gaussian:
							vals = append(vals, math.Exp(-bd[i][t2]*bd[i][t2]/(2*eps*eps)))
						}
					}
				}
				// Sort by column for comparison with the CSR row.
				perm := make([]int, len(cols))
				for p := range perm {
					perm[p] = p
				}
				sort.Slice(perm, func(a, b int) bool { return cols[perm[a]] < cols[perm[b]] })
				gc := g.Col[g.RowPtr[i]:g.RowPtr[i+1]]
				gv := g.Val[g.RowPtr[i]:g.RowPtr[i+1]]
				if len(gc) != len(cols) {
					t.Fatalf("%v %v row %d: %d entries; want %d", m, w, i, len(gc), len(cols))
				}
				for p, q := range perm {
					if gc[p] != cols[q] || math.Abs(gv[p]-vals[q]) > 1e-12 {
						t.Fatalf("%v %v row %d: entry %d (%d, %v); want (%d, %v)", m, w, i, p, gc[p], gv[p], cols[q], vals[q])
					}
				}
			}
		}
	}
}

func TestKNNBadInput(t *testing.T) {
	x := mat.NewDense(5, 2, []float64{0, 0, 1, 0, 0, 1, 1, 1, 2, 2})
	nan := mat.DenseCopyOf(x)
	nan.Set(2, 1, math.NaN())
	inf := mat.DenseCopyOf(x)
	inf.Set(4, 0, math.Inf(-1))
	zeroRow := x // row 0 is zero
	cases := []struct {
		name string
		err  error
		want error
	}{
		{"knn k=N", third(KNN(x, 5, KNNOptions{})), ErrNeighbors},
		{"knn k=0", third(KNN(x, 0, KNNOptions{})), ErrNeighbors},
		{"knn nan", third(KNN(nan, 2, KNNOptions{})), ErrNaN},
		{"knn inf", third(KNN(inf, 2, KNNOptions{})), ErrNaN},
		{"knn empty", third(KNN(&mat.Dense{}, 2, KNNOptions{})), ErrEmpty},
		{"knn nil", third(KNN(nil, 2, KNNOptions{})), ErrEmpty},
		{"knn cosine zero row", third(KNN(zeroRow, 2, KNNOptions{Metric: Cosine})), ErrParam},
		{"knn metric", third(KNN(x, 2, KNNOptions{Metric: 7})), ErrParam},
		{"knn sym", third(KNN(x, 2, KNNOptions{Sym: 7})), ErrParam},
		{"knn weight", third(KNN(x, 2, KNNOptions{Weight: 7})), ErrParam},
		{"knn sym -1", third(KNN(x, 2, KNNOptions{Sym: -1})), ErrParam},
		{"knn weight -1", third(KNN(x, 2, KNNOptions{Weight: -1})), ErrParam},
		{"knn weight past Distance", third(KNN(x, 2, KNNOptions{Weight: Distance + 1})), ErrParam},
		{"knn sigma", third(KNN(x, 2, KNNOptions{Weight: Gaussian, Sigma: -1})), ErrParam},
		{"knn sklearn k=1", third(KNN(x, 1, KNNOptions{SklearnConnectivity: true})), ErrNeighbors},
		{"knn sklearn k=N+1", third(KNN(x, 6, KNNOptions{SklearnConnectivity: true})), ErrNeighbors},
		{"neighbors k=N", third(Neighbors(x, 5, KNNOptions{})), ErrNeighbors},
		{"neighbors nan", third(Neighbors(nan, 1, KNNOptions{})), ErrNaN},
		{"eps zero", third(EpsilonBall(x, 0, KNNOptions{})), ErrParam},
		{"eps nan", third(EpsilonBall(x, math.NaN(), KNNOptions{})), ErrParam},
		{"eps data nan", third(EpsilonBall(nan, 1, KNNOptions{})), ErrNaN},
	}
	for _, c := range cases {
		var e *Error
		if !errors.Is(c.err, c.want) || !errors.As(c.err, &e) {
			t.Errorf("%s: got %v; want %v", c.name, c.err, c.want)
		}
	}
	// sklearn mode accepts k = N (every point, self included).
	g, _, err := KNN(x, 5, KNNOptions{SklearnConnectivity: true})
	if err != nil || g.NNZ() != 20 {
		t.Errorf("sklearn k=N: %v, nnz %d", err, g.NNZ())
	}
}

// The option enums print their relation-grammar names, and a value out of
// range prints as Type(v).
func TestKNNOptionNames(t *testing.T) {
	for _, c := range []struct {
		v    fmt.Stringer
		want string
	}{
		{Euclidean, "euclidean"}, {Cosine, "cosine"}, {Metric(2), "Metric(2)"},
		{Union, "union"}, {Mutual, "mutual"}, {KNNSym(-1), "KNNSym(-1)"},
		{Binary, "binary"}, {Gaussian, "gaussian"}, {Distance, "distance"}, {Weighting(3), "Weighting(3)"},
	} {
		if got := c.v.String(); got != c.want {
			t.Errorf("got %q; want %q", got, c.want)
		}
	}
}
