//go:build linux

package train

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/eigenssl/eigenssl/loss"
	"golang.org/x/sys/unix"
)

// openPTY returns the master and slave ends of a new pseudo-terminal.
func openPTY(t *testing.T) (master, slave *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	fd := int(m.Fd())
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		m.Close()
		t.Skipf("unlockpt: %v", err)
	}
	n, err := unix.IoctlGetInt(fd, unix.TIOCGPTN)
	if err != nil {
		m.Close()
		t.Skipf("ptsname: %v", err)
	}
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		m.Close()
		t.Skipf("open slave: %v", err)
	}
	return m, s
}

// TestProgressOnTerminal: on a terminal the bar shows the step count, the
// throughput and the loss.
func TestProgressOnTerminal(t *testing.T) {
	master, slave := openPTY(t)
	defer master.Close()
	var out bytes.Buffer
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // drain the terminal so the writer never blocks
		defer wg.Done()
		buf := make([]byte, 4096)
		for {
			n, err := master.Read(buf)
			out.Write(buf[:n])
			if err != nil {
				return
			}
		}
	}()
	x, y := blobs(20, 3, 2, 8)
	cfg := Config{Loss: "ntxent", Encoder: "linear:2", Batch: 5, Epochs: 50, Seed: 1}
	l, _ := loss.New(cfg.Loss, nil)
	slow := &countingLoss{Loss: l, hook: func(int, *loss.Result) error { time.Sleep(2 * time.Millisecond); return nil }}
	_, err := Run(context.Background(), cfg, x, y, filepath.Join(t.TempDir(), "run"), Options{Logger: quiet, Progress: slave, Loss: slow})
	slave.Close()
	if err != nil {
		t.Fatal(err)
	}
	master.SetReadDeadline(timeNowPlus())
	wg.Wait()
	s := out.String()
	for _, want := range []string{"loss", "step/s", "/200"} {
		if !bytes.Contains(out.Bytes(), []byte(want)) {
			t.Fatalf("terminal output %q lacks %q", s, want)
		}
	}
}

func timeNowPlus() time.Time { return time.Now().Add(2 * time.Second) }
