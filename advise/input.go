package advise

import (
	"fmt"

	"github.com/eigenssl/eigenssl/data"
	"github.com/eigenssl/eigenssl/graph"
	"gonum.org/v1/gonum/mat"
)

// Input is what the adviser works on: the rows of the relation graph G and
// the samples a downstream probe classifies.
//
// For "views:V=v,augment=SPEC" the samples are the originals and the rows
// are their V augmented views (row v·N' + n is view v of sample n); for
// every other relation rows and samples coincide, except plain
// "views:V=v", whose rows are v stacked views of N/v samples.
type Input struct {
	// X holds the rows of G (N x D).
	X *mat.Dense
	// G is the relation graph on the rows of X.
	G *graph.CSR
	// Owner maps each row to its sample (nil: row i is sample i).
	Owner []int
	// Samples holds the samples (S x D) that the linear-regime
	// representation Z = X W + b is evaluated on; nil means the mean of
	// each sample's rows. Labels, when given to Advise, are per sample.
	Samples *mat.Dense
	// Relation is the spec G was built from (for the report).
	Relation string
}

// NumSamples returns the number of samples S.
func (in *Input) NumSamples() int {
	if in.Samples != nil {
		r, _ := in.Samples.Dims()
		return r
	}
	if in.Owner == nil {
		r, _ := in.X.Dims()
		return r
	}
	s := 0
	for _, o := range in.Owner {
		s = max(s, o+1)
	}
	return s
}

// BuildInput builds G from a graph.ParseRelation spec on the rows of x
// with data.BuildRelation (views relations as documented at Input;
// augmentations seeded by seed; imageShape (height, width) for image
// augmentations). relationLabels is passed on only for a "labels" relation
// (the user's own choice to put labels into G); every other relation never
// sees it, so the labels a probe uses cannot reach G through BuildInput.
func BuildInput(x *mat.Dense, spec string, imageShape [2]int, relationLabels []int, seed uint64) (*Input, error) {
	const op = "buildinput"
	if x == nil {
		return nil, newErr(op, "X", nil, ErrEmpty, "")
	}
	n, d := x.Dims()
	if n == 0 || d == 0 {
		return nil, newErr(op, "X", nil, ErrEmpty, "")
	}
	r, err := graph.ParseRelation(spec)
	if err != nil {
		return nil, wrap(op, "relation", spec, ErrParam, err)
	}
	ri := data.RelationInput{X: x, ImageShape: imageShape, Seed: seed}
	if r.Kind == graph.LabelsRelation {
		ri.Y = relationLabels
	}
	rel, err := data.BuildRelation(r, ri)
	if err != nil {
		return nil, wrap(op, "relation", spec, ErrParam, err)
	}
	in := &Input{X: rel.X, G: rel.G, Relation: r.String()}
	switch {
	case rel.Views > 1:
		in.Samples = x
		in.Owner = make([]int, rel.Views*n)
		for i := range in.Owner {
			in.Owner[i] = i % n
		}
	case r.Kind == graph.ViewsRelation:
		in.Owner = make([]int, n)
		for i := range in.Owner {
			in.Owner[i] = i % (n / r.V)
		}
	}
	return in, nil
}

// ViewsInput is BuildInput for V augmented views made by an arbitrary
// Augmenter (for instance data.ResampleLatent, which has no spec).
func ViewsInput(x *mat.Dense, v int, aug data.Augmenter, seed uint64) (*Input, error) {
	const op = "viewsinput"
	if x == nil {
		return nil, newErr(op, "X", nil, ErrEmpty, "")
	}
	if aug == nil {
		return nil, newErr(op, "aug", nil, ErrParam, "no augmentation")
	}
	xv, g, err := data.MakeViews(x, v, aug, seed)
	if err != nil {
		return nil, wrap(op, "X", nil, ErrParam, err)
	}
	n, _ := x.Dims()
	in := &Input{X: xv, G: g, Samples: x, Relation: fmt.Sprintf("views:V=%d,augment=%s", v, aug)}
	in.Owner = make([]int, v*n)
	for i := range in.Owner {
		in.Owner[i] = i % n
	}
	return in, nil
}
