// Command knn times eigenssl's exact and approximate k-nearest-neighbour
// search on Fashion-MNIST, next to bench/knn_ref.py (faiss IndexFlatL2 and
// pynndescent on the same data); bench/run_knn.sh runs both and prints the
// ratios.
//
// Usage:
//
//	go run [-tags openblas] ./bench/knn [-n 70000] [-k 15] [-mode exact,approx]
//	    [-seed 0] [-save-exact idx.npy] [-ref idx.npy] [-json out.json]
//
// Data: Debian's dataset-fashion-mnist (data.Load("fashion-mnist") with
// Split "all"), raw 784-d / 255, the first N rows of train+test, no PCA.
// exact is graph.Neighbors, approx graph.Neighbors with Approx (NN-descent).
// Recall@k of the approximate lists is measured against the exact lists of
// the same run, or against -ref (an N x k index matrix written by
// -save-exact) when exact is not run. One JSON line per mode: wall and
// process CPU seconds (all threads), GOMAXPROCS, backend, recall.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"

	"gonum.org/v1/gonum/mat"

	"github.com/eigenssl/eigenssl/data"
	"github.com/eigenssl/eigenssl/graph"
	"github.com/eigenssl/eigenssl/internal/cputime"
	"github.com/eigenssl/eigenssl/linalg"
)

func main() {
	n := flag.Int("n", 70000, "number of rows (first N of train+test)")
	k := flag.Int("k", 15, "neighbours per point (the point itself excluded)")
	modes := flag.String("mode", "exact,approx", "comma-separated: exact, approx")
	seed := flag.Uint64("seed", 0, "seed of the approximate search")
	saveExact := flag.String("save-exact", "", "write the exact N x k indices to this .npy")
	refPath := flag.String("ref", "", "exact N x k indices (.npy) for the recall of approx")
	jsonOut := flag.String("json", "", "also write the records as a JSON array to this file")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	flag.Parse()
	stopProfile, err := cputime.StartProfile(*cpuProfile)
	if err != nil {
		fmt.Fprintln(os.Stderr, "knn bench:", err)
		os.Exit(1)
	}
	defer stopProfile()
	if err := run(*n, *k, *modes, *seed, *saveExact, *refPath, *jsonOut); err != nil {
		stopProfile()
		fmt.Fprintln(os.Stderr, "knn bench:", err)
		os.Exit(1)
	}
}

func run(n, k int, modes string, seed uint64, saveExact, refPath, jsonOut string) error {
	ds, err := data.Load("fashion-mnist", data.LoadOptions{Split: "all"})
	if err != nil {
		return err
	}
	if n < 2 || n > ds.Len() {
		return fmt.Errorf("-n %d: want 2..%d", n, ds.Len())
	}
	_, d := ds.X.Dims()
	x := mat.DenseCopyOf(ds.X.Slice(0, n, 0, d))
	var ref []int
	if refPath != "" {
		m, err := data.ReadMatrix(refPath)
		if err != nil {
			return err
		}
		if r, c := m.Dims(); r != n || c != k {
			return fmt.Errorf("-ref %s is %dx%d, want %dx%d", refPath, r, c, n, k)
		}
		ref = make([]int, n*k)
		for i := range ref {
			ref[i] = int(m.At(i/k, i%k))
		}
	}
	var recs []map[string]any
	for _, mode := range strings.Split(modes, ",") {
		opt := graph.KNNOptions{}
		switch mode {
		case "exact":
		case "approx":
			opt.Approx, opt.Seed = true, seed
		default:
			return fmt.Errorf("-mode %q: want exact or approx", mode)
		}
		runtime.GC()
		c0 := cputime.Process()
		t := time.Now()
		idx, _, err := graph.Neighbors(x, k, opt)
		if err != nil {
			return err
		}
		wall := time.Since(t).Seconds()
		rec := map[string]any{
			"tool": "eigenssl", "mode": mode, "backend": linalg.Backend(), "gomaxprocs": runtime.GOMAXPROCS(0),
			"N": n, "D": d, "k": k, "wall_s": wall, "cpu_s": cputime.Process() - c0, "seed": seed,
		}
		if mode == "exact" {
			if ref == nil {
				ref = idx
			}
			if saveExact != "" {
				m := mat.NewDense(n, k, nil)
				for i, j := range idx {
					m.Set(i/k, i%k, float64(j))
				}
				if err := data.WriteMatrix(saveExact, m); err != nil {
					return err
				}
			}
		}
		if mode == "approx" && ref != nil {
			rec["recall"] = recall(ref, idx, k)
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

// recall is the fraction of the exact lists' entries found in the
// approximate lists (row by row, order ignored).
func recall(exact, approx []int, k int) float64 {
	hit := 0
	for i := 0; i < len(exact)/k; i++ {
		for _, j := range approx[i*k : (i+1)*k] {
			if slices.Contains(exact[i*k:(i+1)*k], j) {
				hit++
			}
		}
	}
	return float64(hit) / float64(len(exact))
}
