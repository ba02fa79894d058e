package qr

import (
	"math"

	"github.com/qrcascade/qrcascade/internal/geom"
)

// Geometry: from finder pattern centres to a module grid.
//
// Module coordinates put (0,0) at the outer top-left corner of the symbol,
// +x along the top row, +y down the left column; module (x, y) covers
// [x, x+1)×[y, y+1), so its centre is (x+0.5, y+0.5). The finder pattern
// centres are at (3.5, 3.5), (n−3.5, 3.5) and (3.5, n−3.5) for n modules per
// side.
//
//  1. Size: the symbol side n is estimated from the finder spacing and the
//     finder module sizes, and independently by counting the modules of both
//     timing patterns (6.3.5); for versions 7 and up the version information
//     blocks next to the top-right and bottom-left patterns are read in a
//     frame local to each pattern, which fixes n exactly.
//  2. Global transform: an affine map from the three centres predicts the
//     bottom-right alignment pattern (versions 2+, 6.3.6) at
//     (n−6.5, n−6.5); a local template search finds it and the four points
//     give a homography. Without it the parallelogram completion is used.
//  3. Local transforms (versions 7+, refineLocal in alignment.go): every
//     alignment pattern of the version (Annex E) is located in a walk
//     outward from the top-left finder pattern, each predicted from the
//     displacements already seen at its placed neighbours and searched with
//     a template at the local module pitch, then centred on its light ring;
//     each cell between four neighbouring alignment centres gets its own
//     homography. This follows curved or unevenly stretched symbols that one
//     homography cannot.
//
// Weak spots: a symbol whose bottom-right quarter is damaged loses its
// perspective correction; the bottom-right search of alignNear and alignWide (not the
// local walk) accepts the best local match above a contrast floor and may
// lock onto a look-alike data pattern.

// gridMethod is one way of fitting the global transform of a candidate:
// how the fourth point of the homography, beyond the three finder centres,
// is found.
type gridMethod int

const (
	// alignNear places the bottom-right alignment pattern (6.3.6) found
	// within 4 modules of the affine prediction.
	alignNear gridMethod = iota
	// alignWide searches it within a fifth of the side, with the template
	// also 1.4 times larger: strong perspective.
	alignWide
	// parallelogram completes the three finder centres to a parallelogram
	// (an affine grid); the screen uses it, and it is the last resort.
	parallelogram
	// cornerByPhase puts the fourth corner where the grid is most in phase
	// with the module edges (searchCorner): version 1, which has no
	// alignment pattern, damaged alignment patterns, strong perspective.
	cornerByPhase
	// cornerStart is cornerByPhase's starting grid, without its search:
	// the parallelogram, or the finder patterns' own perspective
	// (projectiveGuess) when that matches the function patterns better.
	cornerStart
)

// String returns the method's name, for test and debug output.
func (m gridMethod) String() string {
	switch m {
	case alignNear:
		return "alignNear"
	case alignWide:
		return "alignWide"
	case parallelogram:
		return "parallelogram"
	case cornerByPhase:
		return "cornerByPhase"
	case cornerStart:
		return "cornerStart"
	}
	return "gridMethod(?)"
}

// usesAlignment reports whether m searches the bottom-right alignment
// pattern, which versions 2 and up have (side 25 and up).
func (m gridMethod) usesAlignment() bool { return m == alignNear || m == alignWide }

// fitGrid returns the module grid for a symbol of side n fitted by method
// m, with one homography per alignment-pattern cell (refineLocal) for sides
// 45 and up when local is set; nil when the finder centres give a singular
// map or, for cornerByPhase, when the finder and timing patterns do not
// match near the finder patterns.
func fitGrid(s sampler, f *finderFrame, n int, local bool, m gridMethod) *grid {
	nf := float64(n)
	src := geom.Quad{{X: 3.5, Y: 3.5}, {X: nf - 3.5, Y: 3.5}, {X: nf - 3.5, Y: nf - 3.5}, {X: 3.5, Y: nf - 3.5}}
	br := f.tr.c.Add(f.bl.c).Sub(f.tl.c)
	dst := geom.Quad{f.tl.c, f.tr.c, br, f.bl.c}
	affine, ok := geom.QuadToQuad(src, dst)
	if !ok || !finiteOver(affine, nf) {
		return nil
	}
	g := &grid{n: n, global: affine}
	if m == cornerByPhase || m == cornerStart {
		return fitCornerByPhase(s, f, g, src, br, local, m == cornerByPhase)
	}
	if n < 25 {
		return g
	}
	// bottom-right alignment pattern
	ap := nf - 6.5
	// Under perspective the modules near the bottom-right corner are scaled
	// by about ms(TR)·ms(BL)/ms(TL)² relative to the top-left ones; the
	// affine prediction keeps the mean scale, so correct the template.
	contrast := math.Abs(f.light - f.dark)
	msAffine := g.moduleSize()
	scale := f.tr.ms * f.bl.ms / f.tl.ms / msAffine
	var p geom.Point
	ok = false
	switch m {
	case alignNear:
		p, ok = locateAlignment(s, g, ap, ap, 4, scale, contrast, f.inv)
	case alignWide:
		// Strong perspective: widen the search and try a larger template.
		for _, sc := range []float64{scale, 1.4 * scale} {
			if p, ok = locateAlignment(s, g, ap, ap, 0.2*nf+4, sc, contrast, f.inv); ok {
				break
			}
		}
	}
	if ok {
		src[2] = geom.Point{X: ap, Y: ap}
		dst[2] = p
		if h, ok := geom.QuadToQuad(src, dst); ok && finiteOver(h, nf) {
			g.global = h
		}
	}
	if n < 45 || !local {
		return g
	}
	refineLocal(s, g, f, contrast)
	return g
}

// fitCornerByPhase is fitGrid's cornerByPhase method on the affine grid g
// (src: the module positions of the finder centres and the fourth point,
// br: the parallelogram's fourth point in the image); without search, its
// cornerStart method: the grid the search would start from.
func fitCornerByPhase(s sampler, f *finderFrame, g *grid, src geom.Quad, br geom.Point, local, search bool) *grid {
	n, affine := g.n, g.global
	// The parallelogram is close to the symbol near the three finder
	// patterns whatever the perspective: a triple whose finder and
	// timing patterns do not match there is no symbol, and not worth
	// the search. The bar is lower than minFunctionAgreement: under
	// strong perspective the parallelogram already strays from the
	// outer parts of the top-right and bottom-left finder patterns;
	// look-alike triples score about 0.5.
	agree := functionAgreement(sampleModules(s, g, f.inv, samplingCentred))
	h0 := affine
	// Under strong perspective the corner implied by the finder
	// patterns' own perspective (projectiveGuess) is closer than the
	// parallelogram's: start the search there when its grid matches
	// the function patterns better.
	if hp, ok := f.projectiveGuess(s, n); ok && hp.Apply(src[2]).Dist(br) > g.moduleSize() {
		pg := &grid{n: n, global: hp}
		if a := functionAgreement(sampleModules(s, pg, f.inv, samplingCentred)); a > agree {
			agree, h0 = a, hp
		}
	}
	if agree < 0.62 {
		return nil
	}
	g.global = h0
	if search {
		g.global = searchCorner(s, f, n, h0)
	}
	if n >= 45 && local {
		refineLocal(s, g, f, math.Abs(f.light-f.dark))
	}
	return g
}

// searchCorner returns the homography that maps the three finder centres
// of f to their module positions and puts the fourth point, module
// (n−3.5, n−3.5), where the grid is best in phase with the module edges
// (gridPhase). The point is searched on a 5×5 pattern of offsets two
// modules apart along the grid axes around the parallelogram completion
// h0 (up to 4 modules off), then on 5×5 patterns 0.8 and 0.3 module apart
// around the best so far. This recovers the perspective of symbols without
// a usable alignment pattern (version 1, or a damaged bottom-right
// corner), at a cost of 73 samplings of four points per module.
func searchCorner(s sampler, f *finderFrame, n int, h0 geom.Homography) geom.Homography {
	nf := float64(n)
	src := geom.Quad{{X: 3.5, Y: 3.5}, {X: nf - 3.5, Y: 3.5}, {X: nf - 3.5, Y: nf - 3.5}, {X: 3.5, Y: nf - 3.5}}
	base := h0.Apply(src[2])
	ex := h0.Apply(geom.Point{X: nf - 2.5, Y: nf - 3.5}).Sub(base)
	ey := h0.Apply(geom.Point{X: nf - 3.5, Y: nf - 2.5}).Sub(base)
	best, bestScore := h0, gridPhase(s, h0, n)
	var bx, by float64
	for _, step := range []float64{2, 0.8, 0.3} {
		cx, cy := bx, by
		for j := -2; j <= 2; j++ {
			for i := -2; i <= 2; i++ {
				if i == 0 && j == 0 {
					continue
				}
				ox, oy := cx+float64(i)*step, cy+float64(j)*step
				dst := geom.Quad{f.tl.c, f.tr.c, base.Add(ex.Scale(ox)).Add(ey.Scale(oy)), f.bl.c}
				h, ok := geom.QuadToQuad(src, dst)
				if !ok {
					continue
				}
				if sc := gridPhase(s, h, n); sc > bestScore {
					best, bestScore, bx, by = h, sc, ox, oy
				}
			}
		}
	}
	return best
}

// gridPhase rates how well the n×n module grid h is in phase with the
// module edges in the image: along the middle line of every module row and
// column it samples the points a quarter module either side of each module
// centre, and adds the gray level steps across module boundaries (between
// the last sample of one module and the first of the next) less the steps
// within modules. A grid in phase puts the image's edges on its boundaries;
// uniform areas, such as a quiet zone the grid strays into, score nothing
// either way.
//
// It is phaseCells with h in every cell, which walks each module row and
// column in homogeneous coordinates (one division per point, no call per
// point): searchCorner rates 73 grids per candidate, the locator's largest
// single cost.
func gridPhase(s sampler, h geom.Homography, n int) float64 {
	cells := [4]geom.Homography{h, h, h, h}
	return phaseCells(s, &cells, float64(n), 0, n, 0, n)
}
