package graph

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestNeighborHeaps offers random pairs with many distance ties (and, for
// pushUnique, repeated indices) in a shuffled order and checks each row
// against the k smallest distinct pairs under (distance, index) found by a
// full sort, the running kth value, and the order of sorted.
func TestNeighborHeaps(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	const n, k, offers = 7, 5, 40
	type pair struct {
		d float64
		j int
	}
	for _, unique := range []bool{false, true} {
		h := newNeighborHeaps(n, k, true)
		for i := 0; i < n; i++ {
			var all []pair
			seen := map[int]bool{}
			for o := 0; o < offers; o++ {
				j := rng.IntN(60)
				if !unique && seen[j] {
					continue
				}
				e := float64(rng.IntN(6)) // many ties
				if unique {
					e = float64(j % 6) // a repeated index repeats its distance
				}
				var kept bool
				if unique {
					kept = h.pushUnique(i, j, e)
				} else {
					kept = h.push(i, j, e)
				}
				if !seen[j] {
					all = append(all, pair{e, j})
				} else if kept {
					t.Fatalf("unique=%v row %d: repeated index %d was kept", unique, i, j)
				}
				seen[j] = true
				slices.SortFunc(all, func(x, y pair) int {
					if c := cmp.Compare(x.d, y.d); c != 0 {
						return c
					}
					return cmp.Compare(x.j, y.j)
				})
				if len(all) >= k && h.kth[i] != all[k-1].d {
					t.Fatalf("unique=%v row %d: kth = %v; want %v", unique, i, h.kth[i], all[k-1].d)
				}
			}
			want := all[:k]
			got := make([]pair, k)
			for q := range got {
				got[q] = pair{h.d[i*k+q], h.idx[i*k+q]}
			}
			slices.SortFunc(got, func(x, y pair) int {
				if c := cmp.Compare(x.d, y.d); c != 0 {
					return c
				}
				return cmp.Compare(x.j, y.j)
			})
			if !slices.Equal(got, want) {
				t.Fatalf("unique=%v row %d: got %v; want %v", unique, i, got, want)
			}
		}
		idx, d2 := h.sorted(nil)
		for i := 0; i < n; i++ {
			for q := 1; q < k; q++ {
				a, b := i*k+q-1, i*k+q
				if d2[a] > d2[b] || (d2[a] == d2[b] && idx[a] >= idx[b]) {
					t.Fatalf("unique=%v row %d not sorted: %v %v", unique, i, idx[i*k:(i+1)*k], d2[i*k:(i+1)*k])
				}
			}
		}
	}
}

// TestNeighborHeapsFreshFlags checks that the fresh flag travels with its
// entry through the heap's swaps: after a clear, exactly the pairs inserted
// later are marked.
func TestNeighborHeapsFreshFlags(t *testing.T) {
	h := newNeighborHeaps(1, 4, true)
	for j, e := range []float64{9, 8, 7, 6} {
		h.push(0, j, e)
	}
	clear(h.fresh)
	h.push(0, 10, 1)   // replaces 9 (index 0)
	h.push(0, 11, 7.5) // replaces 8 (index 1)
	h.push(0, 12, 100) // rejected
	marked := map[int]bool{}
	for t0 := 0; t0 < 4; t0++ {
		marked[h.idx[t0]] = h.fresh[t0]
	}
	want := map[int]bool{10: true, 11: true, 2: false, 3: false}
	for j, f := range want {
		if m, ok := marked[j]; !ok || m != f {
			t.Fatalf("entries %v flags %v: index %d should be listed with fresh=%v", h.idx, h.fresh, j, f)
		}
	}
}
