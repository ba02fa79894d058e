package qr

import (
	"github.com/qrcascade/qrcascade/internal/geom"
	"github.com/qrcascade/qrcascade/internal/gray"
)

// sampler reads the gray plane with bilinear interpolation. Make one
// with newSampler.
type sampler struct {
	p *gray.Plane
	// maxX, maxY are p.W−1 and p.H−1: a point at under them (less the
	// half pixel) has its right and lower neighbours in the plane.
	maxX, maxY float64
	// buf lends the per-grid working buffers (lattice points, module
	// values) to the grids sampled one after the other within one Detect
	// call; nil allocates them.
	buf *gridBufs
}

// newSampler returns the sampler of p.
func newSampler(p *gray.Plane) sampler {
	return sampler{p: p, maxX: float64(p.W - 1), maxY: float64(p.H - 1)}
}

// atAll sets out[i] to at(pts[i]) for every point: the same values, in
// one loop that keeps the plane's fields in registers, for the callers
// that sample many points at a time (phaseCells). len(out) >= len(pts).
func (s sampler) atAll(pts []geom.Point, out []float64) {
	pix, stride := s.p.Pix, s.p.Stride
	maxX, maxY := s.maxX, s.maxY
	out = out[:len(pts)]
	for i, q := range pts {
		x, y := q.X-0.5, q.Y-0.5
		if !(x >= 0 && y >= 0 && x < maxX && y < maxY) {
			out[i] = s.at(q)
			continue
		}
		// at's interior path, the same arithmetic
		x0, y0 := int(x), int(y)
		fx, fy := x-float64(x0), y-float64(y0)
		j := y0*stride + x0
		r0 := pix[j : j+2 : j+2]
		r1 := pix[j+stride : j+stride+2 : j+stride+2]
		a := float64(r0[0])*(1-fx) + float64(r0[1])*fx
		b := float64(r1[0])*(1-fx) + float64(r1[1])*fx
		out[i] = a*(1-fy) + b*fy
	}
}

// templateSamples sets out[(y+4)*9+x+4] to the gray level at c + y·ey +
// x·ex for x, y in −4…4: the module centres of finderAt's 9×9 template
// (the row's start c + y·ey first, then x·ex added). Where the CPU has
// AVX2 it runs templateSamplesSIMD, which gives the same values.
func (s sampler) templateSamples(c, ex, ey geom.Point, out *[81]float64) {
	if haveSIMD {
		s.templateSamplesSIMD(c, ex, ey, out)
		return
	}
	s.templateSamplesScalar(c, ex, ey, out)
}

// templateSamplesScalar is the portable templateSamples.
func (s sampler) templateSamplesScalar(c, ex, ey geom.Point, out *[81]float64) {
	var pts [81]geom.Point
	for y := -4; y <= 4; y++ {
		row := c.Add(ey.Scale(float64(y)))
		for x := -4; x <= 4; x++ {
			pts[(y+4)*9+x+4] = row.Add(ex.Scale(float64(x)))
		}
	}
	s.atAll(pts[:], out[:])
}

// at returns the interpolated gray level at pixel coordinates q (pixel
// centres at +0.5), clamped to the plane.
func (s sampler) at(q geom.Point) float64 {
	p := s.p
	x, y := q.X-0.5, q.Y-0.5
	// Interior fast path (almost every sample): both neighbours exist, no
	// clamping; the same arithmetic as below.
	if x >= 0 && y >= 0 && x < s.maxX && y < s.maxY {
		x0, y0 := int(x), int(y)
		fx, fy := x-float64(x0), y-float64(y0)
		i := y0*p.Stride + x0
		r0 := p.Pix[i : i+2 : i+2]
		r1 := p.Pix[i+p.Stride : i+p.Stride+2 : i+p.Stride+2]
		a := float64(r0[0])*(1-fx) + float64(r0[1])*fx
		b := float64(r1[0])*(1-fx) + float64(r1[1])*fx
		return a*(1-fy) + b*fy
	}
	// !(x >= 0) also catches NaN (a degenerate transform), which would
	// otherwise index out of the plane
	if !(x >= 0) {
		x = 0
	}
	if !(y >= 0) {
		y = 0
	}
	mx, my := float64(p.W-1), float64(p.H-1)
	if x > mx {
		x = mx
	}
	if y > my {
		y = my
	}
	x0, y0 := int(x), int(y)
	fx, fy := x-float64(x0), y-float64(y0)
	x1, y1 := min(x0+1, p.W-1), min(y0+1, p.H-1)
	r0, r1 := y0*p.Stride, y1*p.Stride
	a := float64(p.Pix[r0+x0])*(1-fx) + float64(p.Pix[r0+x1])*fx
	b := float64(p.Pix[r1+x0])*(1-fx) + float64(p.Pix[r1+x1])*fx
	return a*(1-fy) + b*fy
}

// phaseLine is one module row (axis 0: points (t, c)) or column (axis 1:
// points (c, t)) of a homography h in homogeneous image coordinates:
// base + t·step, one division per point.
type phaseLine struct {
	bx, by, bw, sx, sy, sw float64
}

// newPhaseLine returns module row (axis 0) or column (axis 1) c of h.
func newPhaseLine(h *geom.Homography, axis int, c float64) phaseLine {
	sx, sy, sw := h[0], h[3], h[6]
	cx, cy, cw := h[1], h[4], h[7]
	if axis == 1 {
		sx, sy, sw, cx, cy, cw = cx, cy, cw, sx, sy, sw
	}
	return phaseLine{bx: cx*c + h[2], by: cy*c + h[5], bw: cw*c + h[8], sx: sx, sy: sy, sw: sw}
}

// at returns the image point at t along the line.
func (l *phaseLine) at(t float64) geom.Point {
	w := l.bw + t*l.sw
	return geom.Point{X: (l.bx + t*l.sx) / w, Y: (l.by + t*l.sy) / w}
}

// lineSamples sets out[i] to the gray level at l.at(t0 + i/2) for every
// i: a module row or column sampled at two points a module, as phaseCells
// walks it, with pts (len(pts) ≥ len(out)) as scratch. Where the CPU has
// AVX2 it runs lineSamplesSIMD, which gives the same values.
func (s sampler) lineSamples(l *phaseLine, t0 float64, out []float64, pts []geom.Point) {
	if haveSIMD {
		s.lineSamplesSIMD(l, t0, out)
		return
	}
	pts = pts[:len(out)]
	for i := range pts {
		pts[i] = l.at(t0 + 0.5*float64(i))
	}
	s.atAll(pts, out)
}
