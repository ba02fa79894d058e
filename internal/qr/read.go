package qr

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/qrcascade/qrcascade/internal/geom"
)

// Reading one candidate: the procedure of ISO/IEC 18004:2015, 12, with the
// geometry of transform.go and alignment.go and the sampling of sample.go
// in front. Reed–Solomon
// decoding and bit stream parsing are gozxing's (decoder.Decoder, gozxing.go), which
// also retries a transposed (mirrored) reading.

// decodeTriples screens the grouped triples of fps, reads the screened
// ones best first and appends decoded symbols and failures to res.
//
// Screening every triple before reading any matters on images with many
// symbols side by side: "cross" triples made of finder patterns of
// different symbols pass the format information screen (copy 1 lies
// entirely around the top-left pattern), but their timing patterns do not
// alternate. Reading triples in order of timing agreement decodes the true
// symbols first, and their finder patterns are then skipped by the cross
// triples.
func (d *Detector) decodeTriples(ctx context.Context, sc *scene, fps []finderPattern, inv bool, res *Result) {
	// Finder patterns of symbols decoded by an earlier pass are dropped,
	// and so are those confirmed by a single scan line: once the image has
	// yielded a symbol, they are text and texture (a clean invoice page's
	// equalised pass: 121 → 37 triples, 12.4 → 9.3 ms per Detect; boofcv-dev
	// and the text sets read the same codes).
	if len(res.Symbols) > 0 {
		kept := fps[:0]
		for _, fp := range fps {
			if fp.count < minCountAfterRead {
				continue
			}
			if !onSymbol(res.Symbols, fp.c) {
				kept = append(kept, fp)
			}
		}
		fps = kept
	}
	maxTriples := d.opts.MaxTriples
	if maxTriples <= 0 {
		maxTriples = max(80, 3*len(fps))
	}
	triples := groupFinderPatterns(fps, maxTriples)
	s := sampler{p: sc.full}
	if sc.buf != nil {
		s.buf = &sc.buf.grid
	}
	fail := func(cerr *candidateError) {
		if len(res.Failures) < 100 {
			res.Failures = append(res.Failures, Failure{Stage: cerr.stage, Corners: cerr.corners, Err: cerr.err})
		}
	}
	var cands []candidate
	for _, t := range triples {
		if ctx.Err() != nil {
			return
		}
		res.Stats.Triples++
		c, cerr := screenCandidate(s, t, newFinderFrame(s, fps[t.tl], fps[t.tr], fps[t.bl], inv))
		if cerr != nil {
			fail(cerr)
			continue
		}
		res.Stats.Screened++
		cands = append(cands, c)
	}
	// Candidates whose two version information blocks agree are read
	// first: on a high-version symbol, dozens of look-alike triples made of
	// data modules pass the format screen and would spend the grid budget.
	sort.SliceStable(cands, func(i, j int) bool {
		if a, b := cands[i].f.versionAgreed, cands[j].f.versionAgreed; a != b {
			return a
		}
		return cands[i].rank > cands[j].rank
	})
	used := make([]bool, len(fps))
	failed0 := res.Stats.FailedGrids
	misses := 0 // candidates failed since the last symbol read
	for i := range cands {
		c := &cands[i]
		t := c.t
		left := d.opts.MaxFailedGrids - (res.Stats.FailedGrids - failed0)
		if ctx.Err() != nil || left <= 0 {
			return
		}
		// Candidates are read best rank first, so once a symbol has been
		// read, a long run of failures means the rest are look-alikes
		// (text, logos): stop instead of spending the whole budget.
		if len(res.Symbols) > 0 && misses >= d.opts.MaxMissesAfterRead {
			return
		}
		if used[t.tl] || used[t.tr] || used[t.bl] {
			continue
		}
		// Once a symbol has been read, candidates whose timing patterns
		// barely agree are look-alikes far more often than symbols.
		if len(res.Symbols) > 0 && c.rank < minRankAfterRead {
			continue
		}
		sym, cerr := d.readCandidate(ctx, s, c, left, &res.Stats)
		if cerr != nil {
			fail(cerr)
			misses++
			continue
		}
		misses = 0
		used[t.tl], used[t.tr], used[t.bl] = true, true, true
		if !duplicate(res.Symbols, sym) {
			res.Symbols = append(res.Symbols, sym)
		}
	}
}

// minCountAfterRead is the number of confirming scan lines a finder
// pattern needs in the passes that follow a read.
const minCountAfterRead = 2

// minRankAfterRead is the timing rank (tenths) a candidate needs to be read
// once the image has yielded a symbol.
const minRankAfterRead = 6

// onSymbol reports whether p lies inside one of the symbols read.
func onSymbol(syms []Symbol, p geom.Point) bool {
	for _, sym := range syms {
		if sym.Corners.Contains(p) {
			return true
		}
	}
	return false
}

func duplicate(syms []Symbol, s Symbol) bool {
	for _, o := range syms {
		if o.Text == s.Text && o.Corners.Overlaps(s.Corners) {
			return true
		}
	}
	return false
}

// readCandidate tries the candidate sizes and sampling variants of one
// screened finder triple within the transform budget.
func (d *Detector) readCandidate(ctx context.Context, s sampler, c *candidate, left int, st *Stats) (Symbol, *candidateError) {
	var best *candidateError
	budget := min(d.opts.MaxTransforms, left, c.budget)
	keep := func(e *candidateError) {
		if best == nil || e.stage > best.stage {
			best = e
		}
	}
	f, sizes := &c.f, c.sizes
	// near is the first grid that matched the function patterns and the
	// format information but whose codewords did not correct: bent by
	// refinePhase, it gets one more try once the budget is spent.
	var near *grid
	for _, n := range sizes {
		if budget <= 0 || ctx.Err() != nil {
			break
		}
		// alignment pattern near, far, fourth corner by sharpness,
		// parallelogram (see fitGrid)
		modes := []int{0, 1, 3, 2}
		if n < 25 {
			modes = modes[2:]
		}
		var prev *grid
		for _, mode := range modes {
			if budget <= 0 || ctx.Err() != nil {
				break
			}
			g := fitGrid(s, f, n, !d.opts.NoLocalGrid, mode)
			if g == nil {
				keep(&candidateError{stage: StageAlignment, err: fmt.Errorf("qr: side %d: %w", n, ErrAlignment)})
				break
			}
			if mode > 0 && sameGrid(g, prev) {
				continue // same grid as the previous mode
			}
			prev = g
			for variant := 0; variant < 2 && budget > 0; variant++ {
				budget--
				st.Grids++
				sym, cerr := readGrid(s, g, f.inv, variant)
				if cerr == nil {
					return sym, nil
				}
				st.FailedGrids++
				keep(cerr)
				if near == nil && cerr.stage >= StageErrorCorrection {
					near = g
				}
				if (cerr.stage <= StageFormat || errors.Is(cerr.err, ErrAlignment)) && variant == 0 {
					// the geometry is probably wrong (no format
					// information, or the finder and timing patterns do
					// not match): a shifted grid will not help
					break
				}
			}
		}
	}
	if near != nil && ctx.Err() == nil {
		// The bend is refined in rounds, each from the last: control
		// points that moved in one round change the cells around the
		// others. The first round's grid is also read deconvolved.
		bent := near
		for round := 0; round < phaseRounds && ctx.Err() == nil; round++ {
			if bent = refinePhase(s, bent); bent == nil {
				break
			}
			st.Grids++
			sym, cerr := readGrid(s, bent, f.inv, 0)
			if cerr == nil {
				return sym, nil
			}
			st.FailedGrids++
			keep(cerr)
			if round == 0 && cerr.stage >= StageErrorCorrection && ctx.Err() == nil {
				st.Grids++
				if sym, cerr := readGridDeblurred(s, bent, f.inv); cerr == nil {
					return sym, nil
				}
				st.FailedGrids++
			}
		}
		// Blurred symbols: the module values deconvolved in module
		// space (deblur.go), once per candidate. boofcv-dev
		// (classic tier): 580 -> 589 of 648 codes with the merged
		// local-grid work, blurred 16 -> 21 of 35, damaged 13 -> 14.
		if ctx.Err() == nil {
			st.Grids++
			sym, cerr := readGridDeblurred(s, near, f.inv)
			if cerr == nil {
				return sym, nil
			}
			st.FailedGrids++
			keep(cerr)
		}
	}
	if f.tl.squeezed || f.tr.squeezed || f.bl.squeezed {
		if q, ok := centreQuad(f, sizes[0]); ok && ctx.Err() == nil {
			ns := 0
			for _, x := range []bool{f.tl.squeezed, f.tr.squeezed, f.bl.squeezed} {
				if x {
					ns++
				}
			}
			var sym Symbol
			err := ErrNotFound
			if ns >= 2 {
				sym, err = d.decodeQuadFinders(ctx, s, q)
			}
			if err == nil {
				return sym, nil
			}
		}
	}
	if best == nil {
		best = &candidateError{stage: StageGrouping, err: fmt.Errorf("qr: no plausible symbol size: %w", ErrNotFound)}
	}
	return Symbol{}, best
}

// readGrid samples g and decodes the module matrix.
//
// The format information is read here (formatCandidates), not by gozxing:
// the matrix handed to the decoder carries clean format information
// codewords for the candidate tried, and for versions 7 and up clean
// version information codewords for the grid's size, so that the decoder
// neither rejects a symbol whose format or version modules are damaged nor
// disagrees with the size the grid was fitted for. A wrong guess costs one
// Reed–Solomon decoding, which then fails: the codewords, not the format
// information, guard against false reads. Up to two format candidates are
// tried (the nearest codewords of the two copies and orientations).
func readGrid(s sampler, g *grid, inv bool, variant int) (Symbol, *candidateError) {
	lat := newLattice(g, s.buf)
	vals := sampleValues(s, lat, inv, variantShift(variant))
	ths := sampleThresholds(variant)
	return decodeEach(g, inv, len(ths), func(i int) [][]bool {
		return thresholdModules(vals, lat.n, ths[i], s.buf)
	})
}

// centreQuad returns the outer corners of an n-module symbol whose finder
// centres are f's, extrapolated along the lines joining the centres (3.5
// modules beyond each, the fourth corner by parallelogram): unlike the
// finder frame's module sizes, this follows a symbol squeezed along one
// axis.
func centreQuad(f *finderFrame, n int) (geom.Quad, bool) {
	if n <= 7 {
		return geom.Quad{}, false
	}
	k := 3.5 / float64(n-7)
	a, b, c := f.tl.c, f.tr.c, f.bl.c
	ex, ey := b.Sub(a).Scale(k), c.Sub(a).Scale(k)
	tl := a.Sub(ex).Sub(ey)
	tr := b.Add(ex).Sub(ey)
	bl := c.Sub(ex).Add(ey)
	br := b.Add(c).Sub(a).Add(ex).Add(ey)
	return geom.Quad{tl, tr, br, bl}, true
}

// decodeQuadFinders reads the symbol whose finder patterns
// locateQuadFinders finds around q.
func (d *Detector) decodeQuadFinders(ctx context.Context, s sampler, q geom.Quad) (Symbol, error) {
	triples := locateQuadFinders(ctx, s, q, d.opts.TryInverted, quadMaxTriples)
	if len(triples) == 0 {
		return Symbol{}, fmt.Errorf("qr: quad finder patterns: %w", ErrNotFound)
	}
	var cerr *candidateError
	for _, t := range triples {
		if ctx.Err() != nil {
			break
		}
		sym, e := d.readQuadTriple(ctx, s, t)
		if e == nil {
			return sym, nil
		}
		if cerr == nil || e.stage > cerr.stage {
			cerr = e
		}
		if e.stage >= StageErrorCorrection {
			// the geometry got as far as Reed–Solomon: another triple
			// from the same quad would be a worse guess of it
			break
		}
	}
	if cerr == nil {
		return Symbol{}, fmt.Errorf("qr: quad finder patterns: %w", ctx.Err())
	}
	return Symbol{}, fmt.Errorf("qr: quad finder patterns: %w", cerr.err)
}

// readQuadTriple reads one finder triple of decodeQuadFinders: the
// locator's own procedure (readCandidate), then, for blurred symbols whose
// grid is right but whose thresholds fail, the deconvolved module values
// (deblur.go) on the most likely side.
func (d *Detector) readQuadTriple(ctx context.Context, s sampler, t quadTriple) (Symbol, *candidateError) {
	c := candidate{f: newFinderFrame(s, t.tl, t.tr, t.bl, t.inv), budget: d.opts.MaxTransforms}
	c.sizes = c.f.candidateSizes(s)
	if !containsInt(c.sizes, t.side) {
		c.sizes = append(c.sizes, t.side)
	}
	var st Stats
	sym, cerr := d.readCandidate(ctx, s, &c, d.opts.MaxTransforms, &st)
	if cerr == nil {
		return sym, nil
	}
	for _, mode := range [...]int{0, 3} {
		if ctx.Err() != nil {
			break
		}
		g := fitGrid(s, &c.f, c.sizes[0], !d.opts.NoLocalGrid, mode)
		if g == nil {
			continue
		}
		sym, e := readGridDeblurred(s, g, t.inv)
		if e == nil {
			return sym, nil
		}
		if e.stage > cerr.stage {
			cerr = e
		}
	}
	return Symbol{}, cerr
}
