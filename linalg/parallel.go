package linalg

import (
	"runtime"
	"sync"
)

// ParallelRange calls f(lo, hi) on contiguous chunks [lo, hi) covering
// [0, n), from w = min(GOMAXPROCS, ceil(n/grain)) goroutines, chunks of
// ceil(n/w) items; it runs f(0, n) on the calling goroutine when n < 2 grain
// or GOMAXPROCS is 1 (grain < 1 means 1). It returns when every call has.
//
// f must write only to items lo..hi-1 of its outputs (and reduce over each
// item in a fixed order), so that results do not depend on the chunking and
// are bit-reproducible whatever the number of goroutines. Choose grain so
// that grain items are worth a goroutine (of the order of 10^4 flops).
func ParallelRange(n, grain int, f func(lo, hi int)) {
	grain = max(grain, 1)
	w := runtime.GOMAXPROCS(0)
	if w > 1 && n >= 2*grain {
		w = min(w, (n+grain-1)/grain)
	} else {
		w = 1
	}
	if w == 1 {
		if n > 0 {
			f(0, n)
		}
		return
	}
	var wg sync.WaitGroup
	chunk := (n + w - 1) / w
	for lo := 0; lo < n; lo += chunk {
		hi := min(lo+chunk, n)
		wg.Add(1)
		go func() { defer wg.Done(); f(lo, hi) }()
	}
	wg.Wait()
}
