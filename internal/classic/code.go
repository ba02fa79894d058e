package classic

import "github.com/qrcascade/qrcascade/internal/geom"

// Code is one decoded QR symbol as the classic tier reports it.
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
	Strategy string    // the strategy (preprocessing) under which it was read
}

// sameCode reports whether a and b are the same symbol: same text and
// overlapping positions (a read of one symbol under two strategies).
func sameCode(a, b *Code) bool {
	if a.Text != b.Text {
		return false
	}
	if a.Corners == (geom.Quad{}) || b.Corners == (geom.Quad{}) {
		return true
	}
	return a.Corners.Overlaps(b.Corners)
}

// appendUnique appends the codes of add that are not already in dst.
func appendUnique(dst []Code, add ...Code) []Code {
outer:
	for i := range add {
		for j := range dst {
			if sameCode(&dst[j], &add[i]) {
				continue outer
			}
		}
		dst = append(dst, add[i])
	}
	return dst
}
