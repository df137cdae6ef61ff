package closedform

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"sort"
	"strings"

	"github.com/eigenssl/eigenssl/data"
	"github.com/eigenssl/eigenssl/graph"
	"github.com/eigenssl/eigenssl/linalg"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// StreamRelation says how streamed rows are related, so that each shard's
// contribution to Stats is computed where the shard is read:
//
//	views, Augment nil:  each shard holds V stacked blocks of views (row u·B + j
//	                     is view u of its sample j, as data.MakeViews stacks them)
//	views, Augment set:  rows are originals; the V views of global sample i in
//	                     draw m are Augment.Apply with the PCG seeded by
//	                     data.ViewSeed(Seed, m, i, u, V), m = 1..Draws (train's
//	                     fresh views of steps 1..Draws), so the result does not
//	                     depend on the sharding or the order
//	labels:              G = YYᵀ − I from one label per row (negative: none)
//	edges:               an edge list per shard with indices local to the shard
//
// With Draws = M the statistics are those of the M draws stacked (the block-
// diagonal union of M augmentation graphs): the sums, divided by N, are the
// averages over the draws, and the closed form converges to the closed form
// of the expected graph as M grows.
type StreamRelation struct {
	Kind graph.RelationKind
	// V is the number of views per sample (views).
	V int
	// Augment makes the views (views; nil: the rows are stacked views).
	Augment data.Augmenter
	// Seed fixes every augmentation; Draws is the number of independent
	// draws of the views (0 means 1; more than 1 needs Augment).
	Seed  uint64
	Draws int
	// Features, when non-nil, maps every block of augmented views (rows
	// in the input's own dimension) to the rows the statistics absorb:
	// the linear regime in a fixed feature space φ (an encoder
	// "rff:M|linear:K" is linear in φ(x), see nn.Encoder.FixedFeatures).
	// The Stats then have φ's output dimension. Views relation with
	// Augment only.
	Features func(views *mat.Dense) (*mat.Dense, error)
}

// Validate checks r.
func (r StreamRelation) Validate() error {
	const op = "stream relation"
	switch r.Kind {
	case graph.ViewsRelation:
		if r.V < 2 {
			return newErr(op, "V", r.V, wrap2(ErrParam, fmt.Errorf("views need V >= 2")))
		}
		if r.Draws < 0 || (r.Draws > 1 && r.Augment == nil) {
			return newErr(op, "draws", r.Draws, wrap2(ErrParam, fmt.Errorf("want draws >= 1, and more than one draw needs an augmentation")))
		}
		if r.Features != nil && r.Augment == nil {
			return newErr(op, "features", nil, wrap2(ErrParam, fmt.Errorf("a feature map applies to augmented views only")))
		}
	case graph.LabelsRelation, graph.EdgesRelation:
		if r.Draws > 1 || r.Augment != nil || r.Features != nil {
			return newErr(op, "draws", r.Draws, wrap2(ErrParam, fmt.Errorf("draws and augmentations apply to the views relation only")))
		}
	default:
		return newErr(op, "kind", r.Kind, wrap2(ErrUnknown, fmt.Errorf("streamable relations: views, labels, edges")))
	}
	return nil
}

// Absorb adds the rows x to s under r. first is the global index of x's
// first sample (views with Augment), y the labels of the rows (labels) and
// g the graph on the rows (edges); the arguments a relation does not use are
// ignored.
func (r StreamRelation) Absorb(s *Stats, x *mat.Dense, first int, y []int, g *graph.CSR) error {
	if err := r.Validate(); err != nil {
		return err
	}
	switch r.Kind {
	case graph.LabelsRelation:
		return s.AddLabelled(x, y)
	case graph.EdgesRelation:
		return s.AddGraph(x, g)
	}
	if r.Augment == nil {
		return s.AddViews(x, r.V)
	}
	return r.addAugmented(s, x, first)
}

// addAugmented makes the views of the rows of x, block by block (at most
// chunkRows view rows are held), and absorbs them.
func (r StreamRelation) addAugmented(s *Stats, x *mat.Dense, first int) error {
	const op = "stream views"
	// With a feature map the rows keep their own width (φ gives s.d).
	width := s.d
	if r.Features != nil {
		width = 0
	}
	n, err := checkRowsOf(op, x, width)
	if err != nil {
		return err
	}
	_, d := x.Dims()
	if p, ok := r.Augment.(*data.Pipeline); ok && p.Dim != 0 && p.Dim != d {
		return newErr(op, "augment", p.String(), wrap2(ErrShape, fmt.Errorf("needs %d columns, the rows have %d", p.Dim, d)))
	}
	V := r.V
	step := max(1, chunkRows/V)
	buf := mat.NewDense(min(n, step)*V, d, nil)
	for m := 1; m <= max(1, r.Draws); m++ {
		for lo := 0; lo < n; lo += step {
			b := min(n, lo+step) - lo
			views := buf.Slice(0, b*V, 0, d).(*mat.Dense)
			linalg.ParallelRange(b, 64, func(jlo, jhi int) {
				// One generator per range, reseeded per view: the same
				// stream as rand.New(rand.NewPCG(s1, s2)) without its
				// allocations (rand.Rand keeps no state of its own).
				pcg := rand.NewPCG(0, 0)
				rng := rand.New(pcg)
				for j := jlo; j < jhi; j++ {
					src := x.RawRowView(lo + j)
					for u := range V {
						pcg.Seed(data.ViewSeed(r.Seed, m, first+lo+j, u, V))
						r.Augment.Apply(views.RawRowView(u*b+j), src, rng)
					}
				}
			})
			rows := views
			if r.Features != nil {
				var err error
				if rows, err = r.Features(views); err != nil {
					return newErr(op, "features", nil, err)
				}
			}
			if err := s.AddViews(rows, V); err != nil {
				return err
			}
		}
	}
	return nil
}

// Shard is one file of a streamed data set.
type Shard struct {
	// Path is the .npy file of the rows; Rows their number and First the
	// global index of the first (the rows of the shards before it).
	Path        string
	Rows, First int
	// Cols is the number of columns.
	Cols int
	// Labels (labels relation) and Edges (edges relation, indices local to
	// the shard) are the shard's relation files, "" when unused.
	Labels, Edges string
}

// ShardFS lists and inspects the files of a streamed data set: Shards uses
// the local file system, other stores (the Beam file systems of
// eigenssl/beam) implement it for ShardsIn.
type ShardFS interface {
	// Glob returns the paths matching pattern, in any order.
	Glob(pattern string) ([]string, error)
	// NPYShape returns the shape in the .npy header of the file at path.
	NPYShape(path string) ([]int, error)
}

// localFS is the local file system (filepath.Glob, data.NPYShape, which
// also reads .npy.gz).
type localFS struct{}

func (localFS) Glob(pattern string) ([]string, error) { return filepath.Glob(pattern) }
func (localFS) NPYShape(path string) ([]int, error)   { return data.NPYShape(path) }

// Shards expands the glob pattern (sorted by name, the order of the global
// row indices), reads each .npy header for its shape, and pairs shard i with
// the i-th file of the labels and edges patterns when they are given (each
// must match as many files as the data). Every shard must have the same
// number of columns. It is ShardsIn on the local file system.
func Shards(pattern, labels, edges string) ([]Shard, error) {
	return ShardsIn(localFS{}, pattern, labels, edges)
}

// ShardsIn is Shards on the file system fs.
func ShardsIn(fs ShardFS, pattern, labels, edges string) ([]Shard, error) {
	const op = "shards"
	glob := func(param, pattern string) ([]string, error) {
		paths, err := fs.Glob(pattern)
		if err != nil {
			return nil, newErr(op, param, pattern, wrap2(ErrParam, err))
		}
		if len(paths) == 0 {
			return nil, newErr(op, param, pattern, wrap2(ErrEmpty, fmt.Errorf("no file matches")))
		}
		sort.Strings(paths)
		return paths, nil
	}
	paths, err := glob("input", pattern)
	if err != nil {
		return nil, err
	}
	var lp, ep []string
	if labels != "" {
		if lp, err = glob("labels", labels); err != nil {
			return nil, err
		}
		if len(lp) != len(paths) {
			return nil, newErr(op, "labels", labels, wrap2(ErrShape, fmt.Errorf("%d files for %d shards", len(lp), len(paths))))
		}
	}
	if edges != "" {
		if ep, err = glob("edges", edges); err != nil {
			return nil, err
		}
		if len(ep) != len(paths) {
			return nil, newErr(op, "edges", edges, wrap2(ErrShape, fmt.Errorf("%d files for %d shards", len(ep), len(paths))))
		}
	}
	out := make([]Shard, len(paths))
	first := 0
	for i, p := range paths {
		shape, err := fs.NPYShape(p)
		if err != nil {
			return nil, newErr(op, "input", p, wrap2(ErrShape, err))
		}
		if len(shape) != 2 || shape[0] < 1 || shape[1] < 1 {
			return nil, newErr(op, "input", p, wrap2(ErrShape, fmt.Errorf("shape %v: want a non-empty matrix (rows, columns)", shape)))
		}
		if i > 0 && shape[1] != out[0].Cols {
			return nil, newErr(op, "input", p, wrap2(ErrShape, fmt.Errorf("%d columns; %s has %d", shape[1], out[0].Path, out[0].Cols)))
		}
		out[i] = Shard{Path: p, Rows: shape[0], First: first, Cols: shape[1]}
		if lp != nil {
			out[i].Labels = lp[i]
		}
		if ep != nil {
			out[i].Edges = ep[i]
		}
		first += shape[0]
	}
	return out, nil
}

// ShardStats reads one shard (and its labels or edges) and returns its
// statistics under r. Memory: the shard, its views block and O(D²).
func (r StreamRelation) ShardStats(sh Shard) (*Stats, error) {
	x, err := data.ReadMatrix(sh.Path)
	if err != nil {
		return nil, err
	}
	rows, d := x.Dims()
	s, err := NewStats(d)
	if err != nil {
		return nil, err
	}
	var y []int
	var g *graph.CSR
	switch r.Kind {
	case graph.LabelsRelation:
		if sh.Labels == "" {
			return nil, newErr("shard stats", "labels", sh.Path, wrap2(ErrEmpty, fmt.Errorf("the labels relation needs a labels file per shard")))
		}
		if y, err = data.ReadLabels(sh.Labels); err != nil {
			return nil, err
		}
		if len(y) != rows {
			return nil, newErr("shard stats", "labels", sh.Labels, wrap2(ErrShape, fmt.Errorf("%d labels for the %d rows of %s", len(y), rows, sh.Path)))
		}
	case graph.EdgesRelation:
		if sh.Edges == "" {
			return nil, newErr("shard stats", "edges", sh.Path, wrap2(ErrEmpty, fmt.Errorf("the edges relation needs an edge file per shard")))
		}
		if g, _, err = graph.ReadEdgeFile(sh.Edges, rows); err != nil {
			return nil, newErr("shard stats", "edges", sh.Edges, wrap2(ErrGraph, err))
		}
	}
	if err := r.Absorb(s, x, sh.First, y, g); err != nil {
		if e, ok := err.(*Error); ok {
			e.Value = fmt.Sprintf("%v (shard %s)", e.Value, sh.Path)
		}
		return nil, err
	}
	return s, nil
}

// StreamStats reads the shards one after another and returns the merged
// statistics under r; progress (may be nil) is called with the rows of each
// shard once it is absorbed. Memory: one shard at a time plus O(D²).
func StreamStats(shards []Shard, r StreamRelation, progress func(rows int)) (*Stats, error) {
	if len(shards) == 0 {
		return nil, newErr("stream", "shards", nil, ErrEmpty)
	}
	if err := r.Validate(); err != nil {
		return nil, err
	}
	var total *Stats
	for _, sh := range shards {
		s, err := r.ShardStats(sh)
		if err != nil {
			return nil, err
		}
		if total == nil {
			total = s
		} else if err := total.Merge(s); err != nil {
			return nil, newErr("stream", "input", sh.Path, wrap2(ErrShape, err))
		}
		if progress != nil {
			progress(sh.Rows)
		}
	}
	return total, nil
}

// ParseStreamRelation turns a --relation spec into a StreamRelation:
// views:V=v[,augment=SPEC] (imageShape for image augmentations),
// labels:PATTERN or edges:PATTERN, where PATTERN is a glob matching one file
// per shard (see Shards), returned as labels or edges for Shards ("" for
// the other and for views).
func ParseStreamRelation(spec string, imageShape [2]int, seed uint64, draws int) (r StreamRelation, labels, edges string, err error) {
	const op = "stream relation"
	kind, rest, _ := strings.Cut(strings.TrimSpace(spec), ":")
	switch k := graph.RelationKind(strings.ToLower(kind)); k {
	case graph.LabelsRelation, graph.EdgesRelation:
		if rest == "" {
			return r, "", "", newErr(op, "relation", spec, wrap2(ErrParam, fmt.Errorf("%s:PATTERN needs a file pattern with one file per shard", k)))
		}
		r = StreamRelation{Kind: k, Draws: draws}
		if k == graph.LabelsRelation {
			return r, rest, "", r.Validate()
		}
		return r, "", rest, r.Validate()
	}
	rel, err := graph.ParseRelation(spec)
	if err != nil {
		return r, "", "", newErr(op, "relation", spec, wrap2(ErrParam, err))
	}
	if rel.Kind != graph.ViewsRelation {
		return r, "", "", newErr(op, "relation", spec, wrap2(ErrParam, fmt.Errorf("%s graphs need all rows at once; streamable: views, labels, edges", rel.Kind)))
	}
	r = StreamRelation{Kind: graph.ViewsRelation, V: rel.V, Seed: seed, Draws: draws}
	if rel.Augment != "" {
		p, err := data.ParseAugment(rel.Augment, imageShape)
		if err != nil {
			return StreamRelation{}, "", "", newErr(op, "augment", rel.Augment, wrap2(ErrParam, err))
		}
		r.Augment = p
	}
	return r, "", "", r.Validate()
}

// Affine returns Z = X W + 1 biasᵀ, the representation a linear-regime
// solution (Solution.W, Solution.Bias) gives the rows of x; bias may be nil.
func Affine(x mat.Matrix, w *mat.Dense, bias []float64) *mat.Dense {
	n, _ := x.Dims()
	_, k := w.Dims()
	z := mat.NewDense(n, k, nil)
	z.Mul(x, w)
	if bias != nil {
		for i := range n {
			floats.Add(z.RawRowView(i), bias)
		}
	}
	return z
}

// ApplyShards writes Z = X W + 1 biasᵀ for every shard (bias nil: none) to
// outDir/<shard base name> (.npy; a .gz suffix is dropped), one shard at a time, each file written
// atomically (data.WriteMatrix), and returns the paths written. progress
// (may be nil) gets the rows of each shard once written. outDir must not be
// the directory of a shard (its file would be replaced). Memory: one shard
// and its Z.
func ApplyShards(shards []Shard, w *mat.Dense, bias []float64, outDir string, progress func(rows int)) ([]string, error) {
	const op = "apply"
	if w == nil {
		return nil, newErr(op, "W", nil, ErrEmpty)
	}
	if err := checkMatrix(op, "W", w); err != nil {
		return nil, err
	}
	d, k := w.Dims()
	if bias != nil && len(bias) != k {
		return nil, newErr(op, "bias", len(bias), wrap2(ErrShape, fmt.Errorf("want %d values (the columns of W)", k)))
	}
	outAbs, err := filepath.Abs(outDir)
	if err != nil {
		return nil, newErr(op, "out", outDir, wrap2(ErrParam, err))
	}
	var out []string
	for _, sh := range shards {
		if dir, _ := filepath.Abs(filepath.Dir(sh.Path)); dir == outAbs {
			return out, newErr(op, "out", outDir, wrap2(ErrParam, fmt.Errorf("it holds the input shard %s, which would be overwritten", sh.Path)))
		}
		if sh.Cols != d {
			return out, newErr(op, "input", sh.Path, wrap2(ErrShape, fmt.Errorf("%d columns; W has %d rows", sh.Cols, d)))
		}
		x, err := data.ReadMatrix(sh.Path)
		if err != nil {
			return out, err
		}
		z := Affine(x, w, bias)
		p := filepath.Join(outDir, strings.TrimSuffix(filepath.Base(sh.Path), ".gz"))
		if err := data.WriteMatrix(p, z); err != nil {
			return out, err
		}
		out = append(out, p)
		if progress != nil {
			progress(z.RawMatrix().Rows)
		}
	}
	return out, nil
}
