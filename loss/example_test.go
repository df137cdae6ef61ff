package loss_test

import (
	"fmt"

	"github.com/eigenssl/eigenssl/graph"
	"github.com/eigenssl/eigenssl/loss"
	"gonum.org/v1/gonum/mat"
)

func ExampleNames() {
	for _, n := range loss.Names() {
		fmt.Println(n)
	}
	// Output:
	// barlowtwins_gform
	// barlowtwins_official
	// ntxent
	// simclr_gform
	// spectral_contrastive
	// spectral_contrastive_gform
	// vicreg_gform
	// vicreg_official
	// vicreg_smooth
	// wmse
}

// ExampleVICRegGForm: two views of three samples (row v*3+n is view v of
// sample n). Both views coincide, so the invariance term sum_ij G_ij
// ||z_i - z_j||^2 / N vanishes; the covariance of Z is diag(0.8, 0.8) and
// 0.8 < 1, so each column pays 1 - sqrt(0.8) in the variance term.
func ExampleVICRegGForm() {
	g, _, _ := graph.Views(3, 2)
	z := mat.NewDense(6, 2, []float64{
		1, 0, 0, 1, -1, -1,
		1, 0, 0, 1, -1, -1,
	})
	res, _ := loss.VICRegGForm{Alpha: 1, Beta: 1, Gamma: 1}.Eval(loss.Inputs{Z: z, G: g}, false)
	fmt.Printf("var %.6f cov %.6f inv %.6f\n", res.Parts["var_loss"], res.Parts["cov_loss"], res.Parts["inv_loss"])
	// Output: var 0.211146 cov 0.320000 inv 0.000000
}
