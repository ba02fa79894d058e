package qr

import (
	"context"
	"math"
	"sort"

	"github.com/qrcascade/qrcascade/internal/geom"
	"github.com/qrcascade/qrcascade/internal/gray"
)

// Decoding from an approximate quad: finder patterns searched in the
// quad's own frame.
//
// A neural detector predicts the symbol's outer corners with an error of a
// few per cent of the side (median about 7 % on boofcv-dev), which is one
// module or more for most versions: a grid fitted to those corners
// directly (sampleQuad) misses, and the locator's own finder scan
// (1:1:3:1:1 runs on a binarised crop) fails on exactly the symbols the
// classic tier left: blurred ones whose one-module light ring has merged,
// glare, damage. The quad still says where the three finder patterns
// (6.3.3) must be and roughly how large they are, so we look for them
// there with a criterion that does not need a binarisation:
//
//  1. The quad defines a homography from the unit square to the image.
//     For each of its four corners and each trial symbol side n (from
//     quadSides, modules at least quadMinModule pixels), a 9×9-module
//     template of the finder pattern with its separator (dark outer ring,
//     light ring, dark 3×3 centre, light separator ring: finderDark) is
//     moved over a window of ±quadWindow of the side around the position
//     the pattern would have, in steps of one module, on a box-filtered
//     copy of about two pixels per module (quadPyramid). Its score is the
//     correlation of the 81 module-centre samples with the template:
//     invariant to brightness and contrast, and under blur it shrinks but
//     still peaks at the true centre and scale.
//  2. The corner without a finder pattern (the bottom-right one) and the
//     three patterns are those whose correlations sum highest among
//     triples whose pixel module sizes agree (quadMaxModuleRatio); each of
//     the three positions is then refined at full resolution (a quarter
//     module at five scales, then a sixteenth).
//  3. The three centres, mapped to the image with their local module
//     sizes, become an ordinary finder triple and are read by the
//     locator's own procedure (readCandidate: sizes from finder spacing,
//     timing patterns and version information; alignment pattern search,
//     fourth-corner search, local grids; Reed–Solomon decides). When
//     that fails, the grid of the most likely side is sampled once more
//     and its module values deconvolved (deblur.go).
//
// Weak spots: a symbol with a finder pattern destroyed (damage, glare on
// it) has only two good corners and a guessed third one; the correlation
// does not distinguish a finder pattern from a look-alike square within
// the window (Reed–Solomon then rejects the grid); a quad off by more than
// the window is not searched beyond it (10 of the 32 detected but unread
// boofcv-dev codes in nano mode have best-candidate corner errors of
// 29–77 % of the side); the cost grows with the
// square of the side in modules, which quadSides and quadMaxSteps bound
// (BenchmarkLocateQuadFinders: an 800-pixel version 6 symbol, 10–17 ms
// on the shared 2-core machine, depending on its load).

// quadSides are the symbol sides, in modules, at which the finder template
// is searched. Neighbours differ by 15–25 %: the template tolerates about
// half a module of scale error at its outer ring, a hypothesis may take
// each corner's pattern at a different side (perspective, quad error), and
// the refinement's scales (±10 % around the triple's median module size)
// cover the rest.
var quadSides = [...]int{21, 25, 29, 33, 41, 49, 57, 69, 85, 101, 121, 145, 177}

const (
	// quadWindow is the half-width of the search window around a finder
	// pattern's predicted centre, as a fraction of the quad's side: the
	// detector's corner error is under 10 % for most candidates.
	quadWindow = 0.15
	// quadMaxSteps bounds the search window, in modules, for high
	// versions, whose finder patterns the locator's own scan usually finds.
	quadMaxSteps = 12
	// quadMinModule is the smallest module, in pixels, for which a side is
	// tried.
	quadMinModule = 1.5
	// quadMinCorrelation is the smallest correlation each of the three
	// finder patterns must reach: look-alike texture rarely reaches it in
	// all three corners, true patterns under heavy blur score 0.6–0.9.
	quadMinCorrelation = 0.45
	// quadMinContrast is the smallest difference, in gray levels, between
	// the light ring and the dark modules of a finder pattern.
	quadMinContrast = 6
	// quadMaxModuleRatio is the largest ratio between the pixel module
	// sizes of the three finder patterns of a hypothesis. The module size
	// in pixels, unlike the pitch in the quad's frame, does not depend on
	// the quad's error; it keeps an alignment pattern (6.3.6), which the
	// template matches at 5/7 of the finder patterns' module, out of the
	// triple.
	quadMaxModuleRatio = 1.3
	// quadMaxTriples is the number of finder triples (best first, one per
	// missing corner and polarity) decodeQuadFinders reads from one quad.
	// A second triple, read when the first failed before Reed–Solomon,
	// read no more boofcv-dev codes (35 of 35 neural reads either way).
	quadMaxTriples = 1
)

// quadFinder is a finder pattern located in the quad's frame.
type quadFinder struct {
	u, v     float64 // centre in unit-square coordinates of the quad
	m        float64 // module pitch in unit-square coordinates
	ms       float64 // module size in pixels at the centre
	corr     float64 // correlation with the template: > 0 dark on light
	contrast float64 // light ring minus dark modules, gray levels (polarity-corrected)
}

// finderDark tells which of the 9×9 modules of a finder pattern with its
// separator are dark: the pattern's outer ring and 3×3 centre (6.3.3); the
// separator ring around it is light (on the outer sides it is quiet zone).
// The separator makes the template robust to blur: once the one-module
// light ring has merged into the dark ones, a dark 7×7 square inside a
// light ring is what remains.
var finderDark = func() (d [81]bool) {
	for y := 0; y < 9; y++ {
		for x := 0; x < 9; x++ {
			r := max(abs(x-4), abs(y-4))
			d[y*9+x] = r != 2 && r != 4
		}
	}
	return d
}()

// quadPyramid is a plane and its box-filtered reductions by 2, 4, 8…,
// built on demand: the coarse template search samples the level whose
// pixels are about half a module, so that each sample averages its module
// and the correlation falls off smoothly, not abruptly, with the offset
// from the true centre (a sharp pattern half a module off keeps most of
// its score).
type quadPyramid struct {
	levels []sampler // levels[k] is reduced by 2^k
}

// level returns the sampler reduced by the largest power of two not above
// factor, and that power.
func (py *quadPyramid) level(factor float64) (sampler, float64) {
	k := 0
	for f := 2.0; f <= factor && k < 4; f *= 2 {
		k++
	}
	for len(py.levels) <= k {
		prev := py.levels[len(py.levels)-1].p
		if prev.W < 8 || prev.H < 8 {
			k = len(py.levels) - 1
			break
		}
		py.levels = append(py.levels, newSampler(gray.Downscale(nil, prev, 2)))
	}
	return py.levels[k], float64(int(1) << k)
}

// finderAt scores the finder template centred at (u, v) of the quad frame
// h with module pitch m, sampled on s reduced by scale: the correlation of
// the 81 module-centre samples' darkness with the template (finderDark)
// or of the inner 49 with the pattern alone, whichever is stronger (the
// separator helps under blur, hurts where glare or clutter touches the
// symbol), and the contrast between light and dark modules. The template is laid on the
// affine approximation of h at the centre (exact to well under a module
// over 7 modules for any quad a detector returns).
func finderAt(s sampler, scale float64, h *geom.Homography, u, v, m float64) (corr, contrast float64) {
	c := h.Apply(geom.Point{X: u, Y: v})
	ex := h.Apply(geom.Point{X: u + m, Y: v}).Sub(c).Scale(1 / scale)
	ey := h.Apply(geom.Point{X: u, Y: v + m}).Sub(c).Scale(1 / scale)
	c = c.Scale(1 / scale)
	if !finite(c) || !finite(ex) || !finite(ey) {
		// beyond the quad's horizon (a degenerate or wildly projective quad)
		return 0, 0
	}
	// sums over the 9×9 template and over its inner 7×7 (the pattern
	// without its separator)
	var vals [81]float64
	s.templateSamples(c, ex, ey, &vals)
	var sumAll, sumDark, sq, sumIn, sqIn float64
	k := 0
	for y := -4; y <= 4; y++ {
		for x := -4; x <= 4; x++ {
			val := vals[k]
			sumAll += val
			sq += val * val
			if finderDark[k] {
				sumDark += val
			}
			if x > -4 && x < 4 && y > -4 && y < 4 {
				sumIn += val
				sqIn += val * val
			}
			k++
		}
	}
	// Σ (x−x̄)(t−t̄) with t = 1 on dark modules and darkness x = −value;
	// the dark modules are the same 33 in both templates.
	const nDark = 33
	corrOf := func(sum, sq, cells float64) float64 {
		mean := sum / cells
		varX := sq - cells*mean*mean
		if varX <= 1e-9 {
			return 0
		}
		varT := nDark * (cells - nDark) / cells
		return -(sumDark - nDark*mean) / math.Sqrt(varX*varT)
	}
	corr9, corr7 := corrOf(sumAll, sq, 81), corrOf(sumIn, sqIn, 49)
	if math.Abs(corr7) > math.Abs(corr9) {
		return corr7, (sumIn-sumDark)/(49-nDark) - sumDark/nDark
	}
	return corr9, (sumAll-sumDark)/(81-nDark) - sumDark/nDark
}

// searchFinder returns the best-correlating template positions, one per
// polarity (index 0 dark on light, 1 light on dark), around (u0, v0)
// within ±half in steps of step, at pitches m·scales.
func searchFinder(s sampler, scale float64, h *geom.Homography, u0, v0, half, step, m float64, scales []float64) [2]quadFinder {
	best := [2]quadFinder{{corr: math.Inf(-1)}, {corr: math.Inf(-1)}}
	steps := int(math.Ceil(half/step - 1e-9))
	for _, sc := range scales {
		mm := m * sc
		for j := -steps; j <= steps; j++ {
			for i := -steps; i <= steps; i++ {
				u, v := u0+float64(i)*step, v0+float64(j)*step
				corr, contrast := finderAt(s, scale, h, u, v, mm)
				if corr > best[0].corr {
					best[0] = quadFinder{u: u, v: v, m: mm, corr: corr, contrast: contrast}
				}
				if -corr > best[1].corr {
					best[1] = quadFinder{u: u, v: v, m: mm, corr: -corr, contrast: -contrast}
				}
			}
		}
	}
	return best
}

// quadModuleSize returns the module size in pixels at (u, v) of the quad
// frame h for pitch m.
func quadModuleSize(h *geom.Homography, u, v, m float64) float64 {
	return (h.Apply(geom.Point{X: u + m/2, Y: v}).Dist(h.Apply(geom.Point{X: u - m/2, Y: v})) +
		h.Apply(geom.Point{X: u, Y: v + m/2}).Dist(h.Apply(geom.Point{X: u, Y: v - m/2}))) / 2
}

// quadCorners are the corners of the unit square in the quad's order.
var quadCorners = [4][2]float64{{0, 0}, {1, 0}, {1, 1}, {0, 1}}

// locateQuadFinders finds the three finder patterns of a symbol whose
// outer corners are approximately q (any cyclic order), in the polarities
// pol allows. It returns
// the patterns in image coordinates as a top-left, top-right, bottom-left
// triple (top-right clockwise from bottom-left, as group.go orders them),
// the polarity, the template's side estimate, and false when no side and
// corner gives three patterns above quadMinCorrelation and
// quadMinContrast.
//
// The coarse search steps one module over a window of ±quadWindow of the
// side, at most ±quadMaxSteps modules, on the pyramid level of about two
// pixels per module. A hypothesis is a side, a polarity and the corner
// without a pattern; its score is the sum of the other three corners'
// best correlations, each at any side of quadSides (an approximate quad
// distorts the pitch from corner to corner) as long as their pixel module
// sizes agree within quadMaxModuleRatio. The three
// chosen patterns are then refined on the full-resolution plane over ±1
// module in quarter-module steps at five scales, and over ±¼ module in
// sixteenths.
func locateQuadFinders(ctx context.Context, s sampler, q geom.Quad, polarity Polarity, maxTriples int) []quadTriple {
	unit := geom.Quad{{X: 0, Y: 0}, {X: 1, Y: 0}, {X: 1, Y: 1}, {X: 0, Y: 1}}
	h, hok := geom.QuadToQuad(unit, q)
	if !hok {
		return nil
	}
	px := (q[0].Dist(q[1]) + q[1].Dist(q[2]) + q[2].Dist(q[3]) + q[3].Dist(q[0])) / 4
	py := quadPyramid{levels: []sampler{s}}
	var coarse [len(quadSides)][2][4]quadFinder
	sides := 0
	for i, n := range quadSides {
		if px/float64(n) < quadMinModule {
			break
		}
		if ctx.Err() != nil {
			return nil
		}
		sides++
		m := 1 / float64(n)
		half := math.Min(quadWindow, quadMaxSteps*m)
		ls, scale := py.level(px / float64(n) / 2)
		for k, c := range quadCorners {
			du, dv := 1-2*c[0], 1-2*c[1]
			r := searchFinder(ls, scale, &h, c[0]+du*3.5*m, c[1]+dv*3.5*m, half, m, m, []float64{1})
			for pol := range r {
				r[pol].ms = quadModuleSize(&h, r[pol].u, r[pol].v, r[pol].m)
			}
			coarse[i][0][k], coarse[i][1][k] = r[0], r[1]
		}
	}
	// the best hypothesis for each missing corner and polarity
	var hyps [8]quadHypothesis
	for i := range hyps {
		hyps[i].score = math.Inf(-1)
	}
	for pol := 0; pol < 2; pol++ {
		if !polarity.allows(pol == 1) {
			continue
		}
		for miss := 0; miss < 4; miss++ {
			best := &hyps[pol*4+miss]
			ks := [3]int{(miss + 1) % 4, (miss + 2) % 4, (miss + 3) % 4}
			for i := 0; i < sides; i++ {
				a := coarse[i][pol][ks[0]]
				for j := 0; j < sides; j++ {
					b := coarse[j][pol][ks[1]]
					for l := 0; l < sides; l++ {
						c := coarse[l][pol][ks[2]]
						sc := a.corr + b.corr + c.corr
						if sc <= best.score {
							continue
						}
						lo := math.Min(a.ms, math.Min(b.ms, c.ms))
						hi := math.Max(a.ms, math.Max(b.ms, c.ms))
						if hi > quadMaxModuleRatio*lo {
							continue
						}
						var f [4]quadFinder
						f[ks[0]], f[ks[1]], f[ks[2]] = a, b, c
						*best = quadHypothesis{n: quadSides[j], miss: miss, pol: pol, score: sc, f: f}
					}
				}
			}
		}
	}
	sort.Slice(hyps[:], func(i, j int) bool { return hyps[i].score > hyps[j].score })
	var out []quadTriple
	for _, hy := range hyps {
		if len(out) >= maxTriples || ctx.Err() != nil || math.IsInf(hy.score, -1) {
			break
		}
		if t, ok := refineQuadHypothesis(s, &h, &hy); ok {
			out = append(out, t)
		}
	}
	return out
}

// quadHypothesis is a coarse finder pattern triple: the corner without a
// pattern, the polarity (1: light on dark) and the patterns found at the
// other corners, with the side of the middle one.
type quadHypothesis struct {
	n, miss, pol int
	score        float64
	f            [4]quadFinder
}

// quadTriple is a refined finder pattern triple, in image coordinates.
type quadTriple struct {
	tl, tr, bl finderPattern
	inv        bool
	side       int // the side the template search suggests
}

// refineQuadHypothesis refines the three patterns of hy at full
// resolution and orders them; false when one falls under
// quadMinCorrelation or quadMinContrast.
func refineQuadHypothesis(s sampler, h *geom.Homography, hy *quadHypothesis) (quadTriple, bool) {
	// top-left (opposite the missing corner), then its two neighbours
	var fps [3]finderPattern
	corners := [3]int{(hy.miss + 2) % 4, (hy.miss + 3) % 4, (hy.miss + 1) % 4}
	// Refine around the triple's median pixel module size: under blur a
	// single pattern's scale drifts, and its centre with it.
	mss := [3]float64{hy.f[corners[0]].ms, hy.f[corners[1]].ms, hy.f[corners[2]].ms}
	median := math.Max(math.Min(mss[0], mss[1]), math.Min(math.Max(mss[0], mss[1]), mss[2]))
	if !(median > 0) {
		return quadTriple{}, false
	}
	for i, k := range corners {
		c := hy.f[k]
		if !(c.ms > 0) {
			return quadTriple{}, false
		}
		m := c.m * median / c.ms
		r := searchFinder(s, 1, h, c.u, c.v, m, m/4, m, []float64{0.9, 0.95, 1, 1.05, 1.1})[hy.pol]
		r = searchFinder(s, 1, h, r.u, r.v, r.m/4, r.m/16, r.m, []float64{1})[hy.pol]
		if r.corr < quadMinCorrelation || r.contrast < quadMinContrast {
			return quadTriple{}, false
		}
		ctr := h.Apply(geom.Point{X: r.u, Y: r.v})
		fps[i] = finderPattern{c: ctr, ms: quadModuleSize(h, r.u, r.v, r.m), count: 1, contrast: r.contrast}
	}
	t := quadTriple{tl: fps[0], tr: fps[1], bl: fps[2], inv: hy.pol == 1, side: hy.n}
	v1, v2 := t.tr.c.Sub(t.tl.c), t.bl.c.Sub(t.tl.c)
	if v1.X*v2.Y-v1.Y*v2.X < 0 {
		t.tr, t.bl = t.bl, t.tr
	}
	return t, true
}
