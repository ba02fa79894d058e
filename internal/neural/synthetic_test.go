package neural

import (
	"context"
	"fmt"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/qrcascade/qrcascade/internal/geom"
	"github.com/qrcascade/qrcascade/internal/gray"
)

// readSymbol reads testdata/qr_invoice.txt: a comment line, then one row of
// modules per line, '#' dark.
func readSymbol(t testing.TB) [][]bool {
	t.Helper()
	b, err := os.ReadFile("testdata/qr_invoice.txt")
	if err != nil {
		t.Fatal(err)
	}
	var rows [][]bool
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n")[1:] {
		row := make([]bool, len(line))
		for i, ch := range line {
			row[i] = ch == '#'
		}
		rows = append(rows, row)
	}
	return rows
}

// renderQR draws the test symbol on a light page of w×h pixels,
// mapped by a rotation of angle degrees about (cx, cy) with side pixels
// between its outer corners (quiet zone excluded). It returns the plane and
// the symbol's corners. Each pixel samples the symbol at its centre.
func renderQR(t testing.TB, w, h int, cx, cy, side, angle float64) (*gray.Plane, geom.Quad) {
	t.Helper()
	sym := readSymbol(t)
	n := float64(len(sym))
	a := angle * math.Pi / 180
	c, s := math.Cos(a), math.Sin(a)
	// module (u, v) in [0, n) → pixel
	toPix := func(u, v float64) geom.Point {
		x, y := (u/n-0.5)*side, (v/n-0.5)*side
		return geom.Point{X: cx + c*x - s*y, Y: cy + s*x + c*y}
	}
	q := geom.Quad{toPix(0, 0), toPix(n, 0), toPix(n, n), toPix(0, n)}
	p := gray.New(w, h)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			dx, dy := float64(x)+0.5-cx, float64(y)+0.5-cy
			u := (c*dx+s*dy)/side*n + n/2
			v := (-s*dx+c*dy)/side*n + n/2
			val := byte(235)
			if u >= 0 && v >= 0 && u < n && v < n && sym[int(v)][int(u)] {
				val = 25
			}
			p.Pix[y*w+x] = val
		}
	}
	return p, q
}

// TestDetectsRenderedSymbols runs the shipped nano model on clean rendered
// symbols and requires each to be found: a detection whose centroid lies in
// the symbol and whose corners are within 25 % of the side of the truth
// (corner order ignored). Skips when models/nano.safetensors is absent.
func TestDetectsRenderedSymbols(t *testing.T) {
	m := loadModelFile(t, "../../models/nano.safetensors")
	for _, tc := range []struct {
		w, h                int
		cx, cy, side, angle float64
	}{
		{320, 320, 160, 160, 150, 0},
		{320, 320, 120, 200, 100, 30},
		{640, 480, 400, 200, 240, 10},
		{1200, 900, 300, 600, 300, -20},
	} {
		t.Run(fmt.Sprintf("%dx%d_side%.0f_rot%.0f", tc.w, tc.h, tc.side, tc.angle), func(t *testing.T) {
			p, truth := renderQR(t, tc.w, tc.h, tc.cx, tc.cy, tc.side, tc.angle)
			dets, err := m.Detect(context.Background(), p)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range dets {
				if truth.Contains(d.Quad.Centroid()) {
					if e := cyclicCornerError(d.Quad, truth); e > 0.25*tc.side {
						t.Errorf("found (score %.2f) but corner error %.1f px > 25%% of side %.0f: %v vs %v",
							d.Score, e, tc.side, d.Quad, truth)
					}
					return
				}
			}
			t.Errorf("symbol at %v not found; detections %v", truth, dets)
		})
	}
	t.Run("blank page", func(t *testing.T) {
		p := gray.New(320, 320)
		for i := range p.Pix {
			p.Pix[i] = 235
		}
		if dets, _ := m.Detect(context.Background(), p); len(dets) != 0 {
			t.Errorf("blank page: %d detections %v", len(dets), dets)
		}
	})
}

// cyclicCornerError is the mean corner distance under the best cyclic
// order of a's corners.
func cyclicCornerError(a, b geom.Quad) float64 {
	best := math.Inf(1)
	for k := 0; k < 4; k++ {
		var e float64
		for i := 0; i < 4; i++ {
			e += a[(i+k)%4].Dist(b[i])
		}
		best = math.Min(best, e/4)
	}
	return best
}
