// Package imgio turns the bytes of an uploaded image into the 8-bit gray
// plane that every later stage of qrcascade works on. It is the first thing
// each request runs, on input nobody has checked, so it is written to be
// cheap on good input and safe on hostile input.
//
// # Procedure
//
// Decode runs these steps, each of which can end the request:
//
//  1. Size: an input over Limits.MaxBytes is refused (*LimitError "bytes")
//     before anything is parsed.
//  2. Sniff: the format is named by its magic bytes, never by a file name or
//     Content-Type: JPEG (ITU-T T.81/JFIF), PNG, GIF, BMP, TIFF (both byte
//     orders) and WebP (RIFF "WEBP": simple lossy VP8, lossless VP8L and the
//     extended VP8X layout). Unknown or unhandled formats give an
//     *UnsupportedError that names what was recognised (pdf, heif, …).
//  3. Header: the format's DecodeConfig reads the dimensions only. An image
//     whose stored width*height exceeds Limits.MaxPixels is refused
//     (*LimitError "pixels") before any pixel buffer exists: this is the
//     defence against decompression bombs (a few KB of PNG or GIF that claim
//     50 000 x 50 000 pixels). The same header also gives the shape
//     (Limits.MinSide, MaxAspect), the decoder memory its pixel format
//     needs (Limits.MaxDecodeBytes) and, with every page's header, the
//     total work (Limits.MaxWork): see budget.go.
//  4. Pixels: a JPEG goes to internal/jpegluma first, which decodes the
//     luma (Y) plane of a sequential or progressive Huffman JPEG and
//     nothing else, two to four times faster than image/jpeg and
//     bit-identical to its Y plane. Only when jpegluma reports
//     jpegluma.ErrUnsupported (arithmetic coding, 12-bit, CMYK/YCCK,
//     RGB-coded files, …) does image/jpeg
//     decode the file; a malformed file is a *FormatError from jpegluma
//     without a second attempt. A PNG goes to decodePNGLuma first
//     (pngluma.go), which inflates, unfilters and reduces the rows to
//     gray one at a time, without image/png's RGBA or NRGBA image: 1.5 to
//     2 times as fast on the corpus's PNG files and byte-identical to the
//     plane of the image/png path. 16-bit samples, Adam7 interlacing,
//     tRNS on gray or RGB images and every file not laid out as the
//     specification asks go to image/png, which decodes them or reports
//     the error it always reported. Other formats go to their decoder
//     from the standard library or golang.org/x/image. Decoders are
//     called directly (image.Decode's global registry is not consulted),
//     and a panic inside one is recovered and returned as a *FormatError:
//     third-party decoders have panicked on malformed input before.
//  5. Gray: jpegluma's and decodePNGLuma's planes are the result as they
//     are. A decoded image is reduced to BT.601 luma with alpha composited
//     over white, by a loop specialised for its concrete type (see
//     convert.go); image/jpeg's Y plane and 8-bit gray images are returned
//     as they are, without a copy.
//  6. Orientation: the Orientation tag (0x0112) of JPEG's Exif APP1 segment
//     or of a TIFF file's IFD0 is read by a small bounded parser and applied,
//     so that the plane is upright as a viewer would show it.
//
// # Weak spots
//
//   - Decode reads the first page only: the first GIF frame (composited on
//     a white canvas of the logical screen size), TIFF's IFD0. DecodePages
//     (pages.go) reads every TIFF directory and every GIF frame. PDF is
//     rendered by internal/pdf; here it is an *UnsupportedError "pdf".
//   - GIF frames are composited over the previous canvas; a frame whose
//     disposal is "restore to background" is cleared to white, not to the
//     logical screen's background colour (which viewers ignore too).
//   - WebP: animated files are refused with an *UnsupportedError. Exif
//     orientation is applied to JPEG and TIFF only; PNG (eXIf chunk) and
//     WebP (EXIF chunk) files carrying one are returned as stored.
//   - TIFF: only what golang.org/x/image/tiff handles (uncompressed, LZW,
//     Deflate, PackBits, CCITT group 3/4); JPEG-in-TIFF and BigTIFF give an
//     *UnsupportedError.
//   - The decoder memory is estimated from the pixel format, not
//     measured: the estimates (budget.go) are upper bounds for the
//     decoders of the Go versions in go.mod, checked by the hostile-input
//     tests. Images whose format needs more than Limits.MaxDecodeBytes
//     are refused rather than decoded in parts.
//   - JPEG: jpegluma and image/jpeg accept and refuse the same files with
//     few exceptions (jpegluma also decodes sampling factors of 3 and other
//     ratios image/jpeg calls unsupported; see its package documentation).
//     Neither conceals errors in entropy-coded data the way libjpeg does: a
//     truncated scan or a wrong restart marker fails the decode.
//   - Decoding is not interruptible: there is no context parameter, and the
//     bound on the work is the pixel limit.
//
// Coordinates: (0,0) is the top-left pixel of the upright image, +x right,
// +y down. All functions are safe for concurrent use; none modifies data or
// keeps a reference to it, and a returned plane never aliases data.
package imgio

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"

	"golang.org/x/image/bmp"
	"golang.org/x/image/tiff"
	"golang.org/x/image/webp"

	"github.com/qrcascade/qrcascade/internal/gray"
	"github.com/qrcascade/qrcascade/internal/jpegluma"
)

// Default limits, used for zero fields of Limits.
const (
	DefaultMaxBytes  = 32 << 20 // 32 MiB
	DefaultMaxPixels = 50e6     // 50 megapixels, e.g. 8660 x 5773
)

// Limits bounds the work one input may cause. Zero fields take the defaults;
// the zero value is ready to use.
type Limits struct {
	// MaxBytes is the largest accepted input, in bytes. 0: DefaultMaxBytes
	// (32 MiB); < 0: no limit.
	MaxBytes int64
	// MaxPixels is the largest accepted width*height as stored (before Exif
	// orientation, which does not change it). 0: DefaultMaxPixels (50e6);
	// < 0: no limit.
	MaxPixels int64
	// MaxPages is the largest accepted page count for DecodePages (TIFF
	// directories, GIF frames). 0: DefaultMaxPages (20); < 0: no limit.
	// Decode and DecodeConfig read the first page only and ignore it.
	MaxPages int
	// MaxWork is the largest accepted sum of width*height over every page
	// read (TIFF directories, GIF canvases; for Decode the one page),
	// checked from the headers before any page is decoded (*LimitError
	// "work"). 0: the effective MaxPixels (DefaultMaxWork, 50e6, by
	// default), so that a request costs at most one image at the pixel
	// limit; < 0: no limit.
	MaxWork int64
	// MaxDecodeBytes is the most memory, in bytes, the decoder of one
	// page may need for the header's pixel format (see budget.go), checked
	// before any pixel buffer exists (*LimitError "memory"). 0:
	// DefaultMaxDecodeBytes (64 MiB); < 0: no limit.
	MaxDecodeBytes int64
	// MinSide is the least accepted shortest side in pixels (*LimitError
	// "side"). <= 0: no limit (a general image decoder should not refuse
	// icons); DefaultMinSide (21, a version 1 QR code) is what a QR reader
	// wants, and what the qrcascade Reader applies.
	MinSide int
	// MaxAspect is the largest accepted ratio of the long side to the short
	// side (*LimitError "aspect"). <= 0: no limit; DefaultMaxAspect (100)
	// is the qrcascade Reader's default.
	MaxAspect int
}

// effective returns l with defaults filled in; a negative result means no
// limit.
func (l Limits) effective() (maxBytes, maxPixels int64) {
	maxBytes, maxPixels = l.MaxBytes, l.MaxPixels
	if maxBytes == 0 {
		maxBytes = DefaultMaxBytes
	}
	if maxPixels == 0 {
		maxPixels = DefaultMaxPixels
	}
	return maxBytes, maxPixels
}

// Info describes a decoded (or probed) image.
type Info struct {
	Format        string // "jpeg", "png", "gif", "bmp", "tiff" or "webp"
	Width, Height int    // of the returned plane (after Exif orientation)
	Orientation   int    // Exif/TIFF orientation 1..8 that was applied (1 when none)
	Pages         int    // page count, set by DecodePages only (0 from Decode and DecodeConfig)
}

// DecodeConfig sniffs the format of data and reads its header only: the
// dimensions and, for JPEG and TIFF, the orientation. It is cheap and allocates no
// pixel buffer, so a caller can refuse an image before decoding it. Width and
// Height are those Decode would return (after orientation).
//
// Errors are as for Decode, except that no *LimitError is returned.
func DecodeConfig(data []byte) (Info, error) {
	format, err := Sniff(data)
	if err != nil {
		return Info{}, err
	}
	cfg, err := decodeConfig(data, format)
	if err != nil {
		return Info{}, err
	}
	info := Info{Format: format, Orientation: orientation(data, format)}
	info.Width, info.Height = orientedSize(cfg.Width, cfg.Height, info.Orientation)
	return info, nil
}

// Decode decodes data to an upright 8-bit gray plane (BT.601 luma,
// transparency composited over white) and describes it in Info. See the
// package documentation for the steps.
//
// The plane may have Stride > W and may share memory with the decoder's
// buffers, never with data; the caller owns it. data is not modified.
//
// Errors, all usable with errors.Is / errors.As: ErrEmpty for empty data;
// *LimitError when lim is exceeded (MaxBytes is checked first, MaxPixels from
// the header before any pixel is decoded); *UnsupportedError for unknown
// magic bytes or a valid but unhandled variant; *FormatError for malformed or
// truncated input, including a panic inside a decoder.
func Decode(data []byte, lim Limits) (*gray.Plane, Info, error) {
	if err := lim.checkBytes(data); err != nil {
		return nil, Info{}, err
	}
	format, err := Sniff(data)
	if err != nil {
		return nil, Info{}, err
	}
	return decodeFormat(data, format, lim.budget(), nil)
}

// checkBytes is the first step of Decode and DecodePages: ErrEmpty for
// empty data, a *LimitError "bytes" for data over Limits.MaxBytes.
func (l Limits) checkBytes(data []byte) error {
	if len(data) == 0 {
		return ErrEmpty
	}
	if maxBytes, _ := l.effective(); maxBytes >= 0 && int64(len(data)) > maxBytes {
		return &LimitError{What: LimitBytes, Limit: maxBytes, Actual: int64(len(data))}
	}
	return nil
}

// decodeFormat is Decode once the size is checked and the format sniffed
// (DecodePages and each TIFF page share it).
func decodeFormat(data []byte, format string, b budget, buf *gray.Plane) (*gray.Plane, Info, error) {
	cfg, err := decodeConfig(data, format)
	if err != nil {
		return nil, Info{}, err
	}
	if err := b.checkHeader(data, format, cfg); err != nil {
		return nil, Info{}, err
	}
	var p *gray.Plane
	if format == FormatJPEG {
		// The luma-only decoder first; it returns nil, nil for a file it
		// leaves to image/jpeg (arithmetic coding, CMYK, RGB, …), whose
		// memory is checked before it runs.
		if p, err = decodeJPEGLuma(data, cfg, buf); err != nil {
			return nil, Info{}, err
		}
		if p == nil {
			if err := b.checkDecode(decodeCost(data, format, cfg, true)); err != nil {
				return nil, Info{}, err
			}
		}
	}
	if format == FormatPNG {
		// The straight-to-gray decoder first; a file it leaves to
		// image/png (a rarer variant, or not laid out as the
		// specification asks) costs one chunk walk more.
		p = decodePNGGray(data, cfg, buf)
	}
	if p == nil {
		if p, err = decodePlane(data, format, cfg); err != nil {
			return nil, Info{}, err
		}
	}
	info := Info{Format: format, Orientation: orientation(data, format)}
	p = orient(p, info.Orientation)
	info.Width, info.Height = p.W, p.H
	return p, info, nil
}

// decodePlane decodes data with the format's image decoder and reduces the
// image to gray (steps 4 and 5 of the package documentation).
func decodePlane(data []byte, format string, cfg image.Config) (*gray.Plane, error) {
	img, err := decodeImage(data, format)
	if err != nil {
		return nil, err
	}
	b := img.Bounds()
	if int64(b.Dx())*int64(b.Dy()) > int64(cfg.Width)*int64(cfg.Height) {
		// The header promised fewer pixels than the decoder produced; the
		// limit check above would have been meaningless.
		return nil, &FormatError{Format: format, Reason: "the decoded size differs from the header",
			Err: fmt.Errorf("decoded size %dx%d exceeds header size %dx%d", b.Dx(), b.Dy(), cfg.Width, cfg.Height)}
	}
	switch format {
	case FormatGIF:
		return onCanvas(img, cfg.Width, cfg.Height), nil
	case FormatWebP:
		return webpToGray(img), nil
	}
	return toGray(img), nil
}

// decodeJPEGLuma decodes the luma plane of a JPEG with internal/jpegluma
// (into buf's memory when buf is not nil; see DecodePagesInto),
// recovering panics. It returns nil, nil when jpegluma reports the file
// unsupported (and only then): the caller falls back to image/jpeg, whose
// Y plane jpegluma reproduces exactly.
func decodeJPEGLuma(data []byte, cfg image.Config, buf *gray.Plane) (p *gray.Plane, err error) {
	defer recoverAs(FormatJPEG, &err)
	p, err = jpegluma.Decode(data, buf)
	switch {
	case errors.Is(err, jpegluma.ErrUnsupported):
		return nil, nil
	case err != nil:
		return nil, &FormatError{Format: FormatJPEG, Err: err}
	case p.W != cfg.Width || p.H != cfg.Height:
		return nil, &FormatError{Format: FormatJPEG, Reason: "the decoded size differs from the header",
			Err: fmt.Errorf("decoded size %dx%d differs from header size %dx%d", p.W, p.H, cfg.Width, cfg.Height)}
	}
	return p, nil
}

// decodePNGGray decodes a PNG with decodePNGLuma (into buf's memory when
// buf is not nil), recovering panics. It returns nil for a file left to
// image/png, which then reports what it always reported.
func decodePNGGray(data []byte, cfg image.Config, buf *gray.Plane) (p *gray.Plane) {
	defer func() {
		if recover() != nil {
			p = nil
		}
	}()
	p, err := decodePNGLuma(data, buf)
	if err != nil || p.W != cfg.Width || p.H != cfg.Height {
		return nil
	}
	return p
}

// onCanvas converts a GIF frame to gray and places it on a white canvas of
// the logical screen size (GIF89a section 18), which is what a viewer shows
// for the first frame. The frame's bounds are absolute screen coordinates.
func onCanvas(img image.Image, w, h int) *gray.Plane {
	b := img.Bounds()
	screen := image.Rect(0, 0, w, h)
	if b == screen {
		return toGray(img)
	}
	c := gray.New(w, h)
	for i := range c.Pix {
		c.Pix[i] = 0xff
	}
	r := b.Intersect(screen)
	if r.Empty() {
		return c
	}
	f := toGray(img) // (0,0) of f is b.Min
	for y := r.Min.Y; y < r.Max.Y; y++ {
		src := f.Row(y - b.Min.Y)[r.Min.X-b.Min.X : r.Max.X-b.Min.X]
		copy(c.Row(y)[r.Min.X:r.Max.X], src)
	}
	return c
}

// orientation returns the Exif/TIFF orientation (1..8) of data: from the
// APP1 Exif segment for JPEG, from IFD0 for TIFF, 1 for other formats.
func orientation(data []byte, format string) int {
	switch format {
	case FormatJPEG:
		return jpegOrientation(data)
	case FormatTIFF:
		return tiffOrientation(data)
	}
	return 1
}

// recoverAs, deferred, turns a panic of the decoder of format into a
// *FormatError stored in *err. Runtime faults that cannot be recovered (out
// of memory, stack exhaustion) still end the process; the pixel limit is the
// defence against the first.
func recoverAs(format string, err *error) {
	if r := recover(); r != nil {
		*err = &FormatError{Format: format, Err: fmt.Errorf("decoder panic: %v", r)}
	}
}

// decodeConfig runs the header decoder of format, recovering panics.
func decodeConfig(data []byte, format string) (cfg image.Config, err error) {
	defer recoverAs(format, &err)
	if err := checkWebP(data, format); err != nil {
		return image.Config{}, err
	}
	if format == FormatTIFF {
		// x/image/tiff reads tag values lazily and accepts a file whose
		// IFD0 values are cut off; a truncated upload should be reported.
		if _, err := readIFD0(data); err != nil {
			return image.Config{}, &FormatError{Format: format, Err: err}
		}
	}
	r := bytes.NewReader(data)
	switch format {
	case FormatJPEG:
		cfg, err = jpeg.DecodeConfig(r)
	case FormatPNG:
		cfg, err = png.DecodeConfig(r)
	case FormatGIF:
		cfg, err = gif.DecodeConfig(r)
	case FormatBMP:
		cfg, err = bmp.DecodeConfig(r)
	case FormatTIFF:
		cfg, err = tiff.DecodeConfig(r)
	case FormatWebP:
		cfg, err = webp.DecodeConfig(r)
	default:
		return image.Config{}, &UnsupportedError{Format: format}
	}
	if err != nil {
		return image.Config{}, classify(format, err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return image.Config{}, &FormatError{Format: format, Reason: fmt.Sprintf("invalid size %dx%d", cfg.Width, cfg.Height),
			Err: fmt.Errorf("invalid size %dx%d", cfg.Width, cfg.Height)}
	}
	return cfg, nil
}

// decodeImage runs the pixel decoder of format, recovering panics.
func decodeImage(data []byte, format string) (img image.Image, err error) {
	defer recoverAs(format, &err)
	r := bytes.NewReader(data)
	switch format {
	case FormatJPEG:
		img, err = jpeg.Decode(r)
	case FormatPNG:
		img, err = png.Decode(r)
	case FormatGIF:
		img, err = gif.Decode(r)
	case FormatBMP:
		img, err = bmp.Decode(r)
	case FormatTIFF:
		img, err = tiff.Decode(r)
	case FormatWebP:
		img, err = webp.Decode(r)
	default:
		return nil, &UnsupportedError{Format: format}
	}
	if err != nil {
		return nil, classify(format, err)
	}
	if img == nil {
		return nil, &FormatError{Format: format, Reason: "no image in the file", Err: errors.New("decoder returned no image")}
	}
	return img, nil
}

// classify wraps a decoder error: the decoders' own "unsupported" errors
// become *UnsupportedError, everything else (syntax errors, io.EOF and
// io.ErrUnexpectedEOF from truncation) *FormatError.
func classify(format string, err error) error {
	var (
		ju jpeg.UnsupportedError
		pu png.UnsupportedError
		tu tiff.UnsupportedError
	)
	if errors.As(err, &ju) || errors.As(err, &pu) || errors.As(err, &tu) || errors.Is(err, bmp.ErrUnsupported) {
		return &UnsupportedError{Format: format, Err: err}
	}
	return &FormatError{Format: format, Err: err}
}

// VP8X feature flags (WebP container specification, "Extended File Format").
const (
	vp8xAnimation = 1 << 1
)

// checkWebP refuses what golang.org/x/image/webp would misreport: an animated
// WebP (it has no top-level VP8/VP8L chunk, so the decoder calls it invalid)
// is valid but unsupported here.
func checkWebP(data []byte, format string) error {
	if format != FormatWebP || len(data) < 21 || string(data[12:16]) != "VP8X" {
		return nil
	}
	if data[20]&vp8xAnimation != 0 {
		return &UnsupportedError{Format: format, Reason: "animated webp"}
	}
	return nil
}
