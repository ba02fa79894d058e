package qr

import (
	"context"
	"fmt"
	"math"

	"github.com/qrcascade/qrcascade/internal/geom"
	"github.com/qrcascade/qrcascade/internal/gray"
)

// Decoding from an approximate quad (Detector.DecodeQuad): Detect on a
// crop around the quad, then the finder search in the quad's own frame
// (quadfinder.go, read by read.go's decodeQuadFinders), then grids fitted
// directly to the quad (sampleQuad). DecodeQuadSteps runs a subset.

// QuadSteps selects the steps of Detector.DecodeQuadSteps, run in this
// order, the first read winning.
type QuadSteps uint8

const (
	// QuadLocate runs Detect (the plain locating pass, cropOptions) on the
	// region around the quad, 15 % of its side plus 8 pixels wider on
	// each side, and keeps a symbol overlapping the quad.
	QuadLocate QuadSteps = 1 << iota
	// QuadFinders searches the three finder patterns by template
	// correlation in the quad's own frame and reads them as a triple.
	QuadFinders
	// QuadSample samples grids fitted to the quad directly, for every
	// rotation and plausible version.
	QuadSample
	// QuadAll is every step: Detector.DecodeQuad.
	QuadAll = QuadLocate | QuadFinders | QuadSample
)

// DecodeQuad samples and decodes one symbol whose outer corners q (TL, TR,
// BR, BL in any rotation or reflection) are approximately known, as a
// detector would predict them. It searches finder patterns in the region
// around q first, then falls back to sampling directly from q for every
// rotation and plausible version. It does not modify p.
func (d *Detector) DecodeQuad(ctx context.Context, p *gray.Plane, q geom.Quad) (Symbol, error) {
	return d.DecodeQuadSteps(ctx, p, q, QuadAll)
}

// DecodeQuadSteps is DecodeQuad running only the steps in steps. The
// error of a failed call is that of the last step run.
func (d *Detector) DecodeQuadSteps(ctx context.Context, p *gray.Plane, q geom.Quad, steps QuadSteps) (Symbol, error) {
	if p == nil || p.W == 0 || p.H == 0 {
		return Symbol{}, fmt.Errorf("qr: decode quad: empty plane: %w", ErrNotFound)
	}
	return d.decodeQuad(ctx, p, q, steps)
}

// decodeQuad implements Detector.DecodeQuadSteps.
func (d *Detector) decodeQuad(ctx context.Context, p *gray.Plane, q geom.Quad, steps QuadSteps) (Symbol, error) {
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
	found := func(sym Symbol) (Symbol, error) {
		for i := range sym.Corners {
			sym.Corners[i] = sym.Corners[i].Add(off)
		}
		return sym, nil
	}
	err := fmt.Errorf("qr: decode quad: no symbol located around the quad: %w", ErrNotFound)
	if steps&QuadLocate != 0 {
		res := d.crop.Detect(ctx, crop)
		for _, sym := range res.Symbols {
			if sym.Corners.Overlaps(local) {
				return found(sym)
			}
		}
	}
	if steps&QuadFinders != 0 {
		sym, ferr := d.decodeQuadFinders(ctx, newSampler(crop), local)
		if ferr == nil {
			return found(sym)
		}
		err = fmt.Errorf("qr: decode quad: %w", ferr)
	}
	if steps&QuadSample != 0 {
		sym, serr := d.sampleQuad(ctx, newSampler(crop), local)
		if serr == nil {
			return found(sym)
		}
		err = fmt.Errorf("qr: decode quad: %w", serr)
	}
	return Symbol{}, err
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
			if d.opts.Polarity.allows(inv) {
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
		g := fitGrid(s, &f, ft.n, !d.opts.NoLocalGrid, alignNear)
		if g == nil {
			g = ft.g
		}
		for _, sm := range samplings {
			sym, cerr := readGrid(s, g, ft.inv, sm)
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
