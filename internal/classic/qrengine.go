package classic

import (
	"context"

	"qrcascade/internal/gray"
	"qrcascade/internal/qr"
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
	res := e.d.Detect(ctx, p)
	codes := make([]Code, 0, len(res.Symbols))
	for _, s := range res.Symbols {
		c := Code{
			Text: s.Text, Bytes: s.Bytes, Corners: s.Corners, Version: s.Version, ECLevel: s.ECLevel,
			Mirrored: s.Mirrored, Inverted: s.Inverted, Errors: s.ErrorsCorrected, Engine: e.Name(),
		}
		if len(c.Bytes) > 0 {
			c.Text = binaryText(c.Text, c.Bytes)
		}
		codes = append(codes, c)
	}
	return codes, nil
}
