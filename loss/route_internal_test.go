package loss

import (
	"math"
	"testing"

	"github.com/eigenssl/eigenssl/internal/oracle"
)

// TestRowGramRouteOracle forces the N x N Gram route (normally taken only
// when K > N) on every official VICReg and BarlowTwins oracle case, and the
// K x K route on wide random inputs, checking both against the oracle
// tolerances and against each other.
func TestRowGramRouteOracle(t *testing.T) {
	saved := useRowGram
	defer func() { useRowGram = saved }()
	n := 0
	for _, c := range oracle.Load(t, "losses.json") {
		var l Loss
		switch c.Loss {
		case NameVICRegOfficial:
			l = VICRegOfficial{c.Param(t, ParamSimCoeff), c.Param(t, ParamStdCoeff), c.Param(t, ParamCovCoeff)}
		case NameBarlowTwinsOfficial:
			l = BarlowTwinsOfficial{Lambd: c.Param(t, ParamLambd)}
		default:
			continue
		}
		n++
		in := Inputs{}
		names := map[string]string{}
		for name := range c.Inputs {
			switch name {
			case "x", "z1":
				in.Z1, names[KeyZ1] = c.Input(t, name), name
			case "y", "z2":
				in.Z2, names[KeyZ2] = c.Input(t, name), name
			}
		}
		for _, force := range []bool{true, false} {
			useRowGram = func(int, int) bool { return force }
			res, err := l.Eval(in, true)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(res.Value-c.Value) > 1e-10*math.Max(1, math.Abs(c.Value)) {
				t.Errorf("%s (row Gram %v): value %.17g; want %.17g", c.Name, force, res.Value, c.Value)
			}
			for p, want := range c.Parts {
				if math.Abs(res.Parts[p]-want) > 1e-10*math.Max(1, math.Abs(want)) {
					t.Errorf("%s (row Gram %v): part %s %.17g; want %.17g", c.Name, force, p, res.Parts[p], want)
				}
			}
			for key, name := range names {
				want := oracle.Dense(t, c.Grad[name])
				if d := oracle.MaxAbsDiff(res.Grad[key], want); d > 1e-9*oracle.Scale(want) {
					t.Errorf("%s (row Gram %v): grad %s max diff %.3g", c.Name, force, name, d)
				}
			}
		}
	}
	if n == 0 {
		t.Fatal("no official VICReg/BarlowTwins case in losses.json")
	}
}

// TestInfoNCENarrowRouteOracle takes NT-Xent's oracle cases through both
// InfoNCE routes below cacheEntries, the products of narrow Z through Zᵀ
// (the default for K <= narrowK) and the Syrk/Symm route of wide Z, and
// checks each against the oracle's value and gradients.
func TestInfoNCENarrowRouteOracle(t *testing.T) {
	saved := narrowK
	defer func() { narrowK = saved }()
	n := 0
	for _, c := range oracle.Load(t, "losses.json") {
		if c.Loss != NameNTXent {
			continue
		}
		n++
		l := NTXent{Tau: c.Param(t, ParamTau)}
		in := Inputs{Z1: c.Input(t, "z1"), Z2: c.Input(t, "z2")}
		for _, nk := range []int{0, 1 << 20} {
			narrowK = nk
			res, err := l.Eval(in, true)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(res.Value-c.Value) > 1e-10*math.Max(1, math.Abs(c.Value)) {
				t.Errorf("%s (narrowK %d): value %.17g; want %.17g", c.Name, nk, res.Value, c.Value)
			}
			for key, name := range map[string]string{KeyZ1: "z1", KeyZ2: "z2"} {
				want := oracle.Dense(t, c.Grad[name])
				if d := oracle.MaxAbsDiff(res.Grad[key], want); d > 1e-9*oracle.Scale(want) {
					t.Errorf("%s (narrowK %d): grad %s max diff %.3g", c.Name, nk, name, d)
				}
			}
		}
	}
	if n == 0 {
		t.Fatal("no ntxent case in losses.json")
	}
}
