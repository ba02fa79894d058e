package qr

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"sort"

	"github.com/qrcascade/qrcascade/internal/geom"
)

// Reading candidates: the procedure of ISO/IEC 18004:2015, 12, with the
// geometry of transform.go and alignment.go and the sampling of sample.go
// in front. Reed–Solomon decoding and bit stream parsing are gozxing's
// (decoder.Decoder, gozxing.go), which also retries a transposed (mirrored)
// reading.
//
// Both kinds of candidate, finder triples (decodeTriples) and completed
// pairs (pairs.go), go through the same three steps: screen them, rank
// them, and read them best first under a failed-grid budget (readInOrder);
// a certain triple (candidate.certain) is read as soon as it is screened.
// Each candidate is read grid by grid (readCandidate): gridGuesses yields
// one grid at a time from the sides and gridLadder, each read with each
// sampling under the candidate's budget; then the first grid that reached
// Reed–Solomon, the near grid, gets the rungs of nearLadder (the bend,
// then deconvolution), beyond that budget.

// decodeTriples screens the grouped triples of fps, reads the screened
// ones best first and appends decoded symbols and failures to res.
//
// Screening every triple before reading any matters on images with many
// symbols side by side: "cross" triples made of finder patterns of
// different symbols pass the format information screen (copy 1 lies
// entirely around the top-left pattern), but their timing patterns do not
// alternate. Reading triples in order of timing agreement decodes the true
// symbols first, and their finder patterns are then skipped by the cross
// triples. A certain candidate (both format copies one codeword, timing
// patterns in full agreement: candidate.certain) is read as soon as it is
// screened, and the triples that share a finder pattern with a symbol read
// are not screened at all: on a photo of three symbols most triples are
// such crosses.
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
	s := sc.sampler()
	fail := func(cerr *candidateError) {
		if len(res.Failures) < maxFailures {
			res.Failures = append(res.Failures, Failure{Stage: cerr.stage, Corners: cerr.corners, Err: cerr.err})
		}
	}
	used := make([]bool, len(fps))
	// weak reports whether one of t's patterns was confirmed by a single
	// scan line: text and texture once the image has yielded a symbol, as
	// in the passes after a read (above).
	weak := func(t triple) bool {
		return min(fps[t.tl].count, fps[t.tr].count, fps[t.bl].count) < minCountAfterRead
	}
	misses := 0 // candidates failed since the last symbol read
	pick := func(c *candidate) (skip, stop bool) {
		// Candidates are read best rank first, so once a symbol has been
		// read, a long run of failures means the rest are look-alikes
		// (text, logos): stop instead of spending the whole budget.
		if len(res.Symbols) > 0 && misses >= d.opts.MaxMissesAfterRead {
			return false, true
		}
		t := c.t
		// Once a symbol has been read, candidates whose timing patterns
		// barely agree are look-alikes far more often than symbols, and
		// so are those whose three finder patterns are data modules of
		// symbols read (inData; a high-version symbol yields dozens).
		if used[t.tl] || used[t.tr] || used[t.bl] {
			return true, false
		}
		if len(res.Symbols) == 0 {
			return false, false
		}
		budgetAfterRead(c)
		return weak(t) || c.rank < minRankAfterRead || looseLookAlike(c) || inData(res.Symbols, fps[t.tl]) &&
			inData(res.Symbols, fps[t.tr]) && inData(res.Symbols, fps[t.bl]), false
	}
	done := func(c *candidate, cerr *candidateError) {
		if cerr != nil {
			fail(cerr)
			misses++
			return
		}
		misses = 0
		used[c.t.tl], used[c.t.tr], used[c.t.bl] = true, true, true
	}
	failed0 := res.Stats.FailedGrids
	left := func() int { return d.opts.MaxFailedGrids - (res.Stats.FailedGrids - failed0) }
	var cands []candidate
	for i, t := range triples {
		if ctx.Err() != nil {
			return
		}
		if used[t.tl] || used[t.tr] || used[t.bl] {
			continue
		}
		if len(res.Symbols) > 0 && weak(t) {
			continue
		}
		c, ok := screenCounted(s, i, t, newFinderFrame(s, fps[t.tl], fps[t.tr], fps[t.bl], inv), &res.Stats, fail)
		if !ok {
			continue
		}
		if c.certain() {
			d.readInOrder(ctx, s, []candidate{c}, left(), res, pick, done)
			continue
		}
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
	d.readInOrder(ctx, s, cands, left(), res, pick, done)
}

// minCountAfterRead is the number of confirming scan lines a finder
// pattern needs in the passes that follow a read.
const minCountAfterRead = 2

// looseLookAlike reports whether c, read after a symbol of the image,
// is a look-alike to pass over: it passed only the loose format screen
// (formatReadableLoose) and its timing patterns do not fully agree (rank
// under 10). Over the 716 corpus images (Detect alone), 236 such
// candidates were read after a first symbol, in decodeTriples and
// completePairs, for 403 failed grids and no read; of the 101 loose
// candidates of rank 10, one read (boofcv-dev curved/image023's second
// symbol).
func looseLookAlike(c *candidate) bool { return c.loose && c.rank < 10 }

// afterReadBudget is the transform budget of a triple read after a symbol
// of the image whose timing patterns do not fully agree (rank under 10):
// such triples are mostly look-alikes, whose every grid guess fails (on
// boofcv-dev rotations/image035, after its three symbols, five triples of
// rank 8 spent 6 transforms each). Over the 716 corpus images (Detect
// alone) 98 such triples spent 498 failed grids for 3 reads with the full
// budget; with this one, 108 triples (fewer stop the pass) spent 218, for
// the same reads, which came from a triple's first grids or from its
// near-grid rescue, beyond the budget. Completed pairs keep their budget:
// one of theirs read at its third grid (boofcv-dev blurred/image027).
const afterReadBudget = 2

// budgetAfterRead lowers the budget of c, a triple about to be read after
// a symbol of the image, to afterReadBudget when its timing patterns do
// not fully agree.
func budgetAfterRead(c *candidate) {
	if c.rank < 10 {
		c.budget = min(c.budget, afterReadBudget)
	}
}

// minRankAfterRead is the timing rank (tenths) a candidate needs to be read
// once the image has yielded a symbol.
const minRankAfterRead = 6

// screenAll screens the candidates frame(0), …, frame(n−1) in turn
// (screenCounted) and returns those that pass. ok is false when ctx was
// done before all were screened.
func screenAll(ctx context.Context, s sampler, n int, frame func(i int) (triple, finderFrame), st *Stats, fail func(*candidateError)) (cands []candidate, ok bool) {
	for i := 0; i < n; i++ {
		if ctx.Err() != nil {
			return nil, false
		}
		t, f := frame(i)
		if c, ok := screenCounted(s, i, t, f, st, fail); ok {
			cands = append(cands, c)
		}
	}
	return cands, true
}

// screenCounted screens candidate i, the triple t with frame f
// (screenCandidate), and counts it in st: ok when it passes, with
// candidate.index i; a failure goes to fail when it is not nil.
func screenCounted(s sampler, i int, t triple, f finderFrame, st *Stats, fail func(*candidateError)) (c candidate, ok bool) {
	st.Triples++
	c, cerr := screenCandidate(s, t, f)
	if cerr != nil {
		if fail != nil {
			fail(cerr)
		}
		return c, false
	}
	st.Screened++
	c.index = i
	return c, true
}

// readInOrder reads the ranked candidates cands in order while fewer than
// maxFailed grids have failed since the call and ctx is not done. pick is
// asked first about each candidate: skip passes it over, stop ends the
// loop; it may lower the candidate's budget. Each symbol read is added to
// res unless it is a duplicate, and done learns each candidate's outcome
// (cerr nil on a read).
func (d *Detector) readInOrder(ctx context.Context, s sampler, cands []candidate, maxFailed int, res *Result, pick func(*candidate) (skip, stop bool), done func(c *candidate, cerr *candidateError)) {
	failed0 := res.Stats.FailedGrids
	for i := range cands {
		c := &cands[i]
		left := maxFailed - (res.Stats.FailedGrids - failed0)
		if ctx.Err() != nil || left <= 0 {
			return
		}
		if skip, stop := pick(c); stop {
			return
		} else if skip {
			continue
		}
		sym, cerr := d.readCandidate(ctx, s, c, left, &res.Stats)
		if done != nil {
			done(c, cerr)
		}
		if cerr == nil && !duplicate(res.Symbols, sym) {
			res.Symbols = append(res.Symbols, sym)
		}
	}
}

// onSymbol reports whether p lies inside one of the symbols read.
func onSymbol(syms []Symbol, p geom.Point) bool {
	for _, sym := range syms {
		if sym.Corners.Contains(p) {
			return true
		}
	}
	return false
}

// inData reports whether fp lies on a symbol of syms with a module size
// within 1.5 times that symbol's: a look-alike made of its data modules.
// A symbol nested in another one's centre (zxing-cpp qrcode-2/16.webp) has
// modules of another size and is still read.
func inData(syms []Symbol, fp finderPattern) bool {
	for _, sym := range syms {
		if sym.Corners.Contains(fp.c) && fp.ms < 1.5*sym.ModuleSize && fp.ms*1.5 > sym.ModuleSize {
			return true
		}
	}
	return false
}

// duplicate reports whether s repeats a symbol of syms: the same text
// where their corners overlap.
func duplicate(syms []Symbol, s Symbol) bool {
	for _, o := range syms {
		if o.Text == s.Text && o.Corners.Overlaps(s.Corners) {
			return true
		}
	}
	return false
}

// gridLadder is the order in which the grid methods are tried on each side
// of a candidate, most likely first. Each grid read costs one or two of
// the candidate's transforms (Options.MaxTransforms, candidate.budget, one
// per sampling); adding or dropping a rung is one line here.
var gridLadder = [...]gridMethod{
	alignNear,     // bottom-right alignment pattern near its prediction
	alignWide,     // the same, searched wide: strong perspective
	cornerStart,   // cornerByPhase's starting grid: certain candidates only
	cornerByPhase, // fourth corner by grid phase: version 1, damage
	parallelogram, // the affine grid
}

// gridGuess is one grid offered for reading: side n fitted by method, or
// g nil when the side could not be fitted.
type gridGuess struct {
	n      int
	method gridMethod
	g      *grid
}

// gridGuesses yields the grids to read for the finder frame f, one at a
// time, as zxing-cpp's SampleQR does: for each side in sizes, most likely
// first, each method of gridLadder that applies to it (the alignment
// methods from side 25, cornerStart when start is set), skipping a grid
// that samples the same modules as the one before it on that side
// (sameGrid). A side that cannot be fitted yields one guess with a nil
// grid and no more. more is asked before each fit; false ends the
// sequence.
//
// start is set for a certain candidate (candidate.certain): its grid
// before cornerByPhase's search often reads, and the search, 73 samplings
// of the whole grid, is the dearest fit. For the other candidates the
// unsearched grid took a transform and became the near grid of symbols
// that only the searched one reads: over the 716 corpus images it read
// 989 codes instead of 994 in classic mode; for certain candidates alone,
// 995, one more (boofcv-dev noncompliant/image007).
func gridGuesses(s sampler, f *finderFrame, sizes []int, local, start bool, more func() bool) iter.Seq[gridGuess] {
	return func(yield func(gridGuess) bool) {
		for _, n := range sizes {
			var prev *grid
			for _, m := range gridLadder {
				if m.usesAlignment() && n < 25 || m == cornerStart && !start {
					continue
				}
				if !more() {
					return
				}
				g := fitGrid(s, f, n, local, m)
				if g == nil {
					if !yield(gridGuess{n: n, method: m}) {
						return
					}
					break
				}
				if sameGrid(g, prev) {
					continue
				}
				prev = g
				if !yield(gridGuess{n: n, method: m, g: g}) {
					return
				}
			}
		}
	}
}

// attempts is the account of one candidate's reads: the transforms left,
// the failure that got furthest, and near, the first grid that matched the
// function patterns and the format information but whose codewords did
// not correct.
type attempts struct {
	left int
	best *candidateError
	near *grid
	st   *Stats
}

// keep records e when it got further than the failures before it.
func (a *attempts) keep(e *candidateError) {
	if a.best == nil || e.stage > a.best.stage {
		a.best = e
	}
}

// readCandidate reads one screened candidate: each grid gridGuesses
// yields, under the transform budget (at most left failed grids,
// Options.MaxTransforms and the candidate's budget); then each grid the
// rungs of nearLadder yield from the near grid, beyond it; then, for a
// triple of squeezed finder patterns, the finder search in the quad its
// centres imply.
func (d *Detector) readCandidate(ctx context.Context, s sampler, c *candidate, left int, st *Stats) (Symbol, *candidateError) {
	a := attempts{left: min(d.opts.MaxTransforms, left, c.budget), st: st}
	f := &c.f
	more := func() bool { return a.left > 0 && ctx.Err() == nil }
	for gg := range gridGuesses(s, f, c.sizes, !d.opts.NoLocalGrid, c.certain(), more) {
		if sym, ok := a.readGuess(s, gg, f.inv); ok {
			return sym, nil
		}
	}
	if !d.opts.NoRescue && a.near != nil && (d.opts.MaxNearRescues == 0 || st.NearRescues < d.opts.MaxNearRescues) {
		st.NearRescues++
		if sym, ok := a.readNear(ctx, s, f.inv); ok {
			return sym, nil
		}
	}
	if sym, ok := d.readSqueezed(ctx, s, f, c.sizes[0]); ok {
		return sym, nil
	}
	if a.best == nil {
		a.best = &candidateError{stage: StageGrouping, err: fmt.Errorf("qr: no plausible symbol size: %w", ErrNotFound)}
	}
	return Symbol{}, a.best
}

// readGuess reads the grid of gg with each sampling in turn while
// transforms are left, each sampling one transform; a guess without a
// grid is recorded as an alignment failure. After a first sampling that
// fails before Reed–Solomon the geometry is probably wrong (no format
// information, or the finder and timing patterns do not match), and a
// shifted grid will not help.
func (a *attempts) readGuess(s sampler, gg gridGuess, inv bool) (Symbol, bool) {
	if gg.g == nil {
		a.keep(&candidateError{stage: StageAlignment, err: fmt.Errorf("qr: side %d: %w", gg.n, ErrAlignment)})
		return Symbol{}, false
	}
	g := gg.g
	for i, sm := range samplings {
		if a.left <= 0 {
			break
		}
		a.left--
		a.st.Grids++
		sym, cerr := readGrid(s, g, inv, sm)
		if cerr == nil {
			return sym, true
		}
		a.st.FailedGrids++
		a.keep(cerr)
		if a.near == nil && cerr.stage >= StageErrorCorrection {
			a.near = g
		}
		if i == 0 && (cerr.stage <= StageFormat || errors.Is(cerr.err, ErrAlignment)) {
			break
		}
	}
	return Symbol{}, false
}

// nearLadder is the rescue of the near grid (attempts.near), in the
// order its rungs are tried once a candidate's grid guesses are spent.
// Its reads are beyond the transform budget, at most once per candidate
// and as many as each rung's comment says; adding or dropping a rung is
// one line here. boofcv-dev (classic tier): 580 → 589 of 648 codes with
// the deconvolution, blurred 16 → 21 of 35, damaged 13 → 14.
var nearLadder = [...]nearRung{
	bendNear,       // phaseRounds reads, +1 when the first reaches Reed–Solomon
	deconvolveNear, // 1 read
}

// nearRung is one rung of nearLadder: the grids to read after the near
// grid near, one at a time. live is asked before each fit and read (false
// ends the sequence); last returns the outcome of the read before.
type nearRung func(s sampler, near *grid, live func() bool, last func() *candidateError) iter.Seq[nearGuess]

// nearGuess is one read of the rescue: g sampled at module centres, or,
// when deblur is set, g's module values deconvolved (deblur.go). A failure
// is kept as the candidate's (attempts.keep) unless unkept is set.
type nearGuess struct {
	g              *grid
	deblur, unkept bool
}

// read samples and decodes ng.
func (ng nearGuess) read(s sampler, inv bool) (Symbol, *candidateError) {
	if ng.deblur {
		return readGridDeblurred(s, ng.g, inv)
	}
	return readGrid(s, ng.g, inv, samplingCentred)
}

// bendNear yields the near grid bent by refinePhase in phaseRounds rounds,
// each from the last (control points that moved in one round change the
// cells around the others); a bend that fails ends the rung. The first
// round's grid is also read deconvolved when it reached Reed–Solomon; that
// read's failure is not kept, the centred read of the same grid stands
// for it.
func bendNear(s sampler, near *grid, live func() bool, last func() *candidateError) iter.Seq[nearGuess] {
	return func(yield func(nearGuess) bool) {
		bent := near
		for round := 0; round < phaseRounds && live(); round++ {
			if bent = refinePhase(s, bent); bent == nil {
				return
			}
			if !yield(nearGuess{g: bent}) {
				return
			}
			if round == 0 && last().stage >= StageErrorCorrection && live() {
				if !yield(nearGuess{g: bent, deblur: true, unkept: true}) {
					return
				}
			}
		}
	}
}

// deconvolveNear yields the near grid itself, read deconvolved in module
// space.
func deconvolveNear(_ sampler, near *grid, live func() bool, _ func() *candidateError) iter.Seq[nearGuess] {
	return func(yield func(nearGuess) bool) {
		if live() {
			yield(nearGuess{g: near, deblur: true})
		}
	}
}

// readNear reads the grids the rungs of nearLadder yield from the near
// grid, in order, while ctx is not done. Precondition: a.near is set (a
// grid of the candidate reached Reed–Solomon).
func (a *attempts) readNear(ctx context.Context, s sampler, inv bool) (Symbol, bool) {
	live := func() bool { return ctx.Err() == nil }
	var last *candidateError
	lastRead := func() *candidateError { return last }
	for _, rung := range nearLadder {
		for ng := range rung(s, a.near, live, lastRead) {
			a.st.Grids++
			var sym Symbol
			if sym, last = ng.read(s, inv); last == nil {
				return sym, true
			}
			a.st.FailedGrids++
			if !ng.unkept {
				a.keep(last)
			}
		}
	}
	return Symbol{}, false
}

// readSqueezed reads a triple with two or three finder patterns squeezed
// by a grazing view (findForeshortened) by the finder search of
// quadfinder.go in the quad extrapolated from its centres (centreQuad) for
// side n.
func (d *Detector) readSqueezed(ctx context.Context, s sampler, f *finderFrame, n int) (Symbol, bool) {
	squeezed := 0
	for _, fp := range [...]finderPattern{f.tl, f.tr, f.bl} {
		if fp.squeezed {
			squeezed++
		}
	}
	if squeezed < 2 || ctx.Err() != nil {
		return Symbol{}, false
	}
	q, ok := centreQuad(f, n)
	if !ok {
		return Symbol{}, false
	}
	sym, err := d.decodeQuadFinders(ctx, s, q)
	return sym, err == nil
}

// readGrid samples g by sm and decodes the module matrix.
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
func readGrid(s sampler, g *grid, inv bool, sm sampling) (Symbol, *candidateError) {
	lat := newLattice(g, s.buf)
	vals := sampleValues(s, lat, inv, sm.shift())
	ths := sampleThresholds(sm)
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
	if d.opts.NoRescue {
		return Symbol{}, fmt.Errorf("qr: quad finder patterns: %w", ErrNotFound)
	}
	triples := locateQuadFinders(ctx, s, q, d.opts.Polarity, quadMaxTriples)
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
	for _, m := range [...]gridMethod{alignNear, cornerByPhase} {
		if ctx.Err() != nil {
			break
		}
		g := fitGrid(s, &c.f, c.sizes[0], !d.opts.NoLocalGrid, m)
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
