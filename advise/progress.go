package advise

import (
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// bar is a progress bar drawn only when its writer is a terminal.
type bar struct{ b *progressbar.ProgressBar }

func newBar(w io.Writer, total int, desc string) *bar {
	if w == nil {
		w = os.Stderr
	}
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return &bar{}
	}
	return &bar{progressbar.NewOptions(total,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription(desc),
		progressbar.OptionShowCount(),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish(),
	)}
}

func (b *bar) add() {
	if b.b != nil {
		b.b.Add(1)
	}
}

func (b *bar) finish() {
	if b.b != nil {
		b.b.Finish()
	}
}
