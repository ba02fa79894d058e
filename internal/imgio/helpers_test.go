package imgio

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"math"
	"testing"

	"golang.org/x/image/bmp"
	"golang.org/x/image/tiff"

	"github.com/qrcascade/qrcascade/internal/gray"
)

// blockColors are the colours of the test pattern: black, white, greys,
// primaries and translucent or transparent entries, so that every weight of
// the luma formula and the compositing over white are exercised.
var blockColors = []color.NRGBA{
	{0, 0, 0, 255}, {255, 255, 255, 255}, {128, 128, 128, 255}, {255, 0, 0, 255},
	{0, 255, 0, 255}, {0, 0, 255, 255}, {30, 200, 90, 255}, {0, 0, 0, 0},
	{0, 0, 0, 128}, {200, 40, 10, 64}, {17, 99, 250, 200}, {77, 77, 77, 255},
}

// patternNRGBA returns a w×h image tiled with 16×16 blocks of blockColors
// (only the opaque ones when opaque is set).
func patternNRGBA(w, h int, opaque bool) *image.NRGBA {
	cols := blockColors
	if opaque {
		cols = nil
		for _, c := range blockColors {
			if c.A == 255 {
				cols = append(cols, c)
			}
		}
	}
	m := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			m.SetNRGBA(x, y, cols[(y/16*7+x/16)%len(cols)])
		}
	}
	return m
}

// patternGray returns a w×h gray image whose pixel (x, y) is a known
// function of x and y covering all 256 values.
func patternGray(w, h int) *image.Gray {
	m := image.NewGray(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			m.Pix[y*m.Stride+x] = byte(x*7 + y*13)
		}
	}
	return m
}

// refGray is the reference conversion, in floating point: BT.601 luma of the
// premultiplied colour plus white times (1 - alpha), rounded.
//
// For YCbCr colours the reference is the Y channel itself: Y is the luma the
// encoder computed from the original RGB, and converting back to RGB first
// would clamp out-of-gamut combinations and change it.
func refGray(c color.Color) int {
	switch c := c.(type) {
	case color.YCbCr:
		return int(c.Y)
	case color.NYCbCrA:
		a := float64(c.A) / 255
		return int(math.Round(float64(c.Y)*a + 255*(1-a)))
	}
	r, g, b, a := c.RGBA()
	y := 0.299*float64(r) + 0.587*float64(g) + 0.114*float64(b) + float64(0xffff-a)
	return int(math.Round(y * 255 / 0xffff))
}

// refPlane applies refGray to every pixel of img; (0,0) is img.Bounds().Min.
// Paletted indices beyond the palette are black (image.Paletted.At would
// panic on them).
func refPlane(img image.Image) *gray.Plane {
	b := img.Bounds()
	p := gray.New(b.Dx(), b.Dy())
	pal, _ := img.(*image.Paletted)
	for y := 0; y < p.H; y++ {
		for x := 0; x < p.W; x++ {
			if pal != nil && int(pal.ColorIndexAt(b.Min.X+x, b.Min.Y+y)) >= len(pal.Palette) {
				p.Pix[y*p.W+x] = 0
				continue
			}
			p.Pix[y*p.W+x] = byte(max(0, min(255, refGray(img.At(b.Min.X+x, b.Min.Y+y)))))
		}
	}
	return p
}

// planeDiff returns the largest absolute difference between two planes of
// the same size and where it is; it fails the test when sizes differ.
func planeDiff(t *testing.T, got, want *gray.Plane) (d, x, y int) {
	t.Helper()
	if got.W != want.W || got.H != want.H {
		t.Fatalf("size %dx%d, want %dx%d", got.W, got.H, want.W, want.H)
	}
	for j := 0; j < got.H; j++ {
		for i := 0; i < got.W; i++ {
			v := int(got.At(i, j)) - int(want.At(i, j))
			if v < 0 {
				v = -v
			}
			if v > d {
				d, x, y = v, i, j
			}
		}
	}
	return d, x, y
}

func encodePNG(t testing.TB, m image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, m); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func encodeJPEG(t testing.TB, m image.Image, q int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, m, &jpeg.Options{Quality: q}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func encodeGIF(t testing.TB, m image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := gif.Encode(&buf, m, nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func encodeBMP(t testing.TB, m image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := bmp.Encode(&buf, m); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func encodeTIFF(t testing.TB, m image.Image, c tiff.CompressionType) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := tiff.Encode(&buf, m, &tiff.Options{Compression: c, Predictor: c == tiff.Deflate}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// tiffGrayMM builds by hand a big-endian ("MM") uncompressed 8-bit gray TIFF
// (TIFF 6.0 section 4, bilevel/grayscale baseline), since the x/image/tiff
// encoder only writes little-endian files. A non-zero orientation adds an
// Orientation entry (tag 274).
func tiffGrayMM(m *image.Gray, orientation ...uint16) []byte {
	w, h := m.Rect.Dx(), m.Rect.Dy()
	bo := binary.BigEndian
	type entry struct {
		tag, typ uint16
		val      uint32
	}
	entries := []entry{
		{256, 4, uint32(w)}, // ImageWidth
		{257, 4, uint32(h)}, // ImageLength
		{258, 3, 8},         // BitsPerSample
		{259, 3, 1},         // Compression: none
		{262, 3, 1},         // PhotometricInterpretation: BlackIsZero
		{273, 4, 0},         // StripOffsets, set below
		{278, 4, uint32(h)}, // RowsPerStrip
		{279, 4, uint32(w * h)},
	}
	for _, o := range orientation {
		entries = append(entries[:6], append([]entry{{tagOrientation, 3, uint32(o)}}, entries[6:]...)...)
	}
	ifdOff := 8
	dataOff := ifdOff + 2 + 12*len(entries) + 4
	out := make([]byte, dataOff+w*h)
	copy(out, "MM\x00\x2a")
	bo.PutUint32(out[4:], uint32(ifdOff))
	bo.PutUint16(out[ifdOff:], uint16(len(entries)))
	for i, e := range entries {
		if e.tag == 273 {
			e.val = uint32(dataOff)
		}
		p := out[ifdOff+2+12*i:]
		bo.PutUint16(p, e.tag)
		bo.PutUint16(p[2:], e.typ)
		bo.PutUint32(p[4:], 1)
		if e.typ == 3 {
			bo.PutUint16(p[8:], uint16(e.val))
		} else {
			bo.PutUint32(p[8:], e.val)
		}
	}
	for y := 0; y < h; y++ {
		copy(out[dataOff+y*w:], m.Pix[y*m.Stride:y*m.Stride+w])
	}
	return out
}

// exifSegment builds an APP1 Exif segment (marker, length, "Exif\0\0", TIFF
// header, IFD0) holding an Orientation entry of the given value, preceded by
// one unrelated entry so that the parser must walk the IFD.
func exifSegment(orientation uint16, bo binary.ByteOrder) []byte {
	tiffHdr := make([]byte, 8+2+2*12+4)
	if bo == binary.LittleEndian {
		copy(tiffHdr, "II")
	} else {
		copy(tiffHdr, "MM")
	}
	bo.PutUint16(tiffHdr[2:], 42)
	bo.PutUint32(tiffHdr[4:], 8)
	bo.PutUint16(tiffHdr[8:], 2)
	e := tiffHdr[10:]
	bo.PutUint16(e, 0x010f) // Make, ASCII, 4 bytes inline: "Go\0\0"
	bo.PutUint16(e[2:], 2)
	bo.PutUint32(e[4:], 4)
	copy(e[8:], "Go")
	e = tiffHdr[22:]
	bo.PutUint16(e, tagOrientation)
	bo.PutUint16(e[2:], 3)
	bo.PutUint32(e[4:], 1)
	bo.PutUint16(e[8:], orientation)
	payload := append([]byte("Exif\x00\x00"), tiffHdr...)
	seg := []byte{0xff, markerAPP1, 0, 0}
	binary.BigEndian.PutUint16(seg[2:], uint16(len(payload)+2))
	return append(seg, payload...)
}

// withExif inserts seg right after the SOI marker of a JPEG stream (before
// the encoder's own segments, where cameras write it).
func withExif(jpg, seg []byte) []byte {
	out := append([]byte{}, jpg[:2]...)
	out = append(out, seg...)
	return append(out, jpg[2:]...)
}

// crc32PNG is the CRC of a PNG chunk (ISO 3309 / ITU-T V.42, as PNG uses).
func crc32PNG(b []byte) uint32 { return crc32.ChecksumIEEE(b) }
