package imgio

import (
	"image"
	"image/color"

	"github.com/qrcascade/qrcascade/internal/gray"
)

// Conversion to gray
//
// Luma follows ITU-R BT.601, the weights JFIF uses for its Y channel:
// Y = 0.299 R + 0.587 G + 0.114 B, in 16.16 fixed point as 19595, 38470 and
// 7471 (they sum to 65536, so white stays 255 and the sum never overflows a
// uint32 for 16-bit samples). 8-bit results are rounded to nearest; 16-bit
// samples are reduced with round(v/257), the exact inverse of the v*257
// expansion of 8-bit samples.
//
// Transparent pixels are composited over white, since a QR symbol printed on a
// transparent background means dark modules on paper: for premultiplied
// colour (image.RGBA, image.RGBA64, color.Color.RGBA) the result is
// Y(premultiplied) + (max - alpha); for straight alpha (image.NRGBA,
// image.NRGBA64, image.NYCbCrA) it is (Y*alpha + max*(max-alpha)) / max.
//
// Fast paths, each for one concrete type with its own stride arithmetic:
//   - *image.YCbCr and *image.Gray: no conversion and no copy, the returned
//     plane aliases the decoder's Y or Pix slice (precondition: none, any
//     rectangle; the plane starts at Rect.Min).
//   - *image.NYCbCrA (WebP with alpha): Y composited with A.
//   - Lossy WebP (VP8, RFC 6386 section 9.2) stores Y in BT.601 "studio
//     swing", 16 (black) to 235 (white), but golang.org/x/image/webp returns
//     it in an image.YCbCr, whose convention is JFIF full range: taken as it
//     is, black would read 16 and white 235. webpToGray expands Y with
//     (Y-16)*255/219 through a table (a copy, no alias), as libwebp does.
//   - *image.NRGBA, *image.RGBA, *image.Gray16, *image.NRGBA64,
//     *image.RGBA64, *image.CMYK: one pass over Pix.
//   - *image.Paletted: a 256-entry table computed from the palette, then one
//     lookup per pixel; indices beyond the palette map to black (what
//     image/png does with them).
//
// Anything else goes through the generic path, which calls RGBA64At (or At,
// which allocates per pixel) and is 10-50x slower.

const (
	wR = 19595 // 0.299 * 65536
	wG = 38470 // 0.587 * 65536
	wB = 7471  // 0.114 * 65536
)

// luma returns the BT.601 luma of r, g, b (all 8-bit or all 16-bit),
// rounded, in the same depth.
func luma(r, g, b uint32) uint32 {
	return (wR*r + wG*g + wB*b + 1<<15) >> 16
}

// over8 composites straight-alpha 8-bit luma y with alpha a over white.
func over8(y, a uint32) byte {
	if a == 0xff {
		return byte(y)
	}
	return byte((y*a + 0xff*(0xff-a) + 0x7f) / 0xff)
}

// to8 reduces a 16-bit value to 8 bits, rounded (65535 = 255*257).
func to8(v uint32) byte { return byte((v + 128) / 257) }

// premul16 converts premultiplied 16-bit colour to 8-bit gray over white.
// Values are clamped so that invalid premultiplied input (r > a) cannot wrap.
func premul16(r, g, b, a uint32) byte {
	v := luma(r, g, b) + (0xffff - a)
	return to8(min(v, 0xffff))
}

// toGray converts img to a gray plane whose (0,0) is img.Bounds().Min. The
// plane may alias img's pixel memory (YCbCr, Gray): the caller must not reuse
// img afterwards.
func toGray(img image.Image) *gray.Plane {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w <= 0 || h <= 0 {
		return gray.New(0, 0)
	}
	switch m := img.(type) {
	case *image.YCbCr:
		return alias(m.Y, m.YOffset(b.Min.X, b.Min.Y), m.YStride, w, h)
	case *image.Gray:
		return alias(m.Pix, m.PixOffset(b.Min.X, b.Min.Y), m.Stride, w, h)
	case *image.NYCbCrA:
		return fromNYCbCrA(m)
	case *image.NRGBA:
		return fromNRGBA(m)
	case *image.RGBA:
		return fromRGBA(m)
	case *image.Paletted:
		return fromPaletted(m)
	case *image.Gray16:
		return fromGray16(m)
	case *image.NRGBA64:
		return fromNRGBA64(m)
	case *image.RGBA64:
		return fromRGBA64(m)
	case *image.CMYK:
		return fromCMYK(m)
	}
	return fromImage(img)
}

// studioToFull maps BT.601 studio-swing luma (16..235) to full range,
// rounded and clamped: round((y-16)*255/219). Read only.
var studioToFull = func() (t [256]byte) {
	for y := range t {
		v := ((y-16)*255*2 + 219) / (2 * 219)
		if y < 16 {
			v = 0
		}
		t[y] = byte(min(v, 255))
	}
	return t
}()

// webpToGray is toGray for the output of golang.org/x/image/webp: lossy
// frames (YCbCr, NYCbCrA) carry studio-swing luma and are expanded to full
// range; lossless frames (NRGBA) go through toGray.
func webpToGray(img image.Image) *gray.Plane {
	switch m := img.(type) {
	case *image.YCbCr:
		return fromStudioY(m, nil, 0)
	case *image.NYCbCrA:
		return fromStudioY(&m.YCbCr, m.A, m.AStride)
	}
	return toGray(img)
}

// fromStudioY converts studio-swing Y, composited over white with the
// straight alpha plane a (stride aStride, same rectangle as m) when a != nil.
func fromStudioY(m *image.YCbCr, a []byte, aStride int) *gray.Plane {
	b := m.Rect
	p := gray.New(b.Dx(), b.Dy())
	for y := 0; y < p.H; y++ {
		yo := m.YOffset(b.Min.X, b.Min.Y+y)
		ys := m.Y[yo : yo+p.W]
		out := p.Row(y)
		if a == nil {
			for x, v := range ys {
				out[x] = studioToFull[v]
			}
			continue
		}
		ao := y * aStride
		as := a[ao : ao+p.W]
		for x, v := range ys {
			out[x] = over8(uint32(studioToFull[v]), uint32(as[x]))
		}
	}
	return p
}

// alias returns the w×h plane at offset off of pix, without copying. Its Pix
// is capped at H*Stride bytes (or the end of pix) so that nothing reachable
// through it extends into memory the decoder laid out after the plane (the
// JPEG decoder allocates Y, Cb and Cr in one buffer). Note that the whole
// buffer stays alive as long as the plane does: 1.5x the plane for 4:2:0.
func alias(pix []byte, off, stride, w, h int) *gray.Plane {
	end := min(off+h*stride, len(pix))
	return &gray.Plane{W: w, H: h, Stride: stride, Pix: pix[off:end:end]}
}

func fromNYCbCrA(m *image.NYCbCrA) *gray.Plane {
	b := m.Rect
	p := gray.New(b.Dx(), b.Dy())
	for y := 0; y < p.H; y++ {
		yo := m.YOffset(b.Min.X, b.Min.Y+y)
		ao := m.AOffset(b.Min.X, b.Min.Y+y)
		ys := m.Y[yo : yo+p.W]
		as := m.A[ao : ao+p.W]
		out := p.Row(y)
		for x := range out {
			out[x] = over8(uint32(ys[x]), uint32(as[x]))
		}
	}
	return p
}

func fromNRGBA(m *image.NRGBA) *gray.Plane {
	b := m.Rect
	p := gray.New(b.Dx(), b.Dy())
	for y := 0; y < p.H; y++ {
		o := m.PixOffset(b.Min.X, b.Min.Y+y)
		src := m.Pix[o : o+4*p.W]
		out := p.Row(y)
		for x := range out {
			s := src[4*x : 4*x+4 : 4*x+4]
			out[x] = over8(luma(uint32(s[0]), uint32(s[1]), uint32(s[2])), uint32(s[3]))
		}
	}
	return p
}

func fromRGBA(m *image.RGBA) *gray.Plane {
	b := m.Rect
	p := gray.New(b.Dx(), b.Dy())
	for y := 0; y < p.H; y++ {
		o := m.PixOffset(b.Min.X, b.Min.Y+y)
		src := m.Pix[o : o+4*p.W]
		out := p.Row(y)
		for x := range out {
			s := src[4*x : 4*x+4 : 4*x+4]
			v := luma(uint32(s[0]), uint32(s[1]), uint32(s[2])) + 0xff - uint32(s[3])
			out[x] = byte(min(v, 0xff))
		}
	}
	return p
}

// paletteLUT returns the gray level of each index of pal, composited over
// white; indices beyond the palette map to 0, black.
func paletteLUT(pal color.Palette) (lut [256]byte) {
	for i, c := range pal {
		if i == len(lut) {
			break
		}
		if c == nil {
			continue
		}
		r, g, b, a := c.RGBA()
		lut[i] = premul16(r, g, b, a)
	}
	return lut
}

func fromPaletted(m *image.Paletted) *gray.Plane {
	lut := paletteLUT(m.Palette)
	b := m.Rect
	p := gray.New(b.Dx(), b.Dy())
	for y := 0; y < p.H; y++ {
		o := m.PixOffset(b.Min.X, b.Min.Y+y)
		src := m.Pix[o : o+p.W]
		out := p.Row(y)
		for x, i := range src {
			out[x] = lut[i]
		}
	}
	return p
}

func fromGray16(m *image.Gray16) *gray.Plane {
	b := m.Rect
	p := gray.New(b.Dx(), b.Dy())
	for y := 0; y < p.H; y++ {
		o := m.PixOffset(b.Min.X, b.Min.Y+y)
		src := m.Pix[o : o+2*p.W]
		out := p.Row(y)
		for x := range out {
			out[x] = to8(uint32(src[2*x])<<8 | uint32(src[2*x+1]))
		}
	}
	return p
}

func fromNRGBA64(m *image.NRGBA64) *gray.Plane {
	b := m.Rect
	p := gray.New(b.Dx(), b.Dy())
	for y := 0; y < p.H; y++ {
		o := m.PixOffset(b.Min.X, b.Min.Y+y)
		src := m.Pix[o : o+8*p.W]
		out := p.Row(y)
		for x := range out {
			s := src[8*x : 8*x+8 : 8*x+8]
			r := uint32(s[0])<<8 | uint32(s[1])
			g := uint32(s[2])<<8 | uint32(s[3])
			bl := uint32(s[4])<<8 | uint32(s[5])
			a := uint64(s[6])<<8 | uint64(s[7])
			l := uint64(luma(r, g, bl))
			if a != 0xffff {
				l = (l*a + 0xffff*(0xffff-a) + 0x7fff) / 0xffff
			}
			out[x] = to8(uint32(l))
		}
	}
	return p
}

func fromRGBA64(m *image.RGBA64) *gray.Plane {
	b := m.Rect
	p := gray.New(b.Dx(), b.Dy())
	for y := 0; y < p.H; y++ {
		o := m.PixOffset(b.Min.X, b.Min.Y+y)
		src := m.Pix[o : o+8*p.W]
		out := p.Row(y)
		for x := range out {
			s := src[8*x : 8*x+8 : 8*x+8]
			out[x] = premul16(uint32(s[0])<<8|uint32(s[1]), uint32(s[2])<<8|uint32(s[3]),
				uint32(s[4])<<8|uint32(s[5]), uint32(s[6])<<8|uint32(s[7]))
		}
	}
	return p
}

// fromCMYK follows color.CMYK.RGBA: each channel is (1-C)(1-K) in 16 bits.
func fromCMYK(m *image.CMYK) *gray.Plane {
	b := m.Rect
	p := gray.New(b.Dx(), b.Dy())
	for y := 0; y < p.H; y++ {
		o := m.PixOffset(b.Min.X, b.Min.Y+y)
		src := m.Pix[o : o+4*p.W]
		out := p.Row(y)
		for x := range out {
			s := src[4*x : 4*x+4 : 4*x+4]
			w := 0xffff - uint32(s[3])*0x101
			r := (0xffff - uint32(s[0])*0x101) * w / 0xffff
			g := (0xffff - uint32(s[1])*0x101) * w / 0xffff
			bl := (0xffff - uint32(s[2])*0x101) * w / 0xffff
			out[x] = to8(luma(r, g, bl))
		}
	}
	return p
}

// fromImage is the generic path for any image.Image.
func fromImage(img image.Image) *gray.Plane {
	b := img.Bounds()
	p := gray.New(b.Dx(), b.Dy())
	m64, fast := img.(image.RGBA64Image)
	for y := 0; y < p.H; y++ {
		out := p.Row(y)
		for x := range out {
			var r, g, bl, a uint32
			if fast {
				c := m64.RGBA64At(b.Min.X+x, b.Min.Y+y)
				r, g, bl, a = uint32(c.R), uint32(c.G), uint32(c.B), uint32(c.A)
			} else {
				r, g, bl, a = img.At(b.Min.X+x, b.Min.Y+y).RGBA()
			}
			out[x] = premul16(r, g, bl, a)
		}
	}
	return p
}
