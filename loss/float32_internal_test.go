package loss

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/eigenssl/eigenssl/internal/oracle"
	"github.com/eigenssl/eigenssl/linalg"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/mat"
)

// Rounding-error bounds of the float32 paths of VICRegOfficial and
// BarlowTwinsOfficial against their float64 evaluation on the same
// (float32) inputs, first order in ε = 2⁻²⁴, with γ(m) = mε/(1 − mε)
// (Higham, Accuracy and Stability of Numerical Algorithms, §3.1):
//
//   - An inner product of length m of entries each already off by one
//     rounding is off by at most γ(m+2)·Σ|a||b| ≤ γ(m+2)·‖a‖‖b‖ (Cauchy–
//     Schwarz). So a covariance entry C_ij (Syrk over N rows of the
//     centred columns) is off by Δ_ij = γ(N+2)·√(C_ii C_jj), and a
//     normalised cross-correlation c_kl (columns of norm ≤ √N) by γ(N+2).
//   - Everything else (sums over N·K or K² terms, statistics, hinge) is
//     evaluated in float64 from those entries; its own error is of order
//     2⁻⁵³ and is covered by a 2⁻⁴⁰ relative slack on the float64 values.
//   - Propagated to first order through the value (squares, square
//     roots) and through the gradient products (one more product of
//     length K or N, and one rounding of each stored entry).
//
// The routes through the N×N Gram matrices (K > N) cancel a diagonal part
// against ‖B‖²_F, so their bounds carry γ(K+2)·Σ P_ij² with P = |xc||xc|ᵀ.
// Inputs rounded from float64 (the oracle comparison) add two roundings per
// factor: extra = 2.
func gamma(m int) float64 { e := 1.0 / (1 << 24); return float64(m) * e / (1 - float64(m)*e) }

const eps32 = 1.0 / (1 << 24)

func absMat(a *mat.Dense) *mat.Dense {
	b := mat.DenseCopyOf(a)
	b.Apply(func(_, _ int, v float64) float64 { return math.Abs(v) }, b)
	return b
}

func centred(z *mat.Dense) *mat.Dense { return center(linalg.GeneralOf(z)).Dense() }

// vicregBounds returns first-order bounds on |Δ value| and ‖Δ grad‖_F
// (per branch) of the float32 VICRegOfficial.
func vicregBounds(l VICRegOfficial, z [2]*mat.Dense, extra int) (float64, [2]float64) {
	sim, std, cov := l.coeffs()
	n, k := z[0].Dims()
	n1 := float64(n - 1)
	ws, wc := std/(2*float64(k)), cov/float64(k)
	var val float64
	var grad [2]float64
	for b := range 2 {
		xc := centred(z[b])
		var c mat.Dense
		c.Mul(xc.T(), xc)
		c.Scale(1/n1, &c)
		g := gamma(n + 2 + extra)
		delta := func(i, j int) float64 { return g * math.Sqrt(c.At(i, i)*c.At(j, j)) }
		var off, hinge, dM2, m2 float64
		for i := range k {
			s := math.Sqrt(c.At(i, i) + VICRegStdEps)
			hinge += delta(i, i) / (2 * s)
			if s < 1 {
				d := ws * delta(i, i) / (2 * s * s * s) / n1 // δ(2·hingeGrad/(N−1))
				dM2 += d * d
				m2 += (ws / s / n1) * (ws / s / n1)
			}
			for j := range k {
				if i != j {
					off += 2*math.Abs(c.At(i, j))*delta(i, j) + delta(i, j)*delta(i, j)
					d := 4 * wc * delta(i, j) / n1
					dM2 += d * d
					m2 += (4 * wc * c.At(i, j) / n1) * (4 * wc * c.At(i, j) / n1)
				}
			}
		}
		xn := mat.Norm(xc, 2)
		grad[b] = xn*math.Sqrt(dM2) + (gamma(k+3+extra))*xn*math.Sqrt(m2)
		if useRowGram(n, k) {
			var p mat.Dense
			ax := absMat(xc)
			p.Mul(ax, ax.T())
			pn := mat.Norm(&p, 2)
			off = 2*gamma(k+2+extra)*pn*pn/(n1*n1) + 2*k2diag(&c, delta)
			grad[b] += 4 * wc / (n1 * n1) * (gamma(k+2+extra) + gamma(n+1)) * pn * xn
		}
		val += std/(2*float64(k))*hinge + cov/float64(k)*off
	}
	if extra > 0 { // repr_loss of rounded inputs
		var r float64
		for i := range n {
			for j := range k {
				x, y := z[0].At(i, j), z[1].At(i, j)
				r += 2 * math.Abs(x-y) * eps32 * (math.Abs(x) + math.Abs(y))
			}
		}
		val += sim * r / float64(n*k)
	}
	return val, grad
}

// k2diag is Σ_k C_kk Δ_kk.
func k2diag(c *mat.Dense, delta func(i, j int) float64) float64 {
	k, _ := c.Dims()
	s := 0.0
	for i := range k {
		s += c.At(i, i) * delta(i, i)
	}
	return s
}

// barlowBounds returns first-order bounds on |Δ value| and ‖Δ grad‖_F of
// the float32 BarlowTwinsOfficial.
func barlowBounds(l BarlowTwinsOfficial, z [2]*mat.Dense, extra int) (float64, [2]float64) {
	lambd := l.Lambd
	if lambd == 0 {
		lambd = DefaultLambd
	}
	n, k := z[0].Dims()
	nf := float64(n)
	bn := [2]*mat.Dense{}
	smin := math.Inf(1)
	for b := range 2 {
		m, s := batchNorm(linalg.GeneralOf(z[b]))
		bn[b] = m.Dense()
		for _, v := range s {
			smin = min(smin, v)
		}
	}
	var c mat.Dense
	c.Mul(bn[0].T(), bn[1])
	c.Scale(1/nf, &c)
	g := gamma(n + 2 + extra)
	var val float64
	for i := range k {
		for j := range k {
			if i == j {
				val += 2*math.Abs(c.At(i, i)-1)*g + g*g
			} else {
				val += lambd * (2*math.Abs(c.At(i, j))*g + g*g)
			}
		}
	}
	dGamma := 2 * g * math.Sqrt(float64(k)+lambd*lambd*float64(k*(k-1)))
	var gam mat.Dense
	gam.Apply(func(i, j int, v float64) float64 {
		if i == j {
			return 2 * math.Abs(v-1)
		}
		return 2 * lambd * math.Abs(v)
	}, &c)
	var grad [2]float64
	for b := range 2 {
		o := bn[1-b]
		var ag mat.Dense
		ag.Mul(absMat(o), &gam)
		db := (mat.Norm(o, 2)*dGamma + gamma(k+2)*mat.Norm(&ag, 2)) / nf
		if useRowGram(n, k) {
			var p1, p2 mat.Dense
			p1.Mul(absMat(bn[b]), absMat(bn[b]).T())
			p2.Mul(absMat(o), absMat(o).T())
			db += 2 * lambd / (nf * nf) * (gamma(k+2+extra) + gamma(n+1)) * mat.Norm(&p2, 2) * mat.Norm(bn[b], 2)
			if b == 0 {
				var e float64
				for i := range n {
					for j := range n {
						e += p1.At(i, j) * p2.At(i, j)
					}
				}
				val = 0
				for i := range k {
					val += 2*math.Abs(c.At(i, i)-1)*g + lambd*2*math.Abs(c.At(i, i))*g
				}
				val += lambd * 2 * gamma(k+2+extra) * e / (nf * nf)
			}
		}
		grad[b] = db / smin
	}
	return val, grad
}

// ntxentBounds returns first-order bounds on |Δ value| and ‖Δ grad‖_F of
// the float32 NTXent. With unit rows zn (each entry off by ≤ (1+extra/2)·ε
// after normalising), s_ij = zn_i·zn_j/τ is off by δs ≤ γ(K+2+extra)/τ
// (Cauchy–Schwarz); a stored exponential adds ε, so lse_i (log of a sum of
// positive terms) is off by ≤ δs + 2ε and the value (mean of lse_i − s_pos)
// by ≤ 2δs + 2ε. The weights W = P + Pᵀ (P the row softmax) are off by
// η·W entry-wise with η = 2(δs + 2ε) + 2ε, and the product W zn (length
// M = 2N) adds γ(M+1): ‖Δ(W zn)‖ ≤ (η + γ(M+1))·‖W |zn|‖_F. The row
// normalisation's backward is a projection divided by ‖z_i‖, which adds
// 4ε relative.
func ntxentBounds(l NTXent, z [2]*mat.Dense, extra int) (float64, [2]float64) {
	tau := l.Tau
	if tau == 0 {
		tau = DefaultTau
	}
	n, k := z[0].Dims()
	m := 2 * n
	var st mat.Dense
	st.Stack(z[0], z[1])
	zn, nrm := normalizeRows(&st, NormalizeEps)
	var s mat.Dense
	s.Mul(zn, zn.T())
	p := mat.NewDense(m, m, nil)
	for i := range m {
		mx := math.Inf(-1)
		for j := range m {
			if j != i {
				mx = max(mx, s.At(i, j)/tau)
			}
		}
		tot := 0.0
		for j := range m {
			if j != i {
				tot += math.Exp(s.At(i, j)/tau - mx)
			}
		}
		for j := range m {
			if j != i {
				p.Set(i, j, math.Exp(s.At(i, j)/tau-mx)/tot)
			}
		}
	}
	var w, wz mat.Dense
	w.Add(p, p.T())
	wz.Mul(&w, absMat(zn))
	ds := gamma(k+2+extra) / tau
	eta := 2*(ds+2*eps32) + 2*eps32
	scale := 1 / float64(m)
	gzn := scale / tau * ((eta+gamma(m+1))*mat.Norm(&wz, 2) + 2*(2+float64(extra))*eps32*math.Sqrt(float64(m)))
	// ‖gzn‖ ≤ scale/τ·(‖W zn‖ + 2‖zn‖) for the relative terms.
	gn := scale / tau * (mat.Norm(&wz, 2) + 2*math.Sqrt(float64(m)))
	minNorm := math.Inf(1)
	for _, v := range nrm {
		minNorm = min(minNorm, v)
	}
	b := (gzn + 4*eps32*gn) / minNorm
	return 2*ds + 2*eps32, [2]float64{b, b}
}

func round32(m *mat.Dense) *mat.Dense {
	r := mat.DenseCopyOf(m)
	r.Apply(func(_, _ int, v float64) float64 { return float64(float32(v)) }, r)
	return r
}

func to32(m *mat.Dense) blas32.General {
	r, c := m.Dims()
	g := linalg.NewGeneral[float32](r, c)
	for i := range r {
		for j := range c {
			g.Data[i*c+j] = float32(m.At(i, j))
		}
	}
	return blas32.General(g)
}

func from32(g blas32.General) *mat.Dense {
	m := mat.NewDense(g.Rows, g.Cols, nil)
	for i := range g.Rows {
		for j := range g.Cols {
			m.Set(i, j, float64(g.Data[i*g.Stride+j]))
		}
	}
	return m
}

// checkFloat32 compares Eval32 on z (float32 values) with Eval on the same
// values, value and gradients within the bounds, and returns the float32
// result.
func checkFloat32(t *testing.T, l Float32, z [2]*mat.Dense, valBound float64, gradBound [2]float64, kink bool) Result32 {
	t.Helper()
	r64, err := l.Eval(Inputs{Z1: z[0], Z2: z[1]}, true)
	if err != nil {
		t.Fatal(err)
	}
	r32, err := l.Eval32(Inputs32{Z1: to32(z[0]), Z2: to32(z[1])}, true)
	if err != nil {
		t.Fatal(err)
	}
	slack := 0x1p-40 * math.Abs(r64.Value)
	if d := math.Abs(r32.Value - r64.Value); d > valBound+slack {
		t.Errorf("value: float32 %.9g, float64 %.9g, |Δ| %.3g > bound %.3g", r32.Value, r64.Value, d, valBound+slack)
	} else {
		t.Logf("value |Δ| %.3g (bound %.3g)", d, valBound+slack)
	}
	if kink {
		return r32 // the gradient jumps at the hinge's kink: either side is a subgradient
	}
	for b, key := range []string{KeyZ1, KeyZ2} {
		g32 := from32([]blas32.General{r32.Grad1, r32.Grad2}[b])
		var d mat.Dense
		d.Sub(g32, r64.Grad[key])
		bound := gradBound[b] + 2*eps32*mat.Norm(r64.Grad[key], 2)
		if e := mat.Norm(&d, 2); e > bound {
			t.Errorf("grad %s: ‖Δ‖ %.3g > bound %.3g (‖g‖ %.3g)", key, e, bound, mat.Norm(r64.Grad[key], 2))
		} else {
			t.Logf("grad %s: ‖Δ‖/‖g‖ %.3g (bound %.3g)", key, e/mat.Norm(r64.Grad[key], 2), bound/mat.Norm(r64.Grad[key], 2))
		}
	}
	return r32
}

// TestFloat32MatchesFloat64 checks Eval32 of VICRegOfficial,
// BarlowTwinsOfficial and NTXent against Eval on random float32 inputs, through the
// K×K route (N ≥ K) and the N×N route (K > N), within the bounds above.
func TestFloat32MatchesFloat64(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 9))
	for _, sz := range [][2]int{{256, 32}, {16, 64}} {
		n, k := sz[0], sz[1]
		var z [2]*mat.Dense
		for b := range z {
			z[b] = mat.NewDense(n, k, nil)
			for i := range n {
				for j := range k {
					z[b].Set(i, j, float64(float32(0.5*rng.NormFloat64()+0.2*float64(j%3))))
				}
			}
		}
		t.Run("vicreg", func(t *testing.T) {
			v, g := vicregBounds(VICRegOfficial{}, z, 0)
			checkFloat32(t, VICRegOfficial{}, z, v, g, false)
		})
		t.Run("barlow", func(t *testing.T) {
			v, g := barlowBounds(BarlowTwinsOfficial{}, z, 0)
			checkFloat32(t, BarlowTwinsOfficial{}, z, v, g, false)
		})
	}
	// NT-Xent: the whole-matrix path, the block path (cacheEntries forced
	// small) and the two-exponential path (2/τ > maxShift).
	var z [2]*mat.Dense
	for b := range z {
		z[b] = mat.NewDense(96, 24, nil)
		for i := range 96 {
			for j := range 24 {
				z[b].Set(i, j, float64(float32(rng.NormFloat64()+0.3*float64(i%4))))
			}
		}
	}
	for _, tc := range []struct {
		name  string
		tau   float64
		cache int
	}{{"whole", 0.1, cacheEntries}, {"blocks", 0.5, 64 * 64}, {"twoExp", 0.002, cacheEntries}} {
		t.Run("ntxent/"+tc.name, func(t *testing.T) {
			defer func(c int) { cacheEntries = c }(cacheEntries)
			cacheEntries = tc.cache
			l := NTXent{Tau: tc.tau}
			v, g := ntxentBounds(l, z, 0)
			checkFloat32(t, l, z, v, g, false)
		})
	}
}

// TestFloat32Oracle evaluates every vicreg_official, barlowtwins_official
// and ntxent oracle case in float32 (inputs rounded) and checks
// the value against the oracle's float64 value and the gradients against
// the float64 evaluation, within the bounds above with the input rounding
// included (extra = 2).
func TestFloat32Oracle(t *testing.T) {
	n := 0
	for _, c := range oracle.Load(t, "losses.json") {
		if c.Loss != NameVICRegOfficial && c.Loss != NameBarlowTwinsOfficial && c.Loss != NameNTXent {
			continue
		}
		n++
		t.Run(c.Name, func(t *testing.T) {
			p := map[string]float64{}
			for _, key := range ParamKeys(c.Loss) {
				if v, ok := c.Params[key].(float64); ok {
					p[key] = v
				}
			}
			l, err := New(c.Loss, p)
			if err != nil {
				t.Fatal(err)
			}
			names := [2]string{"x", "y"}
			if c.Loss != NameVICRegOfficial {
				names = [2]string{"z1", "z2"}
			}
			exact := [2]*mat.Dense{c.Input(t, names[0]), c.Input(t, names[1])}
			z := [2]*mat.Dense{round32(exact[0]), round32(exact[1])}
			var v float64
			var g [2]float64
			switch l := l.(type) {
			case VICRegOfficial:
				v, g = vicregBounds(l, exact, 2)
			case BarlowTwinsOfficial:
				v, g = barlowBounds(l, exact, 2)
			case NTXent:
				v, g = ntxentBounds(l, exact, 2)
			}
			r32 := checkFloat32(t, l.(Float32), z, v, g, len(c.Name) > 4 && c.Name[len(c.Name)-4:] == "kink")
			slack := 0x1p-40 * math.Abs(c.Value)
			if d := math.Abs(r32.Value - c.Value); d > v+slack {
				t.Errorf("value vs oracle: float32 %.9g, oracle %.9g, |Δ| %.3g > bound %.3g", r32.Value, c.Value, d, v+slack)
			}
		})
	}
	if n < 16 {
		t.Fatalf("%d official vicreg/barlow/ntxent oracle cases; want ≥ 16", n)
	}
}

// Eval32 rejects the inputs Eval rejects, with the same error: a missing
// branch, too few rows, a non-finite entry, mismatched shapes.
func TestEval32BadInput(t *testing.T) {
	ok := mat.NewDense(3, 2, []float64{1, 2, 3, 4, 5, 7})
	nan := mat.NewDense(3, 2, []float64{1, 2, 3, math.NaN(), 5, 7})
	inf := mat.NewDense(3, 2, []float64{1, 2, 3, 4, math.Inf(-1), 7})
	// Finite in float32 (largest 3.4e38): not an error.
	huge := mat.NewDense(3, 2, []float64{3e38, -3e38, 1, 2, 1e-40, 7})
	short := mat.NewDense(1, 2, []float64{1, 2})
	wide := mat.NewDense(3, 3, []float64{1, 2, 3, 4, 5, 6, 7, 8, 0})
	to32 := func(m *mat.Dense) blas32.General {
		if m == nil {
			return blas32.General{}
		}
		g := linalg.GeneralOf(m)
		h := linalg.NewGeneral[float32](g.Rows, g.Cols)
		for i, v := range g.Data {
			h.Data[i] = float32(v)
		}
		return h.Blas32()
	}
	for _, l := range []Float32{VICRegOfficial{}, BarlowTwinsOfficial{}, NTXent{}} {
		for _, c := range []struct {
			name   string
			z1, z2 *mat.Dense
			want   error
		}{
			{"missing z2", ok, nil, ErrEmpty},
			{"nan z2", ok, nan, ErrNaN},
			{"inf z1", inf, ok, ErrNaN},
			{"huge finite z1", huge, ok, nil},
			{"shapes", ok, wide, ErrShape},
			{"one row", short, short, ErrShape},
		} {
			if c.name == "huge finite z1" {
				// Only the validation is checked: the loss may overflow.
				err64 := checkPair(l.Name(), Inputs{Z1: c.z1, Z2: c.z2}, 1)
				err32 := checkBranches(l.Name(), linalg.GeneralOf(c.z1), linalg.GeneralOf(c.z2), 1)
				h1 := to32(c.z1)
				err32b := checkBranches(l.Name(), linalg.General[float32]{Rows: h1.Rows, Cols: h1.Cols, Stride: h1.Stride, Data: h1.Data}, linalg.General[float32]{Rows: h1.Rows, Cols: h1.Cols, Stride: h1.Stride, Data: h1.Data}, 1)
				if err64 != nil || err32 != nil || err32b != nil {
					t.Errorf("%s, %s: validation errors %v, %v, %v; want none", l.Name(), c.name, err64, err32, err32b)
				}
				continue
			}
			if c.name == "one row" && l.Name() == NameNTXent {
				c.want = nil // NT-Xent needs one row only
			}
			_, err64 := l.Eval(Inputs{Z1: c.z1, Z2: c.z2}, true)
			_, err32 := l.Eval32(Inputs32{Z1: to32(c.z1), Z2: to32(c.z2)}, true)
			if c.want == nil {
				if err32 != nil || err64 != nil {
					t.Errorf("%s, %s: Eval32 error %v, Eval error %v; want none", l.Name(), c.name, err32, err64)
				}
				continue
			}
			if !errors.Is(err32, c.want) || err64 == nil || err32.Error() != err64.Error() {
				t.Errorf("%s, %s: Eval32 error %v, Eval error %v; want both %v and equal", l.Name(), c.name, err32, err64, c.want)
			}
		}
	}
}
