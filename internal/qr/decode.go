package qr

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode/decoder"

	"github.com/qrcascade/qrcascade/internal/geom"
	"github.com/qrcascade/qrcascade/internal/gray"
)

// Reading one candidate: the procedure of ISO/IEC 18004:2015, 12, with the
// geometry of grid.go and the sampling of sample.go in front. Reed–Solomon
// decoding and bit stream parsing are gozxing's (decoder.Decoder), which
// also retries a transposed (mirrored) reading.

// candidateError records how far a candidate got.
type candidateError struct {
	stage   Stage
	corners geom.Quad
	err     error
}

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

// phaseRounds is how many times the near grid's bend is refined
// (refinePhase), each round from the last. Measured (make bench-corpus):
// 1 round 592/648 boofcv-dev codes, 2 rounds 594, 3 rounds 596 (curved
// 20 -> 23 of 30, glare 18 -> 19), 4 rounds 596; text sets unchanged;
// 30.5 -> 32.1 ms CPU per image with 3.
const phaseRounds = 3

// minCountAfterRead is the number of confirming scan lines a finder
// pattern needs in the passes that follow a read.
const minCountAfterRead = 2

// minRankAfterRead is the timing rank (tenths) a candidate needs to be read
// once the image has yielded a symbol.
const minRankAfterRead = 6

// candidate is a finder triple that passed the screen.
type candidate struct {
	t      triple
	f      finderFrame
	sizes  []int // symbol sides to try, most likely first
	budget int   // transforms allowed
	rank   int   // timing pattern agreement in tenths: read high ranks first
}

// screenCandidate estimates the symbol sizes of a triple and screens it by
// its format information.
func screenCandidate(s sampler, t triple, f finderFrame) (candidate, *candidateError) {
	c := candidate{t: t, f: f, budget: math.MaxInt}
	c.sizes = c.f.candidateSizes(s)
	if len(c.sizes) == 0 {
		return c, &candidateError{stage: StageGrouping, err: fmt.Errorf("qr: no plausible symbol size: %w", ErrNotFound)}
	}
	// Cheap screen: the format information sits next to the finder
	// patterns, where the affine grid is accurate whatever the size error;
	// a triple whose format information reads in no size is no symbol.
	for _, n := range c.sizes {
		if g := fitGrid(s, &c.f, n, false, 2); g != nil && formatReadable(s, g, &c.f) {
			c.rank = timingRank(s, g, &c.f)
			if c.rank < 10 && showsAlignment(s, &c.f, c.sizes) {
				// Alignment patterns where a version 7+ symbol has
				// them: read before the look-alike triples that the
				// finder-like shapes of its data region make, which
				// otherwise spend the failed-grid budget first
				// (boofcv-dev high_version and rotations).
				c.rank = 10
			}
			if c.rank < 7 {
				// timing patterns barely alternate: a cross triple, or
				// strong perspective; worth fewer grids
				c.budget = 4
			}
			return c, nil
		}
	}
	// The strict screen misses some blurred symbols: let those that read
	// loosely through with a small budget.
	g := fitGrid(s, &c.f, c.sizes[0], false, 2)
	if g != nil && formatReadableLoose(s, g, &c.f) {
		c.budget = 2
		c.rank = timingRank(s, g, &c.f)
		if c.rank < 10 && showsAlignment(s, &c.f, c.sizes) {
			c.rank = 10
		}
		return c, nil
	}
	var corners geom.Quad
	if g != nil {
		corners = g.corners()
	}
	return c, &candidateError{stage: StageFormat, corners: corners, err: fmt.Errorf("qr: screening: %w", ErrFormatInfo)}
}

// timingRank rates, 0–10, how well the timing patterns support grid g: the
// fraction (in tenths) of timing modules sampled as expected on the affine
// grid, or 10 when the module counts of both timing patterns match the
// side (8 when one does), which perspective does not disturb.
func timingRank(s sampler, g *grid, f *finderFrame) int {
	r := int(10 * timingAgreement(s, g, f))
	near := func(t int) bool { return t > 0 && abs(t-g.n) <= 2 }
	switch {
	case near(f.timingTop) && near(f.timingLeft):
		r = 10
	case near(f.timingTop) || near(f.timingLeft):
		r = max(r, 8)
	}
	return r
}

// timingAgreement returns the fraction of the timing pattern modules (6.3.5:
// row and column 6 between the finder patterns, alternating from dark) that
// g samples as expected.
func timingAgreement(s sampler, g *grid, f *finderFrame) float64 {
	good, total := 0, 0
	for k := 8; k <= g.n-9; k++ {
		want := k%2 == 0
		c := float64(k) + 0.5
		if f.isDark(s.at(g.toImage(c, 6.5))) == want {
			good++
		}
		if f.isDark(s.at(g.toImage(6.5, c))) == want {
			good++
		}
		total += 2
	}
	if total == 0 {
		return 0
	}
	return float64(good) / float64(total)
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
		// space (quad_deblur.go), once per candidate. boofcv-dev
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

// decodeEach decodes the module matrices modules(0), modules(1), … of
// grid g (count of them, thresholded differently) until one decodes, and
// returns the failure that got furthest. It stops early when a matrix
// fails before Reed–Solomon: the format information or the size is then
// wrong, and another threshold will not help.
func decodeEach(g *grid, inv bool, count int, modules func(i int) [][]bool) (Symbol, *candidateError) {
	var cerr *candidateError
	for i := 0; i < count; i++ {
		sym, e := decodeModules(modules(i), g, inv)
		if e == nil {
			return sym, nil
		}
		if cerr == nil || e.stage > cerr.stage {
			cerr = e
		}
		if e.stage < StageErrorCorrection {
			break
		}
	}
	return Symbol{}, cerr
}

// decodeModules decodes the module matrix m sampled from g.
func decodeModules(m [][]bool, g *grid, inv bool) (Symbol, *candidateError) {
	corners := g.corners()
	if f := functionAgreement(m); f < minFunctionAgreement {
		return Symbol{}, &candidateError{stage: StageAlignment, corners: corners, err: fmt.Errorf("qr: side %d: %.0f %% of the finder and timing modules match: %w", g.n, 100*f, ErrAlignment)}
	}
	cands := formatCandidates(m)
	if len(cands) == 0 {
		return Symbol{}, &candidateError{stage: StageFormat, corners: corners, err: fmt.Errorf("qr: side %d: %w", g.n, ErrFormatInfo)}
	}
	var cerr *candidateError
	for _, fc := range cands[:min(len(cands), 2)] {
		bm := cleanMatrix(m, g.n, fc)
		dr, err := decoder.NewDecoder().Decode(bm, nil)
		if err != nil {
			stage, sentinel := StageBitstream, ErrBitstream
			var ce gozxing.ChecksumException
			if errors.As(err, &ce) {
				stage, sentinel = StageErrorCorrection, ErrErrorCorrection
			} else if g.n >= 45 && !versionMatches(m, g.n) {
				stage, sentinel = StageVersion, ErrVersionInfo
			}
			if cerr == nil || stage > cerr.stage {
				cerr = &candidateError{stage: stage, corners: corners, err: fmt.Errorf("qr: side %d: %w: %v", g.n, sentinel, err)}
			}
			continue
		}
		mirrored := fc.transposed
		if md, ok := dr.GetOther().(*decoder.QRCodeDecoderMetaData); ok && md.IsMirrored() {
			// the decoder's own retry read the transpose of what it got
			mirrored = !mirrored
		}
		sym := Symbol{
			Text:            dr.GetText(),
			Version:         (g.n - 17) / 4,
			ECLevel:         dr.GetECLevel(),
			Mask:            fc.mask,
			ErrorsCorrected: dr.GetErrorsCorrected(),
			Mirrored:        mirrored,
			Inverted:        inv,
			ModuleSize:      g.moduleSize(),
			Corners:         corners,
		}
		if mirrored {
			// The decoder read the transpose: our top-right is the
			// symbol's bottom-left.
			sym.Corners[1], sym.Corners[3] = sym.Corners[3], sym.Corners[1]
		}
		for _, seg := range dr.GetByteSegments() {
			sym.Bytes = append(sym.Bytes, seg...)
		}
		if sym.Bytes == nil {
			sym.Bytes = []byte(sym.Text)
		}
		return sym, nil
	}
	return Symbol{}, cerr
}

// minFunctionAgreement is the smallest share of the finder and timing
// pattern modules a sampled matrix must show as specified before its
// codewords are decoded. A grid on a true symbol matches nearly all of them
// even where the data modules are too damaged to correct; a grid on a
// triple of look-alikes matches about half of them by chance. The gate
// saves the Reed–Solomon attempts, which dominated the cost on images
// without symbols.
const minFunctionAgreement = 0.75

// functionAgreement returns the share of the modules of the three finder
// patterns (7×7 each) and of both timing patterns (6.3.5) that m shows as
// specified. The set is symmetric under transposition, so a mirror image
// scores the same.
func functionAgreement(m [][]bool) float64 {
	n := len(m)
	match, total := 0, 0
	finder := func(x0, y0 int) {
		for y := 0; y < 7; y++ {
			for x := 0; x < 7; x++ {
				// dark: the outer ring and the 3×3 centre
				d := max(abs(x-3), abs(y-3))
				if m[y0+y][x0+x] == (d != 2) {
					match++
				}
				total++
			}
		}
	}
	finder(0, 0)
	finder(n-7, 0)
	finder(0, n-7)
	for i := 8; i < n-8; i++ {
		dark := i%2 == 0
		if m[6][i] == dark {
			match++
		}
		if m[i][6] == dark {
			match++
		}
		total += 2
	}
	return float64(match) / float64(total)
}

// cleanMatrix returns m as a gozxing bit matrix, transposed when fc is,
// with clean format information for fc and, for versions 7 and up, clean
// version information for an n×n symbol.
func cleanMatrix(m [][]bool, n int, fc formatCandidate) *gozxing.BitMatrix {
	bm, _ := gozxing.NewSquareBitMatrix(n)
	for y, row := range m {
		for x, dark := range row {
			if !dark {
				continue
			}
			if fc.transposed {
				bm.Set(y, x)
			} else {
				bm.Set(x, y)
			}
		}
	}
	put := func(x, y int, dark bool) {
		if dark {
			bm.Set(x, y)
		} else {
			bm.Unset(x, y)
		}
	}
	writeFormatBits(put, n, formatCodewords[fc.ecBits<<3|fc.mask])
	if n >= 45 {
		writeVersionBits(put, n, versionWord((n-17)/4))
	}
	return bm
}

// versionMatches reports whether either version information block of m
// decodes to the version of its size.
func versionMatches(m [][]bool, n int) bool {
	want := (n - 17) / 4
	for _, tr := range []bool{false, true} {
		var w uint32
		for j := 5; j >= 0; j-- {
			for i := n - 9; i >= n-11; i-- {
				x, y := i, j
				if tr {
					x, y = y, x
				}
				w <<= 1
				if m[y][x] {
					w |= 1
				}
			}
		}
		if v, _, ok := decodeVersionWord(w); ok && v == want {
			return true
		}
	}
	return false
}

// decodeQuad implements Detector.DecodeQuad.
func (d *Detector) decodeQuad(ctx context.Context, p *gray.Plane, q geom.Quad) (Symbol, error) {
	minX, minY, maxX, maxY := q.Bounds()
	side := math.Max(maxX-minX, maxY-minY)
	margin := 0.15*side + 8
	x0 := max(int(minX-margin), 0)
	y0 := max(int(minY-margin), 0)
	x1 := min(int(maxX+margin)+1, p.W)
	y1 := min(int(maxY+margin)+1, p.H)
	if x1-x0 < 21 || y1-y0 < 21 {
		return Symbol{}, fmt.Errorf("qr: decode quad: region %dx%d too small: %w", x1-x0, y1-y0, ErrNotFound)
	}
	crop := &gray.Plane{W: x1 - x0, H: y1 - y0, Stride: p.Stride, Pix: p.Pix[y0*p.Stride+x0:]}
	off := geom.Point{X: float64(x0), Y: float64(y0)}
	local := geom.Quad{q[0].Sub(off), q[1].Sub(off), q[2].Sub(off), q[3].Sub(off)}
	res := d.Detect(ctx, crop)
	for _, sym := range res.Symbols {
		if sym.Corners.Overlaps(local) {
			for i := range sym.Corners {
				sym.Corners[i] = sym.Corners[i].Add(off)
			}
			return sym, nil
		}
	}
	sym, err := d.decodeQuadFinders(ctx, sampler{p: crop}, local)
	if err == nil {
		for i := range sym.Corners {
			sym.Corners[i] = sym.Corners[i].Add(off)
		}
		return sym, nil
	}
	sym, err = d.sampleQuad(ctx, sampler{p: crop}, local)
	if err != nil {
		return Symbol{}, fmt.Errorf("qr: decode quad: %w", err)
	}
	for i := range sym.Corners {
		sym.Corners[i] = sym.Corners[i].Add(off)
	}
	return sym, nil
}

// sampleQuad reads a symbol directly from its approximate outer corners:
// for each of the four rotations and each version whose modules would be at
// least one pixel, it scores how well the three finder patterns match, and
// decodes the best few fits.
func (d *Detector) sampleQuad(ctx context.Context, s sampler, q geom.Quad) (Symbol, error) {
	side := (q[0].Dist(q[1]) + q[1].Dist(q[2]) + q[2].Dist(q[3]) + q[3].Dist(q[0])) / 4
	type fit struct {
		rot, n int
		inv    bool
		score  float64
		g      *grid
	}
	var fits []fit
	for rot := 0; rot < 4; rot++ {
		r := geom.Quad{q[rot], q[(rot+1)%4], q[(rot+2)%4], q[(rot+3)%4]}
		for v := 1; v <= 40; v++ {
			n := dimensionForVersion(v)
			if side/float64(n) < 1 {
				break
			}
			nf := float64(n)
			h, ok := geom.QuadToQuad(geom.Quad{{X: 0, Y: 0}, {X: nf, Y: 0}, {X: nf, Y: nf}, {X: 0, Y: nf}}, r)
			if !ok {
				continue
			}
			g := &grid{n: n, global: h}
			sc, inv := finderScore(s, g)
			if !inv || d.opts.TryInverted {
				fits = append(fits, fit{rot, n, inv, sc, g})
			}
		}
	}
	if ctx.Err() != nil {
		return Symbol{}, ctx.Err()
	}
	// best fits first
	for i := 1; i < len(fits); i++ {
		for j := i; j > 0 && fits[j].score > fits[j-1].score; j-- {
			fits[j], fits[j-1] = fits[j-1], fits[j]
		}
	}
	var last error = ErrNotFound
	for i := 0; i < len(fits) && i < d.opts.MaxTransforms; i++ {
		if ctx.Err() != nil {
			return Symbol{}, ctx.Err()
		}
		ft := fits[i]
		if ft.score < 0.75 {
			break
		}
		// Re-locate the finder centres in the fitted grid and read as a triple.
		nf := float64(ft.n)
		ms := ft.g.moduleSize()
		mk := func(x, y float64) finderPattern {
			return finderPattern{c: ft.g.toImage(x, y), ms: ms, count: 1}
		}
		f := newFinderFrame(s, mk(3.5, 3.5), mk(nf-3.5, 3.5), mk(3.5, nf-3.5), ft.inv)
		g := fitGrid(s, &f, ft.n, !d.opts.NoLocalGrid, 0)
		if g == nil {
			g = ft.g
		}
		for variant := 0; variant < 2; variant++ {
			sym, cerr := readGrid(s, g, ft.inv, variant)
			if cerr == nil {
				return sym, nil
			}
			last = cerr.err
		}
	}
	return Symbol{}, last
}

// finderScore returns the fraction of the 3×49 finder pattern modules that
// g samples correctly, in the better polarity, and whether that polarity is
// light-on-dark.
func finderScore(s sampler, g *grid) (float64, bool) {
	n := g.n
	var vals [3 * 49]float64
	var want [3 * 49]bool
	k := 0
	var sum float64
	for _, o := range [3][2]int{{0, 0}, {n - 7, 0}, {0, n - 7}} {
		for y := 0; y < 7; y++ {
			for x := 0; x < 7; x++ {
				v := s.at(g.toImage(float64(o[0]+x)+0.5, float64(o[1]+y)+0.5))
				vals[k] = v
				sum += v
				dx, dy := max(abs(x-3), abs(y-3)), 0
				_ = dy
				want[k] = dx != 2
				k++
			}
		}
	}
	t := sum / float64(k)
	good := 0
	for i, v := range vals {
		if (v < t) == want[i] {
			good++
		}
	}
	sc := float64(good) / float64(k)
	if 1-sc > sc {
		return 1 - sc, true
	}
	return sc, false
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// formatReadable reports whether either copy of the format information,
// read with one sample per module and the finder patterns' mid level, is
// within 3 bits of a codeword, in either orientation.
func formatReadable(s sampler, g *grid, f *finderFrame) bool {
	return screenFormat(s, g, f, true)
}

// formatReadableLoose is formatReadable accepting any copy within 3 bits.
func formatReadableLoose(s sampler, g *grid, f *finderFrame) bool {
	return screenFormat(s, g, f, false)
}

func screenFormat(s sampler, g *grid, f *finderFrame, strict bool) bool {
	dark := func(x, y int) bool {
		return f.isDark(s.at(g.toImage(float64(x)+0.5, float64(y)+0.5)))
	}
	if _, ok := readFormatBits(dark, g.n, false, strict); ok {
		return true
	}
	_, ok := readFormatBits(dark, g.n, true, strict)
	return ok
}
