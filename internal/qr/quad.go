package qr

import (
	"context"
	"fmt"
	"math"

	"qrcascade/internal/geom"
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
//     quadSides, modules at least quadMinModule pixels), a 7×7-module
//     template of the finder pattern (dark outer ring, light ring, dark 3×3
//     centre) is moved over a window of ±quadWindow of the side around the
//     position the pattern would have, in steps of half a module. Its
//     score is the correlation of the 49 module-centre samples with the
//     template: invariant to brightness and contrast, and under blur it
//     shrinks but still peaks at the true centre and scale.
//  2. The side and the corner without a finder pattern (the bottom-right
//     one) are those whose other three corners correlate best; each of the
//     three positions is then refined on a finer lattice (an eighth of a
//     module) at five scales around the side (perspective changes the
//     module size from corner to corner).
//  3. The three centres, mapped to the image with their local module
//     sizes, become an ordinary finder triple and are read by the
//     locator's own procedure (readCandidate: sizes from finder spacing,
//     timing patterns and version information; alignment pattern search,
//     fourth-corner search, local grids; Reed–Solomon decides).
//
// Weak spots: a symbol with a finder pattern destroyed (damage, glare on
// it) has only two good corners and a guessed third one; the correlation
// does not distinguish a finder pattern from a look-alike square within
// the window (Reed–Solomon then rejects the grid); the cost grows with the
// square of the side in modules, which quadSides and the window bound.

// quadSides are the symbol sides, in modules, at which the finder template
// is searched. Neighbours differ by about 15 %: the template tolerates
// about half a module of scale error at its outer ring, and the finer
// search of step 2 covers the rest.
var quadSides = [...]int{21, 25, 29, 33, 37, 45, 53, 61, 69, 81, 93, 109, 125, 145, 165, 177}

const (
	// quadWindow is the half-width of the search window around a finder
	// pattern's predicted centre, as a fraction of the quad's side: the
	// detector's corner error is under 10 % for most candidates.
	quadWindow = 0.12
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
)

// quadFinder is a finder pattern located in the quad's frame.
type quadFinder struct {
	u, v     float64 // centre in unit-square coordinates of the quad
	m        float64 // module pitch in unit-square coordinates
	corr     float64 // correlation with the template: > 0 dark on light
	contrast float64 // light ring minus dark modules, gray levels (polarity-corrected)
}

// finderDark tells which of the 7×7 modules of a finder pattern are dark:
// the outer ring and the 3×3 centre (6.3.3).
var finderDark = func() (d [49]bool) {
	for y := 0; y < 7; y++ {
		for x := 0; x < 7; x++ {
			d[y*7+x] = max(abs(x-3), abs(y-3)) != 2
		}
	}
	return d
}()

// finderAt scores the finder template centred at (u, v) of the quad frame
// h with module pitch m: the correlation of the 49 module-centre samples'
// darkness with the template, and the contrast between light and dark
// modules. The template is laid on the affine approximation of h at the
// centre (exact to well under a module over 7 modules for any quad a
// detector returns).
func finderAt(s sampler, h *geom.Homography, u, v, m float64) (corr, contrast float64) {
	c := h.Apply(geom.Point{X: u, Y: v})
	ex := h.Apply(geom.Point{X: u + m, Y: v}).Sub(c)
	ey := h.Apply(geom.Point{X: u, Y: v + m}).Sub(c)
	var sumAll, sumDark, sq float64
	k := 0
	for y := -3; y <= 3; y++ {
		row := c.Add(ey.Scale(float64(y)))
		for x := -3; x <= 3; x++ {
			val := s.at(row.Add(ex.Scale(float64(x))))
			sumAll += val
			sq += val * val
			if finderDark[k] {
				sumDark += val
			}
			k++
		}
	}
	const nDark, nLight = 33, 16
	meanAll := sumAll / 49
	varX := sq - 49*meanAll*meanAll
	if varX <= 1e-9 {
		return 0, 0
	}
	// Σ (x−x̄)(t−t̄) with t = 1 on dark modules and darkness x = −value.
	cov := -(sumDark - nDark*meanAll)
	const varT = nDark * nLight / 49.0
	corr = cov / math.Sqrt(varX*varT)
	contrast = (sumAll-sumDark)/nLight - sumDark/nDark
	return corr, contrast
}

// searchFinder returns the best-correlating template position and pitch
// around (u0, v0) within ±half in steps of step, at pitches m·scales; sign
// selects the polarity (+1 dark on light, −1 light on dark).
func searchFinder(s sampler, h *geom.Homography, u0, v0, half, step, m float64, scales []float64, sign float64) quadFinder {
	best := quadFinder{corr: math.Inf(-1)}
	steps := int(math.Ceil(half / step))
	for _, sc := range scales {
		mm := m * sc
		for j := -steps; j <= steps; j++ {
			for i := -steps; i <= steps; i++ {
				u, v := u0+float64(i)*step, v0+float64(j)*step
				corr, contrast := finderAt(s, h, u, v, mm)
				corr *= sign
				if corr > best.corr {
					best = quadFinder{u: u, v: v, m: mm, corr: corr, contrast: sign * contrast}
				}
			}
		}
	}
	return best
}

// quadCorners are the corners of the unit square in the quad's order, and
// the directions towards the square's inside from each.
var quadCorners = [4][2]float64{{0, 0}, {1, 0}, {1, 1}, {0, 1}}

// locateQuadFinders finds the three finder patterns of a symbol whose
// outer corners are approximately q (any cyclic order), for the polarities
// in pols (false: dark on light). It returns the patterns in image
// coordinates as a top-left, top-right, bottom-left triple with the
// template's side estimate, or false when no side and corner gives three
// patterns above quadMinCorrelation.
func locateQuadFinders(ctx context.Context, s sampler, q geom.Quad, pols []bool) (tl, tr, bl finderPattern, inv bool, side int, ok bool) {
	unit := geom.Quad{{X: 0, Y: 0}, {X: 1, Y: 0}, {X: 1, Y: 1}, {X: 0, Y: 1}}
	h, hok := geom.QuadToQuad(unit, q)
	if !hok {
		return
	}
	px := (q[0].Dist(q[1]) + q[1].Dist(q[2]) + q[2].Dist(q[3]) + q[3].Dist(q[0])) / 4
	type hyp struct {
		n     int
		miss  int
		inv   bool
		score float64
		f     [4]quadFinder
	}
	best := hyp{score: math.Inf(-1)}
	for _, pinv := range pols {
		sign := 1.0
		if pinv {
			sign = -1
		}
		for _, n := range quadSides {
			if px/float64(n) < quadMinModule {
				break
			}
			if ctx.Err() != nil {
				return
			}
			m := 1 / float64(n)
			var f [4]quadFinder
			for k, c := range quadCorners {
				du, dv := 1-2*c[0], 1-2*c[1]
				f[k] = searchFinder(s, &h, c[0]+du*3.5*m, c[1]+dv*3.5*m, quadWindow, m/2, m, []float64{1}, sign)
			}
			for miss := 0; miss < 4; miss++ {
				sc := 0.0
				for k := range f {
					if k != miss {
						sc += f[k].corr
					}
				}
				if sc > best.score {
					best = hyp{n: n, miss: miss, inv: pinv, score: sc, f: f}
				}
			}
		}
	}
	if best.n == 0 {
		return
	}
	sign := 1.0
	if best.inv {
		sign = -1
	}
	m := 1 / float64(best.n)
	var fps [3]finderPattern
	for i := 0; i < 3; i++ {
		k := (best.miss + 2 + i) % 4 // top-left first, then its neighbours
		if i == 2 {
			k = (best.miss + 1) % 4
		} else if i == 1 {
			k = (best.miss + 3) % 4
		}
		c := best.f[k]
		r := searchFinder(s, &h, c.u, c.v, c.m/2, c.m/8, m, []float64{0.88, 0.94, 1, 1.06, 1.13}, sign)
		if r.corr < quadMinCorrelation || r.contrast < quadMinContrast {
			return
		}
		ctr := h.Apply(geom.Point{X: r.u, Y: r.v})
		ms := (h.Apply(geom.Point{X: r.u + r.m/2, Y: r.v}).Dist(h.Apply(geom.Point{X: r.u - r.m/2, Y: r.v})) +
			h.Apply(geom.Point{X: r.u, Y: r.v + r.m/2}).Dist(h.Apply(geom.Point{X: r.u, Y: r.v - r.m/2}))) / 2
		fps[i] = finderPattern{c: ctr, ms: ms, count: 1, contrast: r.contrast}
	}
	tl, tr, bl = fps[0], fps[1], fps[2]
	v1, v2 := tr.c.Sub(tl.c), bl.c.Sub(tl.c)
	if v1.X*v2.Y-v1.Y*v2.X < 0 {
		tr, bl = bl, tr
	}
	return tl, tr, bl, best.inv, best.n, true
}

// decodeQuadFinders reads the symbol whose finder patterns
// locateQuadFinders finds around q.
func (d *Detector) decodeQuadFinders(ctx context.Context, s sampler, q geom.Quad) (Symbol, error) {
	pols := []bool{false}
	if d.opts.TryInverted {
		pols = append(pols, true)
	}
	tl, tr, bl, inv, n, ok := locateQuadFinders(ctx, s, q, pols)
	if !ok {
		return Symbol{}, fmt.Errorf("qr: quad finder patterns: %w", ErrNotFound)
	}
	c := candidate{f: newFinderFrame(s, tl, tr, bl, inv), budget: d.opts.MaxTransforms}
	c.sizes = c.f.candidateSizes(s)
	if !containsInt(c.sizes, n) {
		c.sizes = append(c.sizes, n)
	}
	var st Stats
	sym, cerr := d.readCandidate(ctx, s, &c, d.opts.MaxTransforms, &st)
	if cerr != nil {
		// Blurred symbols: the grid is often right where the thresholds
		// fail; deconvolve the module values (quad_deblur.go).
		for _, n := range c.sizes[:min(2, len(c.sizes))] {
			for _, mode := range [...]int{0, 3} {
				if ctx.Err() != nil {
					break
				}
				g := fitGrid(s, &c.f, n, !d.opts.NoLocalGrid, mode)
				if g == nil {
					continue
				}
				sym, e := readGridDeblurred(s, g, inv)
				if e == nil {
					return sym, nil
				}
				if e.stage > cerr.stage {
					cerr = e
				}
			}
		}
		return Symbol{}, fmt.Errorf("qr: quad finder patterns: %w", cerr.err)
	}
	return sym, nil
}

func containsInt(xs []int, x int) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}
