// Command le times eigenssl's Laplacian eigenmaps on Fashion-MNIST, next to
// bench/le_sklearn.py (scikit-learn's SpectralEmbedding, same data and
// parameters); bench/run_le.sh runs both and prints the ratios.
//
// Usage:
//
//	go run [-tags openblas] ./bench/le [-sizes 10000,20000,70000] [-json out.json] [-compare emb.npy]
//	    [-pca-above N] [-approx] [-seed S]
//
// Data: Debian's dataset-fashion-mnist (data.Load("fashion-mnist") with
// Split "all"), raw 784-d / 255, the first N rows of train+test (train
// first). Above -pca-above points (default 20000) the rows are first reduced
// to 50 dimensions by linalg.TopPCA, timed separately, as the Python script
// does. The embedding is scikit-learn's: the kNN connectivity affinity with
// the point itself among the k = 15 neighbours, G = (A + Aᵀ)/2 (graph.KNN
// with SklearnConnectivity, the graph LaplacianEigenmaps.Fit builds), the
// normalised Laplacian, the first eigenvector dropped, 10 components
// (LaplacianEigenmaps.FitGraph: linalg.Eigs on D^{-1/2} G D^{-1/2}).
//
// With -approx the kNN graph is graph.KNN's approximate one (NN-descent,
// seeded by -seed); -pca-above 70000 keeps all 784 dimensions at N = 70,000.
//
// Phases timed (wall clock, seconds): pca_s (0 unless reduced), knn_s (the
// kNN graph), eig_s (connectivity check and eigensolve), le_s =
// knn_s + eig_s (what scikit-learn's fit_transform covers) and total_s =
// pca_s + le_s. cpu_s is the process CPU time of le_s (all threads),
// knn_cpu_s and eig_cpu_s its parts. One
// JSON line per size goes to stdout; -json also writes them as a JSON array
// (atomically).
//
// -compare reads an N x 10 embedding saved by le_sklearn.py
// --save-embedding and, for the size with that N, prints the largest
// principal angle between the two 10-d subspaces after multiplying the rows
// by sqrt(degree) (both embeddings are D^{-1/2} u), and the Rayleigh
// quotients of L_sym for scikit-learn's columns next to eigenssl's
// eigenvalues.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/eigenssl/eigenssl/data"
	"github.com/eigenssl/eigenssl/graph"
	"github.com/eigenssl/eigenssl/internal/cputime"
	"github.com/eigenssl/eigenssl/linalg"
	"github.com/eigenssl/eigenssl/spectral"
	"gonum.org/v1/gonum/mat"
)

var (
	eigTol float64
	approx bool
	seed   uint64
)

const (
	neighbors  = 15
	components = 10
	pcaDim     = 50
)

func main() {
	sizes := flag.String("sizes", "10000,20000,70000", "comma-separated N")
	pcaAbove := flag.Int("pca-above", 20000, "PCA to 50 dimensions when N exceeds this")
	jsonOut := flag.String("json", "", "also write the records as a JSON array to this file")
	compare := flag.String("compare", "", "scikit-learn embedding (.npy, N x 10) to compare with at its N")
	flag.BoolVar(&approx, "approx", false, "approximate kNN graph (graph.KNNOptions.Approx, NN-descent) instead of the exact one")
	flag.Uint64Var(&seed, "seed", 0, "seed of the approximate kNN graph")
	flag.Float64Var(&eigTol, "tol", 0, "eigensolver tolerance (LaplacianEigenmaps.Tol; 0 = linalg's default 1e-10)")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	flag.Parse()
	stopProfile, err := cputime.StartProfile(*cpuProfile)
	if err != nil {
		fmt.Fprintln(os.Stderr, "le bench:", err)
		os.Exit(1)
	}
	defer stopProfile()
	if err := run(*sizes, *pcaAbove, *jsonOut, *compare); err != nil {
		fmt.Fprintln(os.Stderr, "le bench:", err)
		stopProfile()
		os.Exit(1)
	}
}

func run(sizes string, pcaAbove int, jsonOut, compare string) error {
	var ref *mat.Dense
	if compare != "" {
		var err error
		if ref, err = data.ReadMatrix(compare); err != nil {
			return err
		}
	}
	ds, err := data.Load("fashion-mnist", data.LoadOptions{Split: "all"})
	if err != nil {
		return err
	}
	var recs []map[string]any
	for _, s := range strings.Split(sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 2 || n > ds.Len() {
			return fmt.Errorf("bad size %q (want 2..%d)", s, ds.Len())
		}
		rec, err := one(ds, n, pcaAbove, ref)
		if err != nil {
			return fmt.Errorf("N=%d: %w", n, err)
		}
		b, _ := json.Marshal(rec)
		fmt.Println(string(b))
		recs = append(recs, rec)
	}
	if jsonOut != "" {
		return data.WriteJSON(jsonOut, recs)
	}
	return nil
}

func one(ds *data.Dataset, n, pcaAbove int, ref *mat.Dense) (map[string]any, error) {
	_, d := ds.X.Dims()
	x := mat.DenseCopyOf(ds.X.Slice(0, n, 0, d))
	pcaS := 0.0
	if n > pcaAbove {
		t := time.Now()
		scores, _, _, err := linalg.TopPCA(x, pcaDim, 0)
		if err != nil {
			return nil, err
		}
		pcaS = time.Since(t).Seconds()
		x = scores
		_, d = x.Dims()
	}
	runtime.GC()
	c0 := cputime.Process()
	t := time.Now()
	g, _, err := graph.KNN(x, neighbors, graph.KNNOptions{SklearnConnectivity: true, Approx: approx, Seed: seed})
	if err != nil {
		return nil, err
	}
	knnS := time.Since(t).Seconds()
	c1 := cputime.Process()
	t = time.Now()
	le := &spectral.LaplacianEigenmaps{Components: components, Neighbors: neighbors, Tol: eigTol}
	if err := le.FitGraph(nil, g); err != nil {
		return nil, err
	}
	eigS := time.Since(t).Seconds()
	cpu := cputime.Process() - c0
	rec := map[string]any{
		"tool": "eigenssl", "backend": linalg.Backend(), "gomaxprocs": runtime.GOMAXPROCS(0),
		"openblas_num_threads": os.Getenv("OPENBLAS_NUM_THREADS"),
		"N":                    n, "D": d, "nnz": g.NNZ(), "approx": approx,
		"pca_s": pcaS, "knn_s": knnS, "eig_s": eigS, "le_s": knnS + eigS, "total_s": pcaS + knnS + eigS,
		"cpu_s": cpu, "knn_cpu_s": c1 - c0, "eig_cpu_s": cpu - (c1 - c0), "tol": eigTol,
		"eigenvalues": le.Eigenvalues(),
	}
	if ref != nil {
		if r, _ := ref.Dims(); r == n {
			cmp, err := compareEmbedding(le, ref)
			if err != nil {
				return nil, err
			}
			for k, v := range cmp {
				rec[k] = v
			}
		}
	}
	return rec, nil
}

// compareEmbedding measures the agreement of scikit-learn's embedding ref
// (rows D^{-1/2} u) with eigenssl's on the same graph.
func compareEmbedding(le *spectral.LaplacianEigenmaps, ref *mat.Dense) (map[string]any, error) {
	z := le.Embedding()
	n, k := z.Dims()
	if r, c := ref.Dims(); r != n || c != k {
		return nil, fmt.Errorf("compare: reference is %dx%d, embedding %dx%d", r, c, n, k)
	}
	deg := le.Degree()
	ua, ub := mat.DenseCopyOf(z), mat.DenseCopyOf(ref)
	for i := 0; i < n; i++ {
		s := math.Sqrt(deg[i])
		for j := 0; j < k; j++ {
			ua.Set(i, j, ua.At(i, j)*s)
			ub.Set(i, j, ub.At(i, j)*s)
		}
	}
	ang, err := linalg.PrincipalAngles(ua, ub)
	if err != nil {
		return nil, err
	}
	// Rayleigh quotients of L_sym = I − A_n for the reference columns.
	an, err := graph.NormalizedAdjacency(le.Graph())
	if err != nil {
		return nil, err
	}
	col := make([]float64, n)
	prod := make([]float64, n)
	rq := make([]float64, k)
	for j := 0; j < k; j++ {
		mat.Col(col, j, ub)
		an.MulVecTo(prod, col)
		num, den := 0.0, 0.0
		for i, v := range col {
			num += v * prod[i]
			den += v * v
		}
		rq[j] = 1 - num/den
	}
	maxAng := ang[len(ang)-1]
	fmt.Fprintf(os.Stderr, "compare N=%d: largest principal angle %.3g rad (%.3g deg); angles %v\n", n, maxAng, maxAng*180/math.Pi, ang)
	fmt.Fprintf(os.Stderr, "compare N=%d: eigenssl eigenvalues %v\n", n, le.Eigenvalues())
	fmt.Fprintf(os.Stderr, "compare N=%d: sklearn Rayleigh quotients %v\n", n, rq)
	return map[string]any{"compare_max_angle": maxAng, "compare_angles": ang, "compare_sklearn_rayleigh": rq}, nil
}
