// Command spectral times eigenssl's spectral methods on Fashion-MNIST, next
// to bench/spectral_sklearn.py (scikit-learn, same data and parameters).
//
// Usage: go run ./bench/spectral [-sizes 2000,5000] [-methods le,isomap,kpca,lle]
// (add -tags openblas for the native backend).
//
// Data: the first N rows of the Fashion-MNIST training images (784-d, /255,
// data.Load("fashion-mnist")). Parameters (matching the Python script):
// 10 components, 10 neighbours; LE with scikit-learn's kNN connectivity
// affinity (normalised Laplacian); ISOMAP; kernel PCA with the RBF kernel,
// gamma = 1/784; standard LLE with reg = 1e-3. Each fit is timed once after
// the data are loaded; one JSON line per (method, N) is printed with the
// wall-clock seconds, the process CPU seconds (all threads), the backend and
// GOMAXPROCS.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/eigenssl/eigenssl/data"
	"github.com/eigenssl/eigenssl/internal/cputime"
	"github.com/eigenssl/eigenssl/linalg"
	"github.com/eigenssl/eigenssl/spectral"
	"gonum.org/v1/gonum/mat"
)

func main() {
	sizes := flag.String("sizes", "2000,5000", "comma-separated N")
	methods := flag.String("methods", "le,isomap,kpca,lle", "comma-separated methods")
	flag.Parse()
	ds, err := data.Load("fashion-mnist", data.LoadOptions{})
	if err != nil {
		fmt.Fprintln(os.Stderr, "spectral bench:", err)
		os.Exit(1)
	}
	for _, s := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 2 || n > ds.Len() {
			fmt.Fprintf(os.Stderr, "spectral bench: bad size %q\n", s)
			os.Exit(2)
		}
		_, d := ds.X.Dims()
		x := mat.DenseCopyOf(ds.X.Slice(0, n, 0, d))
		for _, name := range strings.Split(*methods, ",") {
			var m spectral.Estimator
			switch strings.TrimSpace(name) {
			case "le":
				m = &spectral.LaplacianEigenmaps{Components: 10, Neighbors: 10}
			case "isomap":
				m = &spectral.Isomap{Components: 10, Neighbors: 10}
			case "kpca":
				m = &spectral.KernelPCA{Components: 10, Kernel: spectral.KernelRBF, Gamma: 1.0 / float64(d)}
			case "lle":
				m = &spectral.LLE{Components: 10, Neighbors: 10, Reg: 1e-3}
			default:
				fmt.Fprintf(os.Stderr, "spectral bench: unknown method %q\n", name)
				os.Exit(2)
			}
			c0 := cputime.Process()
			t := time.Now()
			ferr := m.Fit(x)
			sec := time.Since(t).Seconds()
			rec := map[string]any{"tool": "eigenssl", "backend": linalg.Backend(), "gomaxprocs": runtime.GOMAXPROCS(0),
				"method": name, "n": n, "seconds": sec, "cpu_seconds": cputime.Process() - c0}
			if ferr != nil {
				rec["error"] = ferr.Error()
			} else {
				rec["eigenvalues"] = m.Eigenvalues()
			}
			b, _ := json.Marshal(rec)
			fmt.Println(string(b))
		}
	}
}
