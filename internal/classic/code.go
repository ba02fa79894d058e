package classic

import (
	"github.com/qrcascade/qrcascade/internal/geom"
	"github.com/qrcascade/qrcascade/internal/vocab"
)

// Code is one decoded QR symbol, the one type a read travels in from the
// tier that decoded it to the public API: the classic tier fills it, the
// cascade adds the neural tier's provenance. Corners stay a geom.Quad
// until the public API converts them.
type Code struct {
	Text     string    // decoded text (charset per ECI, else gozxing's guess)
	Bytes    []byte    // payload bytes: byte segments joined, else the UTF-8 text
	Corners  geom.Quad // outer symbol corners TL, TR, BR, BL in pixels of the input plane
	Version  int       // 1..40, 0 when unknown
	ECLevel  string    // "L", "M", "Q" or "H"; "" when unknown
	Mirrored bool      // the symbol was read mirrored
	Inverted bool      // light modules on a dark background
	Errors   int       // number of corrected codeword errors, -1 when unknown
	Engine   string    // the decoding engine that produced it
	// Provenance: which tier, strategy (decoding path) and detector read
	// it. Strategy is a classic strategy name for classic reads and a
	// neural decoding path (cascade.NeuralStrategies) for neural ones;
	// Model is "" for classic reads.
	Tier     vocab.Tier
	Strategy string
	Model    vocab.Model
	// Confidence is 1 for a classic read; for a neural read, the score
	// of the detection it was decoded from. Every code passed the
	// Reed–Solomon check either way.
	Confidence float64
}

// Same reports whether a and b are the same symbol: the same text, and
// overlapping positions (one's centroid inside the other) or a position
// unknown (zero corners). It is the one rule by which strategies, tiers
// and pages deduplicate their reads.
func Same(a, b *Code) bool {
	if a.Text != b.Text {
		return false
	}
	if a.Corners == (geom.Quad{}) || b.Corners == (geom.Quad{}) {
		return true
	}
	return a.Corners.Overlaps(b.Corners)
}

// Quad returns c's corners (for geom.OverlapsAny).
func Quad(c *Code) geom.Quad { return c.Corners }

// AppendUnique appends to dst the codes of add that are not the Same as
// one already in dst (or added before them).
func AppendUnique(dst []Code, add ...Code) []Code {
outer:
	for i := range add {
		for j := range dst {
			if Same(&dst[j], &add[i]) {
				continue outer
			}
		}
		dst = append(dst, add[i])
	}
	return dst
}
