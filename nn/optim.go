package nn

import (
	"github.com/eigenssl/eigenssl/internal/spec"
	"github.com/eigenssl/eigenssl/linalg"
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/mat"
)

// Optimizer updates parameters from their accumulated gradients.
//
// Step applies one update with learning rate lr (from a Schedule) to params,
// which must be the same parameters, in the same order, at every call (an
// Encoder's Params()); state is matched to them by position and checked by
// name and shape, so a mismatch (e.g. state restored for another model)
// returns an error wrapping ErrMismatch and leaves params untouched. Step
// does not zero the gradients.
//
// MarshalBinary encodes hyper-parameters, the step count and every state
// buffer bit for bit; UnmarshalBinary restores them into an optimiser of the
// same Name (UnmarshalOptimizer restores any). Optimisers are not safe for
// concurrent use.
type Optimizer interface {
	Step(params []*Param, lr float64) error
	// Name is "sgd", "adam", "adamw" or "lars".
	Name() string
	// Steps is the number of Step calls so far (restored from state).
	Steps() int
	MarshalBinary() ([]byte, error)
	UnmarshalBinary(data []byte) error
}

// optState is the per-parameter state shared by every optimiser: the step
// count and, for each slot (momentum, second moment...), one buffer per
// parameter.
type optState struct {
	t     int
	names []string
	bufs  [][]*mat.Dense // [slot][param]
}

func (s *optState) ensure(op string, params []*Param, slots int) error {
	if s.names == nil {
		s.names = make([]string, len(params))
		s.bufs = make([][]*mat.Dense, slots)
		for k := range s.bufs {
			s.bufs[k] = make([]*mat.Dense, len(params))
		}
		for i, p := range params {
			s.names[i] = p.Name
			r, c := p.Value.Dims()
			for k := range s.bufs {
				s.bufs[k][i] = mat.NewDense(r, c, nil)
			}
		}
		return nil
	}
	if len(params) != len(s.names) {
		return newErr(op, "params", len(params), ErrMismatch, "state holds %d parameters", len(s.names))
	}
	for i, p := range params {
		if p.Name != s.names[i] {
			return newErr(op, "params", p.Name, ErrMismatch, "state holds %q at position %d", s.names[i], i)
		}
		r, c := p.Value.Dims()
		for k := range s.bufs {
			if br, bc := s.bufs[k][i].Dims(); br != r || bc != c {
				return newErr(op, p.Name, dims(r, c), ErrMismatch, "state is %s", dims(br, bc))
			}
		}
	}
	return nil
}

type hyper struct {
	name string
	v    *float64
}

// stateful is what the shared (un)marshalling needs from an optimiser.
type stateful interface {
	Optimizer
	hypers() []hyper
	state() *optState
}

const optimMagic = "eigenssl/nn.Optimizer/v1\n"

func marshalOpt(o stateful) []byte {
	w := &writer{b: []byte(optimMagic)}
	w.str(o.Name())
	hs := o.hypers()
	w.u64(uint64(len(hs)))
	for _, h := range hs {
		w.str(h.name)
		w.f64(*h.v)
	}
	s := o.state()
	w.u64(uint64(s.t))
	w.u64(uint64(len(s.names)))
	w.u64(uint64(len(s.bufs)))
	for k := range s.bufs {
		for i, b := range s.bufs[k] {
			w.dense(s.names[i], b)
		}
	}
	return w.b
}

func unmarshalOpt(o stateful, data []byte) error {
	op := o.Name() + ".UnmarshalBinary"
	r := &reader{b: data}
	if !r.magic(optimMagic) {
		return newErr(op, "", nil, ErrFormat, "not optimiser state")
	}
	if name := r.str(); name != o.Name() {
		return newErr(op, "name", strconv.Quote(name), ErrFormat, "state of another optimiser")
	}
	hs := o.hypers()
	if n := r.u64(); n != uint64(len(hs)) {
		return newErr(op, "", nil, ErrFormat, "%d hyper-parameters, want %d", n, len(hs))
	}
	vals := make([]float64, len(hs))
	for i, h := range hs {
		if name := r.str(); name != h.name {
			return newErr(op, "", nil, ErrFormat, "hyper-parameter %q, want %q", name, h.name)
		}
		vals[i] = r.f64()
	}
	var s optState
	s.t = int(r.u64())
	np, ns := r.u64(), r.u64()
	if r.bad || np > uint64(len(r.b)) || ns > 4 {
		return newErr(op, "", nil, ErrFormat, "truncated header")
	}
	if np > 0 {
		s.names = make([]string, np)
		s.bufs = make([][]*mat.Dense, ns)
		for k := range s.bufs {
			s.bufs[k] = make([]*mat.Dense, np)
			for i := range s.bufs[k] {
				name, m := r.dense()
				if r.bad || m == nil {
					return newErr(op, "", nil, ErrFormat, "truncated or empty buffer")
				}
				if k > 0 && name != s.names[i] {
					return newErr(op, "", nil, ErrFormat, "buffer %q, want %q", name, s.names[i])
				}
				s.names[i] = name
				s.bufs[k][i] = m
			}
		}
	}
	if len(r.b) != 0 {
		return newErr(op, "", nil, ErrFormat, "%d trailing bytes", len(r.b))
	}
	for i, h := range hs {
		*h.v = vals[i]
	}
	*o.state() = s
	return nil
}

// UnmarshalOptimizer restores an optimiser of any kind from MarshalBinary
// output.
func UnmarshalOptimizer(data []byte) (Optimizer, error) {
	r := &reader{b: data}
	if !r.magic(optimMagic) {
		return nil, newErr("UnmarshalOptimizer", "", nil, ErrFormat, "not optimiser state")
	}
	var o stateful
	switch name := r.str(); name {
	case "sgd":
		o = &SGD{}
	case "adam":
		o = NewAdam(0)
	case "adamw":
		o = NewAdamW(0)
	case "lars":
		o = &LARS{}
	default:
		return nil, newErr("UnmarshalOptimizer", "name", strconv.Quote(name), ErrFormat, "unknown optimiser")
	}
	if err := o.UnmarshalBinary(data); err != nil {
		return nil, err
	}
	return o, nil
}

// SGD is stochastic gradient descent with momentum and L2 weight decay, as
// PyTorch's torch.optim.SGD with dampening 0:
//
//	g ← ∇ + WeightDecay·θ
//	b ← g (first step), b ← Momentum·b + g (later steps)
//	d ← g + Momentum·b (Nesterov) or b (otherwise; d = g when Momentum = 0)
//	θ ← θ − lr·d
//
// The zero value is plain SGD.
type SGD struct {
	Momentum, WeightDecay float64
	Nesterov              bool
	s                     optState
}

// Name implements Optimizer.
func (o *SGD) Name() string { return "sgd" }

// Steps implements Optimizer.
func (o *SGD) Steps() int       { return o.s.t }
func (o *SGD) state() *optState { return &o.s }
func (o *SGD) hypers() []hyper {
	return []hyper{{"momentum", &o.Momentum}, {"weight_decay", &o.WeightDecay}, {"nesterov", boolCell(o.Nesterov)}}
}

// boolCell returns a fresh float64 cell holding b as 0 or 1, for marshalling.
func boolCell(b bool) *float64 {
	v := 0.0
	if b {
		v = 1
	}
	return &v
}

// MarshalBinary implements Optimizer.
func (o *SGD) MarshalBinary() ([]byte, error) { return marshalOpt(o), nil }

// UnmarshalBinary implements Optimizer; errors wrap ErrFormat.
func (o *SGD) UnmarshalBinary(data []byte) error {
	nesterovCell := boolCell(false)
	tmp := &sgdCodec{o, nesterovCell}
	if err := unmarshalOpt(tmp, data); err != nil {
		return err
	}
	o.Nesterov = *nesterovCell != 0
	return nil
}

// sgdCodec reads the nesterov flag into a float cell while unmarshalling.
type sgdCodec struct {
	*SGD
	nest *float64
}

func (c *sgdCodec) hypers() []hyper {
	return []hyper{{"momentum", &c.Momentum}, {"weight_decay", &c.WeightDecay}, {"nesterov", c.nest}}
}

// Step applies one SGD update.
func (o *SGD) Step(params []*Param, lr float64) error {
	if err := o.s.ensure("SGD.Step", params, 1); err != nil {
		return err
	}
	first := o.s.t == 0
	o.s.t++
	for i, p := range params {
		th, gr, b := p.Value.RawMatrix().Data, p.Grad.RawMatrix().Data, o.s.bufs[0][i].RawMatrix().Data
		if p.f32 {
			sgdUpdate(th, gr, b, float32(lr), float32(o.Momentum), float32(o.WeightDecay), o.Nesterov, first)
		} else {
			sgdUpdate(th, gr, b, lr, o.Momentum, o.WeightDecay, o.Nesterov, first)
		}
	}
	return nil
}

// sgdUpdate is the SGD update of one tensor in the arithmetic of T (values
// are read as T and written back exactly).
func sgdUpdate[T linalg.Float](th, gr, b []float64, lr, mom, wd T, nesterov, first bool) {
	for j := range th {
		p := T(th[j])
		g := T(gr[j]) + wd*p
		d := g
		if mom != 0 {
			bj := g
			if !first {
				bj = mom*T(b[j]) + g
			}
			b[j] = float64(bj)
			if nesterov {
				d = g + mom*bj
			} else {
				d = bj
			}
		}
		th[j] = float64(p - lr*d)
	}
}

// Adam is Adam (Kingma & Ba 2015) with PyTorch's bias correction, as
// torch.optim.Adam and, with Decoupled, torch.optim.AdamW:
//
//	Adam:  g ← ∇ + WeightDecay·θ             AdamW: θ ← (1 − lr·WeightDecay)·θ, g ← ∇
//	m ← β₁m + (1−β₁)g,  v ← β₂v + (1−β₂)g²
//	θ ← θ − (lr/(1−β₁ᵗ)) · m / (√v/√(1−β₂ᵗ) + ε)
//
// with t the 1-based step count.
type Adam struct {
	Beta1, Beta2, Eps, WeightDecay float64
	Decoupled                      bool
	s                              optState
}

// NewAdam returns Adam with β₁ = 0.9, β₂ = 0.999, ε = 1e-8 and L2 weight
// decay wd.
func NewAdam(wd float64) *Adam { return &Adam{Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: wd} }

// NewAdamW returns AdamW (decoupled weight decay wd; PyTorch's default is
// 0.01) with β₁ = 0.9, β₂ = 0.999, ε = 1e-8.
func NewAdamW(wd float64) *Adam {
	a := NewAdam(wd)
	a.Decoupled = true
	return a
}

// Name implements Optimizer.
func (o *Adam) Name() string {
	if o.Decoupled {
		return "adamw"
	}
	return "adam"
}

// Steps implements Optimizer.
func (o *Adam) Steps() int       { return o.s.t }
func (o *Adam) state() *optState { return &o.s }
func (o *Adam) hypers() []hyper {
	return []hyper{{"beta1", &o.Beta1}, {"beta2", &o.Beta2}, {"eps", &o.Eps}, {"weight_decay", &o.WeightDecay}}
}

// MarshalBinary implements Optimizer.
func (o *Adam) MarshalBinary() ([]byte, error) { return marshalOpt(o), nil }

// UnmarshalBinary implements Optimizer; errors wrap ErrFormat.
func (o *Adam) UnmarshalBinary(data []byte) error { return unmarshalOpt(o, data) }

// Step applies one Adam or AdamW update.
func (o *Adam) Step(params []*Param, lr float64) error {
	if err := o.s.ensure("Adam.Step", params, 2); err != nil {
		return err
	}
	o.s.t++
	t := float64(o.s.t)
	bc1 := 1 - math.Pow(o.Beta1, t)
	bc2 := math.Sqrt(1 - math.Pow(o.Beta2, t))
	stepSize := lr / bc1
	for i, p := range params {
		th, gr := p.Value.RawMatrix().Data, p.Grad.RawMatrix().Data
		m, v := o.s.bufs[0][i].RawMatrix().Data, o.s.bufs[1][i].RawMatrix().Data
		if p.f32 {
			adamUpdate(th, gr, m, v, float32(lr), float32(o.Beta1), float32(o.Beta2), float32(o.Eps),
				float32(o.WeightDecay), float32(stepSize), float32(bc2), o.Decoupled)
		} else {
			adamUpdate(th, gr, m, v, lr, o.Beta1, o.Beta2, o.Eps, o.WeightDecay, stepSize, bc2, o.Decoupled)
		}
	}
	return nil
}

// adamUpdate is the Adam update of one tensor in the arithmetic of T (the
// square root is taken in float64, which rounds correctly to float32).
func adamUpdate[T linalg.Float](th, gr, m, v []float64, lr, b1, b2, eps, wd, stepSize, bc2 T, decoupled bool) {
	for j := range th {
		g, p := T(gr[j]), T(th[j])
		if decoupled {
			p *= 1 - lr*wd
		} else {
			g += wd * p
		}
		mj := b1*T(m[j]) + (1-b1)*g
		vj := b2*T(v[j]) + (1-b2)*g*g
		p -= stepSize * mj / (T(math.Sqrt(float64(vj)))/bc2 + eps)
		th[j], m[j], v[j] = float64(p), float64(mj), float64(vj)
	}
}

// LARS is layer-wise adaptive rate scaling (You et al. 2017) exactly as the
// LARS class of the official VICReg and Barlow Twins code. For each parameter
// tensor θ with gradient ∇:
//
//	d ← ∇ + WeightDecay·θ                       (not for Vector params)
//	d ← q·d,  q = Eta·‖θ‖/‖d‖ if ‖θ‖ > 0 and ‖d‖ > 0, else 1   (not for Vector params)
//	μ ← Momentum·μ + d                           (μ starts at 0; no dampening)
//	θ ← θ − lr·s·μ,   s = VectorLRScale for Vector params (0 means 1), else 1
//
// Norms are Frobenius norms of the whole tensor, and the trust ratio uses the
// decayed d. Vector params (biases, batch-norm scale and shift) are excluded
// from both weight decay and adaptation, as exclude_bias_and_norm
// (p.ndim == 1) in VICReg. Barlow Twins also gives biases their own learning
// rate, 0.0048 vs 0.2 for weights: VectorLRScale = 0.024 reproduces it.
// NewLARS gives the official defaults.
type LARS struct {
	Momentum, Eta, WeightDecay, VectorLRScale float64
	s                                         optState
}

// NewLARS returns LARS with momentum 0.9, η = 0.001 and weight decay wd
// (VICReg uses 1e-6 and Barlow Twins 1.5e-6).
func NewLARS(wd float64) *LARS { return &LARS{Momentum: 0.9, Eta: 0.001, WeightDecay: wd} }

// Name implements Optimizer.
func (o *LARS) Name() string { return "lars" }

// Steps implements Optimizer.
func (o *LARS) Steps() int       { return o.s.t }
func (o *LARS) state() *optState { return &o.s }
func (o *LARS) hypers() []hyper {
	return []hyper{{"momentum", &o.Momentum}, {"eta", &o.Eta}, {"weight_decay", &o.WeightDecay}, {"vector_lr_scale", &o.VectorLRScale}}
}

// MarshalBinary implements Optimizer.
func (o *LARS) MarshalBinary() ([]byte, error) { return marshalOpt(o), nil }

// UnmarshalBinary implements Optimizer; errors wrap ErrFormat.
func (o *LARS) UnmarshalBinary(data []byte) error { return unmarshalOpt(o, data) }

// Step applies one LARS update.
func (o *LARS) Step(params []*Param, lr float64) error {
	if err := o.s.ensure("LARS.Step", params, 1); err != nil {
		return err
	}
	o.s.t++
	for i, p := range params {
		th, gr, mu := p.Value.RawMatrix().Data, p.Grad.RawMatrix().Data, o.s.bufs[0][i].RawMatrix().Data
		q, wd, plr := 1.0, 0.0, lr
		if p.Vector {
			if o.VectorLRScale != 0 {
				plr *= o.VectorLRScale
			}
		} else {
			wd = o.WeightDecay
			var pn, dn float64
			for j, v := range th {
				d := gr[j] + wd*v
				pn += v * v
				dn += d * d
			}
			if pn > 0 && dn > 0 {
				q = o.Eta * math.Sqrt(pn) / math.Sqrt(dn)
			}
		}
		if p.f32 {
			larsUpdate(th, gr, mu, float32(plr), float32(o.Momentum), float32(q), float32(wd))
		} else {
			larsUpdate(th, gr, mu, plr, o.Momentum, q, wd)
		}
	}
	return nil
}

// larsUpdate is the momentum update of LARS for one tensor in the
// arithmetic of T; the norms of the trust ratio accumulate in float64.
func larsUpdate[T linalg.Float](th, gr, mu []float64, lr, mom, q, wd T) {
	for j := range th {
		p := T(th[j])
		m := mom*T(mu[j]) + q*(T(gr[j])+wd*p)
		mu[j], th[j] = float64(m), float64(p-lr*m)
	}
}

// OptimizerSpec is the typed description of an optimiser: its name and
// every hyper-parameter, defaults filled in. ParseOptimizerSpec builds one
// from text; New builds the optimiser. Callers set fields (for instance
// WeightDecay from a separate flag) on the struct, not on the text.
type OptimizerSpec struct {
	// Name is sgd, adam, adamw or lars.
	Name string
	// Momentum: sgd (default 0) and lars (default 0.9).
	Momentum float64
	// Nesterov: sgd only.
	Nesterov bool
	// Beta1, Beta2, Eps: adam and adamw (defaults 0.9, 0.999, 1e-8).
	Beta1, Beta2, Eps float64
	// WeightDecay: L2 for sgd, adam and lars (default 0), decoupled for
	// adamw (default 0.01).
	WeightDecay float64
	// Eta and VectorLRScale: lars (defaults 0.001 and 0, which means 1).
	Eta, VectorLRScale float64
}

// optimizerForms is appended to every optimiser spec error.
const optimizerForms = `valid forms: "sgd[:momentum=M,wd=W,nesterov]", "adam[:beta1=B1,beta2=B2,eps=E,wd=W]", ` +
	`"adamw[:...same as adam]", "lars[:momentum=M,eta=E,wd=W,vector_lr_scale=S]"`

// DefaultOptimizerSpec returns the spec of the named optimiser with its
// defaults, or an error wrapping ErrSpec for an unknown name.
func DefaultOptimizerSpec(name string) (OptimizerSpec, error) {
	switch name {
	case "sgd":
		return OptimizerSpec{Name: name}, nil
	case "adam":
		return OptimizerSpec{Name: name, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}, nil
	case "adamw":
		return OptimizerSpec{Name: name, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.01}, nil
	case "lars":
		return OptimizerSpec{Name: name, Momentum: 0.9, Eta: 0.001}, nil
	}
	return OptimizerSpec{}, newErr("ParseOptimizer", "spec", strconv.Quote(name), ErrSpec, "unknown optimiser %q; %s", name, optimizerForms)
}

// ParseOptimizerSpec parses "name[:key=value,...]" (the grammar of
// internal/spec) into an OptimizerSpec:
//
//	sgd[:momentum=M,wd=W,nesterov]        defaults 0, 0, off
//	adam[:beta1=B1,beta2=B2,eps=E,wd=W]   defaults 0.9, 0.999, 1e-8, 0 (L2)
//	adamw[:beta1=..,beta2=..,eps=..,wd=W] wd default 0.01 (decoupled)
//	lars[:momentum=M,eta=E,wd=W,vector_lr_scale=S]  defaults 0.9, 0.001, 0, 1
//
// Values must be finite and >= 0 ("weight_decay" is accepted for "wd").
// Errors wrap ErrSpec and list the valid forms.
func ParseOptimizerSpec(text string) (OptimizerSpec, error) {
	sp, err := spec.Parse(text)
	if err != nil {
		return OptimizerSpec{}, newErr("ParseOptimizer", "spec", strconv.Quote(text), ErrSpec, "%v; %s", err, optimizerForms)
	}
	o, err := DefaultOptimizerSpec(sp.Name)
	if err != nil {
		return o, err
	}
	cells := map[string]*float64{}
	switch o.Name {
	case "sgd":
		cells["momentum"] = &o.Momentum
	case "adam", "adamw":
		cells["beta1"], cells["beta2"], cells["eps"] = &o.Beta1, &o.Beta2, &o.Eps
	case "lars":
		cells["momentum"], cells["eta"], cells["vector_lr_scale"] = &o.Momentum, &o.Eta, &o.VectorLRScale
	}
	cells["wd"], cells["weight_decay"] = &o.WeightDecay, &o.WeightDecay
	if sp.HasArgs && len(sp.Args) == 0 {
		return o, newErr("ParseOptimizer", "spec", strconv.Quote(text), ErrSpec, "no option after ':'; %s", optimizerForms)
	}
	for _, a := range sp.Args {
		if a.Key == "" && a.Value == "nesterov" && o.Name == "sgd" {
			o.Nesterov = true
			continue
		}
		cell, ok := cells[a.Key]
		f, fok := spec.Float(a.Value)
		if !ok || !fok || f < 0 {
			return o, newErr("ParseOptimizer", "spec", strconv.Quote(text), ErrSpec, "bad option %q for %s; %s", a.String(), o.Name, optimizerForms)
		}
		*cell = f
	}
	return o, nil
}

// New builds the optimiser s describes. Hyper-parameters must be finite
// and >= 0 (an *Error wrapping ErrSpec otherwise).
func (s OptimizerSpec) New() (Optimizer, error) {
	for _, v := range []float64{s.Momentum, s.Beta1, s.Beta2, s.Eps, s.WeightDecay, s.Eta, s.VectorLRScale} {
		if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
			return nil, newErr("OptimizerSpec.New", "spec", s.String(), ErrSpec, "hyper-parameter %v: want a finite value >= 0", v)
		}
	}
	switch s.Name {
	case "sgd":
		return &SGD{Momentum: s.Momentum, WeightDecay: s.WeightDecay, Nesterov: s.Nesterov}, nil
	case "adam", "adamw":
		return &Adam{Beta1: s.Beta1, Beta2: s.Beta2, Eps: s.Eps, WeightDecay: s.WeightDecay, Decoupled: s.Name == "adamw"}, nil
	case "lars":
		return &LARS{Momentum: s.Momentum, Eta: s.Eta, WeightDecay: s.WeightDecay, VectorLRScale: s.VectorLRScale}, nil
	}
	_, err := DefaultOptimizerSpec(s.Name)
	return nil, err
}

// String returns the spec text with every hyper-parameter, which
// ParseOptimizerSpec parses back to s.
func (s OptimizerSpec) String() string {
	g := func(k string, v float64) string { return k + "=" + strconv.FormatFloat(v, 'g', -1, 64) }
	var a []string
	switch s.Name {
	case "sgd":
		a = []string{g("momentum", s.Momentum), g("wd", s.WeightDecay)}
		if s.Nesterov {
			a = append(a, "nesterov")
		}
	case "adam", "adamw":
		a = []string{g("beta1", s.Beta1), g("beta2", s.Beta2), g("eps", s.Eps), g("wd", s.WeightDecay)}
	case "lars":
		a = []string{g("momentum", s.Momentum), g("eta", s.Eta), g("wd", s.WeightDecay), g("vector_lr_scale", s.VectorLRScale)}
	default:
		return s.Name
	}
	return s.Name + ":" + strings.Join(a, ",")
}

// ParseOptimizer builds an optimiser from a spec "name[:key=value,...]":
// ParseOptimizerSpec followed by OptimizerSpec.New.
func ParseOptimizer(text string) (Optimizer, error) {
	s, err := ParseOptimizerSpec(text)
	if err != nil {
		return nil, err
	}
	return s.New()
}
