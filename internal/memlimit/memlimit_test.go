package memlimit

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseSize(t *testing.T) {
	for s, want := range map[string]float64{"4096": 4096, "512M": 512 << 20, "64g": 64 << 30, "1.5GiB": 1.5 * (1 << 30), " 2K ": 2048, "1T": 1 << 40} {
		if got, err := ParseSize(s); err != nil || got != want {
			t.Errorf("ParseSize(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	for _, s := range []string{"", "0", "-1G", "x", "NaN", "Inf", "1Q"} {
		if _, err := ParseSize(s); err == nil {
			t.Errorf("ParseSize(%q): no error", s)
		}
	}
}

func TestCheckEnv(t *testing.T) {
	t.Setenv(EnvVar, "1M")
	if err := Check("small", 1<<20); err != nil {
		t.Errorf("1 MiB under a 1 MiB limit: %v", err)
	}
	err := Check("1000 x 1000 float64 matrix", 8e6)
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("8 MB under a 1 MiB limit: %v; want ErrTooLarge", err)
	}
	for _, s := range []string{"1000 x 1000 float64 matrix", "7.6 MiB", "memory limit 1.0 MiB", EnvVar} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("message %q lacks %q", err, s)
		}
	}
	t.Setenv(EnvVar, "lots")
	if err := Check("x", 1); err == nil || !strings.Contains(err.Error(), EnvVar) {
		t.Errorf("malformed %s: %v; want an error naming it", EnvVar, err)
	}
}

func TestMemTotal(t *testing.T) {
	p := filepath.Join(t.TempDir(), "meminfo")
	if err := os.WriteFile(p, []byte("MemFree:  100 kB\nMemTotal:       16384 kB\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got, ok := memTotal(p); !ok || got != 16384*1024 {
		t.Errorf("memTotal = %v, %v; want %v", got, ok, 16384*1024)
	}
	if _, ok := memTotal(filepath.Join(t.TempDir(), "none")); ok {
		t.Error("memTotal of a missing file: ok")
	}
}

func TestFormat(t *testing.T) {
	for b, want := range map[float64]string{512: "512 B", 1536: "1.5 KiB", 8e9: "7.5 GiB"} {
		if got := Format(b); got != want {
			t.Errorf("Format(%v) = %q; want %q", b, got, want)
		}
	}
}
