package spectral

import (
	"sort"
	"strings"

	"github.com/eigenssl/eigenssl/graph"

	"gonum.org/v1/gonum/mat"
)

// Estimator is the shape shared by every method of this package: Fit on an
// N x D data matrix (or the precomputed N x N input the method documents),
// the N x K training embedding, the eigenvalues (or correlations) of its
// columns, and the out-of-sample map. spectraltest checks every Estimator
// against the same conformance suite.
type Estimator interface {
	Fit(x *mat.Dense) error
	Embedding() *mat.Dense
	Eigenvalues() []float64
	Transform(x mat.Matrix) (*mat.Dense, error)
}

// GraphEstimator is an Estimator that also fits on a relation graph G over
// the N rows of x (an edge file, a relation of package graph, precomputed
// nearest neighbours): FitGraph(x, g). Laplacian eigenmaps and the
// spectral contrastive closed form in feature space use the graph only and
// accept a nil x; the others need the data. Methods() lists the methods that
// implement it.
type GraphEstimator interface {
	Estimator
	FitGraph(x *mat.Dense, g *graph.CSR) error
}

var (
	_ GraphEstimator = (*LaplacianEigenmaps)(nil)
	_ GraphEstimator = (*LPP)(nil)
	_ GraphEstimator = (*KernelLPP)(nil)
	_ GraphEstimator = (*GraphCCA)(nil)
	_ GraphEstimator = (*SpectralContrastive)(nil)
)

var (
	_ Estimator = (*LaplacianEigenmaps)(nil)
	_ Estimator = (*LPP)(nil)
	_ Estimator = (*KernelLPP)(nil)
	_ Estimator = (*LLE)(nil)
	_ Estimator = (*ClassicalMDS)(nil)
	_ Estimator = (*Isomap)(nil)
	_ Estimator = (*KernelPCA)(nil)
	_ Estimator = (*CCA)(nil)
	_ Estimator = (*GraphCCA)(nil)
	_ Estimator = (*SpectralContrastive)(nil)
)

// registry maps each method name to a constructor of its zero value.
var registry = map[string]func() Estimator{
	"le":       func() Estimator { return &LaplacianEigenmaps{} },
	"lpp":      func() Estimator { return &LPP{} },
	"klpp":     func() Estimator { return &KernelLPP{} },
	"lle":      func() Estimator { return &LLE{} },
	"mds":      func() Estimator { return &ClassicalMDS{} },
	"isomap":   func() Estimator { return &Isomap{} },
	"kpca":     func() Estimator { return &KernelPCA{} },
	"cca":      func() Estimator { return &CCA{} },
	"graphcca": func() Estimator { return &GraphCCA{} },
	"spectral": func() Estimator { return &SpectralContrastive{} },
}

// Methods returns the names New accepts, sorted.
func Methods() []string {
	out := make([]string, 0, len(registry))
	for k := range registry {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// GraphMethods returns the names of the methods whose estimator is a
// GraphEstimator, sorted.
func GraphMethods() []string {
	var out []string
	for _, k := range Methods() {
		if _, ok := registry[k]().(GraphEstimator); ok {
			out = append(out, k)
		}
	}
	return out
}

// New returns the estimator named name (see Methods) with its default
// hyper-parameters; set fields through a type switch. An unknown name gives
// ErrParam listing the valid ones.
func New(name string) (Estimator, error) {
	f, ok := registry[name]
	if !ok {
		return nil, errorf("new", "method", name, ErrParam, "valid: "+strings.Join(Methods(), ", "))
	}
	return f(), nil
}
