package classic

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/makiuchi-d/gozxing"

	"github.com/qrcascade/qrcascade/internal/gray"
)

// TestHybridBinarizerMatchesGozxing: our block threshold marks exactly the
// pixels gozxing's HybridBinarizer marks, on planes of random blocks (flat
// and textured, so both black point rules and the neighbour correction
// run), for sizes that are and are not multiples of the block, and on a
// crop view whose stride exceeds its width.
func TestHybridBinarizerMatchesGozxing(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 9))
	mk := func(w, h int) *gray.Plane {
		p := gray.New(w, h)
		for by := 0; by < h; by += 6 {
			for bx := 0; bx < w; bx += 6 {
				base, amp := rng.IntN(256), rng.IntN(4)*20
				for y := by; y < min(by+6, h); y++ {
					for x := bx; x < min(bx+6, w); x++ {
						v := base + rng.IntN(amp+1) - amp/2
						p.Pix[y*p.Stride+x] = byte(min(max(v, 0), 255))
					}
				}
			}
		}
		return p
	}
	cases := []struct {
		name string
		p    *gray.Plane
	}{
		{"40x40", mk(40, 40)},
		{"41x57", mk(41, 57)},
		{"64x64", mk(64, 64)},
		{"333x211", mk(333, 211)},
		{"39x100 (gozxing fallback)", mk(39, 100)},
		{"crop view", gray.Crop(mk(300, 200), 13, 7, 214, 157)},
		// thresholds and pixels at the ends of the range (the eight-pixel
		// comparison's lanes at 1 and 511)
		{"black and white", func() *gray.Plane {
			p := gray.New(97, 66)
			for i := range p.Pix {
				p.Pix[i] = byte(255 * rng.IntN(2))
			}
			return p
		}()},
		{"full range", func() *gray.Plane {
			p := gray.New(88, 71)
			for i := range p.Pix {
				p.Pix[i] = byte(rng.IntN(256))
			}
			return p
		}()},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src := newPlaneSource(tc.p)
			want, err := gozxing.NewHybridBinarizer(src).GetBlackMatrix()
			if err != nil {
				t.Fatal(err)
			}
			got, err := newHybridBinarizer(src, tc.p).GetBlackMatrix()
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for y := 0; y < tc.p.H; y++ {
				for x := 0; x < tc.p.W; x++ {
					if got.Get(x, y) != want.Get(x, y) {
						t.Fatalf("(%d,%d): %v, gozxing %v", x, y, got.Get(x, y), want.Get(x, y))
					}
					if got.Get(x, y) {
						n++
					}
				}
			}
			if n == 0 || n == tc.p.W*tc.p.H {
				t.Errorf("degenerate test plane: %d of %d pixels dark", n, tc.p.W*tc.p.H)
			}
		})
	}
}

func BenchmarkHybridBinarizer(b *testing.B) {
	p := gray.New(1600, 1200)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range p.Pix {
		p.Pix[i] = byte(rng.IntN(256))
	}
	src := newPlaneSource(p)
	for _, impl := range []struct {
		name string
		new  func() gozxing.Binarizer
	}{
		{"ours", func() gozxing.Binarizer { return newHybridBinarizer(src, p) }},
		{"gozxing", func() gozxing.Binarizer { return gozxing.NewHybridBinarizer(src) }},
	} {
		b.Run(fmt.Sprint(impl.name), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := impl.new().GetBlackMatrix(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
