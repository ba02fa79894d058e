package qr

import (
	"math"

	"github.com/makiuchi-d/gozxing/qrcode/decoder"

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
//  3. Local transforms (versions 7+, refineLocal and align.go): every
//     alignment pattern of the version (Annex E) is located in a walk
//     outward from the top-left finder pattern, each predicted from the
//     displacements already seen at its placed neighbours and searched with
//     a template at the local module pitch, then centred on its light ring;
//     each cell between four neighbouring alignment centres gets its own
//     homography. This follows curved or unevenly stretched symbols that one
//     homography cannot.
//
// Weak spots: a symbol whose bottom-right quarter is damaged loses its
// perspective correction; the bottom-right search of modes 0 and 1 (not the
// local walk) accepts the best local match above a contrast floor and may
// lock onto a look-alike data pattern.

// grid maps module coordinates to pixel coordinates.
type grid struct {
	n      int
	global geom.Homography
	// local transforms, when set: cell (i, j) spans anchors pos[i]..pos[i+1]
	// horizontally and pos[j]..pos[j+1] vertically.
	pos   []float64
	cells []geom.Homography
	// alignment patterns located by refineLocal (0 when it did not run to
	// the end)
	aligned int
}

// toImage maps module coordinates (x, y) to pixel coordinates.
func (g *grid) toImage(x, y float64) geom.Point {
	if g.cells == nil {
		return g.global.Apply(geom.Point{X: x, Y: y})
	}
	k := len(g.pos) - 1
	i := cellIndex(g.pos, x)
	j := cellIndex(g.pos, y)
	return g.cells[j*k+i].Apply(geom.Point{X: x, Y: y})
}

func cellIndex(pos []float64, v float64) int {
	i := 0
	for i < len(pos)-2 && v >= pos[i+1] {
		i++
	}
	return i
}

// corners returns the outer corners of the symbol in pixel coordinates.
func (g *grid) corners() geom.Quad {
	n := float64(g.n)
	return geom.Quad{g.toImage(0, 0), g.toImage(n, 0), g.toImage(n, n), g.toImage(0, n)}
}

// moduleSize returns the mean module pitch in pixels along the top and left
// edges.
func (g *grid) moduleSize() float64 {
	c := g.corners()
	return (c[0].Dist(c[1]) + c[1].Dist(c[2]) + c[2].Dist(c[3]) + c[3].Dist(c[0])) / (4 * float64(g.n))
}

// finderFrame holds the three finder patterns of a candidate in the symbol's
// frame and the gray levels measured on them.
type finderFrame struct {
	tl, tr, bl  finderPattern
	dark, light float64 // gray levels of the finder centres and light rings
	inv         bool
	// symbol sides implied by counting the modules of the two timing
	// patterns (0 when not counted), set by candidateSizes
	timingTop, timingLeft int
	// versionAgreed is set by candidateSizes when both version information
	// blocks decode to the same version, plausible for the finder spacing:
	// a symbol, almost never a look-alike triple.
	versionAgreed bool
}

// newFinderFrame measures the contrast of the candidate on s.
func newFinderFrame(s sampler, tl, tr, bl finderPattern, inv bool) finderFrame {
	f := finderFrame{tl: tl, tr: tr, bl: bl, inv: inv}
	ex := unit(tr.c.Sub(tl.c))
	ey := unit(bl.c.Sub(tl.c))
	var dark, light float64
	for _, fp := range []finderPattern{tl, tr, bl} {
		dark += s.at(fp.c)
		for _, d := range [4][2]float64{{2, 0}, {-2, 0}, {0, 2}, {0, -2}} {
			light += s.at(fp.c.Add(ex.Scale(d[0] * fp.ms)).Add(ey.Scale(d[1] * fp.ms)))
		}
	}
	f.dark, f.light = dark/3, light/12
	return f
}

func unit(p geom.Point) geom.Point {
	l := math.Hypot(p.X, p.Y)
	if l == 0 {
		return p
	}
	return p.Scale(1 / l)
}

// isDark reports whether gray level v is dark in the candidate's polarity.
func (f *finderFrame) isDark(v float64) bool {
	t := (f.dark + f.light) / 2
	if f.inv {
		return v > t
	}
	return v < t
}

// sizeEstimate returns the symbol side in modules estimated from finder
// spacing (not rounded).
func (f *finderFrame) sizeEstimate() float64 {
	d1 := f.tl.c.Dist(f.tr.c) / ((f.tl.ms + f.tr.ms) / 2)
	d2 := f.tl.c.Dist(f.bl.c) / ((f.tl.ms + f.bl.ms) / 2)
	return (d1+d2)/2 + 7
}

// edgeWidth measures the finder pattern fp along the line through its
// centre in direction dir (a unit vector): the distance between the outer
// edges of its dark outer ring, 7 modules wide, found where the gray level
// crosses the midpoint between dark and light (interpolated between
// samples a quarter of a module apart). It returns 0 when an edge is not
// found within 2.5 times the expected distance.
func (f *finderFrame) edgeWidth(s sampler, fp finderPattern, dir geom.Point) float64 {
	t := (f.dark + f.light) / 2
	step := 0.25 * fp.ms
	if step < 0.25 {
		step = 0.25
	}
	maxDist := 3.5 * fp.ms * 2.5
	var w float64
	for _, sgn := range [2]float64{1, -1} {
		d := dir.Scale(sgn)
		// dark core, light ring, dark ring: three crossings.
		crossings := 0
		prevV := s.at(fp.c)
		prevDark := f.isDark(prevV)
		if !prevDark {
			return 0
		}
		found := false
		for r := step; r <= maxDist; r += step {
			v := s.at(fp.c.Add(d.Scale(r)))
			dark := f.isDark(v)
			if dark != prevDark {
				crossings++
				if crossings == 3 {
					// interpolate the crossing of t between r−step and r
					frac := 0.5
					if dv := v - prevV; dv != 0 {
						frac = (t - prevV) / dv
						frac = math.Max(0, math.Min(1, frac))
					}
					w += r - step + frac*step
					found = true
					break
				}
			}
			prevV, prevDark = v, dark
		}
		if !found {
			return 0
		}
	}
	return w
}

// perspectiveSizeEstimate returns the symbol side in modules from finder
// spacing with module sizes measured along the line joining each pair of
// finder patterns (edgeWidth), or 0 when a width is not measured. Under a
// projective map the distance between two points of a line is their
// distance in modules times the geometric mean of the local module sizes at
// both ends, so the estimate stays right under strong perspective, where
// the patterns' own module sizes (the smallest over four directions) make
// the spacing estimate a version or more too big.
func (f *finderFrame) perspectiveSizeEstimate(s sampler) float64 {
	side := func(a, b finderPattern) float64 {
		d := b.c.Sub(a.c)
		u := unit(d)
		wa := f.edgeWidth(s, a, u)
		wb := f.edgeWidth(s, b, u)
		if wa <= 0 || wb <= 0 {
			return 0
		}
		return math.Hypot(d.X, d.Y) / math.Sqrt(wa*wb/49)
	}
	d1 := side(f.tl, f.tr)
	d2 := side(f.tl, f.bl)
	if d1 <= 0 || d2 <= 0 {
		return 0
	}
	return (d1+d2)/2 + 7
}

// projectiveGuess returns a homography from the n×n module grid to the
// image that maps the three finder centres of f to their module positions
// and completes the fourth corner from the perspective measured on the
// finder patterns: the ratio of the module sizes at both ends of each
// finder-to-finder line (edgeWidth) fixes the 1D projective map along that
// line, hence its vanishing point, and the bottom-right point is where the
// lines from the top-right and bottom-left centres towards the other
// vanishing point cross. ok is false when a width is not measured or the
// construction degenerates.
func (f *finderFrame) projectiveGuess(s sampler, n int) (geom.Homography, bool) {
	nf := float64(n)
	l := nf - 7
	// vanishing point, homogeneous, of the line from a to b
	vanish := func(a, b finderPattern) ([3]float64, bool) {
		d := b.c.Sub(a.c)
		dist := math.Hypot(d.X, d.Y)
		u := unit(d)
		wa, wb := f.edgeWidth(s, a, u), f.edgeWidth(s, b, u)
		if wa <= 0 || wb <= 0 {
			return [3]float64{}, false
		}
		// x(t) = k·t/(1+c·t) along the line, t in modules from a; the
		// local scale k/(1+c·t)² falls from wa/7 at t = 0 to wb/7 at t = l.
		r := math.Sqrt(wa / wb)
		c := (r - 1) / l
		k := dist * r / l
		return [3]float64{a.c.X*c + u.X*k, a.c.Y*c + u.Y*k, c}, true
	}
	v1, ok1 := vanish(f.tl, f.tr)
	v2, ok2 := vanish(f.tl, f.bl)
	if !ok1 || !ok2 {
		return geom.Homography{}, false
	}
	hp := func(p geom.Point) [3]float64 { return [3]float64{p.X, p.Y, 1} }
	cross := func(a, b [3]float64) [3]float64 {
		return [3]float64{a[1]*b[2] - a[2]*b[1], a[2]*b[0] - a[0]*b[2], a[0]*b[1] - a[1]*b[0]}
	}
	br := cross(cross(hp(f.tr.c), v2), cross(hp(f.bl.c), v1))
	if math.Abs(br[2]) < 1e-12 {
		return geom.Homography{}, false
	}
	p := geom.Point{X: br[0] / br[2], Y: br[1] / br[2]}
	src := geom.Quad{{X: 3.5, Y: 3.5}, {X: nf - 3.5, Y: 3.5}, {X: nf - 3.5, Y: nf - 3.5}, {X: 3.5, Y: nf - 3.5}}
	dst := geom.Quad{f.tl.c, f.tr.c, p, f.bl.c}
	if !convex(dst) {
		return geom.Homography{}, false
	}
	return geom.QuadToQuad(src, dst)
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

// timingEstimate counts the modules of the timing pattern between a and b
// (finder centres), walking the line 3 modules towards c (the third
// pattern), and returns the implied symbol side, or 0.
func (f *finderFrame) timingEstimate(s sampler, a, b, c finderPattern) int {
	off := unit(c.c.Sub(a.c)).Scale(3 * (a.ms + c.ms) / 2)
	p0, p1 := a.c.Add(off), b.c.Add(off)
	l := p0.Dist(p1)
	steps := int(l * 2)
	if steps < 20 {
		return 0
	}
	runs := 0
	prev := false
	for i := 0; i <= steps; i++ {
		t := float64(i) / float64(steps)
		d := f.isDark(s.at(p0.Add(p1.Sub(p0).Scale(t))))
		if i == 0 || d != prev {
			runs++
		}
		prev = d
	}
	// dark, light, (n−16 timing modules), light, dark
	return runs + 12
}

// readVersion reads the version information blocks in frames local to the
// top-right and bottom-left finder patterns, returning the version (0 when
// neither block decodes) and whether both blocks decoded to it.
func (f *finderFrame) readVersion(s sampler) (int, bool) {
	ex := unit(f.tr.c.Sub(f.tl.c))
	ey := unit(f.bl.c.Sub(f.tl.c))
	best, bestDist := 0, 4
	var got [2]int
	// top-right block: module (n−11+i, j) for i in 0..2, j in 0..5, bits read
	// for j = 5..0, i = 2..0 (most significant first); offsets from the TR
	// centre are dx = i−7, dy = j−3.
	for blk := 0; blk < 2; blk++ {
		var w uint32
		for a := 5; a >= 0; a-- {
			for b := 2; b >= 0; b-- {
				var p geom.Point
				if blk == 0 {
					ms := f.tr.ms
					p = f.tr.c.Add(ex.Scale(float64(b-7) * ms)).Add(ey.Scale(float64(a-3) * ms))
				} else {
					ms := f.bl.ms
					p = f.bl.c.Add(ex.Scale(float64(a-3) * ms)).Add(ey.Scale(float64(b-7) * ms))
				}
				w <<= 1
				if f.isDark(s.at(p)) {
					w |= 1
				}
			}
		}
		if v, d, ok := decodeVersionWord(w); ok {
			got[blk] = v
			if d < bestDist {
				best, bestDist = v, d
			}
		}
	}
	return best, best > 0 && got[0] == got[1]
}

// readVersionAt reads both version information blocks (7.10) on the
// module grid h of an n-module symbol: the top-right block at modules
// (n−11+i, j) and the bottom-left one at (j, n−11+i), i in 0..2, j in
// 0..5. It returns the version when both blocks decode to the same one.
func (f *finderFrame) readVersionAt(s sampler, h geom.Homography, n int) int {
	var got [2]int
	for blk := 0; blk < 2; blk++ {
		var w uint32
		for j := 5; j >= 0; j-- {
			for i := 2; i >= 0; i-- {
				x, y := float64(n-11+i)+0.5, float64(j)+0.5
				if blk == 1 {
					x, y = y, x
				}
				w <<= 1
				if f.isDark(s.at(h.Apply(geom.Point{X: x, Y: y}))) {
					w |= 1
				}
			}
		}
		v, _, ok := decodeVersionWord(w)
		if !ok {
			return 0
		}
		got[blk] = v
	}
	if got[0] != got[1] {
		return 0
	}
	return got[0]
}

// candidateSizes returns symbol sides to try, most likely first.
func (f *finderFrame) candidateSizes(s sampler) []int {
	var out []int
	add := func(n int) {
		if n < 21 || n > 177 || (n-17)%4 != 0 {
			return
		}
		for _, m := range out {
			if m == n {
				return
			}
		}
		out = append(out, n)
	}
	round := func(x float64) int {
		v := int(math.Round((x - 17) / 4))
		return 4*v + 17
	}
	est := f.sizeEstimate()
	spacing := est
	if pe := f.perspectiveSizeEstimate(s); pe > 0 {
		est = pe
	}
	// Version information exists from version 7 (side 45); a word read on
	// a smaller symbol is data modules that happen to be near a code word.
	if est > 39 {
		v, both := f.readVersion(s)
		if !both {
			// Under perspective the blocks lie off the frame local to
			// the finder patterns: read them on the projective guess.
			r := int(math.Round((est-17)/4))*4 + 17
			if h, ok := f.projectiveGuess(s, r); ok && r >= 45 {
				if pv := f.readVersionAt(s, h, r); pv > 0 {
					v, both = pv, true
				}
			}
		}
		if v > 0 && math.Abs(float64(dimensionForVersion(v))-est) < 0.25*est+8 {
			add(dimensionForVersion(v))
			f.versionAgreed = both
		}
	}
	t1 := f.timingEstimate(s, f.tl, f.tr, f.bl)
	t2 := f.timingEstimate(s, f.tl, f.bl, f.tr)
	f.timingTop, f.timingLeft = t1, t2
	// Trust the timing count when both agree with each other and roughly
	// with the spacing estimate.
	if t1 > 0 && t1 == t2 && math.Abs(float64(t1)-est) < 0.15*est+4 {
		add(round(float64(t1)))
	}
	add(round(est))
	for _, t := range []int{t1, t2} {
		if t > 0 && math.Abs(float64(t)-est) < 0.2*est+4 {
			add(round(float64(t)))
		}
	}
	r := round(est)
	add(round(spacing))
	add(r + 4)
	add(r - 4)
	return out
}

// fitGrid returns the module grid for a symbol of side n.
//
// mode selects the bottom-right alignment pattern search: 0 near the affine
// prediction, 1 a wide search with larger templates (strong perspective), 2
// none (parallelogram completion), 3 none but the fourth corner searched for
// the grid most in phase with the module edges (searchCorner), for versions 1 without an alignment
// pattern and symbols whose alignment pattern is damaged.
func fitGrid(s sampler, f *finderFrame, n int, local bool, mode int) *grid {
	nf := float64(n)
	src := geom.Quad{{X: 3.5, Y: 3.5}, {X: nf - 3.5, Y: 3.5}, {X: nf - 3.5, Y: nf - 3.5}, {X: 3.5, Y: nf - 3.5}}
	br := f.tr.c.Add(f.bl.c).Sub(f.tl.c)
	dst := geom.Quad{f.tl.c, f.tr.c, br, f.bl.c}
	affine, ok := geom.QuadToQuad(src, dst)
	if !ok || !finiteOver(affine, nf) {
		return nil
	}
	g := &grid{n: n, global: affine}
	if mode == 3 {
		// The parallelogram is close to the symbol near the three finder
		// patterns whatever the perspective: a triple whose finder and
		// timing patterns do not match there is no symbol, and not worth
		// the search. The bar is lower than minFunctionAgreement: under
		// strong perspective the parallelogram already strays from the
		// outer parts of the top-right and bottom-left finder patterns;
		// look-alike triples score about 0.5.
		agree := functionAgreement(sampleModules(s, g, f.inv, 0))
		h0 := affine
		// Under strong perspective the corner implied by the finder
		// patterns' own perspective (projectiveGuess) is closer than the
		// parallelogram's: start the search there when its grid matches
		// the function patterns better.
		if hp, ok := f.projectiveGuess(s, n); ok && hp.Apply(src[2]).Dist(br) > g.moduleSize() {
			pg := &grid{n: n, global: hp}
			if a := functionAgreement(sampleModules(s, pg, f.inv, 0)); a > agree {
				agree, h0 = a, hp
			}
		}
		if agree < 0.62 {
			return nil
		}
		g.global = searchCorner(s, f, n, h0)
		if n >= 45 && local {
			refineLocal(s, g, f, math.Abs(f.light-f.dark))
		}
		return g
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
	switch mode {
	case 0:
		p, ok = locateAlignment(s, g, ap, ap, 4, scale, contrast, f.inv)
	case 1:
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
// It computes what phaseScore computes for the map h.Apply over the whole
// grid, walking each module row and column in homogeneous coordinates
// (one division per point, no call per point): searchCorner rates 73
// grids per candidate, the locator's largest single cost.
func gridPhase(s sampler, h geom.Homography, n int) float64 {
	var score float64
	for axis := 0; axis < 2; axis++ {
		// point (k+t, c) on axis 0, (c, k+t) on axis 1, in homogeneous
		// image coordinates: base + (k+t)·step
		var sx, sy, sw, cx, cy, cw float64
		if axis == 0 {
			sx, sy, sw = h[0], h[3], h[6]
			cx, cy, cw = h[1], h[4], h[7]
		} else {
			sx, sy, sw = h[1], h[4], h[7]
			cx, cy, cw = h[0], h[3], h[6]
		}
		for r := 0; r < n; r++ {
			c := float64(r) + 0.5
			bx, by, bw := cx*c+h[2], cy*c+h[5], cw*c+h[8]
			var prev float64
			for k := 0; k < n; k++ {
				a, b := float64(k)+0.25, float64(k)+0.75
				wa, wb := bw+a*sw, bw+b*sw
				va := s.at(geom.Point{X: (bx + a*sx) / wa, Y: (by + a*sy) / wa})
				vb := s.at(geom.Point{X: (bx + b*sx) / wb, Y: (by + b*sy) / wb})
				score -= math.Abs(vb - va)
				if k > 0 {
					score += math.Abs(va - prev)
				}
				prev = vb
			}
		}
	}
	return score
}

// phaseScore is gridPhase over the module rows y0..y1−1 (sampled across
// columns x0..x1−1) and columns x0..x1−1 (sampled across rows y0..y1−1) of
// the module-to-pixel map at.
func phaseScore(s sampler, at func(geom.Point) geom.Point, x0, x1, y0, y1 int) float64 {
	var score float64
	for axis := 0; axis < 2; axis++ {
		r0, r1, k0, k1 := y0, y1, x0, x1
		if axis == 1 {
			r0, r1, k0, k1 = x0, x1, y0, y1
		}
		for r := r0; r < r1; r++ {
			c := float64(r) + 0.5
			var prev float64
			for k := k0; k < k1; k++ {
				a, b := float64(k)+0.25, float64(k)+0.75
				var pa, pb geom.Point
				if axis == 0 {
					pa, pb = geom.Point{X: a, Y: c}, geom.Point{X: b, Y: c}
				} else {
					pa, pb = geom.Point{X: c, Y: a}, geom.Point{X: c, Y: b}
				}
				va, vb := s.at(at(pa)), s.at(at(pb))
				score -= math.Abs(vb - va)
				if k > k0 {
					score += math.Abs(va - prev)
				}
				prev = vb
			}
		}
	}
	return score
}

// refinePhase returns g bent to follow the symbol: a 3×3 lattice of
// control points at module positions 3.5, n/2 and n−3.5 starts on g; the
// three inside finder patterns stay, each of the other six moves, one
// after the other, to where the cells around it are most in phase with
// the module edges (phaseScore; 5×5 offsets 0.6 then 0.25 module apart
// along the local module axes), and each of the four cells gets its own
// homography. One homography cannot follow a symbol on a curved surface;
// this follows a smooth bend, at a cost of about 300 samplings of the
// modules of one or two cells. Nil when a cell degenerates.
func refinePhase(s sampler, g *grid) *grid {
	n := g.n
	nf := float64(n)
	pos := []float64{3.5, nf / 2, nf - 3.5}
	const k = 3
	pts := make([]geom.Point, k*k)
	for j := 0; j < k; j++ {
		for i := 0; i < k; i++ {
			pts[j*k+i] = g.toImage(pos[i], pos[j])
		}
	}
	build := func() *grid {
		cells := make([]geom.Homography, (k-1)*(k-1))
		for j := 0; j+1 < k; j++ {
			for i := 0; i+1 < k; i++ {
				src := geom.Quad{{X: pos[i], Y: pos[j]}, {X: pos[i+1], Y: pos[j]}, {X: pos[i+1], Y: pos[j+1]}, {X: pos[i], Y: pos[j+1]}}
				dst := geom.Quad{pts[j*k+i], pts[j*k+i+1], pts[(j+1)*k+i+1], pts[(j+1)*k+i]}
				h, ok := geom.QuadToQuad(src, dst)
				if !ok {
					return nil
				}
				cells[j*(k-1)+i] = h
			}
		}
		return &grid{n: n, global: g.global, pos: pos, cells: cells}
	}
	bounds := []int{0, n / 2, n}
	for _, o := range [6][2]int{{1, 0}, {0, 1}, {1, 1}, {2, 1}, {1, 2}, {2, 2}} {
		i, j := o[0], o[1]
		// the modules of the cells around the point
		x0, x1 := bounds[max(i-1, 0)], bounds[min(i+1, k-1)]
		y0, y1 := bounds[max(j-1, 0)], bounds[min(j+1, k-1)]
		c := pts[j*k+i]
		ex := g.toImage(pos[i]+1, pos[j]).Sub(c)
		ey := g.toImage(pos[i], pos[j]+1).Sub(c)
		score := func() float64 {
			cg := build()
			if cg == nil {
				return math.Inf(-1)
			}
			return phaseScore(s, func(p geom.Point) geom.Point { return cg.toImage(p.X, p.Y) }, x0, x1, y0, y1)
		}
		best, bestScore := c, score()
		for _, step := range []float64{0.6, 0.25} {
			centre := best
			for dj := -2; dj <= 2; dj++ {
				for di := -2; di <= 2; di++ {
					if di == 0 && dj == 0 {
						continue
					}
					pts[j*k+i] = centre.Add(ex.Scale(float64(di) * step)).Add(ey.Scale(float64(dj) * step))
					if sc := score(); sc > bestScore {
						best, bestScore = pts[j*k+i], sc
					}
				}
			}
		}
		pts[j*k+i] = best
	}
	return build()
}

// locateAlignment searches for an alignment pattern (6.3.6: a dark module
// in a light 3×3 ring in a dark 5×5 ring) centred near module coordinates
// (mx, my) of g, within radius modules, and returns its pixel centre. The
// template's module axes are those of g at (mx, my) times scale.
func locateAlignment(s sampler, g *grid, mx, my, radius, scale, contrast float64, inv bool) (geom.Point, bool) {
	c := g.toImage(mx, my)
	ex := g.toImage(mx+1, my).Sub(c)
	ey := g.toImage(mx, my+1).Sub(c)
	if scale > 0.5 && scale < 2 {
		ex, ey = ex.Scale(scale), ey.Scale(scale)
	}
	score := func(dx, dy float64) float64 {
		p := c.Add(ex.Scale(dx)).Add(ey.Scale(dy))
		centre := s.at(p)
		var ring1, ring2 float64
		for _, o := range [8][2]float64{{1, 0}, {-1, 0}, {0, 1}, {0, -1}, {1, 1}, {1, -1}, {-1, 1}, {-1, -1}} {
			ring1 += s.at(p.Add(ex.Scale(o[0])).Add(ey.Scale(o[1])))
			ring2 += s.at(p.Add(ex.Scale(2 * o[0])).Add(ey.Scale(2 * o[1])))
		}
		ring1 /= 8
		ring2 /= 8
		v := ring1 - math.Max(centre, ring2)
		if inv {
			v = math.Min(centre, ring2) - ring1
		}
		return v
	}
	best, bx, by := math.Inf(-1), 0.0, 0.0
	step := 0.5
	for dy := -radius; dy <= radius; dy += step {
		for dx := -radius; dx <= radius; dx += step {
			if v := score(dx, dy); v > best {
				best, bx, by = v, dx, dy
			}
		}
	}
	for _, st := range []float64{0.25, 0.125} {
		cx, cy := bx, by
		for dy := -2.0; dy <= 2; dy++ {
			for dx := -2.0; dx <= 2; dx++ {
				if v := score(cx+dx*st, cy+dy*st); v > best {
					best, bx, by = v, cx+dx*st, cy+dy*st
				}
			}
		}
	}
	if best < 0.25*contrast {
		return geom.Point{}, false
	}
	return c.Add(ex.Scale(bx)).Add(ey.Scale(by)), true
}

// refineLocal locates every alignment pattern of the version, walking
// outward from the top-left finder pattern (see align.go), and switches g to
// one homography per cell of the alignment lattice. g is left as it was
// when fewer than half the patterns are found or a cell degenerates.
// minAlignScore is the smallest alignScore, relative to the finder
// contrast, of a located alignment pattern.
const minAlignScore = 0.1

func refineLocal(s sampler, g *grid, f *finderFrame, contrast float64) {
	v, err := decoder.Version_GetVersionForNumber((g.n - 17) / 4)
	if err != nil {
		return
	}
	centres := v.GetAlignmentPatternCenters()
	k := len(centres)
	if k < 2 {
		return
	}
	pos := make([]float64, k)
	for i, c := range centres {
		pos[i] = float64(c) + 0.5
	}
	pts := make([]geom.Point, k*k)
	placed := make([]bool, k*k) // located, or given its prediction
	located := make([]bool, k*k)
	glob := func(i, j int) geom.Point { return g.global.Apply(geom.Point{X: pos[i], Y: pos[j]}) }
	// disp returns the displacement from the global homography seen at
	// lattice point (i, j), if it has been placed.
	disp := func(i, j int) (geom.Point, bool) {
		if i < 0 || j < 0 || i >= k || j >= k || !placed[j*k+i] {
			return geom.Point{}, false
		}
		return pts[j*k+i].Sub(glob(i, j)), true
	}
	// fewer located patterns than need leave g as it was
	need := (k*k - 3) / 2
	nFound, tried := 0, 0
	for d := 0; d <= 2*(k-1); d++ {
		for j := max(0, d-(k-1)); j <= min(d, k-1); j++ {
			i := d - j
			base := glob(i, j)
			if (i == 0 && j == 0) || (i == 0 && j == k-1) || (i == k-1 && j == 0) {
				// inside a finder pattern: the global transform passes
				// through the finder centres
				pts[j*k+i], placed[j*k+i] = base, true
				continue
			}
			// displacement extrapolated from the placed neighbours
			dl, okl := disp(i-1, j)
			du, oku := disp(i, j-1)
			dd, okd := disp(i-1, j-1)
			var shift geom.Point
			switch {
			case okl && oku && okd:
				shift = dl.Add(du).Sub(dd)
			case okl && oku:
				shift = dl.Add(du).Scale(0.5)
			case okl:
				shift = dl
			case oku:
				shift = du
			default:
				if da, ok := disp(i+1, j-1); ok {
					shift = da
				} else if okd {
					shift = dd
				}
			}
			pred := base.Add(shift)
			if !finitePoint(pred) {
				return // a singular transform
			}
			// local module axes: the pitch from the left and upper
			// neighbours where they were located, else the global one
			ex := g.global.Apply(geom.Point{X: pos[i] + 1, Y: pos[j]}).Sub(base)
			ey := g.global.Apply(geom.Point{X: pos[i], Y: pos[j] + 1}).Sub(base)
			if i > 0 && located[j*k+i-1] {
				ex = pred.Sub(pts[j*k+i-1]).Scale(1 / (pos[i] - pos[i-1]))
			}
			if j > 0 && located[(j-1)*k+i] {
				ey = pred.Sub(pts[(j-1)*k+i]).Scale(1 / (pos[j] - pos[j-1]))
			}
			if nFound+(k*k-3-tried) < need {
				return // too few patterns left to reach need
			}
			tried++
			floor := minAlignScore * contrast
			p, ok := searchAlignment(s, pred, ex, ey, 1.5, f.inv, floor)
			if !ok && (nFound > 0 || i+j == 1 || k-1-i+j == 1 || i+k-1-j == 1) {
				// The prediction may be further off than the search: the
				// first patterns away from the finder patterns rest on
				// the global transform alone. Not before one pattern was
				// located, but next to a finder pattern: a look-alike
				// triple has none.
				p, ok = searchAlignment(s, pred, ex, ey, 3, f.inv, floor)
			}
			if ok {
				pts[j*k+i] = p
				located[j*k+i] = true
				nFound++
			} else {
				pts[j*k+i] = pred
			}
			placed[j*k+i] = true
		}
	}
	// Second chance for the patterns not located: predicted now from the
	// located neighbours on all sides, the displacement extrapolated
	// linearly where two located patterns line up towards the point; two
	// rounds, so that patterns located in the first help the second.
	isAnchor := func(i, j int) bool { return (i == 0 || i == k-1) && j == 0 || i == 0 && j == k-1 }
	dispAt := func(i, j int) (geom.Point, bool) {
		if i < 0 || j < 0 || i >= k || j >= k || !located[j*k+i] {
			return geom.Point{}, false
		}
		return pts[j*k+i].Sub(glob(i, j)), true
	}
	for round := 0; round < 2 && nFound < k*k-3; round++ {
		before := nFound
		for j := 0; j < k; j++ {
			for i := 0; i < k; i++ {
				if located[j*k+i] || isAnchor(i, j) {
					continue
				}
				var sum geom.Point
				cnt := 0
				for _, o := range [4][2]int{{-1, 0}, {1, 0}, {0, -1}, {0, 1}} {
					d1, ok1 := dispAt(i+o[0], j+o[1])
					if !ok1 {
						continue
					}
					if d2, ok2 := dispAt(i+2*o[0], j+2*o[1]); ok2 {
						d1 = d1.Scale(2).Sub(d2)
					}
					sum = sum.Add(d1)
					cnt++
				}
				if cnt == 0 {
					continue
				}
				base := glob(i, j)
				pred := base.Add(sum.Scale(1 / float64(cnt)))
				ex := g.global.Apply(geom.Point{X: pos[i] + 1, Y: pos[j]}).Sub(base)
				ey := g.global.Apply(geom.Point{X: pos[i], Y: pos[j] + 1}).Sub(base)
				if p, ok := searchAlignment(s, pred, ex, ey, 1.5, f.inv, minAlignScore*contrast); ok {
					pts[j*k+i] = p
					located[j*k+i] = true
					nFound++
				} else {
					pts[j*k+i] = pred
				}
			}
		}
		if nFound == before {
			break
		}
	}
	g.aligned = nFound
	if nFound < need {
		return
	}
	// The lattice points inside the finder patterns were predicted by the
	// global transform, which is exact at the finder centres only: where
	// the three lattice neighbours of one were located, the homography
	// through them and the finder centre places it instead.
	nf := float64(g.n)
	for _, a := range [3]struct {
		i, j, di, dj int
		centre       geom.Point
		mx, my       float64
	}{
		{0, 0, 1, 1, f.tl.c, 3.5, 3.5},
		{k - 1, 0, -1, 1, f.tr.c, nf - 3.5, 3.5},
		{0, k - 1, 1, -1, f.bl.c, 3.5, nf - 3.5},
	} {
		i2, j2 := a.i+a.di, a.j+a.dj
		if !located[a.j*k+i2] || !located[j2*k+a.i] || !located[j2*k+i2] {
			continue
		}
		src := geom.Quad{{X: pos[i2], Y: pos[a.j]}, {X: pos[i2], Y: pos[j2]}, {X: pos[a.i], Y: pos[j2]}, {X: a.mx, Y: a.my}}
		dst := geom.Quad{pts[a.j*k+i2], pts[j2*k+i2], pts[j2*k+a.i], a.centre}
		if h, ok := geom.QuadToQuad(src, dst); ok {
			if q := h.Apply(geom.Point{X: pos[a.i], Y: pos[a.j]}); finitePoint(q) {
				pts[a.j*k+a.i] = q
			}
		}
	}
	cells := make([]geom.Homography, (k-1)*(k-1))
	for j := 0; j+1 < k; j++ {
		for i := 0; i+1 < k; i++ {
			src := geom.Quad{{X: pos[i], Y: pos[j]}, {X: pos[i+1], Y: pos[j]}, {X: pos[i+1], Y: pos[j+1]}, {X: pos[i], Y: pos[j+1]}}
			dst := geom.Quad{pts[j*k+i], pts[j*k+i+1], pts[(j+1)*k+i+1], pts[(j+1)*k+i]}
			h, ok := geom.QuadToQuad(src, dst)
			if !ok {
				return
			}
			cells[j*(k-1)+i] = h
		}
	}
	g.pos, g.cells = pos, cells
}
