package qr

import (
	"fmt"
	"math"
	"testing"

	"github.com/makiuchi-d/gozxing/qrcode/decoder"

	"qrcascade/internal/geom"
)

// TestRefineLocalWarped reads high-version symbols on smoothly bent
// surfaces from their exact finder centres: the homography fitted to the
// finder centres and the bottom-right alignment pattern must fail (the
// middle of the symbol is off by more than a module), and the local grid
// (refineLocal: one homography per alignment-pattern cell) must put every
// module centre within 0.4 module of the truth and decode.
func TestRefineLocalWarped(t *testing.T) {
	const ms = 6.0 // pixels per module
	cases := []struct {
		name string
		v    int
		// scene builds the warp for an n-module symbol
		scene func(n int) synthScene
		blur  int
	}{
		{"v25 sag 3.5 modules", 25, func(n int) synthScene {
			nf := float64(n)
			return sagScene(int(nf*ms)+80, int(nf*ms)+100, n, nf*ms/2+40, nf*ms/2+40, nf*ms, 3.5*ms)
		}, 0},
		{"v25 sag 3.5 modules blurred", 25, func(n int) synthScene {
			nf := float64(n)
			return sagScene(int(nf*ms)+80, int(nf*ms)+100, n, nf*ms/2+40, nf*ms/2+40, nf*ms, 3.5*ms)
		}, 1},
		{"v32 cylinder 1 radian", 32, func(n int) synthScene {
			nf := float64(n)
			return cylinderScene(int(nf*ms)+80, int(nf*ms)+80, n, nf*ms/2+40, nf*ms/2+40, nf*ms, 1.0)
		}, 0},
		{"v40 sag 4 modules", 40, func(n int) synthScene {
			nf := float64(n)
			return sagScene(int(nf*ms)+80, int(nf*ms)+100, n, nf*ms/2+40, nf*ms/2+40, nf*ms, 4.0*ms)
		}, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			text := fmt.Sprintf("bent version %d symbol", tc.v)
			m := encodeSymbol(t, text, decoder.ErrorCorrectionLevel_M, tc.v)
			n := len(m)
			nf := float64(n)
			sc := tc.scene(n)
			sc.blur = tc.blur
			p := sc.render(m)
			s := sampler{p}
			fp := func(x, y float64) finderPattern {
				c := sc.toImage(geom.Point{X: x, Y: y})
				return finderPattern{c: c, ms: sc.toImage(geom.Point{X: x + 1, Y: y}).Dist(c), count: 1}
			}
			f := newFinderFrame(s, fp(3.5, 3.5), fp(nf-3.5, 3.5), fp(3.5, nf-3.5), false)
			// worst distance, in modules, between g's and the scene's
			// module centres
			worst := func(g *grid) float64 {
				var w float64
				for y := 0; y < n; y++ {
					for x := 0; x < n; x++ {
						c := geom.Point{X: float64(x) + 0.5, Y: float64(y) + 0.5}
						w = math.Max(w, g.toImage(c.X, c.Y).Dist(sc.toImage(c))/ms)
					}
				}
				return w
			}
			gh := fitGrid(s, &f, n, false, 0)
			if gh == nil {
				t.Fatal("no homography grid")
			}
			if _, cerr := readGrid(s, gh, false, 0); cerr == nil {
				t.Fatalf("one homography read the symbol (worst module %.2f off): the case does not test the local grid", worst(gh))
			}
			gl := fitGrid(s, &f, n, true, 0)
			if gl == nil || gl.cells == nil {
				t.Fatal("no local grid")
			}
			if w := worst(gl); w > 0.4 {
				t.Errorf("local grid: worst module centre %.2f modules off (homography %.2f)", w, worst(gh))
			}
			if sym, cerr := readGrid(s, gl, false, 0); cerr != nil || sym.Text != text {
				t.Errorf("local grid read %q, %v", sym.Text, cerr)
			}
		})
	}
}
