//go:build angletable

package train

import (
	"errors"
	"fmt"
	"os"
	"testing"

	"github.com/eigenssl/eigenssl/closedform"
)

// TestAngleTable prints the largest principal angle between minibatch-trained
// linear encoders and the closed form of the expected graph (64 stacked
// draws), against steps and batch size. Run with
//
//	go test -tags angletable -run TestAngleTable ./train/ -v
func TestAngleTable(t *testing.T) {
	const n, d, k, aug = 2048, 16, 4, "noise:1"
	x := spikedData(n, d, []float64{4, 3, 2.2, 1.6}, 1)
	xs, g := expectedProblem(t, x, aug, 64, 7)
	cases := angleCases()
	hard := cases[1]
	hard.name = "vicreg_hard (closed form) vs smooth VICReg trained"
	hard.problem = closedform.Problem{Loss: closedform.VICRegHard}
	cases = append(cases, hard)
	for _, c := range cases {
		zStar := closedFormZ(t, c, xs, g, x, k)
		fmt.Fprintf(os.Stdout, "\n%s (degrees; rows: steps, columns: batch)\n%6s", c.name, "")
		batches := []int{64, 128, 256, 512}
		for _, b := range batches {
			fmt.Fprintf(os.Stdout, " %7d", b)
		}
		fmt.Fprintln(os.Stdout)
		for _, steps := range []int{150, 300, 600, 1200, 2400} {
			fmt.Fprintf(os.Stdout, "%6d", steps)
			for _, b := range batches {
				var sum float64
				for seed := uint64(1); seed <= 3; seed++ {
					a, _ := trainAngle(t, c, x, aug, "adam", b, steps, 0.05, seed, zStar)
					sum += a
				}
				fmt.Fprintf(os.Stdout, " %7.2f", sum/3)
			}
			fmt.Fprintln(os.Stdout)
		}
	}
}

// TestAngleTableSGD prints the same angles for SGD with momentum 0.9 at
// batch 512 and a few learning rates.
func TestAngleTableSGD(t *testing.T) {
	const n, d, k, aug = 2048, 16, 4, "noise:1"
	x := spikedData(n, d, []float64{4, 3, 2.2, 1.6}, 1)
	xs, g := expectedProblem(t, x, aug, 64, 7)
	for _, c := range angleCases() {
		zStar := closedFormZ(t, c, xs, g, x, k)
		fmt.Fprintf(os.Stdout, "\n%s, sgd:momentum=0.9, batch 512 (degrees; rows: steps, columns: lr)\n%6s", c.name, "")
		lrs := []float64{0.0003, 0.001, 0.003}
		for _, lr := range lrs {
			fmt.Fprintf(os.Stdout, " %7g", lr)
		}
		fmt.Fprintln(os.Stdout)
		for _, steps := range []int{300, 600, 2400} {
			fmt.Fprintf(os.Stdout, "%6d", steps)
			for _, lr := range lrs {
				a, _, err := fitAngle(t, c, x, aug, "sgd:momentum=0.9", 512, steps, lr, 1, zStar)
				if errors.Is(err, ErrDiverged) {
					fmt.Fprintf(os.Stdout, " %7s", "div")
					continue
				}
				if err != nil {
					t.Fatal(err)
				}
				fmt.Fprintf(os.Stdout, " %7.2f", a)
			}
			fmt.Fprintln(os.Stdout)
		}
	}
}
