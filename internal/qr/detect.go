package qr

import (
	"context"

	"github.com/qrcascade/qrcascade/internal/gray"
)

// The top of the pipeline: the locating passes of Detect (plain,
// histogram-equalised, and a finer one after small symbols at a coarse
// scale), each running the finder search, the triples (read.go) and the
// pair completion (pairs.go) for each polarity.

// Detect finds and decodes every QR symbol in p. It does not modify p. When
// ctx is done it stops at the next candidate and returns what it has.
func (d *Detector) Detect(ctx context.Context, p *gray.Plane) Result {
	var res Result
	if p == nil || p.W < 21 || p.H < 21 {
		return res
	}
	buf, _ := d.scratch.Get().(*scratch)
	if buf == nil {
		buf = new(scratch)
	}
	defer func() {
		if buf.release() {
			d.scratch.Put(buf)
		}
	}()
	sc := newScene(p, d.opts.LocateMaxDim, buf)
	polarities := []bool{false}
	if d.opts.TryInverted {
		polarities = append(polarities, true)
	}
	passes := 2
	if d.opts.SinglePass {
		passes = 1
	}
	for pass := 0; pass < passes; pass++ {
		if !d.locate(ctx, sc, pass, polarities, &res) {
			return res
		}
	}
	// Small symbols found at a coarse scale: one more pass (without
	// equalisation) at a finer one for those too small to be found there.
	if fine := fineScale(sc.scale, res.Symbols); fine > 0 {
		d.locate(ctx, newSceneAt(p, fine, buf), 0, polarities, &res)
	}
	return res
}

// locate runs one locating pass of sc for each polarity: finder patterns on
// the pass's bitmap, then their triples. It reports false when ctx is done.
func (d *Detector) locate(ctx context.Context, sc *scene, pass int, polarities []bool, res *Result) bool {
	for _, inv := range polarities {
		if ctx.Err() != nil {
			return false
		}
		res.Stats.Passes++
		// Patterns squeezed by a grazing view are searched while the
		// image has yielded no symbol: a page whose code was read in the
		// first pass does not pay the column scan again.
		fps := findFinders(ctx, sc.bitmap(pass), inv, d.opts.MaxFinderCandidates, len(res.Symbols) == 0)
		sc.scaleFinders(fps)
		res.Stats.FinderPatterns += len(fps)
		d.decodeTriples(ctx, sc, fps, inv, res)
		if !d.opts.NoPairCompletion {
			d.completePairs(ctx, sc, fps, inv, res)
		}
	}
	return true
}

// fineScale returns the reduction factor of an extra locating pass when the
// image was located at a coarse scale (3 or more) and yielded symbols whose
// modules are under two pixels there: where some small symbols are, others
// too small to be found at that scale are likely (sheets of labels). 0: no
// extra pass. Measured on boofcv-dev (Detector alone, after keepPerPattern):
// 512 → 533 of 648 codes (lots 221 → 238 of 240, brightness 35 → 39), no
// category lower; a second, equalised fine pass read nothing more. Images
// without such symbols (a 12 MP photo without a code) pay nothing.
func fineScale(scale float64, syms []Symbol) int {
	if scale < 3 {
		return 0
	}
	for _, s := range syms {
		if s.ModuleSize/scale < 2 {
			return max(1, (int(scale)+1)/2)
		}
	}
	return 0
}
