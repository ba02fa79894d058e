// Package classic is the classic (non-neural) tier of qrcascade: an
// ordered list of named preprocessing strategies, each handing its plane
// to a QR decoding engine, stopping at the first strategy that reads
// (StopFirst) or running all of them (StopAll).
//
// # Pipeline
//
// For each strategy of Config.Strategies (default DefaultOrder: locator,
// harder, invert, locator_eq): prepare a plane from the input (the input
// itself, an equalised, thresholded, inverted, sharpened or resampled
// copy; a strategy that does not apply, such as downscale on a small
// image, is skipped), decode it with the strategy's engine, and map the
// corners found back to the input plane. Engines: LocatorEngine, our own
// locator and sampler (internal/qr) feeding a Reed–Solomon and bit-stream
// decoder; GozxingEngine, gozxing's detector and decoder, plain or
// scanning every row ("harder").
//
// Why several strategies: a single binarisation never suits every photo.
// Global thresholds (Otsu) win on clean scans, local thresholds survive
// shadows, equalisation rescues low contrast, inversion reads
// light-on-dark codes, resampling puts the module size where the finder
// scan works best. The order is by measured wins on the corpus
// (docs/BENCHMARKS.md); every strategy in DefaultOrder wins there, the
// others (Names) run only when named.
//
// # Guarantees
//
//   - Outcome.Codes holds each symbol once (Same: same text, overlapping
//     corners), in the order found, each a Code with its provenance: Tier
//     classic, the Strategy that read it, Confidence 1. Code is the one
//     code type of the cascade and the public API.
//   - Outcome.Attempts has one entry per strategy run or skipped.
//   - Outcome.Unread holds the candidates the locator strategies located
//     past the format information but could not decode, away from every
//     code read: the cascade's hint that the plane holds more codes. With
//     Config.Explain, Outcome.Failures holds every located candidate not
//     read with the stage where it stopped (qr.Stage).
//   - Read does not modify the input plane, checks ctx between strategies
//     (returning what it has with ctx's error wrapped), and an Outcome
//     with no codes and a nil error means no code was found. A Tier is
//     safe for concurrent use; Stats counts runs and wins atomically.
//
// # Weaknesses
//
//   - Strong blur, perspective beyond the finder scan's tolerance,
//     curved or crumpled codes and damaged finder patterns defeat every
//     strategy: those are the neural tier's (internal/cascade).
//   - An unreadable image runs every strategy: about four decodes of the
//     whole plane (the locator bounds its failed grids to keep it cheap).
//   - gozxing reports finder centres only; its codes' outer corners are
//     extrapolated through the module-to-pixel transform.
//
// Coordinates are pixels of the input plane, (0,0) top left, +x right,
// +y down. Codes found on a rescaled plane are mapped back.
package classic

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/qrcascade/qrcascade/internal/geom"
	"github.com/qrcascade/qrcascade/internal/gray"
	"github.com/qrcascade/qrcascade/internal/qr"
	"github.com/qrcascade/qrcascade/internal/vocab"
)

// StopPolicy says when the tier stops trying strategies.
type StopPolicy int

const (
	// StopFirst stops after the first strategy that reads at least one
	// code (its codes are all returned). The default.
	StopFirst StopPolicy = iota
	// StopAll runs every strategy and returns the union of their codes,
	// deduplicated by position and text.
	StopAll
)

// Config configures a Tier. The zero value is valid.
type Config struct {
	// Strategies names the strategies to run, in order. Nil or empty:
	// DefaultOrder().
	Strategies []string
	// Stop is the stop policy. Zero value: StopFirst.
	Stop StopPolicy
	// Engine decodes each preprocessed plane. Nil: GozxingEngine{}.
	Engine Engine
	// HarderEngine is used by the "harder" strategy. Nil: GozxingEngine with
	// TryHarder set.
	HarderEngine Engine
	// LocatorEngine is used by the locator strategies. Nil: our own
	// locator with default options.
	LocatorEngine Engine
	// Explain fills Outcome.Failures. Default false: the tier keeps only
	// what Outcome.Unread needs.
	Explain bool
}

// Tier runs the classic strategies. It is safe for concurrent use; its
// counters are updated atomically.
type Tier struct {
	strategies []Strategy
	stop       StopPolicy
	engine     Engine
	harder     Engine
	locator    Engine
	locatorEq  Engine
	explain    bool
	// twoPassLocator: the locator engine is the default one, whose second
	// pass locates on an equalised copy of the plane (input.equalisedSrc).
	twoPassLocator bool
	stats          []strategyCounters // parallel to strategies
}

type strategyCounters struct {
	attempts, wins atomic.Uint64
	nanos          atomic.Int64
}

// New validates cfg and returns a Tier.
func New(cfg Config) (*Tier, error) {
	names := cfg.Strategies
	if len(names) == 0 {
		names = DefaultOrder()
	}
	t := &Tier{stop: cfg.Stop, engine: cfg.Engine, harder: cfg.HarderEngine, explain: cfg.Explain}
	if t.engine == nil {
		t.engine = GozxingEngine{}
	}
	if t.harder == nil {
		t.harder = GozxingEngine{TryHarder: true}
	}
	t.locator, t.locatorEq = cfg.LocatorEngine, cfg.LocatorEngine
	if t.locator == nil {
		t.twoPassLocator = true
		t.locator = NewLocatorEngine(qr.Options{})
		// locator_eq runs last, on images the locator (whose second pass
		// already sees an equalised copy) could not read: a small failure
		// budget keeps unreadable images cheap (boofcv-dev: 93 → 41 ms per
		// attempt, 506 → 505 of 648 codes).
		// It does not complete finder pairs either: the locator did on
		// the same plane (boofcv-dev: 50 → 26 ms per attempt, same codes).
		t.locatorEq = NewLocatorEngine(qr.Options{MaxFailedGrids: 10, NoPairCompletion: true, SinglePass: true})
	}
	seen := map[string]bool{}
	for _, n := range names {
		if seen[n] {
			return nil, fmt.Errorf("classic: strategy %q listed twice", n)
		}
		seen[n] = true
		s, err := lookupStrategy(n)
		if err != nil {
			return nil, err
		}
		t.strategies = append(t.strategies, s)
	}
	if cfg.Stop != StopFirst && cfg.Stop != StopAll {
		return nil, fmt.Errorf("classic: unknown stop policy %d", cfg.Stop)
	}
	t.stats = make([]strategyCounters, len(t.strategies))
	return t, nil
}

// Strategies returns the configured strategy names in order.
func (t *Tier) Strategies() []string {
	out := make([]string, len(t.strategies))
	for i, s := range t.strategies {
		out[i] = s.Name
	}
	return out
}

// Attempt records one strategy run.
type Attempt struct {
	Strategy string
	Duration time.Duration // preprocessing + decoding
	Codes    int           // codes this strategy read (before deduplication)
	Skipped  bool          // the strategy does not apply to this input
}

// Outcome is what one Read produced.
type Outcome struct {
	Codes    []Code    // deduplicated, in the order found
	Attempts []Attempt // one per strategy run or skipped, in order
	// Unread holds the candidate symbols that the strategies run located
	// past the format information but could not decode, away from every
	// code read, with the stage where each stopped: when codes were read,
	// the hint that the plane holds more (the cascade runs its detector
	// after a read on it). Only engines that locate symbols themselves
	// report them (the locator strategies).
	Unread []Failure
	// Failures holds, with Config.Explain, every candidate the strategies
	// run located but could not decode, away from the codes read, one per
	// position (the one that went furthest), with the stage where it
	// stopped. Nil without Config.Explain.
	Failures []Failure
}

// Failure is a candidate symbol a strategy located but could not decode.
type Failure struct {
	Strategy string    // the strategy that located it
	Stage    qr.Stage  // where decoding stopped
	Corners  geom.Quad // estimated outer corners, pixels of the input plane
}

// unreadReporter is an Engine that also reports the candidates it located
// but could not decode.
type unreadReporter interface {
	DecodeUnread(ctx context.Context, p *gray.Plane) ([]Code, []qr.Failure, error)
}

// Read runs the strategies over p (which it does not modify) and returns
// the codes found. It checks ctx between strategies: when ctx is done it
// returns what it has with ctx's error. An Outcome with no codes and a nil
// error means no code was found.
func (t *Tier) Read(ctx context.Context, p *gray.Plane) (Outcome, error) {
	var out Outcome
	in := input{src: p}
	for i := range t.strategies {
		if err := ctx.Err(); err != nil {
			return out, fmt.Errorf("classic: %w", err)
		}
		s := &t.strategies[i]
		start := time.Now()
		plane, scale, ok := s.prepare(&in)
		if !ok {
			out.Attempts = append(out.Attempts, Attempt{Strategy: s.Name, Skipped: true})
			continue
		}
		eng := t.engine
		switch s.engine {
		case engineHarder:
			eng = t.harder
		case engineLocator:
			eng = t.locator
		case engineLocatorEq:
			eng = t.locatorEq
		}
		var codes []Code
		var unread []qr.Failure
		var err error
		if r, ok := eng.(unreadReporter); ok {
			codes, unread, err = r.DecodeUnread(ctx, plane)
		} else {
			codes, err = eng.Decode(ctx, plane)
		}
		if s.engine == engineLocator && plane == p && t.twoPassLocator {
			in.equalisedSrc = true
		}
		d := time.Since(start)
		st := &t.stats[i]
		st.attempts.Add(1)
		st.nanos.Add(int64(d))
		out.Attempts = append(out.Attempts, Attempt{Strategy: s.Name, Duration: d, Codes: len(codes)})
		if err != nil {
			return out, fmt.Errorf("classic: strategy %s: %w", s.Name, err)
		}
		if t.explain {
			for _, f := range unread {
				out.Failures = addFailure(out.Failures, Failure{Strategy: s.Name, Stage: f.Stage, Corners: scaleQuad(f.Corners, scale)})
			}
		}
		if len(codes) == 0 {
			continue
		}
		st.wins.Add(1)
		for j := range codes {
			codes[j].Tier, codes[j].Strategy, codes[j].Confidence = vocab.TierClassic, s.Name, 1
			if scale != 1 {
				codes[j].Corners = scaleQuad(codes[j].Corners, scale)
			}
		}
		out.Codes = AppendUnique(out.Codes, codes...)
		for _, f := range unread {
			if evidence(f.Stage) {
				out.Unread = append(out.Unread, Failure{Strategy: s.Name, Stage: f.Stage, Corners: scaleQuad(f.Corners, scale)})
			}
		}
		if t.stop == StopFirst {
			break
		}
	}
	out.Unread = dropCovered(out.Unread, out.Codes)
	if t.explain {
		kept := out.Failures[:0]
		for _, f := range out.Failures {
			if !onCodes(out.Codes, f.Corners) {
				kept = append(kept, f)
			}
		}
		out.Failures = kept
	}
	return out, nil
}

// addFailure adds f to fs: in place of a failure at the same position that
// stopped at an earlier stage, not at all when one there went as far.
func addFailure(fs []Failure, f Failure) []Failure {
	for i := range fs {
		if fs[i].Corners.Overlaps(f.Corners) {
			if f.Stage > fs[i].Stage {
				fs[i] = f
			}
			return fs
		}
	}
	return append(fs, f)
}

// onCodes reports whether q overlaps one of codes.
func onCodes(codes []Code, q geom.Quad) bool { return geom.OverlapsAny(q, codes, Quad) }

// dropCovered removes from fs, in place, the failures that overlap a code.
func dropCovered(fs []Failure, codes []Code) []Failure {
	kept := fs[:0]
	for _, f := range fs {
		if !onCodes(codes, f.Corners) {
			kept = append(kept, f)
		}
	}
	return kept
}

// scaleQuad maps corners from a plane resampled by 1/s back to the input
// plane. Coordinates measure from the top-left corner of the top-left
// pixel, so the mapping is a plain scale.
func scaleQuad(q geom.Quad, s float64) geom.Quad {
	if s == 1 {
		return q
	}
	for i := range q {
		q[i] = geom.Point{X: q[i].X * s, Y: q[i].Y * s}
	}
	return q
}

// StrategyStats is a snapshot of one strategy's counters.
type StrategyStats struct {
	Strategy string
	Attempts uint64        // times it ran (skips excluded)
	Wins     uint64        // times it read at least one code
	Time     time.Duration // total time spent in it
}

// Stats returns a snapshot of the per-strategy counters since New.
func (t *Tier) Stats() []StrategyStats {
	out := make([]StrategyStats, len(t.strategies))
	for i := range t.strategies {
		out[i] = StrategyStats{
			Strategy: t.strategies[i].Name,
			Attempts: t.stats[i].attempts.Load(),
			Wins:     t.stats[i].wins.Load(),
			Time:     time.Duration(t.stats[i].nanos.Load()),
		}
	}
	return out
}
