package train

import (
	"testing"

	"github.com/eigenssl/eigenssl/data"
)

// TestAugSeedMatchesDataViewSeed pins train's view seeding to
// data.ViewSeed, which closedform's streamed and expected-graph closed forms
// use to make the views training makes.
func TestAugSeedMatchesDataViewSeed(t *testing.T) {
	for _, c := range []struct{ seed, step, sample, v, views int }{
		{0, 0, 0, 0, 2}, {7, 1, 3, 1, 2}, {123456789, 64, 99999, 3, 4}, {1, 5000, 1 << 30, 1, 2},
	} {
		a1, a2 := augSeed(uint64(c.seed), c.step, c.sample, c.v, c.views)
		b1, b2 := data.ViewSeed(uint64(c.seed), c.step, c.sample, c.v, c.views)
		if a1 != b1 || a2 != b2 {
			t.Errorf("%+v: train (%d, %d), data.ViewSeed (%d, %d)", c, a1, a2, b1, b2)
		}
	}
}
