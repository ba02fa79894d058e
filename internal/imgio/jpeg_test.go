package imgio

import (
	"bytes"
	"errors"
	"image"
	"image/jpeg"
	"testing"

	"github.com/qrcascade/qrcascade/internal/jpegluma"
)

// stdJPEGGray is what Decode returned before internal/jpegluma: image/jpeg's
// image reduced by toGray.
func stdJPEGGray(t *testing.T, data []byte) image.Image {
	t.Helper()
	img, err := jpeg.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// rgbJPEG rewrites a 3-component JPEG written by image/jpeg (no JFIF APP0)
// so that its component ids are 'R', 'G', 'B' in the frame and scan headers:
// image/jpeg then decodes it as RGB, and jpegluma leaves it to image/jpeg.
func rgbJPEG(t *testing.T, data []byte) []byte {
	t.Helper()
	d := append([]byte{}, data...)
	sof := bytes.Index(d, []byte{0xff, 0xc0})
	sos := bytes.Index(d, []byte{0xff, 0xda})
	if sof < 0 || sos < 0 || d[sof+9] != 3 {
		t.Fatal("unexpected JPEG layout")
	}
	for i, id := range []byte{'R', 'G', 'B'} {
		d[sof+10+3*i] = id
		d[sos+5+2*i] = id
	}
	return d
}

// TestDecodeJPEGLuma checks the jpegluma path: the plane equals the one the
// image/jpeg path gives, for gray and colour files of odd sizes.
func TestDecodeJPEGLuma(t *testing.T) {
	for _, c := range []struct {
		name string
		img  image.Image
	}{
		{"gray-1x1", patternGray(1, 1)},
		{"gray-17x9", patternGray(17, 9)},
		{"gray-1001x7", patternGray(1001, 7)},
		{"ycbcr420-50x30", patternNRGBA(50, 30, true)},
		{"ycbcr420-333x211", patternNRGBA(333, 211, true)},
	} {
		t.Run(c.name, func(t *testing.T) {
			data := encodeJPEG(t, c.img, 85)
			if _, err := jpegluma.Decode(data, nil); err != nil {
				t.Fatalf("jpegluma does not decode the file: %v", err)
			}
			got, _, err := Decode(data, Limits{})
			if err != nil {
				t.Fatal(err)
			}
			want := toGray(stdJPEGGray(t, data))
			if d, x, y := planeDiff(t, got, want); d != 0 {
				t.Errorf("differs from the image/jpeg path by %d at (%d,%d)", d, x, y)
			}
		})
	}
}

// TestDecodeJPEGFallback checks that a file jpegluma calls unsupported is
// decoded by image/jpeg, and that a malformed one is not retried.
func TestDecodeJPEGFallback(t *testing.T) {
	colour := encodeJPEG(t, patternNRGBA(40, 24, true), 90)

	t.Run("rgb", func(t *testing.T) {
		data := rgbJPEG(t, colour)
		if _, err := jpegluma.Decode(data, nil); !errors.Is(err, jpegluma.ErrUnsupported) {
			t.Fatalf("jpegluma: %v, want ErrUnsupported", err)
		}
		img := stdJPEGGray(t, data)
		if _, ok := img.(*image.RGBA); !ok {
			t.Fatalf("image/jpeg returned %T, want *image.RGBA", img)
		}
		got, info, err := Decode(data, Limits{})
		if err != nil {
			t.Fatal(err)
		}
		if d, x, y := planeDiff(t, got, toGray(img)); d != 0 {
			t.Errorf("differs from image/jpeg's RGB decoding by %d at (%d,%d)", d, x, y)
		}
		if info.Width != 40 || info.Height != 24 {
			t.Errorf("info %+v", info)
		}
	})

	t.Run("progressive-marker", func(t *testing.T) {
		// A sequential scan under an SOF2 marker (Ss..Se = 0..63 is no
		// progressive scan): jpegluma decodes progressive files, so this
		// one is malformed and not retried; image/jpeg refuses it too.
		data := append([]byte{}, colour...)
		data[bytes.Index(data, []byte{0xff, 0xc0})+1] = 0xc2
		_, _, err := Decode(data, Limits{})
		var fe *FormatError
		var le *jpegluma.FormatError
		if !errors.As(err, &fe) || !errors.As(err, &le) {
			t.Fatalf("error %v, want *FormatError wrapping *jpegluma.FormatError", err)
		}
		var je jpeg.FormatError
		if _, err := jpeg.Decode(bytes.NewReader(data)); !errors.As(err, &je) {
			t.Fatalf("image/jpeg: %v, want a jpeg.FormatError", err)
		}
	})

	t.Run("corrupt-no-retry", func(t *testing.T) {
		data := append([]byte{}, colour...)
		sos := bytes.Index(data, []byte{0xff, 0xda})
		data = append(data[:sos+20:sos+20], 0xff, 0xd9) // scan cut short
		_, _, err := Decode(data, Limits{})
		var fe *FormatError
		var le *jpegluma.FormatError
		if !errors.As(err, &fe) || !errors.As(err, &le) {
			t.Fatalf("error %v, want *FormatError wrapping *jpegluma.FormatError", err)
		}
	})
}
