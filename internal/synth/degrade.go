package synth

import (
	"fmt"
	"math"

	"github.com/qrcascade/qrcascade/internal/gray"
)

// degrade applies the spec's illumination, optics, sensor and compression
// effects to c, in that (camera) order, and quantises it to a plane.
func degrade(c *canvas, s *Spec, seed uint64) (*gray.Plane, error) {
	light := stream(seed, streamLight)
	if s.Shadow > 0 {
		// A soft-edged shadow band across the image, as cast by a hand or a
		// phone: the factor falls from 1 to 1-Shadow over a smoothstep ramp
		// along a random direction.
		a := light.Float64() * 2 * math.Pi
		dx, dy := math.Cos(a), math.Sin(a)
		// Project the corners to find the extent along the direction.
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, p := range [4][2]float64{{0, 0}, {float64(c.w), 0}, {0, float64(c.h)}, {float64(c.w), float64(c.h)}} {
			t := p[0]*dx + p[1]*dy
			lo, hi = math.Min(lo, t), math.Max(hi, t)
		}
		start := lo + (hi-lo)*(0.2+0.4*light.Float64())
		width := (hi - lo) * (0.1 + 0.4*light.Float64())
		for y := 0; y < c.h; y++ {
			row := c.pix[y*c.w : (y+1)*c.w]
			for x := range row {
				t := (float64(x)*dx + float64(y)*dy - start) / width
				t = math.Min(math.Max(t, 0), 1)
				row[x] *= float32(1 - s.Shadow*smooth(t))
			}
		}
	}
	if s.Glare > 0 {
		// A specular spot: a Gaussian-profile ellipse pushing towards white.
		cx, cy := light.Float64()*float64(c.w), light.Float64()*float64(c.h)
		side := float64(min(c.w, c.h))
		rx, ry := (0.08+0.15*light.Float64())*side, (0.08+0.15*light.Float64())*side
		x0, x1 := max(0, int(cx-3*rx)), min(c.w, int(cx+3*rx)+1)
		y0, y1 := max(0, int(cy-3*ry)), min(c.h, int(cy+3*ry)+1)
		for y := y0; y < y1; y++ {
			dy := (float64(y) - cy) / ry
			for x := x0; x < x1; x++ {
				dx := (float64(x) - cx) / rx
				g := float32(s.Glare * math.Exp(-(dx*dx+dy*dy)/0.5))
				p := &c.pix[y*c.w+x]
				*p += (255 - *p) * g
			}
		}
	}
	if s.Contrast > 0 && s.Contrast < 1 {
		k := float32(s.Contrast)
		for i, v := range c.pix {
			c.pix[i] = 128 + (v-128)*k
		}
	}
	if s.Blur > 0 {
		gaussianBlur(c, s.Blur)
	}
	if s.MotionLength > 0 {
		motionBlur(c, s.MotionLength, s.MotionAngle)
	}
	if s.Noise > 0 {
		rng := stream(seed, streamNoise)
		sd := s.Noise
		for i := range c.pix {
			c.pix[i] += float32(rng.NormFloat64() * sd)
		}
	}
	p := gray.New(c.w, c.h)
	for i, v := range c.pix {
		p.Pix[i] = clampByte(v)
	}
	if s.JPEGQuality > 0 {
		b, err := EncodeJPEG(p, s.JPEGQuality)
		if err != nil {
			return nil, fmt.Errorf("synth: jpeg round trip: %w", err)
		}
		q, err := decodeGray(b)
		if err != nil {
			return nil, fmt.Errorf("synth: jpeg round trip: %w", err)
		}
		p = q
	}
	return p, nil
}

func clampByte(v float32) byte {
	switch {
	case v <= 0:
		return 0
	case v >= 255:
		return 255
	}
	return byte(v + 0.5)
}

// gaussianBlur convolves c with a normalised Gaussian of standard deviation
// sigma, separably (rows, then columns), truncated at 3σ, replicating the
// border pixels.
func gaussianBlur(c *canvas, sigma float64) {
	r := int(math.Ceil(3 * sigma))
	k := make([]float32, 2*r+1)
	var sum float32
	for i := range k {
		d := float64(i - r)
		k[i] = float32(math.Exp(-d * d / (2 * sigma * sigma)))
		sum += k[i]
	}
	for i := range k {
		k[i] /= sum
	}
	convolveSeparable(c, k)
}

// convolveSeparable applies the symmetric 1D kernel k along rows and then
// along columns.
func convolveSeparable(c *canvas, k []float32) {
	r := len(k) / 2
	tmp := make([]float32, max(c.w, c.h)+2*r)
	// Rows.
	for y := 0; y < c.h; y++ {
		row := c.pix[y*c.w : (y+1)*c.w]
		pad(tmp, row, r)
		for x := range row {
			var s float32
			for i, kv := range k {
				s += tmp[x+i] * kv
			}
			row[x] = s
		}
	}
	// Columns, a row at a time for cache locality: out row y is the
	// weighted sum of input rows y-r..y+r (clamped at the borders).
	out := make([]float32, len(c.pix))
	for y := 0; y < c.h; y++ {
		dst := out[y*c.w : (y+1)*c.w]
		for i, kv := range k {
			sy := clampInt(y+i-r, 0, c.h-1)
			src := c.pix[sy*c.w : (sy+1)*c.w]
			for x, v := range src {
				dst[x] += v * kv
			}
		}
	}
	copy(c.pix, out)
}

// pad copies src into dst[r:] and replicates its end values r times on both
// sides.
func pad(dst, src []float32, r int) {
	copy(dst[r:], src)
	for i := 0; i < r; i++ {
		dst[i] = src[0]
		dst[r+len(src)+i] = src[len(src)-1]
	}
}

// motionBlur averages each pixel over a line segment of the given length
// (pixels) and direction (degrees), centred on the pixel, sampling one tap
// per pixel of length with bilinear interpolation.
func motionBlur(c *canvas, length, angle float64) {
	taps := int(math.Ceil(length)) + 1
	sin, cos := math.Sincos(angle * math.Pi / 180)
	offs := make([][2]float64, taps)
	for i := range offs {
		t := (float64(i)/float64(taps-1) - 0.5) * length
		offs[i] = [2]float64{t * cos, t * sin}
	}
	src := &canvas{w: c.w, h: c.h, pix: append([]float32(nil), c.pix...)}
	inv := 1 / float32(taps)
	for y := 0; y < c.h; y++ {
		for x := 0; x < c.w; x++ {
			var s float32
			for _, o := range offs {
				s += src.bilinear(float64(x)+o[0], float64(y)+o[1])
			}
			c.pix[y*c.w+x] = s * inv
		}
	}
}

// WipeCentre paints the central frac × frac of the bounding box of the
// scene's symbol i with paper white, after rendering: for frac up to about
// 0.5 the finder patterns, timing patterns and format information stay
// intact while the data modules there are gone, so a reader locates the
// symbol but Reed–Solomon cannot correct it. It is a test fixture for
// "located but not decoded" and leaves the Truth as it was.
func (s *Scene) WipeCentre(i int, frac float64) {
	x0, y0, x1, y1 := s.Codes[i].Corners.Bounds()
	w, h := x1-x0, y1-y0
	m := (1 - frac) / 2
	p := s.Plane
	for y := max(int(y0+m*h), 0); y < min(int(y1-m*h), p.H); y++ {
		for x := max(int(x0+m*w), 0); x < min(int(x1-m*w), p.W); x++ {
			p.Pix[y*p.Stride+x] = clampByte(paperLevel)
		}
	}
}
