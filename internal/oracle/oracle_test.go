package oracle

import (
	"testing"

	"gonum.org/v1/gonum/mat"
)

func TestLoadAll(t *testing.T) {
	for _, f := range []string{"losses.json", "spectral.json", "identities.json"} {
		cs := Load(t, f)
		seen := map[string]bool{}
		for _, c := range cs {
			if c.Name == "" || seen[c.Name] {
				t.Fatalf("%s: missing or duplicate case name %q", f, c.Name)
			}
			seen[c.Name] = true
			if c.Loss == "" && c.Method == "" && c.Identity == "" {
				t.Fatalf("%s: case %s has no loss/method/identity", f, c.Name)
			}
		}
	}
}

func TestColumnsMatch(t *testing.T) {
	want := mat.NewDense(3, 2, []float64{1, 0, 2, 1, 3, -1})
	got := mat.NewDense(3, 2, []float64{-1, 0, -2, 1, -3, -1})
	if msg := ColumnsMatch(got, want, 1e-12); msg != "" {
		t.Fatalf("sign-flipped column rejected: %s", msg)
	}
	got.Set(1, 1, 1.1)
	if msg := ColumnsMatch(got, want, 1e-12); msg == "" {
		t.Fatal("perturbed column accepted")
	}
}
