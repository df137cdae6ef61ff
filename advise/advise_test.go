package advise

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/eigenssl/eigenssl/closedform"
	"github.com/eigenssl/eigenssl/data"
	"github.com/eigenssl/eigenssl/graph"
	"github.com/eigenssl/eigenssl/linalg"
	"gonum.org/v1/gonum/mat"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// latentInput returns the latent-factor data (2 class and 8 nuisance
// dimensions, no extra ambient dimensions) with views made by resampling
// the nuisance (aligned) or class (misaligned, with probability prob)
// latents.
func latentInput(t *testing.T, n int, class bool, prob float64, seed uint64) (*Input, []int) {
	t.Helper()
	ds, err := data.Latent(n, data.LatentConfig{AmbientDim: 10, Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	in, err := ViewsInput(ds.X, 2, data.ResampleLatent{Model: ds.Latent, Class: class, Prob: prob}, seed+1)
	if err != nil {
		t.Fatal(err)
	}
	return in, ds.Y
}

// TestVICRegRescalingMatchesSolve checks the γ-rescaled hard solution used
// for the whole γ grid against closedform.Solve at each γ: same singular
// values and same column space of Z.
func TestVICRegRescalingMatchesSolve(t *testing.T) {
	in, _ := latentInput(t, 300, false, 0, 4)
	base := closedform.Problem{Regime: closedform.Linear, G: in.G, X: in.X, K: 6}
	sv := newSolver(base, in.X, Settings{K: 6}.withDefaults())
	spec, err := sv.vicregSpectrum()
	if err != nil {
		t.Fatal(err)
	}
	th := thresholds(spec, 6)
	if len(th) == 0 {
		t.Fatal("no thresholds on the aligned latent case")
	}
	for _, g := range append(GammaGrid(th), 0.05) {
		o, err := sv.vicreg(g)
		if err != nil {
			t.Fatal(err)
		}
		p := base
		p.Loss, p.Gamma = closedform.VICReg, g
		sol, err := closedform.Solve(p)
		if err != nil {
			t.Fatal(err)
		}
		z := mat.NewDense(in.G.N, 6, nil)
		z.Mul(in.X, o.w)
		for i := 0; i < in.G.N; i++ {
			for j := 0; j < 6; j++ {
				z.Set(i, j, z.At(i, j)+o.bias[j])
			}
		}
		got, want := svals(z), svals(sol.Z)
		for j := range want {
			if math.Abs(got[j]-want[j]) > 1e-8*math.Max(1, want[0]) {
				t.Fatalf("γ = %g: singular values %v; want %v", g, got, want)
			}
		}
		if o.rank != sol.Rank {
			t.Fatalf("γ = %g: rank %d; want %d", g, o.rank, sol.Rank)
		}
		if sol.Rank > 0 {
			a := leading(z, sol.Rank)
			b := leading(sol.Z, sol.Rank)
			ang, err := linalg.PrincipalAngles(a, b)
			if err != nil {
				t.Fatal(err)
			}
			if m := slices.Max(ang); m > 1e-6 {
				t.Fatalf("γ = %g: largest principal angle %g rad", g, m)
			}
		}
	}
}

func svals(z *mat.Dense) []float64 {
	var s mat.SVD
	s.Factorize(z, mat.SVDNone)
	return s.Values(nil)
}

// leading returns the top-r left singular vectors of z.
func leading(z *mat.Dense, r int) *mat.Dense {
	var s mat.SVD
	s.Factorize(z, mat.SVDThin)
	var u mat.Dense
	s.UTo(&u)
	n, _ := u.Dims()
	return mat.DenseCopyOf(u.Slice(0, n, 0, r))
}

// TestGammaGridBothSides checks that every threshold has a grid γ on each
// side, and that the predicted rank differs across it.
func TestGammaGridBothSides(t *testing.T) {
	spec := []float64{0, 0.5, 0.5, 1, 2, 2.01, 8}
	th := thresholds(spec, 6)
	g := GammaGrid(th)
	for _, t0 := range th {
		below, above := -1.0, -1.0
		for _, v := range g {
			if v < t0 && (below < 0 || v > below) {
				below = v
			}
			if v > t0 && (above < 0 || v < above) {
				above = v
			}
		}
		if below < 0 || above < 0 {
			t.Fatalf("threshold %g: grid %v has no γ on both sides", t0, g)
		}
		if closedform.VICRegRank(spec, below, 6) <= closedform.VICRegRank(spec, above, 6) {
			t.Fatalf("threshold %g: rank %d at γ = %g not above rank %d at γ = %g", t0,
				closedform.VICRegRank(spec, below, 6), below, closedform.VICRegRank(spec, above, 6), above)
		}
	}
	if GammaGrid(nil) != nil {
		t.Fatal("GammaGrid(nil) should be nil")
	}
}

// TestAdviseTheoryWinner: on the latent data with nuisance-resampling views
// (G aligned with the classes), theory (THEORY.md section 5, low-data
// regime with an aligned G) says VICReg with γ above every threshold keeps
// only the class directions and beats γ below every threshold, which keeps
// the nuisance too; with class-resampling views (misaligned) the class
// directions are penalised and, with K = 10 = D, the small γ, which keeps
// them, must beat the large one, which keeps only the 8 nuisance ones.
func TestAdviseTheoryWinner(t *testing.T) {
	for _, tc := range []struct {
		name  string
		class bool
		prob  float64
		small bool // small γ should win
		k     int
	}{{"aligned", false, 0, false, 8}, {"misaligned", true, 0.5, true, 10}} {
		t.Run(tc.name, func(t *testing.T) {
			in, y := latentInput(t, 600, tc.class, tc.prob, 7)
			rep, err := Advise(in, y, Settings{K: tc.k, LabelsPerClass: 10, Seed: 1, Logger: quiet, RefineIter: -1,
				Candidates: []Candidate{{closedform.VICReg, "gamma", 1e-3}, {closedform.VICReg, "gamma", 1e3}}})
			if err != nil {
				t.Fatal(err)
			}
			best := rep.Best()
			if best == nil {
				t.Fatalf("no recommendation: %s", rep.Reason)
			}
			if (best.Value < 1) != tc.small {
				t.Fatalf("recommended %s (%.3f vs %.3f); theory says γ %s", best.Candidate, rep.Results[0].Accuracy.Mean,
					rep.Results[1].Accuracy.Mean, map[bool]string{true: "small", false: "large"}[tc.small])
			}
			if rep.Results[0].Accuracy.Mean-rep.Results[1].Accuracy.Mean < 0.05 {
				t.Fatalf("winner ahead by only %.3f", rep.Results[0].Accuracy.Mean-rep.Results[1].Accuracy.Mean)
			}
		})
	}
}

// TestLabelsNeverReachG is the leak test: BuildInput ignores labels for
// every relation but labels:..., and Advise computes the same graph,
// diagnostics and optima whatever the probe's labels are (only the
// accuracies change).
func TestLabelsNeverReachG(t *testing.T) {
	ds, err := data.Latent(200, data.LatentConfig{AmbientDim: 10, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	yPerm := slices.Clone(ds.Y)
	rng := rand.New(rand.NewPCG(1, 2))
	rng.Shuffle(len(yPerm), func(i, j int) { yPerm[i], yPerm[j] = yPerm[j], yPerm[i] })
	for _, spec := range []string{"views:V=2,augment=noise:0.3", "knn:k=5"} {
		a, err := BuildInput(ds.X, spec, [2]int{}, ds.Y, 5)
		if err != nil {
			t.Fatal(err)
		}
		b, err := BuildInput(ds.X, spec, [2]int{}, nil, 5)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(a.G.Col, b.G.Col) || !slices.Equal(a.G.Val, b.G.Val) {
			t.Fatalf("%s: labels changed G", spec)
		}
		s := Settings{LabelsPerClass: 8, Seed: 2, Logger: quiet, RefineIter: 20, Taus: []float64{0.5}, Alphas: []float64{1}}
		r1, err := Advise(a, ds.Y, s)
		if err != nil {
			t.Fatal(err)
		}
		r2, err := Advise(a, yPerm, s)
		if err != nil {
			t.Fatal(err)
		}
		d1, _ := json.Marshal(r1.Diagnostics)
		d2, _ := json.Marshal(r2.Diagnostics)
		if string(d1) != string(d2) {
			t.Fatalf("%s: diagnostics depend on the labels", spec)
		}
		z2 := map[string]*mat.Dense{}
		for _, r := range r2.Results {
			z2[r.Candidate.String()] = r.z
		}
		same := 0
		for _, r := range r1.Results {
			if !mat.Equal(r.z, z2[r.Candidate.String()]) {
				t.Fatalf("%s: the optimum of %s depends on the probe's labels", spec, r.Candidate)
			}
			same++
		}
		if same != len(r2.Results) || same == 0 {
			t.Fatalf("%s: candidate lists differ", spec)
		}
	}
	// A labels relation is the user's choice and does read them.
	a, err := BuildInput(ds.X, "labels", [2]int{}, ds.Y, 5)
	if err != nil {
		t.Fatal(err)
	}
	b, err := BuildInput(ds.X, "labels", [2]int{}, yPerm, 5)
	if err != nil {
		t.Fatal(err)
	}
	if slices.Equal(a.G.Col, b.G.Col) {
		t.Fatal("a labels relation ignored its labels")
	}
}

// TestReportJSONSchema checks the JSON written for scripts: field names,
// types, the ranking order and null for an unknown loss value.
func TestReportJSONSchema(t *testing.T) {
	in, y := latentInput(t, 200, false, 0, 9)
	rep, err := Advise(in, y, Settings{LabelsPerClass: 6, Seed: 1, Logger: quiet, RefineIter: -1, Taus: []float64{0.5}, Alphas: []float64{1}})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "r.json")
	if err := rep.WriteJSON(path); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"regime", "relation", "n", "d", "samples", "k", "labelled", "classes", "probe", "resamples", "diagnostics", "results", "recommended", "reason", "seconds"} {
		if _, ok := m[k]; !ok {
			t.Fatalf("JSON lacks %q", k)
		}
	}
	dg := m["diagnostics"].(map[string]any)
	for _, k := range []string{"components", "effective_components", "laplacian_nonzero", "near_zero", "operator_spectrum", "gamma_thresholds", "knn_recall", "knn_chance", "lines"} {
		if _, ok := dg[k]; !ok {
			t.Fatalf("diagnostics lack %q", k)
		}
	}
	res := m["results"].([]any)
	if len(res) != len(rep.Results) {
		t.Fatalf("%d results in JSON; want %d", len(res), len(rep.Results))
	}
	prev := math.Inf(1)
	sawNull := false
	for _, r := range res {
		r := r.(map[string]any)
		for _, k := range []string{"loss", "exact", "refined", "converged", "status", "degenerate", "rank", "collapse", "effective_rank", "accuracy", "note", "loss_value"} {
			if _, ok := r[k]; !ok {
				t.Fatalf("result lacks %q: %v", k, r)
			}
		}
		if _, ok := r["loss"].(string); !ok {
			t.Fatalf("loss is %T", r["loss"])
		}
		acc := r["accuracy"].(map[string]any)["mean"].(float64)
		if acc > prev {
			t.Fatalf("results not ranked: %g after %g", acc, prev)
		}
		prev = acc
		if r["loss_value"] == nil {
			sawNull = true
		}
	}
	// SimCLR without refinement has no known loss value.
	if !sawNull {
		t.Fatal("no null loss_value although SimCLR was not refined")
	}
	if int(m["recommended"].(float64)) != rep.Recommended {
		t.Fatal("recommended index differs")
	}
}

// TestAdviseWithoutLabels: diagnostics only, no ranking, every candidate's
// predicted rank; and the HTML page is self-contained.
func TestAdviseWithoutLabels(t *testing.T) {
	in, _ := latentInput(t, 200, false, 0, 11)
	rep, err := Advise(in, nil, Settings{Seed: 1, Logger: quiet, RefineIter: 30, Taus: []float64{0.5}, Alphas: []float64{1}})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Best() != nil || rep.Labelled != 0 || !strings.Contains(rep.Reason, "no labels") {
		t.Fatalf("recommendation without labels: %q", rep.Reason)
	}
	if rep.Diagnostics.Components != 200 || len(rep.Diagnostics.Lines) < 5 {
		t.Fatalf("diagnostics: %d components, %d lines", rep.Diagnostics.Components, len(rep.Diagnostics.Lines))
	}
	// The views graph of 2 views: L's non-zero eigenvalues are all V = 2.
	for _, v := range rep.Diagnostics.Laplacian {
		if math.Abs(v-2) > 1e-9 {
			t.Fatalf("Laplacian eigenvalue %g; want 2", v)
		}
	}
	for _, r := range rep.Results {
		if r.Accuracy != nil {
			t.Fatal("accuracy without labels")
		}
		if r.Candidate.Loss == closedform.VICReg && r.Rank != closedform.VICRegRank(rep.Diagnostics.Operator, r.Value, rep.K) {
			t.Fatalf("%s: rank %d", r.Candidate, r.Rank)
		}
	}
	path := filepath.Join(t.TempDir(), "r.html")
	if err := rep.WriteHTML(path); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	page := string(b)
	if strings.Count(page, "data:image/png;base64,") < 2 || strings.Contains(page, "src=\"/") || strings.Contains(page, "http") {
		t.Fatal("HTML page is not self-contained with its figures")
	}
}

// TestAdviseErrors: bad input and settings are refused with the sentinel.
func TestAdviseErrors(t *testing.T) {
	in, y := latentInput(t, 60, false, 0, 1)
	cases := []struct {
		name   string
		in     *Input
		y      []int
		s      Settings
		target error
	}{
		{"nil input", nil, nil, Settings{}, ErrEmpty},
		{"regime", in, nil, Settings{Regime: "feature"}, ErrParam},
		{"K", in, nil, Settings{K: -1}, ErrParam},
		{"labels length", in, y[:10], Settings{}, ErrLabels},
		{"candidate", in, nil, Settings{Candidates: []Candidate{{closedform.SimCLR, "gamma", 1}}}, ErrParam},
		{"grid value", in, nil, Settings{Taus: []float64{-1}}, ErrParam},
		{"probe", in, nil, Settings{Probe: "svm"}, ErrParam},
		{"too few labels", in, y, Settings{LabelsPerClass: 1}, ErrLabels},
	}
	for _, c := range cases {
		c.s.Logger = quiet
		if _, err := Advise(c.in, c.y, c.s); !errors.Is(err, c.target) {
			t.Errorf("%s: error %v; want %v", c.name, err, c.target)
		}
	}
	if _, err := BuildInput(in.Samples, "views", [2]int{}, nil, 0); !errors.Is(err, ErrParam) {
		t.Errorf("views without V: %v", err)
	}
	if _, err := BuildInput(in.Samples, "bogus:1", [2]int{}, nil, 0); !errors.Is(err, ErrParam) {
		t.Errorf("bogus relation: %v", err)
	}
	// 60 rows are not 7 stacked views (graph.Relation.Build's check).
	if _, err := BuildInput(in.Samples, "views:V=7", [2]int{}, nil, 0); !errors.Is(err, ErrParam) || !strings.Contains(err.Error(), "not a multiple of V=7") {
		t.Errorf("60 rows as 7 views: %v", err)
	}
}

func TestSpearman(t *testing.T) {
	// Values computed by hand: Pearson correlation of the average ranks
	// (e.g. case 1: ranks of b are 1, 2, 3.5, 5, 3.5, so r = 8/√95).
	for _, c := range []struct {
		a, b []float64
		want float64
	}{
		{[]float64{1, 2, 3, 4, 5}, []float64{5, 6, 7, 8, 7}, 0.8207826816681233},
		{[]float64{1, 2, 3}, []float64{3, 2, 1}, -1},
		{[]float64{0.1, 0.4, 0.4, 0.9}, []float64{1, 3, 2, 4}, 0.9486832980505138},
	} {
		if got := Spearman(c.a, c.b); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("Spearman(%v, %v) = %v; want %v", c.a, c.b, got, c.want)
		}
	}
	if !math.IsNaN(Spearman([]float64{1, 1}, []float64{1, 2})) {
		t.Error("constant side should give NaN")
	}
}

// TestAdviseKernelRegime: the kernel regime runs end to end on a small
// input (exact VICReg ranks agree with the thresholds of its operator) and
// refuses inputs above MaxKernelRows.
func TestAdviseKernelRegime(t *testing.T) {
	in, y := latentInput(t, 150, false, 0, 13)
	rep, err := Advise(in, y, Settings{Regime: closedform.Kernel, K: 4, LabelsPerClass: 6, Seed: 1, Logger: quiet, RefineIter: 20,
		Taus: []float64{0.5}, Alphas: []float64{1}})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Regime != closedform.Kernel || len(rep.Results) < 4 || rep.Best() == nil {
		t.Fatalf("kernel report: %+v", rep)
	}
	for _, r := range rep.Results {
		if r.Candidate.Loss == closedform.VICReg && r.Rank != closedform.VICRegRank(rep.Diagnostics.Operator, r.Value, 4) {
			t.Fatalf("%s: rank %d", r.Candidate, r.Rank)
		}
		if rows, _ := r.z.Dims(); rows != 150 {
			t.Fatalf("%s: %d sample rows; want 150", r.Candidate, rows)
		}
	}
	gb, _, err := graph.Views(MaxKernelRows/2+1, 2)
	if err != nil {
		t.Fatal(err)
	}
	big := &Input{X: mat.NewDense(gb.N, 1, nil), G: gb}
	if _, err := Advise(big, nil, Settings{Regime: closedform.Kernel, Logger: quiet}); !errors.Is(err, ErrParam) || !strings.Contains(err.Error(), "kernel") {
		t.Fatalf("oversized kernel input: %v", err)
	}
}

// TestSubsampleRows: small components (the views of a sample) are taken
// whole, rows of a large component one by one, and the draw is seeded.
func TestSubsampleRows(t *testing.T) {
	g, _, err := graph.Views(500, 2)
	if err != nil {
		t.Fatal(err)
	}
	idx := subsampleRows(g, 101, 3)
	seen := map[int]bool{}
	for _, i := range idx {
		seen[i] = true
	}
	for _, i := range idx {
		if !seen[(i+500)%1000] {
			t.Fatalf("row %d taken without its other view", i)
		}
	}
	if len(idx) < 101 || len(idx) > 102 || !slices.Equal(idx, subsampleRows(g, 101, 3)) {
		t.Fatalf("%d rows or not reproducible", len(idx))
	}
	ring := make([][2]int, 300)
	for i := range ring {
		ring[i] = [2]int{i, (i + 1) % 300}
	}
	r, _, err := graph.FromEdges(300, ring, nil)
	if err != nil {
		t.Fatal(err)
	}
	idx = subsampleRows(r, 30, 4)
	if len(idx) != 30 {
		t.Fatalf("ring: %d rows; want 30", len(idx))
	}
	// Spread: a connected patch would span 30 consecutive vertices.
	if idx[len(idx)-1]-idx[0] < 100 {
		t.Fatalf("ring subsample %v is a local patch", idx)
	}
}

// TestSimCLRLimitRefinement: on the digits with a views relation, linear
// SimCLR at τ = 0.1 drives rows of Z to zero (its infimum is not attained);
// the refinement then continues on the limit problem, says so in the note,
// and ends with a scale-free gradient far below the 1.5e5 at which the
// original problem's L-BFGS stopped ("failed") before.
func TestSimCLRLimitRefinement(t *testing.T) {
	ds, err := data.Load("digits", data.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	in, err := BuildInput(ds.X, "views:V=2,augment=noise:0.1", [2]int{}, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Advise(in, ds.Y, Settings{LabelsPerClass: 5, Logger: quiet,
		Candidates: []Candidate{{closedform.SimCLR, "tau", 0.1}}})
	if err != nil {
		t.Fatal(err)
	}
	r := rep.Results[0]
	if !strings.Contains(r.Note, "limit problem") {
		t.Fatalf("status %s (%d it., gradient %v), note %q; want the limit problem named", r.Status, r.Iterations, r.GradNorm, r.Note)
	}
	if !(float64(r.GradNorm) < 1) {
		t.Errorf("status %s, gradient norm %v; want below 1 (the original problem stopped at 1.5e5)", r.Status, r.GradNorm)
	}
	if (r.Status == string(closedform.StatusInfimum)) != r.Converged {
		t.Errorf("status %s but converged %v", r.Status, r.Converged)
	}
}
