// Package oracle loads the reference test vectors of ../shared/oracles
// (computed with PyTorch and scikit-learn) for the tests of every package, and
// holds the comparison rules of their README (tolerances, sign alignment).
//
// Tests must iterate over whatever cases a file holds and read shapes from the
// data: another set with other names and sizes is swapped in through the
// EIGENSSL_ORACLES environment variable.
package oracle

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// Case is one test vector. Loss cases fill Loss, Value, Parts and Grad;
// spectral cases fill Method and Outputs; identity cases fill Identity and
// Outputs. Inputs and outputs stay raw until asked for by name.
type Case struct {
	Name     string                     `json:"name"`
	Loss     string                     `json:"loss"`
	Method   string                     `json:"method"`
	Identity string                     `json:"identity"`
	Params   map[string]any             `json:"params"`
	Inputs   map[string]json.RawMessage `json:"inputs"`
	Outputs  map[string]json.RawMessage `json:"outputs"`
	Value    float64                    `json:"value"`
	Parts    map[string]float64         `json:"parts"`
	Grad     map[string][][]float64     `json:"grad"`
}

// Dir returns the oracle directory: $EIGENSSL_ORACLES, or ../shared/oracles
// relative to the repository root (the directory holding go.mod). It fails the
// test, rather than skipping it, when the directory does not exist.
func Dir(t testing.TB) string {
	t.Helper()
	if d := os.Getenv("EIGENSSL_ORACLES"); d != "" {
		return mustDir(t, d)
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatalf("oracle: %v", err)
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return mustDir(t, filepath.Join(d, "..", "shared", "oracles"))
		}
		if filepath.Dir(d) == d {
			t.Fatalf("oracle: no go.mod above %s; set EIGENSSL_ORACLES", wd)
		}
	}
}

func mustDir(t testing.TB, d string) string {
	t.Helper()
	if st, err := os.Stat(d); err != nil || !st.IsDir() {
		t.Fatalf("oracle: directory %s not found (set EIGENSSL_ORACLES): %v", d, err)
	}
	return d
}

// Load reads file (e.g. "losses.json") from Dir and fails the test on error or
// on an empty case list.
func Load(t testing.TB, file string) []Case {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(Dir(t), file))
	if err != nil {
		t.Fatalf("oracle: %v", err)
	}
	var cs []Case
	if err := json.Unmarshal(b, &cs); err != nil {
		t.Fatalf("oracle: %s: %v", file, err)
	}
	if len(cs) == 0 {
		t.Fatalf("oracle: %s holds no cases", file)
	}
	return cs
}

// Named returns the cases of file whose Loss, Method or Identity is name. It
// fails the test when there is none, so that a renamed or dropped case
// cannot pass silently.
func Named(t testing.TB, file, name string) []Case {
	t.Helper()
	var out []Case
	for _, c := range Load(t, file) {
		if c.Loss == name || c.Method == name || c.Identity == name {
			out = append(out, c)
		}
	}
	if len(out) == 0 {
		t.Fatalf("oracle: %s holds no %s case", file, name)
	}
	return out
}

func (c *Case) raw(t testing.TB, section, name string) json.RawMessage {
	t.Helper()
	m := c.Inputs
	if section == "outputs" {
		m = c.Outputs
	}
	r, ok := m[name]
	if !ok {
		t.Fatalf("oracle: case %s has no %s.%s", c.Name, section, name)
	}
	return r
}

// Input returns inputs[name] as a dense matrix (rows of the JSON array).
func (c *Case) Input(t testing.TB, name string) *mat.Dense { return c.matrix(t, "inputs", name) }

// Output returns outputs[name] as a dense matrix.
func (c *Case) Output(t testing.TB, name string) *mat.Dense { return c.matrix(t, "outputs", name) }

// HasOutput reports whether outputs[name] exists.
func (c *Case) HasOutput(name string) bool { _, ok := c.Outputs[name]; return ok }

func (c *Case) matrix(t testing.TB, section, name string) *mat.Dense {
	t.Helper()
	var rows [][]float64
	if err := json.Unmarshal(c.raw(t, section, name), &rows); err != nil {
		t.Fatalf("oracle: case %s %s.%s: %v", c.Name, section, name, err)
	}
	return Dense(t, rows)
}

// OutputVector returns outputs[name] as a flat vector.
func (c *Case) OutputVector(t testing.TB, name string) []float64 {
	t.Helper()
	var v []float64
	if err := json.Unmarshal(c.raw(t, "outputs", name), &v); err != nil {
		t.Fatalf("oracle: case %s outputs.%s: %v", c.Name, name, err)
	}
	return v
}

// OutputScalar returns outputs[name] as a float64 (booleans give 0 or 1).
func (c *Case) OutputScalar(t testing.TB, name string) float64 {
	t.Helper()
	var v any
	if err := json.Unmarshal(c.raw(t, "outputs", name), &v); err != nil {
		t.Fatalf("oracle: case %s outputs.%s: %v", c.Name, name, err)
	}
	x, ok := number(v)
	if !ok {
		t.Fatalf("oracle: case %s outputs.%s is %T, not a number", c.Name, name, v)
	}
	return x
}

// number returns a decoded JSON number, or a boolean as 0 or 1.
func number(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case bool:
		if x {
			return 1, true
		}
		return 0, true
	}
	return 0, false
}

// Param returns params[name] as a float64 (booleans give 0 or 1).
func (c *Case) Param(t testing.TB, name string) float64 {
	t.Helper()
	v, ok := c.Params[name]
	if !ok {
		t.Fatalf("oracle: case %s has no param %s", c.Name, name)
	}
	x, ok := number(v)
	if !ok {
		t.Fatalf("oracle: case %s param %s is %T, not a number", c.Name, name, v)
	}
	return x
}

// HasParam reports whether params[name] exists.
func (c *Case) HasParam(name string) bool { _, ok := c.Params[name]; return ok }

// ParamString returns params[name] as a string ("" when absent).
func (c *Case) ParamString(name string) string {
	s, _ := c.Params[name].(string)
	return s
}

// Dense converts rows to a matrix, failing on ragged or empty input.
func Dense(t testing.TB, rows [][]float64) *mat.Dense {
	t.Helper()
	if len(rows) == 0 || len(rows[0]) == 0 {
		t.Fatalf("oracle: empty matrix")
	}
	m := mat.NewDense(len(rows), len(rows[0]), nil)
	for i, r := range rows {
		if len(r) != len(rows[0]) {
			t.Fatalf("oracle: ragged matrix at row %d", i)
		}
		m.SetRow(i, r)
	}
	return m
}

// Scale returns max(1, max |entry|), the README's scale(M).
func Scale(m mat.Matrix) float64 {
	s := 1.0
	r, c := m.Dims()
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			s = math.Max(s, math.Abs(m.At(i, j)))
		}
	}
	return s
}

// MaxAbsDiff returns max |a_ij - b_ij|; it panics on a shape mismatch.
func MaxAbsDiff(a, b mat.Matrix) float64 {
	ra, ca := a.Dims()
	rb, cb := b.Dims()
	if ra != rb || ca != cb {
		panic(fmt.Sprintf("oracle: shape %dx%d vs %dx%d", ra, ca, rb, cb))
	}
	d := 0.0
	for i := 0; i < ra; i++ {
		for j := 0; j < ca; j++ {
			d = math.Max(d, math.Abs(a.At(i, j)-b.At(i, j)))
		}
	}
	return d
}

// ColumnsMatch compares got and want column by column after sign alignment
// (s_j = sign(sum_i got_ij want_ij)), as the README prescribes when
// columns_comparable is true: max_i |s_j got_ij - want_ij| <= tol*scale(want_j).
// It returns a description of the first failing column, or "".
func ColumnsMatch(got, want mat.Matrix, tol float64) string {
	r, c := want.Dims()
	rg, cg := got.Dims()
	if r != rg || c != cg {
		return fmt.Sprintf("shape %dx%d; want %dx%d", rg, cg, r, c)
	}
	for j := 0; j < c; j++ {
		dot, sc := 0.0, 1.0
		for i := 0; i < r; i++ {
			dot += got.At(i, j) * want.At(i, j)
			sc = math.Max(sc, math.Abs(want.At(i, j)))
		}
		s := 1.0
		if dot < 0 {
			s = -1
		}
		d := 0.0
		for i := 0; i < r; i++ {
			d = math.Max(d, math.Abs(s*got.At(i, j)-want.At(i, j)))
		}
		if d > tol*sc {
			return fmt.Sprintf("column %d: max diff %.3g > %.3g", j, d, tol*sc)
		}
	}
	return ""
}
