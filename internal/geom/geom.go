// Package geom holds the small amount of plane geometry shared by the
// detection stages: points, quadrilaterals and perspective transforms
// (homographies).
//
// Coordinates: pixel (0,0) is the top-left corner of the top-left pixel, so the
// centre of pixel (x, y) is (x+0.5, y+0.5); +x is right and +y is down.
package geom

import "math"

// Point is a point in pixel (or module) coordinates.
type Point struct{ X, Y float64 }

// Add returns p+q.
func (p Point) Add(q Point) Point { return Point{p.X + q.X, p.Y + q.Y} }

// Sub returns p-q.
func (p Point) Sub(q Point) Point { return Point{p.X - q.X, p.Y - q.Y} }

// Scale returns p*s.
func (p Point) Scale(s float64) Point { return Point{p.X * s, p.Y * s} }

// Dist returns the Euclidean distance between p and q.
func (p Point) Dist(q Point) float64 { return math.Hypot(p.X-q.X, p.Y-q.Y) }

// Quad is a quadrilateral given by its four corners. For a QR symbol the
// order is top-left, top-right, bottom-right, bottom-left in the symbol's own
// frame (the top-left corner is the one at the finder pattern opposite the
// missing corner).
type Quad [4]Point

// Centroid returns the mean of the four corners.
func (q Quad) Centroid() Point {
	return Point{(q[0].X + q[1].X + q[2].X + q[3].X) / 4, (q[0].Y + q[1].Y + q[2].Y + q[3].Y) / 4}
}

// Contains reports whether p lies inside q (even-odd rule; works for any
// simple polygon, convex or not).
func (q Quad) Contains(p Point) bool {
	in := false
	for i, j := 0, 3; i < 4; j, i = i, i+1 {
		a, b := q[i], q[j]
		if (a.Y > p.Y) != (b.Y > p.Y) {
			x := (b.X-a.X)*(p.Y-a.Y)/(b.Y-a.Y) + a.X
			if p.X < x {
				in = !in
			}
		}
	}
	return in
}

// Overlaps reports whether the centroid of one quad lies inside the other,
// the match rule used by the corpus manifests for detection sets.
func (q Quad) Overlaps(r Quad) bool {
	return q.Contains(r.Centroid()) || r.Contains(q.Centroid())
}

// OverlapsAny reports whether q Overlaps the quad of one of items, quad
// returning an item's quad: the one loop behind "is this candidate on a
// code already read" wherever it is asked.
func OverlapsAny[T any](q Quad, items []T, quad func(*T) Quad) bool {
	for i := range items {
		if quad(&items[i]).Overlaps(q) {
			return true
		}
	}
	return false
}

// Area returns the (unsigned) area of q by the shoelace formula.
func (q Quad) Area() float64 {
	s := 0.0
	for i := 0; i < 4; i++ {
		j := (i + 1) % 4
		s += q[i].X*q[j].Y - q[j].X*q[i].Y
	}
	return math.Abs(s) / 2
}

// Bounds returns the axis-aligned bounding box of q as (minX, minY, maxX, maxY).
func (q Quad) Bounds() (minX, minY, maxX, maxY float64) {
	minX, minY = math.Inf(1), math.Inf(1)
	maxX, maxY = math.Inf(-1), math.Inf(-1)
	for _, p := range q {
		minX, maxX = math.Min(minX, p.X), math.Max(maxX, p.X)
		minY, maxY = math.Min(minY, p.Y), math.Max(maxY, p.Y)
	}
	return
}

// Homography is a 3×3 projective transform, row-major, mapping (x, y, 1) to
// (u, v, w) and the point (u/w, v/w).
type Homography [9]float64

// Apply maps p through h.
func (h *Homography) Apply(p Point) Point {
	w := h[6]*p.X + h[7]*p.Y + h[8]
	return Point{(h[0]*p.X + h[1]*p.Y + h[2]) / w, (h[3]*p.X + h[4]*p.Y + h[5]) / w}
}

// QuadToQuad returns the homography mapping src[i] to dst[i] for i in 0..3,
// and false when either quad is degenerate.
func QuadToQuad(src, dst Quad) (Homography, bool) {
	a, ok := squareToQuad(src)
	if !ok {
		return Homography{}, false
	}
	ai, ok := a.Inverse()
	if !ok {
		return Homography{}, false
	}
	b, ok := squareToQuad(dst)
	if !ok {
		return Homography{}, false
	}
	return b.Mul(&ai), true
}

// squareToQuad maps the unit square (0,0),(1,0),(1,1),(0,1) to q
// (Heckbert, "Fundamentals of Texture Mapping", 1989, section 2.2.3).
func squareToQuad(q Quad) (Homography, bool) {
	x0, y0, x1, y1, x2, y2, x3, y3 := q[0].X, q[0].Y, q[1].X, q[1].Y, q[2].X, q[2].Y, q[3].X, q[3].Y
	dx3 := x0 - x1 + x2 - x3
	dy3 := y0 - y1 + y2 - y3
	if dx3 == 0 && dy3 == 0 {
		return Homography{x1 - x0, x3 - x0, x0, y1 - y0, y3 - y0, y0, 0, 0, 1}, true
	}
	dx1, dx2 := x1-x2, x3-x2
	dy1, dy2 := y1-y2, y3-y2
	den := dx1*dy2 - dx2*dy1
	if den == 0 {
		return Homography{}, false
	}
	g := (dx3*dy2 - dx2*dy3) / den
	hh := (dx1*dy3 - dx3*dy1) / den
	return Homography{
		x1 - x0 + g*x1, x3 - x0 + hh*x3, x0,
		y1 - y0 + g*y1, y3 - y0 + hh*y3, y0,
		g, hh, 1,
	}, true
}

// Mul returns h·k (apply k first, then h).
func (h *Homography) Mul(k *Homography) Homography {
	var r Homography
	for i := 0; i < 3; i++ {
		for j := 0; j < 3; j++ {
			r[i*3+j] = h[i*3]*k[j] + h[i*3+1]*k[3+j] + h[i*3+2]*k[6+j]
		}
	}
	return r
}

// Inverse returns h⁻¹ and false when h is singular.
func (h *Homography) Inverse() (Homography, bool) {
	a, b, c, d, e, f, g, hh, i := h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7], h[8]
	A := e*i - f*hh
	B := -(d*i - f*g)
	C := d*hh - e*g
	det := a*A + b*B + c*C
	if det == 0 || math.IsNaN(det) || math.IsInf(det, 0) {
		return Homography{}, false
	}
	inv := Homography{
		A, -(b*i - c*hh), b*f - c*e,
		B, a*i - c*g, -(a*f - c*d),
		C, -(a*hh - b*g), a*e - b*d,
	}
	for k := range inv {
		inv[k] /= det
	}
	return inv, true
}
