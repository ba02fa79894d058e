package gray

import "testing"

// FuzzOps runs every operation on arbitrary pixels and sizes, as a compact
// plane and as a crop view, and requires identical output of the expected
// size without panics.
func FuzzOps(f *testing.F) {
	f.Add([]byte{0, 255, 128, 7, 9, 200, 3, 3, 3}, uint8(3), uint8(1))
	f.Add(photo(17, 9, 1).Pix, uint8(17), uint8(4))
	f.Add(noise(33, 2, 2).Pix, uint8(33), uint8(0))
	f.Add([]byte{42}, uint8(1), uint8(9))
	f.Fuzz(func(t *testing.T, data []byte, w, margin uint8) {
		width := 1 + int(w)%64
		height := min(len(data)/width, 64)
		if height == 0 {
			return
		}
		src := mk(width, height, func(x, y int) byte { return data[y*width+x] })
		m := int(margin % 8)
		parent := constant(width+2*m+1, height+2*m, 0x5A)
		v := Crop(parent, m, m, m+width, m+height)
		for y := range height {
			copy(v.Row(y), src.Row(y))
		}
		for _, o := range allOps() {
			want := o.fn(nil, src)
			got := o.fn(nil, v)
			if err := samePixels(got, want); err != nil {
				t.Fatalf("%s on a view: %v", o.name, err)
			}
			if len(got.Pix) != got.W*got.H || got.Stride != got.W {
				t.Fatalf("%s: malformed output %dx%d stride %d len %d", o.name, got.W, got.H, got.Stride, len(got.Pix))
			}
		}
		// Resizing to the same size is the identity for the interpolators.
		if err := samePixels(ResizeBicubic(nil, v, width, height), src); err != nil {
			t.Fatalf("bicubic identity: %v", err)
		}
		if err := samePixels(ResizeBilinear(nil, v, width, height), src); err != nil {
			t.Fatalf("bilinear identity: %v", err)
		}
	})
}
