package loss_test

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/eigenssl/eigenssl/graph"
	"github.com/eigenssl/eigenssl/loss"
	"github.com/eigenssl/eigenssl/loss/losstest"
	"gonum.org/v1/gonum/mat"
)

// kinds says which inputs each loss reads: "pair" (Z1, Z2) or "gform" (Z, G).
var kinds = map[string]string{
	loss.NameVICRegOfficial:           "pair",
	loss.NameBarlowTwinsOfficial:      "pair",
	loss.NameNTXent:                   "pair",
	loss.NameSpectralContrastive:      "pair",
	loss.NameVICRegGForm:              "gform",
	loss.NameSimCLRGForm:              "gform",
	loss.NameBarlowTwinsGForm:         "gform",
	loss.NameSpectralContrastiveGForm: "gform",
	loss.NameWMSE:                     "pair",
	loss.NameVICRegSmooth:             "gform",
}

// closedFormTested lists losses without oracle vectors that
// TestSpectralContrastiveGFormMinimum checks against their closed form.
var closedFormTested = map[string]bool{loss.NameSpectralContrastiveGForm: true, loss.NameWMSE: true, loss.NameVICRegSmooth: true}

func randDense(rng *rand.Rand, r, c int, scale float64) *mat.Dense {
	m := mat.NewDense(r, c, nil)
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			m.Set(i, j, scale*rng.NormFloat64())
		}
	}
	return m
}

// augGraph returns the V-view augmentation graph on V*nOrig rows.
func augGraph(t testing.TB, nOrig, v int) *graph.CSR {
	g, _, err := graph.Views(nOrig, v)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// irregularGraph returns the augmentation graph plus random symmetric edges,
// every weight drawn from (0.2, 2.2).
func irregularGraph(t testing.TB, rng *rand.Rand, nOrig, v, extra int) *graph.CSR {
	n := nOrig * v
	a := mat.NewDense(n, n, nil)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			if i != j && i%nOrig == j%nOrig {
				a.Set(i, j, 0.2+2*rng.Float64())
			}
		}
	}
	for e := 0; e < extra; e++ {
		i, j := rng.IntN(n), rng.IntN(n)
		if i != j {
			w := 0.2 + 2*rng.Float64()
			a.Set(i, j, w)
			a.Set(j, i, w)
		}
	}
	for i := 0; i < n; i++ {
		for j := 0; j < i; j++ {
			a.Set(i, j, a.At(j, i))
		}
	}
	return csrOf(t, a)
}

// randomInputs returns inputs for loss name: correlated branches for the
// two-branch losses, a stacked Z with graph g for the G-form ones.
func randomInputs(rng *rand.Rand, name string, g *graph.CSR, k int) loss.Inputs {
	if kinds[name] == "gform" {
		return loss.Inputs{Z: randDense(rng, g.N, k, 1), G: g}
	}
	n := g.N
	z1 := randDense(rng, n, k, 1)
	z2 := randDense(rng, n, k, 0.5)
	z2.Add(z2, z1)
	if name == loss.NameSpectralContrastive {
		// Some rows inside the ball (kept), the others projected onto it.
		for i := 0; i < n; i += 3 {
			r := z1.RawRowView(i)
			for j := range r {
				r[j] *= 0.1
			}
		}
	}
	return loss.Inputs{Z1: z1, Z2: z2}
}

// TestGradientsFiniteDifferences runs the conformance suite on every loss
// at random points, with the augmentation graph and an irregular weighted G.
func TestGradientsFiniteDifferences(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	graphs := map[string]*graph.CSR{
		"aug-V2":             augGraph(t, 6, 2),
		"aug-V3":             augGraph(t, 4, 3),
		"irregular-weighted": irregularGraph(t, rng, 5, 2, 8),
	}
	graphs["wide"] = augGraph(t, 2, 2) // two-branch losses only: K > N takes the N x N route
	for _, name := range loss.Names() {
		for gname, g := range graphs {
			if (kinds[name] == "pair") != (gname == "aug-V2" || gname == "wide") {
				continue
			}
			if name == loss.NameWMSE && gname == "wide" {
				continue // needs N > K or w_eps > 0: see TestWMSE
			}
			t.Run(name+"/"+gname, func(t *testing.T) {
				l, err := loss.New(name, nil)
				if err != nil {
					t.Fatal(err)
				}
				k := 5
				if gname == "wide" {
					k = 9
				}
				in := randomInputs(rng, name, g, k)
				losstest.CheckGradient(t, l, in, 1e-6)
				losstest.CheckDeterministic(t, l, in)
				losstest.CheckRejectsNaN(t, l, in)
				losstest.CheckInputsUnchanged(t, l, in)
			})
		}
	}
}

// TestBarlowTwinsGFormMatrixForm compares the loss with the edge-list
// definition (Zl = Z[rows], Zr = Z[cols], column-normalised) computed by
// brute force for a 0/1 G, and with the dense matrix form
// diag(Z^T D Z)^{-1/2} Z^T G Z diag(Z^T D Z)^{-1/2} for a weighted G.
func TestBarlowTwinsGFormMatrixForm(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const k, alpha = 4, 0.3
	lossOf := func(c *mat.Dense) float64 {
		v := 0.0
		for i := 0; i < k; i++ {
			for j := 0; j < k; j++ {
				if i == j {
					v += (c.At(i, i) - 1) * (c.At(i, i) - 1)
				} else {
					v += alpha * c.At(i, j) * c.At(i, j)
				}
			}
		}
		return v
	}
	check := func(name string, z *mat.Dense, g *graph.CSR, want *mat.Dense) {
		got, err := loss.GFormCorrelation(z, g)
		if err != nil {
			t.Fatal(err)
		}
		if d := maxAbs(got, want); d > 1e-12 {
			t.Errorf("%s: C differs from the reference by %.3g", name, d)
		}
		res, err := loss.BarlowTwinsGForm{Alpha: alpha}.Eval(loss.Inputs{Z: z, G: g}, false)
		if err != nil {
			t.Fatal(err)
		}
		if w := lossOf(want); !relClose(res.Value, w, 1e-12) {
			t.Errorf("%s: value %.17g; want %.17g", name, res.Value, w)
		}
	}
	// Edge list of a 0/1 irregular G.
	g01 := irregularGraph(t, rng, 6, 2, 6)
	for p := range g01.Val {
		g01.Val[p] = 1
	}
	z := randDense(rng, g01.N, k, 1)
	var rows, cols []int
	for i := 0; i < g01.N; i++ {
		for p := g01.RowPtr[i]; p < g01.RowPtr[i+1]; p++ {
			rows, cols = append(rows, i), append(cols, g01.Col[p])
		}
	}
	zl := mat.NewDense(len(rows), k, nil)
	zr := mat.NewDense(len(rows), k, nil)
	for e := range rows {
		zl.SetRow(e, z.RawRowView(rows[e]))
		zr.SetRow(e, z.RawRowView(cols[e]))
	}
	colNormalize := func(m *mat.Dense) {
		for j := 0; j < k; j++ {
			c := mat.Col(nil, j, m)
			n := math.Max(mat.Norm(mat.NewVecDense(len(c), c), 2), 1e-6)
			for i := range c {
				m.Set(i, j, c[i]/n)
			}
		}
	}
	colNormalize(zl)
	colNormalize(zr)
	var c mat.Dense
	c.Mul(zl.T(), zr)
	check("edge list", z, g01, &c)
	// Dense matrix form for a weighted G.
	gw := irregularGraph(t, rng, 6, 2, 6)
	z = randDense(rng, gw.N, k, 1)
	gd := gw.Dense()
	var d, ztdz, ztgz, a mat.Dense
	deg := mat.NewVecDense(gw.N, nil)
	deg.MulVec(gd, mat.NewVecDense(gw.N, ones(gw.N)))
	d.Apply(func(i, j int, _ float64) float64 {
		if i == j {
			return deg.AtVec(i)
		}
		return 0
	}, gd)
	a.Mul(&d, z)
	ztdz.Mul(z.T(), &a)
	a.Mul(gd, z)
	ztgz.Mul(z.T(), &a)
	want := mat.NewDense(k, k, nil)
	want.Apply(func(i, j int, v float64) float64 {
		return v / math.Sqrt(ztdz.At(i, i)*ztdz.At(j, j))
	}, &ztgz)
	check("weighted matrix form", z, gw, want)
}

// TestVICRegGFormDirichlet checks the invariance term against the
// Dirichlet form 2 Tr(Z^T L Z) / N with a dense Laplacian, on a weighted G.
func TestVICRegGFormDirichlet(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	g := irregularGraph(t, rng, 7, 3, 10)
	z := randDense(rng, g.N, 3, 1)
	res, err := loss.VICRegGForm{}.Eval(loss.Inputs{Z: z, G: g}, false)
	if err != nil {
		t.Fatal(err)
	}
	gd := g.Dense()
	l := mat.NewDense(g.N, g.N, nil)
	for i := 0; i < g.N; i++ {
		for j := 0; j < g.N; j++ {
			if j != i {
				l.Set(i, j, -gd.At(i, j))
				l.Set(i, i, l.At(i, i)+gd.At(i, j))
			}
		}
	}
	var lz, ztlz mat.Dense
	lz.Mul(l, z)
	ztlz.Mul(z.T(), &lz)
	want := 2 * mat.Trace(&ztlz) / float64(g.N)
	if got := res.Parts["inv_loss"]; !relClose(got, want, 1e-12) {
		t.Errorf("inv_loss %.17g; 2 Tr(Z^T L Z)/N = %.17g", got, want)
	}
}

// TestSpectralContrastiveGFormMinimum checks the closed form of THEORY.md
// section 4: at Z* = U_K diag(sqrt(lambda_k)) (top eigenpairs of
// Gt = D^{-1/2} G D^{-1/2}, negative eigenvalues giving zero columns) the
// value is ||Gt||_F^2 - sum_{lambda_k > 0} lambda_k^2, the gradient
// vanishes, and random perturbations only increase the value.
func TestSpectralContrastiveGFormMinimum(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for _, tc := range []struct {
		name string
		g    *graph.CSR
		k    int
	}{
		{"irregular-weighted", irregularGraph(t, rng, 6, 2, 10), 3},
		{"aug-V2-K>c", augGraph(t, 4, 2), 6}, // only 4 positive eigenvalues
		{"aug-V3", augGraph(t, 5, 3), 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := tc.g.N
			gd := tc.g.Dense()
			deg := make([]float64, n)
			for i := 0; i < n; i++ {
				deg[i] = mat.Sum(gd.RowView(i))
			}
			gt := mat.NewSymDense(n, nil)
			fro := 0.0
			for i := 0; i < n; i++ {
				for j := 0; j < n; j++ {
					v := gd.At(i, j) / math.Sqrt(deg[i]*deg[j])
					gt.SetSym(i, j, v)
					fro += v * v
				}
			}
			var es mat.EigenSym
			if !es.Factorize(gt, true) {
				t.Fatal("EigenSym failed")
			}
			vals := es.Values(nil)
			var vecs mat.Dense
			es.VectorsTo(&vecs)
			zs := mat.NewDense(n, tc.k, nil)
			want := fro
			for c := 0; c < tc.k; c++ {
				lam := vals[n-1-c]
				if lam <= 0 {
					continue
				}
				want -= lam * lam
				for i := 0; i < n; i++ {
					zs.Set(i, c, vecs.At(i, n-1-c)*math.Sqrt(lam))
				}
			}
			l := loss.SpectralContrastiveGForm{}
			res, err := l.Eval(loss.Inputs{Z: zs, G: tc.g}, true)
			if err != nil {
				t.Fatal(err)
			}
			if !relClose(res.Value, want, 1e-10) {
				t.Errorf("value at Z* %.17g; closed form %.17g", res.Value, want)
			}
			if gmax := maxAbs(res.Grad[loss.KeyZ], mat.NewDense(n, tc.k, nil)); gmax > 1e-10 {
				t.Errorf("gradient at Z* has max entry %.3g", gmax)
			}
			for trial := 0; trial < 20; trial++ {
				zp := randDense(rng, n, tc.k, 1e-2)
				zp.Add(zp, zs)
				r, err := l.Eval(loss.Inputs{Z: zp, G: tc.g}, false)
				if err != nil {
					t.Fatal(err)
				}
				if r.Value < res.Value-1e-12 {
					t.Fatalf("perturbed value %.17g below the minimum %.17g", r.Value, res.Value)
				}
			}
		})
	}
}

// TestSimCLRGFormBruteForce compares the evaluation with dense loops written
// from the definition, on a weighted irregular G with a zero row, for a
// usual tau and one small enough to take the two-exponential path.
func TestSimCLRGFormBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 13))
	g := irregularGraph(t, rng, 50, 3, 40)
	n, k := g.N, 6
	// tau = 0.002 takes the two-exponential path (2/tau > 600).
	for _, tau := range []float64{0.3, 0.002} {
		z := randDense(rng, n, k, 1)
		z.SetRow(4, make([]float64, k))
		res, err := loss.SimCLRGForm{Tau: tau}.Eval(loss.Inputs{Z: z, G: g}, true)
		if err != nil {
			t.Fatal(err)
		}
		if want := simclrBrute(z, g, tau); !relClose(res.Value, want, 1e-12) {
			t.Errorf("tau %v: value %.17g; brute force %.17g", tau, res.Value, want)
		}
		losstest.CheckGradient(t, loss.SimCLRGForm{Tau: tau}, loss.Inputs{Z: randDense(rng, n, k, 1), G: g}, 1e-6)
	}
}

// simclrBrute evaluates simclr_gform from its definition with dense loops.
func simclrBrute(z *mat.Dense, g *graph.CSR, tau float64) float64 {
	n, _ := z.Dims()
	zn := mat.DenseCopyOf(z)
	for i := 0; i < n; i++ {
		r := zn.RawRowView(i)
		nr := math.Max(math.Sqrt(dotf(r, r)), 1e-12)
		for j := range r {
			r[j] /= nr
		}
	}
	gd := g.Dense()
	want := 0.0
	for i := 0; i < n; i++ {
		s := make([]float64, n)
		mx := math.Inf(-1)
		for j := 0; j < n; j++ {
			s[j] = dotf(zn.RawRowView(i), zn.RawRowView(j)) / tau
			if j != i {
				mx = math.Max(mx, s[j])
			}
		}
		sum := 0.0
		for j := 0; j < n; j++ {
			if j != i {
				sum += math.Exp(s[j] - mx)
			}
		}
		lse := mx + math.Log(sum)
		for j := 0; j < n; j++ {
			want += gd.At(i, j) * (lse - s[j])
		}
	}
	return want
}

// TestWMSE checks W-MSE without oracle vectors: identical branches give 0
// with a zero gradient; the value is invariant to z -> a z + b; shrinkage
// makes N <= K usable (gradient by finite differences), which is refused
// without it.
func TestWMSE(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	z := randDense(rng, 20, 4, 1)
	res, err := loss.WMSE{}.Eval(loss.Inputs{Z1: z, Z2: z}, true)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(res.Value) > 1e-13 || maxAbs(res.Grad[loss.KeyZ1], mat.NewDense(20, 4, nil)) > 1e-12 {
		t.Errorf("identical branches: value %g, gradient max %g", res.Value, maxAbs(res.Grad[loss.KeyZ1], mat.NewDense(20, 4, nil)))
	}
	z2 := randDense(rng, 20, 4, 0.5)
	z2.Add(z2, z)
	a, err := loss.WMSE{}.Eval(loss.Inputs{Z1: z, Z2: z2}, false)
	if err != nil {
		t.Fatal(err)
	}
	zs := mat.NewDense(20, 4, nil)
	zs.Apply(func(_, j int, v float64) float64 { return 3*v + float64(j) }, z)
	b, err := loss.WMSE{}.Eval(loss.Inputs{Z1: zs, Z2: z2}, false)
	if err != nil {
		t.Fatal(err)
	}
	if !relClose(a.Value, b.Value, 1e-12) || a.Value < 1e-3 {
		t.Errorf("value %.17g changed to %.17g under z -> 3z + b", a.Value, b.Value)
	}
	wide := loss.Inputs{Z1: randDense(rng, 4, 6, 1), Z2: randDense(rng, 4, 6, 1)}
	if _, err := (loss.WMSE{}).Eval(wide, false); !errors.Is(err, loss.ErrSingular) {
		t.Errorf("N <= K without shrinkage: got %v; want ErrSingular", err)
	}
	losstest.CheckGradient(t, loss.WMSE{Eps: 0.2}, wide, 1e-6)
}

func TestNewErrors(t *testing.T) {
	_, err := loss.New("no-such-loss", nil)
	if !errors.Is(err, loss.ErrUnknown) || !strings.Contains(err.Error(), "vicreg_official") {
		t.Errorf("unknown name: %v", err)
	}
	_, err = loss.New("vicreg-official", map[string]float64{"lambd": 1})
	if !errors.Is(err, loss.ErrUnknown) || !strings.Contains(err.Error(), "sim_coeff") {
		t.Errorf("unknown key: %v", err)
	}
	for _, tc := range []struct {
		name string
		p    map[string]float64
		want error
	}{
		{"ntxent", map[string]float64{"tau": 0}, loss.ErrParam},
		{"ntxent", map[string]float64{"tau": math.NaN()}, loss.ErrNaN},
		{"barlowtwins_official", map[string]float64{"bn_eps": 1e-3}, loss.ErrParam},
		{"vicreg_gform", map[string]float64{"beta": -1}, loss.ErrParam},
		{"vicreg_official", map[string]float64{"sim_coeff": 0, "std_coeff": 0, "cov_coeff": 0}, loss.ErrParam},
		{"wmse", map[string]float64{"w_eps": 1}, loss.ErrParam},
	} {
		if _, err := loss.New(tc.name, tc.p); !errors.Is(err, tc.want) {
			t.Errorf("New(%s, %v): got %v; want %v", tc.name, tc.p, err, tc.want)
		}
	}
	l, err := loss.New("Barlowtwins-Official", map[string]float64{"lambd": 0.01, "bn_eps": 1e-5})
	if err != nil || l.(loss.BarlowTwinsOfficial).Lambd != 0.01 {
		t.Errorf("alias with fixed constant: %v, %v", l, err)
	}
}

func TestEvalErrors(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	z := randDense(rng, 6, 3, 1)
	g := augGraph(t, 3, 2)
	asym := augGraph(t, 3, 2)
	asym.Val[0] = 2
	neg := augGraph(t, 3, 2)
	for p := range neg.Val {
		neg.Val[p] = -1
	}
	for _, tc := range []struct {
		l    loss.Loss
		in   loss.Inputs
		want error
	}{
		{loss.VICRegOfficial{}, loss.Inputs{Z1: z}, loss.ErrEmpty},
		{loss.NTXent{}, loss.Inputs{Z1: z, Z2: randDense(rng, 5, 3, 1)}, loss.ErrShape},
		{loss.VICRegOfficial{}, loss.Inputs{Z1: randDense(rng, 1, 3, 1), Z2: randDense(rng, 1, 3, 1)}, loss.ErrShape},
		{loss.SimCLRGForm{}, loss.Inputs{Z: z}, loss.ErrEmpty},
		{loss.SimCLRGForm{}, loss.Inputs{Z: randDense(rng, 5, 3, 1), G: g}, loss.ErrShape},
		{loss.BarlowTwinsGForm{}, loss.Inputs{Z: z, G: asym}, loss.ErrGraph},
		{loss.VICRegGForm{}, loss.Inputs{Z: z, G: neg}, loss.ErrGraph},
	} {
		_, err := tc.l.Eval(tc.in, true)
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: got %v; want %v", tc.l.Name(), err, tc.want)
		}
		var le *loss.Error
		if !errors.As(err, &le) || !strings.HasPrefix(err.Error(), "loss: ") {
			t.Errorf("%s: error %v is not a *loss.Error", tc.l.Name(), err)
		}
	}
}

// ExampleNTXent: with z1 = z2 = I_2 each anchor's positive has similarity
// 1/tau and its two negatives 0, so every l_i = log(1 + 2 exp(-1/tau)).
func ExampleNTXent() {
	z := mat.NewDense(2, 2, []float64{1, 0, 0, 1})
	l, _ := loss.New("nt-xent", map[string]float64{"tau": 0.5})
	res, _ := l.Eval(loss.Inputs{Z1: z, Z2: z}, false)
	fmt.Printf("%.12f %.12f\n", res.Value, math.Log1p(2*math.Exp(-2)))
	// Output: 0.239544766222 0.239544766222
}

func ones(n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = 1
	}
	return v
}

func dotf(a, b []float64) float64 {
	s := 0.0
	for i, v := range a {
		s += v * b[i]
	}
	return s
}

func maxAbs(a, b mat.Matrix) float64 {
	r, c := a.Dims()
	m := 0.0
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			m = math.Max(m, math.Abs(a.At(i, j)-b.At(i, j)))
		}
	}
	return m
}

// TestGFormZeroAtOptimum checks the exact optima of THEORY.md section 4 on
// a weighted augmentation graph (clique n has weight 1+n): BarlowTwins is 0
// with a zero gradient iff L Z = 0 and Z^T D Z is diagonal and positive
// (Z = scaled component indicators, K <= c); the hinge VICReg is 0 with a
// zero gradient for Z in null(L), centred, uncorrelated, with variances
// above 1 (K <= c/2 here, columns +-s on two components).
func TestGFormZeroAtOptimum(t *testing.T) {
	const nOrig, v = 8, 3
	g := augGraph(t, nOrig, v)
	for i := 0; i < g.N; i++ {
		for p := g.RowPtr[i]; p < g.RowPtr[i+1]; p++ {
			g.Val[p] = 1 + float64(i%nOrig)
		}
	}
	n := g.N
	zero := func(name string, l loss.Loss, z *mat.Dense) {
		t.Helper()
		res, err := l.Eval(loss.Inputs{Z: z, G: g}, true)
		if err != nil {
			t.Fatal(err)
		}
		r, c := z.Dims()
		if gmax := maxAbs(res.Grad[loss.KeyZ], mat.NewDense(r, c, nil)); math.Abs(res.Value) > 1e-12 || gmax > 1e-12 {
			t.Errorf("%s: value %g, gradient max %g at the optimum; want 0, 0", name, res.Value, gmax)
		}
		// Moving off the optimum costs something.
		zp := mat.DenseCopyOf(z)
		zp.Set(0, 0, zp.At(0, 0)+0.1)
		if r, _ := l.Eval(loss.Inputs{Z: zp, G: g}, false); !(r.Value > 1e-6) {
			t.Errorf("%s: perturbed value %g not above the optimum", name, r.Value)
		}
	}
	const k = 4
	bt := mat.NewDense(n, k, nil)
	for i := 0; i < n; i++ {
		if c := i % nOrig; c < k {
			bt.Set(i, c, 0.5+float64(c))
		}
	}
	zero("barlowtwins_gform", loss.BarlowTwinsGForm{Alpha: 0.3}, bt)
	vc := mat.NewDense(n, k, nil)
	s := math.Sqrt(float64(n-1) / v) // variance 2 s^2 v / (n-1) = 2
	for i := 0; i < n; i++ {
		c := i % nOrig
		switch {
		case c < 2*k && c%2 == 0:
			vc.Set(i, c/2, s)
		case c < 2*k:
			vc.Set(i, c/2, -s)
		}
	}
	zero("vicreg_gform", loss.VICRegGForm{Alpha: 25, Beta: 1, Gamma: 25}, vc)
}

// TestForm: every registered loss says which inputs it reads, in agreement
// with the independent kinds table of these tests, through both Form and
// FormOf; an unknown name is ErrUnknown.
func TestForm(t *testing.T) {
	for _, name := range loss.Names() {
		l, err := loss.New(name, nil)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]loss.Form{"pair": loss.TwoBranch, "gform": loss.GForm}[kinds[name]]
		got, err := loss.FormOf(name)
		if err != nil || got != want || l.Form() != want {
			t.Errorf("%s: Form %v, FormOf %v (%v); want %v", name, l.Form(), got, err, want)
		}
	}
	if _, err := loss.FormOf("nope"); !errors.Is(err, loss.ErrUnknown) {
		t.Errorf("FormOf(nope): %v; want ErrUnknown", err)
	}
	if s := loss.RowScale(loss.SpectralContrastiveGForm{}, 400); s != 0.05 {
		t.Errorf("RowScale(spectral_contrastive_gform, 400) = %v; want 1/20", s)
	}
	if s := loss.RowScale(loss.VICRegGForm{}, 400); s != 1 {
		t.Errorf("RowScale(vicreg_gform, 400) = %v; want 1", s)
	}
}
