package linalg

import "testing"

// TestRowSqDistFallback runs RowSqDist as on a CPU without AVX2/FMA: the Go
// path must give the assembly's results bit for bit.
func TestRowSqDistFallback(t *testing.T) {
	if !hasSqDistKernel {
		t.Log("no AVX2/FMA: RowSqDist already runs the Go path (TestRowSqDistSummation)")
	}
	inputs := sqDistInputs()
	kern := make([]float64, len(inputs))
	for i, ab := range inputs {
		kern[i] = RowSqDist(ab[0], ab[1])
	}
	defer func(v bool) { hasSqDistKernel = v }(hasSqDistKernel)
	hasSqDistKernel = false
	for i, ab := range inputs {
		if got := RowSqDist(ab[0], ab[1]); got != kern[i] {
			t.Fatalf("len %d: Go path %v; kernel %v", len(ab[0]), got, kern[i])
		}
	}
}
