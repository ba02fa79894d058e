package gray

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// mk returns a compact w×h plane with pixel (x, y) = f(x, y).
func mk(w, h int, f func(x, y int) byte) *Plane {
	p := New(w, h)
	for y := range h {
		for x := range w {
			p.Pix[y*w+x] = f(x, y)
		}
	}
	return p
}

// fromRows builds a plane from rows of equal length.
func fromRows(rows ...[]byte) *Plane {
	return mk(len(rows[0]), len(rows), func(x, y int) byte { return rows[y][x] })
}

// constant returns a w×h plane filled with v.
func constant(w, h int, v byte) *Plane { return mk(w, h, func(int, int) byte { return v }) }

// noise returns a w×h plane of seeded uniform random pixels.
func noise(w, h int, seed uint64) *Plane {
	r := rand.New(rand.NewPCG(seed, 1))
	return mk(w, h, func(int, int) byte { return byte(r.IntN(256)) })
}

// photo returns a deterministic photo-like plane: uneven lighting (a
// gradient and a soft shadow), paper texture noise, printed text lines and a
// QR-like block of dark and light modules, with soft edges.
func photo(w, h int, seed uint64) *Plane {
	r := rand.New(rand.NewPCG(seed, 2))
	mod := max(w/120, 2)
	qx, qy, qn := w/2, h/3, 29
	cells := make([]bool, qn*qn)
	for i := range cells {
		cells[i] = r.IntN(2) == 0
	}
	p := mk(w, h, func(x, y int) byte {
		light := 150 + 80*float64(x)/float64(w) - 40*float64(y)/float64(h)
		dx, dy := float64(x-w/4), float64(y-2*h/3)
		light -= 60 * math.Exp(-(dx*dx+dy*dy)/float64(w*w/16))
		v := light
		if cx, cy := (x-qx)/mod, (y-qy)/mod; x >= qx && y >= qy && cx < qn && cy < qn && cells[cy*qn+cx] {
			v = light * 0.2
		} else if (y/12)%4 == 1 && (x/7)%5 != 0 && x < w/3 {
			v = light * 0.35 // text
		}
		v += r.NormFloat64() * 6
		return byte(min(max(v, 0), 255))
	})
	return GaussianBlur(nil, p, 0.8)
}

// view embeds p in a larger plane filled with a pattern and returns a crop
// view of it at (3, 2) with Stride > W, plus the parent.
func view(p *Plane) (v, parent *Plane) {
	parent = mk(p.W+7, p.H+5, func(x, y int) byte { return byte(x*37 + y*101 + 13) })
	v = Crop(parent, 3, 2, 3+p.W, 2+p.H)
	for y := range p.H {
		copy(v.Row(y), p.Row(y))
	}
	return v, parent
}

// samePixels reports the first difference between two planes' pixels.
func samePixels(a, b *Plane) error {
	if a.W != b.W || a.H != b.H {
		return fmt.Errorf("size %dx%d, want %dx%d", a.W, a.H, b.W, b.H)
	}
	for y := range a.H {
		for x := range a.W {
			if av, bv := a.Pix[y*a.Stride+x], b.Pix[y*b.Stride+x]; av != bv {
				return fmt.Errorf("pixel (%d,%d) = %d, want %d", x, y, av, bv)
			}
		}
	}
	return nil
}

// maxDiff returns the largest absolute pixel difference between two planes of
// equal size.
func maxDiff(t *testing.T, a, b *Plane) int {
	t.Helper()
	if a.W != b.W || a.H != b.H {
		t.Fatalf("size %dx%d, want %dx%d", a.W, a.H, b.W, b.H)
	}
	d := 0
	for y := range a.H {
		for x := range a.W {
			d = max(d, absInt(int(a.Pix[y*a.Stride+x])-int(b.Pix[y*b.Stride+x])))
		}
	}
	return d
}

func absInt(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

// px returns src's pixel at (x, y) with coordinates clamped into the plane
// (the replicate border rule).
func px(src *Plane, x, y int) int {
	return int(src.Pix[clampInt(y, 0, src.H-1)*src.Stride+clampInt(x, 0, src.W-1)])
}

// op is one operation with fixed arguments, for the tests that run every
// operation the same way.
type op struct {
	name    string
	inPlace bool
	fn      func(dst, src *Plane) *Plane
}

// allOps lists every operation with typical arguments.
func allOps() []op {
	return []op{
		{"Copy", true, Copy},
		{"Invert", true, Invert},
		{"ApplyLUT", true, func(d, s *Plane) *Plane {
			var lut [256]byte
			for i := range lut {
				lut[i] = byte(i * i / 255)
			}
			return ApplyLUT(d, s, &lut)
		}},
		{"Equalize", true, Equalize},
		{"Stretch", true, func(d, s *Plane) *Plane { return Stretch(d, s, 1, 99) }},
		{"Threshold", true, func(d, s *Plane) *Plane { return Threshold(d, s, 100) }},
		{"AdaptiveMean", false, func(d, s *Plane) *Plane { return AdaptiveMean(d, s, 3, 5) }},
		{"Sauvola", false, func(d, s *Plane) *Plane { return Sauvola(d, s, 3, 0.3, 128) }},
		{"BoxBlur", false, func(d, s *Plane) *Plane { return BoxBlur(d, s, 2) }},
		{"GaussianBlur", false, func(d, s *Plane) *Plane { return GaussianBlur(d, s, 1.2) }},
		{"Sharpen", false, func(d, s *Plane) *Plane { return Sharpen(d, s, 1) }},
		{"Erode", false, Erode},
		{"Dilate", false, Dilate},
		{"Downscale2", false, func(d, s *Plane) *Plane { return Downscale(d, s, 2) }},
		{"Downscale3", false, func(d, s *Plane) *Plane { return Downscale(d, s, 3) }},
		{"ResizeBilinear", false, func(d, s *Plane) *Plane { return ResizeBilinear(d, s, 2*s.W+1, 3*s.H/2) }},
		{"ResizeBicubic", false, func(d, s *Plane) *Plane { return ResizeBicubic(d, s, 2*s.W+1, 3*s.H/2) }},
		{"ResizeArea", false, func(d, s *Plane) *Plane { return ResizeArea(d, s, s.W*2/5+1, s.H*3/7+1) }},
		{"CropCopy", false, func(d, s *Plane) *Plane { return CropCopy(d, s, 1, 2, s.W-1, s.H) }},
	}
}
