package train_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/eigenssl/eigenssl/data"
	"github.com/eigenssl/eigenssl/train"
)

// Train a linear encoder full batch with the spectral contrastive G-form
// loss on the label relation of a small blob data set, stop half-way, and
// resume to the end.
func ExampleResume() {
	dir, _ := os.MkdirTemp("", "eigenssl-train")
	defer os.RemoveAll(dir)
	ds, _ := data.Blobs(60, 3, 4, 1, 1)
	cfg := train.Config{
		Loss:     "spectral_contrastive_gform",
		Encoder:  "linear:2",
		Views:    1,
		Relation: "labels",
		Batch:    0, // full batch
		Epochs:   100,
		LR:       0.01,
		Seed:     1,
	}
	opts := train.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	run := filepath.Join(dir, "run")
	opts.StopAfter = 40
	res, err := train.Run(context.Background(), cfg, ds.X, ds.Y, run, opts)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Status, res.Steps, "of", res.TotalSteps)
	opts.StopAfter = 0
	res, err = train.Resume(context.Background(), run, ds.X, ds.Y, opts)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Status, res.Steps, "of", res.TotalSteps)
	fmt.Println("embedding width", res.Encoder.EmbedDim())
	// Output:
	// stopped 40 of 100
	// completed 100 of 100
	// embedding width 2
}

// Train an MLP in memory with the official VICReg loss on fresh noisy views
// every step, and read the per-step history.
func ExampleFit() {
	ds, _ := data.Blobs(200, 8, 4, 1, 1)
	cfg := train.Config{
		Loss:       "vicreg_official",
		LossParams: map[string]float64{"sim_coeff": 10},
		Encoder:    "mlp:32,8",
		Augment:    "noise:0.3",
		Batch:      64,
		Steps:      50,
		LR:         0.01,
		Seed:       1,
	}
	opts := train.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	res, err := train.Fit(context.Background(), cfg, ds.X, ds.Y, opts)
	if err != nil {
		fmt.Println(err)
		return
	}
	first, last := res.History[0], res.History[len(res.History)-1]
	fmt.Println(res.Status, len(res.History), "steps")
	fmt.Println("loss decreased:", last.Loss < first.Loss)
	fmt.Println("embedding width", res.Encoder.EmbedDim())
	// Output:
	// completed 50 steps
	// loss decreased: true
	// embedding width 8
}
