package cascade

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/qrcascade/qrcascade/internal/geom"
	"github.com/qrcascade/qrcascade/internal/gray"
)

// rectifyReference is rectify as first written, in the same frame
// (rectFrame): each pixel mapped by Homography.Apply and sampled by the
// clamped bilinear blend (bilinearReference), with no shortcut for
// interior points.
func rectifyReference(src *gray.Plane, q geom.Quad) (*gray.Plane, bool) {
	n, h, ok := rectFrame(q)
	if !ok {
		return nil, false
	}
	out := gray.New(n, n)
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			p := h.Apply(geom.Point{X: float64(x) + 0.5, Y: float64(y) + 0.5})
			out.Pix[y*n+x] = bilinearReference(src, p.X-0.5, p.Y-0.5)
		}
	}
	return out, true
}

// bilinearReference is bilinear without its interior shortcut: every
// point through the clamped blend, as rectify first sampled.
func bilinearReference(src *gray.Plane, x, y float64) byte {
	if farOutside(src, x, y) {
		return 255
	}
	return bilinearBorder(src, x, y)
}

// TestRectifyMatchesReference warps random quads (inside planes of several
// shapes, crossing their edges, partly outside, strongly projective) with
// rectify and with its reference: the same pixels.
func TestRectifyMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	for _, sz := range [][3]int{{1, 1, 1}, {2, 5, 3}, {97, 61, 97}, {640, 480, 700}} {
		w, h, stride := sz[0], sz[1], sz[2]
		p := &gray.Plane{W: w, H: h, Stride: stride, Pix: make([]byte, (h-1)*stride+w)}
		for i := range p.Pix {
			p.Pix[i] = byte(rng.IntN(256))
		}
		W, H := float64(w), float64(h)
		for i := range 12 {
			var q geom.Quad
			c := geom.Point{X: W * (rng.Float64()*1.4 - 0.2), Y: H * (rng.Float64()*1.4 - 0.2)}
			side := 20 + 400*rng.Float64()
			for k := range q {
				a := float64(k)*math.Pi/2 + 0.3*rng.NormFloat64()
				r := side * (0.7 + 0.3*rng.Float64())
				q[k] = geom.Point{X: c.X + r*math.Cos(a), Y: c.Y + r*math.Sin(a)}
			}
			got, _, ok := rectify(p, q)
			want, wok := rectifyReference(p, q)
			if ok != wok {
				t.Fatalf("plane %dx%d, quad %d %v: ok %v, reference %v", w, h, i, q, ok, wok)
			}
			if !ok {
				continue
			}
			for k := range want.Pix {
				if got.Pix[k] != want.Pix[k] {
					t.Fatalf("plane %dx%d, quad %d %v: pixel %d = %d, reference %d", w, h, i, q, k, got.Pix[k], want.Pix[k])
				}
			}
		}
	}
}

// BenchmarkRectify warps a 600-px candidate of a 1500×1200 plane onto the
// 768-px rectified square.
func BenchmarkRectify(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	p := gray.New(1500, 1200)
	for i := range p.Pix {
		p.Pix[i] = byte(rng.IntN(256))
	}
	q := geom.Quad{{X: 300, Y: 250}, {X: 900, Y: 300}, {X: 880, Y: 850}, {X: 280, Y: 820}}
	for b.Loop() {
		rectify(p, q)
	}
}
