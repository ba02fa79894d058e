package qr

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/qrcascade/qrcascade/internal/geom"
	"github.com/qrcascade/qrcascade/internal/gray"
)

// TestNoiseLevel estimates known Gaussian noise on a flat plane and on one
// with vertical stripes (edges in one column out of eight).
func TestNoiseLevel(t *testing.T) {
	for _, sigma := range []float64{1, 2, 4, 8} {
		for _, stripes := range []bool{false, true} {
			t.Run(fmt.Sprintf("sigma %.0f stripes %v", sigma, stripes), func(t *testing.T) {
				rng := rand.New(rand.NewPCG(5, uint64(sigma)))
				p := gray.New(400, 300)
				for y := 0; y < p.H; y++ {
					for x := 0; x < p.W; x++ {
						base := 120.0
						if stripes && (x/8)%2 == 1 {
							base = 60
						}
						p.Pix[y*p.Stride+x] = byte(math.Round(min(max(base+sigma*rng.NormFloat64(), 0), 255)))
					}
				}
				got := noiseLevel(p)
				tol := 0.15*sigma + 0.3 // rounding to integer levels adds ~0.3
				if stripes {
					tol += 0.1 * sigma
				}
				if math.Abs(got-sigma) > tol {
					t.Errorf("noise level %.2f, want %.0f ± %.2f", got, sigma, tol)
				}
				if f := finderContrastFloor(got); f < minFinderContrast || f < 2.5*sigma {
					t.Errorf("contrast floor %.1f below max(%d, 2.5σ)", f, minFinderContrast)
				}
			})
		}
	}
}

// TestNoiseLevelMatchesReference checks noiseLevel's four histograms
// against one, filled pixel by pixel: the same estimate, exactly, on flat,
// noisy, saturated, narrow and cropped planes.
func TestNoiseLevelMatchesReference(t *testing.T) {
	reference := func(p *gray.Plane) float64 {
		var hist [256]int
		total := 0
		for y := 0; y < p.H; y += 4 {
			row := p.Row(y)
			for x := 1; x < len(row); x++ {
				d := int(row[x]) - int(row[x-1])
				hist[max(d, -d)]++
				total++
			}
		}
		return noiseFromDiffs(&hist, total)
	}
	rng := rand.New(rand.NewPCG(3, 9))
	plane := func(w, h int, f func(x, y int) byte) *gray.Plane {
		p := gray.New(w, h)
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				p.Pix[y*p.Stride+x] = f(x, y)
			}
		}
		return p
	}
	cases := map[string]*gray.Plane{
		"flat":      plane(101, 37, func(x, y int) byte { return 200 }),
		"noise":     plane(203, 61, func(x, y int) byte { return byte(rng.IntN(256)) }),
		"mild":      plane(77, 45, func(x, y int) byte { return byte(120 + rng.IntN(5)) }),
		"edges":     plane(64, 64, func(x, y int) byte { return byte(255 * ((x / 3) % 2)) }),
		"one wide":  plane(1, 30, func(x, y int) byte { return byte(y) }),
		"two wide":  plane(2, 30, func(x, y int) byte { return byte(x * 90) }),
		"five wide": plane(5, 9, func(x, y int) byte { return byte(rng.IntN(256)) }),
		"crop":      gray.Crop(plane(90, 50, func(x, y int) byte { return byte(rng.IntN(40)) }), 3, 1, 86, 47),
	}
	for name, p := range cases {
		if got, want := noiseLevel(p), reference(p); got != want {
			t.Errorf("%s: %v, want %v", name, got, want)
		}
	}
}

// TestBinarizeMatchesNaive: the summed-area thresholding with its unclipped
// interior fast path marks exactly the pixels a direct window mean marks,
// for planes narrower and wider than the window.
func TestBinarizeMatchesNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	check := func(t *testing.T, p *gray.Plane) {
		b := binarizeFloor(p, 4)
		win := min(max(max(p.W, p.H)/10, 24), 160)
		r := win / 2
		for y := 0; y < p.H; y++ {
			for x := 0; x < p.W; x++ {
				var sum, area uint64
				for yy := max(y-r, 0); yy < min(y+r+1, p.H); yy++ {
					for xx := max(x-r, 0); xx < min(x+r+1, p.W); xx++ {
						sum += uint64(p.Pix[yy*p.Stride+xx])
						area++
					}
				}
				want := byte(0)
				if uint64(p.Pix[y*p.Stride+x])*area*32 < sum*31 {
					want = 1
				}
				if got := b.pix[y*p.W+x]; got != want {
					t.Fatalf("(%d,%d) = %d, want %d", x, y, got, want)
				}
			}
		}
	}
	noise := func(w, h int) *gray.Plane {
		p := gray.New(w, h)
		for i := range p.Pix {
			p.Pix[i] = byte(rng.IntN(256))
		}
		return p
	}
	// sizes that give the AVX2 path (binarize_simd.go) interiors of every
	// length modulo 8, and planes too narrow for it
	for _, sz := range [][2]int{{5, 7}, {30, 20}, {61, 45}, {300, 40}, {40, 300}, {1620, 12}, {12, 1620}, {333, 97}, {97, 333}, {250, 251}, {251, 250}, {257, 83}} {
		t.Run(fmt.Sprintf("%dx%d", sz[0], sz[1]), func(t *testing.T) {
			check(t, noise(sz[0], sz[1]))
		})
	}
	// a crop view: rows longer than the plane (Stride > W)
	t.Run("crop", func(t *testing.T) {
		check(t, gray.Crop(noise(330, 140), 7, 5, 317, 131))
	})
}

// TestSamplerInteriorPath checks the interior fast path of sampler.at
// against the clamped general path (a sampler on a copy of the plane with
// one more row and column reads the same values inside).
func TestSamplerInteriorPath(t *testing.T) {
	p := gray.New(37, 23)
	for i := range p.Pix {
		p.Pix[i] = byte(i * 7919 % 251)
	}
	s := newSampler(p)
	for y := -1.0; y <= 24; y += 0.37 {
		for x := -1.0; x <= 38; x += 0.41 {
			got := s.at(geom.Point{X: x, Y: y})
			// reference: clamped bilinear interpolation
			fx := math.Min(math.Max(x-0.5, 0), 36)
			fy := math.Min(math.Max(y-0.5, 0), 22)
			x0, y0 := int(fx), int(fy)
			x1, y1 := min(x0+1, 36), min(y0+1, 22)
			ax, ay := fx-float64(x0), fy-float64(y0)
			v := func(x, y int) float64 { return float64(p.Pix[y*p.Stride+x]) }
			want := (v(x0, y0)*(1-ax)+v(x1, y0)*ax)*(1-ay) + (v(x0, y1)*(1-ax)+v(x1, y1)*ax)*ay
			if math.Abs(got-want) > 1e-9 {
				t.Fatalf("at(%.2f, %.2f) = %v, want %v", x, y, got, want)
			}
		}
	}
}

// TestSamplerAtAll: atAll gives exactly at's values, in the interior, on
// the borders and beyond them, on a crop view (Stride > W) and for NaN and
// infinite coordinates.
func TestSamplerAtAll(t *testing.T) {
	p := gray.New(41, 29)
	for i := range p.Pix {
		p.Pix[i] = byte(i * 7919 % 251)
	}
	for _, pl := range []*gray.Plane{p, gray.Crop(p, 3, 2, 37, 26)} {
		s := newSampler(pl)
		var pts []geom.Point
		for y := -1.3; y <= float64(pl.H)+1; y += 0.29 {
			for x := -1.1; x <= float64(pl.W)+1; x += 0.31 {
				pts = append(pts, geom.Point{X: x, Y: y})
			}
		}
		pts = append(pts, geom.Point{X: math.NaN(), Y: 3}, geom.Point{X: math.Inf(1), Y: 2}, geom.Point{X: 2, Y: math.Inf(-1)})
		out := make([]float64, len(pts))
		s.atAll(pts, out)
		for i, q := range pts {
			if want := s.at(q); out[i] != want {
				t.Fatalf("atAll at (%v, %v) = %v, at %v", q.X, q.Y, out[i], want)
			}
		}
	}
}

// TestSamplerNaN: a degenerate transform hands the sampler NaN or infinite
// coordinates; it must return a pixel of the plane, not panic.
func TestSamplerNaN(t *testing.T) {
	p := gray.New(8, 8)
	s := newSampler(p)
	for _, q := range []geom.Point{{X: math.NaN(), Y: 3}, {X: 3, Y: math.NaN()}, {X: math.Inf(1), Y: math.Inf(-1)}, {X: math.NaN(), Y: math.NaN()}} {
		if v := s.at(q); v != 0 {
			t.Errorf("at(%v) = %v, want 0 (a pixel of the zero plane)", q, v)
		}
	}
}

// TestAbsDiff checks the branch-free absDiff on every pair of bytes.
func TestAbsDiff(t *testing.T) {
	for a := 0; a < 256; a++ {
		for b := 0; b < 256; b++ {
			if got, want := absDiff(byte(a), byte(b)), byte(max(a-b, b-a)); got != want {
				t.Fatalf("absDiff(%d, %d) = %d, want %d", a, b, got, want)
			}
		}
	}
}
