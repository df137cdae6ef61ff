package train

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// progress draws a bar with the loss and the throughput (steps/s) when its
// writer is a terminal, and does nothing otherwise.
type progress struct {
	bar  *progressbar.ProgressBar
	last time.Time
}

func newProgress(w io.Writer, total, done int) *progress {
	if w == nil {
		w = os.Stderr
	}
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return &progress{}
	}
	bar := progressbar.NewOptions(total,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription("train"),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString("step"),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish(),
	)
	bar.Set(done)
	return &progress{bar: bar}
}

func (p *progress) update(step int, loss float64) {
	if p.bar == nil {
		return
	}
	if now := time.Now(); now.Sub(p.last) > 200*time.Millisecond {
		p.bar.Describe(fmt.Sprintf("loss %.5g", loss))
		p.last = now
	}
	p.bar.Set(step)
}

func (p *progress) finish() {
	if p.bar != nil {
		p.bar.Finish()
	}
}
