package experiment

import (
	"fmt"
	"testing"

	"github.com/eigenssl/eigenssl/closedform"
)

// BenchmarkEmbed measures one E3 representation (closed form, or the
// trained characterisation for SimCLR/BarlowTwins with 10 L-BFGS steps) on
// the label graph of N digits in the linear regime.
func BenchmarkEmbed(b *testing.B) {
	for _, n := range []int{300, 1000} {
		ds, err := loadDataset("digits", n, 0)
		if err != nil {
			b.Fatal(err)
		}
		g, err := buildGraph(ds, GraphSpec{Name: "label", Kind: "label"}, nil, 0, 0)
		if err != nil {
			b.Fatal(err)
		}
		for _, m := range []MethodSpec{vicreg(1), {Name: "SimCLR", Loss: closedform.SimCLR}, {Name: "BarlowTwins", Loss: closedform.BarlowTwins}} {
			b.Run(fmt.Sprintf("%s/linear/N=%d", m.Loss, n), func(b *testing.B) {
				for b.Loop() {
					if _, err := embed(g, m, closedform.Linear, 16, RefinePlan{MaxIter: 10, Restarts: 1}, 0); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
