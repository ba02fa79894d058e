package synth

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/qrcascade/qrcascade/internal/geom"
)

// place computes each symbol's warp. Symbols with an explicit Quad or Center
// go where they are told; the others are then placed at random, inside the
// image and clear of every symbol placed before them (quiet zones included).
func place(syms []*placed, w, h int, rng *rand.Rand) error {
	var taken [][4]float64
	for pass := 0; pass < 2; pass++ {
		for i, p := range syms {
			s := &p.spec
			explicit := s.Quad != (geom.Quad{}) || s.Center != (geom.Point{})
			if explicit != (pass == 0) {
				continue
			}
			n := p.sym.n
			quad := s.Quad
			if quad == (geom.Quad{}) {
				quad = squareAt(n, s, s.Center, rng)
			}
			p.warp = newWarp(n, quad, s.Cylinder)
			if !p.warp.ok {
				return fmt.Errorf("synth: symbol %d: %w: degenerate quad %v", i, ErrInvalidSpec, quad)
			}
			x0, y0, x1, y1 := p.warp.bounds(p.quiet)
			if !explicit {
				// The symbol was built around the origin: pick a shift that
				// keeps its bounds inside the image and clear of the others.
				bw, bh := x1-x0, y1-y0
				if bw+2 > float64(w) || bh+2 > float64(h) {
					return fmt.Errorf("synth: symbol %d: %w: %.0f×%.0f px in a %d×%d image", i, ErrNoRoom, bw, bh, w, h)
				}
				found := false
				for try := 0; try < 500 && !found; try++ {
					dx := 1 - x0 + rng.Float64()*(float64(w)-2-bw)
					dy := 1 - y0 + rng.Float64()*(float64(h)-2-bh)
					box := [4]float64{x0 + dx, y0 + dy, x1 + dx, y1 + dy}
					if !overlapsAny(box, taken) {
						found = true
						for k := range quad {
							quad[k] = quad[k].Add(geom.Point{X: dx, Y: dy})
						}
					}
				}
				if !found {
					return fmt.Errorf("synth: symbol %d: %w: no free spot after 500 tries", i, ErrNoRoom)
				}
				p.warp = newWarp(n, quad, s.Cylinder)
				x0, y0, x1, y1 = p.warp.bounds(p.quiet)
			}
			p.bounds = [4]float64{x0, y0, x1, y1}
			taken = append(taken, p.bounds)
		}
	}
	return nil
}

// squareAt returns the image corners of an n-module symbol of the spec's
// module size, rotation and random perspective, centred at c. With a
// cylinder bend the width is the projected (narrower) one, so that modules
// at the centre keep ModulePx.
func squareAt(n int, s *Symbol, c geom.Point, rng *rand.Rand) geom.Quad {
	m := s.ModulePx
	if m == 0 {
		m = 4
	}
	side := float64(n) * m
	wd := side
	if s.Cylinder > 0 {
		fw := newWarp(n, geom.Quad{{X: 0, Y: 0}, {X: 1, Y: 0}, {X: 1, Y: 1}, {X: 0, Y: 1}}, s.Cylinder)
		wd = side * (fw.bend(float64(n)) - fw.bend(0)) / float64(n)
	}
	q := geom.Quad{{X: -wd / 2, Y: -side / 2}, {X: wd / 2, Y: -side / 2}, {X: wd / 2, Y: side / 2}, {X: -wd / 2, Y: side / 2}}
	sin, cos := math.Sincos(s.Rotation * math.Pi / 180)
	for k := range q {
		p := q[k]
		if s.Perspective > 0 {
			p.X += (2*rng.Float64() - 1) * s.Perspective * side
			p.Y += (2*rng.Float64() - 1) * s.Perspective * side
		}
		q[k] = geom.Point{X: c.X + p.X*cos - p.Y*sin, Y: c.Y + p.X*sin + p.Y*cos}
	}
	return q
}

func overlapsAny(b [4]float64, boxes [][4]float64) bool {
	for _, o := range boxes {
		if b[0] < o[2]+1 && o[0] < b[2]+1 && b[1] < o[3]+1 && o[1] < b[3]+1 {
			return true
		}
	}
	return false
}

// blot is an opaque elliptical stain in module space: ink (dark) or
// white-out (light).
type blot struct {
	cx, cy, rx, ry float64
	dark           bool
}

func (b *blot) covers(u, v float64) bool {
	du, dv := (u-b.cx)/b.rx, (v-b.cy)/b.ry
	return du*du+dv*dv <= 1
}

// finderCentres are the module-space centres of the three finder patterns
// (ISO/IEC 18004:2015, clause 6.3.3) of an n-module symbol.
func finderCentres(n int) [3]geom.Point {
	f := float64(n)
	return [3]geom.Point{{X: 3.5, Y: 3.5}, {X: f - 3.5, Y: 3.5}, {X: 3.5, Y: f - 3.5}}
}

// makeBlots stains the symbol until at least the share damage of its modules
// is covered, first blotting one whole finder pattern when finder is set. It
// reports whether the symbol should still be readable: no module of a finder
// pattern covered, and at most half the EC level's recovery capacity covered (a conservative bound: a stain of the module's own colour
// does no harm, a stain across codeword boundaries does more).
func makeBlots(s *symbol, damage float64, finder bool, rng *rand.Rand) ([]blot, bool) {
	n := s.n
	f := float64(n)
	covered := make([]bool, n*n)
	count := 0
	add := func(b blot) {
		x0, x1 := max(0, int(b.cx-b.rx)), min(n-1, int(b.cx+b.rx)+1)
		y0, y1 := max(0, int(b.cy-b.ry)), min(n-1, int(b.cy+b.ry)+1)
		for y := y0; y <= y1; y++ {
			for x := x0; x <= x1; x++ {
				if !covered[y*n+x] && b.covers(float64(x)+0.5, float64(y)+0.5) {
					covered[y*n+x] = true
					count++
				}
			}
		}
	}
	var blots []blot
	if finder {
		c := finderCentres(n)[rng.IntN(3)]
		b := blot{cx: c.X, cy: c.Y, rx: 5.2, ry: 5.2, dark: rng.IntN(2) == 0}
		blots = append(blots, b)
		add(b)
	}
	for try := 0; try < 1000 && float64(count) < damage*f*f; try++ {
		r := f * (0.08 + 0.12*rng.Float64())
		b := blot{cx: rng.Float64() * f, cy: rng.Float64() * f, rx: r, ry: r * (0.6 + 0.8*rng.Float64()), dark: rng.IntN(2) == 0}
		blots = append(blots, b)
		add(b)
	}
	readable := float64(count) <= ecCapacity[s.ecLevel]/2*f*f
	for _, c := range finderCentres(n) {
		hit := 0
		for y := int(c.Y) - 3; y <= int(c.Y)+3; y++ {
			for x := int(c.X) - 3; x <= int(c.X)+3; x++ {
				if covered[y*n+x] {
					hit++
				}
			}
		}
		if hit > 0 {
			readable = false
		}
	}
	return blots, readable
}

// drawSymbol composites the symbol and its quiet zone over the canvas by
// inverse mapping: each pixel of the symbol's bounding box is split into
// supersample×supersample sub-pixels, each sub-pixel centre is mapped back
// to module space through the inverse warp, and the pixel gets the mean of
// the module (or blot, or background) values found there. This area
// coverage gives edges the gradual ramp of a real camera image instead of
// the staircase of nearest-neighbour sampling.
func drawSymbol(c *canvas, p *placed) {
	n := p.sym.n
	f, q := float64(n), p.quiet
	light, dark := float32(paperLevel), float32(inkLevel)
	if p.spec.Invert {
		light, dark = dark, light
	}
	x0 := max(0, int(math.Floor(p.bounds[0]))-1)
	y0 := max(0, int(math.Floor(p.bounds[1]))-1)
	x1 := min(c.w-1, int(math.Ceil(p.bounds[2]))+1)
	y1 := min(c.h-1, int(math.Ceil(p.bounds[3]))+1)
	const ss = supersample
	const inv = 1.0 / (ss * ss)
	for y := y0; y <= y1; y++ {
		row := c.pix[y*c.w : (y+1)*c.w]
		for x := x0; x <= x1; x++ {
			bg := row[x]
			var sum float32
			for j := 0; j < ss; j++ {
				sy := float64(y) + (float64(j)+0.5)/ss
				for i := 0; i < ss; i++ {
					sx := float64(x) + (float64(i)+0.5)/ss
					u, v, ok := p.warp.backward(sx, sy)
					if !ok || u < -q || v < -q || u >= f+q || v >= f+q {
						sum += bg
						continue
					}
					val := light
					stained := false
					for k := range p.blots {
						if b := &p.blots[k]; b.covers(u, v) {
							stained = true
							if b.dark {
								val = inkLevel
							} else {
								val = paperLevel
							}
							break
						}
					}
					if !stained && u >= 0 && v >= 0 && u < f && v < f && p.sym.dark[int(v)*n+int(u)] {
						val = dark
					}
					sum += val
				}
			}
			row[x] = sum * inv
		}
	}
}
