package qrcascade

import (
	"context"
	"image"
	"image/color"
	"image/draw"
	"testing"

	"github.com/qrcascade/qrcascade/internal/synth"
)

// TestReadImageTypes: ReadImage reads the same code, at the same corners,
// from the image types a caller is likely to hold.
func TestReadImageTypes(t *testing.T) {
	scene := synth.CleanInvoice(4)
	p := scene.Plane
	g := &image.Gray{Pix: p.Pix, Stride: p.Stride, Rect: image.Rect(0, 0, p.W, p.H)}
	rgba := image.NewRGBA(g.Rect)
	draw.Draw(rgba, g.Rect, g, image.Point{}, draw.Src)
	nrgba := image.NewNRGBA(g.Rect)
	draw.Draw(nrgba, g.Rect, g, image.Point{}, draw.Src)
	ycc := image.NewYCbCr(g.Rect, image.YCbCrSubsampleRatio420)
	for y := 0; y < p.H; y++ {
		for x := 0; x < p.W; x++ {
			ycc.Y[ycc.YOffset(x, y)] = p.Pix[y*p.Stride+x]
		}
	}
	for i := range ycc.Cb {
		ycc.Cb[i], ycc.Cr[i] = 128, 128
	}
	paletted := image.NewPaletted(g.Rect, color.Palette{color.Black, color.White})
	draw.Draw(paletted, g.Rect, g, image.Point{}, draw.Src)
	r := newReader(t, Options{Mode: ModeClassic})
	want := scene.Codes[0]
	tests := []struct {
		name   string
		img    image.Image
		format string
	}{
		{"gray", g, "gray"},
		{"rgba", rgba, "image"},
		{"nrgba", nrgba, "image"},
		{"ycbcr", ycc, "image"},
		{"paletted", paletted, "image"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := r.ReadImage(context.Background(), tc.img)
			if err != nil {
				t.Fatal(err)
			}
			if res.Text() != want.Text {
				t.Fatalf("text %q, want %q", res.Text(), want.Text)
			}
			if !codeQuad(res.Codes[0].Points).Overlaps(want.Corners) {
				t.Errorf("points %v off the code %v", res.Codes[0].Points, want.Corners)
			}
			if res.Image.Format != tc.format || res.Image.Width != p.W || res.Image.Height != p.H {
				t.Errorf("image %+v, want %s %dx%d", res.Image, tc.format, p.W, p.H)
			}
		})
	}
}
