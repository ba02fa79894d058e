package gray

import (
	"fmt"
	"testing"
)

func TestCrop(t *testing.T) {
	src := mk(10, 8, func(x, y int) byte { return byte(10*y + x) })
	tests := []struct {
		x0, y0, x1, y1 int
		w, h           int // expected size
		first          byte
	}{
		{2, 3, 6, 7, 4, 4, 32},
		{0, 0, 10, 8, 10, 8, 0},
		{-5, -5, 3, 2, 3, 2, 0},   // clamped at the top left
		{8, 6, 99, 99, 2, 2, 68},  // clamped at the bottom right
		{4, 4, 4, 6, 0, 0, 0},     // empty width
		{6, 2, 3, 5, 0, 0, 0},     // inverted rectangle
		{20, 20, 30, 30, 0, 0, 0}, // outside
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%d,%d-%d,%d", tc.x0, tc.y0, tc.x1, tc.y1), func(t *testing.T) {
			v := Crop(src, tc.x0, tc.y0, tc.x1, tc.y1)
			if v.W != tc.w || v.H != tc.h {
				t.Fatalf("size %dx%d, want %dx%d", v.W, v.H, tc.w, tc.h)
			}
			c := CropCopy(nil, src, tc.x0, tc.y0, tc.x1, tc.y1)
			if err := samePixels(c, v); err != nil {
				t.Fatalf("CropCopy differs from Crop: %v", err)
			}
			if v.W == 0 {
				return
			}
			if v.Stride != src.Stride || c.Stride != c.W {
				t.Errorf("strides: view %d (want %d), copy %d (want %d)", v.Stride, src.Stride, c.Stride, c.W)
			}
			x0, y0 := max(tc.x0, 0), max(tc.y0, 0)
			for y := range v.H {
				for x := range v.W {
					if got, want := v.At(x, y), src.At(x0+x, y0+y); got != want {
						t.Fatalf("(%d,%d) = %d, want %d", x, y, got, want)
					}
				}
			}
			if v.At(0, 0) != tc.first {
				t.Errorf("first pixel %d, want %d", v.At(0, 0), tc.first)
			}
		})
	}
}

func TestCropSharesMemory(t *testing.T) {
	src := New(6, 5)
	v := Crop(src, 1, 1, 4, 3)
	v.Pix[v.Stride+2] = 99 // view (2,1) = src (3,2)
	if src.At(3, 2) != 99 {
		t.Fatalf("write through the view not seen in src")
	}
	c := CropCopy(nil, src, 1, 1, 4, 3)
	c.Pix[0] = 7
	if src.At(1, 1) == 7 {
		t.Fatalf("CropCopy shares memory with src")
	}
	// The view's capacity ends at its last pixel: appending cannot clobber src.
	before := src.At(4, 2)
	_ = append(v.Pix, 1, 2, 3)
	if src.At(4, 2) != before {
		t.Fatalf("append on a view overwrote src")
	}
	// Nested crops compose.
	vv := Crop(v, 1, 1, 3, 2)
	if vv.W != 2 || vv.H != 1 || vv.At(1, 0) != 99 {
		t.Fatalf("nested crop: %dx%d, (1,0)=%d", vv.W, vv.H, vv.At(1, 0))
	}
}
