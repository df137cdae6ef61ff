package experiment

import (
	"context"
	"slices"
	"strings"
	"testing"
)

// TestLabelGraphsDoNotLeakTestLabels is the leak test of the E3 graphs: for
// every label-derived kind, the graph E3 builds for a replicate (a) gives no
// test row an edge through its label (label, finer, coarser: no edge at all
// touches a test row) and (b) is identical when every test label is changed;
// (b) holds for the graphs that read no label (knn, random, augment) too.
// A G built from every label (the old E3) fails both.
func TestLabelGraphsDoNotLeakTestLabels(t *testing.T) {
	ds, err := loadDataset("digits", 300, 1)
	if err != nil {
		t.Fatal(err)
	}
	reps, err := replicates(ds, E3Config{Seed: 1, Seeds: 2})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range reps {
		// The same data with every test label moved to another class.
		other := *ds
		other.Y = slices.Clone(ds.Y)
		for _, i := range r.test {
			other.Y[i] = (other.Y[i] + 1 + i%3) % ds.Classes
		}
		for _, spec := range []GraphSpec{{Name: "label", Kind: "label"}, {Name: "rewire", Kind: "rewire", P: 0.4},
			{Name: "finer", Kind: "finer", P: 3}, {Name: "coarser", Kind: "coarser", P: 2},
			{Name: "knn", Kind: "knn", P: 5}, {Name: "random", Kind: "random"}, {Name: "augment", Kind: "augment", Aug: "shift:1+noise:0.5"}} {
			b, err := r.graph(ds, spec, 0)
			if err != nil {
				t.Fatal(err)
			}
			if spec.LabelDerived() && spec.Kind != "rewire" {
				for _, i := range r.test {
					if b.G.RowPtr[i+1] > b.G.RowPtr[i] {
						t.Errorf("replicate %d, %s: test row %d has %d edges; want none", r.seed, spec.Name, i, b.G.RowPtr[i+1]-b.G.RowPtr[i])
						break
					}
				}
			}
			b2, err := r.graph(&other, spec, 0)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(b.G.RowPtr, b2.G.RowPtr) || !slices.Equal(b.G.Col, b2.G.Col) || !slices.Equal(b.G.Val, b2.G.Val) {
				t.Errorf("replicate %d, %s: G changes when the test labels change (test labels leak into G)", r.seed, spec.Name)
			}
		}
		// The oracle reference does read every label.
		o1, _ := r.graph(ds, GraphSpec{Name: "oracle", Kind: "label", Oracle: true}, 0)
		o2, _ := r.graph(&other, GraphSpec{Name: "oracle", Kind: "label", Oracle: true}, 0)
		if o1 == nil || o2 == nil || slices.Equal(o1.G.Col, o2.G.Col) {
			t.Errorf("replicate %d: the oracle graph ignores the test labels; it should read them", r.seed)
		}
	}
}

// TestE3FeatureLabelGraphExcluded checks on the tiny run that the feature
// regime on a training-label graph (test rows without edges) and on the
// views graph is excluded from the verdicts with its reason, while the
// linear regime on the same graph is judged.
func TestE3FeatureLabelGraphExcluded(t *testing.T) {
	rep := tinyRun(t)
	for _, g := range rep.E3.Graphs {
		if g.Spec.Name != "label" {
			continue
		}
		switch g.Regime {
		case "feature":
			if !strings.Contains(g.Excluded, "test rows have no edge") {
				t.Errorf("feature regime, label graph: excluded %q; want the isolated test rows named", g.Excluded)
			}
			if c := rep.E3.Cell("label", "feature", "SimCLR"); c == nil || c.Excluded == "" {
				t.Errorf("feature regime, label graph, SimCLR cell not excluded: %+v", c)
			}
		case "linear":
			if g.Excluded != "" || g.Class != ClassAligned {
				t.Errorf("linear regime, label graph: excluded %q, class %q; want judged and aligned", g.Excluded, g.Class)
			}
		}
	}
}

// TestE6ReadsNoLabel checks that no label reaches E6's training runs or its
// closed forms: with every label of the data set changed, the final
// training loss and the closed form's loss of each replicate are the same
// bits (the probe, which reads the training labels of its split, is the
// only consumer of labels).
func TestE6ReadsNoLabel(t *testing.T) {
	cfg := tinyConfigs().E6
	cfg.Refine.MaxIter = 20 // the loss of a short run is enough to compare
	ds, err := loadDataset(cfg.Dataset, cfg.N, cfg.Seed)
	if err != nil {
		t.Fatal(err)
	}
	raw := *ds.Raw
	raw.Y = slices.Clone(raw.Y)
	for i := range raw.Y {
		raw.Y[i] = (raw.Y[i] + 1 + i%3) % ds.Classes
	}
	other := *ds
	other.Raw = &raw
	for _, l := range e6Losses(cfg) {
		a, err := e6Row(context.Background(), ds, cfg, cfg.Encoders[0], l, map[string]*embedding{})
		if err != nil {
			t.Fatal(err)
		}
		b, err := e6Row(context.Background(), &other, cfg, cfg.Encoders[0], l, map[string]*embedding{})
		if err != nil {
			t.Fatal(err)
		}
		for s := range a.FinalLoss {
			if a.FinalLoss[s] != b.FinalLoss[s] || a.ClosedFit[s].Loss != b.ClosedFit[s].Loss {
				t.Errorf("%s, replicate %d: training loss %v vs %v, closed-form loss %v vs %v with other labels (labels reach E6's training or closed form)",
					l.name, s, a.FinalLoss[s], b.FinalLoss[s], a.ClosedFit[s].Loss, b.ClosedFit[s].Loss)
			}
		}
	}
}
