package spectral

import (
	"bytes"
	"encoding/gob"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"

	"github.com/eigenssl/eigenssl/data"
	"github.com/eigenssl/eigenssl/graph"
	"gonum.org/v1/gonum/mat"
)

// ModelFormat is the version of the model directory layout written by Save.
const ModelFormat = 1

// Files of a model directory.
const (
	// ModelManifest is the JSON manifest: {"format", "method",
	// "params"} with params the estimator's exported hyper-parameters.
	ModelManifest = "model.json"
	// ModelState is the fitted state (gob: matrices through their
	// MarshalBinary, the training data the out-of-sample maps need, the
	// training graph).
	ModelState = "state.gob"
)

// persistent is implemented by every estimator: its fitted state in a fixed
// field order.
type persistent interface {
	Estimator
	encodeState(w *stateWriter)
	decodeState(r *stateReader)
	isFitted() bool
}

// manifest is the content of ModelManifest.
type manifest struct {
	Format int             `json:"format"`
	Method string          `json:"method"`
	Params json.RawMessage `json:"params"`
}

// MethodOf returns the registry name of m's method ("le", "kpca", ...), or
// "" for an estimator not in the registry.
func MethodOf(m Estimator) string {
	t := reflect.TypeOf(m)
	for name, f := range registry {
		if reflect.TypeOf(f()) == t {
			return name
		}
	}
	return ""
}

// Save writes the fitted estimator m to the directory dir (created if
// missing): the manifest ModelManifest (method name and hyper-parameters,
// JSON) and the fitted state ModelState (gob), each written atomically.
// Load restores it; Transform of the restored model equals Transform of m
// exactly. An unfitted model is ErrNotFitted. The state holds whatever the
// out-of-sample map needs (for the neighbour-based methods, the training
// rows), so its size is that of the training data plus O(N K).
func Save(dir string, m Estimator) error {
	const op = "save"
	p, ok := m.(persistent)
	name := MethodOf(m)
	if !ok || name == "" {
		return errorf(op, "model", fmt.Sprintf("%T", m), ErrParam, "not an estimator of package spectral")
	}
	if !p.isFitted() {
		return notFitted(op)
	}
	params, err := json.Marshal(m)
	if err != nil {
		return errorf(op, "params", nil, ErrParam, err.Error())
	}
	man, err := json.MarshalIndent(manifest{Format: ModelFormat, Method: name, Params: params}, "", "  ")
	if err != nil {
		return errorf(op, "manifest", nil, ErrParam, err.Error())
	}
	var buf bytes.Buffer
	w := &stateWriter{enc: gob.NewEncoder(&buf)}
	p.encodeState(w)
	if w.err != nil {
		return errorf(op, "state", nil, ErrParam, w.err.Error())
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return &Error{Op: op, Param: "dir", Value: dir, Err: ErrParam, Cause: err}
	}
	for _, f := range []struct {
		name string
		b    []byte
	}{{ModelState, buf.Bytes()}, {ModelManifest, append(man, '\n')}} {
		err := data.WriteAtomic(filepath.Join(dir, f.name), func(out io.Writer) error { _, err := out.Write(f.b); return err })
		if err != nil {
			return &Error{Op: op, Param: "dir", Value: dir, Err: ErrParam, Cause: err}
		}
	}
	return nil
}

// Load reads a model directory written by Save and returns the fitted
// estimator (a pointer to the method's type, as New returns). A missing or
// malformed file, an unknown method or format is an error naming the file.
func Load(dir string) (Estimator, error) {
	const op = "load"
	path := filepath.Join(dir, ModelManifest)
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, &Error{Op: op, Param: "model", Value: path, Err: ErrEmpty, Cause: err, Hint: "not a model directory written by embed --model-out / spectral.Save"}
	}
	var man manifest
	if err := json.Unmarshal(b, &man); err != nil {
		return nil, &Error{Op: op, Param: "model", Value: path, Err: ErrParam, Cause: err}
	}
	if man.Format != ModelFormat {
		return nil, errorf(op, path+": format", man.Format, ErrParam, fmt.Sprintf("this version reads format %d", ModelFormat))
	}
	m, err := New(man.Method)
	if err != nil {
		return nil, &Error{Op: op, Param: path + ": method", Value: man.Method, Err: ErrParam, Cause: err}
	}
	if err := json.Unmarshal(man.Params, m); err != nil {
		return nil, &Error{Op: op, Param: path + ": params", Err: ErrParam, Cause: err}
	}
	spath := filepath.Join(dir, ModelState)
	sb, err := os.ReadFile(spath)
	if err != nil {
		return nil, &Error{Op: op, Param: "state", Value: spath, Err: ErrEmpty, Cause: err}
	}
	r := &stateReader{dec: gob.NewDecoder(bytes.NewReader(sb))}
	p := m.(persistent)
	p.decodeState(r)
	if r.err != nil {
		return nil, &Error{Op: op, Param: "state", Value: spath, Err: ErrParam, Cause: r.err, Hint: "corrupt or written by another version"}
	}
	return m, nil
}

// stateWriter encodes values in order, remembering the first error; nil
// pointers are written as an absent marker.
type stateWriter struct {
	enc *gob.Encoder
	err error
}

func (w *stateWriter) put(v any) {
	if w.err == nil {
		w.err = w.enc.Encode(v)
	}
}

func (w *stateWriter) dense(m *mat.Dense) {
	ok := m != nil && !m.IsEmpty()
	w.put(ok)
	if ok {
		w.put(m)
	}
}

func (w *stateWriter) csr(g *graph.CSR) {
	w.put(g != nil)
	if g != nil {
		w.put(g)
	}
}

func (w *stateWriter) floats(s []float64) { w.put(len(s)); w.put(append([]float64{0}, s...)) }
func (w *stateWriter) ints(s []int)       { w.put(len(s)); w.put(append([]int{0}, s...)) }

func (w *stateWriter) kernel(s kernelSpec) {
	w.put(s.fn)
	w.dense(s.train)
	w.put(s.precomputedN)
}

func (w *stateWriter) centred(c *centredEig) {
	w.put(c != nil)
	if c != nil {
		w.floats(c.colMean)
		w.put(c.grand)
		w.floats(c.vals)
		w.dense(c.vecs)
	}
}

func (w *stateWriter) affinity(a *knnAffinity) {
	w.put(a != nil)
	if a != nil {
		w.dense(a.train)
		w.put(a.k)
		w.floats(a.radius)
		w.put(a.gamma)
	}
}

// stateReader mirrors stateWriter.
type stateReader struct {
	dec *gob.Decoder
	err error
}

func (r *stateReader) get(v any) {
	if r.err == nil {
		r.err = r.dec.Decode(v)
	}
}

func (r *stateReader) bool() bool { var b bool; r.get(&b); return b }
func (r *stateReader) int() int   { var i int; r.get(&i); return i }

func (r *stateReader) float() float64 { var f float64; r.get(&f); return f }

func (r *stateReader) dense() *mat.Dense {
	if !r.bool() {
		return nil
	}
	m := new(mat.Dense)
	r.get(m)
	return m
}

func (r *stateReader) csr() *graph.CSR {
	if !r.bool() {
		return nil
	}
	g := new(graph.CSR)
	r.get(g)
	if r.err == nil {
		if err := g.Validate(); err != nil {
			r.err = err
		}
	}
	return g
}

func (r *stateReader) floats() []float64 {
	n := r.int()
	var s []float64
	r.get(&s)
	if r.err == nil && len(s) != n+1 {
		r.err = errors.New("slice length mismatch")
	}
	if r.err != nil || n == 0 {
		return nil
	}
	return s[1:]
}

func (r *stateReader) ints() []int {
	n := r.int()
	var s []int
	r.get(&s)
	if r.err == nil && len(s) != n+1 {
		r.err = errors.New("slice length mismatch")
	}
	if r.err != nil || n == 0 {
		return nil
	}
	return s[1:]
}

func (r *stateReader) kernel() kernelSpec {
	var s kernelSpec
	r.get(&s.fn)
	s.train = r.dense()
	s.precomputedN = r.int()
	if r.err == nil {
		if err := s.fn.Validate(); err != nil {
			r.err = err
		}
	}
	return s
}

func (r *stateReader) centred() *centredEig {
	if !r.bool() {
		return nil
	}
	c := &centredEig{}
	c.colMean = r.floats()
	c.grand = r.float()
	c.vals = r.floats()
	c.vecs = r.dense()
	return c
}

func (r *stateReader) affinity() *knnAffinity {
	if !r.bool() {
		return nil
	}
	a := &knnAffinity{}
	a.train = r.dense()
	a.k = r.int()
	a.radius = r.floats()
	a.gamma = r.float()
	return a
}

// The state of each estimator, in field order.

func (le *LaplacianEigenmaps) isFitted() bool { return le.fitted }
func (le *LaplacianEigenmaps) encodeState(w *stateWriter) {
	w.csr(le.g)
	w.floats(le.deg)
	w.floats(le.vals)
	w.dense(le.z)
	w.affinity(le.aff)
}
func (le *LaplacianEigenmaps) decodeState(r *stateReader) {
	le.g, le.deg, le.vals, le.z, le.aff = r.csr(), r.floats(), r.floats(), r.dense(), r.affinity()
	le.fitted = r.err == nil
}

func (s *SpectralContrastive) isFitted() bool { return s.fitted }
func (s *SpectralContrastive) encodeState(w *stateWriter) {
	w.csr(s.g)
	w.floats(s.deg)
	w.floats(s.vals)
	w.dense(s.u)
	w.dense(s.z)
	w.dense(s.w)
	w.affinity(s.aff)
}
func (s *SpectralContrastive) decodeState(r *stateReader) {
	s.g, s.deg, s.vals, s.u, s.z, s.w, s.aff = r.csr(), r.floats(), r.floats(), r.dense(), r.dense(), r.dense(), r.affinity()
	s.fitted = r.err == nil
}

func (l *LPP) isFitted() bool { return l.fitted }
func (l *LPP) encodeState(w *stateWriter) {
	w.dense(l.p)
	w.dense(l.z)
	w.floats(l.vals)
}
func (l *LPP) decodeState(r *stateReader) {
	l.p, l.z, l.vals = r.dense(), r.dense(), r.floats()
	l.fitted = r.err == nil
}

func (m *KernelLPP) isFitted() bool { return m.fitted }
func (m *KernelLPP) encodeState(w *stateWriter) {
	w.kernel(m.spec)
	w.floats(m.colMean)
	w.put(m.grand)
	w.dense(m.alpha)
	w.dense(m.z)
	w.floats(m.vals)
	w.put(m.n)
	w.put(m.dim)
}
func (m *KernelLPP) decodeState(r *stateReader) {
	m.spec, m.colMean, m.grand, m.alpha, m.z, m.vals = r.kernel(), r.floats(), r.float(), r.dense(), r.dense(), r.floats()
	m.n, m.dim = r.int(), r.int()
	m.fitted = r.err == nil
}

func (l *LLE) isFitted() bool { return l.fitted }
func (l *LLE) encodeState(w *stateWriter) {
	w.dense(l.train)
	w.put(l.k)
	w.put(l.reg)
	w.dense(l.z)
	w.floats(l.vals)
}
func (l *LLE) decodeState(r *stateReader) {
	l.train, l.k, l.reg, l.z, l.vals = r.dense(), r.int(), r.float(), r.dense(), r.floats()
	l.fitted = r.err == nil
}

func (m *ClassicalMDS) isFitted() bool { return m.fitted }
func (m *ClassicalMDS) encodeState(w *stateWriter) {
	w.put(m.psd)
	w.dense(m.train)
	w.ints(m.landmarks)
	w.centred(m.eig)
	w.dense(m.z)
	w.put(m.n)
	w.put(m.dim)
}
func (m *ClassicalMDS) decodeState(r *stateReader) {
	m.psd, m.train, m.landmarks, m.eig, m.z = r.bool(), r.dense(), r.ints(), r.centred(), r.dense()
	m.n, m.dim = r.int(), r.int()
	m.fitted = r.err == nil
}

func (m *Isomap) isFitted() bool { return m.fitted }
func (m *Isomap) encodeState(w *stateWriter) {
	w.dense(m.train)
	w.dense(m.geo)
	w.put(m.k)
	w.put(m.n)
	m.mds.encodeState(w)
}
func (m *Isomap) decodeState(r *stateReader) {
	m.train, m.geo, m.k, m.n = r.dense(), r.dense(), r.int(), r.int()
	m.mds.decodeState(r)
	m.fitted = r.err == nil
}

func (p *KernelPCA) isFitted() bool { return p.fitted }
func (p *KernelPCA) encodeState(w *stateWriter) {
	w.kernel(p.spec)
	w.ints(p.lm)
	w.centred(p.eig)
	w.dense(p.z)
	w.put(p.dim)
	w.dense(p.dual)
}
func (p *KernelPCA) decodeState(r *stateReader) {
	p.spec, p.lm, p.eig, p.z, p.dim, p.dual = r.kernel(), r.ints(), r.centred(), r.dense(), r.int(), r.dense()
	p.fitted = r.err == nil
}

func (c *CCA) isFitted() bool { return c.fitted }
func (c *CCA) encodeState(w *stateWriter) {
	w.floats(c.meanA)
	w.floats(c.meanB)
	w.dense(c.wa)
	w.dense(c.wb)
	w.dense(c.za)
	w.dense(c.zb)
	w.floats(c.rho)
}
func (c *CCA) decodeState(r *stateReader) {
	c.meanA, c.meanB, c.wa, c.wb, c.za, c.zb, c.rho = r.floats(), r.floats(), r.dense(), r.dense(), r.dense(), r.dense(), r.floats()
	c.fitted = r.err == nil
}

func (c *GraphCCA) isFitted() bool { return c.fitted }
func (c *GraphCCA) encodeState(w *stateWriter) {
	w.dense(c.w)
	w.dense(c.z)
	w.floats(c.rho)
}
func (c *GraphCCA) decodeState(r *stateReader) {
	c.w, c.z, c.rho = r.dense(), r.dense(), r.floats()
	c.fitted = r.err == nil
}
