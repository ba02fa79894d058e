package imgio

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image/color"
	"io"
	"math/bits"
	"sync"

	"github.com/klauspost/compress/flate"
	"github.com/klauspost/compress/zlib"

	"github.com/qrcascade/qrcascade/internal/gray"
)

// PNG straight to gray
//
// decodePNGLuma decodes the PNG variants of everyday uploads (screenshots,
// rendered invoices, scans) into the gray plane directly: the rows are
// inflated and unfiltered one at a time (ISO/IEC 15948 sections 9 and 10,
// the same zlib stream image/png reads) and each is reduced to luma as it
// comes, where image/png builds an RGBA or NRGBA image of 4 bytes a pixel
// that toGray then reads again. The plane equals toGray(png.Decode(data))
// byte for byte: the conversions are convert.go's (luma, over8, the
// palette table of fromPaletted), and image/png's sample expansion and
// palette rules are followed (low-depth gray scaled by 0xff, 0x55 or 0x11;
// the palette padded with opaque black; tRNS alpha on the first entries).
//
// It handles non-interlaced images of 8-bit gray, gray+alpha, RGB and RGBA,
// 1-, 2- and 4-bit gray, and 1- to 8-bit palettes with or without tRNS.
// Everything else (16-bit samples, Adam7 interlacing, tRNS on gray or RGB
// images) and every file that is not laid out as the specification asks
// (a bad CRC, chunks out of order, IDAT chunks that are not consecutive, a
// zlib stream that ends before or after the image data, no IEND) is left to
// image/png, which then decodes it or reports the error it always
// reported: decodePNGLuma is never more lenient than image/png, so the
// files accepted and the errors returned are image/png's.
//
// Why by hand: no maintained Go library decodes PNG to a single channel;
// image/png's intermediate image and its per-byte Paeth filter with
// unpredictable branches were about two thirds of the decode of a photo
// PNG (boofcv-dev curved/image004: filterPaeth 31 %, the RGBA conversion
// 8 %, inflate 43 %).

// pngSignature opens every PNG file (section 5.2).
const pngSignature = "\x89PNG\r\n\x1a\n"

// PNG colour types (section 11.2.2).
const (
	pngGray      = 0
	pngRGB       = 2
	pngPalette   = 3
	pngGrayAlpha = 4
	pngRGBA      = 6
)

// pngLayout is what the chunk walk of a PNG found: the header fields, the
// palette as image/png builds it, and the IDAT data in file order.
type pngLayout struct {
	w, h    int
	depth   int
	ct      byte
	palette color.Palette
	idat    [][]byte
}

// pngChunks walks the chunks of data as image/png's parseChunk does, with
// its order rules, and checks every CRC up to IEND. ok is false for a file
// decodePNGLuma leaves to image/png.
func pngChunks(data []byte) (l pngLayout, ok bool) {
	if len(data) < len(pngSignature) || string(data[:len(pngSignature)]) != pngSignature {
		return l, false
	}
	const (
		start = iota
		seenIHDR
		seenPLTE
		seenTRNS
		seenIDAT
	)
	stage := start
	prevIDAT := false // the chunk before this one was IDAT
	for p := len(pngSignature); ; {
		if len(data)-p < 12 {
			return l, false
		}
		n := binary.BigEndian.Uint32(data[p:])
		if n > 0x7fffffff || int64(n) > int64(len(data)-p-12) {
			return l, false
		}
		typ := string(data[p+4 : p+8])
		body := data[p+8 : p+8+int(n)]
		if crc32.ChecksumIEEE(data[p+4:p+8+int(n)]) != binary.BigEndian.Uint32(data[p+8+int(n):]) {
			return l, false
		}
		p += 12 + int(n)
		isIDAT := typ == "IDAT"
		switch typ {
		case "IHDR":
			if stage != start || !l.header(body) {
				return l, false
			}
			stage = seenIHDR
		case "PLTE":
			if stage != seenIHDR || !l.plte(body) {
				return l, false
			}
			stage = seenPLTE
		case "tRNS":
			// image/png reads tRNS on gray and RGB images too; their
			// transparent colour is left to it.
			if l.ct != pngPalette || stage != seenPLTE || len(body) > 256 {
				return l, false
			}
			l.trns(body)
			stage = seenTRNS
		case "IDAT":
			// the image data: IDAT chunks one after the other
			if stage < seenIHDR || stage == seenIDAT && !prevIDAT || stage == seenIHDR && l.ct == pngPalette {
				return l, false
			}
			l.idat = append(l.idat, body)
			stage = seenIDAT
		case "IEND":
			if stage != seenIDAT || n != 0 {
				return l, false
			}
			return l, true
		}
		prevIDAT = isIDAT
	}
}

// header reads IHDR (section 11.2.2): the variants decodePNGLuma handles.
func (l *pngLayout) header(b []byte) bool {
	if len(b) != 13 || b[10] != 0 || b[11] != 0 || b[12] != 0 {
		return false // compression, filter, interlace
	}
	w, h := int32(binary.BigEndian.Uint32(b[0:])), int32(binary.BigEndian.Uint32(b[4:]))
	if w <= 0 || h <= 0 {
		return false
	}
	l.w, l.h, l.depth, l.ct = int(w), int(h), int(b[8]), b[9]
	switch l.ct {
	case pngGray, pngPalette:
		return l.depth == 1 || l.depth == 2 || l.depth == 4 || l.depth == 8
	case pngRGB, pngGrayAlpha, pngRGBA:
		return l.depth == 8
	}
	return false
}

// plte reads PLTE (section 11.2.3) as image/png does: entries opaque, the
// palette's backing array padded to 256 entries of opaque black. A PLTE
// chunk in an RGB or RGBA image is a suggestion, ignored.
func (l *pngLayout) plte(b []byte) bool {
	switch l.ct {
	case pngRGB, pngRGBA:
		return true
	case pngPalette:
	default:
		return false
	}
	np := len(b) / 3
	if len(b)%3 != 0 || np <= 0 || np > 256 || np > 1<<l.depth {
		return false
	}
	pal := make(color.Palette, 256)
	for i := range pal {
		pal[i] = color.RGBA{0, 0, 0, 0xff}
		if i < np {
			pal[i] = color.RGBA{b[3*i], b[3*i+1], b[3*i+2], 0xff}
		}
	}
	l.palette = pal[:np]
	return true
}

// trns applies a palette's tRNS chunk (section 11.3.2.1): alpha for the
// first len(b) entries, the palette lengthened to them if it is shorter.
func (l *pngLayout) trns(b []byte) {
	if len(l.palette) < len(b) {
		l.palette = l.palette[:len(b)]
	}
	for i, a := range b {
		c := l.palette[i].(color.RGBA)
		l.palette[i] = color.NRGBA{c.R, c.G, c.B, a}
	}
}

// bitsPerPixel is the bits of one pixel in the filtered rows.
func (l *pngLayout) bitsPerPixel() int {
	switch l.ct {
	case pngRGB:
		return 3 * l.depth
	case pngGrayAlpha:
		return 2 * l.depth
	case pngRGBA:
		return 4 * l.depth
	}
	return l.depth
}

// chunkReader presents IDAT chunks as one stream without copying them.
type chunkReader struct {
	segs [][]byte
}

func (r *chunkReader) Read(p []byte) (int, error) {
	for len(r.segs) > 0 && len(r.segs[0]) == 0 {
		r.segs = r.segs[1:]
	}
	if len(r.segs) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.segs[0])
	r.segs[0] = r.segs[0][n:]
	return n, nil
}

// Len returns the bytes not read yet.
func (r *chunkReader) Len() int {
	n := 0
	for _, s := range r.segs {
		n += len(s)
	}
	return n
}

// zlibReaders keeps inflaters between decodes: each holds about 40 KB of
// tables and window.
var zlibReaders sync.Pool

// errPNGFallback is decodePNGLuma's answer for a file it leaves to
// image/png.
var errPNGFallback = errors.New("imgio: png left to image/png")

// decodePNGLuma decodes data into a plane (into dst's memory when its
// capacity suffices), or returns errPNGFallback.
func decodePNGLuma(data []byte, dst *gray.Plane) (*gray.Plane, error) {
	l, ok := pngChunks(data)
	if !ok || len(l.idat) == 0 {
		return nil, errPNGFallback
	}
	// klauspost's inflater reads a *bytes.Reader or a *bufio.Reader
	// without an interface call a byte (about 30 % faster on a photo's
	// IDAT data than compress/zlib on a reader of the chunks): one IDAT
	// chunk is read in place, several through a buffer over the chunks
	// (no copy of the whole stream, which decodeCost does not count).
	// What the stream leaves unread is checked at the end: the buffer's
	// content counts with the chunks.
	var src flate.Reader
	var left func() int
	if len(l.idat) == 1 {
		br := bytes.NewReader(l.idat[0])
		src, left = br, br.Len
	} else {
		cr := &chunkReader{segs: l.idat}
		br := bufio.NewReaderSize(cr, 32<<10)
		src, left = br, func() int { return br.Buffered() + cr.Len() }
	}
	var zr io.ReadCloser
	if z, ok := zlibReaders.Get().(io.ReadCloser); ok {
		if z.(zlib.Resetter).Reset(src, nil) != nil {
			return nil, errPNGFallback
		}
		zr = z
	} else {
		z, err := zlib.NewReader(src)
		if err != nil {
			return nil, errPNGFallback
		}
		zr = z
	}
	defer func() {
		// Pooled without the input: Reset on nothing fails, harmlessly,
		// and drops the reader's reference to the IDAT data.
		zr.(zlib.Resetter).Reset(bytes.NewReader(nil), nil)
		zlibReaders.Put(zr)
	}()

	p := dst
	if p == nil {
		p = new(gray.Plane)
	}
	n := l.w * l.h
	if cap(p.Pix) < n {
		p.Pix = make([]byte, n)
	}
	p.W, p.H, p.Stride, p.Pix = l.w, l.h, l.w, p.Pix[:n]

	pixBits := l.bitsPerPixel()
	rowBytes := (l.w*pixBits + 7) / 8
	bpp := max(1, pixBits/8)
	rows := make([]byte, 2*(1+rowBytes))
	cur, prev := rows[:1+rowBytes], rows[1+rowBytes:]
	var lut [256]byte
	if l.ct == pngPalette {
		lut = paletteLUT(l.palette)
	}
	for y := 0; y < l.h; y++ {
		if _, err := io.ReadFull(zr, cur); err != nil {
			return nil, errPNGFallback
		}
		if !unfilter(cur[0], cur[1:], prev[1:], bpp) {
			return nil, errPNGFallback
		}
		lumaRow(p.Pix[y*l.w:(y+1)*l.w], cur[1:], &l, &lut)
		cur, prev = prev, cur
	}
	// The zlib stream must end here, checksum included, and with it the
	// IDAT data (image/png's "too much pixel data" otherwise).
	var one [1]byte
	if k, err := zr.Read(one[:]); k != 0 || err != io.EOF || left() != 0 {
		return nil, errPNGFallback
	}
	return p, nil
}

// unfilter reverses the filter of one row (section 9.2; cur and prev
// without their filter byte, prev zero for the first row). bpp is the
// bytes of a whole pixel, at least 1. False for an unknown filter type.
func unfilter(ft byte, cur, prev []byte, bpp int) bool {
	prev = prev[:len(cur)]
	switch ft {
	case 0:
	case 1: // Sub
		for i := bpp; i < len(cur); i++ {
			cur[i] += cur[i-bpp]
		}
	case 2: // Up
		for i, b := range prev {
			cur[i] += b
		}
	case 3: // Average
		for i := 0; i < bpp && i < len(cur); i++ {
			cur[i] += prev[i] / 2
		}
		for i := bpp; i < len(cur); i++ {
			cur[i] += byte((int(cur[i-bpp]) + int(prev[i])) / 2)
		}
	case 4: // Paeth
		for i := 0; i < bpp && i < len(cur); i++ {
			cur[i] += prev[i]
		}
		if bpp == 3 || bpp == 4 {
			paethPixels(cur, prev, bpp)
			return true
		}
		for i := bpp; i < len(cur); i++ {
			cur[i] += paeth(int(cur[i-bpp]), int(prev[i]), int(prev[i-bpp]))
		}
	default:
		return false
	}
	return true
}

// paeth is the Paeth predictor (section 9.4) of left a, above b and upper
// left c, selected without branches: which neighbour wins depends on the
// image, and mispredicted branches were most of image/png's filter time.
func paeth(a, b, c int) byte {
	pa, pb := b-c, a-c
	pc := absInt(pa + pb)
	pa, pb = absInt(pa), absInt(pb)
	pred := c
	if pb <= pc {
		pred = b
	}
	if pa <= min(pb, pc) {
		pred = a
	}
	return byte(pred)
}

// paethPixels is the Paeth filter of a row of 3- or 4-byte pixels after
// the first pixel: the left and upper-left pixels are carried in
// variables, so that each channel's chain of dependent bytes does not wait
// on the store of the byte before it, and the channels' chains overlap.
func paethPixels(cur, prev []byte, bpp int) {
	a0, a1, a2 := int(cur[0]), int(cur[1]), int(cur[2])
	c0, c1, c2 := int(prev[0]), int(prev[1]), int(prev[2])
	if bpp == 3 {
		for i := 3; i+3 <= len(cur); i += 3 {
			cp, pp := cur[i:i+3:i+3], prev[i:i+3:i+3]
			b0, b1, b2 := int(pp[0]), int(pp[1]), int(pp[2])
			a0 = int(byte(int(cp[0]) + int(paeth(a0, b0, c0))))
			a1 = int(byte(int(cp[1]) + int(paeth(a1, b1, c1))))
			a2 = int(byte(int(cp[2]) + int(paeth(a2, b2, c2))))
			cp[0], cp[1], cp[2] = byte(a0), byte(a1), byte(a2)
			c0, c1, c2 = b0, b1, b2
		}
		return
	}
	a3, c3 := int(cur[3]), int(prev[3])
	for i := 4; i+4 <= len(cur); i += 4 {
		cp, pp := cur[i:i+4:i+4], prev[i:i+4:i+4]
		b0, b1, b2, b3 := int(pp[0]), int(pp[1]), int(pp[2]), int(pp[3])
		a0 = int(byte(int(cp[0]) + int(paeth(a0, b0, c0))))
		a1 = int(byte(int(cp[1]) + int(paeth(a1, b1, c1))))
		a2 = int(byte(int(cp[2]) + int(paeth(a2, b2, c2))))
		a3 = int(byte(int(cp[3]) + int(paeth(a3, b3, c3))))
		cp[0], cp[1], cp[2], cp[3] = byte(a0), byte(a1), byte(a2), byte(a3)
		c0, c1, c2, c3 = b0, b1, b2, b3
	}
}

// absInt is |x| without a branch.
func absInt(x int) int {
	m := x >> (bits.UintSize - 1)
	return (x ^ m) - m
}

// lumaRow reduces one unfiltered row of l's samples to gray, as toGray
// reduces the image image/png returns for it.
func lumaRow(out, row []byte, l *pngLayout, lut *[256]byte) {
	switch l.ct {
	case pngGray:
		switch l.depth {
		case 8:
			copy(out, row)
		default:
			// image/png scales 1-, 2- and 4-bit gray to 8 bits by
			// 0xff, 0x55 and 0x11
			scale := byte(0xff / (1<<l.depth - 1))
			unpack(out, row, l.depth, func(v byte) byte { return v * scale })
		}
	case pngPalette:
		if l.depth == 8 {
			for x, i := range row[:len(out)] {
				out[x] = lut[i]
			}
			return
		}
		unpack(out, row, l.depth, func(v byte) byte { return lut[v] })
	case pngRGB:
		row = row[:3*len(out)]
		for x := range out {
			s := row[3*x : 3*x+3 : 3*x+3]
			out[x] = byte(luma(uint32(s[0]), uint32(s[1]), uint32(s[2])))
		}
	case pngGrayAlpha:
		row = row[:2*len(out)]
		for x := range out {
			out[x] = over8(uint32(row[2*x]), uint32(row[2*x+1]))
		}
	case pngRGBA:
		row = row[:4*len(out)]
		for x := range out {
			s := row[4*x : 4*x+4 : 4*x+4]
			out[x] = over8(luma(uint32(s[0]), uint32(s[1]), uint32(s[2])), uint32(s[3]))
		}
	}
}

// unpack spreads the depth-bit samples of row, most significant first,
// through f into out.
func unpack(out, row []byte, depth int, f func(byte) byte) {
	per := 8 / depth
	mask := byte(1<<depth - 1)
	for x := range out {
		b := row[x/per]
		shift := uint(8 - depth*(x%per+1))
		out[x] = f(b >> shift & mask)
	}
}
