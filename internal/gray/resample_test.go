package gray

import (
	"fmt"
	"math"
	"testing"
)

func refDownscale(src *Plane, f int) *Plane {
	n := f * f
	return mk(src.W/f, src.H/f, func(x, y int) byte {
		s := 0
		for j := range f {
			for i := range f {
				s += px(src, x*f+i, y*f+j)
			}
		}
		return byte((2*s + n) / (2 * n))
	})
}

func TestDownscale(t *testing.T) {
	// 4×4 ramp halved: each output is the rounded mean of its 2×2 block.
	want := fromRows([]byte{(0 + 1 + 4 + 5 + 2) / 4, (2 + 3 + 6 + 7 + 2) / 4},
		[]byte{(8 + 9 + 12 + 13 + 2) / 4, (10 + 11 + 14 + 15 + 2) / 4})
	if err := samePixels(Downscale(nil, ramp4(), 2), want); err != nil {
		t.Errorf("ramp4/2: %v", err)
	}
	for _, sz := range [][2]int{{2, 2}, {3, 3}, {17, 9}, {64, 48}, {101, 77}, {517, 9}} {
		for _, f := range []int{2, 3, 4, 7} {
			t.Run(fmt.Sprintf("%dx%d/%d", sz[0], sz[1], f), func(t *testing.T) {
				src := noise(sz[0], sz[1], uint64(f))
				if err := samePixels(Downscale(nil, src, f), refDownscale(src, f)); err != nil {
					t.Fatal(err)
				}
			})
		}
	}
	// Saturated planes give the largest sums, where a wrong reciprocal
	// would round first; a crop view (Stride > W) reads its own rows only.
	white := mk(61, 43, func(x, y int) byte { return 255 })
	crop := Crop(noise(90, 70, 9), 5, 3, 86, 67)
	for _, f := range []int{2, 3, 4, 5, 8} {
		for name, src := range map[string]*Plane{"white": white, "crop": crop} {
			if err := samePixels(Downscale(nil, src, f), refDownscale(src, f)); err != nil {
				t.Errorf("%s/%d: %v", name, f, err)
			}
		}
	}
	if err := samePixels(Downscale(nil, ramp4(), 1), ramp4()); err != nil {
		t.Errorf("factor 1: %v", err)
	}
	if p := Downscale(nil, ramp4(), 5); p.W != 0 || p.H != 0 {
		t.Errorf("factor larger than the plane: %dx%d", p.W, p.H)
	}
}

// srcCoord is the source coordinate sampled by output pixel i.
func srcCoord(i, n, m int) float64 { return (float64(i)+0.5)*float64(n)/float64(m) - 0.5 }

func refBilinear(src *Plane, w, h int) *Plane {
	return mk(w, h, func(x, y int) byte {
		sx, sy := srcCoord(x, src.W, w), srcCoord(y, src.H, h)
		x0, y0 := int(math.Floor(sx)), int(math.Floor(sy))
		fx, fy := sx-float64(x0), sy-float64(y0)
		v := (1-fy)*((1-fx)*float64(px(src, x0, y0))+fx*float64(px(src, x0+1, y0))) +
			fy*((1-fx)*float64(px(src, x0, y0+1))+fx*float64(px(src, x0+1, y0+1)))
		return byte(math.Round(v))
	})
}

func catmullRom(t float64) float64 {
	t = math.Abs(t)
	switch {
	case t < 1:
		return (1.5*t-2.5)*t*t + 1
	case t < 2:
		return ((-0.5*t+2.5)*t-4)*t + 2
	}
	return 0
}

func refBicubic(src *Plane, w, h int) *Plane {
	return mk(w, h, func(x, y int) byte {
		sx, sy := srcCoord(x, src.W, w), srcCoord(y, src.H, h)
		x0, y0 := int(math.Floor(sx)), int(math.Floor(sy))
		var s float64
		for j := -1; j <= 2; j++ {
			for i := -1; i <= 2; i++ {
				s += catmullRom(sx-float64(x0+i)) * catmullRom(sy-float64(y0+j)) * float64(px(src, x0+i, y0+j))
			}
		}
		return byte(min(max(math.Round(s), 0), 255))
	})
}

// overlap returns the length of [a0, a1) ∩ [b0, b1).
func overlap(a0, a1, b0, b1 float64) float64 { return max(0, min(a1, b1)-max(a0, b0)) }

func refArea(src *Plane, w, h int) *Plane {
	fx, fy := float64(src.W)/float64(w), float64(src.H)/float64(h)
	return mk(w, h, func(x, y int) byte {
		var s, a float64
		for j := range src.H {
			oy := overlap(float64(y)*fy, float64(y+1)*fy, float64(j), float64(j+1))
			if oy == 0 {
				continue
			}
			for i := max(int(float64(x)*fx)-1, 0); i < min(int(float64(x+1)*fx)+2, src.W); i++ {
				o := oy * overlap(float64(x)*fx, float64(x+1)*fx, float64(i), float64(i+1))
				s += o * float64(px(src, i, j))
				a += o
			}
		}
		return byte(math.Round(s / a))
	})
}

var resizeCases = []struct{ sw, sh, w, h int }{
	{1, 1, 3, 2}, {4, 4, 8, 8}, {4, 4, 9, 7}, {17, 13, 40, 31}, {40, 30, 17, 13},
	{33, 21, 33, 21}, {30, 20, 10, 5}, {23, 19, 7, 3}, {5, 8, 13, 2},
}

func TestResize(t *testing.T) {
	for _, tc := range []struct {
		name string
		fn   func(dst, src *Plane, w, h int) *Plane
		ref  func(src *Plane, w, h int) *Plane
	}{
		{"Bilinear", ResizeBilinear, refBilinear},
		{"Bicubic", ResizeBicubic, refBicubic},
		{"Area", ResizeArea, refArea},
	} {
		for _, c := range resizeCases {
			t.Run(fmt.Sprintf("%s/%dx%d-%dx%d", tc.name, c.sw, c.sh, c.w, c.h), func(t *testing.T) {
				src := photo(c.sw, c.sh, uint64(c.sw*c.sh))
				got := tc.fn(nil, src, c.w, c.h)
				if d := maxDiff(t, got, tc.ref(src, c.w, c.h)); d > 1 {
					t.Errorf("max difference from the exact %s %d, want ≤ 1", tc.name, d)
				}
				if c.w == c.sw && c.h == c.sh {
					if err := samePixels(got, src); err != nil {
						t.Errorf("same size is not the identity: %v", err)
					}
				}
				k := tc.fn(nil, constant(c.sw, c.sh, 173), c.w, c.h)
				if err := samePixels(k, constant(c.w, c.h, 173)); err != nil {
					t.Errorf("constant plane: %v", err)
				}
			})
		}
		t.Run(tc.name+"/empty size", func(t *testing.T) {
			if p := tc.fn(nil, ramp4(), 0, 5); p.W*p.H != 0 {
				t.Errorf("w=0 gave %dx%d", p.W, p.H)
			}
		})
	}
}

// TestResizeBilinearRampStaysLinear: upscaling the ramp v = 10x keeps it
// linear, 10·clamp(sx, 0, W−1), within ±1.
func TestResizeBilinearRampStaysLinear(t *testing.T) {
	src := mk(20, 6, func(x, _ int) byte { return byte(10 * x) })
	for _, w := range []int{40, 57, 100} {
		t.Run(fmt.Sprint(w), func(t *testing.T) {
			got := ResizeBilinear(nil, src, w, 9)
			for y := range got.H {
				for x := range got.W {
					want := 10 * min(max(srcCoord(x, src.W, w), 0), float64(src.W-1))
					if d := math.Abs(float64(got.Pix[y*got.W+x]) - want); d > 1 {
						t.Fatalf("(%d,%d) = %d, want %.2f±1", x, y, got.Pix[y*got.W+x], want)
					}
				}
			}
		})
	}
}

// TestResizeAreaMatchesDownscale: for exact integer ratios area averaging is
// block averaging.
func TestResizeAreaMatchesDownscale(t *testing.T) {
	src := noise(60, 60, 8)
	for _, f := range []int{2, 3, 5} {
		t.Run(fmt.Sprint(f), func(t *testing.T) {
			if err := samePixels(ResizeArea(nil, src, 60/f, 60/f), Downscale(nil, src, f)); err != nil {
				t.Fatal(err)
			}
		})
	}
	// Unequal integer ratios take the general path and still average blocks.
	if err := samePixels(ResizeArea(nil, src, 30, 20), refArea(src, 30, 20)); err != nil {
		t.Errorf("2×3 blocks: %v", err)
	}
}

func TestWideDivider(t *testing.T) {
	for _, d := range []uint64{1, 2, 3, 7, 10, 64, 1000, 2 * 1600 * 1200, 2 * 4000 * 3000, 1<<40 + 1, 1<<62 - 1} {
		t.Run(fmt.Sprint(d), func(t *testing.T) {
			v := newWideDivider(d)
			xs := []uint64{0, 1, d - 1, d, d + 1, 2*d - 1, 511 * d / 2, 1<<63 - 1, 1 << 42}
			for i := range uint64(1000) {
				xs = append(xs, i*0x9E3779B97F4A7C15>>1)
			}
			for _, x := range xs {
				if got := v.div(x); got != x/d {
					t.Fatalf("%d/%d = %d, want %d", x, d, got, x/d)
				}
			}
		})
	}
}
