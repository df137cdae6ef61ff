package advise_test

import (
	"fmt"
	"io"
	"log/slog"

	"github.com/eigenssl/eigenssl/advise"
	"github.com/eigenssl/eigenssl/data"
)

// GammaGrid puts one γ on each side of every VICReg rank threshold 1/λ_k.
func ExampleGammaGrid() {
	// Operator eigenvalues 0.5, 1, 2 give thresholds 2, 1, 0.5.
	fmt.Println(advise.GammaGrid([]float64{2, 1, 0.5}))
	// Output: [0.25 0.7071067811865476 1.4142135623730951 4]
}

func ExampleSpearman() {
	fmt.Printf("%.3f\n", advise.Spearman([]float64{0.9, 0.7, 0.8}, []float64{0.95, 0.6, 0.9}))
	// Output: 1.000
}

// With Landmarks the kernel regime solves the closed forms on the Nyström
// features of that many seeded landmark rows instead of the N x N kernel,
// so it runs at any N; centring the landmark kernel leaves at most m − 1
// features.
func ExampleSettings_landmarks() {
	ds, err := data.Latent(300, data.LatentConfig{AmbientDim: 10, Seed: 1})
	if err != nil {
		panic(err)
	}
	in, err := advise.ViewsInput(ds.X, 2, data.ResampleLatent{Model: ds.Latent}, 2)
	if err != nil {
		panic(err)
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	rep, err := advise.Advise(in, nil, advise.Settings{Regime: "kernel", Landmarks: 40, K: 4, Seed: 3,
		Candidates: []advise.Candidate{{Loss: "vicreg", Param: "gamma", Value: 0.5}}, Logger: quiet})
	if err != nil {
		panic(err)
	}
	fmt.Println(rep.RegimeText())
	fmt.Println(rep.Results[0].Candidate, "rank", rep.Results[0].Rank)
	// Output:
	// kernel regime (Nyström: 40 landmarks, 39 features)
	// vicreg(gamma=0.5) rank 4
}
