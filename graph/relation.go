package graph

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/eigenssl/eigenssl/internal/spec"
	"gonum.org/v1/gonum/mat"
)

// RelationKind names the kind of relation graph a Relation spec builds.
type RelationKind string

// The relation kinds of ParseRelation.
const (
	ViewsRelation   RelationKind = "views"   // augmentation graph, see Views
	LabelsRelation  RelationKind = "labels"  // same-label cliques, see Labels
	KNNRelation     RelationKind = "knn"     // k nearest neighbours, see KNN
	EpsilonRelation RelationKind = "epsilon" // ε-ball graph, see EpsilonBall
	EdgesRelation   RelationKind = "edges"   // edge-list file, see ReadEdgeFile
)

// RelationForms lists the grammar of ParseRelation, as quoted in its errors.
const RelationForms = "views[:V=v[,augment=SPEC]], labels[:FILE], " +
	"knn:k=K[,metric=euclidean|cosine][,sym=union|mutual][,weight=binary|gaussian|distance][,sigma=S][,approx], " +
	"epsilon:eps=E[,metric=...][,weight=...][,sigma=S] or edges:FILE"

// Relation is a parsed relation spec: how to build the relation graph G on
// the rows of a data matrix. Fields not used by Kind are zero.
type Relation struct {
	Kind RelationKind
	// V is the number of stacked views of a views relation (row v*N'+n is
	// view v of original n); 0 when the spec does not give it.
	V int
	// Augment is the augmentation spec of "views:V=v,augment=SPEC" (rows are
	// originals and V augmented views are to be made, see
	// data.ParseAugment). Package graph does not interpret it:
	// data.BuildRelation makes the views and builds every relation.
	Augment string
	// K is the number of neighbours of a knn relation.
	K int
	// Eps is the radius of an epsilon relation.
	Eps float64
	// Path is the file of an edges relation, or the optional label file of
	// a labels relation.
	Path string
	// Options of the knn and epsilon relations (Metric, Sym, Weight, Sigma).
	Options KNNOptions
}

// String returns the canonical spec of r, which ParseRelation parses back
// to r.
func (r Relation) String() string {
	s := spec.Spec{Name: string(r.Kind)}
	add := func(k, v string) { s.Args = append(s.Args, spec.Arg{Key: k, Value: v}) }
	switch r.Kind {
	case ViewsRelation:
		if r.V != 0 {
			add("V", strconv.Itoa(r.V))
		}
		if r.Augment != "" {
			add("augment", r.Augment)
		}
	case LabelsRelation, EdgesRelation:
		if r.Path != "" {
			return string(r.Kind) + ":" + r.Path
		}
	case KNNRelation, EpsilonRelation:
		if r.Kind == KNNRelation {
			add("k", strconv.Itoa(r.K))
		} else {
			add("eps", strconv.FormatFloat(r.Eps, 'g', -1, 64))
		}
		o := r.Options
		if o.Metric != Euclidean {
			add("metric", o.Metric.String())
		}
		if o.Sym != Union {
			add("sym", o.Sym.String())
		}
		if o.Weight != Binary {
			add("weight", o.Weight.String())
		}
		if o.Sigma != 0 {
			add("sigma", strconv.FormatFloat(o.Sigma, 'g', -1, 64))
		}
		if o.Approx {
			s.Args = append(s.Args, spec.Arg{Value: "approx"})
		}
	}
	return s.String()
}

// ParseRelation parses a relation spec. The grammar (RelationForms) is
//
//	views[:V=v[,augment=SPEC]]   v >= 2 stacked views (V optional: 0)
//	labels[:FILE]                G = Y Y^T - I from integer labels
//	knn:k=K[,OPTS]               k-nearest-neighbour graph, K >= 1
//	epsilon:eps=E[,OPTS]         ε-ball graph, E > 0
//	edges:FILE                   edge list (CSV i,j[,w] or .npz)
//
// with OPTS among metric=euclidean|cosine, sym=union|mutual (knn only),
// weight=binary|gaussian|distance and sigma=S >= 0 (KNNOptions; defaults
// Euclidean, union, binary, sigma 0), and for knn the bare flag approx
// (the approximate search, KNNOptions.Approx, seed 0). Aliases: knn:K for
// knn:k=K, eps for epsilon and epsilon:E for epsilon:eps=E. The spec is
// split by internal/spec (surrounding spaces of the spec and of keys and
// values are ignored; a nested augment=SPEC keeps its commas); a repeated
// key takes its last value.
// Errors are *Error values (Op "parserelation", Param "spec") wrapping
// ErrParam, whose message names the problem and lists the valid forms.
func ParseRelation(text string) (Relation, error) {
	const op = "parserelation"
	bad := func(format string, args ...any) (Relation, error) {
		msg := fmt.Sprintf(format, args...)
		return Relation{}, newErr(op, "spec", fmt.Sprintf("%q", text),
			fmt.Errorf("%w: %s (valid forms: %s)", ErrParam, msg, RelationForms))
	}
	s, syntaxErr := spec.Parse(text)
	name := s.Name
	if name == "eps" {
		name = string(EpsilonRelation)
	}
	r := Relation{Kind: RelationKind(name)}
	switch r.Kind {
	case LabelsRelation:
		r.Path = s.Rest
		return r, nil
	case EdgesRelation:
		if s.Rest == "" {
			return bad("edges needs a file (edges:FILE)")
		}
		r.Path = s.Rest
		return r, nil
	case ViewsRelation, KNNRelation, EpsilonRelation:
	case "":
		return bad("empty relation")
	default:
		return bad("unknown relation %q", name)
	}
	if syntaxErr != nil {
		return bad("%s: %v", name, syntaxErr)
	}
	if s.HasArgs && len(s.Args) == 0 {
		return bad("%s: empty argument list", name)
	}
	if len(s.Args) == 0 {
		if r.Kind == ViewsRelation {
			return r, nil
		}
		return bad("%s needs %s", name, map[RelationKind]string{KNNRelation: "k=K", EpsilonRelation: "eps=E"}[r.Kind])
	}
	for i, a := range s.Args {
		if a.Key == "" && i == 0 && r.Kind != ViewsRelation {
			// Aliases knn:K and epsilon:E.
			a.Key = map[RelationKind]string{KNNRelation: "k", EpsilonRelation: "eps"}[r.Kind]
		}
		if a.Key == "" && r.Kind == KNNRelation && a.Value == "approx" {
			r.Options.Approx = true
			continue
		}
		if a.Key == "" {
			return bad("%s: want key=value, got %q", name, a.Value)
		}
		k, ok := relationKeys[a.Key]
		if !ok || !slices.Contains(k.kinds, r.Kind) {
			return bad("%s: unknown key %q", name, a.Key)
		}
		if msg := k.set(&r, a.Value); msg != "" {
			return bad("%s: %s, got %q", name, msg, a.Value)
		}
	}
	if r.Kind == KNNRelation && r.K == 0 {
		return bad("knn needs k=K")
	}
	if r.Kind == EpsilonRelation && r.Eps == 0 {
		return bad("epsilon needs eps=E")
	}
	if r.Kind == ViewsRelation && r.Augment != "" && r.V == 0 {
		return bad("views: augment needs V=v")
	}
	return r, nil
}

// relationKey is one key of the relation grammar: the kinds that accept it
// and a setter that stores a value or returns what a valid value is. A new
// option of a relation is one more entry of relationKeys (and of
// RelationForms and Relation.String).
type relationKey struct {
	kinds []RelationKind
	set   func(r *Relation, val string) (want string)
}

// neighbourKinds are the relations that take KNNOptions.
var neighbourKinds = []RelationKind{KNNRelation, EpsilonRelation}

var relationKeys = map[string]relationKey{
	"V": {[]RelationKind{ViewsRelation}, func(r *Relation, v string) string {
		n, ok := spec.Int(v)
		if !ok || n < 2 {
			return "V must be an integer >= 2"
		}
		r.V = n
		return ""
	}},
	"augment": {[]RelationKind{ViewsRelation}, func(r *Relation, v string) string {
		r.Augment = v
		return ""
	}},
	"k": {[]RelationKind{KNNRelation}, func(r *Relation, v string) string {
		n, ok := spec.Int(v)
		if !ok || n < 1 {
			return "k must be an integer >= 1"
		}
		r.K = n
		return ""
	}},
	"eps": {[]RelationKind{EpsilonRelation}, func(r *Relation, v string) string {
		x, ok := spec.Float(v)
		if !ok || !(x > 0) {
			return "eps must be a finite number > 0"
		}
		r.Eps = x
		return ""
	}},
	"metric": nameKey("metric", neighbourKinds, func(r *Relation, m Metric) { r.Options.Metric = m }, Euclidean, Cosine),
	"sym":    nameKey("sym", []RelationKind{KNNRelation}, func(r *Relation, y KNNSym) { r.Options.Sym = y }, Union, Mutual),
	"weight": nameKey("weight", neighbourKinds, func(r *Relation, w Weighting) { r.Options.Weight = w }, Binary, Gaussian, Distance),
	"sigma": {neighbourKinds, func(r *Relation, v string) string {
		x, ok := spec.Float(v)
		if !ok || !(x >= 0) {
			return "sigma must be a finite number >= 0"
		}
		r.Options.Sigma = x
		return ""
	}},
}

// nameKey is the relationKey of an option with the values vals, read by the
// names their String methods write (so that Relation.String reads back);
// an unknown name is refused with the list of valid ones.
func nameKey[T fmt.Stringer](key string, kinds []RelationKind, set func(*Relation, T), vals ...T) relationKey {
	return relationKey{kinds, func(r *Relation, v string) string {
		names := make([]string, len(vals))
		for i, x := range vals {
			if x.String() == v {
				set(r, x)
				return ""
			}
			names[i] = x.String()
		}
		return key + " must be " + strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
	}}
}

// Build builds the relation graph on the n rows of x: Views(n/V, V), Labels(y)
// (len(y) == n), KNN(x, K, Options), EpsilonBall(x, Eps, Options) or
// ReadEdgeFile(Path, n). x may be nil for the views, labels and edges
// relations when y is given (n = len(y)). Build neither reads label files nor
// makes augmented views (data.BuildRelation does both): a labels relation needs
// y, and a views relation with Augment is refused. Errors (*Error): those of
// the builders, plus ErrParam (V or y missing, Augment set, unknown Kind)
// and ErrShape (n not a multiple of V, len(y) != n).
func (r Relation) Build(x mat.Matrix, y []int) (*CSR, Info, error) {
	const op = "relation.build"
	n := len(y)
	if x != nil {
		n, _ = x.Dims()
	}
	switch r.Kind {
	case ViewsRelation:
		if r.V == 0 {
			return nil, Info{}, newErr(op, "V", r.V, fmt.Errorf("%w: views needs V=v", ErrParam))
		}
		if r.Augment != "" {
			return nil, Info{}, newErr(op, "augment", r.Augment, fmt.Errorf("%w: augmented views are made by package data", ErrParam))
		}
		if n%r.V != 0 {
			return nil, Info{}, newErr(op, "V", r.V, fmt.Errorf("%w: %d rows are not a multiple of V=%d", ErrShape, n, r.V))
		}
		return Views(n/r.V, r.V)
	case LabelsRelation:
		if y == nil {
			return nil, Info{}, newErr(op, "y", "nil", fmt.Errorf("%w: the labels relation needs labels", ErrParam))
		}
		if len(y) != n {
			return nil, Info{}, newErr(op, "y", len(y), fmt.Errorf("%w: %d labels for %d rows", ErrShape, len(y), n))
		}
		return Labels(y)
	case KNNRelation:
		return KNN(x, r.K, r.Options)
	case EpsilonRelation:
		return EpsilonBall(x, r.Eps, r.Options)
	case EdgesRelation:
		return ReadEdgeFile(r.Path, n)
	}
	return nil, Info{}, newErr(op, "Kind", string(r.Kind), ErrParam)
}
