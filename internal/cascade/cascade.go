// Package cascade runs qrcascade's tiers in order, cheapest first: the
// classic strategies, then (mode permitting) the neural detectors, whose
// candidate quads are decoded again at full resolution. It owns the mode
// policy (classic, nano, hybrid, large), the fallback from nano to large,
// the tiling of big photos and the detectors' lifecycle (LazyModel).
//
// Decoding a candidate: first our own locator's DecodeQuad on the plane
// (Detect on a crop around the quad; then the three finder patterns
// searched in the quad's own frame with a blur-tolerant template, read as
// a located triple and, failing that, with the module values deconvolved
// by a blur model fitted on the function patterns; then grids fitted to
// the quad itself; see internal/qr's doc and quad.go); then the quad is
// rectified — warped from the full-resolution plane onto an upright
// square, small codes upscaled — and the crop strategies run on it;
// corners found there are mapped back.
//
// The detectors run when the classic tier read nothing and, by default
// (Config.AfterRead, AfterReadUnread), nano also runs after a classic read
// when the classic tier located a candidate it could not decode away from
// the codes it read: images holding several codes of which the classic
// tier read some. That pass decodes only the detector's candidates that
// meet such a located quad, and quads reaching out of the plane (invoice
// text look-alikes) do not raise it (#16). A candidate that none of the above reads is retried with
// two other quads (retryQuads: the 45° turn detectors make of codes turned
// by 45°, and a larger region).
//
// Measured (issue 5, 2026-11-25; `bin/qrcascade bench --mode M --manifest
// ../shared/corpus/boofcv-dev/manifest.jsonl`, one worker, 2 shared CPU
// cores; TestQuadCorpus with QRCASCADE_QUAD_CORPUS=1 for the tally). Of
// the 106 codes the classic tier leaves unread, 22 sit in images where it
// read another code (the detector does not run there), 17 are not
// detected and 67 are detected. Before the quad finder search nano mode
// read 20 of the 67: 562/648 codes, mean of categories 80.7 %, 104.8 ms
// CPU per image; after, 35: 577/648, mean 84.9 %, 115.7 ms CPU per image
// (blurred 18 → 23/35, bright_spots 42 → 44/49, damaged 12 → 14/21, glare
// 18 → 20/26, high_version 13 → 14/17, noncompliant 11 → 12/13,
// pathological 10 → 12/12, the others unchanged). Hybrid mode (the large
// model's candidates take the same path): 568 → 581/648, mean 82.2 →
// 85.8 %, 236.9 → 240.1 ms CPU per image; classic mode, unchanged, reads
// 542/648, mean 74.6 %, so hybrid is now +11.2 points (issue 5's target:
// +10) and nano +10.3. Hybrid on the text sets: 179/180, 128/137, 53/53,
// no false read, 0 of 46 negatives.
// Text sets in nano mode (zxing, zxing-cpp, jsqr, zxing-cpp-negatives):
// reads unchanged (179/180, 127/137, 53/53 images), no false read, 0 of 46
// negatives read, 21.3 → 24.0 ms CPU per image (negatives 85 → 132 ms
// mean: false detections now cost a finder search each). Steps, nano
// codes read from detected quads: finder template search 20 → 29;
// module-space deconvolution 29 → 33; box-filtered coarse search and
// module-size consensus (7.5× cheaper search) 33 → 33; the separator ring
// in the template 33 → 35. Of the 32 detected codes still unread, most reach
// Reed–Solomon on a plausible grid (blurred beyond the deconvolution,
// damaged, glare) and 10 have candidate corners off by 29–77 % of the
// side. Detecting after every classic read (AfterReadAlways; nano mode):
// 577 → 586/648 codes, mean 84.9 → 85.9 % (rotations 58 → 65/66, curved
// 19 → 20, nominal 36 → 37), 115.7 → 145.6 ms CPU per image; on the text
// sets, where nearly every image holds one code the classic tier reads,
// 24.0 → 57.5 ms CPU per image, reads unchanged, no false read, 0 of 46
// negatives: hence the Unread trigger (below) instead of always.
//
// Session 5 (2026-11-25, same command, classic tier 590/648, 85.7 %):
// the retry quads took hybrid from 605 to 609 codes (90.1 → 91.2 %), and
// the after-read hint (AfterReadUnread) to 613 (91.8 %), all that
// AfterReadAlways reads (613) for 221.5 instead of 256.3 ms CPU per image
// (never: 209.1); nano 604 → 608 (89.8 → 90.4 %). On the text sets the
// hint is not raised: nano mode 29.2 (never), 29.3 (unread), 63.9
// (always) ms CPU per image, the same reads. Decoding each code the
// classic tier misses from its hand-labelled quad (TestQuadCorpus with
// QRCASCADE_QUAD_ORACLE=1) reads 27 of 58, 8 of them missed by hybrid:
// a perfect detector would bring hybrid to about 93.9 %, short of
// classic + 10 points (95.7 %); the codes left need non-planar (curved,
// crumpled) decoding.
//
// Coordinates are pixels of the input plane, (0,0) top left, +x right, +y
// down.
package cascade

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/qrcascade/qrcascade/internal/classic"
	"github.com/qrcascade/qrcascade/internal/geom"
	"github.com/qrcascade/qrcascade/internal/gray"
	"github.com/qrcascade/qrcascade/internal/neural"
	"github.com/qrcascade/qrcascade/internal/qr"
)

// Mode selects the tiers.
type Mode string

// Modes.
const (
	ModeClassic Mode = "classic" // classic strategies only
	ModeNano    Mode = "nano"    // classic, then the nano detector
	ModeHybrid  Mode = "hybrid"  // classic, nano, then large when needed
	ModeLarge   Mode = "large"   // classic, then the large detector
)

// Model names as reported in Outcome.Model and Code.Model.
const (
	ModelClassic       = "classic"
	ModelNano          = "nano"
	ModelLarge         = "large"
	ModelLargeFallback = "large_fallback"
)

// Fallback reasons (hybrid mode), the closed label set of the fallback
// counter.
const (
	FallbackNone          = ""
	FallbackNoRead        = "no_read"        // nano led to no read
	FallbackLowConfidence = "low_confidence" // nano's best score under the threshold
	FallbackSmallCode     = "small_code"     // nano's smallest candidate under the size threshold
)

// Config configures a Cascade.
type Config struct {
	// Mode selects the tiers. Zero value: ModeClassic.
	Mode Mode
	// Classic is the classic tier run on the whole plane. Required.
	Classic *classic.Tier
	// Crop is the classic tier run on rectified candidate crops. Nil:
	// locator, adaptive, raw, stopping at the first read (on boofcv-dev the
	// other strategies read no crop that these missed, and dropping them cut
	// nano mode's CPU per image by 14 %).
	Crop *classic.Tier
	// Locator decodes candidate quads directly. Nil: default options.
	Locator *qr.Detector
	// Nano and Large are the detectors. Nano is required by nano and
	// hybrid modes, Large by hybrid and large.
	Nano, Large *LazyModel
	// Detect tunes the nano detector (threshold, input size…). Zero: the
	// model's defaults.
	Detect neural.DetectOptions
	// LargeDetect tunes the large detector. Zero: the model's defaults.
	LargeDetect neural.DetectOptions
	// FallbackConfidence: in hybrid mode, large runs when nano's best score
	// is under it. Zero: 0.7.
	FallbackConfidence float32
	// FallbackSmallSide: in hybrid mode, large runs when nano's smallest
	// candidate is under this side in pixels. Zero: 200.
	FallbackSmallSide float64
	// MaxCandidates bounds the candidates decoded per detector run. Zero: 8.
	MaxCandidates int
	// AfterRead decides, in nano and hybrid modes, whether the nano
	// detector also runs when the classic tier read codes, decoding its
	// candidates that lie away from them: images with several codes, of
	// which the classic tier read some. The large detector still runs only
	// when the classic tier read nothing. Zero: AfterReadUnread.
	AfterRead AfterRead
	// TileSide is the side of the overlapping tiles a detector runs on when
	// the whole-image pass finds nothing in a plane larger than two tiles
	// along its long side. Zero: 1280. Negative: no tiling.
	TileSide int
}

// AfterRead is the policy for running the nano detector after a classic
// read (Config.AfterRead).
type AfterRead string

// AfterRead policies.
const (
	// AfterReadUnread runs the detector after a read only when the classic
	// tier located candidates it could not decode away from the codes it
	// read (classic.Outcome.Unread) and wholly inside the plane, and then
	// decodes only the detector's candidates that meet one of them. On
	// single-code pages that is rare (6 of 344 text-set images with a
	// read), on photos of several codes common: most of what
	// AfterReadAlways reads, at a fraction of its cost
	// (docs/BENCHMARKS.md).
	AfterReadUnread AfterRead = "unread"
	// AfterReadAlways runs the detector after every read.
	AfterReadAlways AfterRead = "always"
	// AfterReadNever runs the detectors only when the classic tier read
	// nothing: images it reads cost exactly what they cost in classic mode.
	AfterReadNever AfterRead = "never"
)

// Cascade reads a plane through the configured tiers. It is safe for
// concurrent use.
type Cascade struct {
	cfg Config
}

// New validates cfg and returns a Cascade.
func New(cfg Config) (*Cascade, error) {
	if cfg.Mode == "" {
		cfg.Mode = ModeClassic
	}
	if cfg.Classic == nil {
		return nil, errors.New("cascade: no classic tier")
	}
	switch cfg.Mode {
	case ModeClassic:
	case ModeNano:
		if cfg.Nano == nil {
			return nil, errors.New("cascade: nano mode without a nano model")
		}
	case ModeHybrid:
		if cfg.Nano == nil || cfg.Large == nil {
			return nil, errors.New("cascade: hybrid mode needs the nano and large models")
		}
	case ModeLarge:
		if cfg.Large == nil {
			return nil, errors.New("cascade: large mode without a large model")
		}
	default:
		return nil, fmt.Errorf("cascade: unknown mode %q", cfg.Mode)
	}
	if cfg.Crop == nil {
		t, err := classic.New(classic.Config{Strategies: []string{classic.Locator, classic.Adaptive, classic.Raw}})
		if err != nil {
			return nil, err
		}
		cfg.Crop = t
	}
	if cfg.Locator == nil {
		cfg.Locator = qr.NewDetector(qr.Options{})
	}
	switch cfg.AfterRead {
	case "":
		cfg.AfterRead = AfterReadUnread
	case AfterReadUnread, AfterReadAlways, AfterReadNever:
	default:
		return nil, fmt.Errorf("cascade: unknown after-read policy %q (want unread, always or never)", cfg.AfterRead)
	}
	if cfg.FallbackConfidence == 0 {
		cfg.FallbackConfidence = 0.7
	}
	if cfg.FallbackSmallSide == 0 {
		cfg.FallbackSmallSide = 200
	}
	if cfg.MaxCandidates <= 0 {
		cfg.MaxCandidates = 8
	}
	if cfg.TileSide == 0 {
		cfg.TileSide = 1280
	}
	return &Cascade{cfg: cfg}, nil
}

// Mode returns the configured mode.
func (c *Cascade) Mode() Mode { return c.cfg.Mode }

// Code is one decoded code with the tier and model that read it.
type Code struct {
	classic.Code
	Tier       string  // "classic" or "neural"
	Model      string  // "" for classic; "nano", "large" for neural reads
	Confidence float64 // 1 for classic reads; the detection score for neural reads
}

// Outcome is what one Read produced.
type Outcome struct {
	Codes    []Code
	Attempts []classic.Attempt // the classic tier's strategy runs on the whole plane
	// Model is the last stage that ran: classic, nano, large_fallback or large.
	Model string
	// Fallback is the reason hybrid mode ran the large model ("" if not).
	Fallback string
	// AfterRead reports that the nano detector ran after the classic tier
	// had read codes (Config.AfterRead).
	AfterRead bool
	// Candidates counts the quads the detectors proposed.
	Candidates int
	// Timings per tier.
	Classic, Nano, Large time.Duration
}

// Read runs the tiers over p (not modified). When ctx is done it returns
// what it has with ctx's error wrapped. A detector that cannot be loaded
// is an error (the classic codes found so far are returned with it).
func (c *Cascade) Read(ctx context.Context, p *gray.Plane) (Outcome, error) {
	var out Outcome
	start := time.Now()
	co, err := c.cfg.Classic.Read(ctx, p)
	out.Classic = time.Since(start)
	out.Attempts = co.Attempts
	out.Model = ModelClassic
	for _, code := range co.Codes {
		out.Codes = append(out.Codes, Code{Code: code, Tier: "classic", Confidence: 1})
	}
	if err != nil || c.cfg.Mode == ModeClassic {
		return out, err
	}
	if len(out.Codes) > 0 {
		run, focus := c.detectAfterRead(&co, p)
		if !run {
			return out, nil
		}
		out.AfterRead = true
		_, _, err := c.stageFocus(ctx, p, &out, c.cfg.Nano, ModelNano, ModelNano, c.cfg.Detect, true, focus, &out.Nano)
		return out, err
	}
	switch c.cfg.Mode {
	case ModeNano, ModeHybrid:
		dets, codes, err := c.stage(ctx, p, &out, c.cfg.Nano, ModelNano, ModelNano, c.cfg.Detect, true, &out.Nano)
		if err != nil || c.cfg.Mode == ModeNano {
			return out, err
		}
		out.Fallback = c.fallbackReason(dets, codes)
		if out.Fallback == FallbackNone {
			return out, nil
		}
		// Tiles find small codes the whole-image pass cannot see; when
		// nano saw candidates on the whole image and read none, tiling
		// the large detector over a big photo (a dozen passes) finds
		// nothing more (boofcv-dev, hybrid: the same 613 reads; curved/
		// image011, 12 MP: 5.7 → 1.7 s).
		_, _, err = c.stage(ctx, p, &out, c.cfg.Large, ModelLarge, ModelLargeFallback, c.cfg.LargeDetect, len(dets) == 0, &out.Large)
		return out, err
	case ModeLarge:
		_, _, err := c.stage(ctx, p, &out, c.cfg.Large, ModelLarge, ModelLarge, c.cfg.LargeDetect, true, &out.Large)
		return out, err
	}
	return out, nil
}

// detectAfterRead reports whether the nano detector runs after the
// classic tier read co's codes on p and, under AfterReadUnread, the
// located-but-unread quads its candidates must meet to be decoded (nil:
// every candidate).
//
// Under AfterReadUnread only unread quads lying wholly inside the plane
// count: a symbol that crosses the border cannot be decoded, and the
// look-alikes of invoice text reach out of it (#16: of 24 clean invoices,
// 2 raised the hint, one with a quad 14 px beyond the left edge; on
// boofcv-dev the 3 images whose after-read pass adds a code all have
// unread quads inside the plane). Then only detector candidates that meet
// an unread quad are decoded: the two pieces of evidence must agree before
// a candidate costs a full-resolution decode (on the other clean invoice
// the detector's candidates lay elsewhere on the page).
func (c *Cascade) detectAfterRead(co *classic.Outcome, p *gray.Plane) (bool, []geom.Quad) {
	if c.cfg.Mode == ModeLarge {
		return false, nil
	}
	switch c.cfg.AfterRead {
	case AfterReadAlways:
		return true, nil
	case AfterReadUnread:
		var focus []geom.Quad
		for _, q := range co.Unread {
			if insidePlane(q, p) {
				focus = append(focus, q)
			}
		}
		return len(focus) > 0, focus
	}
	return false, nil
}

// insidePlane reports whether every corner of q lies within p (one pixel
// of tolerance).
func insidePlane(q geom.Quad, p *gray.Plane) bool {
	x0, y0, x1, y1 := q.Bounds()
	return x0 >= -1 && y0 >= -1 && x1 <= float64(p.W)+1 && y1 <= float64(p.H)+1
}

// boxesMeet reports whether the axis-aligned bounding boxes of a and b
// intersect.
func boxesMeet(a, b geom.Quad) bool {
	ax0, ay0, ax1, ay1 := a.Bounds()
	bx0, by0, bx1, by1 := b.Bounds()
	return ax0 <= bx1 && bx0 <= ax1 && ay0 <= by1 && by0 <= ay1
}

// stage runs one detector over p and adds what it found to out: its time
// to *elapsed, its candidates and codes, and model as the last stage run.
func (c *Cascade) stage(ctx context.Context, p *gray.Plane, out *Outcome, lm *LazyModel, name, model string, opts neural.DetectOptions, tile bool, elapsed *time.Duration) ([]neural.Detection, []Code, error) {
	return c.stageFocus(ctx, p, out, lm, name, model, opts, tile, nil, elapsed)
}

// stageFocus is stage that decodes only the candidates meeting one of
// focus (all of them when focus is nil).
func (c *Cascade) stageFocus(ctx context.Context, p *gray.Plane, out *Outcome, lm *LazyModel, name, model string, opts neural.DetectOptions, tile bool, focus []geom.Quad, elapsed *time.Duration) ([]neural.Detection, []Code, error) {
	start := time.Now()
	dets, codes, err := c.neural(ctx, p, lm, name, opts, out.Codes, tile, focus)
	*elapsed = time.Since(start)
	out.Model = model
	out.Candidates += len(dets)
	out.Codes = appendCodes(out.Codes, codes)
	return dets, codes, err
}

// fallbackReason decides whether hybrid mode runs the large model after
// nano proposed dets and read codes.
func (c *Cascade) fallbackReason(dets []neural.Detection, codes []Code) string {
	if len(codes) == 0 {
		return FallbackNoRead
	}
	best := float32(0)
	smallest := math.Inf(1)
	for _, d := range dets {
		best = max(best, d.Score)
		smallest = math.Min(smallest, quadSide(d.Quad))
	}
	if best < c.cfg.FallbackConfidence {
		return FallbackLowConfidence
	}
	if smallest < c.cfg.FallbackSmallSide {
		return FallbackSmallCode
	}
	return FallbackNone
}

// neural runs one detector over p (with tile, tiling big planes when the
// whole-image pass finds nothing and no code is known) and decodes its
// candidates, except those on a code of known (read by an earlier tier).
func (c *Cascade) neural(ctx context.Context, p *gray.Plane, lm *LazyModel, name string, opts neural.DetectOptions, known []Code, tile bool, focus []geom.Quad) ([]neural.Detection, []Code, error) {
	m, err := lm.Get()
	if err != nil {
		return nil, nil, err
	}
	dets, err := m.DetectWith(ctx, p, opts)
	if err != nil {
		return nil, nil, fmt.Errorf("cascade: %s: %w", name, err)
	}
	if tile && len(dets) == 0 && len(known) == 0 && c.cfg.TileSide > 0 && max(p.W, p.H) > 2*c.cfg.TileSide {
		dets, err = c.detectTiles(ctx, m, p, opts)
		if err != nil {
			return dets, nil, err
		}
	}
	// Candidates on codes already read are dropped before the budget is
	// applied: on a page of many codes (boofcv-dev lots: 60) read but for
	// one, the budget would otherwise go to the codes read.
	if len(known) > 0 || focus != nil {
		kept := dets[:0]
		for _, d := range dets {
			if !codeCovered(known, d.Quad) && (focus == nil || meetsAny(focus, d.Quad)) {
				kept = append(kept, d)
			}
		}
		dets = kept
	}
	sort.SliceStable(dets, func(i, j int) bool { return dets[i].Score > dets[j].Score })
	if len(dets) > c.cfg.MaxCandidates {
		dets = dets[:c.cfg.MaxCandidates]
	}
	var codes []Code
	for _, d := range dets {
		if err := ctx.Err(); err != nil {
			return dets, codes, fmt.Errorf("cascade: %w", err)
		}
		if codeCovered(codes, d.Quad) {
			continue
		}
		if code, ok := c.decodeCandidate(ctx, p, d.Quad); ok {
			codes = appendCodes(codes, []Code{{Code: code, Tier: "neural", Model: name, Confidence: float64(d.Score)}})
		}
	}
	return dets, codes, nil
}

// detectTiles runs m over overlapping tiles of p (25 % overlap) and maps the
// detections back to p's coordinates.
func (c *Cascade) detectTiles(ctx context.Context, m *neural.Model, p *gray.Plane, opts neural.DetectOptions) ([]neural.Detection, error) {
	t := c.cfg.TileSide
	step := t * 3 / 4
	var out []neural.Detection
	for y0 := 0; y0 < p.H; y0 += step {
		for x0 := 0; x0 < p.W; x0 += step {
			x1, y1 := min(x0+t, p.W), min(y0+t, p.H)
			tile := gray.Crop(p, x0, y0, x1, y1)
			dets, err := m.DetectWith(ctx, tile, opts)
			if err != nil {
				return out, fmt.Errorf("cascade: tiles: %w", err)
			}
			for _, d := range dets {
				for i := range d.Quad {
					d.Quad[i].X += float64(x0)
					d.Quad[i].Y += float64(y0)
				}
				if !detCovered(out, d.Quad) {
					out = append(out, d)
				}
			}
			if x1 == p.W {
				break
			}
		}
		if min(y0+t, p.H) == p.H {
			break
		}
	}
	return out, nil
}

// decodeCandidate reads the symbol around quad q of p: the locator on the
// quad, then the crop strategies on the rectified quad, then the locator on
// the other hypotheses of retryQuads.
func (c *Cascade) decodeCandidate(ctx context.Context, p *gray.Plane, q geom.Quad) (classic.Code, bool) {
	if s, err := c.cfg.Locator.DecodeQuad(ctx, p, q); err == nil {
		code := classic.FromSymbol(s, "locator")
		code.Strategy = "quad"
		return code, true
	}
	if rect, h, ok := rectify(p, q); ok {
		if out, _ := c.cfg.Crop.Read(ctx, rect); len(out.Codes) > 0 {
			code := out.Codes[0]
			code.Corners = mapQuad(&h, code.Corners)
			code.Strategy = "crop_" + code.Strategy
			return code, true
		}
	}
	for _, r := range retryQuads(q) {
		if ctx.Err() != nil {
			break
		}
		if s, err := c.cfg.Locator.DecodeQuad(ctx, p, r); err == nil {
			code := classic.FromSymbol(s, "locator")
			code.Strategy = "quad_retry"
			return code, true
		}
	}
	return classic.Code{}, false
}

// quadSide is the mean side length of q.
func quadSide(q geom.Quad) float64 {
	s := 0.0
	for i := 0; i < 4; i++ {
		s += q[i].Dist(q[(i+1)%4])
	}
	return s / 4
}

// codeCovered reports whether a code already read lies on quad q.
func codeCovered(codes []Code, q geom.Quad) bool {
	for _, c := range codes {
		if c.Corners.Overlaps(q) {
			return true
		}
	}
	return false
}

// meetsAny reports whether q's bounding box meets that of one of qs.
func meetsAny(qs []geom.Quad, q geom.Quad) bool {
	for _, r := range qs {
		if boxesMeet(r, q) {
			return true
		}
	}
	return false
}

// detCovered reports whether a detection overlapping q is already in dets.
func detCovered(dets []neural.Detection, q geom.Quad) bool {
	for _, d := range dets {
		if d.Quad.Overlaps(q) {
			return true
		}
	}
	return false
}

// appendCodes appends the codes of add whose text and position are new.
func appendCodes(dst, add []Code) []Code {
outer:
	for _, a := range add {
		for _, d := range dst {
			if d.Text == a.Text && (d.Corners.Overlaps(a.Corners) || d.Corners == (geom.Quad{}) || a.Corners == (geom.Quad{})) {
				continue outer
			}
		}
		dst = append(dst, a)
	}
	return dst
}

// retryQuads returns the hypotheses tried, with the locator on the
// plane, for a candidate quad q whose own decoding failed:
//
//   - q turned by 45° about its centre and scaled by √2, the square whose
//     edge midpoints are q's corners. Both detectors answer a code turned
//     by about 45° with an upright box whose corners lie near the code's
//     edge midpoints (the corner heads cannot tell which corner is "top
//     left" there, and regress to the middle): high_version/image007 and
//     image008 of boofcv-dev, 29–41 % corner error.
//   - q scaled by 1.4 about its centre: a candidate covering only part of
//     the code (glare, strong perspective), whose finder patterns lie
//     outside the region the locator searches around q.
//
// Measured on boofcv-dev (TestQuadCorpus, nano): detected codes read 10 →
// 14, neural tier time +18 %; each retry costs about 50 ms on a 12 MP
// photo, spent only on candidates nothing else read.
func retryQuads(q geom.Quad) [2]geom.Quad {
	c := q.Centroid()
	var rot, big geom.Quad
	for i, v := range q {
		dx, dy := v.X-c.X, v.Y-c.Y
		rot[i] = geom.Point{X: c.X + dx - dy, Y: c.Y + dx + dy}
		big[i] = geom.Point{X: c.X + 1.4*dx, Y: c.Y + 1.4*dy}
	}
	return [2]geom.Quad{rot, big}
}
