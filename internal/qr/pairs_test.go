package qr

import (
	"context"
	"fmt"
	"testing"

	"github.com/makiuchi-d/gozxing/qrcode/decoder"
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
