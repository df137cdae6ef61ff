package eval

import (
	"math"
	"slices"

	"github.com/eigenssl/eigenssl/linalg"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// Metric is a dissimilarity for nearest-neighbour search.
type Metric string

const (
	// Euclidean is ‖a - b‖₂.
	Euclidean Metric = "euclidean"
	// Cosine is 1 - aᵀb / (‖a‖ ‖b‖); a zero vector is at distance 1 from
	// everything.
	Cosine Metric = "cosine"
)

// KNNClassifier predicts the majority label among the K nearest training
// rows (exact search). Ties between labels go to the label whose tied
// neighbours have the smallest summed distance, then to the smallest label;
// ties in distance are broken by the lower training index. Predict costs
// O(M N D) for M queries and N training rows, computed in tiles through
// matrix products, with memory O(tile · N).
type KNNClassifier struct {
	// K is the number of neighbours (default 5; capped at the number of
	// training rows).
	K int
	// Metric is Euclidean (default) or Cosine.
	Metric Metric

	// Learned state.
	Classes_ []int
	x        *mat.Dense
	y        []int
	sqn      []float64 // squared norms (Euclidean) of the training rows
}

// Fit stores the training set (a copy; cosine rows are normalised).
func (k *KNNClassifier) Fit(x mat.Matrix, y []int) error {
	const op = "knn.fit"
	if k.K < 0 {
		return newErr(op, "K", k.K, ErrParam)
	}
	if m := k.metric(); m != Euclidean && m != Cosine {
		return newErr(op, "Metric", string(k.Metric), detail(ErrParam, "want euclidean or cosine"))
	}
	xd, err := checkX(op, x)
	if err != nil {
		return err
	}
	n, _ := xd.Dims()
	classes, _, err := classIndex(op, y, n)
	if err != nil {
		return err
	}
	k.Classes_ = classes
	k.x = k.prep(xd)
	k.y = slices.Clone(y)
	k.sqn = rowSqNorms(k.x)
	return nil
}

func (k *KNNClassifier) metric() Metric {
	if k.Metric == "" {
		return Euclidean
	}
	return k.Metric
}

// prep copies x, normalising rows for the cosine metric.
func (k *KNNClassifier) prep(x *mat.Dense) *mat.Dense {
	out := mat.DenseCopyOf(x)
	if k.metric() == Cosine {
		r, _ := out.Dims()
		for i := range r {
			row := out.RawRowView(i)
			if nr := floats.Norm(row, 2); nr > 0 {
				floats.Scale(1/nr, row)
			}
		}
	}
	return out
}

func rowSqNorms(x *mat.Dense) []float64 {
	r, _ := x.Dims()
	s := make([]float64, r)
	for i := range r {
		row := x.RawRowView(i)
		s[i] = floats.Dot(row, row)
	}
	return s
}

// Predict implements Classifier.
func (k *KNNClassifier) Predict(x mat.Matrix) ([]int, error) {
	const op = "knn.predict"
	if k.x == nil {
		return nil, newErr(op, "", nil, ErrNotFitted)
	}
	xd, err := checkX(op, x)
	if err != nil {
		return nil, err
	}
	m, d := xd.Dims()
	n, dt := k.x.Dims()
	if d != dt {
		return nil, newErr(op, "x", d, detail(ErrShape, "%d columns, fitted on %d", d, dt))
	}
	kk := k.K
	if kk == 0 {
		kk = 5
	}
	kk = min(kk, n)
	q := k.prep(xd)
	qn := rowSqNorms(q)
	out := make([]int, m)
	// Tiles of 256 query rows over linalg.ParallelRange; each row's vote
	// depends only on that row, so the result does not depend on the split.
	const tile = 256
	tiles := (m + tile - 1) / tile
	linalg.ParallelRange(tiles, 1, func(tlo, thi int) {
		var dot mat.Dense
		order := make([]int, n)
		dist := make([]float64, n)
		for t := tlo; t < thi; t++ {
			lo, hi := t*tile, min((t+1)*tile, m)
			dot.Reset()
			dot.Mul(q.Slice(lo, hi, 0, d), k.x.T())
			for i := lo; i < hi; i++ {
				row := dot.RawRowView(i - lo)
				for j := range n {
					if k.metric() == Cosine {
						dist[j] = 1 - row[j]
					} else {
						dist[j] = math.Sqrt(math.Max(0, qn[i]+k.sqn[j]-2*row[j]))
					}
				}
				out[i] = k.vote(dist, order, kk)
			}
		}
	})
	return out, nil
}

// vote returns the label of the majority among the kk nearest. The kk
// nearest are kept sorted by insertion (O(N kk) worst case, O(N) typical).
func (k *KNNClassifier) vote(dist []float64, order []int, kk int) int {
	top := order[:0]
	for j, d := range dist {
		if len(top) == kk && d >= dist[top[kk-1]] {
			continue // ties keep the lower index already in the list
		}
		pos := len(top)
		if len(top) < kk {
			top = append(top, j)
		}
		for pos > 0 && dist[top[pos-1]] > d {
			if pos < kk {
				top[pos] = top[pos-1]
			}
			pos--
		}
		top[pos] = j
	}
	var bestLab, bestN int
	var bestSum float64
	first := true
	for a, j := range top {
		lab := k.y[j]
		seen := false
		for _, i := range top[:a] {
			if k.y[i] == lab {
				seen = true
				break
			}
		}
		if seen {
			continue
		}
		n, sum := 0, 0.0
		for _, i := range top[a:] {
			if k.y[i] == lab {
				n++
				sum += dist[i]
			}
		}
		if first || n > bestN || (n == bestN && (sum < bestSum || (sum == bestSum && lab < bestLab))) {
			bestLab, bestN, bestSum, first = lab, n, sum, false
		}
	}
	return bestLab
}
