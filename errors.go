package qrcascade

import (
	"errors"

	"github.com/qrcascade/qrcascade/internal/imgio"
)

// Input errors. Read returns them (possibly wrapped) for input it cannot
// read; tell them apart with errors.As. They are not returned for a
// deadline, which is context.DeadlineExceeded wrapped.

// A FormatError reports malformed or truncated image or PDF data.
type FormatError struct {
	Format string // "jpeg", "png", "gif", "bmp", "tiff", "webp" or "pdf"
	Err    error  // the decoder's own error, or a description; may be nil
	msg    string
}

func (e *FormatError) Error() string {
	if e.msg != "" {
		return e.msg
	}
	return (&imgio.FormatError{Format: e.Format, Err: e.Err}).Error()
}

// Unwrap returns Err.
func (e *FormatError) Unwrap() error { return e.Err }

// An UnsupportedError reports valid input the reader does not handle: an
// unknown format, animated WebP, a PDF that needs a password (Err wraps
// ErrEncrypted), ….
type UnsupportedError struct {
	Format string // the sniffed format; "" when the magic bytes are unknown
	Reason string // what is not supported, e.g. "animated webp"
	Err    error  // the decoder's own error, if any
	msg    string
}

func (e *UnsupportedError) Error() string {
	if e.msg != "" {
		return e.msg
	}
	return (&imgio.UnsupportedError{Format: e.Format, Reason: e.Reason, Err: e.Err}).Error()
}

// Unwrap returns Err.
func (e *UnsupportedError) Unwrap() error { return e.Err }

// A LimitError reports an input over a configured limit (Options.MaxBytes,
// MaxPixels, MaxWork, MaxDecodeMemory, MaxDocumentPixels) or of a shape
// that cannot hold a code (Options.MinSide, MaxAspect), found from the
// headers before the input was decoded. A service answers it with 413, or
// with 422 when Unprocessable reports true.
type LimitError struct {
	What   string // one of the Limit* constants
	Limit  int64  // the bound that was exceeded
	Actual int64  // the input's size in that unit
	msg    string
}

// Values of LimitError.What.
const (
	LimitBytes  = imgio.LimitBytes  // the input's size in bytes
	LimitPixels = imgio.LimitPixels // one page's pixels
	LimitPages  = imgio.LimitPages  // the page count of a multi-page input
	LimitWork   = imgio.LimitWork   // the pixels of all pages together
	LimitMemory = imgio.LimitMemory // decoder memory of one page, bytes
	LimitSide   = imgio.LimitSide   // the shortest side, pixels (too small)
	LimitAspect = imgio.LimitAspect // long side over short side
)

// Unprocessable reports whether the input's shape, not its size, is the
// problem (too small a side, too extreme an aspect ratio): no QR code can
// be in it, and an HTTP service answers 422 rather than 413.
func (e *LimitError) Unprocessable() bool { return e.What == LimitSide || e.What == LimitAspect }

func (e *LimitError) Error() string {
	if e.msg != "" {
		return e.msg
	}
	return (&imgio.LimitError{What: e.What, Limit: e.Limit, Actual: e.Actual}).Error()
}

// publicError returns err with an input error of the internal packages
// replaced by the public type of the same name (message unchanged); any
// other error is returned as is.
func publicError(err error) error {
	if err == nil {
		return nil
	}
	var (
		fe *imgio.FormatError
		ue *imgio.UnsupportedError
		le *imgio.LimitError
	)
	switch {
	case errors.As(err, &fe):
		return &FormatError{Format: fe.Format, Err: fe.Err, msg: err.Error()}
	case errors.As(err, &ue):
		return &UnsupportedError{Format: ue.Format, Reason: ue.Reason, Err: ue.Err, msg: err.Error()}
	case errors.As(err, &le):
		return &LimitError{What: le.What, Limit: le.Limit, Actual: le.Actual, msg: err.Error()}
	}
	return err
}
