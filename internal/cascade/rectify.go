package cascade

import (
	"math"

	"github.com/qrcascade/qrcascade/internal/geom"
	"github.com/qrcascade/qrcascade/internal/gray"
)

// Rectification sizes: the symbol (without quiet zone) is mapped onto a
// square of side between minRectSide and maxRectSide pixels, so that small
// codes are upscaled (bilinear, from the full-resolution plane) and huge ones
// do not cost more than needed. At 480 px a version 40 symbol keeps 2.7 px a
// module. The two crop tier reads of the corpus are of candidates under 320
// px; a cap of 720 read the same codes in the three neural modes and cost
// about 5 % more in nano mode on the photos nothing reads (1152 px crops
// located for nothing).
const (
	minRectSide = 240
	maxRectSide = 480
	// rectMargin is the margin added around the symbol, as a fraction of
	// its side: the quiet zone (4 modules of a version-2 symbol ≈ 0.16) plus
	// the detector's corner error (median about 0.12 of the side); 0.30 read
	// one more boofcv-dev code than 0.18 on a 60-image sample.
	rectMargin = 0.30
)

// rectify warps the quadrilateral q of src (the detector's corners, any
// cyclic order) onto an axis-aligned square with a margin, sampling src
// bilinearly at full resolution. It returns the rectified plane and the
// homography mapping its pixel coordinates back to src, or false when q is
// degenerate.
func rectify(src *gray.Plane, q geom.Quad) (*gray.Plane, geom.Homography, bool) {
	n, h, ok := rectFrame(q)
	if !ok {
		return nil, geom.Homography{}, false
	}
	out := gray.New(n, n)
	for y := 0; y < n; y++ {
		row := out.Pix[y*n : (y+1)*n]
		// h.Apply at (x+0.5, y+0.5), the row's terms computed once: the
		// same products summed in the same order
		py := float64(y) + 0.5
		bx, by, bw := h[1]*py, h[4]*py, h[7]*py
		for x := range row {
			px := float64(x) + 0.5
			w := h[6]*px + bw + h[8]
			row[x] = bilinear(src, (h[0]*px+bx+h[2])/w-0.5, (h[3]*px+by+h[5])/w-0.5)
		}
	}
	return out, h, true
}

// rectFrame returns the side n of rectify's square for q and the
// homography mapping its pixel coordinates to q's plane, or false when q
// is degenerate.
func rectFrame(q geom.Quad) (int, geom.Homography, bool) {
	side := 0.0
	for i := 0; i < 4; i++ {
		side = max(side, q[i].Dist(q[(i+1)%4]))
	}
	s := math.Min(math.Max(side, minRectSide), maxRectSide)
	m := s * rectMargin
	dst := geom.Quad{{X: m, Y: m}, {X: m + s, Y: m}, {X: m + s, Y: m + s}, {X: m, Y: m + s}}
	h, ok := geom.QuadToQuad(dst, q)
	return int(math.Ceil(s + 2*m)), h, ok
}

// bilinear samples src at (x, y) in pixel-centre coordinates, replicating
// the border; points far outside read as white (paper). Interior points
// take a shortcut with the arithmetic of bilinearBorder.
func bilinear(src *gray.Plane, x, y float64) byte {
	if farOutside(src, x, y) {
		return 255
	}
	if x >= 0 && y >= 0 && x < float64(src.W-1) && y < float64(src.H-1) {
		// the interior: both neighbours in the plane, floor by truncation
		// (x and y are not negative)
		x0, y0 := int(x), int(y)
		fx, fy := x-float64(x0), y-float64(y0)
		i := y0*src.Stride + x0
		r0 := src.Pix[i : i+2 : i+2]
		r1 := src.Pix[i+src.Stride : i+src.Stride+2 : i+src.Stride+2]
		v := (float64(r0[0])*(1-fx)+float64(r0[1])*fx)*(1-fy) + (float64(r1[0])*(1-fx)+float64(r1[1])*fx)*fy
		return byte(v + 0.5)
	}
	return bilinearBorder(src, x, y)
}

// farOutside reports whether (x, y) is NaN or more than a pixel outside
// src, where bilinear reads white.
func farOutside(src *gray.Plane, x, y float64) bool {
	return math.IsNaN(x) || math.IsNaN(y) || x < -1 || y < -1 || x > float64(src.W) || y > float64(src.H)
}

// bilinearBorder is bilinear for any point that is not farOutside: its
// neighbours clamped to the plane.
func bilinearBorder(src *gray.Plane, x, y float64) byte {
	x0, y0 := int(math.Floor(x)), int(math.Floor(y))
	fx, fy := x-float64(x0), y-float64(y0)
	at := func(xx, yy int) float64 {
		xx = min(max(xx, 0), src.W-1)
		yy = min(max(yy, 0), src.H-1)
		return float64(src.Pix[yy*src.Stride+xx])
	}
	v := (at(x0, y0)*(1-fx)+at(x0+1, y0)*fx)*(1-fy) + (at(x0, y0+1)*(1-fx)+at(x0+1, y0+1)*fx)*fy
	return byte(v + 0.5)
}

// mapQuad maps every corner of q through h.
func mapQuad(h *geom.Homography, q geom.Quad) geom.Quad {
	for i := range q {
		q[i] = h.Apply(q[i])
	}
	return q
}
