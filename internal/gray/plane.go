// Package gray holds the 8-bit gray plane that every stage of qrcascade works
// on, and the preprocessing operations applied to it (histogram equalisation,
// Otsu and adaptive thresholds, resampling, inversion, sharpening, cropping).
//
// The operations are written by hand on []byte because the general-purpose
// image libraries are far too slow for this job: x/image/draw needs ~34 ms to
// halve a 2 MP gray image, where a dedicated area filter needs ~1 ms.
//
// Coordinates: (0,0) is the top-left pixel, +x to the right, +y down. A pixel
// at (x, y) is Pix[y*Stride+x].
//
// Every operation has the shape Op(dst, src *Plane, args...) *Plane and
// returns the plane it wrote:
//   - dst may be nil: a new compact plane is allocated. Otherwise dst is
//     resized to the output size with Stride == W, reusing its Pix when its
//     capacity suffices, so a caller that keeps its planes across calls
//     allocates nothing (operations keep their per-row scratch on the stack
//     for planes up to 4096 pixels wide). A dst that is a crop view would be
//     overwritten as a compact plane: pass only planes you own.
//   - dst must not share memory with src. The point operations (Copy,
//     ApplyLUT, Invert, Threshold, Equalize, Stretch) run in place when
//     dst == src, crop views included; the others then allocate a new plane
//     rather than overwrite their input.
//   - src may be a crop view (Stride > W); src is never modified.
//   - Neighbourhood operations replicate the edge pixels at the borders,
//     except the local thresholds, whose window shrinks to the part inside
//     the plane. Each doc comment gives the cost and the border rule.
//   - Pixel loops use integer arithmetic with the rounding stated per
//     operation, so results are exact and identical on every platform
//     (Sauvola alone uses float64 per pixel). Builds with Go's simd
//     experiment halve planes (Downscale by 2) sixteen pixels at a time on
//     AVX2 CPUs (resample_simd.go), with the same bytes.
//
// The operations keep no state: calls on distinct dst planes may run
// concurrently, sharing a src (only read, except by an in-place call). They
// panic on a malformed Plane (Pix shorter than (H-1)*Stride+W).
package gray

// Plane is an 8-bit gray image. The zero value is an empty plane.
//
// Planes produced by this package own their Pix slice and have Stride == W.
// Crop may return a plane that shares Pix with its parent (Stride > W).
type Plane struct {
	W, H   int    // width and height in pixels
	Stride int    // distance in bytes between vertically adjacent pixels
	Pix    []byte // pixels, row-major, len >= (H-1)*Stride+W
}

// New returns a zeroed W×H plane with Stride == W.
func New(w, h int) *Plane {
	if w < 0 || h < 0 {
		w, h = 0, 0
	}
	return &Plane{W: w, H: h, Stride: w, Pix: make([]byte, w*h)}
}

// At returns the pixel at (x, y), or 0 outside the plane.
func (p *Plane) At(x, y int) byte {
	if x < 0 || y < 0 || x >= p.W || y >= p.H {
		return 0
	}
	return p.Pix[y*p.Stride+x]
}

// Row returns the pixels of row y (len W), sharing memory with the plane.
func (p *Plane) Row(y int) []byte {
	o := y * p.Stride
	return p.Pix[o : o+p.W : o+p.W]
}

// Clone returns a compact (Stride == W) copy of p.
func (p *Plane) Clone() *Plane {
	q := New(p.W, p.H)
	for y := 0; y < p.H; y++ {
		copy(q.Pix[y*q.W:(y+1)*q.W], p.Row(y))
	}
	return q
}

// Compact returns p itself when Stride == W, else a compact copy.
func (p *Plane) Compact() *Plane {
	if p.Stride == p.W {
		return p
	}
	return p.Clone()
}
