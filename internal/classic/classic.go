// Package classic is the classic (non-neural) tier of qrcascade: an ordered
// list of named preprocessing strategies, each handing its plane to a QR
// decoding engine, stopping at the first strategy that reads (or running all
// of them, by configuration).
//
// Why several strategies: a single binarisation never suits every photo.
// Global thresholds (Otsu) win on clean scans and glare-free photos; local
// thresholds survive shadows and uneven light; equalisation rescues
// low-contrast images; inversion reads light-on-dark codes; resampling puts
// the module size in the range the finder-pattern scan handles best.
// Strategies are cheap (about a millisecond each on 2 MP) compared with the
// decoding they feed, so the order matters: the one that most often wins
// goes first (docs/BENCHMARKS.md has the per-strategy win table).
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
	t := &Tier{stop: cfg.Stop, engine: cfg.Engine, harder: cfg.HarderEngine}
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
	// Unread holds the outer corners of candidate symbols that the
	// strategies run located but could not decode, away from every code
	// read: when codes were read, the hint that the plane holds more (the
	// cascade runs its detector after a read on it). Only engines that
	// locate symbols themselves report them (the locator strategies).
	Unread []geom.Quad
}

// unreadReporter is an Engine that also reports the candidates it located
// but could not decode.
type unreadReporter interface {
	DecodeUnread(ctx context.Context, p *gray.Plane) ([]Code, []geom.Quad, error)
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
		var unread []geom.Quad
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
		if len(codes) == 0 {
			continue
		}
		st.wins.Add(1)
		for j := range codes {
			codes[j].Strategy = s.Name
			if scale != 1 {
				codes[j].Corners = scaleQuad(codes[j].Corners, scale)
			}
		}
		out.Codes = appendUnique(out.Codes, codes...)
		for _, q := range unread {
			if scale != 1 {
				q = scaleQuad(q, scale)
			}
			out.Unread = append(out.Unread, q)
		}
		if t.stop == StopFirst {
			break
		}
	}
	out.Unread = dropCovered(out.Unread, out.Codes)
	return out, nil
}

// dropCovered removes from qs, in place, the quads that overlap a code.
func dropCovered(qs []geom.Quad, codes []Code) []geom.Quad {
	kept := qs[:0]
	for _, q := range qs {
		covered := false
		for i := range codes {
			if codes[i].Corners.Overlaps(q) {
				covered = true
				break
			}
		}
		if !covered {
			kept = append(kept, q)
		}
	}
	return kept
}

// scaleQuad maps corners from a plane resampled by 1/s back to the input
// plane. Coordinates measure from the top-left corner of the top-left
// pixel, so the mapping is a plain scale.
func scaleQuad(q geom.Quad, s float64) geom.Quad {
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
