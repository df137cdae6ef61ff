// Command eigenssl-beam runs the eigenssl linear-regime closed form on Apache
// Beam: it reads .npy shards, computes per-bundle sufficient statistics,
// merges them with CombineGlobally and writes W.npy, bias.npy and
// summary.json (see package eigenbeam).
//
// The runner is Beam's --runner flag: prism (in-process, the default),
// dataflow, flink, spark or universal, with Beam's standard flags for each
// (--project, --region, --temp_location, --staging_location, --endpoint,
// --environment_type, ...). Example on one machine:
//
//	eigenssl-beam --input 'shards/x-*.npy' --relation views:V=2,augment=noise:0.1 \
//	    --loss vicreg --gamma 0.1 -k 32 --out out/
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/x/beamx"
	eigenbeam "github.com/eigenssl/eigenssl/beam"
)

var (
	input      = flag.String("input", "", "glob of .npy shards (quote it; local or gs://...)")
	relation   = flag.String("relation", "", "views:V=v[,augment=SPEC], labels:GLOB or edges:GLOB")
	imageShape = flag.String("image-shape", "", "HxW of image rows, for image augmentations")
	loss       = flag.String("loss", "vicreg", "vicreg, vicreg_hard, spectral_contrastive or barlowtwins")
	k          = flag.Int("k", 2, "number of output dimensions K")
	gamma      = flag.Float64("gamma", 0, "VICReg invariance weight γ (0: 1)")
	alpha      = flag.Float64("alpha", 0, "BarlowTwins off-diagonal weight (0: 1)")
	seed       = flag.Uint64("seed", 0, "random seed of the augmentations")
	draws      = flag.Int("draws", 0, "independent draws of the augmented views (0: 1)")
	out        = flag.String("out", "", "output directory (local or gs://...)")
)

func main() {
	flag.Parse()
	beam.Init()
	if err := run(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "eigenssl-beam:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	var shape [2]int
	if *imageShape != "" {
		h, w, ok := strings.Cut(strings.ToLower(*imageShape), "x")
		hi, err1 := strconv.Atoi(h)
		wi, err2 := strconv.Atoi(w)
		if !ok || err1 != nil || err2 != nil || hi < 1 || wi < 1 {
			return fmt.Errorf("--image-shape %q: want HxW with positive integers", *imageShape)
		}
		shape = [2]int{hi, wi}
	}
	if *draws < 0 {
		return fmt.Errorf("--draws %d: want >= 0", *draws)
	}
	p, shards, err := eigenbeam.Build(ctx, eigenbeam.Options{Input: *input, Relation: *relation, ImageShape: shape,
		Loss: *loss, K: *k, Gamma: *gamma, Alpha: *alpha, Seed: *seed, Draws: *draws, Out: *out})
	if err != nil {
		return err
	}
	slog.Info("eigenssl-beam", "shards", len(shards), "out", *out)
	return beamx.Run(ctx, p)
}
