package plot

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qrcascade/qrcascade/internal/bench"
)

func comparison() *bench.Comparison {
	mode := func(name string, rate, p95 float64, lat ...float64) bench.ModeReport {
		r := bench.ModeReport{Mode: name, Available: true}
		r.Summary.Images, r.Summary.Rate, r.Summary.Latency.P95 = len(lat), rate, p95
		r.Memory = bench.Memory{Source: bench.ProcStatus, Start: 10 << 20, Loaded: 14 << 20, Peak: 40 << 20, PeakWorkers: 55 << 20}
		for _, l := range lat {
			r.PerImage = append(r.PerImage, bench.ImageRecord{MS: l})
		}
		return r
	}
	return &bench.Comparison{Modes: []bench.ModeReport{
		mode("classic", 0.6, 120, 20, 30, 40, 120, 900),
		mode("nano", 0.7, 300, 25, 35, 60, 300, 1500),
		{Mode: "large", Unavailable: "not embedded"},
	}}
}

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	files, err := Write(dir, comparison())
	if err != nil {
		t.Fatal(err)
	}
	names := []string{files.RateVsP95PNG, files.RateVsP95SVG, files.LatencyPNG, files.LatencySVG, files.RSSPNG, files.RSSSVG}
	for _, n := range names {
		t.Run(n, func(t *testing.T) {
			if n == "" {
				t.Fatal("a figure was not written")
			}
			b, err := os.ReadFile(filepath.Join(dir, n))
			if err != nil {
				t.Fatal(err)
			}
			switch filepath.Ext(n) {
			case ".png":
				if !bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")) || len(b) < 2000 {
					t.Errorf("not a drawn PNG: %d bytes", len(b))
				}
			case ".svg":
				// The SVG holds the modes that ran and names the one that did not.
				for _, s := range []string{"<svg", "classic", "nano", "large: did not run"} {
					if !bytes.Contains(b, []byte(s)) {
						t.Errorf("SVG lacks %q", s)
					}
				}
			}
		})
	}
}

func TestWriteNoData(t *testing.T) {
	dir := t.TempDir()
	c := &bench.Comparison{Modes: []bench.ModeReport{{Mode: "large", Unavailable: "x"}}}
	if _, err := Write(dir, c); !errors.Is(err, ErrNoData) {
		t.Errorf("err = %v, want ErrNoData", err)
	}
	if es, _ := os.ReadDir(dir); len(es) != 0 {
		t.Errorf("%d files written for no data", len(es))
	}
}

func TestWriteWithoutMemoryFigures(t *testing.T) {
	c := comparison()
	for i := range c.Modes {
		c.Modes[i].Memory = bench.Memory{}
	}
	files, err := Write(t.TempDir(), c)
	if err != nil {
		t.Fatal(err)
	}
	if files.RSSPNG != "" || files.RateVsP95PNG == "" {
		t.Errorf("files %+v: want no RSS figure without memory figures, the others drawn", files)
	}
}

func TestTicks125(t *testing.T) {
	tests := []struct {
		lo, hi float64
		want   string
	}{
		{30, 2500, "50 100 200 500 1000 2000"},
		{0.5, 3, "0.5 1 2"},
		{150, 180, "150 160 170 180"},
	}
	for _, tc := range tests {
		var got []string
		for _, tk := range (ticks125{}).Ticks(tc.lo, tc.hi) {
			if tk.Label != "" { // minor ticks are unlabelled
				got = append(got, tk.Label)
			}
		}
		if g := strings.Join(got, " "); g != tc.want {
			t.Errorf("ticks(%v, %v) = %q, want %q", tc.lo, tc.hi, g, tc.want)
		}
	}
}
