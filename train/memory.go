package train

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"

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
	b := n
	if cfg.Batch > 0 && cfg.Batch < n {
		b = cfg.Batch
	}
	r := float64(cfg.Views) * float64(b)
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

// memAvailable returns the memory available to new allocations in bytes
// (MemAvailable of /proc/meminfo), or 0 when unknown; a variable so that
// tests can set it.
var memAvailable = func() float64 {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "MemAvailable:"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			if err != nil {
				return 0
			}
			return kb * 1024
		}
	}
	return 0
}

// checkMemory refuses, with an error wrapping ErrTooLarge that names the
// estimate, the memory available and the encoder, a run whose
// EstimateMemory exceeds the memory available (not checked where unknown).
func checkMemory(op string, cfg Config, n, d int) error {
	avail := memAvailable()
	need := EstimateMemory(cfg, n, d)
	if avail <= 0 || need <= avail {
		return nil
	}
	b := n
	if cfg.Batch > 0 && cfg.Batch < n {
		b = cfg.Batch
	}
	return newErr(op, "encoder", cfg.Encoder, ErrTooLarge,
		"training needs about %s (parameters with gradients and optimiser state, activations of %d views × %d rows per step) but %s are available; use smaller widths or a smaller batch",
		bytesString(need), cfg.withDefaults().Views, b, bytesString(avail))
}

// bytesString formats a byte count with a binary unit.
func bytesString(b float64) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB", "PiB"}
	i := 0
	for b >= 1024 && i < len(units)-1 {
		b /= 1024
		i++
	}
	return fmt.Sprintf("%.1f %s", b, units[i])
}
