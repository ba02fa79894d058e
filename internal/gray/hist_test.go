package gray

import (
	"fmt"
	"math"
	"slices"
	"testing"
)

// ramp4 is the 4×4 ramp 0..15, one pixel per level.
func ramp4() *Plane { return mk(4, 4, func(x, y int) byte { return byte(4*y + x) }) }

func TestHistogram(t *testing.T) {
	tests := []struct {
		name string
		src  *Plane
		want map[int]uint32
	}{
		{"ramp4", ramp4(), map[int]uint32{0: 1, 7: 1, 15: 1, 16: 0}},
		{"constant 5x3", constant(5, 3, 200), map[int]uint32{200: 15, 0: 0}},
		{"tail lengths", fromRows([]byte{1, 1, 1, 1, 1, 2, 2}), map[int]uint32{1: 5, 2: 2}},
		{"empty", &Plane{}, map[int]uint32{0: 0}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := Histogram(tc.src)
			var n uint32
			for _, c := range h {
				n += c
			}
			if int(n) != tc.src.W*tc.src.H {
				t.Errorf("total %d, want %d", n, tc.src.W*tc.src.H)
			}
			for v, c := range tc.want {
				if h[v] != c {
					t.Errorf("h[%d] = %d, want %d", v, h[v], c)
				}
			}
		})
	}
}

func TestEqualize(t *testing.T) {
	tests := []struct {
		name string
		src  *Plane
		want func(v byte) byte
	}{
		// cdf(v) = v+1, cdf_min = 1: v ↦ round(255·v/15) = 17v.
		{"ramp4", ramp4(), func(v byte) byte { return 17 * v }},
		// Two equal classes: the darker goes to 0, the brighter to 255.
		{"two levels", mk(4, 2, func(x, y int) byte { return byte(10 + 10*y) }), func(v byte) byte {
			if v == 10 {
				return 0
			}
			return 255
		}},
		// cdf: 40→1, 50→3, 60→4; cdf_min 1, n−cdf_min 3: 0, round(170)=170, 255.
		{"uneven", fromRows([]byte{40, 50, 50, 60}), byteMap{40: 0, 50: 170, 60: 255}.get},
		{"constant", constant(3, 3, 77), func(v byte) byte { return v }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Equalize(nil, tc.src)
			want := ApplyLUT(nil, tc.src, lutOf(tc.want))
			if err := samePixels(got, want); err != nil {
				t.Fatal(err)
			}
		})
	}
}

type byteMap map[byte]byte

func (m byteMap) get(v byte) byte { return m[v] }

func lutOf(f func(byte) byte) *[256]byte {
	var lut [256]byte
	for i := range lut {
		lut[i] = f(byte(i))
	}
	return &lut
}

// TestEqualizeFlattens checks that a skewed histogram comes out nearly
// uniform: every quarter of the output range holds about a quarter of the
// pixels.
func TestEqualizeFlattens(t *testing.T) {
	// Levels 100..139 with a triangular distribution peaked at 100.
	src := mk(400, 100, func(x, y int) byte {
		i := (y*400 + x) % 820 // 820 = Σ_{k=1..40} k
		k := 40
		for i >= k {
			i -= k
			k--
		}
		return byte(140 - k)
	})
	h := Histogram(Equalize(nil, src))
	var quarters [4]int
	for v, c := range h {
		quarters[v/64] += int(c)
	}
	n := src.W * src.H
	for q, c := range quarters {
		if f := float64(c) / float64(n); f < 0.15 || f > 0.35 {
			t.Errorf("quarter %d holds %.2f of the pixels, want ≈0.25 (%v)", q, f, quarters)
		}
	}
}

func TestStretch(t *testing.T) {
	// 10×10 plane with levels 0..99, one pixel each.
	hundred := mk(10, 10, func(x, y int) byte { return byte(10*y + x) })
	tests := []struct {
		name      string
		src       *Plane
		low, high float64
		want      func(v byte) byte
	}{
		// min 100, max 115: v ↦ 17(v−100).
		{"full range", mk(4, 4, func(x, y int) byte { return byte(100 + 4*y + x) }), 0, 100,
			func(v byte) byte { return 17 * (v - 100) }},
		// lo = s[⌊0.1·99⌋] = 9, hi = s[99−9] = 90.
		{"10-90", hundred, 10, 90, func(v byte) byte {
			switch {
			case v <= 9:
				return 0
			case v >= 90:
				return 255
			}
			return byte((int(v-9)*510 + 81) / 162)
		}},
		{"swapped percentiles", hundred, 90, 10, func(v byte) byte {
			switch {
			case v <= 9:
				return 0
			case v >= 90:
				return 255
			}
			return byte((int(v-9)*510 + 81) / 162)
		}},
		{"constant", constant(4, 4, 31), 5, 95, func(v byte) byte { return v }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Stretch(nil, tc.src, tc.low, tc.high)
			if err := samePixels(got, ApplyLUT(nil, tc.src, lutOf(tc.want))); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestInvertTwiceIsIdentity(t *testing.T) {
	src := noise(37, 11, 5)
	once := Invert(nil, src)
	if once.Pix[0] != 255-src.Pix[0] {
		t.Fatalf("Invert(%d) = %d", src.Pix[0], once.Pix[0])
	}
	if err := samePixels(Invert(nil, once), src); err != nil {
		t.Fatal(err)
	}
}

func TestMeanStdMinMax(t *testing.T) {
	tests := []struct {
		name       string
		src        *Plane
		mean, std  float64
		minV, maxV byte
	}{
		{"ramp4", ramp4(), 7.5, math.Sqrt(255.0 / 12), 0, 15}, // var of 0..15 = (16²−1)/12
		{"two levels", fromRows([]byte{10, 30}), 20, 10, 10, 30},
		{"constant", constant(3, 2, 9), 9, 0, 9, 9},
		{"empty", &Plane{}, 0, 0, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, s := MeanStd(tc.src)
			if math.Abs(m-tc.mean) > 1e-9 || math.Abs(s-tc.std) > 1e-9 {
				t.Errorf("MeanStd = %v, %v; want %v, %v", m, s, tc.mean, tc.std)
			}
			lo, hi := MinMax(tc.src)
			if lo != tc.minV || hi != tc.maxV {
				t.Errorf("MinMax = %d, %d; want %d, %d", lo, hi, tc.minV, tc.maxV)
			}
		})
	}
}

// TestMinMaxLanes puts the extremes in every byte lane and in the row tail.
func TestMinMaxLanes(t *testing.T) {
	for _, w := range []int{1, 7, 8, 9, 17, 33} {
		for pos := range w {
			t.Run(fmt.Sprintf("w%d/pos%d", w, pos), func(t *testing.T) {
				p := constant(w, 2, 100)
				p.Pix[w+pos] = 3
				p.Pix[(pos+1)%w] = 250
				lo, hi := MinMax(p)
				if lo != 3 || hi != 250 {
					t.Errorf("MinMax = %d, %d; want 3, 250", lo, hi)
				}
			})
		}
	}
}

// TestEqualizeHist checks that EqualizeHist with the plane's own histogram
// gives Equalize's output, on noise and on a plane of two levels.
func TestEqualizeHist(t *testing.T) {
	noise := New(37, 23)
	for i := range noise.Pix {
		noise.Pix[i] = byte(i*7919%251 + i%5)
	}
	twoLevels := New(16, 16)
	for i := range twoLevels.Pix {
		twoLevels.Pix[i] = byte(40 + 150*(i%3/2))
	}
	for _, tc := range []struct {
		name string
		p    *Plane
	}{{"noise", noise}, {"two levels", twoLevels}} {
		t.Run(tc.name, func(t *testing.T) {
			want := Equalize(New(tc.p.W, tc.p.H), tc.p)
			h := Histogram(tc.p)
			got := EqualizeHist(New(tc.p.W, tc.p.H), tc.p, &h)
			if !slices.Equal(got.Pix, want.Pix) {
				t.Error("EqualizeHist differs from Equalize")
			}
		})
	}
}
