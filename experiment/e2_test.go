package experiment

import (
	"context"
	"math"
	"testing"

	"github.com/eigenssl/eigenssl/closedform"
)

// TestE2RankDropsAtOneOverV checks THEORY §4: on the augmentation graph the
// smooth-VICReg rank is min(K, N-1) for gamma < 1/V and min(K, N'-1) for
// gamma >= 1/V, for the closed form and for a trained Z; and against K,
// high-gamma VICReg, SimCLR and spectral contrastive stop at c-1 while
// BarlowTwins stops at c. Both ranks count the centred Z (spectral
// contrastive's closed form carries the constant eigenvector, which the old
// uncentred closed-form rank counted and the trained rank did not).
func TestE2RankDropsAtOneOverV(t *testing.T) {
	const nOrig, k = 8, 14
	views := []int{2, 3}
	var gammas []float64
	for _, v := range views {
		gammas = append(gammas, 0.9/float64(v), 1.1/float64(v))
	}
	cfg := E2Config{NOrig: nOrig, Views: views, KGamma: k, Gammas: gammas, TrainGammas: gammas, TrainIter: 3000,
		Classes: 3, PerClass: 6, Ks: []int{2, 5},
		Methods: []MethodSpec{vicreg(3), {Name: "SimCLR", Loss: closedform.SimCLR}, {Name: "BarlowTwins", Loss: closedform.BarlowTwins},
			{Name: "SpectralCL", Loss: closedform.SpectralContrastive}}}
	r, err := E2(context.Background(), cfg, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range r.Gamma {
		n := nOrig * p.Views
		want := min(k, n-1)
		if p.Gamma >= 1/float64(p.Views) {
			want = min(k, nOrig-1)
		}
		if p.RankClosed != want || p.RankTrained != want {
			t.Errorf("V=%d gamma=%g: rank closed %d, trained %d; want %d", p.Views, p.Gamma, p.RankClosed, p.RankTrained, want)
		}
		// The trained spectrum matches the closed form's (the singular
		// values are pinned: sqrt(N s_k)).
		for i, s := range p.Singular {
			if d := math.Abs(float64(s) - float64(p.SingularTrained[i])); d > 1e-3*float64(p.Singular[0]) {
				t.Errorf("V=%d gamma=%g: singular value %d: closed %.6g, trained %.6g", p.Views, p.Gamma, i, float64(s), float64(p.SingularTrained[i]))
				break
			}
		}
	}
	c := cfg.Classes
	for _, p := range r.K {
		var want int
		switch p.Method {
		case "BarlowTwins":
			want = min(p.K, c)
		default:
			want = min(p.K, c-1)
		}
		if p.RankClosed != want {
			t.Errorf("%s K=%d: closed-form rank %d; want %d", p.Method, p.K, p.RankClosed, want)
		}
		if p.Method != "BarlowTwins" && p.RankTrained != want {
			t.Errorf("%s K=%d: trained rank %d; want %d", p.Method, p.K, p.RankTrained, want)
		}
	}
}
