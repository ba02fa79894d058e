package qr

import (
	"fmt"
	"math"

	"github.com/qrcascade/qrcascade/internal/geom"
)

// Screening (ISO/IEC 18004:2015, 7.9 and 6.3.5): a cheap test of each
// candidate before any grid is read. The format information must read on
// the affine grid near the finder patterns, where it is accurate whatever
// the side error; the timing patterns' agreement, the alignment evidence of
// versions 7+ and agreeing version information rank the survivors.

// candidate is a finder triple that passed the screen.
type candidate struct {
	t      triple
	f      finderFrame
	sizes  []int // symbol sides to try, most likely first
	budget int   // transforms allowed
	rank   int   // timing pattern agreement in tenths: read high ranks first
	loose  bool  // passed the loose format screen only (formatReadableLoose)
	agreed bool  // passed the strict screen with both format copies one codeword (within 1 bit each)
	index  int   // its position among the triples or hypotheses screened together
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
		g := fitGrid(s, &c.f, n, false, parallelogram)
		if g == nil {
			continue
		}
		if ok, agreed := formatReadable(s, g, &c.f); ok {
			c.agreed = agreed
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
			return c, c.unsupported()
		}
	}
	// The strict screen misses some blurred symbols: let those that read
	// loosely through with a small budget.
	g := fitGrid(s, &c.f, c.sizes[0], false, parallelogram)
	if g != nil && formatReadableLoose(s, g, &c.f) {
		c.budget, c.loose = 2, true
		c.rank = timingRank(s, g, &c.f)
		if c.rank < 10 && showsAlignment(s, &c.f, c.sizes) {
			c.rank = 10
		}
		return c, c.unsupported()
	}
	var corners geom.Quad
	if g != nil {
		corners = g.corners()
	}
	return c, &candidateError{stage: StageFormat, corners: corners, err: fmt.Errorf("qr: screening: %w", ErrFormatInfo)}
}

// certain reports whether c is all but sure to be a symbol: both copies of
// its format information read as one codeword, each within 1 bit, and its
// timing patterns fully agree (rank 10). Over the 716 corpus images
// (Detect alone), 754 of 755 such triples read. decodeTriples reads a
// certain triple as soon as it is screened, and gridGuesses tries
// cornerByPhase's starting grid before its search for it.
func (c *candidate) certain() bool { return c.agreed && c.rank == 10 }

// unsupported rejects a screened candidate that claims a symbol of
// version 7 or more (side 45 and up) with nothing but its format
// information for it: no version information block reads (7.10), no
// alignment pattern shows where the version puts them, and the timing
// patterns barely alternate (rank under 7). Such a triple is made of
// finder-like shapes scattered over a page (text, table rules, a blotted
// symbol's remains): on an invoice page whose symbol lost a finder pattern
// (make bench's damaged scenario) they made about 20 candidates per page,
// each costing 2–15 ms of grids with hundreds of alignment patterns; in
// the corpus (716 images and the four scenarios) none of 697 such
// candidates was read. Smaller sides keep their candidates: below version
// 7 there is no version information to ask for.
func (c *candidate) unsupported() *candidateError {
	if c.rank >= 7 || c.sizes[0] < 45 || c.f.versionRead {
		return nil
	}
	return &candidateError{stage: StageVersion, err: fmt.Errorf("qr: screening: side %d without version information, alignment patterns or timing patterns: %w", c.sizes[0], ErrVersionInfo)}
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

// formatReadable reports whether the format information, read with one
// sample per module and the finder patterns' mid level, passes the strict
// screen of readFormatBits in either orientation (the first that passes
// decides agreed: both copies within 1 bit of the same codeword).
func formatReadable(s sampler, g *grid, f *finderFrame) (ok, agreed bool) {
	return screenFormat(s, g, f, true)
}

// formatReadableLoose is formatReadable accepting any copy within 3 bits.
func formatReadableLoose(s sampler, g *grid, f *finderFrame) bool {
	ok, _ := screenFormat(s, g, f, false)
	return ok
}

func screenFormat(s sampler, g *grid, f *finderFrame, strict bool) (ok, agreed bool) {
	dark := func(x, y int) bool {
		return f.isDark(s.at(g.toImage(float64(x)+0.5, float64(y)+0.5)))
	}
	if _, ok, agreed := readFormatBits(dark, g.n, false, strict); ok {
		return true, agreed
	}
	_, ok, agreed = readFormatBits(dark, g.n, true, strict)
	return ok, agreed
}

// showsAlignment reports whether alignmentEvidence holds on the
// parallelogram grid of one of the first two sides in
// sizes (the most likely), if of 45 modules or more. The evidence tells a
// symbol from look-alikes, not one side from its neighbours: the two
// patterns move by at most 2 modules from one version to the next.
func showsAlignment(s sampler, f *finderFrame, sizes []int) bool {
	for _, n := range sizes[:min(2, len(sizes))] {
		if n < 45 {
			continue
		}
		if g := fitGrid(s, f, n, false, parallelogram); g != nil && alignmentEvidence(s, g, f) {
			return true
		}
	}
	return false
}
