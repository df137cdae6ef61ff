package data

import (
	"fmt"

	"github.com/eigenssl/eigenssl/graph"
	"gonum.org/v1/gonum/mat"
)

// RelationInput is what BuildRelation builds a relation graph on.
type RelationInput struct {
	// X holds the rows: the samples, or V stacked views for a views
	// relation without augment.
	X *mat.Dense
	// Y labels the rows of X (nil when unknown); the labels relation
	// without a file uses it. A negative label marks an unlabelled row.
	Y []int
	// Dataset, when set, is the data set X comes from: augmentations are
	// then parsed with ParseAugmentFor (its image shape and, for the latent
	// data set, the resample operations) and ImageShape is ignored.
	Dataset *Dataset
	// ImageShape (height, width) of the rows, for image augmentations.
	ImageShape [2]int
	// Seed draws the augmented views (MakeViews).
	Seed uint64
}

// Relation is a relation graph built by BuildRelation, with the rows it is
// built on.
type Relation struct {
	// G is the relation graph on the rows of X.
	G    *graph.CSR
	Info graph.Info
	// X is the input's X, or its V augmented views stacked view by view
	// (row v*N' + n is view v of sample n) for views:V=v,augment=SPEC.
	X *mat.Dense
	// Y labels the rows of X: the input's labels (or the labels file's),
	// repeated per view when X holds augmented views; nil when unknown.
	Y []int
	// Views is V when X holds augmented views made here, else 1.
	Views int
}

// BuildRelation builds the relation graph of r (graph.ParseRelation) on
// in: the one builder above packages graph and data, which the closedform
// verb, training and the experiments share. On top of graph.Relation.Build
// it
//
//   - makes the V augmented views of views:V=v,augment=SPEC (ParseAugment
//     or ParseAugmentFor, then MakeViews with in.Seed), and
//   - reads the labels of labels:FILE (ReadLabels), or uses in.Y for plain
//     labels.
//
// Errors are *Error values (Op "BuildRelation") wrapping ErrParam (views
// without V, labels without labels, augmentation spec errors) or ErrShape
// (a labels file whose length differs from the rows), or the errors of
// graph.Relation.Build, ReadLabels and MakeViews.
func BuildRelation(r graph.Relation, in RelationInput) (*Relation, error) {
	const op = "BuildRelation"
	if in.X == nil {
		return nil, &Error{Op: op, Param: "X", Err: detail(ErrEmpty, "no rows to build the relation on")}
	}
	n, _ := in.X.Dims()
	out := &Relation{X: in.X, Y: in.Y, Views: 1}
	switch {
	case r.Kind == graph.ViewsRelation && r.V == 0:
		return nil, &Error{Op: op, Param: "relation", Value: fmt.Sprintf("%q", r.String()),
			Err: detail(ErrParam, "views needs V=v (views:V=v[,augment=SPEC])")}
	case r.Kind == graph.ViewsRelation && r.Augment != "":
		var p *Pipeline
		var err error
		if in.Dataset != nil {
			p, err = ParseAugmentFor(r.Augment, in.Dataset)
		} else {
			p, err = ParseAugment(r.Augment, in.ImageShape)
		}
		if err != nil {
			return nil, err
		}
		xv, g, err := MakeViews(in.X, r.V, p, in.Seed)
		if err != nil {
			return nil, err
		}
		out.X, out.G, out.Views = xv, g, r.V
		if in.Y != nil {
			out.Y = make([]int, 0, r.V*len(in.Y))
			for range r.V {
				out.Y = append(out.Y, in.Y...)
			}
		}
		out.Info = graph.Describe(g, fmt.Sprintf("views(N'=%d,V=%d,augment=%s)", n, r.V, p))
		return out, nil
	case r.Kind == graph.LabelsRelation && r.Path != "":
		y, err := ReadLabels(r.Path)
		if err != nil {
			return nil, err
		}
		if len(y) != n {
			return nil, &Error{Op: op, Param: "labels", Value: r.Path,
				Err: detail(ErrShape, "%d labels for %d rows", len(y), n)}
		}
		out.Y = y
	case r.Kind == graph.LabelsRelation && in.Y == nil:
		return nil, &Error{Op: op, Param: "relation", Value: "labels",
			Err: detail(ErrParam, "no labels: give labels:FILE or data with labels")}
	}
	g, info, err := r.Build(out.X, out.Y)
	if err != nil {
		return nil, err
	}
	out.G, out.Info = g, info
	return out, nil
}
