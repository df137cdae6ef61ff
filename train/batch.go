package train

import (
	"math/rand/v2"

	"github.com/eigenssl/eigenssl/data"
	"github.com/eigenssl/eigenssl/graph"
	"github.com/eigenssl/eigenssl/linalg"
	"gonum.org/v1/gonum/mat"
)

// assemble returns the V·B × D batch of views, row v·B + j being view v of
// original idx[j] (idx nil: all samples in order), augmented in parallel
// through linalg.ParallelRange. View v of original n at step s draws from a
// PCG seeded by data.ViewSeed(Seed, s, n, v, V), s = 0 for FixedViews, else
// the 1-based step: it depends only on those, never on scheduling, so the
// result does not depend on the split, and closedform's expected-graph
// closed forms can redraw exactly the views training sees.
func (t *trainer) assemble(idx []int, step int) *mat.Dense {
	b := len(idx)
	if idx == nil {
		b = t.n
	}
	src := func(j int) int {
		if idx == nil {
			return j
		}
		return idx[j]
	}
	V := t.cfg.Views
	out := mat.NewDense(V*b, t.d, nil)
	if t.identity {
		for v := range V {
			for j := range b {
				copy(out.RawRowView(v*b+j), t.x.RawRowView(src(j)))
			}
		}
		return out
	}
	s := step + 1
	if t.cfg.FixedViews {
		s = 0
	}
	linalg.ParallelRange(b, 16, func(lo, hi int) {
		for j := lo; j < hi; j++ {
			n := src(j)
			for v := range V {
				s1, s2 := data.ViewSeed(t.cfg.Seed, s, n, v, V)
				t.aug.Apply(out.RawRowView(v*b+j), t.x.RawRowView(n), rand.New(rand.NewPCG(s1, s2)))
			}
		}
	})
	return out
}

// batchGraph returns the relation graph G of a batch (see Config.Relation),
// with rows in the order of assemble: graph.Views (cached per batch size),
// or data.BuildRelation on the stacked batch for labels and kNN (exact,
// ties by index), a kNN graph joined with the views graph when V ≥ 2.
func (t *trainer) batchGraph(idx []int, xb *mat.Dense) (*graph.CSR, error) {
	b := len(idx)
	if idx == nil {
		b = t.n
	}
	V := t.cfg.Views
	var yb []int
	switch t.rel.Kind {
	case graph.ViewsRelation:
		return t.viewsGraph(b)
	case graph.LabelsRelation:
		if idx == nil && t.labelsG != nil {
			return t.labelsG, nil
		}
		// Row v*b+j is view v of sample idx[j]; negative labels get no edges.
		yb = make([]int, V*b)
		for v := range V {
			for j := range b {
				n := j
				if idx != nil {
					n = idx[j]
				}
				yb[v*b+j] = t.y[n]
			}
		}
	}
	// Disconnected kNN batch graphs are expected here (the views graph
	// joins them); graph.KNN only logs them at Debug level.
	r, err := data.BuildRelation(t.rel, data.RelationInput{X: xb, Y: yb})
	if err != nil {
		return nil, err
	}
	switch {
	case t.rel.Kind == graph.LabelsRelation && idx == nil:
		t.labelsG = r.G
	case t.rel.Kind == graph.KNNRelation && V >= 2:
		gv, err := t.viewsGraph(b)
		if err != nil {
			return nil, err
		}
		return graph.Join(r.G, gv)
	}
	return r.G, nil
}

// viewsGraph returns graph.Views(b, V), cached per batch size.
func (t *trainer) viewsGraph(b int) (*graph.CSR, error) {
	if g, ok := t.viewsG[b]; ok {
		return g, nil
	}
	g, _, err := graph.Views(b, t.cfg.Views)
	if err != nil {
		return nil, err
	}
	t.viewsG[b] = g
	return g, nil
}
