package loss_test

import (
	"math"
	"slices"
	"testing"

	"github.com/eigenssl/eigenssl/graph"
	"github.com/eigenssl/eigenssl/internal/oracle"
	"github.com/eigenssl/eigenssl/loss"
	"gonum.org/v1/gonum/mat"
)

// oracleInputs maps the float inputs of a losses.json case to Inputs and
// returns, for every gradient key of Result.Grad, the oracle input name.
func oracleInputs(t *testing.T, c *oracle.Case) (loss.Inputs, map[string]string) {
	t.Helper()
	var in loss.Inputs
	keys := map[string]string{}
	for name := range c.Inputs {
		switch name {
		case "x", "z1":
			in.Z1 = c.Input(t, name)
			keys[loss.KeyZ1] = name
		case "y", "z2":
			in.Z2 = c.Input(t, name)
			keys[loss.KeyZ2] = name
		case "Z":
			in.Z = c.Input(t, name)
			keys[loss.KeyZ] = name
		case "G":
			in.G = csrOf(t, c.Input(t, name))
		default:
			t.Fatalf("case %s: unexpected input %q", c.Name, name)
		}
	}
	return in, keys
}

// csrOf converts a dense relation matrix to CSR.
func csrOf(t testing.TB, g *mat.Dense) *graph.CSR {
	t.Helper()
	csr, err := graph.FromDense(g)
	if err != nil {
		t.Fatal(err)
	}
	return csr
}

// oracleParams returns the hyper-parameters of a case that New accepts.
func oracleParams(c *oracle.Case) map[string]float64 {
	p := map[string]float64{}
	for _, k := range loss.ParamKeys(c.Loss) {
		if v, ok := c.Params[k].(float64); ok {
			p[k] = v
		}
	}
	return p
}

func relClose(got, want, tol float64) bool {
	return math.Abs(got-want) <= tol*math.Max(1, math.Abs(want))
}

// TestOracleLosses checks every case of losses.json: value and parts to
// 1e-10 relative, gradients to 1e-9 scale(want), as the oracle README says.
func TestOracleLosses(t *testing.T) {
	cases := oracle.Load(t, "losses.json")
	passed := 0
	for i := range cases {
		c := &cases[i]
		ok := t.Run(c.Name, func(t *testing.T) {
			l, err := loss.New(c.Loss, oracleParams(c))
			if err != nil {
				t.Fatal(err)
			}
			in, keys := oracleInputs(t, c)
			res, err := l.Eval(in, true)
			if err != nil {
				t.Fatal(err)
			}
			if !relClose(res.Value, c.Value, 1e-10) {
				t.Errorf("value: got %.17g; want %.17g", res.Value, c.Value)
			}
			if len(res.Parts) != len(c.Parts) {
				t.Errorf("parts: got %v; want %v", res.Parts, c.Parts)
			}
			for name, want := range c.Parts {
				got, ok := res.Parts[name]
				if !ok || !relClose(got, want, 1e-10) {
					t.Errorf("part %s: got %.17g (present %v); want %.17g", name, got, ok, want)
				}
			}
			if len(res.Grad) != len(c.Grad) {
				t.Errorf("got %d gradients; want %d", len(res.Grad), len(c.Grad))
			}
			for key, name := range keys {
				rows, ok := c.Grad[name]
				if !ok {
					t.Fatalf("oracle has no gradient for %s", name)
				}
				want := oracle.Dense(t, rows)
				got := res.Grad[key]
				if got == nil {
					t.Fatalf("no gradient %s", key)
				}
				if d, tol := oracle.MaxAbsDiff(got, want), 1e-9*oracle.Scale(want); d > tol {
					t.Errorf("grad %s: max diff %.3g > %.3g", name, d, tol)
				}
			}
		})
		if ok {
			passed++
		}
	}
	t.Logf("%d/%d oracle loss cases pass", passed, len(cases))
}

// TestOracleIdentities checks the loss-related identities of
// identities.json, dispatching on the identity name.
func TestOracleIdentities(t *testing.T) {
	n := 0
	for _, c := range oracle.Load(t, "identities.json") {
		switch c.Identity {
		case "barlowtwins_gform_C":
			n++
			z, g := c.Input(t, "Z"), csrOf(t, c.Input(t, "G"))
			got, err := loss.GFormCorrelation(z, g)
			if err != nil {
				t.Fatal(err)
			}
			for _, out := range []string{"C_loss_path", "C_closed_form"} {
				want := c.Output(t, out)
				if d := oracle.MaxAbsDiff(got, want); d > 1e-12*oracle.Scale(want) {
					t.Errorf("%s: C vs %s: max diff %.3g", c.Name, out, d)
				}
			}
		case "pairwise_sum_equals_2_trace_ZtLZ":
			n++
			z, g := c.Input(t, "Z"), csrOf(t, c.Input(t, "G"))
			res, err := loss.VICRegGForm{Alpha: 1, Beta: 1, Gamma: 1}.Eval(loss.Inputs{Z: z, G: g}, false)
			if err != nil {
				t.Fatal(err)
			}
			nz, _ := z.Dims()
			got := res.Parts["inv_loss"] * float64(nz)
			for _, out := range []string{"pairwise_sum", "two_trace_ZtLZ"} {
				if want := c.OutputScalar(t, out); !relClose(got, want, 1e-12) {
					t.Errorf("%s: N inv_loss = %.17g; %s = %.17g", c.Name, got, out, want)
				}
			}
		case "simclr_gform_vs_ntxent":
			n++
			z1, z2, g := c.Input(t, "z1"), c.Input(t, "z2"), csrOf(t, c.Input(t, "G"))
			tau := c.Param(t, "tau")
			nt, err := loss.NTXent{Tau: tau}.Eval(loss.Inputs{Z1: z1, Z2: z2}, false)
			if err != nil {
				t.Fatal(err)
			}
			var z mat.Dense
			z.Stack(z1, z2)
			sg, err := loss.SimCLRGForm{Tau: tau}.Eval(loss.Inputs{Z: &z, G: g}, false)
			if err != nil {
				t.Fatal(err)
			}
			if want := c.OutputScalar(t, "ntxent"); !relClose(nt.Value, want, 1e-10) {
				t.Errorf("%s: ntxent %.17g; want %.17g", c.Name, nt.Value, want)
			}
			if want := c.OutputScalar(t, "simclr_gform"); !relClose(sg.Value, want, 1e-10) {
				t.Errorf("%s: simclr_gform %.17g; want %.17g", c.Name, sg.Value, want)
			}
			if r, want := sg.Value/nt.Value, c.OutputScalar(t, "expected_ratio"); !relClose(r, want, 1e-12) {
				t.Errorf("%s: ratio %.17g; want %v", c.Name, r, want)
			}
		}
	}
	if n == 0 {
		t.Fatal("identities.json holds no loss identity")
	}
}

// TestRegistryCovered checks that every loss of Names is exercised: by the
// oracle file or by the closed-form test, and by the finite-difference
// suite (which needs an input builder for it).
func TestRegistryCovered(t *testing.T) {
	inOracle := map[string]bool{}
	for _, c := range oracle.Load(t, "losses.json") {
		if !slices.Contains(loss.Names(), c.Loss) {
			t.Errorf("oracle loss %q is not in Names()", c.Loss)
		}
		inOracle[c.Loss] = true
	}
	for _, name := range loss.Names() {
		if _, ok := kinds[name]; !ok {
			t.Errorf("%s: no input builder for the finite-difference suite", name)
		}
		if !inOracle[name] && !closedFormTested[name] {
			t.Errorf("%s: covered neither by losses.json nor by a closed-form test", name)
		}
	}
}
