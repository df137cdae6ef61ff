package advise

import (
	"math"
	"slices"
	"sort"

	"gonum.org/v1/gonum/stat"
)

// ranks returns the 1-based ranks of a (ascending), ties sharing their
// average rank.
func ranks(a []float64) []float64 {
	idx := make([]int, len(a))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(x, y int) bool { return a[idx[x]] < a[idx[y]] })
	r := make([]float64, len(a))
	for i := 0; i < len(idx); {
		j := i
		for j+1 < len(idx) && a[idx[j+1]] == a[idx[i]] {
			j++
		}
		avg := float64(i+j)/2 + 1
		for t := i; t <= j; t++ {
			r[idx[t]] = avg
		}
		i = j + 1
	}
	return r
}

// Spearman returns Spearman's rank correlation of a and b (the Pearson
// correlation of their average ranks, so ties are handled), or NaN when
// the lengths differ, fewer than two values are given or either side is
// constant.
func Spearman(a, b []float64) float64 {
	if len(a) != len(b) || len(a) < 2 {
		return math.NaN()
	}
	return stat.Correlation(ranks(a), ranks(b), nil)
}

// quantile returns the q-quantile of v (linear interpolation between order
// statistics, numpy's default); NaN for an empty v.
func quantile(v []float64, q float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	s := slices.Clone(v)
	slices.Sort(s)
	h := q * float64(len(s)-1)
	lo := int(math.Floor(h))
	hi := min(lo+1, len(s)-1)
	return s[lo] + (h-float64(lo))*(s[hi]-s[lo])
}

// meanStd returns the mean and the sample standard deviation (1/(n−1); 0 for
// one value).
func meanStd(v []float64) (float64, float64) {
	if len(v) == 0 {
		return math.NaN(), math.NaN()
	}
	var m float64
	for _, x := range v {
		m += x
	}
	m /= float64(len(v))
	if len(v) == 1 {
		return m, 0
	}
	var ss float64
	for _, x := range v {
		ss += (x - m) * (x - m)
	}
	return m, math.Sqrt(ss / float64(len(v)-1))
}

// median returns the median of v (NaN values dropped; NaN when none is left).
func median(v []float64) float64 {
	w := slices.DeleteFunc(slices.Clone(v), math.IsNaN)
	return quantile(w, 0.5)
}
