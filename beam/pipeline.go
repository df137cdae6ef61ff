// Package eigenbeam computes the linear-regime closed forms of eigenssl on
// Apache Beam: data sets spread over many shards and machines.
//
// The pipeline is
//
//	shards ──Reshuffle──> ParDo(bundleStats) ──CombineGlobally(merge)──> ParDo(write)
//
// bundleStats reads each .npy shard of its bundle (with the shard's labels or
// edge file) and absorbs it into one closedform.Stats per bundle (the views
// of the views relation are made where the rows are read, seeded per global
// sample index, so the result does not depend on bundling); the combiner
// merges Stats (closedform.Stats.Merge, associative and, up to rounding,
// commutative); write solves with closedform.SolveStats and writes W.npy,
// bias.npy and summary.json. Only D x D statistics cross the network
// (about 10 D² doubles per bundle, 5.2 MB at D = 256).
//
// It lives in its own module so that the eigenssl core does not carry
// Beam's dependencies. Paths may be local or on any file system Beam knows
// (gs://, s3://): remote shards are copied to a temporary local file before
// they are decoded.
package eigenbeam

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem"
	_ "github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem/local" // local paths
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"
	"github.com/eigenssl/eigenssl/closedform"
	"github.com/eigenssl/eigenssl/data"
	"gonum.org/v1/gonum/mat"
)

func init() {
	beam.RegisterType(reflect.TypeOf((*closedform.Shard)(nil)).Elem())
	register.DoFn3x1[context.Context, closedform.Shard, func([]byte), error](&bundleStatsFn{})
	register.Emitter1[[]byte]()
	register.Combiner1[[]byte](&mergeStatsFn{})
	register.DoFn2x1[context.Context, []byte, error](&writeFn{})
}

// Options configure the pipeline; the names follow eigenssl closedform.
type Options struct {
	// Input is a glob of .npy shards (local or remote, e.g. gs://b/x-*.npy).
	Input string
	// Relation is views:V=v[,augment=SPEC], labels:GLOB or edges:GLOB (one
	// labels or edge file per shard, in the sorted order of the shards).
	Relation string
	// ImageShape is the H x W of image rows for image augmentations.
	ImageShape [2]int
	// Loss is one of closedform.StatsLosses; K the output dimension; Gamma
	// and Alpha as in closedform.Problem (0: defaults).
	Loss         string
	K            int
	Gamma, Alpha float64
	// Seed fixes the augmentations; Draws is the number of independent
	// draws of the views (0: 1).
	Seed  uint64
	Draws int
	// Out is the output directory (local or remote).
	Out string
}

func (o Options) validate() error {
	switch {
	case o.Input == "":
		return fmt.Errorf("eigenbeam: input: a glob of .npy shards is required")
	case o.Relation == "":
		return fmt.Errorf("eigenbeam: relation: required (views:V=v[,augment=SPEC], labels:GLOB or edges:GLOB)")
	case o.Out == "":
		return fmt.Errorf("eigenbeam: out: an output directory is required")
	case o.K < 1:
		return fmt.Errorf("eigenbeam: k = %d: want k >= 1", o.K)
	}
	ok := false
	for _, l := range closedform.StatsLosses() {
		ok = ok || l == strings.ReplaceAll(strings.ToLower(o.Loss), "-", "_")
	}
	if !ok {
		return fmt.Errorf("eigenbeam: loss %q: want one of %s", o.Loss, strings.Join(closedform.StatsLosses(), ", "))
	}
	return nil
}

// Build checks the options, lists the shards (reading their .npy headers for
// the global row offsets) and returns the pipeline; run it with beamx.Run
// (runner from the --runner flag, prism by default) or beam.Run.
func Build(ctx context.Context, o Options) (*beam.Pipeline, []closedform.Shard, error) {
	if err := o.validate(); err != nil {
		return nil, nil, err
	}
	_, labels, edges, err := closedform.ParseStreamRelation(o.Relation, o.ImageShape, o.Seed, o.Draws)
	if err != nil {
		return nil, nil, fmt.Errorf("eigenbeam: relation: %w", err)
	}
	shards, err := ListShards(ctx, o.Input, labels, edges)
	if err != nil {
		return nil, nil, err
	}
	p, s := beam.NewPipelineWithRoot()
	col := beam.CreateList(s, shards)
	col = beam.Reshuffle(s, col) // spread the shards over workers
	stats := beam.ParDo(s, &bundleStatsFn{Relation: o.Relation, ImageH: o.ImageShape[0], ImageW: o.ImageShape[1],
		Seed: o.Seed, Draws: o.Draws}, col)
	total := beam.Combine(s, &mergeStatsFn{}, stats)
	beam.ParDo0(s, &writeFn{Out: o.Out, Loss: o.Loss, K: o.K, Gamma: o.Gamma, Alpha: o.Alpha,
		Relation: o.Relation, Shards: len(shards), Draws: max(1, o.Draws)}, total)
	return p, shards, nil
}

// remote reports whether path names a non-local file system (scheme://).
func remote(path string) bool { return strings.Contains(path, "://") }

// ListShards is closedform.Shards for local globs and, for remote ones,
// closedform.ShardsIn on Beam's file systems (beamFS).
func ListShards(ctx context.Context, pattern, labels, edges string) ([]closedform.Shard, error) {
	var sh []closedform.Shard
	var err error
	if !remote(pattern) && !remote(labels) && !remote(edges) {
		sh, err = closedform.Shards(pattern, labels, edges)
	} else {
		fs, ferr := filesystem.New(ctx, pattern)
		if ferr != nil {
			return nil, fmt.Errorf("eigenbeam: input %s: %w", pattern, ferr)
		}
		defer fs.Close()
		sh, err = closedform.ShardsIn(beamFS{ctx, fs}, pattern, labels, edges)
	}
	if err != nil {
		return nil, fmt.Errorf("eigenbeam: %w", err)
	}
	return sh, nil
}

// beamFS is a closedform.ShardFS on Beam's file systems: Glob lists through
// the file system of each pattern's scheme, NPYShape reads headers through
// fs (the input's file system).
type beamFS struct {
	ctx context.Context
	fs  filesystem.Interface
}

func (b beamFS) Glob(pattern string) ([]string, error) {
	fs, err := filesystem.New(b.ctx, pattern)
	if err != nil {
		return nil, err
	}
	defer fs.Close()
	return fs.List(b.ctx, pattern)
}

func (b beamFS) NPYShape(path string) ([]int, error) {
	rc, err := b.fs.OpenRead(b.ctx, path)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return data.ReadNPYShape(rc)
}

// localise returns a local path holding the file at path (a temporary copy
// for remote paths; cleanup removes it).
func localise(ctx context.Context, path string) (string, func(), error) {
	if path == "" || !remote(path) {
		return path, func() {}, nil
	}
	fs, err := filesystem.New(ctx, path)
	if err != nil {
		return "", nil, err
	}
	defer fs.Close()
	rc, err := fs.OpenRead(ctx, path)
	if err != nil {
		return "", nil, err
	}
	defer rc.Close()
	f, err := os.CreateTemp("", "eigenbeam-*"+filepath.Ext(path))
	if err != nil {
		return "", nil, err
	}
	if _, err := io.Copy(f, rc); err != nil {
		f.Close()
		os.Remove(f.Name())
		return "", nil, err
	}
	if err := f.Close(); err != nil {
		os.Remove(f.Name())
		return "", nil, err
	}
	return f.Name(), func() { os.Remove(f.Name()) }, nil
}

// bundleStatsFn absorbs every shard of a bundle into one closedform.Stats
// and emits it, encoded, when the bundle finishes.
type bundleStatsFn struct {
	Relation       string
	ImageH, ImageW int
	Seed           uint64
	Draws          int

	rel closedform.StreamRelation
	acc *closedform.Stats
}

func (f *bundleStatsFn) Setup() error {
	rel, _, _, err := closedform.ParseStreamRelation(f.Relation, [2]int{f.ImageH, f.ImageW}, f.Seed, f.Draws)
	f.rel = rel
	return err
}

func (f *bundleStatsFn) StartBundle(_ context.Context, _ func([]byte)) { f.acc = nil }

func (f *bundleStatsFn) ProcessElement(ctx context.Context, sh closedform.Shard, _ func([]byte)) error {
	local := sh
	var cleanups []func()
	defer func() {
		for _, c := range cleanups {
			c()
		}
	}()
	for _, p := range []*string{&local.Path, &local.Labels, &local.Edges} {
		lp, cleanup, err := localise(ctx, *p)
		if err != nil {
			return fmt.Errorf("eigenbeam: %s: %w", *p, err)
		}
		cleanups = append(cleanups, cleanup)
		*p = lp
	}
	s, err := f.rel.ShardStats(local)
	if err != nil {
		return err
	}
	if f.acc == nil {
		f.acc = s
		return nil
	}
	return f.acc.Merge(s)
}

func (f *bundleStatsFn) FinishBundle(_ context.Context, emit func([]byte)) error {
	if f.acc == nil {
		return nil
	}
	b, err := f.acc.MarshalBinary()
	if err != nil {
		return err
	}
	emit(b)
	f.acc = nil
	return nil
}

// mergeStatsFn merges encoded closedform.Stats (the CombineGlobally step).
type mergeStatsFn struct{}

func (mergeStatsFn) MergeAccumulators(a, b []byte) ([]byte, error) {
	if len(a) == 0 {
		return b, nil
	}
	if len(b) == 0 {
		return a, nil
	}
	var sa, sb closedform.Stats
	if err := sa.UnmarshalBinary(a); err != nil {
		return nil, err
	}
	if err := sb.UnmarshalBinary(b); err != nil {
		return nil, err
	}
	if err := sa.Merge(&sb); err != nil {
		return nil, err
	}
	return sa.MarshalBinary()
}

// Summary is summary.json of the pipeline: the Solution's own JSON form
// (the fields "eigenssl closedform" writes for a streamed input) plus the
// run's sizes and the files written.
type Summary struct {
	*closedform.Solution
	K        int               `json:"k"`
	Rows     int64             `json:"rows"`
	Shards   int               `json:"shards"`
	Draws    int               `json:"draws"`
	Relation string            `json:"relation"`
	Files    map[string]string `json:"files"`
}

// writeFn solves the merged statistics and writes W.npy, bias.npy and
// summary.json to Out.
type writeFn struct {
	Out          string
	Loss         string
	K            int
	Gamma, Alpha float64
	Relation     string
	Shards       int
	Draws        int
}

func (f *writeFn) ProcessElement(ctx context.Context, enc []byte) error {
	var s closedform.Stats
	if err := s.UnmarshalBinary(enc); err != nil {
		return err
	}
	sol, err := closedform.SolveStats(closedform.Problem{Loss: f.Loss, K: f.K, Gamma: f.Gamma, Alpha: f.Alpha}, &s)
	if err != nil {
		return err
	}
	files := map[string]string{"W": joinPath(f.Out, "W.npy")}
	if err := writeMatrix(ctx, files["W"], sol.W); err != nil {
		return err
	}
	if sol.Bias != nil {
		files["bias"] = joinPath(f.Out, "bias.npy")
		if err := writeMatrix(ctx, files["bias"], mat.NewDense(1, len(sol.Bias), sol.Bias)); err != nil {
			return err
		}
	}
	sum := Summary{Solution: sol, K: f.K, Rows: s.Rows(), Shards: f.Shards, Draws: f.Draws, Relation: f.Relation, Files: files}
	buf, err := json.MarshalIndent(sum, "", "  ")
	if err != nil {
		return err
	}
	return writeBytes(ctx, joinPath(f.Out, "summary.json"), append(buf, '\n'))
}

func joinPath(dir, name string) string {
	if remote(dir) {
		return strings.TrimSuffix(dir, "/") + "/" + name
	}
	return filepath.Join(dir, name)
}

// writeMatrix writes m as .npy: atomically for local paths
// (data.WriteMatrix), through Beam's file system otherwise.
func writeMatrix(ctx context.Context, path string, m *mat.Dense) error {
	if !remote(path) {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		return data.WriteMatrix(path, m)
	}
	tmp, err := os.CreateTemp("", "eigenbeam-*.npy")
	if err != nil {
		return err
	}
	name := tmp.Name()
	tmp.Close()
	defer os.Remove(name)
	if err := data.WriteMatrix(name, m); err != nil {
		return err
	}
	b, err := os.ReadFile(name)
	if err != nil {
		return err
	}
	return writeBytes(ctx, path, b)
}

// writeBytes writes b to path (atomically for local paths).
func writeBytes(ctx context.Context, path string, b []byte) error {
	if !remote(path) {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		return data.WriteAtomic(path, func(w io.Writer) error {
			_, err := io.Copy(w, bytes.NewReader(b))
			return err
		})
	}
	fs, err := filesystem.New(ctx, path)
	if err != nil {
		return err
	}
	defer fs.Close()
	return filesystem.Write(ctx, fs, path, b)
}
