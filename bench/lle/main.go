// Command lle times eigenssl's LLE fits next to bench/lle_sklearn.py
// (scikit-learn, same data and parameters), for the LLE goal of issue 14.
//
// Usage: go run ./bench/lle -input swiss.npy [-neighbors 10] [-components 2]
// [-method standard] [-repeat 3] [-cpuprofile cpu.out]
//
// It reads the N x D matrix of -input (written by bench/lle_sklearn.py
// --write, so both sides fit the same rows), fits LLE -repeat times and
// prints one JSON line with the best wall-clock and the CPU seconds of that
// fit, the backend and GOMAXPROCS.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"runtime"
	"time"

	"github.com/eigenssl/eigenssl/data"
	"github.com/eigenssl/eigenssl/internal/cputime"
	"github.com/eigenssl/eigenssl/linalg"
	"github.com/eigenssl/eigenssl/spectral"
)

func main() {
	input := flag.String("input", "", "N x D matrix (.npy)")
	neighbors := flag.Int("neighbors", 10, "k")
	components := flag.Int("components", 2, "K")
	method := flag.String("method", "standard", "standard, modified, hessian, ltsa")
	repeat := flag.Int("repeat", 3, "fits; the best is reported")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the fits to this file")
	flag.Parse()
	x, err := data.ReadMatrix(*input)
	if err != nil {
		fmt.Fprintln(os.Stderr, "lle bench:", err)
		os.Exit(1)
	}
	n, _ := x.Dims()
	stopProfile, err := cputime.StartProfile(*cpuProfile)
	if err != nil {
		fmt.Fprintln(os.Stderr, "lle bench:", err)
		os.Exit(1)
	}
	defer stopProfile()
	best, bestCPU := math.Inf(1), 0.0
	var rerr float64
	for r := 0; r < *repeat; r++ {
		m := &spectral.LLE{Components: *components, Neighbors: *neighbors, Method: *method}
		c0 := cputime.Process()
		t := time.Now()
		if err := m.Fit(x); err != nil {
			fmt.Fprintln(os.Stderr, "lle bench:", err)
			stopProfile()
			os.Exit(1)
		}
		if s := time.Since(t).Seconds(); s < best {
			best, bestCPU = s, cputime.Process()-c0
		}
		rerr = m.ReconstructionError()
	}
	b, _ := json.Marshal(map[string]any{"tool": "eigenssl", "backend": linalg.Backend(), "gomaxprocs": runtime.GOMAXPROCS(0),
		"method": "lle/" + *method, "n": n, "k": *neighbors, "components": *components, "seconds": best, "cpu_seconds": bestCPU,
		"reconstruction_error": rerr})
	fmt.Println(string(b))
}
