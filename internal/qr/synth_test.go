package qr

import (
	"math"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode/decoder"
	"github.com/makiuchi-d/gozxing/qrcode/encoder"

	"github.com/qrcascade/qrcascade/internal/geom"
	"github.com/qrcascade/qrcascade/internal/gray"
)

// This file renders synthetic symbols with known geometry for the tests.

// encodeSymbol returns the module matrix (dark = true) of text at the given
// EC level, forcing version v when v > 0.
func encodeSymbol(t testing.TB, text string, ec decoder.ErrorCorrectionLevel, v int) [][]bool {
	t.Helper()
	hints := map[gozxing.EncodeHintType]interface{}{}
	if v > 0 {
		hints[gozxing.EncodeHintType_QR_VERSION] = v
	}
	code, err := encoder.Encoder_encode(text, ec, hints)
	if err != nil {
		t.Fatalf("encode %q v%d: %v", text, v, err)
	}
	bm := code.GetMatrix()
	n := bm.GetWidth()
	m := make([][]bool, n)
	for y := range m {
		m[y] = make([]bool, n)
		for x := range m[y] {
			m[y][x] = bm.Get(x, y) == 1
		}
	}
	return m
}

// scene describes how a symbol is placed in a synthetic image.
type synthScene struct {
	w, h int
	// toImage maps module coordinates to pixel coordinates (forward, for
	// ground truth); toModule is its inverse (for rendering).
	toImage  func(geom.Point) geom.Point
	toModule func(geom.Point) geom.Point
	inverted bool
	mirrored bool
	blur     int // box blur radius in pixels, applied twice
	dark     byte
	light    byte
}

// homographyScene places an n-module symbol with its outer corners at q.
func homographyScene(w, h, n int, q geom.Quad) synthScene {
	nf := float64(n)
	src := geom.Quad{{X: 0, Y: 0}, {X: nf, Y: 0}, {X: nf, Y: nf}, {X: 0, Y: nf}}
	fwd, _ := geom.QuadToQuad(src, q)
	inv, _ := fwd.Inverse()
	return synthScene{w: w, h: h,
		toImage:  func(p geom.Point) geom.Point { return fwd.Apply(p) },
		toModule: func(p geom.Point) geom.Point { return inv.Apply(p) },
		dark:     20, light: 235}
}

// squareQuad returns the corners of a square of side s centred at (cx, cy),
// rotated by deg degrees.
func squareQuad(cx, cy, s, deg float64) geom.Quad {
	a := deg * math.Pi / 180
	c, sn := math.Cos(a), math.Sin(a)
	var q geom.Quad
	for i, p := range [4][2]float64{{-1, -1}, {1, -1}, {1, 1}, {-1, 1}} {
		x, y := p[0]*s/2, p[1]*s/2
		q[i] = geom.Point{X: cx + x*c - y*sn, Y: cy + x*sn + y*c}
	}
	return q
}

// render draws m into a new plane, 2×2 supersampled.
func (sc synthScene) render(m [][]bool) *gray.Plane {
	n := len(m)
	p := gray.New(sc.w, sc.h)
	dark, light := float64(sc.dark), float64(sc.light)
	if sc.inverted {
		dark, light = light, dark
	}
	for y := 0; y < sc.h; y++ {
		for x := 0; x < sc.w; x++ {
			var acc float64
			for _, o := range [4][2]float64{{0.25, 0.25}, {0.75, 0.25}, {0.25, 0.75}, {0.75, 0.75}} {
				u := sc.toModule(geom.Point{X: float64(x) + o[0], Y: float64(y) + o[1]})
				mx, my := int(math.Floor(u.X)), int(math.Floor(u.Y))
				if sc.mirrored {
					mx, my = my, mx
				}
				v := light
				if mx >= 0 && my >= 0 && mx < n && my < n && m[my][mx] {
					v = dark
				}
				acc += v
			}
			p.Pix[y*p.Stride+x] = byte(acc/4 + 0.5)
		}
	}
	for i := 0; i < 2 && sc.blur > 0; i++ {
		boxBlur(p, sc.blur)
	}
	return p
}

// boxBlur blurs p in place with a (2r+1)² box.
func boxBlur(p *gray.Plane, r int) {
	q := p.Clone()
	tmp := make([]int, p.W*p.H)
	for y := 0; y < p.H; y++ {
		for x := 0; x < p.W; x++ {
			s, c := 0, 0
			for d := -r; d <= r; d++ {
				if xx := x + d; xx >= 0 && xx < p.W {
					s += int(q.Pix[y*q.Stride+xx])
					c++
				}
			}
			tmp[y*p.W+x] = s / c
		}
	}
	for y := 0; y < p.H; y++ {
		for x := 0; x < p.W; x++ {
			s, c := 0, 0
			for d := -r; d <= r; d++ {
				if yy := y + d; yy >= 0 && yy < p.H {
					s += tmp[yy*p.W+x]
					c++
				}
			}
			p.Pix[y*p.Stride+x] = byte(s / c)
		}
	}
}

// cylinderScene wraps an n-module symbol around a vertical cylinder seen
// from the front: columns compress towards the left and right edges.
func cylinderScene(w, h, n int, cx, cy, side, curvature float64) synthScene {
	nf := float64(n)
	// module u in [0,n] maps to angle θ = (u/n − 0.5)·curvature; x = R sin θ
	R := side / 2 / math.Sin(curvature/2)
	fwd := func(p geom.Point) geom.Point {
		th := (p.X/nf - 0.5) * curvature
		return geom.Point{X: cx + R*math.Sin(th), Y: cy + (p.Y/nf-0.5)*side}
	}
	bwd := func(p geom.Point) geom.Point {
		s := (p.X - cx) / R
		if s <= -1 || s >= 1 {
			return geom.Point{X: -100, Y: -100}
		}
		th := math.Asin(s)
		return geom.Point{X: (th/curvature + 0.5) * nf, Y: ((p.Y-cy)/side + 0.5) * nf}
	}
	return synthScene{w: w, h: h, toImage: fwd, toModule: bwd, dark: 20, light: 235}
}

// drawFinderPattern draws a finder pattern (7 modules, dark ring, light
// ring, 3×3 dark centre) with its light separator ring, modules of m px,
// centred on pixel (cx, cy) of p.
func drawFinderPattern(p *gray.Plane, cx, cy, m int) {
	for y := -4; y <= 4; y++ {
		for x := -4; x <= 4; x++ {
			v := byte(255)
			if r := max(abs(x), abs(y)); r == 0 || r == 1 || r == 3 {
				v = 0
			}
			for dy := 0; dy < m; dy++ {
				for dx := 0; dx < m; dx++ {
					p.Pix[(cy+m*y+dy-m/2)*p.Stride+cx+m*x+dx-m/2] = v
				}
			}
		}
	}
}
