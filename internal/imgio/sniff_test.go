package imgio

import (
	"errors"
	"testing"
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

// TestErrorMessages pins the messages (prefix "imgio: ") and unwrapping of
// the error types, which the HTTP layer reports to clients.
func TestErrorMessages(t *testing.T) {
	cause := errors.New("boom")
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"empty", ErrEmpty, "imgio: empty input"},
		{"format", &FormatError{Format: "png", Err: cause}, "imgio: malformed png: boom"},
		{"format-no-cause", &FormatError{Format: "gif"}, "imgio: malformed gif"},
		{"unsupported-unknown", &UnsupportedError{}, "imgio: unsupported input: unknown format"},
		{"unsupported-format", &UnsupportedError{Format: "pdf"}, "imgio: unsupported pdf"},
		{"unsupported-reason", &UnsupportedError{Format: "webp", Reason: "animated webp"}, "imgio: unsupported webp: animated webp"},
		{"unsupported-cause", &UnsupportedError{Format: "tiff", Err: cause}, "imgio: unsupported tiff: boom"},
		{"limit", &LimitError{What: "pixels", Limit: 10, Actual: 12}, "imgio: input too large: 12 pixels exceeds the limit of 10"},
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
