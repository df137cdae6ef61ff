package spectral_test

import (
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/eigenssl/eigenssl/data"
	"github.com/eigenssl/eigenssl/graph"
	"github.com/eigenssl/eigenssl/spectral"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"
)

// LPP on the label graph (components = classes) maps every point nearer to
// its own class centroid than to any other.
func TestLPPSeparatesClasses(t *testing.T) {
	// Three classes at the corners of a triangle in two low-variance
	// directions, hidden by four high-variance nuisance directions.
	r := rand.New(rand.NewPCG(4, 4))
	n, classes := 150, 3
	x := mat.NewDense(n, 6, nil)
	y := make([]int, n)
	for i := 0; i < n; i++ {
		y[i] = i % classes
		a := 2 * math.Pi * float64(y[i]) / 3
		x.Set(i, 0, 3*math.Cos(a)+0.3*r.NormFloat64())
		x.Set(i, 1, 3*math.Sin(a)+0.3*r.NormFloat64())
		for j := 2; j < 6; j++ {
			x.Set(i, j, 10*r.NormFloat64())
		}
	}
	if acc := centroidAccuracy(x, y, classes); acc == 1 {
		t.Fatalf("raw data already separated by centroids: the test would be trivial")
	}
	g, _, err := graph.Labels(y)
	if err != nil {
		t.Fatal(err)
	}
	l := &spectral.LPP{Components: 2}
	if err := l.FitGraph(x, g); err != nil {
		t.Fatal(err)
	}
	if acc := centroidAccuracy(l.Embedding(), y, classes); acc != 1 {
		t.Fatalf("nearest-centroid accuracy on the LPP embedding = %g; want 1", acc)
	}
}

func centroidAccuracy(z mat.Matrix, y []int, classes int) float64 {
	n, k := z.Dims()
	cent := mat.NewDense(classes, k, nil)
	cnt := make([]float64, classes)
	for i := 0; i < n; i++ {
		cnt[y[i]]++
		for j := 0; j < k; j++ {
			cent.Set(y[i], j, cent.At(y[i], j)+z.At(i, j))
		}
	}
	for c := 0; c < classes; c++ {
		for j := 0; j < k; j++ {
			cent.Set(c, j, cent.At(c, j)/cnt[c])
		}
	}
	ok := 0
	for i := 0; i < n; i++ {
		best, arg := math.Inf(1), -1
		for c := 0; c < classes; c++ {
			d := 0.0
			for j := 0; j < k; j++ {
				v := z.At(i, j) - cent.At(c, j)
				d += v * v
			}
			if d < best {
				best, arg = d, c
			}
		}
		if arg == y[i] {
			ok++
		}
	}
	return float64(ok) / float64(n)
}

// MDS of a Euclidean distance matrix reproduces the centred configuration up
// to an orthogonal transformation: equal Gram matrices.
func TestMDSReproducesConfiguration(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	n, d := 60, 3
	x := mat.NewDense(n, d, nil)
	for i := 0; i < n; i++ {
		for j := 0; j < d; j++ {
			x.Set(i, j, r.NormFloat64()*float64(j+1))
		}
	}
	dist := mat.NewDense(n, n, nil)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			s := 0.0
			for q := 0; q < d; q++ {
				v := x.At(i, q) - x.At(j, q)
				s += v * v
			}
			dist.Set(i, j, math.Sqrt(s))
		}
	}
	for _, pre := range []bool{true, false} {
		in := x
		if pre {
			in = dist
		}
		m := &spectral.ClassicalMDS{Components: d, Precomputed: pre}
		if err := m.Fit(in); err != nil {
			t.Fatal(err)
		}
		xc := mat.DenseCopyOf(x)
		for j := 0; j < d; j++ {
			mu := stat.Mean(mat.Col(nil, j, xc), nil)
			for i := 0; i < n; i++ {
				xc.Set(i, j, xc.At(i, j)-mu)
			}
		}
		var g1, g2 mat.Dense
		g1.Mul(xc, xc.T())
		z := m.Embedding()
		g2.Mul(z, z.T())
		if diff := maxAbs(&g1, &g2); diff > 1e-9*maxAbs(&g1, mat.NewDense(n, n, nil)) {
			t.Fatalf("precomputed=%v: Gram matrices differ by %g", pre, diff)
		}
	}
}

func maxAbs(a, b mat.Matrix) float64 {
	r, c := a.Dims()
	d := 0.0
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			d = math.Max(d, math.Abs(a.At(i, j)-b.At(i, j)))
		}
	}
	return d
}

// ISOMAP unrolls a Swiss roll: the 2-D embedding distances correlate with
// the geodesic distances above 0.99; landmark ISOMAP does too, and with
// every point a landmark it equals full ISOMAP.
func TestIsomapUnrollsSwissRoll(t *testing.T) {
	ds, err := data.SwissRoll(1000, 4, 0.05, 9)
	if err != nil {
		t.Fatal(err)
	}
	it := spectral.SolverIterative
	full := &spectral.Isomap{Components: 2, Neighbors: 10, Solver: it}
	if err := full.Fit(ds.X); err != nil {
		t.Fatal(err)
	}
	geo := full.Geodesics()
	if c := distCorrelation(geo, full.Embedding()); c < 0.99 {
		t.Fatalf("ISOMAP geodesic/embedding distance correlation %.4f; want > 0.99", c)
	}
	// The ambient 2-D PCA does not unroll it (the test discriminates).
	pca := &spectral.KernelPCA{Components: 2, Solver: it}
	if err := pca.Fit(ds.X); err != nil {
		t.Fatal(err)
	}
	if c := distCorrelation(geo, pca.Embedding()); c > 0.9 {
		t.Fatalf("PCA correlation %.4f unexpectedly high", c)
	}
	lm := &spectral.Isomap{Components: 2, Neighbors: 10, Landmarks: 100, Seed: 1}
	if err := lm.Fit(ds.X); err != nil {
		t.Fatal(err)
	}
	if c := distCorrelation(geo, lm.Embedding()); c < 0.99 {
		t.Fatalf("landmark ISOMAP correlation %.4f; want > 0.99", c)
	}
	all := &spectral.Isomap{Components: 2, Neighbors: 10, Landmarks: 1000, Solver: it}
	if err := all.Fit(ds.X); err != nil {
		t.Fatal(err)
	}
	ang, err := principalAngles(all.Embedding(), full.Embedding())
	if err != nil {
		t.Fatal(err)
	}
	if ang[len(ang)-1] > 1e-8 {
		t.Fatalf("all-landmark ISOMAP differs from ISOMAP: angles %v", ang)
	}
	for i, v := range all.Eigenvalues() {
		if w := full.Eigenvalues()[i]; math.Abs(v-w) > 1e-9*w {
			t.Fatalf("eigenvalue %d: %g vs %g", i, v, w)
		}
	}
	// Out-of-sample: a point slightly moved from a training point lands
	// next to it.
	x0 := mat.DenseCopyOf(ds.X.Slice(0, 1, 0, 3))
	x0.Set(0, 1, x0.At(0, 1)+0.01)
	z0, err := full.Transform(x0)
	if err != nil {
		t.Fatal(err)
	}
	z := full.Embedding()
	if d := math.Hypot(z0.At(0, 0)-z.At(0, 0), z0.At(0, 1)-z.At(0, 1)); d > 0.5 {
		t.Fatalf("transformed neighbour lands %g away", d)
	}
}

// distCorrelation is the Pearson correlation between the entries i < j of
// the geodesic matrix and the Euclidean distances of z.
func distCorrelation(geo, z *mat.Dense) float64 {
	n, k := z.Dims()
	var a, b []float64
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			s := 0.0
			for q := 0; q < k; q++ {
				v := z.At(i, q) - z.At(j, q)
				s += v * v
			}
			a = append(a, geo.At(i, j))
			b = append(b, math.Sqrt(s))
		}
	}
	return stat.Correlation(a, b, nil)
}

// CCA on two views sharing one latent factor recovers its correlation
// ρ = 1/sqrt((1+σa²)(1+σb²)).
func TestCCARecoversLatentCorrelation(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	n, sa, sb := 20000, 0.5, 0.8
	xa := mat.NewDense(n, 3, nil)
	xb := mat.NewDense(n, 4, nil)
	for i := 0; i < n; i++ {
		s := r.NormFloat64()
		xa.Set(i, 0, s+sa*r.NormFloat64())
		xb.Set(i, 0, s+sb*r.NormFloat64())
		for j := 1; j < 3; j++ {
			xa.Set(i, j, r.NormFloat64())
		}
		for j := 1; j < 4; j++ {
			xb.Set(i, j, r.NormFloat64())
		}
	}
	// Mix the columns so the shared factor is not axis-aligned.
	mix := func(x *mat.Dense, seed uint64) *mat.Dense {
		_, d := x.Dims()
		rr := rand.New(rand.NewPCG(seed, 1))
		m := mat.NewDense(d, d, nil)
		for i := 0; i < d; i++ {
			for j := 0; j < d; j++ {
				m.Set(i, j, rr.NormFloat64())
			}
		}
		var out mat.Dense
		out.Mul(x, m)
		return &out
	}
	c := &spectral.CCA{Components: 3}
	if err := c.FitViews(mix(xa, 1), mix(xb, 2)); err != nil {
		t.Fatal(err)
	}
	want := 1 / math.Sqrt((1+sa*sa)*(1+sb*sb))
	rho := c.Eigenvalues()
	if math.Abs(rho[0]-want) > 0.02 {
		t.Fatalf("first canonical correlation %.4f; want %.4f", rho[0], want)
	}
	if rho[1] > 0.05 {
		t.Fatalf("second canonical correlation %.4f; want ~0", rho[1])
	}
	// The variates have unit variance and the stated correlation.
	za, zb := c.Embedding(), c.EmbeddingB()
	ca, cb := mat.Col(nil, 0, za), mat.Col(nil, 0, zb)
	if v := stat.Variance(ca, nil); math.Abs(v-1) > 1e-6 {
		t.Fatalf("variate variance %g; want 1", v)
	}
	if got := stat.Correlation(ca, cb, nil); math.Abs(got-rho[0]) > 1e-6 {
		t.Fatalf("variate correlation %g; want %g", got, rho[0])
	}
}

// Kernel LPP with the linear kernel is LPP on centred data.
func TestKernelLPPLinearIsCentredLPP(t *testing.T) {
	ds, err := data.Blobs(90, 3, 4, 6, 8)
	if err != nil {
		t.Fatal(err)
	}
	g, _, err := graph.KNN(ds.X, 8, graph.KNNOptions{})
	if err != nil {
		t.Fatal(err)
	}
	kl := &spectral.KernelLPP{Components: 3}
	if err := kl.FitGraph(ds.X, g); err != nil {
		t.Fatal(err)
	}
	xc := mat.DenseCopyOf(ds.X)
	n, d := xc.Dims()
	for j := 0; j < d; j++ {
		mu := stat.Mean(mat.Col(nil, j, xc), nil)
		for i := 0; i < n; i++ {
			xc.Set(i, j, xc.At(i, j)-mu)
		}
	}
	l := &spectral.LPP{Components: 3}
	if err := l.FitGraph(xc, g); err != nil {
		t.Fatal(err)
	}
	for i, v := range kl.Eigenvalues() {
		if w := l.Eigenvalues()[i]; math.Abs(v-w) > 1e-9*math.Max(1, w) {
			t.Fatalf("eigenvalue %d: %g vs LPP %g", i, v, w)
		}
	}
	if msg := columnsMatch(kl.Embedding(), l.Embedding(), 1e-7); msg != "" {
		t.Fatal(msg)
	}
}

// Kernel PCA with the linear kernel transforms new points exactly as PCA:
// (x − mean) V with V the right singular vectors of the centred data.
func TestKernelPCALinearIsPCA(t *testing.T) {
	ds, err := data.Blobs(80, 3, 5, 3, 2)
	if err != nil {
		t.Fatal(err)
	}
	p := &spectral.KernelPCA{Components: 3}
	if err := p.Fit(ds.X); err != nil {
		t.Fatal(err)
	}
	n, d := ds.X.Dims()
	xc := mat.DenseCopyOf(ds.X)
	mean := make([]float64, d)
	for j := 0; j < d; j++ {
		mean[j] = stat.Mean(mat.Col(nil, j, xc), nil)
		for i := 0; i < n; i++ {
			xc.Set(i, j, xc.At(i, j)-mean[j])
		}
	}
	var svd mat.SVD
	if !svd.Factorize(xc, mat.SVDThin) {
		t.Fatal("svd")
	}
	var v mat.Dense
	svd.VTo(&v)
	s := svd.Values(nil)
	for i, e := range p.Eigenvalues() {
		if math.Abs(e-s[i]*s[i]) > 1e-9*s[0]*s[0] {
			t.Fatalf("eigenvalue %d = %g; want σ² = %g", i, e, s[i]*s[i])
		}
	}
	r := rand.New(rand.NewPCG(1, 1))
	xn := mat.NewDense(7, d, nil)
	for i := 0; i < 7; i++ {
		for j := 0; j < d; j++ {
			xn.Set(i, j, 10*r.NormFloat64())
		}
	}
	got, err := p.Transform(xn)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 7; i++ {
		for j := 0; j < d; j++ {
			xn.Set(i, j, xn.At(i, j)-mean[j])
		}
	}
	var want mat.Dense
	want.Mul(xn, v.Slice(0, d, 0, 3))
	// Align signs by the training embedding, which is Xc V up to sign.
	var train mat.Dense
	train.Mul(xc, v.Slice(0, d, 0, 3))
	z := p.Embedding()
	for j := 0; j < 3; j++ {
		if mat.Dot(z.ColView(j), train.ColView(j)) < 0 {
			for i := 0; i < 7; i++ {
				want.Set(i, j, -want.At(i, j))
			}
		}
	}
	if diff := maxAbs(got, &want); diff > 1e-9*oracleScale(&want) {
		t.Fatalf("linear kPCA transform differs from PCA by %g", diff)
	}
}

func oracleScale(m mat.Matrix) float64 {
	return math.Max(1, maxAbs(m, mat.NewDense(rowsOf(m.(*mat.Dense)), colsOf(m), nil)))
}

func colsOf(m mat.Matrix) int { _, c := m.Dims(); return c }

func columnsMatch(got, want *mat.Dense, tol float64) string {
	return oracleColumnsMatch(got, want, tol)
}

// The spectral contrastive closed form attains ‖Gt‖² − Σ μ_k² and no
// perturbation does better; in the linear regime no perturbation of W does
// better either.
func TestSpectralContrastiveOptimal(t *testing.T) {
	ds, err := data.Blobs(60, 3, 4, 6, 3)
	if err != nil {
		t.Fatal(err)
	}
	g, _, err := graph.KNN(ds.X, 6, graph.KNNOptions{})
	if err != nil {
		t.Fatal(err)
	}
	gt := normalisedAdjacency(g)
	s := &spectral.SpectralContrastive{Components: 4}
	if err := s.FitGraph(nil, g); err != nil {
		t.Fatal(err)
	}
	z := s.Embedding()
	f := contrastiveLoss(gt, z)
	want := frob2(gt)
	for _, mu := range s.Eigenvalues() {
		if mu > 0 {
			want -= mu * mu
		}
	}
	if math.Abs(f-want) > 1e-9*math.Max(1, want) {
		t.Fatalf("loss at the closed form %g; want %g", f, want)
	}
	r := rand.New(rand.NewPCG(2, 2))
	for trial := 0; trial < 20; trial++ {
		zp := mat.DenseCopyOf(z)
		zp.Apply(func(_, _ int, v float64) float64 { return v + 1e-3*r.NormFloat64() }, zp)
		if fp := contrastiveLoss(gt, zp); fp < f-1e-12 {
			t.Fatalf("perturbation lowers the loss: %g < %g", fp, f)
		}
	}
	lin := &spectral.SpectralContrastive{Components: 3, Linear: true}
	if err := lin.FitGraph(ds.X, g); err != nil {
		t.Fatal(err)
	}
	w := lin.Weights()
	var zl mat.Dense
	zl.Mul(ds.X, w)
	fl := contrastiveLoss(gt, &zl)
	if d := maxAbs(&zl, lin.Embedding()); d > 1e-9*math.Max(1, maxAbs(&zl, mat.NewDense(60, 3, nil))) {
		t.Fatalf("X W differs from Embedding by %g", d)
	}
	for trial := 0; trial < 20; trial++ {
		wp := mat.DenseCopyOf(w)
		wp.Apply(func(_, _ int, v float64) float64 { return v + 1e-3*math.Abs(v)*r.NormFloat64() }, wp)
		var zp mat.Dense
		zp.Mul(ds.X, wp)
		if fp := contrastiveLoss(gt, &zp); fp < fl-1e-12 {
			t.Fatalf("linear perturbation lowers the loss: %g < %g", fp, fl)
		}
	}
}

func normalisedAdjacency(g *graph.CSR) *mat.Dense {
	a := g.Dense()
	deg := g.Degree(nil)
	n := g.N
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			a.Set(i, j, a.At(i, j)/math.Sqrt(deg[i]*deg[j]))
		}
	}
	return a
}

func contrastiveLoss(gt, z mat.Matrix) float64 {
	var zz mat.Dense
	zz.Mul(z, z.T())
	zz.Sub(gt, &zz)
	return frob2(&zz)
}

func frob2(m mat.Matrix) float64 {
	n := mat.Norm(m, 2)
	return n * n
}

// GraphCCA's directions satisfy Xᵀ G X w = ρ Xᵀ D X w with wᵀXᵀDXw = 1.
func TestGraphCCAResidual(t *testing.T) {
	ds, err := data.Blobs(70, 3, 5, 6, 6)
	if err != nil {
		t.Fatal(err)
	}
	g, _, err := graph.KNN(ds.X, 7, graph.KNNOptions{})
	if err != nil {
		t.Fatal(err)
	}
	c := &spectral.GraphCCA{Components: 3}
	if err := c.FitGraph(ds.X, g); err != nil {
		t.Fatal(err)
	}
	gd := g.Dense()
	deg := g.Degree(nil)
	dd := mat.NewDense(70, 70, nil)
	for i, v := range deg {
		dd.Set(i, i, v)
	}
	var a, b, t1, aw, bw mat.Dense
	t1.Mul(ds.X.T(), gd)
	a.Mul(&t1, ds.X)
	t1.Mul(ds.X.T(), dd)
	b.Mul(&t1, ds.X)
	w := c.Weights()
	aw.Mul(&a, w)
	bw.Mul(&b, w)
	rho := c.Eigenvalues()
	for j := 0; j < 3; j++ {
		for i := 0; i < 5; i++ {
			if r := aw.At(i, j) - rho[j]*bw.At(i, j); math.Abs(r) > 1e-9*mat.Norm(&a, math.Inf(1)) {
				t.Fatalf("residual %g at (%d,%d)", r, i, j)
			}
		}
		if nb := mat.Dot(w.ColView(j), bw.ColView(j)); math.Abs(nb-1) > 1e-9 {
			t.Fatalf("wᵀBw = %g; want 1", nb)
		}
	}
	if rho[0] < rho[1] || rho[1] < rho[2] {
		t.Fatalf("correlations not descending: %v", rho)
	}
}

// The dense and Lanczos paths of LE agree on a graph larger than the
// oracle cases.
func TestLESolversAgree(t *testing.T) {
	ds, err := data.SwissRoll(700, 4, 0.05, 4)
	if err != nil {
		t.Fatal(err)
	}
	var z [2]*mat.Dense
	var vals [2][]float64
	for s, solver := range []spectral.Solver{spectral.SolverDense, spectral.SolverIterative} {
		le := &spectral.LaplacianEigenmaps{Components: 4, Neighbors: 12, Solver: solver}
		if err := le.Fit(ds.X); err != nil {
			t.Fatal(err)
		}
		z[s], vals[s] = le.Embedding(), le.Eigenvalues()
	}
	for i := range vals[0] {
		if math.Abs(vals[0][i]-vals[1][i]) > 1e-9 {
			t.Fatalf("eigenvalue %d: dense %g, iterative %g", i, vals[0][i], vals[1][i])
		}
	}
	if msg := columnsMatch(z[1], z[0], 1e-6); msg != "" {
		t.Fatal(msg)
	}
}

func TestErrors(t *testing.T) {
	ds, err := data.Blobs(60, 3, 4, 0.5, 1)
	if err != nil {
		t.Fatal(err)
	}
	// Well separated blobs: the 5-NN graph is disconnected.
	le := &spectral.LaplacianEigenmaps{Neighbors: 5, Strict: true}
	if err := le.Fit(ds.X); !errors.Is(err, spectral.ErrDisconnected) {
		t.Errorf("strict LE on a disconnected graph: %v; want ErrDisconnected", err)
	}
	iso := &spectral.Isomap{Neighbors: 4, Strict: true}
	if err := iso.Fit(ds.X); !errors.Is(err, spectral.ErrDisconnected) {
		t.Errorf("ISOMAP on a disconnected graph: %v; want ErrDisconnected", err)
	}
	// O(N²) methods refuse a large N and name the landmark option.
	big := mat.NewDense(spectral.MaxQuadraticN+1, 1, nil)
	for i := 0; i < spectral.MaxQuadraticN+1; i++ {
		big.Set(i, 0, float64(i))
	}
	for _, m := range []spectral.Estimator{&spectral.ClassicalMDS{}, &spectral.Isomap{}, &spectral.KernelPCA{}} {
		err := m.Fit(big)
		if !errors.Is(err, spectral.ErrTooLarge) {
			t.Errorf("%T on N = %d: %v; want ErrTooLarge", m, spectral.MaxQuadraticN+1, err)
			continue
		}
		if _, ok := m.(*spectral.KernelPCA); !ok && !strings.Contains(err.Error(), "Landmarks") {
			t.Errorf("%T: message %q does not name Landmarks", m, err)
		}
	}
	// Precomputed inputs: negative, asymmetric, non-square.
	a := mat.NewDense(4, 4, []float64{0, 1, 1, 0, 1, 0, 1, 1, 1, 1, 0, -1, 0, 1, -1, 0})
	if err := (&spectral.LaplacianEigenmaps{Components: 1, Precomputed: true}).Fit(a); !errors.Is(err, spectral.ErrNegative) {
		t.Errorf("negative affinity: %v; want ErrNegative", err)
	}
	a.Set(2, 3, 1)
	a.Set(3, 2, 0.5)
	if err := (&spectral.LaplacianEigenmaps{Components: 1, Precomputed: true}).Fit(a); !errors.Is(err, spectral.ErrShape) {
		t.Errorf("asymmetric affinity: %v; want ErrShape", err)
	}
	if err := (&spectral.ClassicalMDS{Components: 1, Precomputed: true}).Fit(mat.NewDense(3, 4, nil)); !errors.Is(err, spectral.ErrShape) {
		t.Errorf("non-square distances: %v; want ErrShape", err)
	}
	if err := (&spectral.CCA{}).FitViews(mat.NewDense(5, 2, nil), mat.NewDense(4, 2, nil)); !errors.Is(err, spectral.ErrShape) {
		t.Errorf("CCA row mismatch: %v; want ErrShape", err)
	}
	var e *spectral.Error
	err = (&spectral.KernelPCA{Components: 100}).Fit(ds.X)
	if !errors.As(err, &e) || e.Param != "Components" || !strings.HasPrefix(err.Error(), "spectral: kpca.fit: Components = 100") {
		t.Errorf("error %v does not name the parameter", err)
	}
}

// With every point a landmark, the Nyström kernel PCA is kernel PCA.
func TestKernelPCALandmarksAll(t *testing.T) {
	ds, err := data.Blobs(80, 3, 4, 4, 5)
	if err != nil {
		t.Fatal(err)
	}
	full := &spectral.KernelPCA{Components: 3, Kernel: spectral.KernelRBF, Gamma: 0.05}
	all := &spectral.KernelPCA{Components: 3, Kernel: spectral.KernelRBF, Gamma: 0.05, Landmarks: 80}
	for _, m := range []*spectral.KernelPCA{full, all} {
		if err := m.Fit(ds.X); err != nil {
			t.Fatal(err)
		}
	}
	if msg := columnsMatch(all.Embedding(), full.Embedding(), 1e-9); msg != "" {
		t.Fatal(msg)
	}
	for i, v := range all.Eigenvalues() {
		if w := full.Eigenvalues()[i]; math.Abs(v-w) > 1e-9*w {
			t.Fatalf("eigenvalue %d: %g vs %g", i, v, w)
		}
	}
}

// Gower's out-of-sample formula is exact for Euclidean data: new points
// transformed by an MDS fitted without them sit at their true distances
// from every training point.
func TestMDSTransformHoldOut(t *testing.T) {
	r := rand.New(rand.NewPCG(8, 1))
	n, m, d := 40, 10, 3
	x := mat.NewDense(n+m, d, nil)
	for i := 0; i < n+m; i++ {
		for j := 0; j < d; j++ {
			x.Set(i, j, r.NormFloat64()*float64(3-j))
		}
	}
	train := mat.DenseCopyOf(x.Slice(0, n, 0, d))
	test := mat.DenseCopyOf(x.Slice(n, n+m, 0, d))
	for _, lm := range []int{0, 12} {
		mds := &spectral.ClassicalMDS{Components: d, Landmarks: lm, Seed: 3}
		if err := mds.Fit(train); err != nil {
			t.Fatal(err)
		}
		z := mds.Embedding()
		zt, err := mds.Transform(test)
		if err != nil {
			t.Fatal(err)
		}
		for a := 0; a < m; a++ {
			for i := 0; i < n; i++ {
				var dz, dx float64
				for j := 0; j < d; j++ {
					dz += (zt.At(a, j) - z.At(i, j)) * (zt.At(a, j) - z.At(i, j))
					dx += (test.At(a, j) - train.At(i, j)) * (test.At(a, j) - train.At(i, j))
				}
				if math.Abs(math.Sqrt(dz)-math.Sqrt(dx)) > 1e-9*math.Max(1, math.Sqrt(dx)) {
					t.Fatalf("landmarks=%d: new point %d to training point %d: distance %g; want %g", lm, a, i, math.Sqrt(dz), math.Sqrt(dx))
				}
			}
		}
	}
}

// LTSA unrolls a Swiss roll: one embedding coordinate follows the position
// t along the roll (t = radius = sqrt(x² + z²) on the noiseless roll). The
// implementation was also checked once against scikit-learn 1.2.1
// (method='ltsa', eigen_solver='dense', make_swiss_roll(200, noise=0.05,
// random_state=0), k = 10): columns equal to 1e-13.
func TestLTSAUnrollsSwissRoll(t *testing.T) {
	ds, err := data.SwissRoll(800, 4, 0.01, 3)
	if err != nil {
		t.Fatal(err)
	}
	m := &spectral.LLE{Components: 2, Neighbors: 8, Method: "ltsa"}
	if err := m.Fit(ds.X); err != nil {
		t.Fatal(err)
	}
	n, _ := ds.X.Dims()
	pos := make([]float64, n)
	for i := range pos {
		pos[i] = math.Hypot(ds.X.At(i, 0), ds.X.At(i, 2))
	}
	z := m.Embedding()
	best := 0.0
	for j := 0; j < 2; j++ {
		best = math.Max(best, math.Abs(stat.Correlation(mat.Col(nil, j, z), pos, nil)))
	}
	if best < 0.95 {
		t.Fatalf("LTSA: best |correlation| with the roll position %.3f; want > 0.95", best)
	}
	if err := (&spectral.LLE{Components: 10, Neighbors: 10, Method: "ltsa"}).Fit(ds.X); !errors.Is(err, spectral.ErrParam) {
		t.Fatalf("LTSA with Components = Neighbors: %v; want ErrParam", err)
	}
	if err := (&spectral.LLE{Method: "hessian"}).Fit(ds.X); !errors.Is(err, spectral.ErrParam) {
		t.Fatalf("unknown method: %v; want ErrParam", err)
	}
}
