package imgio

import (
	"errors"
	"fmt"
	"io"
	"testing"

	"golang.org/x/image/tiff"
)

func TestSniff(t *testing.T) {
	tests := []struct {
		name, data string
		want       string // format; "" when an error is expected
		wantUnsup  string // UnsupportedError.Format when want == ""
	}{
		{"jpeg", "\xff\xd8\xff\xe0\x00\x10JFIF", FormatJPEG, ""},
		{"png", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", FormatPNG, ""},
		{"gif87a", "GIF87a\x01\x00", FormatGIF, ""},
		{"gif89a", "GIF89a\x01\x00", FormatGIF, ""},
		{"bmp", "BM\x36\x00\x00\x00", FormatBMP, ""},
		{"tiff-ii", "II*\x00\x08\x00\x00\x00", FormatTIFF, ""},
		{"tiff-mm", "MM\x00*\x00\x00\x00\x08", FormatTIFF, ""},
		{"webp-vp8", "RIFF\x24\x00\x00\x00WEBPVP8 ", FormatWebP, ""},
		{"webp-vp8l", "RIFF\x24\x00\x00\x00WEBPVP8L", FormatWebP, ""},
		{"webp-vp8x", "RIFF\x24\x00\x00\x00WEBPVP8X", FormatWebP, ""},
		{"riff-wave", "RIFF\x24\x00\x00\x00WAVEfmt ", "", "riff/WAVE"},
		{"bigtiff", "II+\x00\x08\x00\x00\x00", "", "bigtiff"},
		{"pdf", "%PDF-1.7\n", "", "pdf"},
		{"heic", "\x00\x00\x00\x18ftypheic\x00\x00\x00\x00", "", "heif"},
		{"avif", "\x00\x00\x00\x1cftypavif\x00\x00\x00\x00", "", "avif"},
		{"mp4", "\x00\x00\x00\x1cftypisom\x00\x00\x00\x00", "", "isobmff/isom"},
		{"riff-control-bytes", "RIFF\x24\x00\x00\x00\x00\x1b[m", "", "riff/??[m"},
		{"text", "hello, world", "", ""},
		{"jpeg-soi-only", "\xff\xd8", "", ""},
		{"one-byte", "B", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Sniff([]byte(tt.data))
			if tt.want != "" {
				if got != tt.want || err != nil {
					t.Errorf("Sniff = %q, %v; want %q", got, err, tt.want)
				}
				return
			}
			var ue *UnsupportedError
			if got != "" || !errors.As(err, &ue) {
				t.Fatalf("Sniff = %q, %v; want *UnsupportedError", got, err)
			}
			if ue.Format != tt.wantUnsup {
				t.Errorf("UnsupportedError.Format = %q, want %q", ue.Format, tt.wantUnsup)
			}
		})
	}
	if _, err := Sniff(nil); !errors.Is(err, ErrEmpty) {
		t.Errorf("Sniff(nil) err = %v, want ErrEmpty", err)
	}
}

// TestErrorMessages pins the messages and unwrapping of the error types,
// which the HTTP layer reports to clients: they describe the input, never
// a package name or the decoder's own words (issue #17), which stay
// reachable with errors.Is / errors.Unwrap.
func TestErrorMessages(t *testing.T) {
	cause := errors.New("boom")
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"empty", ErrEmpty, "empty input: no image bytes"},
		{"format", &FormatError{Format: "png", Err: cause}, "malformed PNG image: the data is corrupt"},
		{"format-truncated", &FormatError{Format: "jpeg", Err: fmt.Errorf("jpegluma: at offset 77: %w", io.ErrUnexpectedEOF)}, "malformed JPEG image: the file is truncated"},
		{"format-reason", &FormatError{Format: "tiff", Reason: "no image in the file", Err: cause}, "malformed TIFF image: no image in the file"},
		{"format-no-cause", &FormatError{Format: "gif"}, "malformed GIF image"},
		{"format-pdf", &FormatError{Format: "pdf", Err: cause}, "malformed PDF document: the data is corrupt"},
		{"unsupported-unknown", &UnsupportedError{}, "unsupported input: not a JPEG, PNG, GIF, BMP, TIFF or WebP image nor a PDF document"},
		{"unsupported-format", &UnsupportedError{Format: "heif"}, "unsupported heif data"},
		{"unsupported-reason", &UnsupportedError{Format: "webp", Reason: "animated webp"}, "unsupported WebP image: animated webp"},
		{"unsupported-cause", &UnsupportedError{Format: "tiff", Err: tiff.UnsupportedError("compression value 7")}, "unsupported TIFF image: compression value 7"},
		{"limit-bytes", &LimitError{What: LimitBytes, Limit: 10, Actual: 12}, "input too large: 12 bytes exceeds the limit of 10"},
		{"limit-pixels", &LimitError{What: LimitPixels, Limit: 10, Actual: 12}, "image too large: 12 pixels exceeds the limit of 10"},
		{"limit-pages", &LimitError{What: LimitPages, Limit: 20, Actual: 21}, "too many pages: 21 exceeds the limit of 20"},
		{"limit-work", &LimitError{What: LimitWork, Limit: 100e6, Actual: 980e6}, "too much work: 980000000 pixels over all pages exceeds the limit of 100000000"},
		{"limit-memory", &LimitError{What: LimitMemory, Limit: 64 << 20, Actual: 441e6}, "image too large to decode: its pixel format needs 441 MB of memory, over the limit of 68 MB (send an 8-bit or smaller image)"},
		{"limit-side", &LimitError{What: LimitSide, Limit: 21, Actual: 1}, "image cannot hold a QR code: its shortest side is 1 pixel, under the minimum of 21"},
		{"limit-side-plural", &LimitError{What: LimitSide, Limit: 21, Actual: 20}, "image cannot hold a QR code: its shortest side is 20 pixels, under the minimum of 21"},
		{"limit-aspect", &LimitError{What: LimitAspect, Limit: 100, Actual: 2381}, "image cannot hold a QR code: its aspect ratio 2381:1 exceeds the limit of 100:1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("Error() = %q, want %q", got, tt.want)
			}
		})
	}
	if !errors.Is(&FormatError{Format: "png", Err: cause}, cause) || !errors.Is(&UnsupportedError{Err: cause}, cause) {
		t.Error("errors.Is does not reach the cause")
	}
}

// TestDecoderUnsupported checks that a decoder's own "unsupported" verdict
// becomes an *UnsupportedError and not a *FormatError: here a TIFF with
// JPEG compression (Compression = 7), which x/image/tiff does not handle.
func TestDecoderUnsupported(t *testing.T) {
	data := tiffGrayMM(patternGray(8, 8))
	// Entry 3 is Compression; its SHORT value sits at offset 8+2+3*12+8.
	data[8+2+3*12+8+1] = 7
	_, _, err := Decode(data, Limits{})
	var ue *UnsupportedError
	if !errors.As(err, &ue) || ue.Format != FormatTIFF {
		t.Fatalf("err = %v, want *UnsupportedError for tiff", err)
	}
}

// TestRecoverAs checks that a decoder panic becomes a *FormatError naming
// the format, and that no panic leaves err untouched.
func TestRecoverAs(t *testing.T) {
	run := func(f func()) (err error) {
		defer recoverAs(FormatWebP, &err)
		f()
		return nil
	}
	err := run(func() {
		var s []int
		_ = s[3] // a runtime error, as an out-of-range read in a decoder
	})
	var fe *FormatError
	if !errors.As(err, &fe) || fe.Format != FormatWebP {
		t.Fatalf("err = %v, want *FormatError for webp", err)
	}
	if err := run(func() {}); err != nil {
		t.Fatalf("no panic: err = %v", err)
	}
}
