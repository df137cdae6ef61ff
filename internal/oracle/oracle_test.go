package oracle

import (
	"fmt"
	"runtime"
	"strings"
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

// fatalRecorder records the first Fatalf and stops its goroutine, as
// testing.T does.
type fatalRecorder struct {
	testing.TB
	msg string
}

func (f *fatalRecorder) Helper() {}
func (f *fatalRecorder) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// Named selects by loss, method or identity and fails on a name with no case.
func TestNamed(t *testing.T) {
	for file, name := range map[string]string{"losses.json": "ntxent", "spectral.json": "spectral_embedding", "identities.json": "augmentation_graph_spectrum"} {
		cs := Named(t, file, name)
		for _, c := range cs {
			if c.Loss != name && c.Method != name && c.Identity != name {
				t.Errorf("Named(%s, %s) returned case %s (%s/%s/%s)", file, name, c.Name, c.Loss, c.Method, c.Identity)
			}
		}
	}
	rec := &fatalRecorder{TB: t}
	done := make(chan []Case)
	go func() {
		defer close(done)
		done <- Named(rec, "spectral.json", "no_such_method")
	}()
	if got := <-done; got != nil || !strings.Contains(rec.msg, "no no_such_method case") {
		t.Errorf("Named of a missing name: %v cases, fatal %q; want a fatal naming it", len(got), rec.msg)
	}
}
