package imgio

import (
	"errors"
	"io"
	"strconv"
	"strings"
)

// Error messages
//
// The messages of the error types below are what a client of the HTTP
// service reads (issue #17): they say what is wrong with the input in the
// client's terms, without package names, byte offsets or decoder internals.
// The decoder's own error stays in the chain (Unwrap, %w) for logs and
// debugging: errors.Unwrap(err).Error() or a %+v of the chain shows it.

// ErrEmpty is returned for an empty input (zero bytes).
var ErrEmpty = errors.New("empty input: no image bytes")

// A FormatError reports that the input is malformed or truncated: it claims a
// format (by its magic bytes) but its content does not follow that format.
// An HTTP layer answers it with 400.
type FormatError struct {
	Format string // "jpeg", "png", "gif", "bmp", "tiff" or "webp"
	Err    error  // the decoder's own error, or a description; may be nil
	// Reason, when set, is a client-facing description of what is wrong
	// ("the decoded size differs from the header"); when empty the
	// message says whether the file is truncated or corrupt.
	Reason string
}

func (e *FormatError) Error() string {
	msg := "malformed " + describe(e.Format)
	switch {
	case e.Reason != "":
		msg += ": " + e.Reason
	case e.Err == nil:
	case errors.Is(e.Err, io.ErrUnexpectedEOF) || errors.Is(e.Err, io.EOF):
		msg += ": the file is truncated"
	default:
		msg += ": the data is corrupt"
	}
	return msg
}

// Unwrap returns the underlying decoder error.
func (e *FormatError) Unwrap() error { return e.Err }

// An UnsupportedError reports an input that may well be valid but that this
// package does not handle: unknown magic bytes, a known but unhandled format
// (PDF, HEIF, …), an animated WebP, an exotic TIFF compression, BigTIFF…
// An HTTP layer answers it with 415.
type UnsupportedError struct {
	Format string // the sniffed format; "" when the magic bytes are unknown
	Reason string // what is not supported, e.g. "animated webp"
	Err    error  // the decoder's own error, if any
}

func (e *UnsupportedError) Error() string {
	reason := e.Reason
	if reason == "" && e.Err != nil {
		reason = feature(e.Err)
	}
	switch {
	case e.Format == "" && reason == "":
		return "unsupported input: not a JPEG, PNG, GIF, BMP, TIFF or WebP image nor a PDF document"
	case e.Format == "":
		return "unsupported input: " + reason
	case reason == "":
		return "unsupported " + describe(e.Format)
	}
	return "unsupported " + describe(e.Format) + ": " + reason
}

// Unwrap returns the underlying decoder error.
func (e *UnsupportedError) Unwrap() error { return e.Err }

// Values of LimitError.What.
const (
	LimitBytes  = "bytes"  // the input's size in bytes
	LimitPixels = "pixels" // width × height of one page as stored
	LimitPages  = "pages"  // the page count (TIFF directories, GIF frames, PDF pages)
	LimitWork   = "work"   // pixels summed over every page the request reads
	LimitMemory = "memory" // bytes the decoder would allocate, from the header
	LimitSide   = "side"   // the shortest side, in pixels (Limit is the least accepted)
	LimitAspect = "aspect" // long side / short side, rounded up
)

// A LimitError reports an input rejected by a Limits bound before any pixel
// buffer was allocated. An HTTP layer answers it with 413, or with 422 when
// Unprocessable reports true (the image is not too large, it is the wrong
// shape to hold a QR code).
type LimitError struct {
	What   string // one of LimitBytes, LimitPixels, … (see above)
	Limit  int64  // the bound that was exceeded (for LimitSide: the least accepted)
	Actual int64  // the input's value of What
}

// Unprocessable reports whether the input is refused for its shape (a
// side under the minimum, an extreme aspect ratio) rather than its size.
func (e *LimitError) Unprocessable() bool {
	return e.What == LimitSide || e.What == LimitAspect
}

func (e *LimitError) Error() string {
	a, l := strconv.FormatInt(e.Actual, 10), strconv.FormatInt(e.Limit, 10)
	switch e.What {
	case LimitBytes:
		return "input too large: " + a + " bytes exceeds the limit of " + l
	case LimitPixels:
		return "image too large: " + a + " pixels exceeds the limit of " + l
	case LimitPages:
		return "too many pages: " + a + " exceeds the limit of " + l
	case LimitWork:
		return "too much work: " + a + " pixels over all pages exceeds the limit of " + l
	case LimitMemory:
		return "image too large to decode: its pixel format needs " + megabytes(e.Actual) +
			" of memory, over the limit of " + megabytes(e.Limit) + " (send an 8-bit or smaller image)"
	case LimitSide:
		unit := " pixels"
		if e.Actual == 1 {
			unit = " pixel"
		}
		return "image cannot hold a QR code: its shortest side is " + a + unit + ", under the minimum of " + l
	case LimitAspect:
		return "image cannot hold a QR code: its aspect ratio " + a + ":1 exceeds the limit of " + l + ":1"
	}
	return "input too large: " + a + " " + e.What + " exceeds the limit of " + l
}

// megabytes formats n bytes in MB (10^6), rounded up; under 1 MB in bytes.
func megabytes(n int64) string {
	if n < 1_000_000 {
		return strconv.FormatInt(n, 10) + " bytes"
	}
	return strconv.FormatInt((n+999_999)/1_000_000, 10) + " MB"
}

// describe names a format for a message: "PNG image", "PDF document".
func describe(format string) string {
	switch format {
	case "":
		return "input"
	case FormatJPEG, FormatPNG, FormatGIF, FormatBMP, FormatTIFF:
		return strings.ToUpper(format) + " image"
	case FormatWebP:
		return "WebP image"
	case "pdf":
		return "PDF document"
	}
	return format + " data"
}

// feature extracts the unsupported feature from a decoder's "unsupported"
// error, without its package prefix: "png: unsupported feature: compression
// method" gives "compression method"; "" when nothing specific remains.
func feature(err error) string {
	s := err.Error()
	for _, p := range []string{"png: ", "tiff: ", "bmp: ", "gif: ", "jpeg: ", "webp: ",
		"unsupported feature: ", "unsupported JPEG feature: ", "unsupported BMP image"} {
		s = strings.TrimPrefix(s, p)
	}
	return s
}
