package experiment

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestCacheComputesOnceAndResumes(t *testing.T) {
	dir := t.TempDir()
	calls := 0
	compute := func() (E2KPoint, error) {
		calls++
		return E2KPoint{Method: "m", K: 3, RankClosed: calls}, nil
	}
	c := &Cache{Dir: dir}
	a, err := cell(c, "t", map[string]int{"k": 3}, compute)
	if err != nil {
		t.Fatal(err)
	}
	// A second use in the same run is a shared cell, not a reused one.
	if _, err := cell(c, "t", map[string]int{"k": 3}, compute); err != nil || calls != 1 || c.Hits != 1 || c.Shared != 1 {
		t.Fatalf("second use in one run: calls %d, hits %d, shared %d, err %v; want 1, 1, 1", calls, c.Hits, c.Shared, err)
	}
	// A new Cache on the same directory is a resumed run.
	c2 := &Cache{Dir: dir}
	b, err := cell(c2, "t", map[string]int{"k": 3}, compute)
	if err != nil {
		t.Fatal(err)
	}
	if calls != 1 || a != b || c2.Hits != 1 || c2.Misses != 0 || c2.Shared != 0 {
		t.Fatalf("calls %d, first %+v, second %+v, hits %d misses %d; want one computation reused", calls, a, b, c2.Hits, c2.Misses)
	}
	// A different key is computed.
	if _, err := cell(c2, "t", map[string]int{"k": 4}, compute); err != nil || calls != 2 {
		t.Fatalf("new key: calls %d, err %v; want a second computation", calls, err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	if len(files) != 2 {
		t.Fatalf("got %d cell files; want 2", len(files))
	}
	// A corrupt (e.g. truncated by a crash of an older writer) file is
	// recomputed, not trusted.
	for _, f := range files {
		if err := os.WriteFile(f, []byte(`{"key":`), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := cell(&Cache{Dir: dir}, "t", map[string]int{"k": 3}, compute); err != nil || calls != 3 {
		t.Fatalf("corrupt file: calls %d, err %v; want a recomputation", calls, err)
	}
	// Failures are not cached.
	boom := errors.New("boom")
	if _, err := cell(c2, "t", "fail", func() (int, error) { return 0, boom }); !errors.Is(err, boom) {
		t.Fatalf("got %v; want boom", err)
	}
	if _, err := cell(c2, "t", "fail", func() (int, error) { return 7, nil }); err != nil {
		t.Fatal(err)
	}
}

func TestNumJSONRoundTripsNaN(t *testing.T) {
	c := &Cache{Dir: t.TempDir()}
	v := Acc{Mean: nan(), Low: 0.25}
	if _, err := cell(c, "t", 1, func() (Acc, error) { return v, nil }); err != nil {
		t.Fatal(err)
	}
	got, err := cell(&Cache{Dir: c.Dir}, "t", 1, func() (Acc, error) { return Acc{}, errors.New("recomputed") })
	if err != nil {
		t.Fatal(err)
	}
	if got.Mean == got.Mean || got.Low != 0.25 {
		t.Fatalf("got %+v; want NaN mean and low 0.25", got)
	}
}
