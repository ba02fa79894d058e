package qrcascade

import (
	"sync"

	"github.com/qrcascade/qrcascade/internal/gray"
)

// planePool lends the pixel buffer of a decoded JPEG plane from one read
// to the next (imgio.DecodePagesInto), so that a Reader serving a stream
// of photos does not allocate, clear and fault in a fresh buffer per image
// (12 MB for a 12 MP photo; on boofcv-dev the planes were 44 % of the bytes
// the classic tier's reads allocated). Buffers of planes from
// bigPlanePixels up are not kept: those reads give their memory back to
// the operating system (release.go). Being a sync.Pool, it drops what
// sits unused through two garbage collections, so an idle Reader holds
// nothing.
type planePool struct {
	p sync.Pool // *gray.Plane
}

// get returns a plane whose buffer the caller may lend to one decode.
func (pp *planePool) get() *gray.Plane {
	if b, ok := pp.p.Get().(*gray.Plane); ok {
		return b
	}
	return new(gray.Plane)
}

// put takes b back once the read of the plane decoded into it has ended.
func (pp *planePool) put(b *gray.Plane) {
	if b == nil || cap(b.Pix) == 0 || int64(cap(b.Pix)) >= bigPlanePixels {
		return
	}
	*b = gray.Plane{Pix: b.Pix[:0]}
	pp.p.Put(b)
}
