package advise

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"html/template"
	"io"
	"math"
	"text/tabwriter"

	"github.com/eigenssl/eigenssl/closedform"
	"github.com/eigenssl/eigenssl/data"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// RegimeText names the regime for people: "linear regime", "kernel regime"
// or, with landmarks, "kernel regime (Nyström: m landmarks, F features)".
func (r *Report) RegimeText() string {
	if r.Landmarks > 0 {
		return fmt.Sprintf("%s regime (Nyström: %d landmarks, %d features)", r.Regime, r.Landmarks, r.Features)
	}
	return r.Regime + " regime"
}

// WriteText writes the ranked table, the recommendation with its reason and
// the diagnostics with their meanings.
func (r *Report) WriteText(w io.Writer) error {
	fmt.Fprintf(w, "eigenssl advise: %d rows (%d samples) x %d columns, relation %s, %s, K = %d\n\n", r.N, r.S, r.D, r.Relation, r.RegimeText(), r.K)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	if r.Labelled > 0 {
		fmt.Fprintf(tw, "rank\tcandidate\taccuracy\t[2.5%%, 97.5%%]\trank(Z)\teff. rank\toptimum\n")
	} else {
		fmt.Fprintf(tw, "\tcandidate\t\t\trank(Z)\teff. rank\toptimum\n")
	}
	for i, res := range r.Results {
		acc, iv := "", ""
		if res.Accuracy != nil {
			acc = fmt.Sprintf("%.3f", res.Accuracy.Mean)
			iv = fmt.Sprintf("[%.3f, %.3f]", res.Accuracy.Low, res.Accuracy.High)
		}
		mark := ""
		if i == r.Recommended {
			mark = " *"
		}
		fmt.Fprintf(tw, "%d%s\t%s\t%s\t%s\t%d/%d\t%.2f\t%s\n", i+1, mark, res.Candidate, acc, iv, res.Rank, r.K, res.EffectiveRank, res.status())
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "\nrecommendation: %s\n  %s\n\ndiagnostics:\n", r.recommendedName(), r.Reason)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, l := range r.Diagnostics.Lines {
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", l.Name, l.Value, l.Meaning)
	}
	return tw.Flush()
}

// status describes how the optimum was obtained.
func (res Result) status() string {
	s := "exact"
	switch {
	case res.Exact:
	case res.Refined && res.Converged:
		s = fmt.Sprintf("refined, converged (%d it.)", res.Iterations)
	case res.Refined:
		s = fmt.Sprintf("refined, NOT converged: %s (%d it., |g| %.2g)", res.Status, res.Iterations, res.GradNorm)
	default:
		s = "characterisation only"
	}
	if res.Degenerate {
		s += ", non-unique (tie)"
	}
	return s
}

// WriteJSON writes the report as indented JSON to path atomically.
func (r *Report) WriteJSON(path string) error { return writeJSON(path, r) }

// writeJSON writes v as indented JSON to path atomically (data.WriteJSON).
func writeJSON(path string, v any) error {
	if err := data.WriteJSON(path, v); err != nil {
		return wrap("writejson", "path", path, ErrParam, err)
	}
	return nil
}

// WriteHTML writes a self-contained HTML page (figures inlined as PNG) to
// path atomically.
func (r *Report) WriteHTML(path string) error {
	var buf bytes.Buffer
	if err := r.renderHTML(&buf); err != nil {
		return wrap("writehtml", "path", path, ErrParam, err)
	}
	if err := data.WriteAtomic(path, func(w io.Writer) error { _, err := w.Write(buf.Bytes()); return err }); err != nil {
		return wrap("writehtml", "path", path, ErrParam, err)
	}
	return nil
}

type htmlFigure struct {
	Caption string
	Src     template.URL
}

func pngData(p *plot.Plot) (template.URL, error) {
	wt, err := p.WriterTo(6*vg.Inch, 3.6*vg.Inch, "png")
	if err != nil {
		return "", err
	}
	var b bytes.Buffer
	if _, err := wt.WriteTo(&b); err != nil {
		return "", err
	}
	return template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(b.Bytes())), nil
}

// figures draws the spectrum, the VICReg rank against γ and, with labels,
// the predicted accuracies.
func (r *Report) figures() ([]htmlFigure, error) {
	var figs []htmlFigure
	dg := r.Diagnostics
	if len(dg.Laplacian) > 0 {
		p := plot.New()
		p.Title.Text = fmt.Sprintf("Smallest non-zero eigenvalues of L (after %d zeros)", dg.Components)
		p.X.Label.Text = "index"
		p.Y.Label.Text = "eigenvalue"
		pts := make(plotter.XYs, len(dg.Laplacian))
		for i, v := range dg.Laplacian {
			pts[i] = plotter.XY{X: float64(i + 1), Y: v}
		}
		sc, err := plotter.NewScatter(pts)
		if err != nil {
			return nil, err
		}
		p.Add(sc)
		src, err := pngData(p)
		if err != nil {
			return nil, err
		}
		figs = append(figs, htmlFigure{"Spectrum of G's Laplacian: the number of zeros is the number of components; a gap after them means well-separated groups.", src})
	}
	// Rank of the VICReg optimum against γ.
	if len(dg.Operator) > 0 {
		lo, hi := 1e-3, 1e3
		if len(dg.Thresholds) > 0 {
			lo, hi = math.Inf(1), 0
			for _, t := range dg.Thresholds {
				lo, hi = math.Min(lo, t), math.Max(hi, t)
			}
			lo, hi = lo/10, hi*10
		}
		var pts plotter.XYs
		for i := 0; i <= 200; i++ {
			g := lo * math.Pow(hi/lo, float64(i)/200)
			pts = append(pts, plotter.XY{X: g, Y: float64(closedform.VICRegRank(dg.Operator, g, r.K))})
		}
		p := plot.New()
		p.Title.Text = "Predicted rank of the VICReg optimum"
		p.X.Label.Text = "γ (invariance weight)"
		p.Y.Label.Text = "rank(Z*)"
		p.X.Scale = plot.LogScale{}
		p.X.Tick.Marker = plot.LogTicks{Prec: -1}
		ln, err := plotter.NewLine(pts)
		if err != nil {
			return nil, err
		}
		p.Add(ln)
		var cand plotter.XYs
		for _, res := range r.Results {
			if res.Candidate.Loss == closedform.VICReg && res.Value >= lo && res.Value <= hi {
				cand = append(cand, plotter.XY{X: res.Value, Y: float64(res.Rank)})
			}
		}
		if len(cand) > 0 {
			sc, err := plotter.NewScatter(cand)
			if err != nil {
				return nil, err
			}
			p.Add(sc)
			p.Legend.Add("grid γ", sc)
		}
		src, err := pngData(p)
		if err != nil {
			return nil, err
		}
		figs = append(figs, htmlFigure{"Each step is a rank threshold γ = 1/λ_k of the regime's operator; the grid has a γ on both sides of every step.", src})
	}
	if r.Labelled > 0 && len(r.Results) > 0 {
		p := plot.New()
		p.Title.Text = "Predicted accuracy (cross-validated on the labelled subset)"
		p.Y.Label.Text = "accuracy"
		var names []string
		pts := make(plotter.XYs, len(r.Results))
		errs := make(plotter.YErrors, len(r.Results))
		for i, res := range r.Results {
			names = append(names, res.Candidate.String())
			pts[i] = plotter.XY{X: float64(i), Y: res.Accuracy.Mean}
			errs[i] = struct{ Low, High float64 }{res.Accuracy.Mean - res.Accuracy.Low, res.Accuracy.High - res.Accuracy.Mean}
		}
		sc, err := plotter.NewScatter(pts)
		if err != nil {
			return nil, err
		}
		eb, err := plotter.NewYErrorBars(struct {
			plotter.XYs
			plotter.YErrors
		}{pts, errs})
		if err != nil {
			return nil, err
		}
		p.Add(sc, eb)
		p.NominalX(names...)
		p.X.Tick.Label.Rotation = math.Pi / 3
		p.X.Tick.Label.XAlign = -1
		p.X.Tick.Label.YAlign = -0.5
		src, err := pngData(p)
		if err != nil {
			return nil, err
		}
		figs = append(figs, htmlFigure{"Mean probe accuracy per candidate (ranked), bars from the 2.5% to the 97.5% quantile over the resampled splits.", src})
	}
	return figs, nil
}

var page = template.Must(template.New("advise").Funcs(template.FuncMap{
	"f3":  func(v float64) string { return fmt.Sprintf("%.3f", v) },
	"inc": func(i int) int { return i + 1 },
}).Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>eigenssl advise</title>
<style>
body{font-family:system-ui,sans-serif;max-width:60em;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.25em .6em;text-align:left}
th{background:#f3f3f3}tr.best{background:#e6f5e6;font-weight:bold}td.warn{color:#a40}
figure{margin:1.5em 0}figcaption{font-size:.9em;color:#555}img{max-width:100%}
.reason{background:#f7f7ff;border-left:4px solid #66c;padding:.6em 1em}
</style></head><body>
<h1>Which SSL loss for these data and this relation?</h1>
<p>{{.R.N}} rows ({{.R.S}} samples) × {{.R.D}} columns; relation <code>{{.R.Relation}}</code>; {{.R.RegimeText}}; K = {{.R.K}}.
{{if .R.Labelled}}Probe <code>{{.R.Probe}}</code> cross-validated over {{.R.Resamples}} stratified half splits of {{.R.Labelled}} labelled samples ({{.R.Classes}} classes).{{else}}No labels: diagnostics only.{{end}}</p>
<h2>Recommendation</h2>
<p class="reason"><b>{{.Best}}</b>: {{.R.Reason}}</p>
<h2>Candidates</h2>
<table><tr><th>#</th><th>candidate</th>{{if .R.Labelled}}<th>accuracy</th><th>2.5%–97.5%</th>{{end}}<th>rank(Z*)</th><th>effective rank</th><th>optimum</th></tr>
{{range $i, $r := .R.Results}}<tr{{if eq $i $.R.Recommended}} class="best"{{end}}><td>{{inc $i}}</td><td>{{$r.Candidate}}</td>{{if $.R.Labelled}}<td>{{f3 $r.Accuracy.Mean}}</td><td>{{f3 $r.Accuracy.Low}}–{{f3 $r.Accuracy.High}}</td>{{end}}<td>{{$r.Rank}}/{{$.R.K}}</td><td>{{f3 $r.EffectiveRank}}</td><td{{if and $r.Refined (not $r.Converged)}} class="warn"{{end}}>{{$r.Describe}}</td></tr>
{{end}}</table>
<h2>Diagnostics</h2>
<table><tr><th>figure</th><th>value</th><th>meaning</th></tr>
{{range .R.Diagnostics.Lines}}<tr><td>{{.Name}}</td><td>{{.Value}}</td><td>{{.Meaning}}</td></tr>
{{end}}</table>
{{range .Figs}}<figure><img alt="{{.Caption}}" src="{{.Src}}"><figcaption>{{.Caption}}</figcaption></figure>
{{end}}
</body></html>
`))

func (r *Report) renderHTML(w io.Writer) error {
	figs, err := r.figures()
	if err != nil {
		return err
	}
	return page.Execute(w, struct {
		R    *Report
		Best string
		Figs []htmlFigure
	}{r, r.recommendedName(), figs})
}

// Describe says how the optimum was obtained ("exact", "refined,
// converged (12 it.)", ...).
func (res Result) Describe() string { return res.status() }
