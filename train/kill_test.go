package train

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// killConfig is a run long enough (hundreds of steps, a checkpoint at every
// step) for a SIGKILL to land mid-run, most likely during some checkpoint's
// write.
func killConfig() Config {
	return Config{Loss: "vicreg_official", Encoder: "mlp:16,8", LR: 0.01, Augment: "noise:0.1",
		Batch: 4, Epochs: 15, Seed: 8, CheckpointEvery: 1}
}

// TestKillHelperProcess is the child of TestKillDuringTraining: it trains
// into $EIGENSSL_TRAIN_KILL_DIR until killed.
func TestKillHelperProcess(t *testing.T) {
	dir := os.Getenv("EIGENSSL_TRAIN_KILL_DIR")
	if dir == "" {
		return // not the child: nothing to do
	}
	x, y := blobs(40, 5, 4, 9)
	Run(context.Background(), killConfig(), x, y, dir, opts())
	os.Exit(0)
}

// TestKillDuringTraining SIGKILLs a training process at several moments and
// checks that Resume then ends exactly like an uninterrupted run: whatever
// was being written, a complete checkpoint survives.
func TestKillDuringTraining(t *testing.T) {
	x, y := blobs(40, 5, 4, 9)
	base := t.TempDir()
	full := filepath.Join(base, "full")
	if _, err := Run(context.Background(), killConfig(), x, y, full, opts()); err != nil {
		t.Fatal(err)
	}
	want := snap(t, full)
	killed := 0
	for i, delay := range []time.Duration{20 * time.Millisecond, 60 * time.Millisecond, 150 * time.Millisecond} {
		dir := filepath.Join(base, fmt.Sprint(i))
		cmd := exec.Command(os.Args[0], "-test.run=^TestKillHelperProcess$")
		cmd.Env = append(os.Environ(), "EIGENSSL_TRAIN_KILL_DIR="+dir)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Wait until the child has started writing, then kill it.
		deadline := time.Now().Add(20 * time.Second)
		for {
			if _, err := os.Stat(filepath.Join(dir, CheckpointFile)); err == nil || time.Now().After(deadline) {
				break
			}
			time.Sleep(5 * time.Millisecond)
		}
		time.Sleep(delay)
		cmd.Process.Kill()
		cmd.Wait()
		c, name, err := readCheckpoint(dir)
		if err != nil {
			t.Fatalf("kill %d: no readable checkpoint: %v", i, err)
		}
		if c.Step < want.step {
			killed++
		}
		t.Logf("kill %d after %v: resuming from %s at step %d of %d", i, delay, name, c.Step, want.step)
		if _, err := Resume(context.Background(), dir, x, y, opts()); err != nil {
			t.Fatalf("kill %d: Resume: %v", i, err)
		}
		sameSnapshot(t, snap(t, dir), want)
	}
	if killed == 0 {
		t.Logf("every child finished before its kill; only the resume of a completed run was checked")
	}
}
