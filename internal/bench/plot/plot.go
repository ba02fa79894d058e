// Package plot draws the mode comparison of `qrcascade bench --modes` with
// gonum.org/v1/plot: people would rather look than read.
//
// Three figures, each written as PNG (for docs/BENCHMARKS.md) and SVG:
//
//   - rate_vs_p95: one point per mode, the share of images read (overall)
//     against the p95 latency in ms, log scale: up and left is better.
//   - latency: one box plot per mode of the per-image latencies (median,
//     quartiles, whiskers at 1.5 IQR, outliers as points), log scale.
//   - rss: grouped bars per mode of the resident memory at start, after
//     model load, at the one-worker peak and at the several-worker peak.
//
// Modes that did not run (not in this build, failed) have no marks; their
// names are listed in each figure's title. The figures hold only what the
// Comparison holds: no smoothing, no extrapolation.
package plot

import (
	"errors"
	"fmt"
	"image/color"
	"math"
	"path/filepath"
	"strconv"
	"strings"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"

	"github.com/qrcascade/qrcascade/internal/bench"
)

// ErrNoData is returned when no mode of the comparison ran, so there is
// nothing to draw.
var ErrNoData = errors.New("plot: no mode ran")

// Files names the written files, relative to the output folder; a figure
// that could not be drawn (no data) has empty names.
type Files struct {
	RateVsP95PNG, RateVsP95SVG string
	LatencyPNG, LatencySVG     string
	RSSPNG, RSSSVG             string
}

// Figure size.
const (
	width  = 16 * vg.Centimeter
	height = 10 * vg.Centimeter
)

// Write draws c's figures into dir (which must exist), overwriting files of
// the same names. A comparison in which no mode ran gives ErrNoData and
// writes nothing.
func Write(dir string, c *bench.Comparison) (Files, error) {
	var ran []*bench.ModeReport
	var missing []string
	for i := range c.Modes {
		if c.Modes[i].Status() == "ok" && c.Modes[i].Summary.Images > 0 {
			ran = append(ran, &c.Modes[i])
		} else {
			missing = append(missing, c.Modes[i].Mode)
		}
	}
	if len(ran) == 0 {
		return Files{}, ErrNoData
	}
	note := ""
	if len(missing) > 0 {
		note = fmt.Sprintf(" (%s: did not run)", strings.Join(missing, ", "))
	}
	var f Files
	var err error
	save := func(p *gplot.Plot, name string) (string, string, error) {
		png, svg := name+".png", name+".svg"
		for _, n := range []string{png, svg} {
			if err := p.Save(width, height, filepath.Join(dir, n)); err != nil {
				return "", "", fmt.Errorf("plot: %s: %w", n, err)
			}
		}
		return png, svg, nil
	}
	p, err := rateVsP95(ran, note)
	if err != nil {
		return Files{}, err
	}
	if f.RateVsP95PNG, f.RateVsP95SVG, err = save(p, "rate_vs_p95"); err != nil {
		return Files{}, err
	}
	if p, err = latency(ran, note); err != nil {
		return Files{}, err
	}
	if f.LatencyPNG, f.LatencySVG, err = save(p, "latency"); err != nil {
		return Files{}, err
	}
	if p, err = rss(ran, note); err != nil {
		return Files{}, err
	}
	if p == nil {
		return f, nil // no memory figures on this platform
	}
	if f.RSSPNG, f.RSSSVG, err = save(p, "rss"); err != nil {
		return Files{}, err
	}
	return f, nil
}

// ticks125 labels a log axis at 1, 2 and 5 times the powers of ten in
// range (gonum's LogTicks labels only the powers, often a single tick), and
// falls back to linear ticks on a range too narrow for two of them.
type ticks125 struct{}

// Ticks implements gonum's plot.Ticker.
func (ticks125) Ticks(lo, hi float64) []gplot.Tick {
	var ts []gplot.Tick
	for e := math.Floor(math.Log10(lo)); e <= math.Ceil(math.Log10(hi)); e++ {
		for _, m := range []float64{1, 2, 5} {
			if v := m * math.Pow(10, e); v >= lo && v <= hi {
				ts = append(ts, gplot.Tick{Value: v, Label: strconv.FormatFloat(v, 'g', -1, 64)})
			}
		}
	}
	if len(ts) < 2 {
		return gplot.DefaultTicks{}.Ticks(lo, hi) // a narrow range: linear ticks
	}
	return ts
}

// positive keeps v usable on a log axis.
func positive(v float64) float64 { return math.Max(v, 0.01) }

func rateVsP95(ran []*bench.ModeReport, note string) (*gplot.Plot, error) {
	p := gplot.New()
	p.Title.Text = "Read rate vs p95 latency" + note
	p.X.Label.Text = "p95 latency per image (ms, log)"
	p.Y.Label.Text = "images read (%)"
	p.X.Scale = gplot.LogScale{}
	p.X.Tick.Marker = ticks125{}
	p.Add(plotter.NewGrid())
	var pts plotter.XYs
	for i, m := range ran {
		xy := plotter.XYs{{X: positive(m.Summary.Latency.P95), Y: 100 * m.Summary.Rate}}
		s, err := plotter.NewScatter(xy)
		if err != nil {
			return nil, fmt.Errorf("plot: rate vs p95: %w", err)
		}
		s.GlyphStyle.Color = plotutil.Color(i)
		s.GlyphStyle.Shape = plotutil.Shape(i)
		s.GlyphStyle.Radius = vg.Points(4)
		p.Add(s)
		p.Legend.Add(m.Mode, s)
		pts = append(pts, xy[0])
		// Each point's name, stepped down so close points stay legible.
		l, err := plotter.NewLabels(plotter.XYLabels{XYs: xy, Labels: []string{m.Mode}})
		if err != nil {
			return nil, fmt.Errorf("plot: rate vs p95: %w", err)
		}
		l.Offset = vg.Point{X: vg.Points(7), Y: vg.Points(-12 * float64(i))}
		p.Add(l)
	}
	p.Legend.Top = false
	p.Y.Min, p.Y.Max = 0, 100
	// Pad the log axis so points do not sit on its edges.
	xmin, xmax := math.Inf(1), math.Inf(-1)
	for _, xy := range pts {
		xmin, xmax = math.Min(xmin, xy.X), math.Max(xmax, xy.X)
	}
	p.X.Min, p.X.Max = xmin/2, xmax*2
	return p, nil
}

func latency(ran []*bench.ModeReport, note string) (*gplot.Plot, error) {
	p := gplot.New()
	p.Title.Text = "Latency per image, one worker" + note
	p.Y.Label.Text = "ms (log)"
	p.Y.Scale = gplot.LogScale{}
	p.Y.Tick.Marker = ticks125{}
	p.Add(plotter.NewGrid())
	var names []string
	for i, m := range ran {
		vals := make(plotter.Values, 0, len(m.PerImage))
		for _, r := range m.PerImage {
			vals = append(vals, positive(r.MS))
		}
		if len(vals) == 0 {
			vals = append(vals, positive(m.Summary.Latency.Mean))
		}
		b, err := plotter.NewBoxPlot(vg.Points(30), float64(i), vals)
		if err != nil {
			return nil, fmt.Errorf("plot: latency: %w", err)
		}
		b.FillColor = plotutil.Color(i)
		p.Add(b)
		names = append(names, fmt.Sprintf("%s (n=%d)", m.Mode, len(vals)))
	}
	p.NominalX(names...)
	return p, nil
}

// rss returns nil when no mode has memory figures.
func rss(ran []*bench.ModeReport, note string) (*gplot.Plot, error) {
	have := false
	for _, m := range ran {
		have = have || m.Memory.Source != ""
	}
	if !have {
		return nil, nil
	}
	p := gplot.New()
	p.Title.Text = "Resident memory (RSS)" + note
	p.Y.Label.Text = "MiB"
	p.Add(plotter.NewGrid())
	series := []struct {
		name string
		get  func(bench.Memory) uint64
	}{
		{"start", func(m bench.Memory) uint64 { return m.Start }},
		{"after model load", func(m bench.Memory) uint64 { return m.Loaded }},
		{"peak, 1 worker", func(m bench.Memory) uint64 { return m.Peak }},
		{"peak, N workers", func(m bench.Memory) uint64 { return m.PeakWorkers }},
	}
	const bw = 18
	var names []string
	top := 0.0
	for _, m := range ran {
		names = append(names, m.Mode)
	}
	for k, s := range series {
		vals := make(plotter.Values, len(ran))
		for i, m := range ran {
			vals[i] = float64(s.get(m.Memory)) / (1 << 20)
			top = math.Max(top, vals[i])
		}
		bars, err := plotter.NewBarChart(vals, vg.Points(bw))
		if err != nil {
			return nil, fmt.Errorf("plot: rss: %w", err)
		}
		bars.LineStyle.Width = 0
		bars.Color = seriesColor(k)
		bars.Offset = vg.Points(float64(bw) * (float64(k) - 1.5))
		p.Add(bars)
		p.Legend.Add(s.name, bars)
	}
	p.Legend.Top = true
	p.Legend.Left = true
	p.NominalX(names...)
	// Room above the bars for the legend.
	p.Y.Min, p.Y.Max = 0, 1.45*top
	return p, nil
}

func seriesColor(k int) color.Color { return plotutil.SoftColors[k%len(plotutil.SoftColors)] }
