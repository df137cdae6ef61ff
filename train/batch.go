package train

import (
	"fmt"
	"math/rand/v2"

	"github.com/eigenssl/eigenssl/graph"
	"github.com/eigenssl/eigenssl/linalg"
	"gonum.org/v1/gonum/mat"
)

// splitmix64 is the SplitMix64 finaliser, used to derive independent seeds.
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// augSeed is the PCG seed of view v of original sample at augmentation step
// s: it depends only on (Config.Seed, s, sample, v), never on scheduling,
// so parallel augmentation is deterministic. s is 0 for FixedViews, else
// the 1-based step.
func augSeed(seed uint64, s, sample, v, views int) (uint64, uint64) {
	return splitmix64(seed ^ splitmix64(uint64(s)^0x6175676d)), uint64(sample)*uint64(views) + uint64(v)
}

// assemble returns the V·B × D batch of views, row v·B + j being view v of
// original idx[j] (idx nil: all samples in order), augmented in parallel
// through linalg.ParallelRange (one generator per view: the result does not
// depend on the split).
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
				s1, s2 := augSeed(t.cfg.Seed, s, n, v, V)
				t.aug.Apply(out.RawRowView(v*b+j), t.x.RawRowView(n), rand.New(rand.NewPCG(s1, s2)))
			}
		}
	})
	return out
}

// batchGraph returns the relation graph G of a batch (see Config.Relation),
// with rows in the order of assemble: graph.Views, graph.Labels and graph.KNN
// (exact, ties by index) on the stacked batch.
func (t *trainer) batchGraph(idx []int, xb *mat.Dense) (*graph.CSR, error) {
	b := len(idx)
	if idx == nil {
		b = t.n
	}
	V := t.cfg.Views
	switch t.rel.kind {
	case graph.ViewsRelation:
		return t.viewsGraph(b)
	case graph.LabelsRelation:
		if idx == nil && t.labelsG != nil {
			return t.labelsG, nil
		}
		// Row v*b+j is view v of sample idx[j]; negative labels get no edges.
		yb := make([]int, V*b)
		for v := range V {
			for j := range b {
				n := j
				if idx != nil {
					n = idx[j]
				}
				yb[v*b+j] = t.y[n]
			}
		}
		g, _, err := graph.Labels(yb)
		if err != nil {
			return nil, err
		}
		if idx == nil {
			t.labelsG = g
		}
		return g, nil
	case graph.KNNRelation:
		// Disconnected batch graphs are expected here (the views graph
		// joins them); graph.KNN only logs them at Debug level.
		g, _, err := graph.KNN(xb, t.rel.k, t.rel.opt)
		if err != nil || V < 2 {
			return g, err
		}
		gv, err := t.viewsGraph(b)
		if err != nil {
			return nil, err
		}
		return graph.Join(g, gv)
	}
	panic(fmt.Sprintf("train: unknown relation %q", t.rel.kind))
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
