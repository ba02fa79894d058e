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
// MaxPixels or MaxPages), found before the input was decoded; a service
// answers it with 413.
type LimitError struct {
	What   string // "bytes", "pixels" or "pages"
	Limit  int64  // the bound that was exceeded
	Actual int64  // the input's size in that unit
	msg    string
}

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
