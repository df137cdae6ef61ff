package linalg

import (
	"math"

	"github.com/eigenssl/eigenssl/internal/asm"
)

// sqDistLanes is the number of partial sums of RowSqDist.
const sqDistLanes = 16

// hasSqDistKernel reports whether RowSqDist uses asm.SqDist16 (a variable
// so that a test can run the Go path on the same machine).
var hasSqDistKernel = asm.HasSqDist

// RowSqDist returns the squared Euclidean distance sum_t (a_t − b_t)² of two
// vectors of equal length (b may be longer; its first len(a) entries are
// used). It is the one exact distance of the module: every kNN search,
// query and re-ranking decides on it, so near-ties resolve the same way
// everywhere.
//
// Summation (documented because near-ties depend on it): term t is added to
// partial sum p[t mod 16] with a fused multiply-add, p ← fma(e, e, p) for
// e = a_t − b_t, in order of t; the partial sums are then combined as
// q_l = (p_l + p_{4+l}) + (p_{8+l} + p_{12+l}) for l < 4 and
// (q_0 + q_1) + (q_2 + q_3). On amd64 with AVX2 and FMA the 16 partial sums
// are four YMM registers (internal/asm.SqDist16); elsewhere the same
// order in Go (math.FMA is exact in software too), so the result is the same
// bit for bit on every path.
func RowSqDist(a, b []float64) float64 {
	b = b[:len(a)]
	var p [sqDistLanes]float64
	t := 0
	if hasSqDistKernel && len(a) >= sqDistLanes {
		t = len(a) &^ (sqDistLanes - 1)
		asm.SqDist16(t, &a[0], &b[0], &p)
	}
	for ; t < len(a); t++ {
		e := a[t] - b[t]
		p[t%sqDistLanes] = math.FMA(e, e, p[t%sqDistLanes])
	}
	var q [4]float64
	for l := range q {
		q[l] = (p[l] + p[4+l]) + (p[8+l] + p[12+l])
	}
	return (q[0] + q[1]) + (q[2] + q[3])
}
