package linalg

import (
	"math"
	"math/rand/v2"
	"testing"
)

// refRowSqDist is the test's own copy of RowSqDist's documented summation.
func refRowSqDist(a, b []float64) float64 {
	var p [16]float64
	for t := range a {
		e := a[t] - b[t]
		p[t%16] = math.FMA(e, e, p[t%16])
	}
	var q [4]float64
	for l := range q {
		q[l] = (p[l] + p[4+l]) + (p[8+l] + p[12+l])
	}
	return (q[0] + q[1]) + (q[2] + q[3])
}

// sqDistInputs returns pairs of vectors of every length 0..40 and 785, with
// entries spread over many binades so that the summation order shows.
func sqDistInputs() [][2][]float64 {
	rng := rand.New(rand.NewPCG(5, 6))
	var out [][2][]float64
	lens := []int{785}
	for n := 0; n <= 40; n++ {
		lens = append(lens, n)
	}
	for _, n := range lens {
		for range 20 {
			a, b := make([]float64, n), make([]float64, n+3) // b may be longer
			for i := range a {
				a[i], b[i] = rng.NormFloat64()*math.Exp(4*rng.NormFloat64()), rng.NormFloat64()
			}
			out = append(out, [2][]float64{a, b})
		}
	}
	return out
}

// TestRowSqDistSummation checks RowSqDist bit for bit against the documented
// summation, and against the plain sum within a relative 1e-13.
func TestRowSqDistSummation(t *testing.T) {
	for _, ab := range sqDistInputs() {
		a, b := ab[0], ab[1]
		got, want := RowSqDist(a, b), refRowSqDist(a, b)
		if got != want {
			t.Fatalf("len %d: RowSqDist %v; documented summation %v", len(a), got, want)
		}
		plain := 0.0
		for i := range a {
			plain += (a[i] - b[i]) * (a[i] - b[i])
		}
		if math.Abs(got-plain) > 1e-13*plain {
			t.Fatalf("len %d: RowSqDist %v; plain sum %v", len(a), got, plain)
		}
	}
}
