package qr

import (
	"math"

	"qrcascade/internal/geom"
	"qrcascade/internal/gray"
)

// Binarisation.
//
// Finder patterns are searched on a bilevel image made by a local mean
// threshold: a pixel is dark when it is darker than the mean of the window
// around it less a small margin. The window is about a tenth of the (reduced)
// image side, clamped to 24–160 pixels, which covers a finder pattern of up
// to about 20-pixel modules while still following shadows and glare edges.
// The mean comes from a summed-area table, so the cost is O(W·H) whatever the
// window. Weak spot: inside large uniform dark areas wider than the window
// (huge modules) the threshold follows the dark level and noise shows through;
// big symbols are found on the reduced copy, where modules are smaller.
//
// Module sampling does not use this image: modules are read from the gray
// plane at full resolution and thresholded in module space (see sample.go).

// bitmap is a bilevel image: 1 for dark, 0 for light.
type bitmap struct {
	w, h int
	pix  []byte
	src  *gray.Plane // the plane whose gray levels finder contrasts are measured on
	// minContrast is the smallest finder pattern contrast accepted, in
	// levels of src (see finderContrastFloor).
	minContrast float64
}

func (b *bitmap) at(x, y int) byte { return b.pix[y*b.w+x] }

// scene holds what Detect computes once per plane and shares between
// candidates: the full-resolution plane, the reduced copy used for locating
// and its bilevel images, made on first use.
type scene struct {
	full  *gray.Plane
	small *gray.Plane // == full when no reduction was needed
	scale float64     // full-resolution pixels per reduced pixel
	bins  [2]*bitmap  // local mean threshold of small, and of small equalised
}

// bitmap returns the bilevel image of a locating pass: 0 thresholds the
// reduced plane, 1 its histogram-equalised copy. Equalisation spreads the
// crowded gray levels of an image dominated by glare or a bright spot, so
// that a symbol squeezed into a few levels beside it clears the threshold
// margin; on blurred images it amplifies noise, hence a second pass only.
func (s *scene) bitmap(pass int) *bitmap {
	if s.bins[pass] == nil {
		if pass == 0 {
			s.bins[0] = binarize(s.small)
		} else {
			// contrasts are measured on the unequalised plane
			s.bins[1] = binarizeFloor(gray.Equalize(nil, s.small), finderContrastFloor(noiseLevel(s.small)))
			s.bins[1].src = s.small
		}
	}
	return s.bins[pass]
}

func newScene(p *gray.Plane, maxDim int) *scene {
	f := 1
	for max(p.W, p.H)/f > maxDim {
		f++
	}
	small := p
	if f > 1 {
		small = reduce(p, f)
	}
	return &scene{full: p, small: small, scale: float64(f)}
}

// scaleFinders maps finder patterns found on the reduced copy to full
// resolution coordinates.
func (s *scene) scaleFinders(fps []finderPattern) {
	if s.scale == 1 {
		return
	}
	for i := range fps {
		fps[i].c = fps[i].c.Scale(s.scale)
		fps[i].ms *= s.scale
	}
}

// reduce returns p shrunk by the integer factor f with a box filter.
func reduce(p *gray.Plane, f int) *gray.Plane {
	w, h := p.W/f, p.H/f
	r := gray.New(w, h)
	if f == 2 {
		// The common case (2–5 MP photos and pages), without the
		// per-pixel inner loop.
		for y := 0; y < h; y++ {
			a, b := p.Row(2 * y)[:2*w], p.Row(2*y + 1)[:2*w]
			out := r.Row(y)[:w]
			for x := range out {
				out[x] = byte((uint32(a[2*x]) + uint32(a[2*x+1]) + uint32(b[2*x]) + uint32(b[2*x+1]) + 2) / 4)
			}
		}
		return r
	}
	acc := make([]uint32, w)
	n := uint32(f * f)
	for y := 0; y < h; y++ {
		clear(acc)
		for dy := 0; dy < f; dy++ {
			row := p.Row(y*f + dy)
			for x := 0; x < w; x++ {
				s := uint32(0)
				for _, v := range row[x*f : x*f+f] {
					s += uint32(v)
				}
				acc[x] += s
			}
		}
		out := r.Row(y)
		for x := range out {
			out[x] = byte((acc[x] + n/2) / n)
		}
	}
	return r
}

// binarize thresholds p against its local mean (see the comment above),
// with the finder contrast floor measured on p itself.
func binarize(p *gray.Plane) *bitmap {
	return binarizeFloor(p, finderContrastFloor(noiseLevel(p)))
}

// binarizeFloor is binarize with a given finder contrast floor.
func binarizeFloor(p *gray.Plane, minContrast float64) *bitmap {
	w, h := p.W, p.H
	win := max(w, h) / 10
	win = min(max(win, 24), 160)
	r := win / 2
	// Summed-area table with a zero first row and column.
	sw := w + 1
	sat := make([]uint32, sw*(h+1))
	for y := 0; y < h; y++ {
		row := p.Row(y)
		var s uint32
		o := (y+1)*sw + 1
		for x, v := range row {
			s += uint32(v)
			sat[o+x] = sat[o+x-sw] + s
		}
	}
	b := &bitmap{w: w, h: h, pix: make([]byte, w*h), src: p, minContrast: minContrast}
	for y := 0; y < h; y++ {
		y0, y1 := max(y-r, 0), min(y+r+1, h)
		row := p.Row(y)[:w]
		out := b.pix[y*w : (y+1)*w]
		top, bot := sat[y0*sw:(y0+1)*sw], sat[y1*sw:(y1+1)*sw]
		rows := uint64(y1 - y0)
		// dark when v*area < sum*(1-1/32), i.e. ~3 % below the local mean
		dark := func(x, x0, x1 int) {
			sum := bot[x1] - top[x1] - bot[x0] + top[x0]
			if uint64(row[x])*uint64(x1-x0)*rows*32 < uint64(sum)*31 {
				out[x] = 1
			}
		}
		// Interior columns, where the window is not clipped: constant
		// width, no clamping.
		lo, hi := min(r, w), max(min(w-r-1, w), min(r, w))
		for x := 0; x < lo; x++ {
			dark(x, 0, min(x+r+1, w))
		}
		if hi > lo {
			area := uint64(2*r+1) * rows * 32
			for x := lo; x < hi; x++ {
				x0, x1 := x-r, x+r+1
				sum := bot[x1] - top[x1] - bot[x0] + top[x0]
				if uint64(row[x])*area < uint64(sum)*31 {
					out[x] = 1
				}
			}
		}
		for x := hi; x < w; x++ {
			dark(x, max(x-r, 0), min(x+r+1, w))
		}
	}
	return b
}

// sampler reads the gray plane with bilinear interpolation.
type sampler struct{ p *gray.Plane }

// at returns the interpolated gray level at pixel coordinates q (pixel
// centres at +0.5), clamped to the plane.
func (s sampler) at(q geom.Point) float64 {
	p := s.p
	x, y := q.X-0.5, q.Y-0.5
	if x < 0 {
		x = 0
	}
	if y < 0 {
		y = 0
	}
	mx, my := float64(p.W-1), float64(p.H-1)
	if x > mx {
		x = mx
	}
	if y > my {
		y = my
	}
	x0, y0 := int(x), int(y)
	fx, fy := x-float64(x0), y-float64(y0)
	x1, y1 := min(x0+1, p.W-1), min(y0+1, p.H-1)
	r0, r1 := y0*p.Stride, y1*p.Stride
	a := float64(p.Pix[r0+x0])*(1-fx) + float64(p.Pix[r0+x1])*fx
	b := float64(p.Pix[r1+x0])*(1-fx) + float64(p.Pix[r1+x1])*fx
	return a*(1-fy) + b*fy
}

// finderContrastFloor returns the smallest gray level contrast between the
// light and dark rings of a finder pattern (runContrast) accepted on a
// plane with pixel noise sigma: minFinderContrast, or three times the
// noise where that is more. Look-alikes that the local threshold makes of
// noise have contrasts of one to three σ; the floor follows the noise when
// a caller hands in a plane whose noise was amplified (histogram
// equalisation of a dark photo multiplies it several times).
func finderContrastFloor(sigma float64) float64 {
	return max(minFinderContrast, 3*sigma)
}

// noiseLevel estimates the standard deviation of the pixel noise of p from
// the median absolute difference of horizontally adjacent pixels, on every
// fourth row: in flat areas the difference of two pixels is noise with
// standard deviation σ√2, and edges, a minority of pixels, do not move the
// median much. Gaussian noise has a median absolute value of 0.6745 σ.
func noiseLevel(p *gray.Plane) float64 {
	var hist [256]int
	total := 0
	for y := 0; y < p.H; y += 4 {
		row := p.Row(y)
		for x := 1; x < len(row); x++ {
			d := int(row[x]) - int(row[x-1])
			if d < 0 {
				d = -d
			}
			hist[d]++
			total++
		}
	}
	if total == 0 {
		return 0
	}
	// interpolate the median within its integer bin: with low noise most
	// differences are 0 or 1
	half := float64(total) / 2
	acc := 0
	for d, n := range hist {
		if float64(acc+n) >= half {
			med := float64(d) + (half-float64(acc))/float64(n) - 0.5
			return max(med, 0) / 0.6745 / math.Sqrt2
		}
		acc += n
	}
	return 0
}
