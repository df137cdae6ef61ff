package train

import (
	"fmt"
	"testing"

	"github.com/eigenssl/eigenssl/data"
)

// BenchmarkStep times one training step (augmentation, forward, loss,
// backward, optimiser; no checkpoint I/O) on the 64-pixel digits.
func BenchmarkStep(b *testing.B) {
	ds, err := data.Digits()
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		loss, enc, aug string
		batch          int
	}{
		{"vicreg_official", "mlp:512,128", "shift:1+noise:0.05", 256},
		{"spectral_contrastive_gform", "mlp:512,128", "shift:1+noise:0.05", 256},
		{"simclr_gform", "mlp:512,128", "shift:1+noise:0.05", 256},
	} {
		b.Run(fmt.Sprintf("loss=%s/enc=%s/batch=%d", bc.loss, bc.enc, bc.batch), func(b *testing.B) {
			cfg := Config{Loss: bc.loss, Encoder: bc.enc, Augment: bc.aug, Batch: bc.batch, Epochs: 1 << 20, Seed: 1,
				Data: DataSource{ImageShape: ds.ImageShape}}
			t, err := newTrainer("bench", cfg, ds.X, ds.Y, "", Options{Logger: quiet})
			if err != nil {
				b.Fatal(err)
			}
			if err := t.initModel("bench"); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for range b.N {
				if _, err := t.doStep(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*bc.batch)/b.Elapsed().Seconds(), "samples/s")
		})
	}
}
