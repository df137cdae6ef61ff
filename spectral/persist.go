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
	"github.com/eigenssl/eigenssl/linalg"
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

// persistent is implemented by every estimator: pointers to its fitted
// state fields in a fixed order, and to its fitted flag.
type persistent interface {
	Estimator
	state() []any
	fittedFlag() *bool
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
	if !*p.fittedFlag() {
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
	w.fields(p.state())
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
	r.fields(p.state())
	*p.fittedFlag() = r.err == nil
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

// part writes an optional part of the state: a presence flag, then the
// part's fields (readPart reads it back).
func (w *stateWriter) part(present bool, s func() []any) {
	w.put(present)
	if present {
		w.fields(s())
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

func (r *stateReader) bool() bool     { var b bool; r.get(&b); return b }
func (r *stateReader) int() int       { var i int; r.get(&i); return i }
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

func (r *stateReader) floats() []float64 { return readSlice[float64](r) }
func (r *stateReader) ints() []int       { return readSlice[int](r) }

// readSlice reads what stateWriter.floats / ints wrote: the length, then
// the slice behind a sentinel element (so that gob sees a non-empty value).
func readSlice[T any](r *stateReader) []T {
	n := r.int()
	var s []T
	r.get(&s)
	if r.err == nil && len(s) != n+1 {
		r.err = errors.New("slice length mismatch")
	}
	if r.err != nil || n == 0 {
		return nil
	}
	return s[1:]
}

// readPart reads what stateWriter.part wrote: nil when the part is absent.
func readPart[T any, P interface {
	*T
	state() []any
}](r *stateReader) P {
	if !r.bool() {
		return nil
	}
	p := P(new(T))
	r.fields(p.state())
	return p
}

// fields writes the fitted fields of an estimator (pointers, in
// order) and stateReader.fields reads them back: one codec for every estimator,
// each of which only lists its fields (state).
func (w *stateWriter) fields(fs []any) {
	for _, f := range fs {
		switch p := f.(type) {
		case **mat.Dense:
			w.dense(*p)
		case *[]float64:
			w.floats(*p)
		case *[]int:
			w.ints(*p)
		case *int, *float64, *bool, *linalg.Kernel:
			w.put(p)
		case **graph.CSR:
			w.csr(*p)
		case *kernelSpec:
			w.fields(p.state())
		case **centredEig:
			w.part(*p != nil, func() []any { return (*p).state() })
		case **knnAffinity:
			w.part(*p != nil, func() []any { return (*p).state() })
		case *ClassicalMDS:
			w.fields(p.state())
		default:
			panic(fmt.Sprintf("spectral: no codec for state field %T", f))
		}
	}
}

func (r *stateReader) fields(fs []any) {
	for _, f := range fs {
		switch p := f.(type) {
		case **mat.Dense:
			*p = r.dense()
		case *[]float64:
			*p = r.floats()
		case *[]int:
			*p = r.ints()
		case *int, *float64, *bool, *linalg.Kernel:
			r.get(p)
		case **graph.CSR:
			*p = r.csr()
		case *kernelSpec:
			r.fields(p.state())
			if r.err == nil {
				r.err = p.fn.Validate()
			}
		case **centredEig:
			*p = readPart[centredEig](r)
		case **knnAffinity:
			*p = readPart[knnAffinity](r)
		case *ClassicalMDS:
			r.fields(p.state())
			p.fitted = r.err == nil
		default:
			panic(fmt.Sprintf("spectral: no codec for state field %T", f))
		}
	}
}

// The fitted state of each estimator and of its parts, in a fixed order.

func (s *kernelSpec) state() []any  { return []any{&s.fn, &s.train, &s.precomputedN} }
func (c *centredEig) state() []any  { return []any{&c.colMean, &c.grand, &c.vals, &c.vecs} }
func (a *knnAffinity) state() []any { return []any{&a.train, &a.k, &a.radius, &a.gamma} }

func (le *LaplacianEigenmaps) state() []any {
	return []any{&le.g, &le.deg, &le.vals, &le.z, &le.aff}
}
func (s *SpectralContrastive) state() []any {
	return []any{&s.g, &s.deg, &s.vals, &s.u, &s.z, &s.w, &s.aff}
}
func (l *LPP) state() []any { return []any{&l.p, &l.z, &l.vals} }
func (m *KernelLPP) state() []any {
	return []any{&m.spec, &m.colMean, &m.grand, &m.alpha, &m.z, &m.vals, &m.n, &m.dim}
}
func (l *LLE) state() []any { return []any{&l.train, &l.k, &l.reg, &l.z, &l.vals} }
func (m *ClassicalMDS) state() []any {
	return []any{&m.psd, &m.train, &m.landmarks, &m.eig, &m.z, &m.n, &m.dim}
}
func (m *Isomap) state() []any { return []any{&m.train, &m.geo, &m.k, &m.n, &m.mds} }
func (p *KernelPCA) state() []any {
	return []any{&p.spec, &p.lm, &p.eig, &p.z, &p.dim, &p.dual}
}
func (c *CCA) state() []any {
	return []any{&c.meanA, &c.meanB, &c.wa, &c.wb, &c.za, &c.zb, &c.rho}
}
func (c *GraphCCA) state() []any { return []any{&c.w, &c.z, &c.rho} }

func (le *LaplacianEigenmaps) fittedFlag() *bool { return &le.fitted }
func (s *SpectralContrastive) fittedFlag() *bool { return &s.fitted }
func (l *LPP) fittedFlag() *bool                 { return &l.fitted }
func (m *KernelLPP) fittedFlag() *bool           { return &m.fitted }
func (l *LLE) fittedFlag() *bool                 { return &l.fitted }
func (m *ClassicalMDS) fittedFlag() *bool        { return &m.fitted }
func (m *Isomap) fittedFlag() *bool              { return &m.fitted }
func (p *KernelPCA) fittedFlag() *bool           { return &p.fitted }
func (c *CCA) fittedFlag() *bool                 { return &c.fitted }
func (c *GraphCCA) fittedFlag() *bool            { return &c.fitted }
