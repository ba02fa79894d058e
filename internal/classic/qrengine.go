package classic

import (
	"context"

	"github.com/qrcascade/qrcascade/internal/geom"
	"github.com/qrcascade/qrcascade/internal/gray"
	"github.com/qrcascade/qrcascade/internal/qr"
)

// LocatorEngine decodes with qrcascade's own locator and sampler
// (internal/qr): finder patterns found by run-length checks in several
// directions, grouped into triples, the grid fitted with timing and
// alignment patterns (local transforms for high versions), sampled with
// sub-module averaging, decoded by gozxing's Reed–Solomon and bit-stream
// decoder. It locates on a reduced copy of big planes and samples at full
// resolution.
type LocatorEngine struct {
	d *qr.Detector
}

// NewLocatorEngine returns a LocatorEngine with the given options.
func NewLocatorEngine(opts qr.Options) LocatorEngine {
	return LocatorEngine{d: qr.NewDetector(opts)}
}

// Name implements Engine.
func (e LocatorEngine) Name() string { return "locator" }

// Decode implements Engine.
func (e LocatorEngine) Decode(ctx context.Context, p *gray.Plane) ([]Code, error) {
	codes, _, err := e.DecodeUnread(ctx, p)
	return codes, err
}

// DecodeUnread is Decode that also returns the candidates it located but
// could not decode, with estimated corners and the stage where each
// stopped, except those on a code read: the hint that a plane holds a code
// this engine misses (see Outcome.Unread) and what Outcome.Failures
// explains.
func (e LocatorEngine) DecodeUnread(ctx context.Context, p *gray.Plane) ([]Code, []qr.Failure, error) {
	res := e.d.Detect(ctx, p)
	var unread []qr.Failure
	for _, f := range res.Failures {
		if f.Corners == (geom.Quad{}) || onCode(res.Symbols, f.Corners) {
			continue
		}
		unread = append(unread, f)
	}
	codes := make([]Code, 0, len(res.Symbols))
	for _, s := range res.Symbols {
		codes = append(codes, FromSymbol(s, e.Name()))
	}
	return codes, unread, nil
}

// evidence reports whether a located candidate that stopped at stage is
// evidence of a symbol: a triple that failed the format information screen
// is most often a look-alike (text on a page: 1–7 per clean invoice); one
// that passed it and reached grid fitting is evidence of a symbol.
func evidence(stage qr.Stage) bool { return stage > qr.StageFormat }

// FromSymbol returns the Code of a symbol our locator (internal/qr) read,
// engine naming the engine; a byte-mode payload that is not valid UTF-8
// gets its text as ISO-8859-1 (binaryText), as gozxing's reads do.
func FromSymbol(s qr.Symbol, engine string) Code {
	c := Code{
		Text: s.Text, Bytes: s.Bytes, Corners: s.Corners, Version: s.Version, ECLevel: s.ECLevel,
		Mirrored: s.Mirrored, Inverted: s.Inverted, Errors: s.ErrorsCorrected, Engine: engine,
	}
	if len(c.Bytes) > 0 {
		c.Text = binaryText(c.Text, c.Bytes)
	}
	return c
}

// onCode reports whether q overlaps one of syms.
func onCode(syms []qr.Symbol, q geom.Quad) bool {
	return geom.OverlapsAny(q, syms, func(s *qr.Symbol) geom.Quad { return s.Corners })
}
