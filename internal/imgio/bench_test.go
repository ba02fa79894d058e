package imgio

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"math"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/qrcascade/qrcascade/internal/gray"
)

// photoLike returns a w×h colour image with the statistics of a phone photo
// of a document rather than flat synthetic blocks: smooth illumination
// gradients, a few large shapes, fine texture and sensor noise, so that the
// JPEG encoder produces a realistic amount of entropy-coded data.
func photoLike(w, h int) *image.RGBA {
	rng := rand.New(rand.NewPCG(7, 7))
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			fx, fy := float64(x)/float64(w), float64(y)/float64(h)
			light := 0.55 + 0.35*fx - 0.2*fy + 0.1*math.Sin(fx*7+fy*3)
			v := 200 * light
			if (x/90+y/60)%5 == 0 { // "text" and "paper" structure
				v *= 0.35
			}
			v += 12 * math.Sin(float64(x)*0.9) * math.Cos(float64(y)*0.7) // texture
			v += rng.NormFloat64() * 6                                    // sensor noise
			r := v * (1.05 - 0.1*fy)
			b := v * (0.9 + 0.1*fx)
			m.SetRGBA(x, y, color.RGBA{clamp8(r), clamp8(v), clamp8(b), 255})
		}
	}
	return m
}

func clamp8(v float64) uint8 { return uint8(max(0, min(255, math.Round(v)))) }

// naiveDecode is the baseline: image.Decode through the global registry and
// a per-pixel color.GrayModel conversion through the image.Image interface.
func naiveDecode(data []byte) (*gray.Plane, error) {
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	b := img.Bounds()
	p := gray.New(b.Dx(), b.Dy())
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			p.Pix[(y-b.Min.Y)*p.Stride+x-b.Min.X] = color.GrayModel.Convert(img.At(x, y)).(color.Gray).Y
		}
	}
	return p, nil
}

func benchJPEG(b *testing.B) []byte {
	b.Helper()
	data := encodeJPEG(b, photoLike(1600, 1200), 85)
	b.SetBytes(int64(len(data)))
	return data
}

// BenchmarkDecodeJPEG1600x1200 is Decode on a 1600×1200 photo-like JPEG:
// the JPEG decoder plus the zero-copy Y plane.
func BenchmarkDecodeJPEG1600x1200(b *testing.B) {
	data := benchJPEG(b)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, _, err := Decode(data, Limits{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeJPEG1600x1200Stdlib is the image/jpeg path (the fallback
// for files jpegluma does not decode) on the same input, for comparison.
func BenchmarkDecodeJPEG1600x1200Stdlib(b *testing.B) {
	data := benchJPEG(b)
	cfg := image.Config{Width: 1600, Height: 1200}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := decodePlane(data, FormatJPEG, cfg); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeJPEGInvoice is Decode on the repository's 2 MP gray
// invoice scan (testdata/invoice.jpg), through jpegluma ("luma") and
// through the image/jpeg path ("stdlib").
func BenchmarkDecodeJPEGInvoice(b *testing.B) {
	data, err := os.ReadFile("../../testdata/invoice.jpg")
	if err != nil {
		b.Skip(err)
	}
	info, err := DecodeConfig(data)
	if err != nil {
		b.Fatal(err)
	}
	cfg := image.Config{Width: info.Width, Height: info.Height}
	b.Run("luma", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			if _, _, err := Decode(data, Limits{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("stdlib", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := decodePlane(data, FormatJPEG, cfg); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkDecodeJPEG1600x1200Naive is the baseline on the same input.
func BenchmarkDecodeJPEG1600x1200Naive(b *testing.B) {
	data := benchJPEG(b)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := naiveDecode(data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeJPEG1600x1200Orient6 adds a 90° rotation (Exif 6, the
// usual portrait phone photo).
func BenchmarkDecodeJPEG1600x1200Orient6(b *testing.B) {
	data := withExif(benchJPEG(b), exifSegment(6, binary.LittleEndian))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, _, err := Decode(data, Limits{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkToGray compares the typed conversion paths with the generic one
// on a 1600×1200 NRGBA image (the PNG-with-alpha case).
func BenchmarkToGray(b *testing.B) {
	src := photoLike(1600, 1200)
	n := image.NewNRGBA(src.Rect)
	copy(n.Pix, src.Pix)
	for _, bc := range []struct {
		name string
		img  image.Image
	}{
		{"NRGBA", n},
		{"RGBA", src},
		{"generic", opaqueOnly{n}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(n.Pix)))
			for b.Loop() {
				toGray(bc.img)
			}
		})
	}
}

// BenchmarkOrient measures the rotation alone on a 1600×1200 plane.
func BenchmarkOrient(b *testing.B) {
	p := gray.New(1600, 1200)
	for i := range p.Pix {
		p.Pix[i] = byte(i)
	}
	for _, o := range []int{3, 6} {
		b.Run(string(rune('0'+o)), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(p.Pix)))
			for b.Loop() {
				orient(p, o)
			}
		})
	}
}

// BenchmarkDecodePNG is Decode on PNG files through decodePNGLuma ("luma")
// and through image/png and toGray ("stdlib"): a 1600×1200 photo-like RGB
// image (image/png's encoder at its default level, which picks Paeth for
// most rows of a photo) and a 2 MP gray rendered invoice page (the
// repository's testdata/invoice.jpg, decoded and written as 8-bit gray).
func BenchmarkDecodePNG(b *testing.B) {
	photo := encodePNG(b, photoLike(1600, 1200))
	inv, err := os.ReadFile("../../testdata/invoice.jpg")
	if err != nil {
		b.Skip(err)
	}
	p, _, err := Decode(inv, Limits{})
	if err != nil {
		b.Fatal(err)
	}
	g := image.NewGray(image.Rect(0, 0, p.W, p.H))
	for y := 0; y < p.H; y++ {
		copy(g.Pix[y*g.Stride:], p.Row(y)[:p.W])
	}
	invoice := encodePNG(b, g)
	for _, in := range []struct {
		name string
		data []byte
	}{{"photo-rgb", photo}, {"invoice-gray", invoice}} {
		cfg, err := DecodeConfig(in.data)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(in.name+"/luma", func(b *testing.B) {
			b.SetBytes(int64(len(in.data)))
			b.ReportAllocs()
			var dst gray.Plane
			for b.Loop() {
				if _, err := decodePNGLuma(in.data, &dst); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(in.name+"/stdlib", func(b *testing.B) {
			b.SetBytes(int64(len(in.data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := decodePlane(in.data, FormatPNG, image.Config{Width: cfg.Width, Height: cfg.Height}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkCorpusPNG decodes every PNG of the shared corpus once per op
// (311 files in December 2026) through decodePNGLuma ("luma") and through
// image/png and toGray ("stdlib"). It is skipped when the corpus is absent.
func BenchmarkCorpusPNG(b *testing.B) {
	var files [][]byte
	for _, path := range corpusFiles(b, ".png") {
		data, err := os.ReadFile(path)
		if err != nil {
			b.Fatal(err)
		}
		files = append(files, data)
	}
	b.Logf("%d PNG files", len(files))
	b.Run("luma", func(b *testing.B) {
		var dst gray.Plane
		for b.Loop() {
			for _, data := range files {
				if _, err := decodePNGLuma(data, &dst); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	b.Run("stdlib", func(b *testing.B) {
		for b.Loop() {
			for _, data := range files {
				if _, err := imagePNGGray(data); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}
