package train

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eigenssl/eigenssl/loss"
)

// TestRunDirectoryLock (issue 12): while a Resume runs, a second Resume or
// a Run of the same directory fails at once with ErrLocked naming the pid,
// and the first run still ends with every metrics line of an uninterrupted
// run (two concurrent resumes used to keep 120-440 of 560 lines).
func TestRunDirectoryLock(t *testing.T) {
	x, y := blobs(40, 5, 4, 1)
	cfg := resumeConfigs()["vicreg_official/mlp+bn/minibatch"]
	base := t.TempDir()
	full := filepath.Join(base, "full")
	if _, err := Run(context.Background(), cfg, x, y, full, opts()); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(base, "part")
	if _, err := Run(context.Background(), cfg, x, y, dir, Options{Logger: quiet, StopAfter: 3}); err != nil {
		t.Fatal(err)
	}
	l, _ := loss.New(cfg.Loss, cfg.LossParams)
	var second, third error
	cl := &countingLoss{Loss: l, hook: func(n int, _ *loss.Result) error {
		if n == 2 { // the first Resume holds the lock: try again meanwhile
			_, second = Resume(context.Background(), dir, x, y, opts())
			_, third = Run(context.Background(), cfg, x, y, dir, opts())
		}
		return nil
	}}
	res, err := Resume(context.Background(), dir, x, y, Options{Logger: quiet, Loss: cl})
	if err != nil || res.Status != Completed {
		t.Fatalf("first Resume: %v", err)
	}
	want := fmt.Sprintf("run directory %s is in use by pid %d", dir, os.Getpid())
	for name, e := range map[string]error{"second Resume": second, "Run": third} {
		if !errors.Is(e, ErrLocked) || !strings.Contains(e.Error(), want) {
			t.Errorf("%s during a Resume: %v; want ErrLocked with %q", name, e, want)
		}
	}
	sameSnapshot(t, snap(t, dir), snap(t, full))
	// The lock is released at the end: the directory can be resumed again.
	if _, err := Resume(context.Background(), dir, x, y, opts()); err != nil {
		t.Fatalf("Resume after the run: %v", err)
	}
	m, _ := os.ReadFile(filepath.Join(dir, MetricsFile))
	if n := bytes.Count(m, []byte("\n")); n != res.TotalSteps {
		t.Fatalf("metrics.jsonl has %d lines; want %d", n, res.TotalSteps)
	}
}
