package gray

import (
	"fmt"
	"testing"
)

// TestWidePlanes covers planes wider than stackRow, where the per-row scratch
// moves from the stack to the heap, against the slow references.
func TestWidePlanes(t *testing.T) {
	if testing.Short() {
		t.Skip("wide planes skipped in -short mode")
	}
	src := photo(stackRow+5, 4, 21)
	exact := func(name string, got, want *Plane) {
		t.Run(name, func(t *testing.T) {
			if err := samePixels(got, want); err != nil {
				t.Fatal(err)
			}
		})
	}
	within1 := func(name string, got, want *Plane) {
		t.Run(name, func(t *testing.T) {
			if d := maxDiff(t, got, want); d > 1 {
				t.Fatalf("max difference %d, want ≤ 1", d)
			}
		})
	}
	exact("BoxBlur", BoxBlur(nil, src, 2), refBoxBlur(src, 2))
	exact("AdaptiveMean", AdaptiveMean(nil, src, 2, 3), refAdaptiveMean(src, 2, 3))
	exact("Sharpen", Sharpen(nil, src, 1.5), refSharpen(src, 1.5))
	exact("Downscale3", Downscale(nil, src, 3), refDownscale(src, 3))
	for _, sigma := range []float64{1, 1.5} {
		within1(fmt.Sprintf("GaussianBlur%g", sigma), GaussianBlur(nil, src, sigma), refGaussian(src, sigma))
	}
	t.Run("Sauvola", func(t *testing.T) {
		got := Sauvola(nil, src, 2, 0.3, 128)
		want, tie := refSauvola(src, 2, 0.3, 128)
		for i := range want.Pix {
			if got.Pix[i] != want.Pix[i] && !tie[i] {
				t.Fatalf("pixel %d = %d, want %d", i, got.Pix[i], want.Pix[i])
			}
		}
	})
	t.Run("Morph", func(t *testing.T) {
		e, d := Erode(nil, src), Dilate(nil, src)
		for y := range src.H {
			for x := range src.W {
				lo, hi := 255, 0
				for j := -1; j <= 1; j++ {
					for i := -1; i <= 1; i++ {
						lo, hi = min(lo, px(src, x+i, y+j)), max(hi, px(src, x+i, y+j))
					}
				}
				if int(e.At(x, y)) != lo || int(d.At(x, y)) != hi {
					t.Fatalf("(%d,%d): erode %d dilate %d, want %d %d", x, y, e.At(x, y), d.At(x, y), lo, hi)
				}
			}
		}
	})
	w, h := stackRow+300, 6
	within1("ResizeBilinear", ResizeBilinear(nil, src, w, h), refBilinear(src, w, h))
	within1("ResizeBicubic", ResizeBicubic(nil, src, w, h), refBicubic(src, w, h))
	within1("ResizeArea", ResizeArea(nil, src, w, 3), refArea(src, w, 3))
	within1("ResizeAreaDown", ResizeArea(nil, src, 1000, 3), refArea(src, 1000, 3))
}
