package eval

import (
	"math"
	"math/rand/v2"
	"slices"
	"sort"
)

// StratifiedSplit splits the indices 0..len(y)-1 into a training and a test
// part with (as nearly as possible) the class proportions of y in both.
// train in (0, 1) is the training fraction (the training size is
// round(train·N)); train >= 1 is the training size itself. Class c gets
// floor(nTrain·n_c/N) training samples and the remaining ones go to the
// classes with the largest fractional parts (ties broken by a seeded random
// order); the samples of each class are drawn uniformly without
// replacement. Both parts are sorted and depend only on (y, train, seed).
//
// Rows with a negative label (Unlabelled) are in neither part, and N
// counts the labelled rows only (see Labelled).
func StratifiedSplit(y []int, train float64, seed uint64) (trainIdx, testIdx []int, err error) {
	const op = "stratifiedsplit"
	labelled := Labelled(y)
	n := len(labelled)
	if n < 2 {
		return nil, nil, newErr(op, "y", n, detail(ErrEmpty, "need at least 2 labelled samples"))
	}
	var nTrain int
	switch {
	case train > 0 && train < 1:
		nTrain = int(math.Round(train * float64(n)))
	case train >= 1 && train == math.Trunc(train):
		nTrain = int(train)
	default:
		return nil, nil, newErr(op, "train", train, detail(ErrParam, "want a fraction in (0, 1) or a count"))
	}
	if nTrain < 1 || nTrain >= n {
		return nil, nil, newErr(op, "train", train, detail(ErrParam, "training size %d leaves no training or no test sample of %d", nTrain, n))
	}
	rng := rand.New(rand.NewPCG(seed, 0x57a7))
	byClass, classes := groupByClass(y)
	classes = slices.DeleteFunc(classes, func(c int) bool { return c < 0 })
	for c := range byClass {
		if c < 0 {
			delete(byClass, c)
		}
	}
	quota := make([]int, len(classes))
	frac := make([]float64, len(classes))
	got := 0
	for k, c := range classes {
		exact := float64(nTrain) * float64(len(byClass[c])) / float64(n)
		quota[k] = int(math.Floor(exact))
		frac[k] = exact - float64(quota[k])
		got += quota[k]
	}
	order := rng.Perm(len(classes))
	sort.SliceStable(order, func(a, b int) bool { return frac[order[a]] > frac[order[b]] })
	for i := 0; got < nTrain; i++ {
		k := order[i%len(order)]
		if quota[k] < len(byClass[classes[k]]) {
			quota[k]++
			got++
		}
	}
	for k, c := range classes {
		members := byClass[c]
		perm := rng.Perm(len(members))
		for r, p := range perm {
			if r < quota[k] {
				trainIdx = append(trainIdx, members[p])
			} else {
				testIdx = append(testIdx, members[p])
			}
		}
	}
	slices.Sort(trainIdx)
	slices.Sort(testIdx)
	return trainIdx, testIdx, nil
}

// Unlabelled is the label of a row without a class. Every negative label
// means "unlabelled" throughout eigenssl: graph.Labels gives such a row no
// edges (the closed forms treat it as unsupervised), StratifiedSplit and
// Evaluate leave it out of training and testing, and a classifier's Fit
// refuses it.
const Unlabelled = -1

// Labelled returns the indices of the rows of y with a label >= 0, in
// order.
func Labelled(y []int) []int {
	out := make([]int, 0, len(y))
	for i, c := range y {
		if c >= 0 {
			out = append(out, i)
		}
	}
	return out
}

func groupByClass(y []int) (map[int][]int, []int) {
	by := map[int][]int{}
	var classes []int
	for i, c := range y {
		if _, ok := by[c]; !ok {
			classes = append(classes, c)
		}
		by[c] = append(by[c], i)
	}
	slices.Sort(classes)
	return by, classes
}

// LabelsPerClass returns m indices of each class drawn uniformly without
// replacement from idx (indices into y), sorted: the labelled subset of the
// low-data regime. A class with fewer than m samples in idx is an error
// (ErrLabels) naming it.
func LabelsPerClass(y []int, idx []int, m int, seed uint64) ([]int, error) {
	const op = "labelsperclass"
	if m < 1 {
		return nil, newErr(op, "m", m, ErrParam)
	}
	sub := make([]int, len(idx))
	for k, i := range idx {
		if i < 0 || i >= len(y) {
			return nil, newErr(op, "idx", i, detail(ErrShape, "index outside 0..%d", len(y)-1))
		}
		sub[k] = y[i]
	}
	byClass, classes := groupByClass(sub)
	rng := rand.New(rand.NewPCG(seed, 0x1abe1))
	var out []int
	for _, c := range classes {
		members := byClass[c]
		if len(members) < m {
			return nil, newErr(op, "m", m, detail(ErrLabels, "class %d has only %d samples in the training part", c, len(members)))
		}
		for _, p := range rng.Perm(len(members))[:m] {
			out = append(out, idx[members[p]])
		}
	}
	slices.Sort(out)
	return out, nil
}
