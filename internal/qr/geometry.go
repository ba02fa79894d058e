package qr

import (
	"math"

	"github.com/qrcascade/qrcascade/internal/geom"
)

// Small numeric functions shared by the stages.

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

func unit(p geom.Point) geom.Point {
	l := math.Hypot(p.X, p.Y)
	if l == 0 {
		return p
	}
	return p.Scale(1 / l)
}

// convex reports whether q is a strictly convex quadrilateral.
func convex(q geom.Quad) bool {
	sign := 0.0
	for i := 0; i < 4; i++ {
		a, b, c := q[i], q[(i+1)%4], q[(i+2)%4]
		z := (b.X-a.X)*(c.Y-b.Y) - (b.Y-a.Y)*(c.X-b.X)
		if z == 0 || (sign != 0 && (z > 0) != (sign > 0)) {
			return false
		}
		sign = z
	}
	return true
}

// finiteOver reports whether h maps the corners and the centre of the n×n
// module square to finite pixel coordinates. A finder triple with two
// coincident centres (which grouping never forms, but an arbitrary quad can)
// gives a singular map whose points are NaN, and the sampler cannot index
// NaN.
func finiteOver(h geom.Homography, n float64) bool {
	for _, q := range [5][2]float64{{0, 0}, {n, 0}, {n, n}, {0, n}, {n / 2, n / 2}} {
		if !finitePoint(h.Apply(geom.Point{X: q[0], Y: q[1]})) {
			return false
		}
	}
	return true
}

// finitePoint reports whether both coordinates of p are finite.
func finitePoint(p geom.Point) bool {
	return !math.IsNaN(p.X) && !math.IsNaN(p.Y) && !math.IsInf(p.X, 0) && !math.IsInf(p.Y, 0)
}

// finite reports whether both coordinates of p are finite and within a
// range where sampling makes sense.
func finite(p geom.Point) bool {
	return math.Abs(p.X) < 1e9 && math.Abs(p.Y) < 1e9
}

func clamp01(v float64) float64 {
	if v < 0 {
		return 0
	}
	if v > 1 {
		return 1
	}
	return v
}

func containsInt(xs []int, x int) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// latticeCells returns the homography of each cell of a k×k lattice
// (latticeCell), row-major, false when one degenerates. The local grid
// (alignment.go) builds its piecewise grid with it; the bend (warp.go)
// rebuilds the cells one at a time.
func latticeCells(k int, pos []float64, pts []geom.Point) ([]geom.Homography, bool) {
	cells := make([]geom.Homography, (k-1)*(k-1))
	for j := 0; j+1 < k; j++ {
		for i := 0; i+1 < k; i++ {
			h, ok := latticeCell(k, pos, pts, i, j)
			if !ok {
				return nil, false
			}
			cells[j*(k-1)+i] = h
		}
	}
	return cells, true
}

// latticeCell returns the homography of cell (i, j) of a k×k lattice: from
// the module-space square between pos[i], pos[i+1] (and likewise in y) to
// its four image points in pts (row-major, k per row); false when it
// degenerates.
func latticeCell(k int, pos []float64, pts []geom.Point, i, j int) (geom.Homography, bool) {
	src := geom.Quad{{X: pos[i], Y: pos[j]}, {X: pos[i+1], Y: pos[j]}, {X: pos[i+1], Y: pos[j+1]}, {X: pos[i], Y: pos[j+1]}}
	dst := geom.Quad{pts[j*k+i], pts[j*k+i+1], pts[(j+1)*k+i+1], pts[(j+1)*k+i]}
	return geom.QuadToQuad(src, dst)
}
