package qr

import "qrcascade/internal/gray"

// scratch lends byte buffers (reduced planes, bilevel images) to one Detect
// call and takes them all back at its end, so that a Detector reading many
// images of one size allocates and clears them once instead of per call
// (four buffers of a quarter of the pixels on a 2 MP page). A Detector keeps
// scratches in a sync.Pool; buffers bigger than maxScratchBytes in total
// are not kept, so a 12 MP photo does not hold its buffers after the call.
type scratch struct {
	free, used [][]byte
	total      int // bytes held, free and used
}

// maxScratchBytes bounds the buffers a pooled scratch keeps (a 2–5 MP
// image's four quarter-size buffers fit).
const maxScratchBytes = 6 << 20

// bytes returns a buffer of n bytes with undefined contents.
func (s *scratch) bytes(n int) []byte {
	if s == nil {
		return make([]byte, n)
	}
	for i, b := range s.free {
		if cap(b) >= n {
			s.free = append(s.free[:i], s.free[i+1:]...)
			s.used = append(s.used, b)
			return b[:n]
		}
	}
	b := make([]byte, n)
	s.used = append(s.used, b)
	s.total += n
	return b
}

// plane returns a w×h plane backed by a scratch buffer (contents undefined).
func (s *scratch) plane(w, h int) *gray.Plane {
	return &gray.Plane{W: w, H: h, Stride: w, Pix: s.bytes(w * h)}
}

// release makes every buffer free again. It reports whether the scratch is
// worth keeping.
func (s *scratch) release() bool {
	s.free = append(s.free, s.used...)
	clear(s.used)
	s.used = s.used[:0]
	return s.total <= maxScratchBytes
}
