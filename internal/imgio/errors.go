package imgio

import (
	"errors"
	"strconv"
)

// ErrEmpty is returned for an empty input (zero bytes).
var ErrEmpty = errors.New("imgio: empty input")

// A FormatError reports that the input is malformed or truncated: it claims a
// format (by its magic bytes) but its content does not follow that format.
// An HTTP layer answers it with 400.
type FormatError struct {
	Format string // "jpeg", "png", "gif", "bmp", "tiff" or "webp"
	Err    error  // the decoder's own error, or a description; may be nil
}

func (e *FormatError) Error() string {
	msg := "imgio: malformed " + e.Format
	if e.Err != nil {
		msg += ": " + e.Err.Error()
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
	msg := "imgio: unsupported"
	switch {
	case e.Format == "" && e.Reason == "":
		msg += " input: unknown format"
	case e.Format == "":
		msg += " input: " + e.Reason
	case e.Reason == "":
		msg += " " + e.Format
	default:
		msg += " " + e.Format + ": " + e.Reason
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the underlying decoder error.
func (e *UnsupportedError) Unwrap() error { return e.Err }

// A LimitError reports an input rejected by a Limits bound before any pixel
// buffer was allocated. An HTTP layer answers it with 413.
type LimitError struct {
	What   string // "bytes" or "pixels"
	Limit  int64  // the bound that was exceeded
	Actual int64  // the input's size in bytes, or width*height as stored
}

func (e *LimitError) Error() string {
	return "imgio: input too large: " + strconv.FormatInt(e.Actual, 10) + " " + e.What +
		" exceeds the limit of " + strconv.FormatInt(e.Limit, 10)
}
