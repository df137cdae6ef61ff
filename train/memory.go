package train

import (
	"fmt"

	"github.com/eigenssl/eigenssl/internal/memlimit"
	"github.com/eigenssl/eigenssl/loss"
	"github.com/eigenssl/eigenssl/nn"
)

// EstimateMemory returns the approximate peak memory in bytes of training
// cfg on n samples of d columns, beyond the data themselves:
//
//	8 · ( E + 3P                       parameters and buffers, gradients, optimiser moments
//	    + 4 R ΣW                       activations, their gradients and layer caches
//	    + R d                          the batch of views
//	    + N K_ker + 2 R N              kernel encoders: A and the Gram block
//	    + R²                           contrastive losses (ntxent, simclr_gform): the similarity matrix )
//
// with E, P and the widths W of nn.SpecSize, R = Views · batch rows per
// step and N = n. It returns 0 and no error for a spec that does not parse
// (Config.Validate reports it).
func EstimateMemory(cfg Config, n, d int) float64 {
	cfg = cfg.withDefaults()
	sz, err := nn.SpecSize(cfg.Encoder, d)
	if err != nil {
		return 0
	}
	r := float64(cfg.Views) * float64(cfg.batchRows(n))
	var w float64
	for _, v := range sz.Widths {
		w += float64(v)
	}
	e := float64(sz.Entries) + 3*float64(sz.Params) + 4*r*w + r*float64(d)
	if sz.KernelOut > 0 {
		e += float64(n)*float64(sz.KernelOut) + 2*r*float64(n)
	}
	if l := loss.Canonical(cfg.Loss); l == loss.NameNTXent || l == loss.NameSimCLRGForm {
		e += r * r
	}
	return 8 * e
}

// batchRows is the number of originals per step on n samples: Batch, or n
// for full batch (Batch 0 or ≥ n).
func (c Config) batchRows(n int) int {
	if c.Batch > 0 && c.Batch < n {
		return c.Batch
	}
	return n
}

// checkMemory refuses a run whose EstimateMemory exceeds the memory budget
// of package internal/memlimit (EIGENSSL_MEMORY_LIMIT, else half of the
// physical memory), with an error wrapping ErrTooLarge (and
// memlimit.ErrTooLarge) that names the estimate, the budget and the encoder.
func checkMemory(op string, cfg Config, n, d int) error {
	what := fmt.Sprintf("training (parameters with gradients and optimiser state, activations of %d views × %d rows per step)", cfg.withDefaults().Views, cfg.batchRows(n))
	if err := memlimit.Check(what, EstimateMemory(cfg, n, d)); err != nil {
		return &Error{Op: op, Param: "encoder", Value: cfg.Encoder, Err: fmt.Errorf("%w: %w; use smaller widths or a smaller batch", ErrTooLarge, err)}
	}
	return nil
}
