package gray

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestSWARMatchesScalar checks the eight-lane helpers byte by byte against
// plain comparisons, on random words and on the lane extremes.
func TestSWARMatchesScalar(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	words := []uint64{0, ^uint64(0), 0x00FF00FF00FF00FF, 0xFF00FF00FF00FF00, 0x0102030405060708, 0x8080808080808080, 0x7F7F7F7F7F7F7F7F}
	for range 2000 {
		words = append(words, r.Uint64())
	}
	byteOf := func(w uint64, i int) byte { return byte(w >> (8 * i)) }
	for _, a := range words {
		for _, b := range []uint64{words[r.IntN(len(words))], a, ^a, a >> 8} {
			ge, mn, mx := geMask(a, b), minBytes(a, b), maxBytes(a, b)
			for i := range 8 {
				x, y := byteOf(a, i), byteOf(b, i)
				if want := map[bool]byte{true: 255, false: 0}[x >= y]; byteOf(ge, i) != want {
					t.Fatalf("geMask(%#x, %#x) byte %d = %#x, want %#x", a, b, i, byteOf(ge, i), want)
				}
				if byteOf(mn, i) != min(x, y) || byteOf(mx, i) != max(x, y) {
					t.Fatalf("min/max(%#x, %#x) byte %d = %d/%d", a, b, i, byteOf(mn, i), byteOf(mx, i))
				}
			}
		}
		for _, level := range []int{0, 1, 127, 128, 200, 254, 255} {
			gt := gtMask(a, uint64(255-level)*laneOne)
			for i := range 8 {
				if want := map[bool]byte{true: 255, false: 0}[int(byteOf(a, i)) > level]; byteOf(gt, i) != want {
					t.Fatalf("gtMask(%#x, %d) byte %d = %#x, want %#x", a, level, i, byteOf(gt, i), want)
				}
			}
		}
	}
}

func TestSignBytes(t *testing.T) {
	tests := []struct {
		f        float64
		pos, neg byte
	}{
		{1, 255, 0}, {1e-300, 255, 0}, {0, 0, 0}, {math.Copysign(0, -1), 0, 0},
		{-1e-300, 0, 255}, {-5, 0, 255}, {math.Inf(1), 255, 0}, {math.Inf(-1), 0, 255},
	}
	for _, tc := range tests {
		if p, n := positive(tc.f), negative(tc.f); p != tc.pos || n != tc.neg {
			t.Errorf("%g: positive %d negative %d, want %d %d", tc.f, p, n, tc.pos, tc.neg)
		}
	}
}
