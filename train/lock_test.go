package train

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/eigenssl/eigenssl/loss"
	"gonum.org/v1/gonum/mat"
)

// lockSetup returns the data and configuration of the lock tests, a
// completed run full and the same run stopped after 3 steps in dir.
func lockSetup(t *testing.T) (x *mat.Dense, y []int, cfg Config, full, dir string) {
	t.Helper()
	x, y = blobs(40, 5, 4, 1)
	cfg = resumeConfigs()["vicreg_official/mlp+bn/minibatch"]
	base := t.TempDir()
	full = filepath.Join(base, "full")
	if _, err := Run(context.Background(), cfg, x, y, full, opts()); err != nil {
		t.Fatal(err)
	}
	dir = filepath.Join(base, "part")
	if _, err := Run(context.Background(), cfg, x, y, dir, Options{Logger: quiet, StopAfter: 3}); err != nil {
		t.Fatal(err)
	}
	return x, y, cfg, full, dir
}

// TestRunDirectoryLock (issue 12): while a Resume runs, a second Resume or
// a Run of the same directory fails at once with ErrLocked naming the pid,
// and the first run still ends with every metrics line of an uninterrupted
// run (two concurrent resumes used to keep 120-440 of 560 lines).
func TestRunDirectoryLock(t *testing.T) {
	x, y, cfg, full, dir := lockSetup(t)
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

// TestLockHelperProcess is the child of TestRunDirectoryLockTwoProcesses:
// it resumes $EIGENSSL_TRAIN_LOCK_DIR, and at its first step creates
// DIR.ready and waits for DIR.go before going on.
func TestLockHelperProcess(t *testing.T) {
	dir := os.Getenv("EIGENSSL_TRAIN_LOCK_DIR")
	if dir == "" {
		return // not the child: nothing to do
	}
	x, y := blobs(40, 5, 4, 1)
	cfg := resumeConfigs()["vicreg_official/mlp+bn/minibatch"]
	l, _ := loss.New(cfg.Loss, cfg.LossParams)
	cl := &countingLoss{Loss: l, hook: func(n int, _ *loss.Result) error {
		if n == 1 {
			os.WriteFile(dir+".ready", nil, 0o644)
			for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
				if _, err := os.Stat(dir + ".go"); err == nil {
					break
				}
			}
		}
		return nil
	}}
	if _, err := Resume(context.Background(), dir, x, y, Options{Logger: quiet, Loss: cl}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(0)
}

// TestRunDirectoryLockTwoProcesses: while another process resumes a run, a
// Resume or Run of the same directory in this process fails with ErrLocked
// naming the other process's pid, and the other process completes the run
// with every metrics line.
func TestRunDirectoryLockTwoProcesses(t *testing.T) {
	x, y, cfg, full, dir := lockSetup(t)
	cmd := exec.Command(os.Args[0], "-test.run=^TestLockHelperProcess$")
	cmd.Env = append(os.Environ(), "EIGENSSL_TRAIN_LOCK_DIR="+dir)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if _, err := os.Stat(dir + ".ready"); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("child never started its first step")
		}
	}
	want := fmt.Sprintf("in use by pid %d", cmd.Process.Pid)
	_, errResume := Resume(context.Background(), dir, x, y, opts())
	_, errRun := Run(context.Background(), cfg, x, y, dir, opts())
	if err := os.WriteFile(dir+".go", nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("child: %v, %s", err, stderr.String())
	}
	for name, e := range map[string]error{"Resume": errResume, "Run": errRun} {
		if !errors.Is(e, ErrLocked) || !strings.Contains(e.Error(), want) {
			t.Errorf("%s while another process resumes: %v; want ErrLocked %q", name, e, want)
		}
	}
	sameSnapshot(t, snap(t, dir), snap(t, full))
}
