package eval

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/eigenssl/eigenssl/linalg"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat/distuv"
)

// Probes lists the probe names NewClassifier and Evaluate accept.
var Probes = []string{"logistic", "ridge", "knn"}

// Protocol describes a downstream evaluation. The zero value means: logistic
// probe with default settings, stratified 80/20 split, all training labels,
// 5 seeds, 95% interval.
type Protocol struct {
	// Probe is "logistic" (default), "ridge" or "knn".
	Probe string
	// Lambda is the L2 penalty of the logistic and ridge probes (0: their
	// default, 1).
	Lambda float64
	// Scale is the feature scaling of the logistic and ridge probes
	// (default ColumnScale; GlobalScale keeps the relative scale of the
	// directions of z). The knn probe always sees z as it is.
	Scale Scaling
	// GradTol is the logistic probe's stopping tolerance (0: its default;
	// see LogisticProbe.GradTol).
	GradTol float64
	// K and Metric configure the knn probe (defaults 5 and Euclidean).
	K      int
	Metric Metric
	// Split is the training fraction in (0, 1) or the training size (>= 1)
	// of the stratified split drawn anew for every seed (default 0.8).
	// Ignored when TrainIdx is set.
	Split float64
	// TrainIdx fixes the training rows; the test rows are all others, or
	// TestIdx when it is set (disjoint from TrainIdx). With a fixed split
	// and LabelsPerClass = 0 every seed gives the same accuracy (the
	// probes are deterministic) and the interval has width 0.
	TrainIdx []int
	TestIdx  []int
	// LabelsPerClass > 0 trains on m labelled samples per class drawn from
	// the training part for every seed (the low-data regime).
	LabelsPerClass int
	// Seeds is the number of repetitions (default 5); run s uses seed
	// Seed+s for its split and labelled subset.
	Seeds int
	Seed  uint64
	// Level is the confidence level of the interval (default 0.95).
	Level float64
}

// Result is the outcome of Evaluate.
type Result struct {
	Probe          string    `json:"probe"`
	Seeds          int       `json:"seeds"`
	LabelsPerClass int       `json:"labels_per_class,omitempty"`
	NTrain         int       `json:"n_train"`
	NTest          int       `json:"n_test"`
	Accuracies     []float64 `json:"accuracies"`
	// NUnlabelled counts the rows with a negative label (Unlabelled),
	// which are neither trained nor tested on.
	NUnlabelled int `json:"n_unlabelled,omitempty"`
	// Mean and Std (sample standard deviation, 1/(S-1); 0 for one seed)
	// of the accuracies.
	Mean float64 `json:"mean"`
	Std  float64 `json:"std"`
	// Low and High bound the Student-t interval
	// Mean ± t_{(1+Level)/2, S-1} Std/√S over the S seeds (equal to Mean
	// when S = 1).
	Low   float64 `json:"ci_low"`
	High  float64 `json:"ci_high"`
	Level float64 `json:"level"`
}

// String formats the result as "logistic: 0.9521 ± 0.0043 (95% CI over 5 seeds)".
func (r *Result) String() string {
	if r.Seeds == 1 {
		// One accuracy has no interval.
		return fmt.Sprintf("%s: %.4f (1 seed, no interval; %d train, %d test)", r.Probe, r.Mean, r.NTrain, r.NTest)
	}
	return fmt.Sprintf("%s: %.4f ± %.4f (%g%% CI over %d seeds; %d train, %d test)",
		r.Probe, r.Mean, (r.High-r.Low)/2, 100*r.Level, r.Seeds, r.NTrain, r.NTest)
}

// NewClassifier returns the probe named by p.Probe with p's settings. An
// unknown name is an ErrParam error listing the valid names.
func NewClassifier(p Protocol) (Classifier, error) {
	switch p.Probe {
	case "", "logistic":
		return &LogisticProbe{Lambda: p.Lambda, Scale: p.Scale, GradTol: p.GradTol}, nil
	case "ridge":
		return &RidgeProbe{Lambda: p.Lambda, Scale: p.Scale}, nil
	case "knn":
		return &KNNClassifier{K: p.K, Metric: p.Metric}, nil
	}
	return nil, newErr("newclassifier", "Probe", p.Probe, detail(ErrParam, "valid probes: %s", strings.Join(Probes, ", ")))
}

// Accuracy returns the fraction of equal entries of pred and y.
func Accuracy(pred, y []int) (float64, error) {
	if len(pred) != len(y) || len(y) == 0 {
		return 0, newErr("accuracy", "pred", len(pred), detail(ErrShape, "%d predictions for %d labels", len(pred), len(y)))
	}
	ok := 0
	for i := range y {
		if pred[i] == y[i] {
			ok++
		}
	}
	return float64(ok) / float64(len(y)), nil
}

// Evaluate fits the protocol's probe on the training rows of z and reports
// its test accuracy over p.Seeds seeds (see Protocol and Result).
func Evaluate(z mat.Matrix, y []int, p Protocol) (*Result, error) {
	const op = "evaluate"
	zd, err := checkX(op, z)
	if err != nil {
		return nil, err
	}
	n, _ := zd.Dims()
	if len(y) != n {
		return nil, newErr(op, "y", len(y), detail(ErrShape, "%d labels for %d rows", len(y), n))
	}
	seeds, level, split := p.Seeds, p.Level, p.Split
	if seeds == 0 {
		seeds = 5
	}
	if level == 0 {
		level = 0.95
	}
	if split == 0 {
		split = 0.8
	}
	if seeds < 1 || level <= 0 || level >= 1 || p.LabelsPerClass < 0 {
		return nil, newErr(op, "Seeds/Level/LabelsPerClass", []any{p.Seeds, p.Level, p.LabelsPerClass}, ErrParam)
	}
	if _, err := NewClassifier(p); err != nil {
		return nil, err
	}
	if err := p.Scale.check(op); err != nil {
		return nil, err
	}
	var fixedTrain, fixedTest []int
	if p.TestIdx != nil && p.TrainIdx == nil {
		return nil, newErr(op, "TestIdx", len(p.TestIdx), detail(ErrParam, "TestIdx needs TrainIdx"))
	}
	if p.TrainIdx != nil {
		fixedTrain, fixedTest, err = complement(p.TrainIdx, n)
		if err != nil {
			return nil, err
		}
		if p.TestIdx != nil {
			if fixedTest, err = within(p.TestIdx, fixedTest, n); err != nil {
				return nil, err
			}
		}
		// Unlabelled rows have no truth to test against.
		fixedTest = slices.DeleteFunc(fixedTest, func(i int) bool { return y[i] < 0 })
	}
	res := &Result{Probe: p.Probe, Seeds: seeds, Level: level, LabelsPerClass: p.LabelsPerClass,
		NUnlabelled: n - len(Labelled(y))}
	if res.Probe == "" {
		res.Probe = "logistic"
	}
	for s := range seeds {
		seed := p.Seed + uint64(s)
		train, test := fixedTrain, fixedTest
		if train == nil {
			if train, test, err = StratifiedSplit(y, split, seed); err != nil {
				return nil, err
			}
		}
		if p.LabelsPerClass > 0 {
			if train, err = LabelsPerClass(y, train, p.LabelsPerClass, seed); err != nil {
				return nil, err
			}
		}
		clf, _ := NewClassifier(p)
		if err := clf.Fit(linalg.SelectRows(zd, train), pick(y, train)); err != nil {
			return nil, err
		}
		pred, err := clf.Predict(linalg.SelectRows(zd, test))
		if err != nil {
			return nil, err
		}
		acc, _ := Accuracy(pred, pick(y, test))
		res.Accuracies = append(res.Accuracies, acc)
		res.NTrain, res.NTest = len(train), len(test)
	}
	res.Mean, res.Std, res.Low, res.High = tInterval(res.Accuracies, level)
	return res, nil
}

// tInterval returns the mean, sample standard deviation and Student-t
// interval of v at the given level.
func tInterval(v []float64, level float64) (mean, sd, lo, hi float64) {
	s := float64(len(v))
	for _, a := range v {
		mean += a / s
	}
	if len(v) < 2 {
		return mean, 0, mean, mean
	}
	for _, a := range v {
		sd += (a - mean) * (a - mean)
	}
	sd = math.Sqrt(sd / (s - 1))
	t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: s - 1}.Quantile((1 + level) / 2)
	h := t * sd / math.Sqrt(s)
	return mean, sd, mean - h, mean + h
}

// complement validates idx and returns it sorted with the other indices.
func complement(idx []int, n int) ([]int, []int, error) {
	in := make([]bool, n)
	for _, i := range idx {
		if i < 0 || i >= n {
			return nil, nil, newErr("evaluate", "TrainIdx", i, detail(ErrShape, "index outside 0..%d", n-1))
		}
		if in[i] {
			return nil, nil, newErr("evaluate", "TrainIdx", i, detail(ErrParam, "duplicate index"))
		}
		in[i] = true
	}
	var test []int
	for i, b := range in {
		if !b {
			test = append(test, i)
		}
	}
	if len(idx) == 0 || len(test) == 0 {
		return nil, nil, newErr("evaluate", "TrainIdx", len(idx), detail(ErrParam, "need at least one training and one test row of %d", n))
	}
	train := slices.Clone(idx)
	slices.Sort(train)
	return train, test, nil
}

// within validates test (indices in 0..n-1, no duplicates, all in the
// sorted set allowed, i.e. not training rows) and returns it sorted.
func within(test, allowed []int, n int) ([]int, error) {
	out := slices.Clone(test)
	slices.Sort(out)
	for k, i := range out {
		if i < 0 || i >= n {
			return nil, newErr("evaluate", "TestIdx", i, detail(ErrShape, "index outside 0..%d", n-1))
		}
		if k > 0 && out[k-1] == i {
			return nil, newErr("evaluate", "TestIdx", i, detail(ErrParam, "duplicate index"))
		}
		if _, ok := slices.BinarySearch(allowed, i); !ok {
			return nil, newErr("evaluate", "TestIdx", i, detail(ErrParam, "row is also in TrainIdx"))
		}
	}
	if len(out) == 0 {
		return nil, newErr("evaluate", "TestIdx", 0, detail(ErrParam, "need at least one test row"))
	}
	return out, nil
}

func pick(y []int, idx []int) []int {
	out := make([]int, len(idx))
	for k, i := range idx {
		out[k] = y[i]
	}
	return out
}
