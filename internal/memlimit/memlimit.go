// Package memlimit is the memory budget every size check of eigenssl
// compares a request with before allocating it, so that a request that
// cannot fit (a 10^9-sample data set, /dev/zero read as a matrix) is refused
// with a message instead of crashing the process out of memory.
//
// The budget is, in order:
//
//  1. the environment variable EIGENSSL_MEMORY_LIMIT, a byte count with an
//     optional binary suffix K, M, G or T (e.g. "512M", "64G");
//  2. half of the physical memory (MemTotal of /proc/meminfo);
//  3. 8 GiB where /proc/meminfo cannot be read.
//
// A request is checked on its own (other allocations of the process are not
// counted); the half of physical memory leaves room for them.
package memlimit

import (
	"bufio"
	"errors"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
)

// EnvVar is the environment variable that overrides the budget.
const EnvVar = "EIGENSSL_MEMORY_LIMIT"

// Fallback is the budget when neither EnvVar nor /proc/meminfo gives one.
const Fallback = 8 << 30

// ErrTooLarge is wrapped by the errors of Check.
var ErrTooLarge = errors.New("request exceeds the memory limit")

// Limit returns the budget in bytes and where it comes from (for
// messages). A malformed EnvVar is an error.
func Limit() (bytes float64, source string, err error) {
	if v, ok := os.LookupEnv(EnvVar); ok && strings.TrimSpace(v) != "" {
		b, err := ParseSize(v)
		if err != nil {
			return 0, "", fmt.Errorf("%s=%q: %w", EnvVar, v, err)
		}
		return b, EnvVar, nil
	}
	if total, ok := memTotal("/proc/meminfo"); ok {
		return total / 2, "half of physical memory (/proc/meminfo); set " + EnvVar + " to change", nil
	}
	return Fallback, "default; set " + EnvVar + " to change", nil
}

// memTotal reads MemTotal (bytes) from a meminfo file.
func memTotal(path string) (float64, bool) {
	f, err := os.Open(path)
	if err != nil {
		return 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 2 && fields[0] == "MemTotal:" {
			kb, err := strconv.ParseFloat(fields[1], 64)
			if err != nil || !(kb > 0) {
				return 0, false
			}
			return kb * 1024, true
		}
	}
	return 0, false
}

// ParseSize parses a byte count with an optional binary suffix K, M, G or
// T (case-insensitive, an optional trailing "B"/"iB" allowed): "4096",
// "512M", "1.5GiB". The size must be finite and > 0.
func ParseSize(s string) (float64, error) {
	t := strings.ToUpper(strings.TrimSpace(s))
	t = strings.TrimSuffix(strings.TrimSuffix(t, "B"), "I")
	mult := 1.0
	if n := len(t); n > 0 {
		if i := strings.IndexByte("KMGT", t[n-1]); i >= 0 {
			mult = math.Pow(1024, float64(i+1))
			t = t[:n-1]
		}
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(t), 64)
	if err != nil || !(v > 0) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("want a size > 0 such as 4096, 512M or 64G, got %q", s)
	}
	return v * mult, nil
}

// Check returns nil when a request of bytes fits the budget, else an error
// wrapping ErrTooLarge that states the request (what, e.g. "1000000000 x
// 20 float64 matrix"), its size and the limit with its source. bytes is a
// float64 so that products of huge counts do not overflow.
func Check(what string, bytes float64) error {
	limit, source, err := Limit()
	if err != nil {
		return err
	}
	if bytes <= limit {
		return nil
	}
	return tooLarge(fmt.Sprintf("%s needs %s, above the memory limit %s (%s)", what, Format(bytes), Format(limit), source))
}

// tooLarge is the error of Check: its message without ErrTooLarge's text
// (callers wrap it in their own sentinel), yet errors.Is(err, ErrTooLarge).
type tooLarge string

func (e tooLarge) Error() string        { return string(e) }
func (e tooLarge) Is(target error) bool { return target == ErrTooLarge }

// Format writes a byte count with a binary unit: "512 B", "1.5 GiB".
func Format(bytes float64) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}
	i := 0
	for bytes >= 1024 && i < len(units)-1 {
		bytes /= 1024
		i++
	}
	if i == 0 {
		return fmt.Sprintf("%.0f B", bytes)
	}
	return fmt.Sprintf("%.1f %s", bytes, units[i])
}
