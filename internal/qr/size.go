package qr

import (
	"math"

	"github.com/qrcascade/qrcascade/internal/geom"
)

// Symbol size from the finder patterns: the side in modules from their
// spacing and module sizes, from module sizes measured along the lines
// joining them (exact under a projective map), from counting the timing
// pattern modules (6.3.5), and the projective fourth corner implied by the
// patterns' own perspective.

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
	// the samples in chunks (sampler.atAll)
	var pts [128]geom.Point
	var vals [128]float64
	for i0 := 0; i0 <= steps; i0 += len(pts) {
		m := min(len(pts), steps+1-i0)
		for k := range m {
			t := float64(i0+k) / float64(steps)
			pts[k] = p0.Add(p1.Sub(p0).Scale(t))
		}
		s.atAll(pts[:m], vals[:m])
		for k, v := range vals[:m] {
			d := f.isDark(v)
			if i0+k == 0 || d != prev {
				runs++
			}
			prev = d
		}
	}
	// dark, light, (n−16 timing modules), light, dark
	return runs + 12
}
