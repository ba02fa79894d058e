package qr

import (
	"context"
	"fmt"
	"math"
	"testing"

	"github.com/makiuchi-d/gozxing/qrcode/decoder"

	"github.com/qrcascade/qrcascade/internal/geom"
)

// TestCompletePairs reads symbols with one finder pattern wiped out (as
// glare or a stain does): only two finder patterns are found, no triple
// can form, and the symbol must still be read by completing the pair.
func TestCompletePairs(t *testing.T) {
	cases := []struct {
		v    int
		wipe string // "tl", "tr" or "bl"
		deg  float64
		blur int
		ms   float64
	}{
		{2, "bl", 0, 0, 6},
		{2, "tr", 0, 0, 6},
		{3, "bl", 30, 0, 5},
		{4, "tr", -50, 1, 5},
		{5, "bl", 120, 1, 5},
		{7, "tr", 200, 0, 4},
		{2, "tl", 0, 0, 6},
		{4, "tl", 70, 1, 5},
	}
	for i, tc := range cases {
		t.Run(fmt.Sprintf("v%d wipe %s rot %.0f", tc.v, tc.wipe, tc.deg), func(t *testing.T) {
			text := fmt.Sprintf("pair %d", i)
			m := encodeSymbol(t, text, decoder.ErrorCorrectionLevel_H, tc.v)
			n := len(m)
			x0, y0 := 0, n-7 // bottom-left pattern
			switch tc.wipe {
			case "tr":
				x0, y0 = n-7, 0
			case "tl":
				x0, y0 = 0, 0
			}
			for y := y0; y < y0+7; y++ {
				for x := x0; x < x0+7; x++ {
					m[y][x] = false
				}
			}
			side := float64(n) * tc.ms
			sc := homographyScene(int(side*1.6), int(side*1.6), n, squareQuad(side*0.8, side*0.8, side, tc.deg))
			sc.blur = tc.blur
			p := sc.render(m)
			sn := newScene(p, 1400, nil)
			if fps := findFinderPatterns(context.Background(), sn.bitmap(0), false, 400); len(fps) < 2 {
				t.Fatalf("%d finder patterns found, want the two intact ones", len(fps))
			}
			res := NewDetector(Options{}).Detect(context.Background(), p)
			if len(res.Symbols) != 1 || res.Symbols[0].Text != text {
				t.Fatalf("read %d symbols (%+v), want %q", len(res.Symbols), res.Stats, text)
			}
		})
	}
}

// TestCompletePairsAfterRead: an image with two symbols, one intact and
// one whose bottom-left finder pattern has its light ring greyed (as blur
// or a bright spot's halo does: the run-length search misses it, the
// template still sees it). The first symbol is read from its triple, the
// second only by completing its pair after that read.
func TestCompletePairsAfterRead(t *testing.T) {
	const ms = 5.0
	ma := encodeSymbol(t, "intact", decoder.ErrorCorrectionLevel_M, 2)
	mb := encodeSymbol(t, "greyed ring", decoder.ErrorCorrectionLevel_M, 2)
	n := len(ma)
	side := float64(n) * ms
	sa := homographyScene(600, 300, n, squareQuad(150, 150, side, 10))
	sb := homographyScene(600, 300, n, squareQuad(450, 150, side, -15))
	pa, pb := sa.render(ma), sb.render(mb)
	for y := 0; y < pb.H; y++ {
		for x := 0; x < pb.W; x++ {
			u := sb.toModule(geom.Point{X: float64(x) + 0.5, Y: float64(y) + 0.5})
			// the light ring of the bottom-left finder pattern: modules
			// at Chebyshev distance 2 from its centre (3.5, n−3.5)
			dx, dy := math.Abs(u.X-3.5), math.Abs(u.Y-(float64(n)-3.5))
			if r := math.Max(dx, dy); r >= 1.5 && r < 2.5 {
				pb.Pix[y*pb.Stride+x] = 100
			}
		}
	}
	for i := range pa.Pix {
		pa.Pix[i] = min(pa.Pix[i], pb.Pix[i])
	}
	for _, pairs := range []bool{false, true} {
		res := NewDetector(Options{NoPairCompletion: !pairs}).Detect(context.Background(), pa)
		got := map[string]bool{}
		for _, s := range res.Symbols {
			got[s.Text] = true
		}
		if !got["intact"] {
			t.Errorf("pairs %v: the intact symbol was not read (%+v)", pairs, res.Stats)
		}
		if got["greyed ring"] != pairs {
			t.Errorf("pairs %v: greyed-ring symbol read = %v (%+v)", pairs, got["greyed ring"], res.Stats)
		}
	}
}

// TestTemplateLatticeSearch checks placeMissing's coarse search from the
// lattice table against templateScore at each of the 81 offsets: the same
// best offset and score, a finder pattern present or not (random modules
// only), both polarities, axes at several angles and module sizes, and a
// search that runs off the plane.
func TestTemplateLatticeSearch(t *testing.T) {
	reference := func(s sampler, c, ex, ey geom.Point, inv bool) (geom.Point, float64) {
		best, bestScore := c, math.Inf(-1)
		for j := -4; j <= 4; j++ {
			for i := -4; i <= 4; i++ {
				p := c.Add(ex.Scale(float64(i) * 0.5)).Add(ey.Scale(float64(j) * 0.5))
				if sc := templateScore(s, p, ex, ey, inv); sc > bestScore {
					best, bestScore = p, sc
				}
			}
		}
		return best, bestScore
	}
	const size = 29
	searched := 0
	for seed := uint64(1); seed <= 10; seed++ {
		for _, present := range []bool{true, false} {
			sc, mods := alignPatternScene(t, seed, size, 0, 0, 3+float64(seed%4), 11*float64(seed), false)
			if present {
				// a finder pattern (7×7) and its separator at modules 10..18
				for y := -4; y <= 4; y++ {
					for x := -4; x <= 4; x++ {
						r := max(abs(x), abs(y))
						mods[14+y][14+x] = r == 1 || r == 3
						if r == 0 {
							mods[14+y][14+x] = true
						}
					}
				}
			}
			p := sc.render(mods)
			s := newSampler(p)
			for _, at := range []geom.Point{{X: 14.8, Y: 14.1}, {X: 13.2, Y: 15.4}, {X: 1, Y: 2}} {
				c := sc.toImage(at)
				ex := sc.toImage(geom.Point{X: at.X + 1, Y: at.Y}).Sub(c)
				ey := sc.toImage(geom.Point{X: at.X, Y: at.Y + 1}).Sub(c)
				for _, inv := range []bool{false, true} {
					want, wantScore := reference(s, c, ex, ey, inv)
					got, gotScore := templateLatticeSearch(s, c, ex, ey, inv)
					if got.Dist(want) > 1e-9 || math.Abs(gotScore-wantScore) > 1e-9 {
						t.Errorf("seed %d present %v at %v inv %v: %v %v, want %v %v",
							seed, present, at, inv, got, gotScore, want, wantScore)
					}
					searched++
				}
			}
		}
	}
	if searched != 10*2*3*2 {
		t.Fatalf("%d searches", searched)
	}
}
