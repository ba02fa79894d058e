package qr

import (
	"fmt"
	"testing"

	"github.com/makiuchi-d/gozxing/qrcode/decoder"

	"qrcascade/internal/geom"
)

// TestSearchCorner fits the grid of symbols under strong perspective from
// their exact finder centres: the parallelogram completion (mode 2) misses
// the bottom-right corner by modules, the phase search (mode 3) must put
// it within half a module and the symbol must decode.
func TestSearchCorner(t *testing.T) {
	cases := []struct {
		v int
		q geom.Quad
	}{
		{1, geom.Quad{{X: 60, Y: 90}, {X: 300, Y: 40}, {X: 340, Y: 330}, {X: 50, Y: 300}}},
		{1, geom.Quad{{X: 80, Y: 60}, {X: 330, Y: 90}, {X: 300, Y: 300}, {X: 60, Y: 340}}},
		{3, geom.Quad{{X: 60, Y: 90}, {X: 320, Y: 50}, {X: 350, Y: 350}, {X: 40, Y: 310}}},
	}
	for i, tc := range cases {
		t.Run(fmt.Sprintf("v%d case %d", tc.v, i), func(t *testing.T) {
			text := fmt.Sprintf("corner %d", i)
			m := encodeSymbol(t, text, decoder.ErrorCorrectionLevel_M, tc.v)
			n := len(m)
			nf := float64(n)
			sc := homographyScene(400, 400, n, tc.q)
			p := sc.render(m)
			s := sampler{p}
			fp := func(x, y float64) finderPattern {
				c := sc.toImage(geom.Point{X: x, Y: y})
				return finderPattern{c: c, ms: sc.toImage(geom.Point{X: x + 1, Y: y}).Dist(c), count: 1}
			}
			f := newFinderFrame(s, fp(3.5, 3.5), fp(nf-3.5, 3.5), fp(3.5, nf-3.5), false)
			want := sc.toImage(geom.Point{X: nf, Y: nf})
			ms := sc.toImage(geom.Point{X: nf - 1, Y: nf}).Dist(want)
			g2 := fitGrid(s, &f, n, false, 2)
			g3 := fitGrid(s, &f, n, false, 3)
			if g3 == nil {
				t.Fatal("no grid from the corner search")
			}
			d2, d3 := g2.corners()[2].Dist(want)/ms, g3.corners()[2].Dist(want)/ms
			if d2 < 1 {
				t.Fatalf("parallelogram corner only %.2f modules off: the case does not test the search", d2)
			}
			if d3 > 0.5 {
				t.Errorf("searched corner %.2f modules off (parallelogram %.2f)", d3, d2)
			}
			if sym, cerr := readGrid(s, g3, false, 0); cerr != nil || sym.Text != text {
				t.Errorf("read %q, %v", sym.Text, cerr)
			}
		})
	}
}
