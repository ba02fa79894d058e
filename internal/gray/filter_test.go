package gray

import (
	"fmt"
	"math"
	"testing"
)

var filterSizes = [][2]int{{1, 1}, {1, 7}, {7, 1}, {2, 2}, {17, 13}, {33, 5}, {40, 30}}

func refBoxBlur(src *Plane, r int) *Plane {
	n := (2*r + 1) * (2*r + 1)
	return mk(src.W, src.H, func(x, y int) byte {
		s := 0
		for j := -r; j <= r; j++ {
			for i := -r; i <= r; i++ {
				s += px(src, x+i, y+j)
			}
		}
		return byte((2*s + n) / (2 * n))
	})
}

func TestBoxBlur(t *testing.T) {
	// Hand case: radius 1 on a 3×3 plane with a single 90 at the centre:
	// every window holds the centre once, so every pixel is round(90/9) = 10.
	hand := fromRows([]byte{0, 0, 0}, []byte{0, 90, 0}, []byte{0, 0, 0})
	if err := samePixels(BoxBlur(nil, hand, 1), constant(3, 3, 10)); err != nil {
		t.Errorf("hand case: %v", err)
	}
	for _, sz := range filterSizes {
		for _, r := range []int{1, 2, 5, 9} {
			t.Run(fmt.Sprintf("%dx%d/r%d", sz[0], sz[1], r), func(t *testing.T) {
				src := noise(sz[0], sz[1], uint64(r))
				if err := samePixels(BoxBlur(nil, src, r), refBoxBlur(src, r)); err != nil {
					t.Fatal(err)
				}
			})
		}
	}
	if err := samePixels(BoxBlur(nil, ramp4(), 0), ramp4()); err != nil {
		t.Errorf("radius 0: %v", err)
	}
}

func refGaussian(src *Plane, sigma float64) *Plane {
	k := int(math.Ceil(3 * sigma))
	g := make([]float64, 2*k+1)
	var tot float64
	for i := range g {
		d := float64(i - k)
		g[i] = math.Exp(-d * d / (2 * sigma * sigma))
		tot += g[i]
	}
	return mk(src.W, src.H, func(x, y int) byte {
		var s float64
		for j := -k; j <= k; j++ {
			for i := -k; i <= k; i++ {
				s += g[i+k] * g[j+k] * float64(px(src, x+i, y+j))
			}
		}
		return byte(math.Round(s / (tot * tot)))
	})
}

func TestGaussianBlur(t *testing.T) {
	for _, sz := range filterSizes {
		for _, sigma := range []float64{0.5, 1, 1.7, 3} {
			t.Run(fmt.Sprintf("%dx%d/sigma%g", sz[0], sz[1], sigma), func(t *testing.T) {
				src := noise(sz[0], sz[1], 9)
				if d := maxDiff(t, GaussianBlur(nil, src, sigma), refGaussian(src, sigma)); d > 1 {
					t.Errorf("max difference from the exact convolution %d, want ≤ 1", d)
				}
			})
		}
	}
	for _, sigma := range []float64{0.3, 2, 25} {
		t.Run(fmt.Sprintf("constant/sigma%g", sigma), func(t *testing.T) {
			if err := samePixels(GaussianBlur(nil, constant(9, 7, 255), sigma), constant(9, 7, 255)); err != nil {
				t.Error(err)
			}
		})
	}
	if err := samePixels(GaussianBlur(nil, ramp4(), 0), ramp4()); err != nil {
		t.Errorf("sigma 0: %v", err)
	}
}

func refSharpen(src *Plane, amount float64) *Plane {
	a := int(math.Round(amount * 256))
	return mk(src.W, src.H, func(x, y int) byte {
		b := 0
		for j := -1; j <= 1; j++ {
			for i := -1; i <= 1; i++ {
				b += (2 - absInt(i)) * (2 - absInt(j)) * px(src, x+i, y+j)
			}
		}
		v := px(src, x, y)
		return byte(clampInt(v+(a*(16*v-b)+2048)>>12, 0, 255))
	})
}

func TestSharpen(t *testing.T) {
	for _, sz := range filterSizes {
		for _, amount := range []float64{0.5, 1, 2.5, -0.7} {
			t.Run(fmt.Sprintf("%dx%d/amount%g", sz[0], sz[1], amount), func(t *testing.T) {
				src := noise(sz[0], sz[1], 2)
				if err := samePixels(Sharpen(nil, src, amount), refSharpen(src, amount)); err != nil {
					t.Fatal(err)
				}
			})
		}
	}
	// A step edge 60|180 gains an overshoot on both sides and keeps its
	// flat parts: with amount 1, the pixel left of the edge has blur
	// (3·60+180)/4 = 90 → 60 + (60−90) = 30; the right one 180 + 30 = 210.
	step := mk(6, 3, func(x, _ int) byte { return []byte{60, 60, 60, 180, 180, 180}[x] })
	got := Sharpen(nil, step, 1)
	if want := []byte{60, 60, 30, 210, 180, 180}; string(got.Row(1)) != string(want) {
		t.Errorf("step edge: %v, want %v", got.Row(1), want)
	}
	if err := samePixels(Sharpen(nil, constant(5, 5, 99), 3), constant(5, 5, 99)); err != nil {
		t.Errorf("constant: %v", err)
	}
	if err := samePixels(Sharpen(nil, ramp4(), 0), ramp4()); err != nil {
		t.Errorf("amount 0: %v", err)
	}
}

func TestMorph(t *testing.T) {
	for _, sz := range filterSizes {
		t.Run(fmt.Sprintf("%dx%d", sz[0], sz[1]), func(t *testing.T) {
			src := noise(sz[0], sz[1], 6)
			lo := mk(src.W, src.H, func(x, y int) byte {
				m := 255
				for j := -1; j <= 1; j++ {
					for i := -1; i <= 1; i++ {
						m = min(m, px(src, x+i, y+j))
					}
				}
				return byte(m)
			})
			hi := mk(src.W, src.H, func(x, y int) byte {
				m := 0
				for j := -1; j <= 1; j++ {
					for i := -1; i <= 1; i++ {
						m = max(m, px(src, x+i, y+j))
					}
				}
				return byte(m)
			})
			if err := samePixels(Erode(nil, src), lo); err != nil {
				t.Errorf("Erode: %v", err)
			}
			if err := samePixels(Dilate(nil, src), hi); err != nil {
				t.Errorf("Dilate: %v", err)
			}
		})
	}
	// A single dark speck on paper: Dilate removes it, Erode grows it to 3×3.
	speck := mk(5, 5, func(x, y int) byte { return map[bool]byte{true: 0, false: 255}[x == 2 && y == 2] })
	if err := samePixels(Dilate(nil, speck), constant(5, 5, 255)); err != nil {
		t.Errorf("Dilate speck: %v", err)
	}
	grown := Erode(nil, speck)
	dark := 0
	for _, v := range grown.Pix {
		if v == 0 {
			dark++
		}
	}
	if dark != 9 || grown.At(1, 1) != 0 || grown.At(0, 0) != 255 {
		t.Errorf("Erode speck: %d dark pixels, want the 3×3 block", dark)
	}
}
