package imgio

import (
	"image"
	"image/color"
	"math/rand/v2"
	"testing"
)

// randomImages returns one image of every type toGray specialises, filled
// with seeded random bytes (valid premultiplied colour where the type
// requires it), plus a sub-image of each so that Rect.Min != (0,0).
func randomImages(seed uint64) map[string]image.Image {
	rng := rand.New(rand.NewPCG(seed, 1))
	r := image.Rect(0, 0, 37, 23)
	fill := func(b []byte) {
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
	}
	ycc := image.NewYCbCr(r, image.YCbCrSubsampleRatio420)
	fill(ycc.Y)
	fill(ycc.Cb)
	fill(ycc.Cr)
	nycca := image.NewNYCbCrA(r, image.YCbCrSubsampleRatio420)
	fill(nycca.Y)
	fill(nycca.Cb)
	fill(nycca.Cr)
	fill(nycca.A)
	g := image.NewGray(r)
	fill(g.Pix)
	g16 := image.NewGray16(r)
	fill(g16.Pix)
	nrgba := image.NewNRGBA(r)
	fill(nrgba.Pix)
	nrgba64 := image.NewNRGBA64(r)
	fill(nrgba64.Pix)
	cmyk := image.NewCMYK(r)
	fill(cmyk.Pix)
	rgba := image.NewRGBA(r)
	rgba64 := image.NewRGBA64(r)
	for y := 0; y < r.Dy(); y++ {
		for x := 0; x < r.Dx(); x++ {
			c := color.NRGBA{byte(rng.Uint32()), byte(rng.Uint32()), byte(rng.Uint32()), byte(rng.Uint32())}
			rgba.Set(x, y, c)
			c64 := color.NRGBA64{uint16(rng.Uint32()), uint16(rng.Uint32()), uint16(rng.Uint32()), uint16(rng.Uint32())}
			rgba64.Set(x, y, c64)
		}
	}
	pal := make(color.Palette, 200) // indices 200..255 are out of range
	for i := range pal {
		pal[i] = color.NRGBA{byte(rng.Uint32()), byte(rng.Uint32()), byte(rng.Uint32()), byte(rng.Uint32())}
	}
	paletted := image.NewPaletted(r, pal)
	fill(paletted.Pix)
	alpha := image.NewAlpha(r) // not specialised: generic path
	fill(alpha.Pix)

	out := map[string]image.Image{
		"YCbCr": ycc, "NYCbCrA": nycca, "Gray": g, "Gray16": g16, "NRGBA": nrgba, "NRGBA64": nrgba64,
		"CMYK": cmyk, "RGBA": rgba, "RGBA64": rgba64, "Paletted": paletted, "Alpha-generic": alpha,
		"opaque-generic": opaqueOnly{nrgba},
	}
	sub := image.Rect(3, 5, 30, 20)
	for name, m := range out {
		if s, ok := m.(interface {
			SubImage(image.Rectangle) image.Image
		}); ok {
			out[name+"/sub"] = s.SubImage(sub)
		}
	}
	return out
}

// opaqueOnly hides the concrete type (and RGBA64At) of an image, forcing the
// generic At path.
type opaqueOnly struct{ m image.Image }

func (o opaqueOnly) ColorModel() color.Model { return o.m.ColorModel() }
func (o opaqueOnly) Bounds() image.Rectangle { return o.m.Bounds() }
func (o opaqueOnly) At(x, y int) color.Color { return o.m.At(x, y) }

// TestToGrayMatchesReference checks every conversion path against the
// floating-point reference (BT.601 luma, alpha over white) on random
// pixels: at most 1 level off, from rounding order.
func TestToGrayMatchesReference(t *testing.T) {
	for name, m := range randomImages(42) {
		t.Run(name, func(t *testing.T) {
			want := refPlane(m)
			got := toGray(m)
			if d, x, y := planeDiff(t, got, want); d > 1 {
				t.Errorf("pixel (%d,%d) = %d, want %d", x, y, got.At(x, y), want.At(x, y))
			}
		})
	}
}

// TestAlphaOverWhite pins the compositing rule on exact values: a
// transparent pixel is white whatever its colour, half-transparent black
// is mid-grey, opaque colours keep their luma.
func TestAlphaOverWhite(t *testing.T) {
	tests := []struct {
		name string
		c    color.NRGBA
		want byte
	}{
		{"transparent-black", color.NRGBA{0, 0, 0, 0}, 255},
		{"transparent-red", color.NRGBA{255, 0, 0, 0}, 255},
		{"opaque-black", color.NRGBA{0, 0, 0, 255}, 0},
		{"opaque-white", color.NRGBA{255, 255, 255, 255}, 255},
		{"half-black", color.NRGBA{0, 0, 0, 128}, 127},
		{"opaque-red", color.NRGBA{255, 0, 0, 255}, 76},    // 0.299*255 = 76.2
		{"opaque-green", color.NRGBA{0, 255, 0, 255}, 150}, // 0.587*255 = 149.7
		{"opaque-blue", color.NRGBA{0, 0, 255, 255}, 29},   // 0.114*255 = 29.1
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := image.NewNRGBA(image.Rect(0, 0, 1, 1))
			n.SetNRGBA(0, 0, tt.c)
			r := image.NewRGBA(n.Rect)
			r.Set(0, 0, tt.c)
			n64 := image.NewNRGBA64(n.Rect)
			n64.Set(0, 0, tt.c)
			p := image.NewPaletted(n.Rect, color.Palette{tt.c})
			for _, m := range []image.Image{n, r, n64, p, opaqueOnly{n}} {
				if got := toGray(m).At(0, 0); got != tt.want {
					t.Errorf("%T: %d, want %d", m, got, tt.want)
				}
			}
			// Through PNG, the path a transparent QR code takes.
			pl, _, err := Decode(encodePNG(t, n), Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if got := pl.At(0, 0); got != tt.want {
				t.Errorf("png: %d, want %d", got, tt.want)
			}
		})
	}
}

// TestStudioSwing checks the lossy WebP luma expansion at its anchors.
func TestStudioSwing(t *testing.T) {
	for _, tt := range []struct{ in, want byte }{{0, 0}, {15, 0}, {16, 0}, {17, 1}, {126, 128}, {235, 255}, {236, 255}, {255, 255}} {
		if got := studioToFull[tt.in]; got != tt.want {
			t.Errorf("studioToFull[%d] = %d, want %d", tt.in, got, tt.want)
		}
	}
	for i := 1; i < 256; i++ {
		if studioToFull[i] < studioToFull[i-1] {
			t.Fatalf("not monotonic at %d", i)
		}
	}
}
