package jpegluma

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/qrcascade/qrcascade/internal/gray"
)

// encode writes m with image/jpeg at quality q.
func encode(tb testing.TB, m image.Image, q int) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, m, &jpeg.Options{Quality: q}); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// stdLuma decodes data with image/jpeg and returns its luma plane: the Y
// plane of an *image.YCbCr or the Pix of an *image.Gray, as a gray.Plane
// without copying. ok is false when image/jpeg returns another type.
func stdLuma(data []byte) (p *gray.Plane, ok bool, err error) {
	img, err := jpeg.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, false, err
	}
	b := img.Bounds()
	switch m := img.(type) {
	case *image.Gray:
		return &gray.Plane{W: b.Dx(), H: b.Dy(), Stride: m.Stride, Pix: m.Pix}, true, nil
	case *image.YCbCr:
		return &gray.Plane{W: b.Dx(), H: b.Dy(), Stride: m.YStride, Pix: m.Y}, true, nil
	}
	return nil, false, nil
}

// maxDiff returns the largest absolute sample difference between a and b
// and where it is, or -1 when their sizes differ.
func maxDiff(a, b *gray.Plane) (d, x, y int) {
	if a.W != b.W || a.H != b.H {
		return -1, 0, 0
	}
	for j := 0; j < a.H; j++ {
		ra, rb := a.Row(j), b.Row(j)
		for i := range ra {
			v := int(ra[i]) - int(rb[i])
			if v < 0 {
				v = -v
			}
			if v > d {
				d, x, y = v, i, j
			}
		}
	}
	return d, x, y
}

// photoYCbCr renders a w×h photo-like colour image (gradients, a textured
// disc, sharp bars and seeded noise) with the given chroma subsampling.
func photoYCbCr(w, h int, r image.YCbCrSubsampleRatio, seed uint64) *image.YCbCr {
	m := image.NewYCbCr(image.Rect(0, 0, w, h), r)
	rng := rand.New(rand.NewPCG(seed, 7))
	cx, cy, rad := float64(w)*0.6, float64(h)*0.4, float64(min(w, h))*0.3
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			v := 40 + 150*float64(x+y)/float64(w+h+1)
			dx, dy := float64(x)-cx, float64(y)-cy
			if dx*dx+dy*dy < rad*rad {
				v = 128 + 60*math.Sin(float64(x)/5)*math.Cos(float64(y)/7)
			}
			if (x/23)%5 == 0 {
				v = 20
			}
			v += rng.NormFloat64() * 6
			m.Y[m.YOffset(x, y)] = clamp8(v)
		}
	}
	for i := range m.Cb {
		x, y := i%m.CStride, i/m.CStride
		m.Cb[i] = clamp8(128 + 50*math.Sin(float64(x)/40) + rng.NormFloat64()*4)
		m.Cr[i] = clamp8(128 + 50*math.Cos(float64(y)/30) + rng.NormFloat64()*4)
	}
	return m
}

// grayPattern renders a w×h gray image with edges, gradients and noise.
func grayPattern(w, h int, seed uint64) *image.Gray {
	m := image.NewGray(image.Rect(0, 0, w, h))
	rng := rand.New(rand.NewPCG(seed, 11))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			v := float64((x/8)*37+(y/8)*71) + rng.NormFloat64()*10
			if (x/3+y/5)%7 == 0 {
				v = 250
			}
			m.Pix[y*m.Stride+x] = clamp8(math.Mod(v, 256))
		}
	}
	return m
}

func clamp8(v float64) byte {
	switch {
	case v < 0:
		return 0
	case v > 255:
		return 255
	}
	return byte(v + 0.5)
}

func typeName(v any) string { return fmt.Sprintf("%T", v) }

func fmtDiff(got, want *gray.Plane, d, x, y int) string {
	return fmt.Sprintf("%dx%d, image/jpeg %dx%d: differs by %d at (%d,%d)", got.W, got.H, want.W, want.H, d, x, y)
}
