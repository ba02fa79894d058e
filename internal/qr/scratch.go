package qr

import (
	"github.com/qrcascade/qrcascade/internal/geom"
	"github.com/qrcascade/qrcascade/internal/gray"
)

// scratch lends byte buffers (reduced planes, bilevel images) to one Detect
// call and takes them all back at its end, so that a Detector reading many
// images of one size allocates and clears them once instead of per call
// (four buffers of a quarter of the pixels on a 2 MP page). A Detector keeps
// scratches in a sync.Pool; buffers bigger than maxScratchBytes in total
// are not kept, so a 12 MP photo does not hold its buffers after the call.
type scratch struct {
	free, used [][]byte
	total      int // bytes held, free and used
	grid       gridBufs
}

// gridBufs holds the working buffers of one module grid's sampling:
// lattice points and module values, reused by the next grid (a boofcv-dev
// image samples dozens of grids; these were a third of the bytes the
// classic tier allocated). Nil-safe: a nil *gridBufs allocates.
type gridBufs struct {
	pts           []geom.Point
	vals, sh, sat []float64
}

// points returns a slice of n points with undefined contents.
func (g *gridBufs) points(n int) []geom.Point {
	if g == nil {
		return make([]geom.Point, n)
	}
	if cap(g.pts) < n {
		g.pts = make([]geom.Point, n)
	}
	return g.pts[:n]
}

// values returns the module values buffer of n float64, contents
// undefined.
func (g *gridBufs) values(n int) []float64 {
	if g == nil {
		return make([]float64, n)
	}
	return grow(&g.vals, n)
}

// sharpened returns the buffer of n float64 for thresholdModules'
// sharpened values, contents undefined.
func (g *gridBufs) sharpened(n int) []float64 {
	if g == nil {
		return make([]float64, n)
	}
	return grow(&g.sh, n)
}

// table returns the buffer of n float64 for thresholdModules' summed-area
// table, zeroed.
func (g *gridBufs) table(n int) []float64 {
	if g == nil {
		return make([]float64, n)
	}
	t := grow(&g.sat, n)
	clear(t)
	return t
}

func grow(b *[]float64, n int) []float64 {
	if cap(*b) < n {
		*b = make([]float64, n)
	}
	return (*b)[:n]
}

// maxScratchBytes bounds the buffers a pooled scratch keeps (a 2–5 MP
// image's four quarter-size buffers fit).
const maxScratchBytes = 6 << 20

// bytes returns a buffer of n bytes with undefined contents: the smallest
// free buffer that holds n bytes, or else a new one that replaces the
// biggest free buffer too small for n. The scratch then holds no more
// buffers than one call uses at once, each as big as the calls need (a
// Detector reading candidate crops of many sizes, DecodeQuad, would
// otherwise pile up one buffer per size until the scratch grew past
// maxScratchBytes and was dropped).
func (s *scratch) bytes(n int) []byte {
	if s == nil {
		return make([]byte, n)
	}
	fit, small := -1, -1
	for i, b := range s.free {
		switch {
		case cap(b) >= n && (fit < 0 || cap(b) < cap(s.free[fit])):
			fit = i
		case cap(b) < n && (small < 0 || cap(b) > cap(s.free[small])):
			small = i
		}
	}
	if fit >= 0 {
		b := s.free[fit]
		s.free = append(s.free[:fit], s.free[fit+1:]...)
		s.used = append(s.used, b)
		return b[:n]
	}
	if small >= 0 {
		s.total -= cap(s.free[small])
		s.free = append(s.free[:small], s.free[small+1:]...)
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
