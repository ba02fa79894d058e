package qr

import (
	"context"
	"testing"

	"github.com/makiuchi-d/gozxing/qrcode/decoder"

	"github.com/qrcascade/qrcascade/internal/geom"
)

// TestSqueezedSymbol: a symbol seen at a grazing angle about a vertical
// axis, about 2 px per module across and 6 px down (boofcv-dev
// perspective/image013 and image032). The row scan finds none of its
// finder patterns; the column scan does, the grouping compares the
// triple's corner angle unsqueezed, and the symbol reads (none of these
// cases reads without the column scan). Known limits, measured on the same
// scene: 1.8 px across, a box blur of radius 1 at 2 px, or a taper as
// strong as sides of 130 and 180 px read nothing.
func TestSqueezedSymbol(t *testing.T) {
	const text = "squeezed 1234"
	m := encodeSymbol(t, text, decoder.ErrorCorrectionLevel_M, 2)
	n := len(m)
	tests := []struct {
		name string
		q    geom.Quad
		blur int
	}{
		{"sheared, 2.0 px across", geom.Quad{{X: 200, Y: 100}, {X: 250, Y: 112}, {X: 254, Y: 262}, {X: 204, Y: 248}}, 0},
		{"sheared, 2.2 px across", geom.Quad{{X: 200, Y: 100}, {X: 255, Y: 112}, {X: 259, Y: 262}, {X: 204, Y: 248}}, 0},
		{"upright, 2.4 px across", geom.Quad{{X: 150, Y: 90}, {X: 210, Y: 90}, {X: 210, Y: 250}, {X: 150, Y: 250}}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sc := homographyScene(400, 350, n, tc.q)
			sc.blur = tc.blur
			p := sc.render(m)
			b := binarize(p)
			rows := findFinderPatterns(context.Background(), b, false, 100)
			both := findFinders(context.Background(), b, false, 100, true)
			squeezed := 0
			for _, fp := range both {
				if fp.squeezed {
					squeezed++
				}
			}
			if squeezed < 3 {
				t.Errorf("column scan: %d squeezed patterns, want 3 (row scan alone: %d patterns)", squeezed, len(rows))
			}
			res := NewDetector(Options{}).Detect(context.Background(), p)
			if len(res.Symbols) != 1 || res.Symbols[0].Text != text {
				t.Fatalf("read %+v, want %q", res.Symbols, text)
			}
		})
	}
}

// TestCentreQuad: the corners extrapolated from the finder centres of a
// symbol mapped by an affine transform (squeezed across, sheared) are its
// outer corners.
func TestCentreQuad(t *testing.T) {
	const n = 25
	// module (u, v) ↦ (100 + 2u + 0.5v, 50 + 0.4u + 6v)
	at := func(u, v float64) geom.Point { return geom.Point{X: 100 + 2*u + 0.5*v, Y: 50 + 0.4*u + 6*v} }
	f := finderFrame{
		tl: finderPattern{c: at(3.5, 3.5)},
		tr: finderPattern{c: at(n-3.5, 3.5)},
		bl: finderPattern{c: at(3.5, n-3.5)},
	}
	q, ok := centreQuad(&f, n)
	if !ok {
		t.Fatal("centreQuad refused a 25-module symbol")
	}
	want := geom.Quad{at(0, 0), at(n, 0), at(n, n), at(0, n)}
	for i := range q {
		if d := q[i].Dist(want[i]); d > 1e-9 {
			t.Errorf("corner %d = %v, want %v", i, q[i], want[i])
		}
	}
	if _, ok := centreQuad(&f, 7); ok {
		t.Error("centreQuad accepted a 7-module side")
	}
}
