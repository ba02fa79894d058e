// Package hostile generates the decompression bombs of issue #17: small
// files of every image format qrcascade accepts whose headers ask for far
// more memory or work than their size suggests. The hostile-input tests of
// internal/imgio and of the root package read them (in `make test`, with
// time and allocation bounds), and `make soak` reads them concurrently in a
// child process whose peak RSS is measured.
//
// Every bomb is written directly (chunks, IFDs, marker segments and bit
// streams by hand, compressed data streamed), so that generating one never
// allocates its decoded size: a 7000×7000 16-bit PNG is produced with a
// 56 KB row buffer, not a 392 MB image.
package hostile

import (
	"bytes"
	"compress/flate"
	"compress/lzw"
	"encoding/binary"
	"hash/crc32"
)

// A Bomb is one hostile input.
type Bomb struct {
	Name string // e.g. "png-rgba16-7000x7000"
	// What the file claims, for reports.
	Format        string
	Width, Height int
	Pages         int
	Data          []byte
}

// All returns every bomb, generated afresh. side is the side of the square
// bombs (7000 in issue #17; tests may pass less); long is the long side of
// the strip bombs (49,999,999 in issue #17).
func All(side, long int) []Bomb {
	return []Bomb{
		{"png-rgba16", "png", side, side, 1, PNG(side, side, 16, 6, false)},
		{"png-rgba16-interlaced", "png", side, side, 1, PNG(side, side, 16, 6, true)},
		{"png-gray-wide-strip", "png", long, 1, 1, PNG(long, 1, 8, 0, false)},
		{"png-gray-tall-strip", "png", 1, long, 1, PNG(1, long, 8, 0, false)},
		{"tiff-20-pages", "tiff", side, side, 20, TIFF(side, side, 20)},
		{"gif-20-frames", "gif", side, side, 20, GIF(side, side, 20)},
		{"webp-lossless", "webp", min(side, 16384), min(side, 16384), 1, WebPLossless(min(side, 16384), min(side, 16384))},
		{"bmp-header-only", "bmp", side, side, 1, BMPHeader(side, side)},
		{"jpeg-huge-dims", "jpeg", 65000, 65000, 1, JPEGBaseline(65000, 65000, true)},
		{"jpeg-blank", "jpeg", side, side, 1, JPEGBaseline(side, side, false)},
		{"jpeg-progressive", "jpeg", side, side, 1, JPEGProgressive(side, side, 3)},
		{"jpeg-progressive-cmyk", "jpeg", side, side, 1, JPEGProgressive(side, side, 4)},
	}
}

// PNG returns a w×h PNG of the given bit depth and colour type (0 gray, 2
// RGB, 4 gray+alpha, 6 RGBA) whose every pixel is zero, the IDAT stream
// compressed row by row. interlaced selects Adam7.
func PNG(w, h, depth, colorType int, interlaced bool) []byte {
	buf := bytes.NewBuffer(pngHead(w, h, depth, colorType, interlaced))
	channels := map[int]int{0: 1, 2: 3, 4: 2, 6: 4}[colorType]
	rowBytes := func(w, h int) int {
		if w == 0 || h == 0 {
			return 0
		}
		return h * (1 + (w*channels*depth+7)/8) // filter byte "None" and zero samples
	}
	n := 0
	if interlaced {
		// Adam7 pass geometry (PNG specification, section 8.2).
		for _, p := range [7][4]int{{0, 0, 8, 8}, {4, 0, 8, 8}, {0, 4, 4, 8}, {2, 0, 4, 4}, {0, 2, 2, 4}, {1, 0, 2, 2}, {0, 1, 1, 2}} {
			n += rowBytes((w-p[0]+p[2]-1)/p[2], (h-p[1]+p[3]-1)/p[3])
		}
	} else {
		n = rowBytes(w, h)
	}
	idat := bytes.NewBuffer(ZeroZlib(n))
	pngChunk(buf, "IDAT", idat.Bytes())
	pngChunk(buf, "IEND", nil)
	return buf.Bytes()
}

// PNGHeader returns the signature and IHDR chunk of an 8-bit gray w×h PNG
// and nothing more: dimensions beyond any limit in 33 bytes.
func PNGHeader(w, h int) []byte { return pngHead(w, h, 8, 0, false) }

// pngHead returns a PNG signature and the IHDR chunk of PNG's arguments.
func pngHead(w, h, depth, colorType int, interlaced bool) []byte {
	var buf bytes.Buffer
	buf.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr, uint32(w))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(h))
	ihdr[8], ihdr[9] = byte(depth), byte(colorType)
	if interlaced {
		ihdr[12] = 1
	}
	pngChunk(&buf, "IHDR", ihdr)
	return buf.Bytes()
}

func pngChunk(buf *bytes.Buffer, typ string, data []byte) {
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(data)))
	buf.Write(n[:])
	buf.WriteString(typ)
	buf.Write(data)
	crc := crc32.NewIEEE()
	crc.Write([]byte(typ))
	crc.Write(data)
	binary.BigEndian.PutUint32(n[:], crc.Sum32())
	buf.Write(n[:])
}

// TIFF returns a little-endian TIFF of pages directories, each an 8-bit
// gray w×h page whose single Deflate strip of zeros is shared by all of
// them: the file is the size of one compressed page.
func TIFF(w, h, pages int) []byte {
	strip := bytes.NewBuffer(ZeroZlib(w * h))
	le := binary.LittleEndian
	out := []byte("II*\x00\x00\x00\x00\x00")
	stripOff := len(out)
	out = append(out, strip.Bytes()...)
	if len(out)%2 == 1 {
		out = append(out, 0)
	}
	type entry struct {
		tag, typ uint16
		val      uint32
	}
	const short, long = 3, 4
	entries := []entry{
		{256, long, uint32(w)}, {257, long, uint32(h)}, {258, short, 8}, {259, short, 8},
		{262, short, 1}, {273, long, uint32(stripOff)}, {277, short, 1}, {278, long, uint32(h)},
		{279, long, uint32(strip.Len())},
	}
	le.PutUint32(out[4:], uint32(len(out)))
	for p := 0; p < pages; p++ {
		ifd := len(out)
		out = le.AppendUint16(out, uint16(len(entries)))
		for _, e := range entries {
			out = le.AppendUint16(out, e.tag)
			out = le.AppendUint16(out, e.typ)
			out = le.AppendUint32(out, 1)
			if e.typ == short {
				out = le.AppendUint16(out, uint16(e.val))
				out = le.AppendUint16(out, 0)
			} else {
				out = le.AppendUint32(out, e.val)
			}
		}
		next := uint32(0)
		if p < pages-1 {
			next = uint32(ifd + 2 + 12*len(entries) + 4)
		}
		out = le.AppendUint32(out, next)
	}
	return out
}

// GIF returns a GIF89a animation on a w×h logical screen with frames
// frames of one pixel each: every frame is a full canvas to read.
func GIF(w, h, frames int) []byte {
	le := binary.LittleEndian
	out := []byte("GIF89a")
	out = le.AppendUint16(out, uint16(w))
	out = le.AppendUint16(out, uint16(h))
	out = append(out, 0x80, 0, 0)                // global colour table of 2 entries
	out = append(out, 0, 0, 0, 0xff, 0xff, 0xff) // black, white
	var px bytes.Buffer
	lw := lzw.NewWriter(&px, lzw.LSB, 2)
	lw.Write([]byte{0})
	lw.Close()
	for f := 0; f < frames; f++ {
		out = append(out, 0x21, 0xf9, 4, 0, 0, 0, 0, 0) // graphic control: no disposal
		out = append(out, 0x2c, 0, 0, 0, 0, 1, 0, 1, 0, 0)
		out = append(out, 2, byte(px.Len()))
		out = append(out, px.Bytes()...)
		out = append(out, 0)
	}
	return append(out, 0x3b)
}

// ZeroZlib returns a zlib stream (RFC 1950) of n zero bytes. The deflate
// data of each further MiB of zeros is the same block once the window holds
// only zeros, so the block is compressed twice, checked equal, and then
// repeated: generating the 392 MB of a 7000×7000 16-bit RGBA PNG takes
// milliseconds, not seconds.
func ZeroZlib(n int) []byte {
	const unit = 1 << 20
	var buf bytes.Buffer
	buf.Write([]byte{0x78, 0x01}) // deflate, 32 KB window, no dictionary
	fw, _ := flate.NewWriter(&buf, flate.BestSpeed)
	zeros := make([]byte, unit)
	left := n
	if left >= 4*unit {
		var marks [3]int
		for i := range marks {
			fw.Write(zeros)
			fw.Flush()
			marks[i] = buf.Len()
		}
		left -= 3 * unit
		block := append([]byte(nil), buf.Bytes()[marks[0]:marks[1]]...)
		if bytes.Equal(block, buf.Bytes()[marks[1]:marks[2]]) {
			for ; left >= unit; left -= unit {
				buf.Write(block)
			}
		}
	}
	for ; left > 0; left -= min(left, unit) {
		fw.Write(zeros[:min(left, unit)])
	}
	fw.Close()
	// Adler-32 of n zeros: A stays 1, B adds A once a byte.
	sum := uint32(n%65521)<<16 | 1
	return binary.BigEndian.AppendUint32(buf.Bytes(), sum)
}

// bitWriter writes the least significant bit first (VP8L, RFC 9649).
type bitWriter struct {
	out  []byte
	acc  uint64
	nacc uint
}

func (b *bitWriter) write(v uint64, n uint) {
	b.acc |= v << b.nacc
	b.nacc += n
	for b.nacc >= 8 {
		b.out = append(b.out, byte(b.acc))
		b.acc >>= 8
		b.nacc -= 8
	}
}

func (b *bitWriter) bytes() []byte {
	if b.nacc > 0 {
		b.out = append(b.out, byte(b.acc))
	}
	return b.out
}

// WebPLossless returns a w×h lossless WebP (VP8L, w and h at most 16384)
// whose five prefix codes each have a single symbol: every pixel costs
// zero bits, the file is a few dozen bytes.
func WebPLossless(w, h int) []byte {
	var b bitWriter
	b.write(0x2f, 8)
	b.write(uint64(w-1), 14)
	b.write(uint64(h-1), 14)
	b.write(0, 1) // alpha unused
	b.write(0, 3) // version
	b.write(0, 1) // no transform
	b.write(0, 1) // no colour cache
	b.write(0, 1) // no meta prefix codes
	for i := 0; i < 5; i++ {
		b.write(1, 1) // simple code
		b.write(0, 1) // one symbol
		b.write(0, 1) // of 1 bit
		b.write(0, 1) // symbol 0
	}
	b.write(0, 32) // padding the decoder may peek at
	vp8l := b.bytes()
	le := binary.LittleEndian
	chunk := append([]byte("VP8L"), le.AppendUint32(nil, uint32(len(vp8l)))...)
	chunk = append(chunk, vp8l...)
	if len(vp8l)%2 == 1 {
		chunk = append(chunk, 0)
	}
	out := append([]byte("RIFF"), le.AppendUint32(nil, uint32(4+len(chunk)))...)
	out = append(out, "WEBP"...)
	return append(out, chunk...)
}

// BMPHeader returns the 54-byte header of a w×h 32-bit BMP and no pixel
// data: a decoder that allocates from the header alone pays for w×h×4.
func BMPHeader(w, h int) []byte {
	le := binary.LittleEndian
	out := []byte("BM")
	out = le.AppendUint32(out, uint32(54+w*h*4))
	out = le.AppendUint32(out, 0)
	out = le.AppendUint32(out, 54)
	out = le.AppendUint32(out, 40)
	out = le.AppendUint32(out, uint32(w))
	out = le.AppendUint32(out, uint32(h))
	out = le.AppendUint16(out, 1)
	out = le.AppendUint16(out, 32)
	out = le.AppendUint32(out, 0) // BI_RGB
	out = le.AppendUint32(out, uint32(w*h*4))
	out = le.AppendUint32(out, 2835)
	out = le.AppendUint32(out, 2835)
	out = le.AppendUint32(out, 0)
	out = le.AppendUint32(out, 0)
	return out
}

// jpegTables appends a quantisation table of ones and one-code Huffman
// tables (DC: the code "0" for category 0; AC: the code "0" for EOB), so
// that each block of a flat image costs two bits.
func jpegTables(out []byte) []byte {
	out = append(out, 0xff, 0xdb, 0, 67, 0)
	for i := 0; i < 64; i++ {
		out = append(out, 1)
	}
	for _, class := range []byte{0x00, 0x10} {
		out = append(out, 0xff, 0xc4, 0, 20, class, 1)
		out = append(out, make([]byte, 15)...)
		out = append(out, 0)
	}
	return out
}

// jpegSOF appends a start-of-frame segment of marker m for comps
// components with 1×1 sampling.
func jpegSOF(out []byte, m byte, w, h, comps int) []byte {
	out = append(out, 0xff, m, 0, byte(8+3*comps), 8, byte(h>>8), byte(h), byte(w>>8), byte(w), byte(comps))
	for c := 1; c <= comps; c++ {
		out = append(out, byte(c), 0x11, 0)
	}
	return out
}

// jpegSOS appends a scan header over comps components, spectral range
// ss..se.
func jpegSOS(out []byte, comps int, ss, se byte) []byte {
	out = append(out, 0xff, 0xda, 0, byte(6+2*comps), byte(comps))
	for c := 1; c <= comps; c++ {
		out = append(out, byte(c), 0)
	}
	return append(out, ss, se, 0)
}

// JPEGBaseline returns a sequential 8-bit gray w×h JPEG of a flat image (2
// bits a block); headerOnly stops after the scan header, for dimensions
// beyond any limit.
func JPEGBaseline(w, h int, headerOnly bool) []byte {
	out := jpegTables([]byte{0xff, 0xd8})
	out = jpegSOF(out, 0xc0, w, h, 1)
	out = jpegSOS(out, 1, 0, 63)
	if headerOnly {
		return append(out, 0xff, 0xd9)
	}
	blocks := ((w + 7) / 8) * ((h + 7) / 8)
	out = append(out, make([]byte, (2*blocks+7)/8)...)
	return append(out, 0xff, 0xd9)
}

// JPEGProgressive returns a progressive w×h JPEG of comps components (3:
// YCbCr, 4: CMYK, which the luma decoder leaves to image/jpeg) holding only
// its DC scan, a flat image at one bit per block and component.
func JPEGProgressive(w, h, comps int) []byte {
	out := jpegTables([]byte{0xff, 0xd8})
	if comps == 4 {
		// Adobe APP14, transform 0: the components are CMYK as stored.
		out = append(out, 0xff, 0xee, 0, 14, 'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0, 0, 0, 0)
	}
	out = jpegSOF(out, 0xc2, w, h, comps)
	out = jpegSOS(out, comps, 0, 0)
	blocks := ((w + 7) / 8) * ((h + 7) / 8)
	out = append(out, make([]byte, (comps*blocks+7)/8)...)
	return append(out, 0xff, 0xd9)
}
