package qr

import (
	"context"

	"github.com/qrcascade/qrcascade/internal/gray"
)

// The top of the pipeline: the locating passes of Detect (plain,
// histogram-equalised, an equalised one at a coarser scale when nothing was
// read on a big plane, and a finer one after small symbols at a coarse
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
	polarities := d.opts.Polarity.searched()
	passes := 2
	if d.opts.SinglePass {
		passes = 1
	}
	for pass := 0; pass < passes; pass++ {
		ok, left := d.locate(ctx, sc, pass, polarities, &res)
		if !ok {
			return res
		}
		if pass == 0 && !equalisedPassWanted(sc, res.Symbols, left) {
			break
		}
	}
	// Nothing read on a big plane: the equalised pass again at twice the
	// reduction, for symbols whose modules were too large at the first.
	if !d.opts.NoCoarsePass && len(res.Symbols) == 0 && !d.opts.SinglePass && max(sc.small.W, sc.small.H) >= coarseMinSide {
		if !d.rescuePass(ctx, newSceneAt(p, 2*int(sc.scale), buf), 1, polarities, &res) {
			return res
		}
	}
	// Still nothing on a reduced plane: the plain pass at full resolution,
	// for finder patterns the reduction lost.
	if d.fullPassWanted(sc, &res) {
		// what it reads needs no finer pass after it: it is the finest
		d.rescuePass(ctx, newSceneAt(p, 1, buf), 0, polarities, &res)
		return res
	}
	// Small symbols found at a coarse scale: one more pass (without
	// equalisation) at a finer one for those too small to be found there.
	if fine := fineScale(sc.scale, res.Symbols); fine > 0 {
		d.locate(ctx, newSceneAt(p, fine, buf), 0, polarities, &res)
	}
	return res
}

// leftover counts the finder patterns of a locating pass that lie on no
// symbol read, by how many scan lines confirmed them: strong, at least
// minCountUnexplained; weak, at least minCountLeftover (strong ones
// included).
type leftover struct{ strong, weak int }

// locate runs one locating pass of sc for each polarity: finder patterns on
// the pass's bitmap, then their triples. ok is false when ctx is done;
// left counts the pass's finder patterns outside the symbols read.
func (d *Detector) locate(ctx context.Context, sc *scene, pass int, polarities []bool, res *Result) (ok bool, left leftover) {
	for _, inv := range polarities {
		if ctx.Err() != nil {
			return false, left
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
		for _, fp := range fps {
			if fp.count >= minCountLeftover && !onSymbol(res.Symbols, fp.c) {
				left.weak++
				if fp.count >= minCountUnexplained {
					left.strong++
				}
			}
		}
	}
	return true, left
}

// rescuePass runs one locating pass (0 plain, 1 equalised) of sc with
// d.coarse's options, after the first scale read nothing: the coarse pass
// (coarseMinSide), on the plane at twice the first reduction, and the full
// resolution pass (fullPassWanted). It adds what it found to res, which
// holds no symbol. ok is false when ctx is done.
func (d *Detector) rescuePass(ctx context.Context, sc *scene, pass int, polarities []bool, res *Result) (ok bool) {
	var cr Result // its own Stats: the rescue bound counts this pass only
	ok, _ = d.coarse.locate(ctx, sc, pass, polarities, &cr)
	res.Symbols = append(res.Symbols, cr.Symbols...)
	res.Failures = append(res.Failures, cr.Failures[:min(len(cr.Failures), maxFailures-len(res.Failures))]...)
	res.Stats.add(cr.Stats)
	return ok
}

// equalisedPassWanted reports whether the first pass of sc, which read
// syms and left the finder patterns counted in left, calls for the
// equalised pass:
//
//   - nothing read: always.
//   - one symbol read: when a pattern confirmed by minCountUnexplained scan
//     lines lies outside it. Otherwise the plane is a photo of one code or
//     a page whose text makes only weak look-alikes. On boofcv-dev the
//     equalised pass read a further code only in images with several
//     codes, where the first pass had read two or more or had left patterns
//     unexplained; without that evidence it cost about a third of Detect
//     on an image read at once.
//   - two symbols or more: when a pattern confirmed by minCountLeftover
//     lines lies outside them, or the plane is dark (scene.dark). Over the
//     716 corpus images, 59 had two or more symbols read in the first pass
//     and no pattern confirmed by 5 lines left; the equalised pass added a
//     code in 6 of them: five bright_spots photos (a bright spot and the
//     rest of the scene in the darkest levels, 42–76 % of the reduced
//     plane at levels 0–15) and lots/image007 (47 symbols read, 12
//     patterns confirmed by 3 or 4 lines left). The rule skips the pass in
//     28 of the 59, photos of two or three codes read at once, where it
//     cost about a third of Detect.
func equalisedPassWanted(sc *scene, syms []Symbol, left leftover) bool {
	switch len(syms) {
	case 0:
		return true
	case 1:
		return left.strong > 0
	}
	return left.weak > 0 || sc.dark()
}

// minCountLeftover is the number of confirming scan lines a finder pattern
// left outside two or more symbols read needs to call for the equalised
// pass (equalisedPassWanted).
const minCountLeftover = 3

// minCountUnexplained is the number of confirming scan lines a finder
// pattern left outside the single symbol of a first pass needs to call for
// the equalised pass (equalisedPassWanted). Over the 716 corpus images and
// the 96 images of make bench's four scenarios, 108 read one symbol in the
// first pass and left patterns confirmed by two lines or more; the
// equalised pass read another code in 4 of them (boofcv-dev bright_spots),
// each with a pattern confirmed by 6 to 13 lines. Of the other 104, whose
// patterns are text, data modules and texture, 79 have none confirmed by 5
// lines, among them 21 of the 24 clean invoice pages, where the pass cost
// about 2.8 of 8 ms of Detect. 5 leaves one line of margin below the
// weakest of the 4.
const minCountUnexplained = 5

// cropMaxNearRescues bounds the near-grid rescues of Detect on
// DecodeQuad's crop (Options.MaxNearRescues), where the look-alike triples
// around one candidate each went through the bend. With 1, nano, hybrid
// and large mode read the same texts image by image over the seven corpus
// sets; on boofcv-dev in nano mode (alternated twice, one core) the mean
// went 71.3 and 64.3 → 65.8 and 63.3 ms and the slowest image 746 and 708
// → 576 and 579 ms.
const cropMaxNearRescues = 1

// maxFailures bounds Result.Failures.
const maxFailures = 100

// coarseMinSide is the smallest longest side of the reduced plane on which
// Detect, having read nothing, locates once more on the equalised plane at
// twice the reduction. Binarisation follows the local mean over a window of
// a tenth of the reduced side (binarize.go): a finder pattern much wider
// than that window, as in a close-up, breaks up at the first scale and not
// at the second. On boofcv-dev (12 MP photos at a third) the pass read 4
// codes nothing else in the classic tier read, each matching its labelled
// polygon: close/image027 (modules of about 25 px at the first scale),
// curved/image014, glare/image041 and blurred/image020; the plain (not
// equalised) pass at that scale read none of them. On the 37 boofcv-dev
// images the classic tier could not read it cost about 7 ms each. At 500
// it read one code more (glare/image002) but ran on the 2 MP damaged
// pages of make bench too, 52 → 75 ms each; at 1000 they do not reach it.
const coarseMinSide = 1000

// coarseMaxNearRescues bounds the near-grid rescues of the coarse pass
// (Options.MaxNearRescues). On the 39 boofcv-dev photos Detect reads
// nothing in without it, the pass added 651 ms in all; each of its reads
// that needed a rescue (blurred/image020, curved/image014,
// glare/image041) came from the first one, and a bound of 1 brought the
// cost to 508 ms with the same reads. Without rescues (NoRescue) it cost
// 374 ms but read only close/image027; without pair completion, 451 ms
// without blurred/image020.
const coarseMaxNearRescues = 1

// fullPassWanted reports whether Detect, having located on sc with the
// result res, ends with the plain pass at full resolution (at most
// coarseMaxNearRescues near-grid rescues): when nothing was read on a
// reduced plane of at most fullPassMaxPixels where finder patterns were
// found and no candidate got as far as Reed–Solomon decoding, unless
// Options.SinglePass or NoFullPass. A plane whose reduction shows no
// finder pattern at all (blank, flat, plain texture) is not worth a full
// binarisation; and since grids are always sampled on the full plane, a
// candidate whose codewords failed to correct was located and sampled
// well enough at the reduced scale: its symbol is damaged or blurred
// beyond what more finder patterns would change.
//
// The reduction that makes locating cheap also merges what a symbol needs.
// On boofcv-dev blurred/image031 (12 MP, a version 3 symbol of about 19 px
// a module, blurred over about one) the third finder pattern is lost at a
// third of the size; high_version/image007 (2.5 MP, version 40) gives 216
// look-alike patterns at half the size and no readable version
// information, 67 patterns and a read at full size (image008, the same
// symbol in another photo, reads the same way). Over the 716 corpus images
// the pass read 4 codes nothing else in the classic tier read (those three
// and qreader test_mobile.jpeg, its expected text) and changed no other
// read. It costs one binarisation and finder scan of the full plane, and
// the triples found there, on the photos still unread: of the 33 boofcv-dev
// photos the classic tier cannot read it ran on 12 (the others are located
// at full size or show no pattern), and the Reed–Solomon condition skips 5
// of those, three 12 MP photos among them, and none of the four it reads.
func (d *Detector) fullPassWanted(sc *scene, res *Result) bool {
	if len(res.Symbols) > 0 || res.Stats.FinderPatterns == 0 || sc.scale == 1 ||
		sc.full.W*sc.full.H > fullPassMaxPixels || d.opts.SinglePass || d.opts.NoFullPass {
		return false
	}
	for _, f := range res.Failures {
		if f.Stage >= StageErrorCorrection {
			return false
		}
	}
	return true
}

// fullPassMaxPixels bounds the planes that get the full resolution pass
// (fullPassWanted): its bilevel image is a byte a pixel, allocated for the
// call above maxScratchBytes. 16 MP keeps the corpus's 12 MP photos and
// the transient memory of one read under 16 MB more than before; planes up
// to the 50 MP pixel limit go without it.
const fullPassMaxPixels = 16_000_000

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
