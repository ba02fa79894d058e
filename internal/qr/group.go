package qr

import (
	"math"
	"sort"
)

// Grouping finder patterns into symbols.
//
// Three finder patterns of one symbol sit at three corners of a square (a
// general quadrilateral under perspective): seen from the top-left pattern,
// the other two lie at roughly equal distances and roughly at right angles,
// and all three have similar module sizes. To stay near-linear on images
// with dozens of symbols, each pattern is paired only with its nearest
// compatible neighbours (module size within a factor 2, distance between 7
// and 190 modules), and a triple is scored by how far it is from that ideal:
// |cos| of the corner angle, the log ratio of the two sides, and the spread
// of module sizes. Triples are tried best score first, within a budget
// (Options.MaxTriples) that each pattern may exceed by its own best few
// triples (keepPerPattern), so that a sheet of dozens of symbols keeps one
// good triple per symbol.
//
// Weak spot: two symbols printed side by side at the same scale form
// plausible "cross" triples; those fail at format information and are
// skipped once their patterns have been used by a decoded symbol.

// triple is a candidate symbol: indices of the top-left, top-right and
// bottom-left finder patterns (in the symbol's own frame, before mirroring).
type triple struct {
	tl, tr, bl int
	score      float64
	own        bool // among the best triples of its top-left pattern
}

const maxNeighbours = 16

// groupFinderPatterns returns candidate triples, best first.
func groupFinderPatterns(fps []finderPattern, maxTriples int) []triple {
	n := len(fps)
	type nb struct {
		j int
		d float64
	}
	var out []triple
	nbs := make([]nb, 0, n)
	for i := 0; i < n; i++ {
		first := len(out)
		a := fps[i]
		nbs = nbs[:0]
		for j := 0; j < n; j++ {
			if j == i {
				continue
			}
			b := fps[j]
			if r := a.ms / b.ms; r > 2 || r < 0.5 {
				continue
			}
			d := a.c.Dist(b.c)
			ms := (a.ms + b.ms) / 2
			if d < 7*ms || d > 190*ms {
				continue
			}
			nbs = append(nbs, nb{j, d})
		}
		// Prefer well-confirmed neighbours (finder-like noise inside large
		// symbols is usually confirmed by few scan lines), nearest first
		// among similar confirmation counts.
		sort.Slice(nbs, func(p, q int) bool {
			cp, cq := confirmClass(fps[nbs[p].j].count, a.count), confirmClass(fps[nbs[q].j].count, a.count)
			if cp != cq {
				return cp > cq
			}
			return nbs[p].d < nbs[q].d
		})
		if len(nbs) > maxNeighbours {
			nbs = nbs[:maxNeighbours]
		}
		for p := 0; p < len(nbs); p++ {
			for q := p + 1; q < len(nbs); q++ {
				j, k := nbs[p].j, nbs[q].j
				b, c := fps[j], fps[k]
				v1, v2 := b.c.Sub(a.c), c.c.Sub(a.c)
				d1, d2 := nbs[p].d, nbs[q].d
				if sx := squeeze(a, b, c); sx > 1 {
					// a symbol squeezed horizontally: its corner
					// angle and sides are compared unsqueezed
					v1.X, v2.X = v1.X*sx, v2.X*sx
					d1, d2 = math.Hypot(v1.X, v1.Y), math.Hypot(v2.X, v2.Y)
				}
				cos := (v1.X*v2.X + v1.Y*v2.Y) / (d1 * d2)
				// up to 127° or down to 53°: oblique views skew the
				// corner angle far from 90° (0.45, 117°, missed 4
				// boofcv-dev codes, 3 of them in perspective)
				if math.Abs(cos) > 0.6 {
					continue
				}
				ratio := math.Log(d1 / d2)
				if math.Abs(ratio) > 0.6 {
					continue
				}
				mean := (a.ms + b.ms + c.ms) / 3
				spread := (math.Abs(a.ms-mean) + math.Abs(b.ms-mean) + math.Abs(c.ms-mean)) / mean
				t := triple{tl: i, tr: j, bl: k, score: math.Abs(cos) + math.Abs(ratio) + 0.5*spread}
				// In image coordinates (y down) the top-right pattern is
				// clockwise from the bottom-left one.
				if v1.X*v2.Y-v1.Y*v2.X < 0 {
					t.tr, t.bl = t.bl, t.tr
				}
				out = append(out, t)
			}
		}
		// mark this pattern's best triples (as top-left) to be kept
		mine := out[first:]
		sort.SliceStable(mine, func(p, q int) bool { return mine[p].score < mine[q].score })
		for k := range mine {
			mine[k].own = k < keepPerPattern
		}
	}
	sort.SliceStable(out, func(p, q int) bool { return out[p].score < out[q].score })
	if len(out) > maxTriples {
		// beyond the budget, keep each pattern's best triples: on a sheet
		// of dozens of symbols the cross triples between neighbours score
		// like true ones and would crowd out whole symbols
		kept := out[:maxTriples]
		for _, t := range out[maxTriples:] {
			if t.own {
				kept = append(kept, t)
			}
		}
		out = kept
	}
	return out
}

// keepPerPattern is how many of its best triples (as top-left) each finder
// pattern keeps beyond the triple budget. Measured on boofcv-dev (Detector
// alone): 0 reads 496 of 648 codes, 2 498, 4 505, 6 512 (lots 208 → 221 of
// 240, rotations 55 → 58, no category lower), 8 512 and 16 510 (more
// look-alike triples spend the failed-grid budget of high_version images).
const keepPerPattern = 6

// confirmClass is 1 when a neighbour's confirmation count is at least a
// third of the pattern's own, else 0.
func confirmClass(c, own int) int {
	if 3*c >= own {
		return 1
	}
	return 0
}

// squeeze returns the mean horizontal squeeze (aniso) of the squeezed
// patterns among a, b and c, or 1 when none is squeezed.
func squeeze(a, b, c finderPattern) float64 {
	sum, n := 0.0, 0
	for _, f := range [3]finderPattern{a, b, c} {
		if f.squeezed {
			sum += f.aniso
			n++
		}
	}
	if n == 0 {
		return 1
	}
	return sum / float64(n)
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
	// versionRead is set by candidateSizes when at least one version
	// information block decodes to a version plausible for the finder
	// spacing.
	versionRead bool
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

// isDark reports whether gray level v is dark in the candidate's polarity.
func (f *finderFrame) isDark(v float64) bool {
	t := (f.dark + f.light) / 2
	if f.inv {
		return v > t
	}
	return v < t
}
