package qr

import (
	"context"
	"math"
	"sort"

	"github.com/qrcascade/qrcascade/internal/geom"
)

// Completing finder pairs.
//
// Blur merges the one-module light ring of a finder pattern into its
// neighbours, glare and stains wipe one out: a symbol then shows only two
// of its three finder patterns to the run-length search, and no triple is
// formed. After each pass's triples, completePairs takes pairs of the
// strongest finder patterns left outside the symbols read, of similar
// module sizes and a plausible spacing, and predicts the third pattern for each of the six ways (pairRole) the
// pair can belong to a mirror-free symbol: a side with the top-left
// pattern (top-left and top-right, or top-left and bottom-left, either
// pattern top-left; the third a side's length away at a right angle), or
// the diagonal (top-right and bottom-left, either way round; the top-left
// pattern half the diagonal off its middle). The predicted pattern is
// placed where a finder-pattern template best matches the gray levels
// within two modules; when nothing matches (a wiped pattern) it stays
// where predicted. Every hypothesis is screened by its format information;
// those whose template matched are read first (timing rank, then template
// match), under their own failed-grid budget, then the unmatched ones whose
// timing pattern counts agree with the size, under a smaller one. Once the
// image has yielded a symbol, only patterns confirmed by four scan lines
// pair up and only matched hypotheses are kept: the other symbols of a
// sheet or a photo (bright_spots 46 → 49 of 49 codes), at no measurable
// cost on a clean invoice page, whose text leaves no such pattern.
//
// Measured: docs/DECISIONS.md (2026-11-25, pair completion).

// Pair completion budgets: patterns considered (strongest first), spacing
// in modules between the pair's centres (version 1 has 14, version 10 50),
// and failed grids per pass.
const (
	maxPairPatterns   = 20
	minPairSpacing    = 12
	maxPairSpacing    = 50
	maxPairFailedGrid = 10
	// maxWipedFailedGrid is the failed-grid budget of the hypotheses whose
	// missing pattern the template does not find (wiped patterns).
	maxWipedFailedGrid = 6
	// minPairTemplate is the smallest finder template contrast accepted at
	// the predicted pattern, relative to the pair's own contrast.
	minPairTemplate = 0.5
)

// completePairs reads symbols of which only two finder patterns were found
// (see above). It returns early when ctx is done.
func (d *Detector) completePairs(ctx context.Context, sc *scene, fps []finderPattern, inv bool, res *Result) {
	s := sc.sampler()
	// Once the image has yielded a symbol, only pairs whose third pattern
	// is seen are worth their screens: more symbols of a sheet or a
	// photo, not a wiped one among invoice text.
	afterRead := len(res.Symbols) > 0
	hyps, ok := pairHypotheses(ctx, s, pairPool(fps, res.Symbols, afterRead), inv, afterRead)
	if !ok {
		return
	}
	// Screen every hypothesis (format information), then read them by
	// timing-pattern agreement, then template match: data modules and text
	// make look-alike pairs whose predicted pattern the template may
	// confirm, but whose timing patterns do not alternate.
	cands, ok := screenAll(ctx, s, len(hyps), func(i int) (triple, finderFrame) {
		hy := hyps[i]
		f := newFinderFrame(s, hy.tl, hy.tr, hy.bl, inv)
		// gray levels from the two found patterns only
		f.dark, f.light = pairLevels(s, hy.found[0], hy.found[1], f)
		return triple{}, f
	}, &res.Stats, nil)
	if !ok {
		return
	}
	// Confirmed hypotheses first, by timing rank then template match, with
	// their own failed-grid budget; then the unconfirmed ones whose timing
	// pattern counts match the size (rank 8 or more), with a smaller one.
	sort.SliceStable(cands, func(i, j int) bool {
		ci, cj := hyps[cands[i].index].score > 0, hyps[cands[j].index].score > 0
		if ci != cj {
			return ci
		}
		if cands[i].rank != cands[j].rank {
			return cands[i].rank > cands[j].rank
		}
		return hyps[cands[i].index].score > hyps[cands[j].index].score
	})
	split := sort.Search(len(cands), func(i int) bool { return hyps[cands[i].index].score == 0 })
	pick := func(c *candidate) (skip, stop bool) {
		found := hyps[c.index].found
		return onSymbol(res.Symbols, found[0].c) || onSymbol(res.Symbols, found[1].c) ||
			len(res.Symbols) > 0 && looseLookAlike(c), false
	}
	d.readInOrder(ctx, s, cands[:split], maxPairFailedGrid, res, pick, nil)
	var wiped []candidate
	for _, c := range cands[split:] {
		if c.rank >= 8 {
			wiped = append(wiped, c)
		}
	}
	d.readInOrder(ctx, s, wiped, maxWipedFailedGrid, res, pick, nil)
}

// pairHypothesis is a finder triple completed from a pair: found are the
// two patterns seen, and score is the finder template match of the third
// relative to theirs (0: not seen, kept where predicted).
type pairHypothesis struct {
	tl, tr, bl finderPattern
	found      [2]finderPattern
	score      float64
}

// pairPool returns the finder patterns of fps that may pair up, strongest
// first: outside the symbols read, confirmed by two scan lines (four once
// the image has yielded a symbol), at most maxPairPatterns.
func pairPool(fps []finderPattern, syms []Symbol, afterRead bool) []finderPattern {
	var pool []finderPattern
	minCount := 2
	if afterRead {
		minCount = 4
	}
	for _, fp := range fps {
		if fp.count < minCount {
			continue
		}
		if onSymbol(syms, fp.c) {
			continue
		}
		pool = append(pool, fp)
		if len(pool) == maxPairPatterns {
			break
		}
	}
	return pool
}

// pairRole is one of the six ways a pair of finder patterns a, b can
// belong to a mirror-free symbol.
type pairRole int

const (
	aTopLeftBTopRight   pairRole = iota // a top-left, b top-right
	aTopLeftBBottomLeft                 // a top-left, b bottom-left
	bTopLeftATopRight                   // b top-left, a top-right
	bTopLeftABottomLeft                 // b top-left, a bottom-left
	diagonalATopRight                   // a top-right, b bottom-left
	diagonalBTopRight                   // b top-right, a bottom-left
	pairRoles                           // the number of roles
)

// pairHypotheses returns the hypotheses of every pair of pool in every
// role whose spacing fits, their missing pattern placed by placeMissing;
// once a symbol was read (afterRead), only those whose missing pattern the
// template confirms. ok is false when ctx is done.
func pairHypotheses(ctx context.Context, s sampler, pool []finderPattern, inv, afterRead bool) (hyps []pairHypothesis, ok bool) {
	for i := range pool {
		for j := i + 1; j < len(pool); j++ {
			a, b := pool[i], pool[j]
			if a.ms > 1.5*b.ms || b.ms > 1.5*a.ms {
				continue
			}
			ms := (a.ms + b.ms) / 2
			dist := a.c.Dist(b.c) / ms
			if dist < minPairSpacing || dist > maxPairSpacing*math.Sqrt2 {
				continue
			}
			for r := pairRole(0); r < pairRoles; r++ {
				hy, missing, fits := completePair(a, b, r, ms, dist)
				if !fits {
					continue
				}
				ex := unit(hy.tr.c.Sub(hy.tl.c)).Scale(ms)
				ey := unit(hy.bl.c.Sub(hy.tl.c)).Scale(ms)
				sc, ok := placeMissing(s, hy.found, missing(&hy), ex, ey, inv)
				if !ok || (afterRead && sc == 0) {
					continue
				}
				hy.score = sc
				hyps = append(hyps, hy)
			}
		}
		if ctx.Err() != nil {
			return nil, false
		}
	}
	return hyps, true
}

// completePair predicts the third finder pattern of the pair a, b (module
// size ms, dist modules apart) in role r: on a side with the top-left
// pattern, the third is a side's length away at a right angle; on the
// diagonal, the top-left pattern is half the diagonal off its middle.
// missing returns the predicted pattern of a hypothesis; fits is false
// when the spacing does not fit the role.
func completePair(a, b finderPattern, r pairRole, ms, dist float64) (hy pairHypothesis, missing func(*pairHypothesis) *finderPattern, fits bool) {
	hy.found = [2]finderPattern{a, b}
	if r >= diagonalATopRight {
		// the pair is the diagonal, top-right to bottom-left: the
		// top-left pattern is off its middle by half the diagonal
		// turned a right angle
		if dist < minPairSpacing*math.Sqrt2 {
			return hy, nil, false
		}
		hy.tr, hy.bl = a, b
		if r == diagonalBTopRight {
			hy.tr, hy.bl = b, a
		}
		v := hy.bl.c.Sub(hy.tr.c)
		mid := hy.tr.c.Add(hy.bl.c).Scale(0.5)
		hy.tl = finderPattern{c: mid.Add(geom.Point{X: -v.Y, Y: v.X}.Scale(0.5)), ms: ms}
		return hy, func(h *pairHypothesis) *finderPattern { return &h.tl }, true
	}
	if dist > maxPairSpacing {
		return hy, nil, false
	}
	tl, other := a, b
	if r == bTopLeftATopRight || r == bTopLeftABottomLeft {
		tl, other = b, a
	}
	// other is the top-right pattern or the bottom-left one; the missing
	// pattern is the side vector turned by a right angle, clockwise from
	// top-right to bottom-left in image coordinates (y down).
	v := other.c.Sub(tl.c)
	hy.tl = tl
	if r == aTopLeftBTopRight || r == bTopLeftATopRight {
		hy.tr = other
		hy.bl = finderPattern{c: tl.c.Add(geom.Point{X: -v.Y, Y: v.X}), ms: ms}
		return hy, func(h *pairHypothesis) *finderPattern { return &h.bl }, true
	}
	hy.bl = other
	hy.tr = finderPattern{c: tl.c.Add(geom.Point{X: v.Y, Y: -v.X}), ms: ms}
	return hy, func(h *pairHypothesis) *finderPattern { return &h.tr }, true
}

// pairLevels returns the dark and light gray levels of the two found
// patterns a and b, measured as newFinderFrame measures all three.
func pairLevels(s sampler, a, b finderPattern, f finderFrame) (dark, light float64) {
	ex := unit(f.tr.c.Sub(f.tl.c))
	ey := unit(f.bl.c.Sub(f.tl.c))
	for _, fp := range []finderPattern{a, b} {
		dark += s.at(fp.c)
		for _, d := range [4][2]float64{{2, 0}, {-2, 0}, {0, 2}, {0, -2}} {
			light += s.at(fp.c.Add(ex.Scale(d[0] * fp.ms)).Add(ey.Scale(d[1] * fp.ms)))
		}
	}
	return dark / 2, light / 8
}

// placeMissing moves the predicted pattern *m to where a finder-pattern
// template (7×7 modules: dark ring, light ring, dark 3×3 centre, and the
// light separator around them) best matches the gray levels, within two
// modules of the prediction along the module axes ex and ey (one module
// long). It returns the best match relative to the found patterns' own
// (0 when under minPairTemplate: *m then stays where predicted, for a
// wiped pattern), and false when the pattern falls outside the plane or
// the pair shows no finder contrast.
func placeMissing(s sampler, found [2]finderPattern, m *finderPattern, ex, ey geom.Point, inv bool) (float64, bool) {
	ms := m.ms
	ref := (templateScore(s, found[0].c, ex, ey, inv) + templateScore(s, found[1].c, ex, ey, inv)) / 2
	if ref <= 0 {
		return 0, false
	}
	// half a module apart within two modules (from the lattice table),
	// then a fifth of a module apart around the best
	best, bestScore := templateLatticeSearch(s, m.c, ex, ey, inv)
	c0 := best
	for j := -2; j <= 2; j++ {
		for i := -2; i <= 2; i++ {
			c := c0.Add(ex.Scale(float64(i) * 0.2)).Add(ey.Scale(float64(j) * 0.2))
			if sc := templateScore(s, c, ex, ey, inv); sc > bestScore {
				best, bestScore = c, sc
			}
		}
	}
	rel := bestScore / ref
	if rel >= minPairTemplate {
		m.c = best
	} else {
		// no finder pattern there (wiped by glare or a stain): keep the
		// prediction, ranked after every confirmed one; the format
		// information and the grids decide
		rel = 0
	}
	w, h := float64(s.p.W), float64(s.p.H)
	return rel, m.c.X >= 3*ms && m.c.Y >= 3*ms && m.c.X <= w-3*ms && m.c.Y <= h-3*ms
}

// templateScore is the mean gray level of the light modules of a finder
// pattern centred at c (module axes ex, ey, one module long) less that of
// its dark modules (reversed for inverted symbols): the light ring and the
// separator around the pattern against the outer ring and the centre.
func templateScore(s sampler, c, ex, ey geom.Point, inv bool) float64 {
	var v [templateSide * templateSide]float64
	for y := -templateHalf; y <= templateHalf; y++ {
		for x := -templateHalf; x <= templateHalf; x++ {
			v[(y+templateHalf)*templateSide+x+templateHalf] = s.at(c.Add(ex.Scale(float64(x))).Add(ey.Scale(float64(y))))
		}
	}
	return finderTemplate(&v, inv)
}

// The finder template: 9×9 module centres, the pattern's 7×7 and the
// separator around it, at integer module offsets from the centre.
const (
	templateHalf = 4
	templateSide = 2*templateHalf + 1
)

// finderTemplate is templateScore's arithmetic on the module samples v
// (row by row, the centre at v[40]): light modules (rings 2 and 4 modules
// from the centre) less dark ones, summed in row order.
func finderTemplate(v *[templateSide * templateSide]float64, inv bool) float64 {
	var dark, light float64
	var nd, nl int
	for y := -templateHalf; y <= templateHalf; y++ {
		for x := -templateHalf; x <= templateHalf; x++ {
			r := max(abs(x), abs(y))
			if sv := v[(y+templateHalf)*templateSide+x+templateHalf]; r == 2 || r == 4 {
				light += sv
				nl++
			} else {
				dark += sv
				nd++
			}
		}
	}
	sc := light/float64(nl) - dark/float64(nd)
	if inv {
		sc = -sc
	}
	return sc
}

// templateLatticeSearch is placeMissing's coarse search: templateScore at
// every offset half a module apart within two modules of c along ex and
// ey, best first in row order (ties to the first), returned with its
// position. Every template module of every offset lies on the same
// half-module lattice, so the lattice is sampled once, six modules each
// way, and each score is read from that table: 625 samples instead of
// 81 × 81 = 6,561.
func templateLatticeSearch(s sampler, c, ex, ey geom.Point, inv bool) (geom.Point, float64) {
	const (
		radius = 4                     // offsets each way, in half modules
		margin = 2 * templateHalf      // the template's half side, in half modules
		m      = 2*(radius+margin) + 1 // lattice side
		step   = 0.5                   // module
	)
	var tab [m * m]float64
	for j := 0; j < m; j++ {
		row := c.Add(ey.Scale(float64(j-radius-margin) * step))
		for i := 0; i < m; i++ {
			tab[j*m+i] = s.at(row.Add(ex.Scale(float64(i-radius-margin) * step)))
		}
	}
	best, bestScore := c, math.Inf(-1)
	var v [templateSide * templateSide]float64
	for j := -radius; j <= radius; j++ {
		for i := -radius; i <= radius; i++ {
			for y := 0; y < templateSide; y++ {
				at := (j+radius+2*y)*m + i + radius
				for x := 0; x < templateSide; x++ {
					v[y*templateSide+x] = tab[at+2*x]
				}
			}
			if sc := finderTemplate(&v, inv); sc > bestScore {
				best, bestScore = c.Add(ex.Scale(float64(i)*step)).Add(ey.Scale(float64(j)*step)), sc
			}
		}
	}
	return best, bestScore
}
