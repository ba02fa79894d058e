package jpegluma

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestIDCTConstants recomputes each fixed-point constant as round(v·2^bits).
func TestIDCTConstants(t *testing.T) {
	c6, s6 := math.Cos(6*math.Pi/16), math.Sin(6*math.Pi/16)
	for _, c := range []struct {
		name string
		got  int32
		v    float64
		bits int
	}{
		{"k18S2iCos6", k18S2iCos6, c6 / math.Sqrt2, 18},
		{"k18S2iSin6", k18S2iSin6, s6 / math.Sqrt2, 18},
		{"k8S2i", k8S2i, 1 / math.Sqrt2, 8},
		{"k14S2i", k14S2i, 1 / math.Sqrt2, 14},
		{"k12S2iCos6", k12S2iCos6, c6 / math.Sqrt2, 12},
		{"k12S2iSin6", k12S2iSin6, s6 / math.Sqrt2, 12},
		{"k12Cos3", k12Cos3, math.Cos(3 * math.Pi / 16), 12},
		{"k12Sin3", k12Sin3, math.Sin(3 * math.Pi / 16), 12},
		{"k12Cos1", k12Cos1, math.Cos(math.Pi / 16), 12},
		{"k12Sin1", k12Sin1, math.Sin(math.Pi / 16), 12},
	} {
		t.Run(c.name, func(t *testing.T) {
			if want := int32(math.Round(c.v * float64(int(1)<<c.bits))); c.got != want {
				t.Errorf("%d, want %d", c.got, want)
			}
		})
	}
}

// refIDCT is the inverse DCT of section A.3.3 in float64, level-shifted,
// rounded and clamped.
func refIDCT(c *[64]int32) (out [64]byte) {
	for y := 0; y < 8; y++ {
		for x := 0; x < 8; x++ {
			s := 0.0
			for v := 0; v < 8; v++ {
				for u := 0; u < 8; u++ {
					cu, cv := 1.0, 1.0
					if u == 0 {
						cu = 1 / math.Sqrt2
					}
					if v == 0 {
						cv = 1 / math.Sqrt2
					}
					s += cu * cv * float64(c[v*8+u]) * math.Cos(float64(2*x+1)*float64(u)*math.Pi/16) *
						math.Cos(float64(2*y+1)*float64(v)*math.Pi/16)
				}
			}
			out[y*8+x] = clamp8(s/4 + 128)
		}
	}
	return out
}

// TestIDCT checks idctBlock against the float reference (at most 1 apart:
// the integer transform rounds differently) and idctDC against idctBlock
// (exactly equal, also for an out-of-range DC that overflows), on zero, DC-only, unit-impulse and seeded random blocks.
func TestIDCT(t *testing.T) {
	var blocks [][64]int32
	blocks = append(blocks, [64]int32{})
	for _, dc := range []int32{-1024, -1023, -5, -4, -3, 3, 4, 5, 1016, 2047, 1 << 20} {
		var b [64]int32
		b[0] = dc
		blocks = append(blocks, b)
	}
	for i := 1; i < 64; i++ {
		var b [64]int32
		b[i] = 100
		blocks = append(blocks, b)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 300 {
		var b [64]int32
		for range 1 + rng.IntN(20) {
			b[rng.IntN(64)] = int32(rng.IntN(401)) - 200
		}
		blocks = append(blocks, b)
	}
	var tmp [64]int32
	for i, b := range blocks {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			var got [64 + 7*16]byte
			idctBlock(&b, &tmp, got[:], 16)
			want := refIDCT(&b)
			inRange := true // coefficients of 8-bit samples (overflow wraps as in image/jpeg)
			for _, v := range b {
				inRange = inRange && v >= -2048 && v <= 2047
			}
			for y := 0; inRange && y < 8; y++ {
				for x := 0; x < 8; x++ {
					d := int(got[y*16+x]) - int(want[y*8+x])
					if d < -1 || d > 1 {
						t.Fatalf("(%d,%d): %d, reference %d", x, y, got[y*16+x], want[y*8+x])
					}
				}
			}
			dcOnly := true
			for _, v := range b[1:] {
				dcOnly = dcOnly && v == 0
			}
			if dcOnly {
				var fast [64 + 7*16]byte
				idctDC(b[0], fast[:], 16)
				if fast != got {
					t.Fatalf("idctDC differs from idctBlock for DC %d", b[0])
				}
			}
		})
	}
}

func BenchmarkIDCT(b *testing.B) {
	var c, tmp [64]int32
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range 20 {
		c[rng.IntN(64)] = int32(rng.IntN(401)) - 200 + int32(i)
	}
	var dst [64]byte
	b.Run("block", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			idctBlock(&c, &tmp, dst[:], 8)
		}
	})
	b.Run("dc", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			idctDC(c[0], dst[:], 8)
		}
	})
}
