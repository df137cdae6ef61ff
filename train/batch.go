package train

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"

	"github.com/eigenssl/eigenssl/graph"
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
// original idx[j] (idx nil: all samples in order), augmented in parallel over
// GOMAXPROCS goroutines.
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
	workers := min(runtime.GOMAXPROCS(0), b)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := w; j < b; j += workers {
				n := src(j)
				for v := range V {
					s1, s2 := augSeed(t.cfg.Seed, s, n, v, V)
					t.aug.Apply(out.RawRowView(v*b+j), t.x.RawRowView(n), rand.New(rand.NewPCG(s1, s2)))
				}
			}
		}()
	}
	wg.Wait()
	return out
}

// batchGraph returns the relation graph G of a batch (see Config.Relation),
// with rows in the order of assemble: graph.Views and graph.Labels on the
// stacked batch. Neighbours come from graph.Neighbors (exact, ties by index).
func (t *trainer) batchGraph(idx []int, xb *mat.Dense) (*graph.CSR, error) {
	b := len(idx)
	if idx == nil {
		b = t.n
	}
	V := t.cfg.Views
	switch t.rel.kind {
	case "views":
		if g, ok := t.viewsG[b]; ok {
			return g, nil
		}
		g, _, err := graph.Views(b, V)
		if err != nil {
			return nil, err
		}
		t.viewsG[b] = g
		return g, nil
	case "labels":
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
	case "knn":
		// Not graph.KNN: it logs a disconnected-graph warning on every call.
		k := t.rel.k
		nb, _, err := graph.Neighbors(xb, k, graph.KNNOptions{})
		if err != nil {
			return nil, err
		}
		e := newEdgeSet(V * b)
		for i := range V * b {
			for _, j := range nb[i*k : (i+1)*k] {
				e.add(i, j)
			}
		}
		if V >= 2 {
			e.addViews(V, b)
		}
		return e.csr(), nil
	}
	panic(fmt.Sprintf("train: unknown relation %q", t.rel.kind))
}

// edgeSet collects the undirected 0/1 edges of a relation graph.
type edgeSet struct{ rows [][]int }

func newEdgeSet(n int) *edgeSet { return &edgeSet{rows: make([][]int, n)} }

// add records the edge {i, j}; self pairs and repeats are ignored.
func (e *edgeSet) add(i, j int) {
	if i != j {
		e.rows[i] = append(e.rows[i], j)
		e.rows[j] = append(e.rows[j], i)
	}
}

// addViews adds the augmentation graph (J_V − I_V) ⊗ I_b.
func (e *edgeSet) addViews(V, b int) {
	for v := range V {
		for w := v + 1; w < V; w++ {
			for j := range b {
				e.add(v*b+j, w*b+j)
			}
		}
	}
}

// csr returns the graph with sorted, distinct columns and unit weights.
func (e *edgeSet) csr() *graph.CSR {
	g := &graph.CSR{N: len(e.rows), RowPtr: make([]int, len(e.rows)+1)}
	for i, r := range e.rows {
		slices.Sort(r)
		r = slices.Compact(r)
		g.Col = append(g.Col, r...)
		g.RowPtr[i+1] = len(g.Col)
	}
	g.Val = make([]float64, len(g.Col))
	for i := range g.Val {
		g.Val[i] = 1
	}
	return g
}
