package pdf

import (
	"errors"
	"fmt"
	"image"
	"math"
	"testing"

	"github.com/qrcascade/qrcascade/internal/geom"
	"github.com/qrcascade/qrcascade/internal/pdf/pdftest"
)

// TestImages: embedded images come back at their native size, readable,
// with corners that match where the renderer paints them, whatever the
// page's /Rotate; vector pages, tiny images and images over the pixel
// bound give nothing.
func TestImages(t *testing.T) {
	const text = "https://verifactu.example/q?nif=B12345678&num=F-2026-0042&importe=121.00"
	m := mustMatrix(t, text)
	n := len(m) + 8 // modules, quiet zone included
	for _, tc := range []struct {
		name      string
		rotate    int
		draw      func(*pdftest.Page) error
		maxPixels int64
		side      int // samples per side of the one image expected; 0: none
	}{
		{"flate", 0, func(p *pdftest.Page) error { return p.ImageQR(m, 4, 380, 40, 130, false) }, 0, 4 * n},
		{"dct", 0, func(p *pdftest.Page) error { return p.ImageQR(m, 6, 380, 40, 130, true) }, 0, 6 * n},
		{"rotate90", 90, func(p *pdftest.Page) error { return p.ImageQR(m, 4, 100, 500, 150, false) }, 0, 4 * n},
		{"rotate270", 270, func(p *pdftest.Page) error { return p.ImageQR(m, 4, 100, 500, 150, false) }, 0, 4 * n},
		{"in a form", 0, func(p *pdftest.Page) error { return p.FormImageQR(m, 4, 380, 40, 130) }, 0, 4 * n},
		{"in a form, rotate90", 90, func(p *pdftest.Page) error { return p.FormImageQR(m, 4, 100, 500, 150) }, 0, 4 * n},
		{"vector", 0, func(p *pdftest.Page) error { p.VectorQR(m, 400, 60, 2); return nil }, 0, 0},
		{"tiny image", 0, func(p *pdftest.Page) error {
			return p.Image(image.NewGray(image.Rect(0, 0, 20, 40)), 10, 10, 20, 40, false)
		}, 0, 0},
		{"over max pixels", 0, func(p *pdftest.Page) error { return p.ImageQR(m, 4, 380, 40, 130, false) }, int64(4*n*4*n - 1), 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := pdftest.NewPage(pdftest.A4[0], pdftest.A4[1])
			p.Rotate = tc.rotate
			p.Text(60, 80, 14, "INVOICE F-2026-0042")
			if err := tc.draw(p); err != nil {
				t.Fatal(err)
			}
			d := open(t, engine, pdftest.Build([]*pdftest.Page{p}, pdftest.Options{}))
			ims, err := d.Images(0, ImageLimits{MaxPixels: tc.maxPixels})
			if err != nil {
				t.Fatal(err)
			}
			if tc.side == 0 {
				if len(ims) != 0 {
					t.Fatalf("%d images, want none", len(ims))
				}
				return
			}
			if len(ims) != 1 {
				t.Fatalf("%d images, want 1", len(ims))
			}
			im := ims[0]
			if im.Plane.W != tc.side || im.Plane.H != tc.side {
				t.Errorf("plane %dx%d, want %dx%d", im.Plane.W, im.Plane.H, tc.side, tc.side)
			}
			if got := readAll(t, im.Plane); len(got) != 1 || got[0] != text {
				t.Errorf("read %q from the image, want %q", got, text)
			}
			// Every module's centre, mapped through Corners onto the
			// page rendered at 144 dpi, has the module's colour there.
			const dpi = 144
			pl, _, err := d.Render(0, dpi)
			if err != nil {
				t.Fatal(err)
			}
			var dst geom.Quad
			for k, c := range im.Corners {
				dst[k] = c.Scale(dpi / 72.0)
			}
			W, H := float64(im.Plane.W), float64(im.Plane.H)
			h, ok := geom.QuadToQuad(geom.Quad{{X: 0, Y: 0}, {X: W, Y: 0}, {X: W, Y: H}, {X: 0, Y: H}}, dst)
			if !ok {
				t.Fatalf("degenerate corners %v", im.Corners)
			}
			bad := 0
			mod := float64(im.Plane.W) / float64(n)
			for r := 0; r < n; r++ {
				for c := 0; c < n; c++ {
					q := h.Apply(geom.Point{X: (float64(c) + 0.5) * mod, Y: (float64(r) + 0.5) * mod})
					want := dark(im.Plane, int((float64(c)+0.5)*mod), int((float64(r)+0.5)*mod))
					if dark(pl, int(q.X), int(q.Y)) != want {
						bad++
					}
				}
			}
			if bad > n*n/100 {
				t.Errorf("%d of %d modules differ between the image and the page at its corners %v", bad, n*n, im.Corners)
			}
			if tc.rotate == 0 {
				side := 130.0
				if got, want := im.NativeDPI(), 72*float64(tc.side)/side; math.Abs(got-want) > 0.5 {
					t.Errorf("NativeDPI %.1f, want %.1f", got, want)
				}
			}
		})
	}
}

// BenchmarkImagesVsRender compares the two ways to get an embedded QR
// image's pixels from a page: extracting the image object at its native
// resolution, and rendering the whole page at 200 dpi.
func BenchmarkImagesVsRender(b *testing.B) {
	data := benchDoc(b, true)
	b.Run("extract", func(b *testing.B) {
		d := open(b, engine, data)
		b.ReportAllocs()
		for b.Loop() {
			ims, err := d.Images(0, ImageLimits{})
			if err != nil || len(ims) != 1 {
				b.Fatalf("%d images, %v", len(ims), err)
			}
		}
	})
	b.Run("render200", func(b *testing.B) {
		d := open(b, engine, data)
		b.ReportAllocs()
		for b.Loop() {
			if _, _, err := d.Render(0, 200); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// TestImageLimits: the per-image and per-page bounds skip images without
// decoding them, and too many images refuse the page.
func TestImageLimits(t *testing.T) {
	m := mustMatrix(t, "IMAGE-LIMITS-0042")
	n := len(m) + 8
	p := pdftest.NewPage(pdftest.A4[0], pdftest.A4[1])
	for k, px := range []int{2, 3, 4} { // n·2, n·3, n·4 samples across
		if err := p.ImageQR(m, px, 50+float64(k)*170, 100, 150, false); err != nil {
			t.Fatal(err)
		}
	}
	d := open(t, engine, pdftest.Build([]*pdftest.Page{p}, pdftest.Options{}))
	px := func(k int) int64 { return int64(k * n * k * n) }
	for _, tc := range []struct {
		name  string
		lim   ImageLimits
		sides []int // plane widths returned, in order
		err   error
	}{
		{"none", ImageLimits{}, []int{2 * n, 3 * n, 4 * n}, nil},
		{"max pixels", ImageLimits{MaxPixels: px(3)}, []int{2 * n, 3 * n}, nil},
		{"max total, two fit", ImageLimits{MaxTotal: px(2) + px(3)}, []int{2 * n, 3 * n}, nil},
		{"max total, one fits", ImageLimits{MaxTotal: px(3)}, []int{2 * n}, nil},
		{"max images", ImageLimits{MaxImages: 2}, nil, ErrTooManyImages},
		{"max images, enough", ImageLimits{MaxImages: 3}, []int{2 * n, 3 * n, 4 * n}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ims, err := d.Images(0, tc.lim)
			if !errors.Is(err, tc.err) {
				t.Fatalf("err = %v, want %v", err, tc.err)
			}
			var sides []int
			for _, im := range ims {
				sides = append(sides, im.Plane.W)
			}
			if fmt.Sprint(sides) != fmt.Sprint(tc.sides) {
				t.Errorf("image widths %v, want %v", sides, tc.sides)
			}
		})
	}
}
