package spectral

import (
	"errors"
	"testing"

	"github.com/eigenssl/eigenssl/data"
	"github.com/eigenssl/eigenssl/graph"
	"github.com/eigenssl/eigenssl/linalg"
	"gonum.org/v1/gonum/mat"
)

// TestLESearchApprox fits Laplacian Eigenmaps on 2500 x 8 overlapping blobs
// (above graph's 2048-row threshold for the approximate search) with the
// exact and the approximate (NN-descent) kNN affinity. The bound 0.15 rad on
// the largest principal angle between the two K = 3 subspaces is measured,
// not derived: over Search.Seed 1..3 the largest angle was 0.047-0.055 rad
// (the approximate graph differs from the exact one in a few dozen of its
// ~32500 entries), and a random 3-dimensional subspace of R^2500 is at
// nearly π/2. The embeddings must also differ (else Search was ignored) and
// be reproducible for a fixed Search.Seed.
func TestLESearchApprox(t *testing.T) {
	ds, err := data.Blobs(2500, 4, 8, 6, 7)
	if err != nil {
		t.Fatal(err)
	}
	ex := &LaplacianEigenmaps{Components: 3, Neighbors: 10, Seed: 1}
	if err := ex.Fit(ds.X); err != nil {
		t.Fatal(err)
	}
	fit := func() *mat.Dense {
		ap := &LaplacianEigenmaps{Components: 3, Neighbors: 10, Seed: 1, Search: graph.KNNOptions{Approx: true, Seed: 1}}
		if err := ap.Fit(ds.X); err != nil {
			t.Fatal(err)
		}
		return ap.Embedding()
	}
	za := fit()
	ang, err := linalg.PrincipalAngles(ex.Embedding(), za)
	if err != nil {
		t.Fatal(err)
	}
	top := ang[len(ang)-1]
	if top > 0.15 {
		t.Errorf("largest principal angle approx vs exact = %.4f rad, want <= 0.15", top)
	}
	if top < 1e-8 {
		t.Errorf("approx and exact embeddings coincide (largest angle %.3g): Search.Approx not used", top)
	}
	if !mat.Equal(za, fit()) {
		t.Error("two approximate fits with the same Search.Seed differ")
	}
}

// TestSearchRefusesWeights checks that a Search field other than Approx,
// Seed and Workers is refused by every estimator that builds a kNN affinity.
func TestSearchRefusesWeights(t *testing.T) {
	ds, err := data.Blobs(60, 3, 4, 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	bad := graph.KNNOptions{Approx: true, Metric: graph.Cosine}
	for name, e := range map[string]Estimator{
		"le":          &LaplacianEigenmaps{Components: 2, Search: bad},
		"lpp":         &LPP{Components: 2, Search: bad},
		"klpp":        &KernelLPP{Components: 2, Search: bad},
		"graphcca":    &GraphCCA{Components: 2, Search: bad},
		"contrastive": &SpectralContrastive{Components: 2, Search: bad},
	} {
		err := e.Fit(ds.X)
		if !errors.Is(err, ErrParam) {
			t.Errorf("%s: Fit with Search.Metric set: err = %v, want ErrParam", name, err)
		}
	}
}
