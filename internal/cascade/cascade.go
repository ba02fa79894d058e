// Package cascade runs qrcascade's tiers over one gray plane, cheapest
// first, and says which stage read each code.
//
// # Pipeline
//
// Read runs, depending on Config.Mode (vocab.Mode):
//
//  1. the classic tier (Config.Classic, internal/classic) on the whole
//     plane. Classic mode stops here.
//  2. nano and hybrid modes: the nano detector when the classic tier read
//     nothing, or after a read as Config.AfterRead decides (by default
//     only when the classic tier located a candidate it could not decode
//     away from its reads). Its candidate quads, best score first, at
//     most Config.MaxCandidates and none on a code already read, are
//     decoded at full resolution (below).
//  3. hybrid mode: the large detector when nano's best score is under
//     Config.FallbackConfidence (with or without a read: a code nano
//     detected confidently and could not read, large boxes the same way),
//     or nano read codes and its smallest candidate is under
//     Config.FallbackSmallSide (Outcome.Fallback names which). Large mode
//     runs the large detector instead of nano, and never after a classic
//     read.
//
// A detector that finds nothing on a plane over two tiles long
// (Config.TileSide) runs again on overlapping tiles (tiles.go), unless a
// code is already known; hybrid's large pass never tiles (nano's tiles
// have covered the plane).
//
// Decoding a candidate quad, first success wins, each with its
// Code.Strategy: "quad", the locator on the quad (qr.Detector.DecodeQuad:
// finder patterns searched around and in the quad's own frame, blur
// deconvolution, grids fitted to the quad; see internal/qr); "crop_"+S,
// the crop tier's strategy S (Config.Crop: locator, adaptive, raw) on the
// quad warped upright from the full-resolution plane, corners mapped
// back; "quad_retry", Detect around the quad turned by 45° and scaled by
// √2 (detectors box a code turned by 45° by its edge midpoints), or the
// finder search in the frame of the quad enlarged 1.4× (a box covering
// part of the code).
//
// # Guarantees
//
//   - Outcome.Codes holds each symbol once (classic.Same: same text,
//     overlapping corners), classic reads first, each with its provenance:
//     Tier, Strategy, Model (the detector, "" for classic) and Confidence
//     (1 classic, the detection score for neural reads).
//   - Outcome.Model is the stage that read the first code (classic, nano,
//     large_fallback, large), or the last stage that ran when none did.
//   - Outcome.Classic, Nano and Large time each tier; Attempts lists the
//     classic strategies run on the whole plane.
//   - With Config.Explain, Outcome.Unread lists the candidates located or
//     detected but not read, with the stage where each stopped; without
//     it nothing is collected.
//   - Read does not modify the plane and is safe for concurrent use. When
//     ctx is done it returns what it has with ctx's error wrapped; a
//     detector that cannot be loaded is an error returned with the codes
//     read so far.
//   - LazyModel loads a detector on first use, unloads it after its idle
//     TTL and refuses a load over its memory budget.
//
// # Weaknesses
//
//   - Codes the detectors do not propose are not read (17 of the codes the
//     classic tier missed on boofcv-dev, 2026-11-25), and detected codes
//     blurred beyond the deconvolution, damaged or curved stay unread: a
//     perfect detector would add about 2 points to hybrid (91.8 → 93.9 %).
//   - Large mode skips nano, so a classic read followed by an unread code
//     nearby is not looked for there (after-read is nano's).
//   - Candidate decoding costs up to about 50 ms per retry on a 12 MP
//     photo; false detections on pages without codes each cost a finder
//     search.
//
// Measurements and the history of these choices: docs/DECISIONS.md and
// docs/BENCHMARKS.md.
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
	"github.com/qrcascade/qrcascade/internal/vocab"
)

// Config configures a Cascade.
type Config struct {
	// Mode selects the tiers. Zero value: vocab.ModeClassic.
	Mode vocab.Mode
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
	// when the classic tier read nothing. Zero: vocab.AfterReadUnread,
	// which runs it when the classic tier located candidates it could not
	// decode away from the codes it read (classic.Outcome.Unread): rare on
	// single-code pages (6 of 344 text-set images with a read), common on
	// photos of several codes, where it reads most of what
	// vocab.AfterReadAlways reads at a fraction of its cost
	// (docs/BENCHMARKS.md). vocab.AfterReadNever: images the classic tier
	// reads cost exactly what they cost in classic mode.
	AfterRead vocab.AfterRead
	// TileSide is the side of the overlapping tiles a detector runs on when
	// the whole-image pass finds nothing in a plane larger than two tiles
	// along its long side. Zero: 1280. Negative: no tiling.
	TileSide int
	// Explain fills Outcome.Unread with the detectors' candidates that
	// were not read, and the classic tier's failures (build Classic with
	// classic.Config.Explain for those). Default false.
	Explain bool
}

// Cascade reads a plane through the configured tiers. It is safe for
// concurrent use.
type Cascade struct {
	cfg Config
}

// New validates cfg and returns a Cascade.
func New(cfg Config) (*Cascade, error) {
	if cfg.Mode == "" {
		cfg.Mode = vocab.ModeClassic
	}
	if cfg.Classic == nil {
		return nil, errors.New("cascade: no classic tier")
	}
	switch cfg.Mode {
	case vocab.ModeClassic:
	case vocab.ModeNano:
		if cfg.Nano == nil {
			return nil, errors.New("cascade: nano mode without a nano model")
		}
	case vocab.ModeHybrid:
		if cfg.Nano == nil || cfg.Large == nil {
			return nil, errors.New("cascade: hybrid mode needs the nano and large models")
		}
	case vocab.ModeLarge:
		if cfg.Large == nil {
			return nil, errors.New("cascade: large mode without a large model")
		}
	default:
		return nil, fmt.Errorf("cascade: unknown mode %q", cfg.Mode)
	}
	if cfg.Crop == nil {
		// The locator on a rectified candidate crop skips the coarse pass
		// of whole photos (qr.Options.NoCoarsePass): on make bench's
		// damaged pages it ran on 1152 px crops for 40–50 ms and read
		// nothing.
		t, err := classic.New(classic.Config{
			Strategies:    cropStrategies(),
			LocatorEngine: classic.NewLocatorEngine(qr.Options{NoCoarsePass: true}),
		})
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
		cfg.AfterRead = vocab.AfterReadUnread
	case vocab.AfterReadUnread, vocab.AfterReadAlways, vocab.AfterReadNever:
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
func (c *Cascade) Mode() vocab.Mode { return c.cfg.Mode }

// Outcome is what one Read produced.
type Outcome struct {
	// Codes are the codes read, deduplicated (classic.Same), each with
	// its provenance: classic reads first, then each detector's.
	Codes    []classic.Code
	Attempts []classic.Attempt // the classic tier's strategy runs on the whole plane
	// Model is the stage that read the first code, or the last stage
	// that ran when none was read: classic, nano, large_fallback or
	// large.
	Model vocab.Model
	// Fallback is the reason hybrid mode ran the large model ("" if not).
	Fallback vocab.Fallback
	// AfterRead reports that the nano detector ran after the classic tier
	// had read codes (Config.AfterRead).
	AfterRead bool
	// Candidates counts the quads the detectors proposed.
	Candidates int
	// Timings per tier.
	Classic, Nano, Large time.Duration
	// Unread holds, with Config.Explain, the candidates located or
	// detected but not read, away from every code read: the classic
	// tier's failures, then each detector's candidates. Nil otherwise.
	Unread []Unread
	// Skipped lists the detector runs that could not take place because
	// their model could not be loaded (memory budget, weights missing or
	// corrupt, reader closed). The codes of the tiers that ran are kept:
	// the outcome is partial, not failed.
	Skipped []Skip
}

// The neural tier's decoding paths, the Code.Strategy of its reads (see
// decodeCandidate).
const (
	// StrategyQuad: the locator on the detector's quad
	// (qr.Detector.DecodeQuad).
	StrategyQuad = "quad"
	// StrategyQuadRetry: the locator on one of the retry quads
	// (retryQuads).
	StrategyQuadRetry = "quad_retry"
	// StrategyCropPrefix prefixes the crop tier's strategy that read the
	// rectified quad: "crop_locator", "crop_adaptive", "crop_raw".
	StrategyCropPrefix = "crop_"
)

// cropStrategies are the default crop tier's strategies (Config.Crop).
func cropStrategies() []string { return []string{classic.Locator, classic.Adaptive, classic.Raw} }

// NeuralStrategies returns every Code.Strategy of a neural read with the
// default crop tier, in the order decodeCandidate tries them.
func NeuralStrategies() []string {
	out := []string{StrategyQuad}
	for _, s := range cropStrategies() {
		out = append(out, StrategyCropPrefix+s)
	}
	return append(out, StrategyQuadRetry)
}

// StageNotTried is the Unread.Stage of a detector candidate that was not
// decoded: over Config.MaxCandidates, or the deadline passed first.
const StageNotTried = "not_tried"

// Unread is a candidate symbol that was located (classic tier) or detected
// (neural tier) but not read.
type Unread struct {
	Corners  geom.Quad   // outer corners, pixels of the plane
	Tier     vocab.Tier  // the tier that found it
	Strategy string      // classic: the strategy that located it
	Model    vocab.Model // neural: the detector that proposed it
	Score    float64     // neural: the detection score
	// Stage is where decoding stopped: a qr.Stage name (the furthest
	// any attempt on the candidate reached), or StageNotTried.
	Stage string
}

// Skip records a tier that was due to run but could not.
type Skip struct {
	Tier   vocab.Tier  // vocab.TierNeural
	Model  vocab.Model // the detector whose model could not be loaded
	Reason string      // SkipMemoryBudget or SkipModelUnavailable
	Err    error       // the load error, for logs; never shown to clients
}

// Reasons of a Skip, a closed set (the reason label of the skip counter).
const (
	// SkipMemoryBudget: loading the model would exceed the memory budget
	// (ErrOverBudget).
	SkipMemoryBudget = "memory_budget"
	// SkipModelUnavailable: the model's weights could not be loaded.
	SkipModelUnavailable = "model_unavailable"
)

// skipFor returns the Skip of a model that failed to load with err.
func skipFor(model vocab.Model, err error) Skip {
	reason := SkipModelUnavailable
	if errors.Is(err, ErrOverBudget) {
		reason = SkipMemoryBudget
	}
	return Skip{Tier: vocab.TierNeural, Model: model, Reason: reason, Err: err}
}

// Read runs the tiers over p (not modified). When ctx is done it returns
// what it has with ctx's error wrapped. A detector whose model cannot be
// loaded (memory budget, missing weights) is not an error: the run is
// listed in Outcome.Skipped and the earlier tiers' codes are returned (in
// hybrid mode a skipped nano run counts as no read, so large still runs).
func (c *Cascade) Read(ctx context.Context, p *gray.Plane) (Outcome, error) {
	var out Outcome
	start := time.Now()
	co, err := c.cfg.Classic.Read(ctx, p)
	out.Classic = time.Since(start)
	out.Attempts = co.Attempts
	out.Model = vocab.ModelClassic
	out.Codes = co.Codes
	if c.cfg.Explain {
		for _, f := range co.Failures {
			out.Unread = append(out.Unread, Unread{Corners: f.Corners, Tier: vocab.TierClassic, Strategy: f.Strategy, Stage: f.Stage.String()})
		}
		defer func() { out.Unread = dropRead(out.Unread, out.Codes) }()
	}
	if err != nil || c.cfg.Mode == vocab.ModeClassic {
		return out, err
	}
	if len(out.Codes) > 0 {
		run, focus := c.detectAfterRead(&co, p)
		if !run {
			return out, nil
		}
		out.AfterRead = true
		_, _, err := c.stageFocus(ctx, p, &out, c.cfg.Nano, vocab.ModelNano, vocab.ModelNano, c.cfg.Detect, true, focus, &out.Nano)
		return out, err
	}
	switch c.cfg.Mode {
	case vocab.ModeNano, vocab.ModeHybrid:
		dets, codes, err := c.stage(ctx, p, &out, c.cfg.Nano, vocab.ModelNano, vocab.ModelNano, c.cfg.Detect, true, &out.Nano)
		if err != nil || c.cfg.Mode == vocab.ModeNano {
			return out, err
		}
		out.Fallback = c.fallbackReason(dets, codes)
		if out.Fallback == vocab.FallbackNone {
			return out, nil
		}
		// No tiles for the large pass: nano has tiled the plane when its
		// whole-image pass found nothing, and where nano's tiles found
		// nothing too, large's (a dozen 640-px passes over a 12 MP photo,
		// up to 9.6 s) found nothing more (boofcv-dev, hybrid: the same
		// 618 reads).
		_, _, err = c.stage(ctx, p, &out, c.cfg.Large, vocab.ModelLarge, vocab.ModelLargeFallback, c.cfg.LargeDetect, false, &out.Large)
		return out, err
	case vocab.ModeLarge:
		_, _, err := c.stage(ctx, p, &out, c.cfg.Large, vocab.ModelLarge, vocab.ModelLarge, c.cfg.LargeDetect, true, &out.Large)
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
//
// After a lone read, an unread candidate counts only when it got past grid
// fitting (qr.StageAlignment): the look-alikes in the text of a one-code
// page stop there or before, while a page that yielded several codes
// likely holds more. Operator scenario blurry_photo (one code per photo,
// all read by the classic tier): the pass ran on 14 of 24 photos, nano
// CPU 148 → 39 ms per photo, classic's own cost; boofcv-dev and the text
// sets read the same codes with the same tiers and strategies.
func (c *Cascade) detectAfterRead(co *classic.Outcome, p *gray.Plane) (bool, []geom.Quad) {
	if c.cfg.Mode == vocab.ModeLarge {
		return false, nil
	}
	switch c.cfg.AfterRead {
	case vocab.AfterReadAlways:
		return true, nil
	case vocab.AfterReadUnread:
		var focus []geom.Quad
		lone := len(co.Codes) == 1
		for _, u := range co.Unread {
			if lone && u.Stage <= qr.StageAlignment {
				continue
			}
			if insidePlane(u.Corners, p) {
				focus = append(focus, u.Corners)
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
// to *elapsed, its candidates and codes, and model as out.Model unless an
// earlier stage read a code (Outcome.Model names the stage that read the
// first code). When the detector's model cannot be loaded, the run is
// added to out.Skipped instead and out is otherwise left as it was.
func (c *Cascade) stage(ctx context.Context, p *gray.Plane, out *Outcome, lm *LazyModel, name, model vocab.Model, opts neural.DetectOptions, tile bool, elapsed *time.Duration) ([]neural.Detection, []classic.Code, error) {
	return c.stageFocus(ctx, p, out, lm, name, model, opts, tile, nil, elapsed)
}

// stageFocus is stage that decodes only the candidates meeting one of
// focus (all of them when focus is nil).
func (c *Cascade) stageFocus(ctx context.Context, p *gray.Plane, out *Outcome, lm *LazyModel, name, model vocab.Model, opts neural.DetectOptions, tile bool, focus []geom.Quad, elapsed *time.Duration) ([]neural.Detection, []classic.Code, error) {
	m, err := lm.Get()
	if err != nil {
		out.Skipped = append(out.Skipped, skipFor(name, err))
		return nil, nil, nil
	}
	start := time.Now()
	dets, codes, unread, err := c.neural(ctx, p, m, name, opts, out.Codes, tile, focus)
	*elapsed = time.Since(start)
	out.Unread = append(out.Unread, unread...)
	if len(out.Codes) == 0 {
		out.Model = model
	}
	out.Candidates += len(dets)
	out.Codes = classic.AppendUnique(out.Codes, codes...)
	return dets, codes, err
}

// fallbackReason decides whether hybrid mode runs the large model after
// nano proposed dets and read codes.
//
// When nano read nothing, large runs unless nano's best candidate scored at
// least Config.FallbackConfidence: a code detected that confidently and
// not read is boxed the same way by large, whose decodes then fail the same
// way (boofcv-dev: large added its 4 codes after nano scores 0.36–0.67;
// after the 5 scores of 0.73–0.84 it added none, for 0.7–3.2 s each).
func (c *Cascade) fallbackReason(dets []neural.Detection, codes []classic.Code) vocab.Fallback {
	best := float32(0)
	smallest := math.Inf(1)
	for _, d := range dets {
		best = max(best, d.Score)
		smallest = math.Min(smallest, quadSide(d.Quad))
	}
	if len(codes) == 0 {
		if best >= c.cfg.FallbackConfidence {
			return vocab.FallbackNone
		}
		return vocab.FallbackNoRead
	}
	if best < c.cfg.FallbackConfidence {
		return vocab.FallbackLowConfidence
	}
	if smallest < c.cfg.FallbackSmallSide {
		return vocab.FallbackSmallCode
	}
	return vocab.FallbackNone
}

// neural runs one detector (m, named name) over p (with tile, tiling big planes when the
// whole-image pass finds nothing and no code is known) and decodes its
// candidates, except those on a code of known (read by an earlier tier).
// With Config.Explain it also returns the candidates it did not read.
func (c *Cascade) neural(ctx context.Context, p *gray.Plane, m *neural.Model, name vocab.Model, opts neural.DetectOptions, known []classic.Code, tile bool, focus []geom.Quad) ([]neural.Detection, []classic.Code, []Unread, error) {
	dets, err := m.DetectWith(ctx, p, opts)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("cascade: %s: %w", name, err)
	}
	if tile && len(dets) == 0 && len(known) == 0 && c.cfg.TileSide > 0 && max(p.W, p.H) > 2*c.cfg.TileSide {
		dets, err = c.detectTiles(ctx, m, p, opts)
		if err != nil {
			return dets, nil, nil, err
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
	var unread []Unread
	miss := func(d neural.Detection, stage string) {
		if c.cfg.Explain {
			unread = append(unread, Unread{Corners: d.Quad, Tier: vocab.TierNeural, Model: name, Score: float64(d.Score), Stage: stage})
		}
	}
	if len(dets) > c.cfg.MaxCandidates {
		for _, d := range dets[c.cfg.MaxCandidates:] {
			miss(d, StageNotTried)
		}
		dets = dets[:c.cfg.MaxCandidates]
	}
	var codes []classic.Code
	for i, d := range dets {
		if err := ctx.Err(); err != nil {
			for _, d := range dets[i:] {
				miss(d, StageNotTried)
			}
			return dets, codes, unread, fmt.Errorf("cascade: %w", err)
		}
		if codeCovered(codes, d.Quad) {
			continue
		}
		code, stage, ok := c.decodeCandidate(ctx, p, d.Quad)
		if ok {
			code.Tier, code.Model, code.Confidence = vocab.TierNeural, name, float64(d.Score)
			codes = classic.AppendUnique(codes, code)
			continue
		}
		miss(d, stage.String())
	}
	return dets, codes, unread, nil
}

// dropRead removes from us, in place, the candidates that overlap a code
// read (by a later strategy, tier or candidate).
func dropRead(us []Unread, codes []classic.Code) []Unread {
	kept := us[:0]
	for _, u := range us {
		if !codeCovered(codes, u.Corners) {
			kept = append(kept, u)
		}
	}
	return kept
}

// stageOf returns the stage of the reading procedure that err (from
// qr.Detector.DecodeQuad) names; StageFinder when it names none.
func stageOf(err error) qr.Stage {
	for _, s := range [...]struct {
		err   error
		stage qr.Stage
	}{
		{qr.ErrBitstream, qr.StageBitstream},
		{qr.ErrErrorCorrection, qr.StageErrorCorrection},
		{qr.ErrCodewords, qr.StageCodewords},
		{qr.ErrAlignment, qr.StageAlignment},
		{qr.ErrVersionInfo, qr.StageVersion},
		{qr.ErrFormatInfo, qr.StageFormat},
	} {
		if errors.Is(err, s.err) {
			return s.stage
		}
	}
	return qr.StageFinder
}

// decodeCandidate reads the symbol around quad q of p: the locator on the
// quad, then the crop strategies on the rectified quad, then the retries
// of retryQuads. When none reads, stage is the furthest stage the
// locator's attempts reached.
func (c *Cascade) decodeCandidate(ctx context.Context, p *gray.Plane, q geom.Quad) (code classic.Code, stage qr.Stage, ok bool) {
	s, err := c.cfg.Locator.DecodeQuad(ctx, p, q)
	if err == nil {
		code := classic.FromSymbol(s, "locator")
		code.Strategy = StrategyQuad
		return code, 0, true
	}
	stage = stageOf(err)
	if rect, h, ok := rectify(p, q); ok {
		if out, _ := c.cfg.Crop.Read(ctx, rect); len(out.Codes) > 0 {
			code := out.Codes[0]
			code.Corners = mapQuad(&h, code.Corners)
			code.Strategy = StrategyCropPrefix + code.Strategy
			return code, 0, true
		}
	}
	for _, r := range retryQuads(q) {
		if ctx.Err() != nil {
			break
		}
		s, err := c.cfg.Locator.DecodeQuadSteps(ctx, p, r.quad, r.steps)
		if err == nil {
			code := classic.FromSymbol(s, "locator")
			code.Strategy = StrategyQuadRetry
			return code, 0, true
		}
		stage = max(stage, stageOf(err))
	}
	return classic.Code{}, stage, false
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
func codeCovered(codes []classic.Code, q geom.Quad) bool {
	return geom.OverlapsAny(q, codes, classic.Quad)
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
	return geom.OverlapsAny(q, dets, func(d *neural.Detection) geom.Quad { return d.Quad })
}

// retry is one of a candidate's retries: a quad and the steps of
// qr.Detector.DecodeQuadSteps run on it.
type retry struct {
	quad  geom.Quad
	steps qr.QuadSteps
}

// retryQuads returns the retries of a candidate quad q whose own decoding
// failed, in order:
//
//   - the locator (qr.QuadLocate) around q turned by 45° about its centre
//     and scaled by √2, the square whose edge midpoints are q's corners.
//     Both detectors answer a code turned by about 45° with an upright
//     box whose corners lie near the code's edge midpoints (the corner
//     heads cannot tell which corner is "top left" there, and regress to
//     the middle): high_version/image007 and image008 of boofcv-dev,
//     29–41 % corner error. The locator finds finder patterns in any
//     orientation; what the turned square gives it is a region twice q's
//     side, which holds such a code's corners.
//   - the finder search in the frame of q scaled by 1.4 about its centre
//     (qr.QuadFinders): a candidate covering only part of the code (glare,
//     strong perspective), whose finder patterns lie outside the windows
//     searched around q's corners.
//
// The other steps on these quads are not run: the locator around the
// enlarged quad would search a region inside the turned square's, which
// it has just searched (for any box less elongated than 2.5:1), and
// neither the finder search in the turned square's frame nor grids fitted
// to either quad read a code over the seven corpus sets in nano or large
// mode (docs/DECISIONS.md, 2026-12-05).
func retryQuads(q geom.Quad) [2]retry {
	c := q.Centroid()
	var rot, big geom.Quad
	for i, v := range q {
		dx, dy := v.X-c.X, v.Y-c.Y
		rot[i] = geom.Point{X: c.X + dx - dy, Y: c.Y + dx + dy}
		big[i] = geom.Point{X: c.X + 1.4*dx, Y: c.Y + 1.4*dy}
	}
	return [2]retry{{rot, qr.QuadLocate}, {big, qr.QuadFinders}}
}
