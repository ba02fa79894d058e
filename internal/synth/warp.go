package synth

import (
	"math"

	"github.com/qrcascade/qrcascade/internal/geom"
)

// warp maps module space to image pixels: first the cylinder bend (module
// column u is an arc length on a cylinder of radius R seen head-on, so it
// lands at uc + R·sin((u-uc)/R) in the "flat" frame), then a homography from
// the flat frame to the image. With Cylinder == 0 the bend is the identity
// and the whole warp is one homography.
type warp struct {
	n      float64 // symbol dimension in modules
	r      float64 // cylinder radius in modules; 0 = flat
	h, inv geom.Homography
	ok     bool
}

// newWarp returns the warp that takes the module-space symbol corners
// (0,0), (n,0), (n,n), (0,n) exactly to corners, bending by cyl radians.
func newWarp(n int, corners geom.Quad, cyl float64) warp {
	w := warp{n: float64(n)}
	if cyl > 0 {
		w.r = w.n / cyl
	}
	x0, x1 := w.bend(0), w.bend(w.n)
	flat := geom.Quad{{X: x0, Y: 0}, {X: x1, Y: 0}, {X: x1, Y: w.n}, {X: x0, Y: w.n}}
	h, ok := geom.QuadToQuad(flat, corners)
	if !ok {
		return w
	}
	inv, ok := h.Inverse()
	w.h, w.inv, w.ok = h, inv, ok
	return w
}

// bend maps a module column to the flat frame.
func (w *warp) bend(u float64) float64 {
	if w.r == 0 {
		return u
	}
	c := w.n / 2
	return c + w.r*math.Sin((u-c)/w.r)
}

// unbend inverts bend on the visible half of the cylinder; ok is false for
// flat-frame columns beyond the cylinder's silhouette.
func (w *warp) unbend(x float64) (float64, bool) {
	if w.r == 0 {
		return x, true
	}
	c := w.n / 2
	t := (x - c) / w.r
	if t < -1 || t > 1 {
		return 0, false
	}
	return c + w.r*math.Asin(t), true
}

// forward maps module space to the image.
func (w *warp) forward(p geom.Point) geom.Point {
	return w.h.Apply(geom.Point{X: w.bend(p.X), Y: p.Y})
}

// backward maps an image point to module space; ok is false where no point
// of the (visible) symbol plane lands there, or behind the camera.
func (w *warp) backward(x, y float64) (u, v float64, ok bool) {
	h := &w.inv
	d := h[6]*x + h[7]*y + h[8]
	if d == 0 {
		return 0, 0, false
	}
	fx := (h[0]*x + h[1]*y + h[2]) / d
	v = (h[3]*x + h[4]*y + h[5]) / d
	u, ok = w.unbend(fx)
	return u, v, ok
}

// bounds returns the image bounding box of the module-space square
// [-q, n+q]², sampling its edges so that the cylinder's bulge is included.
func (w *warp) bounds(q float64) (minX, minY, maxX, maxY float64) {
	minX, minY = math.Inf(1), math.Inf(1)
	maxX, maxY = math.Inf(-1), math.Inf(-1)
	lo, hi := -q, w.n+q
	if w.r > 0 { // columns beyond a quarter turn are hidden behind the cylinder
		c, lim := w.n/2, w.r*math.Pi/2
		lo, hi = math.Max(lo, c-lim), math.Min(hi, c+lim)
	}
	const steps = 16
	for i := 0; i <= steps; i++ {
		t := float64(i) / steps
		u := lo + (hi-lo)*t
		v := -q + (w.n+2*q)*t
		for _, p := range [4]geom.Point{{X: u, Y: -q}, {X: u, Y: w.n + q}, {X: lo, Y: v}, {X: hi, Y: v}} {
			r := w.forward(p)
			minX, maxX = math.Min(minX, r.X), math.Max(maxX, r.X)
			minY, maxY = math.Min(minY, r.Y), math.Max(maxY, r.Y)
		}
	}
	return
}

// corners returns the image positions of the module-space symbol corners
// (0,0), (n,0), (n,n), (0,n).
func (w *warp) corners() geom.Quad {
	return geom.Quad{w.forward(geom.Point{}), w.forward(geom.Point{X: w.n}),
		w.forward(geom.Point{X: w.n, Y: w.n}), w.forward(geom.Point{Y: w.n})}
}
