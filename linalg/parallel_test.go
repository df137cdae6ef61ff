package linalg

import (
	"runtime"
	"sync"
	"testing"
)

// ParallelRange covers [0, n) exactly once with disjoint contiguous chunks,
// whatever n, grain and GOMAXPROCS.
func TestParallelRange(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, procs := range []int{1, 2, 5} {
		runtime.GOMAXPROCS(procs)
		for _, n := range []int{0, 1, 7, 64, 1000} {
			for _, grain := range []int{0, 1, 3, 100} {
				hits := make([]int, n)
				var mu sync.Mutex
				calls := 0
				ParallelRange(n, grain, func(lo, hi int) {
					if lo >= hi {
						t.Errorf("procs=%d n=%d grain=%d: empty chunk [%d, %d)", procs, n, grain, lo, hi)
					}
					mu.Lock()
					calls++
					mu.Unlock()
					for i := lo; i < hi; i++ {
						hits[i]++
					}
				})
				for i, h := range hits {
					if h != 1 {
						t.Fatalf("procs=%d n=%d grain=%d: item %d visited %d times", procs, n, grain, i, h)
					}
				}
				if g := max(grain, 1); (n < 2*g || procs == 1) && calls > 1 {
					t.Errorf("procs=%d n=%d grain=%d: %d calls; want 1 (serial)", procs, n, grain, calls)
				}
				if calls > procs {
					t.Errorf("procs=%d n=%d grain=%d: %d calls; want at most GOMAXPROCS", procs, n, grain, calls)
				}
			}
		}
	}
}
