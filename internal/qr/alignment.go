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
// (refineLocal). Locating them is a walk outward from the top-left
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
	bx, by, best := alignLatticeSearch(s, c, ex, ey, radius, inv)
	for _, st := range []float64{0.25, 0.125} {
		cx, cy := bx, by
		for dy := -2.0; dy <= 2; dy++ {
			for dx := -2.0; dx <= 2; dx++ {
				if v := alignTemplateScore(s, c.Add(ex.Scale(cx+dx*st)).Add(ey.Scale(cy+dy*st)), ex, ey, inv); v > best {
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

// alignTemplateScore is locateAlignment's template score at pixel p, module
// axes ex and ey: the mean of the light ring one module from p against the
// darker of p and the mean of the dark ring two modules out (the other way
// round when inv).
func alignTemplateScore(s sampler, p, ex, ey geom.Point, inv bool) float64 {
	var ring1, ring2 float64
	for _, o := range alignRing {
		dx, dy := float64(o[0]), float64(o[1])
		ring1 += s.at(p.Add(ex.Scale(dx)).Add(ey.Scale(dy)))
		ring2 += s.at(p.Add(ex.Scale(2 * dx)).Add(ey.Scale(2 * dy)))
	}
	return ringScore(s.at(p), ring1/8, ring2/8, inv)
}

// alignRing holds the module offsets of the light ring one module from an
// alignment pattern's centre, in the order its samples are summed; the
// dark ring lies twice as far.
var alignRing = [8][2]int{{1, 0}, {-1, 0}, {0, 1}, {0, -1}, {1, 1}, {1, -1}, {-1, 1}, {-1, -1}}

// ringScore is alignTemplateScore from the centre sample and the two rings'
// means.
func ringScore(centre, ring1, ring2 float64, inv bool) float64 {
	if inv {
		return math.Min(centre, ring2) - ring1
	}
	return ring1 - math.Max(centre, ring2)
}

// alignLatticeSearch is locateAlignment's coarse search: the template
// score at every half-module offset (dx, dy) from c within radius modules,
// best first in row order (ties to the first), returned with its offset.
// The rings lie one and two modules from the centre, on the same
// half-module lattice, so the lattice is sampled once, with a margin of two
// modules, and every score is read from that table: (2r+9)² samples for r
// = 2·radius instead of 17·(2r+1)² (a radius of 4 modules: 625 against
// 4,913; alignWide's radius of 15 modules on a version 10 symbol: 4,900
// against 64,000).
func alignLatticeSearch(s sampler, c, ex, ey geom.Point, radius float64, inv bool) (bx, by, best float64) {
	const step, margin = 0.5, 4 // margin: two modules in lattice steps
	n := 0
	for v := -radius; v <= radius; v += step {
		n++
	}
	best = math.Inf(-1)
	if n == 0 {
		return 0, 0, best
	}
	m := n + 2*margin
	var small [25 * 25]float64 // alignNear's radius of 4 modules fits
	tab := small[:]
	if m*m > len(small) {
		tab = make([]float64, m*m)
	}
	for j := 0; j < m; j++ {
		v := -radius + float64(j-margin)*step
		row := c.Add(ey.Scale(v))
		for i := 0; i < m; i++ {
			tab[j*m+i] = s.at(row.Add(ex.Scale(-radius + float64(i-margin)*step)))
		}
	}
	var ring [8]int // table offsets of the inner ring; the outer ring is twice as far
	for k, o := range alignRing {
		ring[k] = 2 * (o[1]*m + o[0])
	}
	for l := 0; l < n; l++ {
		for k := 0; k < n; k++ {
			at := (l+margin)*m + k + margin
			var ring1, ring2 float64
			for _, o := range ring {
				ring1 += tab[at+o]
				ring2 += tab[at+2*o]
			}
			if v := ringScore(tab[at], ring1/8, ring2/8, inv); v > best {
				best, bx, by = v, -radius+float64(k)*step, -radius+float64(l)*step
			}
		}
	}
	return bx, by, best
}

// minAlignScore is the smallest alignScore, relative to the finder
// contrast, of a located alignment pattern.
const minAlignScore = 0.1

// refineLocal locates every alignment pattern of the version, walking
// outward from the top-left finder pattern (see the top of this file), and
// switches g to one homography per cell of the alignment lattice. g is
// left as it was when fewer than half the patterns are found or a cell
// degenerates; g.aligned counts the patterns located when the walk ran to
// its end.
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
	l := alignLattice{
		g: g, k: k, inv: f.inv, floor: minAlignScore * contrast,
		pos:     make([]float64, k),
		pts:     make([]geom.Point, k*k),
		placed:  make([]bool, k*k),
		located: make([]bool, k*k),
	}
	for i, c := range centres {
		l.pos[i] = float64(c) + 0.5
	}
	// fewer located patterns than need leave g as it was
	need := (k*k - 3) / 2
	if !l.walk(s, need) {
		return
	}
	l.retry(s)
	g.aligned = l.found
	if l.found < need {
		return
	}
	l.placeFinderPoints(f)
	if cells, ok := l.cells(); ok {
		g.pos, g.cells = l.pos, cells
	}
}

// alignLattice is the k×k lattice of alignment pattern centres (Annex E)
// of grid g being located by refineLocal: pos are the module coordinates
// of the lattice lines, pts the pixel positions, row-major; placed marks
// the points located or given their prediction, located those found.
type alignLattice struct {
	g       *grid
	k       int
	inv     bool
	floor   float64 // smallest alignScore accepted
	pos     []float64
	pts     []geom.Point
	placed  []bool
	located []bool
	found   int // located points
}

// glob returns where the global homography puts lattice point (i, j).
func (l *alignLattice) glob(i, j int) geom.Point {
	return l.g.global.Apply(geom.Point{X: l.pos[i], Y: l.pos[j]})
}

// disp returns the displacement from the global homography seen at
// lattice point (i, j), if it is marked in set (placed or located).
func (l *alignLattice) disp(set []bool, i, j int) (geom.Point, bool) {
	k := l.k
	if i < 0 || j < 0 || i >= k || j >= k || !set[j*k+i] {
		return geom.Point{}, false
	}
	return l.pts[j*k+i].Sub(l.glob(i, j)), true
}

// isFinder reports whether lattice point (i, j) lies inside a finder
// pattern, where the global transform passes through the finder centres.
func (l *alignLattice) isFinder(i, j int) bool {
	k := l.k
	return (i == 0 || i == k-1) && j == 0 || i == 0 && j == k-1
}

// predict returns the displacement of lattice point (i, j) extrapolated
// from its placed neighbours: left + up − up-left when all three are
// placed, their mean, or one of them.
func (l *alignLattice) predict(i, j int) geom.Point {
	dl, okl := l.disp(l.placed, i-1, j)
	du, oku := l.disp(l.placed, i, j-1)
	dd, okd := l.disp(l.placed, i-1, j-1)
	switch {
	case okl && oku && okd:
		return dl.Add(du).Sub(dd)
	case okl && oku:
		return dl.Add(du).Scale(0.5)
	case okl:
		return dl
	case oku:
		return du
	}
	if da, ok := l.disp(l.placed, i+1, j-1); ok {
		return da
	} else if okd {
		return dd
	}
	return geom.Point{}
}

// walk places the lattice points diagonal by diagonal from the top-left
// finder pattern, each searched around its prediction (step 1–3 at the
// top of this file). It reports false when a prediction is not finite (a
// singular transform) or fewer than need patterns can still be located.
func (l *alignLattice) walk(s sampler, need int) bool {
	k := l.k
	tried := 0
	for d := 0; d <= 2*(k-1); d++ {
		for j := max(0, d-(k-1)); j <= min(d, k-1); j++ {
			i := d - j
			base := l.glob(i, j)
			if l.isFinder(i, j) {
				l.pts[j*k+i], l.placed[j*k+i] = base, true
				continue
			}
			pred := base.Add(l.predict(i, j))
			if !finitePoint(pred) {
				return false
			}
			// local module axes: the pitch from the left and upper
			// neighbours where they were located, else the global one
			ex := l.g.global.Apply(geom.Point{X: l.pos[i] + 1, Y: l.pos[j]}).Sub(base)
			ey := l.g.global.Apply(geom.Point{X: l.pos[i], Y: l.pos[j] + 1}).Sub(base)
			if i > 0 && l.located[j*k+i-1] {
				ex = pred.Sub(l.pts[j*k+i-1]).Scale(1 / (l.pos[i] - l.pos[i-1]))
			}
			if j > 0 && l.located[(j-1)*k+i] {
				ey = pred.Sub(l.pts[(j-1)*k+i]).Scale(1 / (l.pos[j] - l.pos[j-1]))
			}
			if l.found+(k*k-3-tried) < need {
				return false // too few patterns left to reach need
			}
			tried++
			p, ok := searchAlignment(s, pred, ex, ey, 1.5, l.inv, l.floor)
			if !ok && (l.found > 0 || i+j == 1 || k-1-i+j == 1 || i+k-1-j == 1) {
				// The prediction may be further off than the search: the
				// first patterns away from the finder patterns rest on
				// the global transform alone. Not before one pattern was
				// located, but next to a finder pattern: a look-alike
				// triple has none.
				p, ok = searchAlignment(s, pred, ex, ey, 3, l.inv, l.floor)
			}
			l.set(i, j, p, pred, ok)
			l.placed[j*k+i] = true
		}
	}
	return true
}

// set puts lattice point (i, j) at p when it was located (ok), else at its
// prediction pred.
func (l *alignLattice) set(i, j int, p, pred geom.Point, ok bool) {
	k := l.k
	if ok {
		l.pts[j*k+i] = p
		l.located[j*k+i] = true
		l.found++
	} else {
		l.pts[j*k+i] = pred
	}
}

// retry is the second chance for the patterns not located: predicted now
// from the located neighbours on all sides, the displacement extrapolated
// linearly where two located patterns line up towards the point; two
// rounds, so that patterns located in the first help the second.
func (l *alignLattice) retry(s sampler) {
	k := l.k
	for round := 0; round < 2 && l.found < k*k-3; round++ {
		before := l.found
		for j := 0; j < k; j++ {
			for i := 0; i < k; i++ {
				if l.located[j*k+i] || l.isFinder(i, j) {
					continue
				}
				var sum geom.Point
				cnt := 0
				for _, o := range [4][2]int{{-1, 0}, {1, 0}, {0, -1}, {0, 1}} {
					d1, ok1 := l.disp(l.located, i+o[0], j+o[1])
					if !ok1 {
						continue
					}
					if d2, ok2 := l.disp(l.located, i+2*o[0], j+2*o[1]); ok2 {
						d1 = d1.Scale(2).Sub(d2)
					}
					sum = sum.Add(d1)
					cnt++
				}
				if cnt == 0 {
					continue
				}
				base := l.glob(i, j)
				pred := base.Add(sum.Scale(1 / float64(cnt)))
				ex := l.g.global.Apply(geom.Point{X: l.pos[i] + 1, Y: l.pos[j]}).Sub(base)
				ey := l.g.global.Apply(geom.Point{X: l.pos[i], Y: l.pos[j] + 1}).Sub(base)
				p, ok := searchAlignment(s, pred, ex, ey, 1.5, l.inv, l.floor)
				l.set(i, j, p, pred, ok)
			}
		}
		if l.found == before {
			break
		}
	}
}

// placeFinderPoints places the lattice points inside the finder patterns,
// predicted by the global transform, which is exact at the finder centres
// only: where the three lattice neighbours of one were located, the
// homography through them and the finder centre places it instead.
func (l *alignLattice) placeFinderPoints(f *finderFrame) {
	k, pos, pts, located := l.k, l.pos, l.pts, l.located
	nf := float64(l.g.n)
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
}

// cells returns the homography of each cell between four neighbouring
// lattice points, row-major; false when one degenerates.
func (l *alignLattice) cells() ([]geom.Homography, bool) {
	return latticeCells(l.k, l.pos, l.pts)
}
