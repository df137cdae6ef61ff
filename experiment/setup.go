package experiment

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"

	"github.com/eigenssl/eigenssl/data"
	"github.com/eigenssl/eigenssl/eval"
	"github.com/eigenssl/eigenssl/graph"
	"github.com/eigenssl/eigenssl/linalg"
	"gonum.org/v1/gonum/mat"
)

// Datasets lists the data sets the experiments accept.
var Datasets = []string{"digits", "mnist", "fashion-mnist", "synthetic"}

// maxDim is the dimension above which inputs are reduced by PCA, so that the
// linear-regime eigenproblems (D x D) stay small.
const maxDim = 64

// loadDataset returns n class-balanced samples (0: all) of the named data set,
// preprocessed: constant columns dropped, PCA to maxDim dimensions when D is
// larger, centred and scaled to unit average variance per coordinate.
func loadDataset(name string, n int, seed uint64) (*prepared, error) {
	var ds *data.Dataset
	var err error
	switch name {
	case "digits":
		ds, err = data.Digits()
		if err == nil && n > 0 && n < ds.Len() {
			var idx []int
			idx, err = data.BalancedSubsample(ds.Y, n, seed)
			if err == nil {
				ds = ds.Subset(idx)
			}
		}
	case "synthetic":
		if n <= 0 {
			n = 2000
		}
		ds, err = data.Latent(n, data.LatentConfig{Seed: seed})
	case "mnist", "fashion-mnist":
		ds, err = data.Load(name, data.LoadOptions{N: n, Seed: seed})
	default:
		return nil, errorf("load", "dataset", name, fmt.Errorf("%w (valid: %v)", ErrUnknown, Datasets))
	}
	if err != nil {
		return nil, errorf("load", "dataset", name, errors.Join(ErrData, err))
	}
	tf, err := fitPreprocess(ds.X, seed)
	if err != nil {
		return nil, errorf("load", "dataset", name, err)
	}
	out := &prepared{Dataset: *ds, Raw: ds, tf: tf}
	out.X = tf.apply(ds.X)
	return out, nil
}

// prepared is a preprocessed data set that remembers its raw rows and the
// preprocessing, so that augmented views of the raw rows can be mapped the
// same way.
type prepared struct {
	data.Dataset
	Raw *data.Dataset
	tf  *transform
}

// transform is the preprocessing fitted by fitPreprocess:
// x ↦ ((x[keep] − mean) P) · scale, with P the PCA components (or identity).
type transform struct {
	keep  []int
	mean  []float64
	comp  *mat.Dense // nil: no PCA
	scale float64
}

func (t *transform) apply(x *mat.Dense) *mat.Dense {
	n, _ := x.Dims()
	y := mat.NewDense(n, len(t.keep), nil)
	for i := 0; i < n; i++ {
		row := y.RawRowView(i)
		for k, j := range t.keep {
			row[k] = x.At(i, j) - t.mean[k]
		}
	}
	if t.comp != nil {
		var p mat.Dense
		p.Mul(y, t.comp)
		y = &p
	}
	y.Scale(t.scale, y)
	return y
}

// fitPreprocess fits the preprocessing of x: drop constant columns, centre,
// reduce to maxDim principal components when needed, and scale to unit mean
// variance per coordinate.
func fitPreprocess(x *mat.Dense, seed uint64) (*transform, error) {
	n, d := x.Dims()
	var keep []int
	for j := 0; j < d; j++ {
		lo, hi := math.Inf(1), math.Inf(-1)
		for i := 0; i < n; i++ {
			v := x.At(i, j)
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
		if hi > lo {
			keep = append(keep, j)
		}
	}
	if len(keep) == 0 {
		return nil, errors.Join(ErrData, errors.New("every column is constant"))
	}
	t := &transform{keep: keep, mean: make([]float64, len(keep)), scale: 1}
	for k, j := range keep {
		for i := 0; i < n; i++ {
			t.mean[k] += x.At(i, j)
		}
		t.mean[k] /= float64(n)
	}
	y := t.apply(x)
	if len(keep) > maxDim {
		_, comp, _, err := linalg.TopPCA(y, maxDim, seed)
		if err != nil {
			return nil, err
		}
		t.comp = comp
		y = t.apply(x)
	}
	yn, d := y.Dims()
	var tot float64
	for _, v := range y.RawMatrix().Data {
		tot += v * v
	}
	if tot == 0 {
		return nil, errors.Join(ErrData, errors.New("zero variance"))
	}
	t.scale = 1 / math.Sqrt(tot/float64(yn*d))
	return t, nil
}

// GraphSpec names a relation graph built from a data set; see buildGraph.
type GraphSpec struct {
	// Name is shown in tables. Kind is one of "label", "rewire", "finer",
	// "coarser", "random", "knn", "augment".
	Name string  `json:"name"`
	Kind string  `json:"kind"`
	P    float64 `json:"p,omitempty"`
	// Aug is the augmentation spec of kind "augment" (data.ParseAugment).
	Aug string `json:"aug,omitempty"`
	// Oracle builds a label-derived graph from every label, test rows
	// included: a leaking reference shown in E3 but never judged in E4.
	Oracle bool `json:"oracle,omitempty"`
}

// LabelDerived reports whether the graph kind reads the labels (label,
// rewire, finer, coarser); such graphs use only the labels of the training
// rows unless Oracle is set.
func (g GraphSpec) LabelDerived() bool {
	switch g.Kind {
	case "label", "rewire", "finer", "coarser":
		return true
	}
	return false
}

// builtGraph is a relation graph on the rows of X (which equal the data set's
// rows except for "augment", whose rows are V views stacked view by view).
type builtGraph struct {
	Spec GraphSpec
	G    *graph.CSR
	X    *mat.Dense
	// Orig holds the rows to represent (X itself unless "augment"); when
	// it differs from X, the linear regime applies W to Orig and the
	// feature regime returns the first rows of Z.
	Orig *mat.Dense
	// Y labels the rows of X (for measurements only).
	Y []int
	// Known holds the labels G was allowed to read, one per row of X
	// (−1: unknown, a test row).
	Known []int
	// Views is V for "augment" (the first N' rows are view 0), 1 otherwise.
	Views int
	Align eval.Alignment
}

// buildGraph builds the relation graph of spec on ds. known holds the label
// of each sample that G may read (training rows) and −1 for the others (test
// rows); nil means every label may be read (spec.Oracle, or a graph that
// reads none). The label-derived graphs put edges only between rows with
// known labels, so a test row never gets an edge through its label:
//
//	label    one clique per class among the known rows (G = YYᵀ − I there)
//	rewire   the label graph with each edge moved, with probability P, to a
//	         uniformly random pair of rows (any row: the move reads no label)
//	finer    the label graph of a random split of each class into round(P)
//	         sub-classes (components finer than the classes)
//	coarser  the label graph of classes merged in groups of round(P)
//	         (components coarser than the classes)
//	random   the label graph of a random partition of every row into
//	         Classes parts (reads no label; components crossing the classes)
//	knn      the binary kNN graph (k = round(P), union symmetrisation)
//	augment  V = 2 augmented views of each sample (data.MakeViews with Aug)
//
// Every graph is then scaled to mean degree 1 over its non-isolated
// vertices, G ← G / mean_{i: d_i > 0} d_i, so that the VICReg invariance
// weight γ means the same on every graph (the V = 2 augmentation graph
// already has degree 1, so its threshold stays γ = 1/V). Align holds the
// edge homophily (WithinClass, measured with every label) and, when
// energyDim > 0, the LabelEnergy of G on the known rows.
func buildGraph(ds *prepared, spec GraphSpec, known []int, seed uint64, energyDim int) (*builtGraph, error) {
	rng := rand.New(rand.NewPCG(seed, 0x6772617068))
	if known == nil || spec.Oracle {
		known = ds.Y
	}
	if len(known) != len(ds.Y) {
		return nil, errorf("graph", spec.Name, len(known), ErrParam)
	}
	b := &builtGraph{Spec: spec, X: ds.X, Orig: ds.X, Y: ds.Y, Known: known, Views: 1}
	n := len(ds.Y)
	var err error
	switch spec.Kind {
	case "label":
		b.G, err = cliqueGraph(known, nil)
	case "rewire":
		b.G, err = cliqueGraph(known, func(i, j int) (int, int) {
			if rng.Float64() < spec.P {
				i = rng.IntN(n)
				j = rng.IntN(n - 1)
				if j >= i {
					j++
				}
			}
			return i, j
		})
		if spec.P < 0 || spec.P > 1 {
			err = errorf("graph", "p", spec.P, ErrParam)
		}
	case "finer":
		parts := max(1, int(math.Round(spec.P)))
		y := make([]int, n)
		for i, c := range known {
			y[i] = -1
			if c >= 0 {
				y[i] = c*parts + rng.IntN(parts)
			}
		}
		b.G, err = cliqueGraph(y, nil)
	case "coarser":
		parts := max(1, int(math.Round(spec.P)))
		y := make([]int, n)
		for i, c := range known {
			y[i] = -1
			if c >= 0 {
				y[i] = c / parts
			}
		}
		b.G, err = cliqueGraph(y, nil)
	case "random":
		y := make([]int, n)
		for i := range y {
			y[i] = rng.IntN(ds.Classes)
		}
		b.G, _, err = graph.Labels(y)
	case "knn":
		b.G, _, err = graph.KNN(ds.X, max(1, int(math.Round(spec.P))), graph.KNNOptions{})
	case "augment":
		var rel *data.Relation
		rel, err = data.BuildRelation(graph.Relation{Kind: graph.ViewsRelation, V: 2, Augment: spec.Aug},
			data.RelationInput{X: ds.Raw.X, Y: ds.Y, Dataset: ds.Raw, Seed: seed})
		if err == nil {
			b.G, b.X, b.Views, b.Y = rel.G, ds.tf.apply(rel.X), rel.Views, rel.Y
			b.Known = append(append([]int(nil), known...), known...)
		}
	default:
		return nil, errorf("graph", "kind", spec.Kind, ErrUnknown)
	}
	if err != nil {
		return nil, errorf("graph", spec.Name, spec.Kind, err)
	}
	scaleToUnitDegree(b.G)
	al, err := eval.GraphAlignment(b.G, b.Y)
	if err != nil {
		return nil, errorf("graph", spec.Name, spec.Kind, err)
	}
	if energyDim > 0 {
		if al.LabelEnergy, err = eval.LabelEnergy(b.G, b.Known, energyDim); err != nil {
			return nil, errorf("graph", spec.Name, "label energy", err)
		}
		al.EnergyDim = energyDim
	}
	b.Align = *al
	return b, nil
}

// cliqueGraph returns one clique per label value among the rows with y >= 0
// (rows with y < 0 get no edge); move, when not nil, may replace each
// undirected edge (i, j) by another pair.
func cliqueGraph(y []int, move func(i, j int) (int, int)) (*graph.CSR, error) {
	byClass := map[int][]int{}
	for i, c := range y {
		if c >= 0 {
			byClass[c] = append(byClass[c], i)
		}
	}
	classes := make([]int, 0, len(byClass))
	for c := range byClass {
		classes = append(classes, c)
	}
	sort.Ints(classes)
	var rows, cols []int
	for _, c := range classes {
		m := byClass[c]
		for a := 0; a < len(m); a++ {
			for b := a + 1; b < len(m); b++ {
				i, j := m[a], m[b]
				if move != nil {
					i, j = move(i, j)
				}
				rows = append(rows, i, j)
				cols = append(cols, j, i)
			}
		}
	}
	return graph.FromTriplets(len(y), rows, cols, nil, graph.TripletOptions{})
}

// scaleToUnitDegree divides the weights of g by its mean degree over the
// vertices with at least one edge.
func scaleToUnitDegree(g *graph.CSR) {
	var s float64
	for _, v := range g.Val {
		s += v
	}
	if s == 0 {
		return
	}
	active := 0
	for i := range g.N {
		if g.RowPtr[i+1] > g.RowPtr[i] {
			active++
		}
	}
	f := float64(active) / s
	for i := range g.Val {
		g.Val[i] *= f
	}
}
