package data

import (
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

// newRNG returns the generator of a seeded draw; stream separates the uses
// of one seed.
func newRNG(seed, stream uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, stream))
}

func checkGen(op string, n int) error {
	if n < 1 {
		return &Error{Op: op, Param: "n", Value: n, Err: detail(ErrParam, "want n >= 1")}
	}
	return nil
}

// classOf returns the balanced label of sample i of n over c classes:
// samples are dealt round-robin, so every class has floor(n/c) or one more.
func classOf(i, c int) int { return i % c }

// Blobs draws n points in dim dimensions from classes isotropic Gaussians
// with standard deviation std (default 1) around centres drawn uniformly in
// [-10, 10]^dim (as sklearn.datasets.make_blobs). Sample i belongs to class
// i mod classes. Defaults: classes 3, dim 2, std 1 (negative: 0).
func Blobs(n, classes, dim int, std float64, seed uint64) (*Dataset, error) {
	const op = "Blobs"
	if err := checkGen(op, n); err != nil {
		return nil, err
	}
	classes, dim, std = defInt(classes, 3), defInt(dim, 2), noiseOr(std, 1)
	if classes < 1 || dim < 1 {
		return nil, &Error{Op: op, Param: "classes/dim", Value: []int{classes, dim}, Err: ErrParam}
	}
	rng := newRNG(seed, 1)
	centres := make([]float64, classes*dim)
	for i := range centres {
		centres[i] = -10 + 20*rng.Float64()
	}
	x := mat.NewDense(n, dim, nil)
	y := make([]int, n)
	for i := range n {
		c := classOf(i, classes)
		y[i] = c
		for j := range dim {
			x.Set(i, j, centres[c*dim+j]+std*rng.NormFloat64())
		}
	}
	return &Dataset{Name: "blobs", X: x, Y: y, Classes: classes}, nil
}

func defInt(v, d int) int {
	if v == 0 {
		return d
	}
	return v
}

func defFloat(v, d float64) float64 {
	if v == 0 {
		return d
	}
	return v
}

// noiseOr returns d for v == 0 and 0 for v < 0 (negative means none).
func noiseOr(v, d float64) float64 {
	if v < 0 {
		return 0
	}
	return defFloat(v, d)
}

// binLabel returns the bin of t in [lo, hi] over k equal-width bins.
func binLabel(t, lo, hi float64, k int) int {
	b := int(float64(k) * (t - lo) / (hi - lo))
	return min(max(b, 0), k-1)
}

// SwissRoll draws n points of the 3-D Swiss roll of
// sklearn.datasets.make_swiss_roll: t = 1.5π(1 + 2u), h = 21v (u, v uniform
// in [0, 1]), x = (t cos t, h, t sin t) + noise·N(0, I). The label is the
// bin of t among bins equal-width bins of [1.5π, 4.5π] (position along the
// roll, which the manifold geometry, not the ambient distance, separates).
// Defaults: bins 4, noise 0.05 (negative: none).
func SwissRoll(n, bins int, noise float64, seed uint64) (*Dataset, error) {
	return curve3D("SwissRoll", "swiss-roll", n, bins, noise, seed, 1.5*math.Pi, 4.5*math.Pi,
		func(t, h float64) [3]float64 { return [3]float64{t * math.Cos(t), 21 * h, t * math.Sin(t)} })
}

// SCurve draws n points of the 3-D S-curve of sklearn.datasets.make_s_curve:
// t = 3π(u - 1/2), x = (sin t, 2v, sign(t)(cos t - 1)) + noise·N(0, I), with
// labels the bin of t among bins equal-width bins of [-1.5π, 1.5π].
// Defaults: bins 4, noise 0.05 (negative: none).
func SCurve(n, bins int, noise float64, seed uint64) (*Dataset, error) {
	return curve3D("SCurve", "s-curve", n, bins, noise, seed, -1.5*math.Pi, 1.5*math.Pi,
		func(t, h float64) [3]float64 {
			s := 1.0
			if t < 0 {
				s = -1
			}
			return [3]float64{math.Sin(t), 2 * h, s * (math.Cos(t) - 1)}
		})
}

func curve3D(op, name string, n, bins int, noise float64, seed uint64, lo, hi float64, f func(t, h float64) [3]float64) (*Dataset, error) {
	if err := checkGen(op, n); err != nil {
		return nil, err
	}
	bins, noise = defInt(bins, 4), noiseOr(noise, 0.05)
	if bins < 1 {
		return nil, &Error{Op: op, Param: "bins", Value: bins, Err: ErrParam}
	}
	rng := newRNG(seed, 2)
	x := mat.NewDense(n, 3, nil)
	y := make([]int, n)
	for i := range n {
		t := lo + (hi-lo)*rng.Float64()
		p := f(t, rng.Float64())
		for j := range 3 {
			x.Set(i, j, p[j]+noise*rng.NormFloat64())
		}
		y[i] = binLabel(t, lo, hi, bins)
	}
	return &Dataset{Name: name, X: x, Y: y, Classes: bins}, nil
}

// Moons draws two interleaving half circles as
// sklearn.datasets.make_moons: class 0 at (cos s, sin s), class 1 at
// (1 - cos s, 1/2 - sin s), s uniform in [0, π], plus noise·N(0, I).
// Classes alternate (sample i has class i mod 2). Default noise 0.05 (negative: none).
func Moons(n int, noise float64, seed uint64) (*Dataset, error) {
	if err := checkGen("Moons", n); err != nil {
		return nil, err
	}
	noise = noiseOr(noise, 0.05)
	rng := newRNG(seed, 3)
	x := mat.NewDense(n, 2, nil)
	y := make([]int, n)
	for i := range n {
		s := math.Pi * rng.Float64()
		c := classOf(i, 2)
		px, py := math.Cos(s), math.Sin(s)
		if c == 1 {
			px, py = 1-px, 0.5-py
		}
		x.Set(i, 0, px+noise*rng.NormFloat64())
		x.Set(i, 1, py+noise*rng.NormFloat64())
		y[i] = c
	}
	return &Dataset{Name: "moons", X: x, Y: y, Classes: 2}, nil
}

// Circles draws two concentric circles as sklearn.datasets.make_circles:
// class 0 on the unit circle, class 1 on the circle of radius factor
// (0 < factor < 1; default 0.5, sklearn's is 0.8), angles uniform, plus
// noise·N(0, I). Sample i has class i mod 2. Default noise 0.05 (negative: none).
func Circles(n int, factor, noise float64, seed uint64) (*Dataset, error) {
	const op = "Circles"
	if err := checkGen(op, n); err != nil {
		return nil, err
	}
	factor, noise = defFloat(factor, 0.5), noiseOr(noise, 0.05)
	if factor <= 0 || factor >= 1 {
		return nil, &Error{Op: op, Param: "factor", Value: factor, Err: detail(ErrParam, "want 0 < factor < 1")}
	}
	rng := newRNG(seed, 4)
	x := mat.NewDense(n, 2, nil)
	y := make([]int, n)
	for i := range n {
		a := 2 * math.Pi * rng.Float64()
		c := classOf(i, 2)
		r := 1.0
		if c == 1 {
			r = factor
		}
		x.Set(i, 0, r*math.Cos(a)+noise*rng.NormFloat64())
		x.Set(i, 1, r*math.Sin(a)+noise*rng.NormFloat64())
		y[i] = c
	}
	return &Dataset{Name: "circles", X: x, Y: y, Classes: 2}, nil
}

// LatentConfig sets up the latent-factor generator. Zero fields take the
// documented defaults.
type LatentConfig struct {
	// ClassDims is the dimension of the class latents (default 2).
	ClassDims int
	// NuisanceDims is the dimension of the nuisance latents (default 8).
	NuisanceDims int
	// Classes is the number of classes (default 4).
	Classes int
	// AmbientDim is the dimension of the observed x (default 20); it must
	// be at least ClassDims + NuisanceDims.
	AmbientDim int
	// Noise is the standard deviation of the isotropic ambient noise
	// (default 0.1; negative means none).
	Noise float64
	// ClassSpread is the standard deviation of the class latents around
	// their class mean (default 0.5); class means are drawn N(0, 4 I).
	ClassSpread float64
	// NuisanceScale is the standard deviation of the nuisance latents
	// (default 2, so that nuisance variance dominates and an unsupervised
	// method aligned with variance, e.g. PCA, prefers it).
	NuisanceScale float64
	Seed          uint64
}

// LatentModel is the generative model behind Latent:
//
//	x = A_c z_c + A_u z_u + Noise·ε,   z_c ~ N(μ_y, ClassSpread² I),
//	z_u ~ N(0, NuisanceScale² I),      ε ~ N(0, I),
//
// with [A_c A_u] a random AmbientDim x (ClassDims+NuisanceDims) matrix with
// orthonormal columns. Only z_c carries the label, so an augmentation that
// resamples z_u gives a relation graph aligned with the classes and one
// that resamples z_c a misaligned one (see ResampleLatent).
type LatentModel struct {
	Config LatentConfig // with defaults filled in
	// ClassDirs (AmbientDim x ClassDims) and NuisanceDirs (AmbientDim x
	// NuisanceDims) are A_c and A_u; together they have orthonormal columns.
	ClassDirs, NuisanceDirs *mat.Dense
	// Means holds the class means μ_y as rows (Classes x ClassDims).
	Means *mat.Dense
}

func (c LatentConfig) withDefaults() LatentConfig {
	c.ClassDims = defInt(c.ClassDims, 2)
	c.NuisanceDims = defInt(c.NuisanceDims, 8)
	c.Classes = defInt(c.Classes, 4)
	c.AmbientDim = defInt(c.AmbientDim, 20)
	c.Noise = noiseOr(c.Noise, 0.1)
	c.ClassSpread = defFloat(c.ClassSpread, 0.5)
	c.NuisanceScale = defFloat(c.NuisanceScale, 2)
	return c
}

// Latent draws n samples of the latent-factor model (see LatentModel);
// sample i has class i mod Classes. The returned Dataset's Latent field holds
// the model.
func Latent(n int, cfg LatentConfig) (*Dataset, error) {
	const op = "Latent"
	if err := checkGen(op, n); err != nil {
		return nil, err
	}
	c := cfg.withDefaults()
	if c.ClassDims < 1 || c.NuisanceDims < 0 || c.Classes < 1 || c.ClassSpread < 0 || c.NuisanceScale < 0 {
		return nil, &Error{Op: op, Param: "cfg", Value: c, Err: ErrParam}
	}
	k := c.ClassDims + c.NuisanceDims
	if c.AmbientDim < k {
		return nil, &Error{Op: op, Param: "AmbientDim", Value: c.AmbientDim,
			Err: detail(ErrParam, "want at least ClassDims+NuisanceDims = %d", k)}
	}
	rng := newRNG(c.Seed, 5)
	g := mat.NewDense(c.AmbientDim, k, nil)
	for i := range c.AmbientDim {
		for j := range k {
			g.Set(i, j, rng.NormFloat64())
		}
	}
	var qr mat.QR
	qr.Factorize(g)
	var q mat.Dense
	qr.QTo(&q)
	a := q.Slice(0, c.AmbientDim, 0, k)
	m := &LatentModel{Config: c,
		ClassDirs: mat.DenseCopyOf(a.(*mat.Dense).Slice(0, c.AmbientDim, 0, c.ClassDims)),
		Means:     mat.NewDense(c.Classes, c.ClassDims, nil)}
	if c.NuisanceDims > 0 {
		m.NuisanceDirs = mat.DenseCopyOf(a.(*mat.Dense).Slice(0, c.AmbientDim, c.ClassDims, k))
	}
	for i := range c.Classes {
		for j := range c.ClassDims {
			m.Means.Set(i, j, 2*rng.NormFloat64())
		}
	}
	x := mat.NewDense(n, c.AmbientDim, nil)
	y := make([]int, n)
	zc := make([]float64, c.ClassDims)
	zu := make([]float64, c.NuisanceDims)
	for i := range n {
		y[i] = classOf(i, c.Classes)
		for j := range zc {
			zc[j] = m.Means.At(y[i], j) + c.ClassSpread*rng.NormFloat64()
		}
		for j := range zu {
			zu[j] = c.NuisanceScale * rng.NormFloat64()
		}
		row := x.RawRowView(i)
		addMulVec(row, m.ClassDirs, zc)
		if m.NuisanceDirs != nil {
			addMulVec(row, m.NuisanceDirs, zu)
		}
		for j := range row {
			row[j] += c.Noise * rng.NormFloat64()
		}
	}
	return &Dataset{Name: "latent", X: x, Y: y, Classes: c.Classes, Latent: m}, nil
}

// addMulVec adds a·z to dst.
func addMulVec(dst []float64, a *mat.Dense, z []float64) {
	for i := range dst {
		row := a.RawRowView(i)
		s := 0.0
		for j, v := range z {
			s += row[j] * v
		}
		dst[i] += s
	}
}
