package train

import (
	"context"
	"math"
	"testing"
)

// TestFloat32TrainingConverges trains the same VICReg MLP (batch norm,
// Adam) in float32 and in float64 from the same seed. Both must reduce the
// loss to below half its first value, and the float32 run must end within
// 1% of the float64 one (mean of the last 20 steps): the two trajectories
// separate by rounding, so the comparison is of where training ends, not of
// parameters.
func TestFloat32TrainingConverges(t *testing.T) {
	x, y := blobs(256, 10, 4, 9)
	cfg := Config{
		Loss: "vicreg_official", Encoder: "mlp:32,16|proj:16,16+bn", Optimizer: "adam", LR: 3e-3,
		Augment: "noise:0.1", Batch: 64, Steps: 300, Seed: 4, Schedule: "cosine", Warmup: 10,
	}
	tail := map[string]float64{}
	for _, dt := range []string{"float64", "float32"} {
		c := cfg
		c.Dtype = dt
		res, err := Fit(context.Background(), c, x, y, opts())
		if err != nil {
			t.Fatal(err)
		}
		h := res.History
		for _, m := range h[len(h)-20:] {
			tail[dt] += m.Loss / 20
		}
		t.Logf("%s: first loss %.4f, mean of last 20 %.4f", dt, h[0].Loss, tail[dt])
		if !(tail[dt] < h[0].Loss/2) {
			t.Errorf("%s: loss %.4f → %.4f; want below half", dt, h[0].Loss, tail[dt])
		}
	}
	if d := math.Abs(tail["float32"]-tail["float64"]) / tail["float64"]; d > 0.01 {
		t.Errorf("float32 ends at %.4f, float64 at %.4f (%.1f%% apart); want within 1%%", tail["float32"], tail["float64"], 100*d)
	}
}
