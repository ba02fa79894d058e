package qrcascade

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/qrcascade/qrcascade/internal/imgio"
	"github.com/qrcascade/qrcascade/internal/pdf"
)

// TestPublicError: internal input errors become the public types with
// their fields and message unchanged, wrapped sentinels still match, and
// other errors pass through.
func TestPublicError(t *testing.T) {
	cause := errors.New("unexpected EOF")
	tests := []struct {
		name  string
		in    error
		check func(error) bool
	}{
		{"format", fmt.Errorf("qrcascade: %w", &imgio.FormatError{Format: "png", Err: cause}), func(err error) bool {
			var e *FormatError
			return errors.As(err, &e) && e.Format == "png" && errors.Is(err, cause)
		}},
		{"encrypted pdf", &imgio.UnsupportedError{Format: "pdf", Reason: "encrypted", Err: pdf.ErrEncrypted}, func(err error) bool {
			var e *UnsupportedError
			return errors.As(err, &e) && e.Reason == "encrypted" && errors.Is(err, ErrEncrypted)
		}},
		{"limit", &imgio.LimitError{What: "pages", Limit: 20, Actual: 21}, func(err error) bool {
			var e *LimitError
			return errors.As(err, &e) && e.What == "pages" && e.Limit == 20 && e.Actual == 21
		}},
		{"deadline", fmt.Errorf("qrcascade: %w", context.DeadlineExceeded), func(err error) bool {
			return errors.Is(err, context.DeadlineExceeded)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := publicError(tc.in)
			if got.Error() != tc.in.Error() {
				t.Errorf("message %q, want %q", got, tc.in)
			}
			if !tc.check(got) {
				t.Errorf("%v (%T): fields or wrapping lost", got, got)
			}
		})
	}
	if publicError(nil) != nil {
		t.Error("nil error converted")
	}
}
