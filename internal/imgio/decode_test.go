package imgio

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/image/tiff"
)

// TestDecodeRoundTrip encodes known images with each format's encoder and
// checks that Decode returns the reference gray values: exactly (±1 for the
// rounding of colour conversions) for lossless formats, within a tolerance
// for JPEG.
func TestDecodeRoundTrip(t *testing.T) {
	g := patternGray(53, 37) // odd sizes: strides and tails
	rgba := patternNRGBA(64, 48, false)
	opaque := patternNRGBA(64, 48, true)
	pal := image.NewPaletted(image.Rect(0, 0, 40, 24), color.Palette{
		color.NRGBA{0, 0, 0, 255}, color.NRGBA{255, 255, 255, 255},
		color.NRGBA{0, 0, 0, 0}, color.NRGBA{200, 30, 30, 255},
	})
	for i := range pal.Pix {
		pal.Pix[i] = byte(i*5/7) % 4
	}
	// BMP and TIFF palettes have no alpha.
	palOpaque := image.NewPaletted(pal.Rect, color.Palette{pal.Palette[0], pal.Palette[1], color.NRGBA{0, 0, 255, 255}, pal.Palette[3]})
	copy(palOpaque.Pix, pal.Pix)
	g16 := image.NewGray16(image.Rect(0, 0, 20, 10))
	for i := 0; i < len(g16.Pix); i += 2 {
		binary.BigEndian.PutUint16(g16.Pix[i:], uint16(i*331))
	}
	n64 := image.NewNRGBA64(image.Rect(0, 0, 48, 32))
	for y := 0; y < 32; y++ {
		for x := 0; x < 48; x++ {
			c := rgba.NRGBAAt(x, y)
			n64.SetNRGBA64(x, y, color.NRGBA64{uint16(c.R) * 257, uint16(c.G) * 250, uint16(c.B) * 257, uint16(c.A) * 257})
		}
	}
	tests := []struct {
		name   string
		data   []byte
		format string
		want   image.Image // reference colours
		tol    int
	}{
		{"png/gray", encodePNG(t, g), FormatPNG, g, 0},
		{"png/nrgba-alpha", encodePNG(t, rgba), FormatPNG, rgba, 1},
		{"png/rgb", encodePNG(t, opaque), FormatPNG, opaque, 1},
		{"png/paletted-transparent", encodePNG(t, pal), FormatPNG, pal, 1},
		{"png/gray16", encodePNG(t, g16), FormatPNG, g16, 0},
		{"png/nrgba64-alpha", encodePNG(t, n64), FormatPNG, n64, 1},
		{"jpeg/gray", encodeJPEG(t, patternBlocksGray(64, 48), 95), FormatJPEG, patternBlocksGray(64, 48), 2},
		{"jpeg/colour", encodeJPEG(t, opaque, 95), FormatJPEG, opaque, 3},
		{"gif/paletted-transparent", encodeGIF(t, pal), FormatGIF, pal, 1},
		{"bmp/gray", encodeBMP(t, g), FormatBMP, g, 0},
		{"bmp/rgb", encodeBMP(t, opaque), FormatBMP, opaque, 1},
		// No alpha case for BMP: x/image/bmp writes 32-bit pixels with a
		// BITMAPINFOHEADER, whose fourth byte its decoder (rightly) ignores.
		{"bmp/paletted", encodeBMP(t, palOpaque), FormatBMP, palOpaque, 1},
		{"tiff/gray", encodeTIFF(t, g, tiff.Uncompressed), FormatTIFF, g, 0},
		{"tiff/gray-deflate", encodeTIFF(t, g, tiff.Deflate), FormatTIFF, g, 0},
		{"tiff/nrgba-alpha", encodeTIFF(t, rgba, tiff.Deflate), FormatTIFF, rgba, 1},
		{"tiff/gray16", encodeTIFF(t, g16, tiff.Uncompressed), FormatTIFF, g16, 0},
		{"tiff/paletted", encodeTIFF(t, palOpaque, tiff.Uncompressed), FormatTIFF, palOpaque, 1},
		{"tiff/big-endian-gray", tiffGrayMM(g), FormatTIFF, g, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, info, err := Decode(tt.data, Limits{})
			if err != nil {
				t.Fatal(err)
			}
			b := tt.want.Bounds()
			wantInfo := Info{Format: tt.format, Width: b.Dx(), Height: b.Dy(), Orientation: 1}
			if info != wantInfo {
				t.Errorf("info %+v, want %+v", info, wantInfo)
			}
			cfg, err := DecodeConfig(tt.data)
			if err != nil || cfg != wantInfo {
				t.Errorf("DecodeConfig = %+v, %v; want %+v", cfg, err, wantInfo)
			}
			if d, x, y := planeDiff(t, p, refPlane(tt.want)); d > tt.tol {
				t.Errorf("pixel (%d,%d) off by %d > %d: got %d, want %d", x, y, d, tt.tol, p.At(x, y), refPlane(tt.want).At(x, y))
			}
		})
	}
}

// patternBlocksGray is a gray image of flat 8×8 blocks (JPEG's DCT blocks),
// which JPEG at high quality reproduces to within a couple of levels.
func patternBlocksGray(w, h int) *image.Gray {
	m := image.NewGray(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			m.Pix[y*m.Stride+x] = byte((x/8)*37 + (y/8)*71)
		}
	}
	return m
}

// TestDecodeJPEGAliasesY checks the zero-copy path: a colour JPEG's plane is
// the decoder's Y plane (its stride is the padded MCU width, not W).
func TestDecodeJPEGAliasesY(t *testing.T) {
	data := encodeJPEG(t, patternNRGBA(50, 30, true), 90)
	img, err := jpeg.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	ycc, ok := img.(*image.YCbCr)
	if !ok {
		t.Fatalf("stdlib returned %T, want *image.YCbCr", img)
	}
	p := toGray(ycc)
	if &p.Pix[0] != &ycc.Y[0] || p.Stride != ycc.YStride {
		t.Errorf("plane does not alias Y (stride %d, YStride %d)", p.Stride, ycc.YStride)
	}
	q, _, err := Decode(data, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if d, x, y := planeDiff(t, q, p); d != 0 {
		t.Errorf("Decode differs from Y at (%d,%d) by %d", x, y, d)
	}
}

// TestDecodeGIFFrameOnScreen checks that a first frame smaller than the
// logical screen is placed at its offset on a white canvas.
func TestDecodeGIFFrameOnScreen(t *testing.T) {
	frame := image.NewPaletted(image.Rect(5, 3, 15, 9), color.Palette{color.Black, color.White})
	var buf bytes.Buffer
	err := gif.EncodeAll(&buf, &gif.GIF{
		Image:  []*image.Paletted{frame},
		Delay:  []int{0},
		Config: image.Config{ColorModel: frame.Palette, Width: 20, Height: 12},
	})
	if err != nil {
		t.Fatal(err)
	}
	p, info, err := Decode(buf.Bytes(), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if info.Width != 20 || info.Height != 12 {
		t.Fatalf("size %dx%d, want 20x12", info.Width, info.Height)
	}
	for y := 0; y < 12; y++ {
		for x := 0; x < 20; x++ {
			want := byte(255)
			if (image.Point{x, y}).In(frame.Rect) {
				want = 0
			}
			if got := p.At(x, y); got != want {
				t.Fatalf("pixel (%d,%d) = %d, want %d", x, y, got, want)
			}
		}
	}
}

// TestDecodeWebP decodes the committed WebP files (made by cwebp from
// testdata/pattern.png, see TestGenerateTestdata) and compares them with the
// PNG they were made from: exactly for lossless, at block centres within a
// tolerance for lossy; the lossy files check the studio-swing expansion.
func TestDecodeWebP(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("testdata", "pattern.png"))
	if err != nil {
		t.Fatal(err)
	}
	srcOpaque, err := os.ReadFile(filepath.Join("testdata", "pattern-opaque.png"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		file   string
		chunk  string // first chunk after the RIFF header
		png    []byte
		tol    int
		blocks bool // compare at 16×16 block centres only
	}{
		{"lossless.webp", "VP8L", src, 0, false},
		{"lossy-alpha.webp", "VP8X", src, 6, true},
		{"lossy.webp", "VP8 ", srcOpaque, 6, true},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if got := string(data[12:16]); got != tt.chunk {
				t.Fatalf("first chunk %q, want %q", got, tt.chunk)
			}
			want, _, err := Decode(tt.png, Limits{})
			if err != nil {
				t.Fatal(err)
			}
			p, info, err := Decode(data, Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if info.Format != FormatWebP {
				t.Errorf("format %q", info.Format)
			}
			if !tt.blocks {
				if d, x, y := planeDiff(t, p, want); d > tt.tol {
					t.Errorf("pixel (%d,%d) off by %d", x, y, d)
				}
				return
			}
			planeDiff(t, p, want) // size check
			for y := 8; y < p.H; y += 16 {
				for x := 8; x < p.W; x += 16 {
					if d := int(p.At(x, y)) - int(want.At(x, y)); d > tt.tol || d < -tt.tol {
						t.Errorf("block centre (%d,%d) = %d, want %d±%d", x, y, p.At(x, y), want.At(x, y), tt.tol)
					}
				}
			}
		})
	}
	t.Run("animated", func(t *testing.T) {
		data, err := os.ReadFile(filepath.Join("testdata", "animated.webp"))
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = Decode(data, Limits{})
		var ue *UnsupportedError
		if !errors.As(err, &ue) || ue.Format != FormatWebP {
			t.Fatalf("err = %v, want *UnsupportedError for webp", err)
		}
	})
}

// TestDecodeLimits checks each limit, its defaults, "no limit", and that
// the error carries the bound and the actual value.
func TestDecodeLimits(t *testing.T) {
	small := encodePNG(t, patternGray(100, 50)) // 5000 pixels
	// A bomb: a valid PNG header claiming 60000×60000 pixels followed by
	// nothing. Only the header is needed to refuse it.
	bomb := pngHeaderOnly(60000, 60000)
	tests := []struct {
		name string
		data []byte
		lim  Limits
		want *LimitError // nil: no limit error
	}{
		{"bytes", small, Limits{MaxBytes: 10}, &LimitError{"bytes", 10, int64(len(small))}},
		{"bytes-exact-fits", small, Limits{MaxBytes: int64(len(small))}, nil},
		{"pixels", small, Limits{MaxPixels: 4999}, &LimitError{"pixels", 4999, 5000}},
		{"pixels-exact-fits", small, Limits{MaxPixels: 5000}, nil},
		{"bytes-before-pixels", small, Limits{MaxBytes: 10, MaxPixels: 1}, &LimitError{"bytes", 10, int64(len(small))}},
		{"default-pixels-bomb", bomb, Limits{}, &LimitError{"pixels", DefaultMaxPixels, 3600e6}},
		{"default-bytes", make([]byte, DefaultMaxBytes+1), Limits{}, &LimitError{"bytes", DefaultMaxBytes, DefaultMaxBytes + 1}},
		{"no-limits", small, Limits{MaxBytes: -1, MaxPixels: -1}, nil},
		{"work", small, Limits{MaxWork: 4999}, &LimitError{LimitWork, 4999, 5000}},
		// 8-bit gray PNG: the plane is the decoder's image, 1 byte a pixel,
		// plus image/png's two row buffers (2 × (100×8+1) at most).
		{"memory", small, Limits{MaxDecodeBytes: 6601}, &LimitError{LimitMemory, 6601, 6602}},
		{"memory-exact-fits", small, Limits{MaxDecodeBytes: 6602}, nil},
		{"side", small, Limits{MinSide: 51}, &LimitError{LimitSide, 51, 50}},
		{"side-exact-fits", small, Limits{MinSide: 50}, nil},
		{"aspect", small, Limits{MaxAspect: 1}, &LimitError{LimitAspect, 1, 2}},
		{"aspect-exact-fits", small, Limits{MaxAspect: 2}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := Decode(tt.data, tt.lim)
			var le *LimitError
			isLimit := errors.As(err, &le)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			if !isLimit {
				t.Fatalf("err = %v, want %+v", err, tt.want)
			}
			if *le != *tt.want {
				t.Errorf("got %+v, want %+v", *le, *tt.want)
			}
			msg := err.Error()
			if !strings.Contains(msg, fmt.Sprint(tt.want.Actual)) || !strings.Contains(msg, fmt.Sprint(tt.want.Limit)) || strings.Contains(msg, "imgio") {
				t.Errorf("message %q does not give %d and %d in client terms", msg, tt.want.Actual, tt.want.Limit)
			}
		})
	}
	// The bomb passes the limit check when limits are off and then fails on
	// the missing pixel data, proving the header was all that was read
	// before the refusal above.
	_, _, err := Decode(bomb, Limits{MaxPixels: -1, MaxWork: -1, MaxDecodeBytes: -1})
	var fe *FormatError
	if !errors.As(err, &fe) {
		t.Errorf("bomb without limit: err = %v, want *FormatError", err)
	}
}

// pngHeaderOnly returns a PNG signature and IHDR chunk for a w×h 8-bit gray
// image, with no image data.
func pngHeaderOnly(w, h uint32) []byte {
	var buf bytes.Buffer
	buf.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr, w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8] = 8 // bit depth; colour type 0 (gray), compression, filter, interlace 0
	writePNGChunk(&buf, "IHDR", ihdr)
	return buf.Bytes()
}

func writePNGChunk(buf *bytes.Buffer, typ string, data []byte) {
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(data)))
	buf.Write(n[:])
	buf.WriteString(typ)
	buf.Write(data)
	binary.BigEndian.PutUint32(n[:], crc32PNG(append([]byte(typ), data...)))
	buf.Write(n[:])
}

// TestDecodeBadInput checks the error kinds for empty, unknown and
// truncated input: every format cut at several lengths must give a
// *FormatError, never a panic and never a plane.
func TestDecodeBadInput(t *testing.T) {
	t.Run("empty", func(t *testing.T) {
		for _, data := range [][]byte{nil, {}} {
			if _, _, err := Decode(data, Limits{}); !errors.Is(err, ErrEmpty) {
				t.Errorf("Decode(%v) err = %v, want ErrEmpty", data, err)
			}
			if _, err := DecodeConfig(data); !errors.Is(err, ErrEmpty) {
				t.Errorf("DecodeConfig(%v) err = %v, want ErrEmpty", data, err)
			}
		}
	})
	t.Run("unknown", func(t *testing.T) {
		for _, data := range [][]byte{[]byte("hello, world"), {0}, []byte("%PDF-1.7\n"), {0xff, 0xd8}} {
			_, _, err := Decode(data, Limits{})
			var ue *UnsupportedError
			if !errors.As(err, &ue) {
				t.Errorf("Decode(%q) err = %v, want *UnsupportedError", data, err)
			}
		}
	})
	samples := sampleFiles(t)
	for _, s := range samples {
		n := len(s.data)
		for _, cut := range []int{16, 30, n / 4, n / 2, 3 * n / 4, n - 8} {
			if cut < 16 || cut >= n {
				continue
			}
			t.Run(fmt.Sprintf("%s/cut%d-of-%d", s.name, cut, n), func(t *testing.T) {
				p, _, err := Decode(s.data[:cut], Limits{})
				var fe *FormatError
				if !errors.As(err, &fe) || p != nil {
					t.Fatalf("err = %v (plane %v), want *FormatError", err, p != nil)
				}
				if fe.Format != s.format {
					t.Errorf("FormatError.Format = %q, want %q", fe.Format, s.format)
				}
			})
		}
	}
}

// sample is one small valid file of a known format.
type sample struct {
	name, format string
	data         []byte
}

// sampleFiles returns small valid files of every format, also used as the
// fuzz seed corpus.
func sampleFiles(t testing.TB) []sample {
	t.Helper()
	rgba := patternNRGBA(32, 32, false)
	g := patternGray(24, 16)
	out := []sample{
		{"png-gray", FormatPNG, encodePNG(t, g)},
		{"png-rgba", FormatPNG, encodePNG(t, rgba)},
		{"jpeg", FormatJPEG, encodeJPEG(t, patternNRGBA(32, 32, true), 80)},
		{"jpeg-exif6", FormatJPEG, withExif(encodeJPEG(t, g, 80), exifSegment(6, binary.BigEndian))},
		{"gif", FormatGIF, encodeGIF(t, g)},
		{"bmp", FormatBMP, encodeBMP(t, patternNRGBA(12, 10, false))},
		{"tiff-ii", FormatTIFF, encodeTIFF(t, g, tiff.Deflate)},
		{"tiff-mm", FormatTIFF, tiffGrayMM(g)},
	}
	for _, f := range []string{"lossless.webp", "lossy.webp", "lossy-alpha.webp"} {
		data, err := os.ReadFile(filepath.Join("testdata", f))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, sample{"webp-" + f[:len(f)-5], FormatWebP, data})
	}
	return out
}

// TestDecodePlaneContract checks the documented plane invariants on every
// sample: the plane covers W×H within Pix, and Info matches the plane.
func TestDecodePlaneContract(t *testing.T) {
	for _, s := range sampleFiles(t) {
		t.Run(s.name, func(t *testing.T) {
			p, info, err := Decode(s.data, Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if p.W != info.Width || p.H != info.Height || p.W == 0 || p.H == 0 {
				t.Errorf("plane %dx%d, info %+v", p.W, p.H, info)
			}
			if p.Stride < p.W || len(p.Pix) < (p.H-1)*p.Stride+p.W {
				t.Errorf("stride %d, len %d for %dx%d", p.Stride, len(p.Pix), p.W, p.H)
			}
			if info.Format != s.format {
				t.Errorf("format %q, want %q", info.Format, s.format)
			}
		})
	}
}
