package imgio

import (
	"encoding/binary"
	"image"
	"image/color"

	"github.com/qrcascade/qrcascade/internal/jpegluma"
)

// Budget
//
// Issue #17: the pixel limit alone bounds pixels as stored, not what a
// request costs. A 381 KB 16-bit RGBA PNG of 7000×7000 is under 50 MP but
// image/png decodes it into an image.RGBA64 of 392 MB; a 50 KB TIFF of 20
// pages of 7000² asks for 980 MP of reading. Before any pixel buffer
// exists, Decode and DecodePages therefore check, from the headers only:
//
//   - shape (Limits.MinSide, Limits.MaxAspect; off in a zero Limits, on
//     in the qrcascade Reader by default): an image whose shortest
//     side is under 21 pixels cannot hold a QR code (version 1 is 21
//     modules), nor can a 49,999,999×1 strip; both are refused
//     (*LimitError "side" / "aspect", Unprocessable: HTTP 422) instead of
//     running every tier over a 50 MB line;
//   - decoder memory (Limits.MaxDecodeBytes): the bytes the standard
//     decoder allocates for the header's pixel format (decodeCost below),
//     plus the gray plane when the conversion copies. The standard
//     decoders cannot decode part of an image or straight to 8-bit gray;
//     rather than a hand-written PNG/TIFF row decoder (a second
//     implementation of filters, interlacing, palettes and transparency to
//     maintain and fuzz), an image whose format would need more is refused
//     with a message that names the remedy (an 8-bit or smaller image).
//     JPEG, the common case for photos, goes to internal/jpegluma, which
//     decodes the luma plane only (1 byte per pixel; 3.25 for progressive
//     files, which keep their coefficients);
//   - total work (Limits.MaxWork): the pixels summed over every page the
//     request will read (TIFF directories, GIF canvases), so that a small
//     file that would cost seconds of reading is refused at once.
//
// The estimates are upper bounds for the decoders as they are in the Go
// standard library and golang.org/x/image at go.mod's versions; the
// hostile-input tests measure the bytes allocated around each decode
// against them.

// Defaults of the budget fields of Limits.
const (
	// DefaultMaxWork bounds the pixels of all pages together: what one
	// image at the default pixel limit costs, so that no request of many
	// pages costs more than the largest single image (12 A4 pages at
	// 200 dpi, 3.9 MP each). A zero Limits.MaxWork follows MaxPixels.
	DefaultMaxWork = DefaultMaxPixels
	// DefaultMaxDecodeBytes bounds one page's decoder memory: a 12 MP
	// RGB PNG (60 MB) fits, a 49 MP 16-bit RGBA PNG (441 MB) does not;
	// JPEG (luma only) fits up to the pixel limit, 20 MP progressive;
	// an 8-bit gray TIFF up to 11 MP (an A4 page at 300 dpi is 8.7 MP).
	DefaultMaxDecodeBytes = 64 << 20
	// DefaultMinSide is the recommended Limits.MinSide, the one the
	// qrcascade Reader applies unless told otherwise: a version 1 QR code
	// is 21 modules wide.
	DefaultMinSide = 21
	// DefaultMaxAspect is the recommended Limits.MaxAspect (long side /
	// short side), the Reader's default.
	DefaultMaxAspect = 100
)

// budget holds the effective limits; a negative field means no limit.
type budget struct {
	maxBytes, maxPixels, maxWork, maxDecode int64
	minSide, maxAspect                      int64
	maxPages                                int
}

// budget returns l with the defaults filled in.
func (l Limits) budget() budget {
	def := func(v, d int64) int64 {
		if v == 0 {
			return d
		}
		return v
	}
	maxBytes, maxPixels := l.effective()
	return budget{
		maxBytes: maxBytes, maxPixels: maxPixels,
		maxWork:   def(l.MaxWork, maxPixels), // DefaultMaxWork with the default pixel limit
		maxDecode: def(l.MaxDecodeBytes, DefaultMaxDecodeBytes),
		minSide:   int64(l.MinSide), // opt-in: 0 is no limit
		maxAspect: int64(l.MaxAspect),
		maxPages:  l.maxPages(),
	}
}

// checkSize applies the pixel and shape limits to a w×h page.
func (b budget) checkSize(w, h int) error {
	px := int64(w) * int64(h)
	if b.maxPixels >= 0 && px > b.maxPixels {
		return &LimitError{What: LimitPixels, Limit: b.maxPixels, Actual: px}
	}
	short, long := int64(min(w, h)), int64(max(w, h))
	if b.minSide > 0 && short < b.minSide {
		return &LimitError{What: LimitSide, Limit: b.minSide, Actual: short}
	}
	if b.maxAspect > 0 && long > b.maxAspect*short {
		return &LimitError{What: LimitAspect, Limit: b.maxAspect, Actual: (long + short - 1) / short}
	}
	return nil
}

// checkDecode applies the memory limit to need bytes.
func (b budget) checkDecode(need int64) error {
	if b.maxDecode >= 0 && need > b.maxDecode {
		return &LimitError{What: LimitMemory, Limit: b.maxDecode, Actual: need}
	}
	return nil
}

// checkWork applies the work limit to px pixels over all pages.
func (b budget) checkWork(px int64) error {
	if b.maxWork >= 0 && px > b.maxWork {
		return &LimitError{What: LimitWork, Limit: b.maxWork, Actual: px}
	}
	return nil
}

// checkHeader runs every header check of one page: size and shape, then
// the decoder memory of the path Decode takes first (jpegluma for JPEG).
func (b budget) checkHeader(data []byte, format string, cfg image.Config) error {
	if err := b.checkSize(cfg.Width, cfg.Height); err != nil {
		return err
	}
	if err := b.checkWork(int64(cfg.Width) * int64(cfg.Height)); err != nil {
		return err
	}
	return b.checkDecode(decodeCost(data, format, cfg, false))
}

// modelBytes is the bytes per pixel of the image a standard decoder
// returns for colour model m, and whether converting it to gray copies
// (everything but 8-bit gray, which is returned as it is).
func modelBytes(m color.Model) (n int64, copies bool) {
	if _, ok := m.(color.Palette); ok {
		return 1, true
	}
	switch m {
	case color.GrayModel:
		return 1, false
	case color.Gray16Model:
		return 2, true
	case color.RGBAModel, color.NRGBAModel, color.CMYKModel:
		return 4, true
	case color.YCbCrModel:
		return 3, true // 4:4:4 at most
	case color.NYCbCrAModel:
		return 4, true
	}
	return 8, true // RGBA64, NRGBA64 and anything unknown
}

// decodeCost returns an upper bound of the bytes decoding one page of
// data allocates: the decoder's image, its working buffers and the gray
// plane. fallback selects image/jpeg rather than jpegluma for JPEG.
func decodeCost(data []byte, format string, cfg image.Config, fallback bool) int64 {
	px := int64(cfg.Width) * int64(cfg.Height)
	per, copies := modelBytes(cfg.ColorModel)
	out := int64(0)
	if copies {
		out = 1
	}
	switch format {
	case FormatJPEG:
		progressive, comps := jpegFrame(data)
		if !fallback {
			// jpegluma: the Y plane padded to whole MCUs (16 pixels at
			// most), plus int16 coefficients and a 64-bit mask a block
			// when progressive, and the decoder's tables.
			padded := int64((cfg.Width+15)/16*16) * int64((cfg.Height+15)/16*16)
			if progressive {
				return padded*13/4 + jpegluma.DecoderBytes
			}
			return padded + jpegluma.DecoderBytes
		}
		// image/jpeg: a plane per component, the RGBA or CMYK image it
		// converts them to, the gray plane, and int32 coefficients per
		// component when progressive.
		// jpegluma's decoder, which read the headers first, is counted too.
		c := int64(max(comps, 1))
		cost := c + 4 + 1
		if progressive {
			cost += 4 * c
		}
		return px*cost + jpegluma.DecoderBytes
	case FormatPNG:
		if len(data) > 28 && data[28] != 0 {
			per *= 2 // Adam7: each pass is decoded into its own image first
		}
		// image/png keeps the current and the previous row, at most 8
		// bytes a pixel: nothing for a photo, 100 MB for a 50 MP line.
		// decodePNGLuma, tried first, needs the plane, two rows, its
		// inflater and a 32 KB buffer: within this estimate, which is
		// image/png's, the decoder that runs when decodePNGLuma leaves
		// a file to it.
		return px*(per+out) + 2*(int64(cfg.Width)*8+1)
	case FormatTIFF:
		// A strip's decompressed bytes are read whole into a buffer that
		// grows by doubling: measured 5 bytes a pixel for 8-bit gray.
		per *= 6
	case FormatWebP:
		if cfg.ColorModel == color.NYCbCrAModel {
			per += 4 // the alpha plane is decoded as a lossless ARGB image
		}
		out = 1 // lossy Y is expanded from studio swing: a copy
	case FormatGIF:
		out = 2 // the frame converted, and the canvas it is placed on
	}
	return px * (per + out)
}

// jpegFrame scans the marker segments of a JPEG file up to its first SOFn
// and reports whether it is progressive and its component count. The scan
// is bounded by len(data); an unreadable file gives false, 0 and is left
// to the decoders to report.
func jpegFrame(data []byte) (progressive bool, comps int) {
	pos := 2 // after SOI
	for pos+4 <= len(data) {
		if data[pos] != 0xff {
			return false, 0
		}
		m := data[pos+1]
		if m == 0xff { // fill byte
			pos++
			continue
		}
		n := int(binary.BigEndian.Uint16(data[pos+2:]))
		if m >= 0xc0 && m <= 0xcf && m != 0xc4 && m != 0xc8 && m != 0xcc {
			if pos+10 > len(data) {
				return false, 0
			}
			return m == 0xc2 || m == 0xc6 || m == 0xca || m == 0xce, int(data[pos+9])
		}
		if n < 2 {
			return false, 0
		}
		pos += 2 + n
	}
	return false, 0
}
