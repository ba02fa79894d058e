package qr

import (
	"math"

	"github.com/makiuchi-d/gozxing/qrcode/decoder"

	"github.com/qrcascade/qrcascade/internal/geom"
)

// Alignment patterns (ISO/IEC 18004:2015, 6.3.6) of versions 7 and up: the
// local grid, and the screen's evidence for a high-version symbol.
//
// One homography is exact for a flat symbol seen through a pinhole, but a
// version 25–40 symbol at 6–8 pixels per module is off by a module at 100
// modules from the finder patterns for a lens distortion or a sheet bent by
// a fraction of a percent. The alignment patterns, every 20–28 modules on a
// square lattice (Annex E), anchor one homography per lattice cell instead
// (refineLocal, grid.go). Locating them is a walk outward from the top-left
// finder pattern, diagonal by diagonal:
//
//  1. Prediction: the global homography (finder centres and the located
//     bottom-right alignment pattern) plus the displacement field seen at
//     the already-placed neighbours, extrapolated bilinearly: left + up −
//     up-left when all three are placed, their mean otherwise. A smooth bend
//     then moves each prediction with the patterns before it instead of
//     leaving it to the global homography, whose error grows with the
//     distance from the finder patterns.
//  2. Template: the pattern's 25 module centres sampled along module axes
//     measured from the located left and upper neighbours (the local module
//     pitch and direction, not the global ones), on offsets half a module
//     apart within ±1.5 modules of the prediction, then a quarter module
//     apart around the best. The score (alignScore) is the margin by which
//     the darkest light-ring module is lighter than the lightest dark one:
//     a mean-level score let data modules pass at 0.3–0.6 of the contrast
//     (a v32 symbol on a strong cylinder), the margin keeps them below zero.
//  3. Acceptance: a margin of a tenth of the finder contrast (minAlignScore).
//     A pattern not found within ±1.5 modules is searched within ±3 once a
//     first pattern was located, or next to a finder pattern (the first
//     patterns rest on the global transform alone); one still not found
//     keeps its prediction, and after the walk, two rounds search the
//     missing ones again from their located neighbours on all sides.
//  4. Centring: point samples cannot tell positions within a module apart,
//     so the best offset is only good to a third of a module; an accepted
//     pattern is moved to the centroid of its light ring (centreAlignment),
//     which is symmetric about the true centre and, in a window of ±1.9
//     modules, holds nothing else while the offset is under 0.4 module.
//  5. The lattice points inside the finder patterns, first predicted by the
//     global transform, are placed by the homography through their three
//     located lattice neighbours and the finder centre.
//
// Weak spots: the walk starts from the global homography, so a symbol bent
// by more than about 3 modules between the finder patterns and the first
// alignment patterns is not followed; a pattern under glare keeps its
// prediction; each cell is one homography, so a strong cylinder (v32 wrapped
// over 1.2 radians: 0.5 module off inside the edge cells) is not followed to
// the module; the local grid needs half the patterns located.
// alignOffsets are the module offsets of the 25 module centres of an
// alignment pattern: index 0 the dark centre, 1–8 the light ring, 9–24
// the dark outer ring.
var alignOffsets = func() (o [25][2]float64) {
	n := 1
	m := 9
	for y := -2; y <= 2; y++ {
		for x := -2; x <= 2; x++ {
			switch max(abs(x), abs(y)) {
			case 1:
				o[n] = [2]float64{float64(x), float64(y)}
				n++
			case 2:
				o[m] = [2]float64{float64(x), float64(y)}
				m++
			}
		}
	}
	return o
}()

// alignScore rates an alignment pattern centred at pixel p with module axes
// ex and ey from its 25 module centres: the margin by which the darkest
// light-ring module is lighter than the lightest dark module (centre and
// outer ring), reversed for inverted symbols. A true pattern scores a large
// part of the symbol's contrast; data modules, whose 25 modules match the
// pattern with probability 2⁻²⁵, score negative but for a rare near miss.
// The margin only shrinks as modules are added, so the scan stops as soon
// as it is no better than floor (the best score so far in a search) and
// returns it; most positions of a search cost two or three samples.
func alignScore(s sampler, p, ex, ey geom.Point, inv bool, floor float64) float64 {
	lightMin, darkMax := math.Inf(1), math.Inf(-1)
	for _, k := range alignOrder {
		o := alignOffsets[k]
		v := s.at(geom.Point{X: p.X + o[0]*ex.X + o[1]*ey.X, Y: p.Y + o[0]*ex.Y + o[1]*ey.Y})
		if inv {
			v = -v
		}
		if k >= 1 && k <= 8 {
			lightMin = math.Min(lightMin, v)
		} else {
			darkMax = math.Max(darkMax, v)
		}
		if lightMin-darkMax <= floor {
			return floor
		}
	}
	return lightMin - darkMax
}

// alignOrder is the order alignScore samples the modules in: the centre
// and the light ring first, alternating with the outer ring, so that a
// position that is no pattern fails early.
var alignOrder = [25]int{0, 1, 9, 8, 24, 3, 11, 6, 22, 2, 4, 5, 7, 10, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 23}

// searchAlignment looks for the alignment pattern nearest in appearance to
// the template around pixel c, with module axes ex and ey, within radius
// modules along each axis. It returns the centred position of the best
// match scoring above floor, or false.
func searchAlignment(s sampler, c, ex, ey geom.Point, radius float64, inv bool, floor float64) (geom.Point, bool) {
	p, best := scanAlignment(s, c, ex, ey, radius, inv)
	if best < floor {
		return c, false
	}
	if q, ok := centreAlignment(s, p, ex, ey, inv); ok {
		p = q
	}
	return p, true
}

// scanAlignment returns the position of the best alignScore around pixel c
// on offsets half a module apart within radius modules along ex and ey,
// then a quarter module apart around the best, and the score. Positions
// that do not beat the best so far cost two or three samples.
func scanAlignment(s sampler, c, ex, ey geom.Point, radius float64, inv bool) (geom.Point, float64) {
	if !finitePoint(c) || !finitePoint(ex) || !finitePoint(ey) {
		return c, math.Inf(-1) // a singular transform: nothing to sample
	}
	off := func(dx, dy float64) geom.Point {
		return geom.Point{X: c.X + dx*ex.X + dy*ey.X, Y: c.Y + dx*ex.Y + dy*ey.Y}
	}
	best, bx, by := math.Inf(-1), 0.0, 0.0
	for dy := -radius; dy <= radius+1e-9; dy += 0.5 {
		for dx := -radius; dx <= radius+1e-9; dx += 0.5 {
			if v := alignScore(s, off(dx, dy), ex, ey, inv, best); v > best {
				best, bx, by = v, dx, dy
			}
		}
	}
	cx, cy := bx, by
	for dy := -1.0; dy <= 1; dy++ {
		for dx := -1.0; dx <= 1; dx++ {
			if dx == 0 && dy == 0 {
				continue
			}
			x, y := cx+0.25*dx, cy+0.25*dy
			if v := alignScore(s, off(x, y), ex, ey, inv, best); v > best {
				best, bx, by = v, x, y
			}
		}
	}
	return off(bx, by), best
}

// centreAlignment returns the centroid of the light ring of the alignment
// pattern near p: the lightness above the mid level between the ring and
// the dark modules, summed over a ±1.9-module window sampled every 0.2
// module along ex and ey. The ring is symmetric about the pattern's centre
// and the window holds no other light module while p is within 0.4 module
// of it. False when the window shows no contrast or the centroid lies more
// than half a module from p (a look-alike).
func centreAlignment(s sampler, p, ex, ey geom.Point, inv bool) (geom.Point, bool) {
	const half, step = 1.9, 0.2
	// mid level: between the light ring and the centre and outer ring at p
	at := func(x, y float64) float64 {
		v := s.at(geom.Point{X: p.X + x*ex.X + y*ey.X, Y: p.Y + x*ex.Y + y*ey.Y})
		if inv {
			return 255 - v
		}
		return v
	}
	var light, dark float64
	for _, o := range alignOffsets[1:9] {
		light += at(o[0], o[1])
	}
	for _, o := range alignOffsets[9:] {
		dark += at(o[0], o[1])
	}
	light /= 8
	dark = (dark/16 + at(0, 0)) / 2
	if light-dark < 1 {
		return p, false
	}
	mid := (light + dark) / 2
	var sw, sx, sy float64
	for y := -half; y <= half+1e-9; y += step {
		for x := -half; x <= half+1e-9; x += step {
			if w := at(x, y) - mid; w > 0 {
				sw += w
				sx += w * x
				sy += w * y
			}
		}
	}
	if sw == 0 {
		return p, false
	}
	dx, dy := sx/sw, sy/sw
	if dx*dx+dy*dy > 0.25 {
		return p, false
	}
	return geom.Point{X: p.X + dx*ex.X + dy*ey.X, Y: p.Y + dx*ex.Y + dy*ey.Y}, true
}

// sameGrid reports whether grids a and b (of one side) put every point of a
// 5×5 lattice over the symbol, corners included, within half a module of
// each other: sampling b after a would read the same modules. Local grids
// fitted from different global transforms can share their bottom-right
// corner and still differ inside, so the corner alone does not tell.
func sameGrid(a, b *grid) bool {
	if a == nil || b == nil || a.n != b.n {
		return false
	}
	tol := 0.5 * a.moduleSize()
	nf := float64(a.n)
	for j := 0; j <= 4; j++ {
		for i := 0; i <= 4; i++ {
			x, y := nf*float64(i)/4, nf*float64(j)/4
			if a.toImage(x, y).Dist(b.toImage(x, y)) >= tol {
				return false
			}
		}
	}
	return true
}

// alignmentEvidence reports whether the two alignment patterns nearest the
// top-left finder pattern, on the timing pattern row and column (Annex E:
// versions 7+), are found within 2 modules of where grid g puts them, both
// scoring at least a quarter of the finder contrast. The margin template
// rejects data modules (no field of random modules passed in the tests), so
// a triple that shows both is a high-version symbol near the size of g, not
// one of the look-alike triples that finder-like shapes in its data region
// make.
func alignmentEvidence(s sampler, g *grid, f *finderFrame) bool {
	v, err := decoder.Version_GetVersionForNumber((g.n - 17) / 4)
	if err != nil {
		return false
	}
	centres := v.GetAlignmentPatternCenters()
	if len(centres) < 3 {
		return false
	}
	a, b := float64(centres[0])+0.5, float64(centres[1])+0.5
	floor := 0.25 * math.Abs(f.light-f.dark)
	for _, m := range [2][2]float64{{b, a}, {a, b}} {
		c := g.toImage(m[0], m[1])
		ex := g.toImage(m[0]+1, m[1]).Sub(c)
		ey := g.toImage(m[0], m[1]+1).Sub(c)
		if _, score := scanAlignment(s, c, ex, ey, 2, f.inv); score < floor {
			return false
		}
	}
	return true
}

// showsAlignment reports whether alignmentEvidence holds on the
// parallelogram grid (fitGrid mode 2) of one of the first two sides in
// sizes (the most likely), if of 45 modules or more. The evidence tells a
// symbol from look-alikes, not one side from its neighbours: the two
// patterns move by at most 2 modules from one version to the next.
func showsAlignment(s sampler, f *finderFrame, sizes []int) bool {
	for _, n := range sizes[:min(2, len(sizes))] {
		if n < 45 {
			continue
		}
		if g := fitGrid(s, f, n, false, 2); g != nil && alignmentEvidence(s, g, f) {
			return true
		}
	}
	return false
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
