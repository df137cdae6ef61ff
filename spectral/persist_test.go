package spectral_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/eigenssl/eigenssl/spectral"
	"gonum.org/v1/gonum/mat"
)

// Every conformance case survives Save/Load: the restored model has the
// same hyper-parameters, embedding and eigenvalues, and its Transform of
// held-in and perturbed rows equals the original's bit for bit.
func TestSaveLoadRoundTrip(t *testing.T) {
	for name, cases := range suiteCases(t) {
		for _, c := range cases {
			t.Run(c.Name, func(t *testing.T) {
				m := c.New(c.K).(spectral.Estimator)
				if err := m.Fit(mat.DenseCopyOf(c.X)); err != nil {
					t.Fatal(err)
				}
				dir := filepath.Join(t.TempDir(), "model")
				if err := spectral.Save(dir, m); err != nil {
					t.Fatal(err)
				}
				got, err := spectral.Load(dir)
				if err != nil {
					t.Fatal(err)
				}
				if spectral.MethodOf(got) != name {
					t.Fatalf("method %q; want %q", spectral.MethodOf(got), name)
				}
				if !mat.Equal(got.Embedding(), m.Embedding()) {
					t.Fatal("embedding differs after Load")
				}
				for i, v := range m.Eigenvalues() {
					if got.Eigenvalues()[i] != v {
						t.Fatalf("eigenvalue %d: %g vs %g", i, got.Eigenvalues()[i], v)
					}
				}
				n, d := c.X.Dims()
				q := mat.DenseCopyOf(c.X.Slice(0, min(7, n), 0, d))
				q.Apply(func(i, j int, v float64) float64 { return v + 0.01*float64(i+j) }, q)
				want, err := m.Transform(q)
				if err != nil {
					t.Fatal(err)
				}
				zt, err := got.Transform(q)
				if err != nil {
					t.Fatal(err)
				}
				if !mat.Equal(zt, want) {
					t.Fatal("Transform differs after Load")
				}
			})
		}
	}
}

func TestSaveLoadErrors(t *testing.T) {
	dir := t.TempDir()
	if err := spectral.Save(dir, &spectral.KernelPCA{}); !errors.Is(err, spectral.ErrNotFitted) {
		t.Fatalf("Save of an unfitted model: %v; want ErrNotFitted", err)
	}
	if _, err := spectral.Load(filepath.Join(dir, "missing")); err == nil {
		t.Fatal("Load of a missing directory succeeded")
	}
	x := mat.NewDense(6, 2, []float64{0, 0, 1, 0, 0, 1, 1, 1, 2, 1, 1, 2})
	p := &spectral.KernelPCA{Components: 2}
	if err := p.Fit(x); err != nil {
		t.Fatal(err)
	}
	if err := spectral.Save(dir, p); err != nil {
		t.Fatal(err)
	}
	// A truncated state file is an error naming the file, not a panic.
	st := filepath.Join(dir, spectral.ModelState)
	b, err := os.ReadFile(st)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(st, b[:len(b)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := spectral.Load(dir); err == nil || !errors.Is(err, spectral.ErrParam) {
		t.Fatalf("truncated state: %v; want ErrParam", err)
	}
	// An unknown method in the manifest.
	if err := os.WriteFile(filepath.Join(dir, spectral.ModelManifest), []byte(`{"format":1,"method":"tsne","params":{}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := spectral.Load(dir); !errors.Is(err, spectral.ErrParam) {
		t.Fatalf("unknown method: %v; want ErrParam", err)
	}
}

// The kernel PCA pre-image map is saved with the model.
func TestSaveLoadKernelPCAInverse(t *testing.T) {
	x := mat.NewDense(12, 2, nil)
	x.Apply(func(i, j int, _ float64) float64 { return float64((i*5+j*3)%7) + 0.1*float64(i) }, x)
	p := &spectral.KernelPCA{Components: 3, Kernel: spectral.KernelRBF, Gamma: 0.3, FitInverse: true, Alpha: 0.01}
	if err := p.Fit(x); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := spectral.Save(dir, p); err != nil {
		t.Fatal(err)
	}
	m, err := spectral.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	want, err := p.InverseTransform(p.Embedding())
	if err != nil {
		t.Fatal(err)
	}
	got, err := m.(*spectral.KernelPCA).InverseTransform(p.Embedding())
	if err != nil {
		t.Fatal(err)
	}
	if !mat.Equal(got, want) {
		t.Fatal("InverseTransform differs after Load")
	}
}
