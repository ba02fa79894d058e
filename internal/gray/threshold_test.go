package gray

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// bimodal returns a w×h plane whose pixels are lo or hi (fraction of lo
// pixels about pLo), plus uniform noise of ±spread.
func bimodal(w, h int, lo, hi int, pLo float64, spread int, seed uint64) *Plane {
	r := rand.New(rand.NewPCG(seed, 3))
	return mk(w, h, func(int, int) byte {
		v := hi
		if r.Float64() < pLo {
			v = lo
		}
		if spread > 0 {
			v += r.IntN(2*spread+1) - spread
		}
		return byte(clampInt(v, 0, 255))
	})
}

// otsuVariance is the between-class variance of level t computed directly.
func otsuVariance(h *[256]uint32, t int) float64 {
	var n0, n1, s0, s1 float64
	for v, c := range h {
		if v <= t {
			n0 += float64(c)
			s0 += float64(c) * float64(v)
		} else {
			n1 += float64(c)
			s1 += float64(c) * float64(v)
		}
	}
	if n0 == 0 || n1 == 0 {
		return 0
	}
	n := n0 + n1
	d := s0/n0 - s1/n1
	return n0 / n * n1 / n * d * d
}

func TestOtsuLevel(t *testing.T) {
	tests := []struct {
		name   string
		src    *Plane
		lo, hi int // accepted range
	}{
		// Clean modes at 50 and 200: every level of the gap 50..199 ties; the
		// middle is returned.
		{"clean bimodal", bimodal(64, 64, 50, 200, 0.3, 0, 1), 124, 124},
		{"noisy bimodal", bimodal(64, 64, 60, 190, 0.5, 15, 2), 76, 174},
		{"unbalanced", bimodal(64, 64, 30, 220, 0.05, 10, 3), 41, 209},
		{"two pixels", fromRows([]byte{0, 255}), 127, 127},
		{"constant", constant(4, 4, 77), 77, 77},
		{"empty", &Plane{}, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := int(OtsuLevel(tc.src))
			if got < tc.lo || got > tc.hi {
				t.Errorf("OtsuLevel = %d, want in [%d, %d]", got, tc.lo, tc.hi)
			}
		})
	}
}

// TestOtsuLevelMaximisesVariance checks on random histograms that the chosen
// level reaches the largest between-class variance.
func TestOtsuLevelMaximisesVariance(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 4))
	for i := range 50 {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			var h [256]uint32
			for range 1 + r.IntN(8) {
				c, s := r.IntN(256), 1+r.IntN(30)
				for range 1 + r.IntN(5000) {
					h[clampInt(c+int(r.NormFloat64()*float64(s)), 0, 255)]++
				}
			}
			got := int(OtsuLevelHist(&h))
			best := 0.0
			for lv := range 256 {
				best = max(best, otsuVariance(&h, lv))
			}
			if v := otsuVariance(&h, got); v < best*(1-1e-9) {
				t.Errorf("level %d has variance %g, best %g", got, v, best)
			}
		})
	}
}

func TestThreshold(t *testing.T) {
	tests := []struct {
		level uint8
		want  func(v byte) byte
	}{
		{7, func(v byte) byte { return map[bool]byte{true: 0, false: 255}[v <= 7] }},
		{0, func(v byte) byte { return map[bool]byte{true: 0, false: 255}[v == 0] }},
		{15, func(byte) byte { return 0 }},
		{255, func(byte) byte { return 0 }},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprint(tc.level), func(t *testing.T) {
			src := ramp4()
			if err := samePixels(Threshold(nil, src, tc.level), ApplyLUT(nil, src, lutOf(tc.want))); err != nil {
				t.Fatal(err)
			}
		})
	}
	// Level 254 on full range: only 255 stays light.
	all := mk(256, 1, func(x, _ int) byte { return byte(x) })
	got := Threshold(nil, all, 254)
	if got.Pix[254] != 0 || got.Pix[255] != 255 {
		t.Errorf("level 254: 254→%d, 255→%d", got.Pix[254], got.Pix[255])
	}
}

// windowStats returns the sum, sum of squares and area of the window of
// radius r around (x, y), clamped to the plane.
func windowStats(src *Plane, x, y, r int) (s, s2, n int) {
	for j := max(y-r, 0); j <= min(y+r, src.H-1); j++ {
		for i := max(x-r, 0); i <= min(x+r, src.W-1); i++ {
			v := int(src.Pix[j*src.Stride+i])
			s += v
			s2 += v * v
			n++
		}
	}
	return s, s2, n
}

func refAdaptiveMean(src *Plane, r, off int) *Plane {
	return mk(src.W, src.H, func(x, y int) byte {
		s, _, n := windowStats(src, x, y, r)
		if (int(src.Pix[y*src.Stride+x])+off)*n <= s {
			return 0
		}
		return 255
	})
}

func TestAdaptiveMean(t *testing.T) {
	// Hand case: a dark centre on light paper. The centre's window (radius 1)
	// has mean (8·200+50)/9 ≈ 183 > 50 → dark; the corner (0,0) window is the
	// clamped 2×2 {200,200,200,50}, mean 162.5 < 200 → light.
	hand := fromRows([]byte{200, 200, 200}, []byte{200, 50, 200}, []byte{200, 200, 200})
	got := AdaptiveMean(nil, hand, 1, 0)
	want := fromRows([]byte{255, 255, 255}, []byte{255, 0, 255}, []byte{255, 255, 255})
	if err := samePixels(got, want); err != nil {
		t.Errorf("hand case: %v", err)
	}
	// Flat plane: v·n ≤ s always holds with offset 0 (dark), never with
	// offset 1 (light).
	flat := constant(5, 5, 120)
	if p := AdaptiveMean(nil, flat, 2, 0); p.Pix[12] != 0 {
		t.Errorf("flat, offset 0: %d, want 0", p.Pix[12])
	}
	if p := AdaptiveMean(nil, flat, 2, 1); p.Pix[12] != 255 {
		t.Errorf("flat, offset 1: %d, want 255", p.Pix[12])
	}
	for _, tc := range []struct {
		w, h, r, off int
	}{
		{17, 13, 1, 0}, {17, 13, 3, 5}, {40, 30, 7, -3}, {9, 50, 6, 2}, {50, 9, 6, 2},
		{8, 8, 20, 4}, // window larger than the plane
	} {
		t.Run(fmt.Sprintf("%dx%d/r%d/off%d", tc.w, tc.h, tc.r, tc.off), func(t *testing.T) {
			src := photo(tc.w, tc.h, uint64(tc.w*tc.h))
			if err := samePixels(AdaptiveMean(nil, src, tc.r, tc.off), refAdaptiveMean(src, tc.r, tc.off)); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// refSauvola applies the formula with a square root, and reports the pixels
// whose value is within 1e-9 of the threshold (where float rounding may
// legitimately decide either way).
func refSauvola(src *Plane, r int, k, dr float64) (out *Plane, tie []bool) {
	tie = make([]bool, src.W*src.H)
	out = mk(src.W, src.H, func(x, y int) byte {
		s, s2, n := windowStats(src, x, y, r)
		m := float64(s) / float64(n)
		sd := math.Sqrt(max(float64(s2)/float64(n)-m*m, 0))
		th := m * (1 + k*(sd/dr-1))
		v := float64(src.Pix[y*src.Stride+x])
		tie[y*src.W+x] = math.Abs(v-th) < 1e-9
		if v <= th {
			return 0
		}
		return 255
	})
	return out, tie
}

func TestSauvola(t *testing.T) {
	for _, tc := range []struct {
		w, h, r int
		k, dr   float64
	}{
		{17, 13, 1, 0.2, 128}, {40, 30, 5, 0.34, 128}, {40, 30, 5, 0.5, 64},
		{30, 40, 8, 0, 128}, {25, 25, 4, -0.2, 128}, {8, 8, 20, 0.3, 128},
	} {
		t.Run(fmt.Sprintf("%dx%d/r%d/k%g/R%g", tc.w, tc.h, tc.r, tc.k, tc.dr), func(t *testing.T) {
			src := photo(tc.w, tc.h, uint64(tc.w+tc.h))
			got := Sauvola(nil, src, tc.r, tc.k, tc.dr)
			want, tie := refSauvola(src, tc.r, tc.k, tc.dr)
			for i := range want.Pix {
				if got.Pix[i] != want.Pix[i] && !tie[i] {
					t.Fatalf("pixel (%d,%d) = %d, want %d", i%src.W, i/src.W, got.Pix[i], want.Pix[i])
				}
			}
		})
	}
	// dynRange 0 means 128.
	src := photo(31, 23, 9)
	if err := samePixels(Sauvola(nil, src, 4, 0.3, 0), Sauvola(nil, src, 4, 0.3, 128)); err != nil {
		t.Errorf("dynRange 0: %v", err)
	}
}

// TestLocalThresholdsBeatGlobalUnderUnevenLight: a checkerboard of 8-pixel
// cells whose dark cells reflect 30 % of a light level that ramps from 40 to
// 240 across the plane. Dark cells on the right are brighter than light
// cells on the left, so no global level can be right everywhere, while the
// local thresholds follow the ramp.
func TestLocalThresholdsBeatGlobalUnderUnevenLight(t *testing.T) {
	const w, h, cell = 256, 64, 8
	dark := func(x, y int) bool { return (x/cell+y/cell)%2 == 0 }
	src := mk(w, h, func(x, y int) byte {
		light := 40 + 200*float64(x)/(w-1)
		if dark(x, y) {
			return byte(0.3 * light)
		}
		return byte(light)
	})
	accuracy := func(p *Plane) float64 {
		ok := 0
		for y := range h {
			for x := range w {
				if (p.Pix[y*w+x] == 0) == dark(x, y) {
					ok++
				}
			}
		}
		return float64(ok) / (w * h)
	}
	global := accuracy(Threshold(nil, src, OtsuLevel(src)))
	for _, tc := range []struct {
		name string
		out  *Plane
	}{
		{"AdaptiveMean", AdaptiveMean(nil, src, 12, 2)},
		{"Sauvola", Sauvola(nil, src, 12, 0.2, 128)},
	} {
		if a := accuracy(tc.out); a < 0.99 || a <= global {
			t.Errorf("%s accuracy %.3f, want ≥ 0.99 and above global Otsu's %.3f", tc.name, a, global)
		}
	}
	if global > 0.95 {
		t.Errorf("global Otsu accuracy %.3f: the test image is not hard enough", global)
	}
}

// TestHugeRadius: radii beyond the plane (up to overflow-sized ones) behave
// like a window covering the whole plane, without panics or wrap-around.
func TestHugeRadius(t *testing.T) {
	src := photo(23, 17, 5)
	for _, r := range []int{23, MaxRadius, MaxRadius + 1, 1 << 40, int(^uint(0) >> 1)} {
		t.Run(fmt.Sprint(r), func(t *testing.T) {
			if err := samePixels(AdaptiveMean(nil, src, r, 2), refAdaptiveMean(src, 23, 2)); err != nil {
				t.Errorf("AdaptiveMean: %v", err)
			}
			if err := samePixels(Sauvola(nil, src, r, 0.3, 128), Sauvola(nil, src, 23, 0.3, 128)); err != nil {
				t.Errorf("Sauvola: %v", err)
			}
			if err := samePixels(BoxBlur(nil, constant(23, 17, 201), r), constant(23, 17, 201)); err != nil {
				t.Errorf("BoxBlur of a constant plane: %v", err)
			}
		})
	}
	// Radius beyond the plane: the replicated border fills most of the window.
	if err := samePixels(BoxBlur(nil, src, 40), refBoxBlur(src, 40)); err != nil {
		t.Errorf("BoxBlur r=40: %v", err)
	}
}

// TestSauvolaFlat: on a flat window σ = 0 and the threshold is m(1−k).
func TestSauvolaFlat(t *testing.T) {
	tests := []struct {
		v    byte
		k    float64
		want byte
	}{
		{0, 0.3, 0},     // v = 0 ≤ 0: dark (the exact zero case)
		{200, 0.3, 255}, // 200 > 140
		{200, 0, 0},     // k = 0: v ≤ m
		{200, -0.2, 0},  // 200 ≤ 240
		{0, -0.2, 0},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("v%d/k%g", tc.v, tc.k), func(t *testing.T) {
			got := Sauvola(nil, constant(20, 9, tc.v), 3, tc.k, 128)
			if err := samePixels(got, constant(20, 9, tc.want)); err != nil {
				t.Fatal(err)
			}
		})
	}
}
