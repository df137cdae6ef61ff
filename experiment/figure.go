package experiment

import (
	"bytes"
	"errors"
	"image/color"
	"io"
	"math"
	"path/filepath"
	"sort"

	"github.com/eigenssl/eigenssl/data"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
)

// Figure is a figure saved as PNG and SVG under the output directory.
type Figure struct {
	Name    string `json:"name"`
	Caption string `json:"caption"`
	PNG     string `json:"png"`
	SVG     string `json:"svg"`
	// png holds the PNG bytes for inlining in the report.
	png []byte
}

// figWidth and figHeight are the size of every figure (print-friendly).
const (
	figWidth  = 6 * vg.Inch
	figHeight = 3.6 * vg.Inch
)

// saveFigure writes p as dir/name.png and dir/name.svg atomically.
func saveFigure(p *plot.Plot, dir, name, caption string) (*Figure, error) {
	f := &Figure{Name: name, Caption: caption, PNG: filepath.Join(dir, name+".png"), SVG: filepath.Join(dir, name+".svg")}
	for _, ext := range []string{"png", "svg"} {
		wt, err := p.WriterTo(figWidth, figHeight, ext)
		if err != nil {
			return nil, errorf("figure", name, ext, err)
		}
		var buf bytes.Buffer
		if _, err := wt.WriteTo(&buf); err != nil {
			return nil, errorf("figure", name, ext, err)
		}
		path := f.PNG
		if ext == "svg" {
			path = f.SVG
		} else {
			f.png = buf.Bytes()
		}
		if err := data.WriteAtomic(path, func(w io.Writer) error { _, err := w.Write(buf.Bytes()); return err }); err != nil {
			return nil, errorf("figure", name, path, errors.Join(ErrIO, err))
		}
	}
	return f, nil
}

// series is one named line of a line plot.
type series struct {
	Name string
	X, Y []float64
	// Dashed draws the line dashed (e.g. trained vs closed form).
	Dashed bool
}

// linePlot draws series with points; vlines are vertical reference lines.
func linePlot(title, xlabel, ylabel string, logX bool, ss []series, vlines map[string]float64) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = xlabel
	p.Y.Label.Text = ylabel
	p.Legend.Top = true
	p.Legend.Left = false
	if logX {
		p.X.Scale = plot.LogScale{}
		p.X.Tick.Marker = plot.LogTicks{Prec: -1}
	}
	ymin, ymax := math.Inf(1), math.Inf(-1)
	for i, s := range ss {
		s = sortedSeries(s)
		xy := make(plotter.XYs, 0, len(s.X))
		for j := range s.X {
			if math.IsNaN(s.Y[j]) || (logX && s.X[j] <= 0) {
				continue
			}
			xy = append(xy, plotter.XY{X: s.X[j], Y: s.Y[j]})
			ymin, ymax = math.Min(ymin, s.Y[j]), math.Max(ymax, s.Y[j])
		}
		if len(xy) == 0 {
			continue
		}
		l, pts, err := plotter.NewLinePoints(xy)
		if err != nil {
			return nil, err
		}
		c := plotutil.Color(i)
		l.Color, pts.Color = c, c
		l.Width = vg.Points(1.5)
		pts.Shape = plotutil.Shape(i)
		if s.Dashed {
			l.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
		}
		p.Add(l, pts)
		p.Legend.Add(s.Name, l, pts)
	}
	if math.IsInf(ymin, 0) {
		ymin, ymax = 0, 1
	}
	k := 0
	for name, x := range vlines {
		vl, err := plotter.NewLine(plotter.XYs{{X: x, Y: ymin}, {X: x, Y: ymax}})
		if err != nil {
			return nil, err
		}
		vl.Color = color.Gray{Y: 90}
		vl.Dashes = []vg.Length{vg.Points(2), vg.Points(2)}
		p.Add(vl)
		lab, err := plotter.NewLabels(plotter.XYLabels{XYs: plotter.XYs{{X: x, Y: ymax}}, Labels: []string{" " + name}})
		if err == nil {
			p.Add(lab)
		}
		k++
	}
	p.Add(plotter.NewGrid())
	return p, nil
}

// barPlot draws grouped bars: groups along X, one bar per series.
func barPlot(title, ylabel string, groups []string, names []string, values [][]float64) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = title
	p.Y.Label.Text = ylabel
	p.Legend.Top = true
	w := vg.Points(60 / float64(max(1, len(names))))
	for i, name := range names {
		v := make(plotter.Values, len(groups))
		for j := range groups {
			v[j] = values[i][j]
			if math.IsNaN(v[j]) {
				v[j] = 0
			}
		}
		b, err := plotter.NewBarChart(v, w)
		if err != nil {
			return nil, err
		}
		b.Color = plotutil.Color(i)
		b.LineStyle.Width = 0
		b.Offset = w * vg.Length(float64(i)-float64(len(names)-1)/2)
		p.Add(b)
		p.Legend.Add(name, b)
	}
	p.NominalX(groups...)
	// Head room above the bars for the legend.
	top := 0.0
	for _, v := range values {
		for _, x := range v {
			if !math.IsNaN(x) {
				top = math.Max(top, x)
			}
		}
	}
	if top > 0 {
		p.Y.Min, p.Y.Max = math.Min(0, p.Y.Min), top*(1.12+0.06*float64(len(names)))
	}
	p.Add(plotter.NewGrid())
	p.Legend.Padding = vg.Points(2)
	return p, nil
}

// sortedSeries returns s with its points in increasing X.
func sortedSeries(s series) series {
	idx := make([]int, len(s.X))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return s.X[idx[a]] < s.X[idx[b]] })
	out := s
	out.X, out.Y = make([]float64, len(idx)), make([]float64, len(idx))
	for i, j := range idx {
		out.X[i], out.Y[i] = s.X[j], s.Y[j]
	}
	return out
}
